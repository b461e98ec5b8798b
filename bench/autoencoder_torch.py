#!/usr/bin/python3
# autoencoder_torch.py - PyTorch's peer of bench/autoencoder.lua: one
# epoch of LAB 12-3's convolutional autoencoder (Conv2D 16 x2 -> Dense 64;
# Dense 9216 -> Reshape -> ConvTranspose2d 16, 1; ELU everywhere; mse;
# RMSprop lr 1e-3, rho 0.9, eps 1e-7 (Keras's compile default); batch 32)
# on the first N Fashion-MNIST training images, on the given threads.
#   /usr/bin/python3 bench/autoencoder_torch.py N THREADS BATCH
# Prints one line "torch: ... s".
import gzip
import sys
import time

import numpy as np
import torch

n, threads, bs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)
with gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") as f:
    raw = np.frombuffer(f.read(), np.uint8, offset=16)
x = torch.tensor(raw.reshape(-1, 1, 28, 28)[:n].astype(np.float32) / 255)

nn = torch.nn
model = nn.Sequential(
    nn.Conv2d(1, 16, 3), nn.ELU(), nn.Conv2d(16, 16, 3), nn.ELU(), nn.Flatten(),
    nn.Linear(9216, 64), nn.ELU(),
    nn.Linear(64, 9216), nn.ELU(), nn.Unflatten(1, (16, 24, 24)),
    nn.ConvTranspose2d(16, 16, 3), nn.ELU(), nn.ConvTranspose2d(16, 1, 3), nn.ELU())
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
loss_fn = nn.MSELoss()


def epoch(count):
    perm = torch.randperm(count)
    total = 0.0
    for i in range(0, count, bs):
        xb = x[perm[i:i + bs]]
        loss = loss_fn(model(xb), xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
    return total / count


epoch(min(n, 2000))                         # warm-up
t0 = time.perf_counter()
loss = epoch(n)
print("torch:    conv autoencoder, %d images, batch %d, %d threads: %.2f s (loss %.4f)"
      % (n, bs, threads, time.perf_counter() - t0, loss))
