#!/usr/bin/python3
"""pca_sklearn.py - scikit-learn's side of bench/pca.lua: PCA(n_components=50)
on the 60,000 Fashion-MNIST training images (float32 in [0, 1]) with
svd_solver 'auto' (which takes 'randomized' here), 'randomized' and
'full'. Reads Debian's dataset-fashion-mnist; prints "name value" lines
(seconds, and the explained variance ratio summed over the 50 components).
  /usr/bin/python3 bench/pca_sklearn.py [--no-full]"""
import gzip
import sys
import time

import numpy as np
from sklearn.decomposition import PCA

D = "/usr/share/datasets/fashion-mnist/"
with gzip.open(D + "train-images-idx3-ubyte.gz") as f:
    X = (np.frombuffer(f.read(), np.uint8, offset=16).reshape(60000, 784)
         .astype(np.float32) / 255)

solvers = ["auto", "randomized"] + ([] if "--no-full" in sys.argv else ["full"])
for solver in solvers:
    t0, c0 = time.perf_counter(), time.process_time()
    m = PCA(n_components=50, svd_solver=solver, random_state=0).fit(X)
    print(solver, time.perf_counter() - t0)
    print(solver + "_cpu", time.process_time() - c0)
    print(solver + "_ratio", m.explained_variance_ratio_.sum())
