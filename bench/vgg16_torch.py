#!/usr/bin/env python3
"""vgg16_torch.py - the reference figure for bench/vgg16.lua: torchvision's
VGG16 `features` (the 13 convolutions and 5 pools, no classifier: Keras's
include_top=False) on one 224x224x3 image, forward only, in PyTorch 1.13
(Debian's python3-torch and python3-torchvision; without torchvision the
same layers built from torch.nn), on 2 threads.

    /usr/bin/python3 bench/vgg16_torch.py [runs] [threads]

Random weights (weights=None): speed does not depend on the values.
Prints the best time of `runs` after one warm-up run; asserts nothing."""
import sys
import time

import torch

try:
    import torchvision
except ImportError:          # the same 13 convolutions and 5 pools in torch.nn
    torchvision = None

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
torch.set_num_threads(threads)
torch.manual_seed(1)

def features():
    # VGG16's configuration "D": channels per 3x3 convolution, "M" a 2x2 max pool
    layers, c = [], 3
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M",
              512, 512, 512, "M", 512, 512, 512, "M"]:
        if v == "M":
            layers.append(torch.nn.MaxPool2d(2, 2))
        else:
            layers += [torch.nn.Conv2d(c, v, 3, padding=1), torch.nn.ReLU(inplace=True)]
            c = v
    return torch.nn.Sequential(*layers)


if torchvision is not None:
    net = torchvision.models.vgg16(weights=None).features.eval()
else:
    net = features().eval()
x = torch.rand(1, 3, 224, 224) * 255      # NCHW, PyTorch's layout

with torch.inference_mode():
    net(x)                                  # warm-up
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        y = net(x)
        best = min(best, time.perf_counter() - t0)

print("%s, torch %s, %d threads: vgg16().features, 1x3x224x224 "
      "-> %s: best of %d: %.1f ms" % (
      "torchvision " + torchvision.__version__ if torchvision is not None
      else "torch.nn (no torchvision)",
      torch.__version__, threads, "x".join(map(str, y.shape)), runs,
      best * 1e3))
