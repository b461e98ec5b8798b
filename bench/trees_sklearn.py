#!/usr/bin/python3
"""trees_sklearn.py DIR RUNS - scikit-learn's side of bench/trees.lua: the
same fits on the .npy files in DIR, best of RUNS after a warm-up."""
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier

d, runs = sys.argv[1], int(sys.argv[2])


def load(name):
    return [np.load("%s/%s_%s.npy" % (d, name, k)) for k in ("Xtr", "ytr", "Xte", "yte")]


cases = [
    ("RandomForestClassifier(n_estimators=100, n_jobs=2)", "cancer",
     lambda: RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0)),
    ("RandomForestClassifier(n_estimators=100, n_jobs=2)", "fashion",
     lambda: RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0)),
    ("DecisionTreeClassifier()", "fashion",
     lambda: DecisionTreeClassifier(random_state=0)),
]
for title, name, make in cases:
    Xtr, ytr, Xte, yte = load(name)
    m = make().fit(Xtr, ytr)
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        m = make().fit(Xtr, ytr)
        best = min(best, time.perf_counter() - t0)
    print("sklearn %s: %-52s %-8s fit best of %d: %8.1f ms  test accuracy %.4f"
          % (sklearn.__version__, title, name, runs, best * 1e3, m.score(Xte, yte)))
