#!/usr/bin/python3
"""augment_scipy.py - the peer of bench/augment.lua: what Keras 2.6's
ImageDataGenerator spends per batch of 32 in scipy.ndimage (random
parameters as get_random_transform draws them, the centred matrix of
apply_affine_transform, affine_transform(order=1) per image and
channel, then the flips). Prints "key seconds_per_batch" lines."""
import sys
import time
import numpy as np
from scipy import ndimage

def params(rng, h, w):
    theta = np.deg2rad(rng.uniform(-20, 20))
    tx, ty = rng.uniform(-0.1, 0.1) * h, rng.uniform(-0.1, 0.1) * w
    shear = np.deg2rad(rng.uniform(-10, 10))
    zx, zy = rng.uniform(0.9, 1.1, 2)
    m = np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0], [0, 0, 1]])
    m = m @ np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    m = m @ np.array([[1, -np.sin(shear), 0], [0, np.cos(shear), 0], [0, 0, 1]])
    m = m @ np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
    ox, oy = h / 2 + 0.5, w / 2 + 0.5
    m = np.array([[1, 0, ox], [0, 1, oy], [0, 0, 1]]) @ m @ np.array([[1, 0, -ox], [0, 1, -oy], [0, 0, 1]])
    return m, rng.random() < 0.5, rng.random() < 0.5

def batch(x, rng):
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        m, fh, _ = params(rng, x.shape[1], x.shape[2])
        y = np.stack([ndimage.affine_transform(x[i, :, :, c], m[:2, :2], m[:2, 2], order=1,
                                               mode="nearest", cval=0.0)
                      for c in range(x.shape[3])], axis=2)
        out[i] = y[:, ::-1] if fh else y
    return out

reps = int(sys.argv[1]) if len(sys.argv) > 1 else 50
rng = np.random.RandomState(0)
for name, shape in (("28x28x1", (32, 28, 28, 1)), ("64x64x3", (32, 64, 64, 3))):
    x = rng.rand(*shape).astype(np.float32)
    batch(x, rng)
    t0 = time.perf_counter()
    for _ in range(reps):
        batch(x, rng)
    print("%s %.6g" % (name, (time.perf_counter() - t0) / reps))
