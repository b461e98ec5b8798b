#!/usr/bin/python3
"""linalg_numpy.py - NumPy's side of bench/linalg.lua: best-of-n seconds of
numpy.linalg.svd (economy) on a 2000x784 float64 matrix, and of inv and
lstsq on the sizes the Lua side uses. Prints "name seconds" lines."""
import sys
import time

import numpy as np

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
rng = np.random.default_rng(0)
a = rng.random((2000, 784)).astype(np.float32).astype(np.float64)
sq = rng.random((500, 500)) + 500 * np.eye(500)
b = rng.random(2000)


def best(f):
    t = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        t = min(t, time.perf_counter() - t0)
    return t


print("svd", best(lambda: np.linalg.svd(a, full_matrices=False)))
print("inv", best(lambda: np.linalg.inv(sq)))
print("lstsq", best(lambda: np.linalg.lstsq(a, b, rcond=None)))
