#!/usr/bin/python3
"""read_csv_pandas.py PATH RUNS - pandas.read_csv of PATH, best of RUNS
after a warm-up; prints one line for bench/read_csv.lua."""
import sys
import time

import pandas as pd

path, runs = sys.argv[1], int(sys.argv[2])
pd.read_csv(path)
best = float("inf")
for _ in range(runs):
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    best = min(best, time.perf_counter() - t0)
print(f"pandas {pd.__version__}: read_csv {df.shape[0]} x {df.shape[1]}, "
      f"best of {runs}: {best * 1e3:.1f} ms")
