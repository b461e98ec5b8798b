#!/usr/bin/python3
"""tsne_sklearn.py - scikit-learn's side of bench/tsne.lua: Barnes-Hut
TSNE on the x.npy bench/tsne.lua wrote (PCA-50 of Fashion-MNIST images)
from its init.npy, and trustworthiness of the result. Prints "name value"
lines."""
import os
import sys
import time

import numpy as np
from sklearn.manifold import TSNE, trustworthiness

d = sys.argv[1]
X = np.load(os.path.join(d, "x.npy")).astype(np.float64)
init = np.load(os.path.join(d, "init.npy"))
t0, c0 = time.time(), time.process_time()
ts = TSNE(init=init, random_state=0).fit(X)
print("fit", time.time() - t0)
print("fit_cpu", time.process_time() - c0)
print("kl", ts.kl_divergence_)
print("n_iter", ts.n_iter_)
t0 = time.time()
print("trust", trustworthiness(X, ts.embedding_, n_neighbors=5))
print("trust_time", time.time() - t0)
