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

t0 = time.perf_counter()
km = KMeans(n_clusters=10, init=X[:10], n_init=1).fit(X)
print("kmeans_init", time.perf_counter() - t0)
print("kmeans_init_iter", km.n_iter_)
print("kmeans_init_inertia", km.inertia_)
t0 = time.perf_counter()
km = KMeans(n_clusters=10, n_init=1, random_state=0).fit(X)
print("kmeans_pp", time.perf_counter() - t0)
print("kmeans_pp_iter", km.n_iter_)
knn = KNeighborsClassifier(n_neighbors=5, algorithm="brute").fit(X, y)
t0 = time.perf_counter()
pred = knn.predict(Xq)
print("knn", time.perf_counter() - t0)
print("knn_acc", (pred == yq).mean())
