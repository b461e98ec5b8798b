#!/usr/bin/python3
# rnn_torch.py - PyTorch's peer of bench/rnn.lua: one epoch of a
# recurrent layer + Dense(1) on 10,000 random sequences of 30 steps and 8
# features, batch 32, Adam, mse, on the given number of threads.
#   /usr/bin/python3 bench/rnn_torch.py KIND UNITS THREADS
# KIND: simple_rnn, lstm or gru. Prints one line "torch: ... s".
import sys
import time

import torch

kind, units, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)
N, T, F, BS = 10000, 30, 8, 32
x = torch.randn(N, T, F)
y = torch.randn(N, 1)
cell = {"simple_rnn": torch.nn.RNN, "lstm": torch.nn.LSTM,
        "gru": torch.nn.GRU}[kind](F, units, batch_first=True)
head = torch.nn.Linear(units, 1)
params = list(cell.parameters()) + list(head.parameters())
opt = torch.optim.Adam(params, lr=1e-3, eps=1e-7)
loss_fn = torch.nn.MSELoss()


def epoch():
    perm = torch.randperm(N)
    for i in range(0, N, BS):
        idx = perm[i:i + BS]
        out, _ = cell(x[idx])
        loss = loss_fn(head(out[:, -1, :]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()


epoch()                                     # warm-up
t0 = time.perf_counter()
epoch()
print("torch:    %s(%d) one epoch, %d threads: %.2f s"
      % (kind, units, threads, time.perf_counter() - t0))
