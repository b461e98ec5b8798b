#!/usr/bin/python3
"""kmeans_knn_sklearn.py - scikit-learn's side of bench/kmeans_knn.lua:
KMeans(n_clusters=10, n_init=1) on the 60,000 Fashion-MNIST training
images from the first 10 images and from k-means++, and a brute-force
KNeighborsClassifier(n_neighbors=5) predicting the first N test images.
Reads Debian's dataset-fashion-mnist; prints "name value" lines."""
import gzip
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.neighbors import KNeighborsClassifier

D = "/usr/share/datasets/fashion-mnist/"
queries = int(sys.argv[1]) if len(sys.argv) > 1 else 10000


def idx(name, offset):
    with gzip.open(D + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


X = (idx("train-images-idx3-ubyte.gz", 16).reshape(60000, 784)
     .astype(np.float32) / 255)
y = idx("train-labels-idx1-ubyte.gz", 8)
Xq = (idx("t10k-images-idx3-ubyte.gz", 16).reshape(10000, 784)
      .astype(np.float32) / 255)[:queries]
yq = idx("t10k-labels-idx1-ubyte.gz", 8)[:queries]


def timed(name, f):
    """wall and process CPU seconds of f(), printed; f's result"""
    t0, c0 = time.perf_counter(), time.process_time()
    r = f()
    print(name, time.perf_counter() - t0)
    print(name + "_cpu", time.process_time() - c0)
    return r


km = timed("kmeans_init",
           lambda: KMeans(n_clusters=10, init=X[:10], n_init=1).fit(X))
print("kmeans_init_iter", km.n_iter_)
print("kmeans_init_inertia", km.inertia_)
km = timed("kmeans_pp",
           lambda: KMeans(n_clusters=10, n_init=1, random_state=0).fit(X))
print("kmeans_pp_iter", km.n_iter_)
knn = KNeighborsClassifier(n_neighbors=5, algorithm="brute").fit(X, y)
pred = timed("knn", lambda: knn.predict(Xq))
print("knn_acc", (pred == yq).mean())
