#!/usr/bin/env python3
"""fashion_peer.py - the PyTorch peer of bench/fashion.lua and bench/infer.lua:
the course's LAB 8-1 MLP and LAB 9-2 CNN in PyTorch 1.13 (Debian's
python3-torch) on 2 threads, Adam (lr 1e-3), the Fashion-MNIST files the
workbook reads.

    /usr/bin/python3 bench/fashion_peer.py train mlp|cnn EPOCHS BATCH TRAIN_N
    /usr/bin/python3 bench/fashion_peer.py infer mlp|cnn BATCH [RUNS]

train: one line "torch train <model>: epoch_s=<best epoch> ..." (the
training loop alone, as bench/fashion.lua times the workbook's);
infer: "torch infer <model>: batch=<b> s=<best of RUNS>" for predicting
the 10,000 test images in batches of BATCH (eval mode, no gradients).
Asserts nothing."""
import gzip
import sys
import time

import numpy as np
import torch
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist/"


def read_idx(name):
    with gzip.open(DATA + name) as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * k:8 + 4 * k], "big") for k in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def images(name):
    return torch.tensor(read_idx(name), dtype=torch.float32).unsqueeze(1) / 255.0


def build(kind):
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(784, 128), nn.ReLU(),
                             nn.Linear(128, 32), nn.ReLU(), nn.Linear(32, 10))
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.MaxPool2d(2),
        nn.Conv2d(64, 32, 3, padding=1), nn.Flatten(),
        nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 32), nn.ReLU(),
        nn.Linear(32, 10))


def train(kind, epochs, batch, n):
    x = images("train-images-idx3-ubyte.gz")[:n]
    # the test images are loaded before training, as torch_fashion.py does;
    # freeing the conversion buffers of both files raises glibc's dynamic
    # mmap threshold, so the per-step activations come from the heap: with
    # the training file alone PyTorch trained the CNN 2.4x slower here
    # (every 3 MB activation a fresh mmap and its page faults)
    xte = images("t10k-images-idx3-ubyte.gz")
    yte = torch.tensor(read_idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    y = torch.tensor(read_idx("train-labels-idx1-ubyte.gz"), dtype=torch.long)[:n]
    # seeded right before the model is built, as ../shared/bench/torch_fashion.py
    # does: with the weights drawn after the data and the permutation
    # (the seed in __main__ only), PyTorch trained the CNN 3x slower here
    torch.manual_seed(0)
    net = build(kind)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    best = float("inf")
    for _ in range(epochs):
        net.train()
        order = torch.randperm(len(x))
        t0 = time.perf_counter()
        for lo in range(0, len(x), batch):
            pick = order[lo:lo + batch]
            opt.zero_grad()
            loss_fn(net(x[pick]), y[pick]).backward()
            opt.step()
        best = min(best, time.perf_counter() - t0)
    net.eval()
    with torch.no_grad():
        acc = (net(xte).argmax(1) == yte).float().mean().item()
    print("torch train %s: epoch_s=%.2f test_acc=%.4f train=%d epochs=%d batch=%d threads=%d torch=%s"
          % (kind, best, acc, len(x), epochs, batch, torch.get_num_threads(), torch.__version__),
          flush=True)


def infer(kind, batch, runs):
    x = images("t10k-images-idx3-ubyte.gz")
    torch.manual_seed(0)                 # as in train()
    net = build(kind).eval()
    best = float("inf")
    with torch.inference_mode():
        for r in range(runs + 1):            # the first run warms up
            t0 = time.perf_counter()
            for lo in range(0, len(x), batch):
                net(x[lo:lo + batch])
            if r > 0:
                best = min(best, time.perf_counter() - t0)
    print("torch infer %s: batch=%d s=%.3f (best of %d) threads=%d"
          % (kind, batch, best, runs, torch.get_num_threads()), flush=True)


if __name__ == "__main__":
    torch.set_num_threads(2)
    torch.manual_seed(0)
    what, kind = sys.argv[1], sys.argv[2]
    if what == "train":
        train(kind, int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        infer(kind, int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 3)
