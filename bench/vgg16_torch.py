#!/usr/bin/env python3
"""vgg16_torch.py - the reference figure for bench/vgg16.lua: torchvision's
VGG16 `features` (the 13 convolutions and 5 pools, no classifier: Keras's
include_top=False) on one 224x224x3 image, forward only, in PyTorch 1.13
(Debian's python3-torch and python3-torchvision), on 2 threads.

    /usr/bin/python3 bench/vgg16_torch.py [runs] [threads]

Random weights (weights=None): speed does not depend on the values.
Prints the best time of `runs` after one warm-up run; asserts nothing."""
import sys
import time

import torch
import torchvision

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
torch.set_num_threads(threads)
torch.manual_seed(1)

net = torchvision.models.vgg16(weights=None).features.eval()
x = torch.rand(1, 3, 224, 224) * 255      # NCHW, PyTorch's layout

with torch.inference_mode():
    net(x)                                  # warm-up
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        y = net(x)
        best = min(best, time.perf_counter() - t0)

print("torchvision %s, torch %s, %d threads: vgg16().features, 1x3x224x224 "
      "-> %s: best of %d: %.1f ms" % (torchvision.__version__,
      torch.__version__, threads, "x".join(map(str, y.shape)), runs,
      best * 1e3))
