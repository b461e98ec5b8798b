-- rnn.lua - one training epoch of a recurrent layer + Dense(1): 10,000
-- random sequences of 30 steps and 8 features, batch 32, Adam, mse (the
-- issue's speed case), for LSTM(64), GRU(64) and SimpleRNN(64); each
-- workbook figure is followed, in the same run, by PyTorch's on the same
-- number of threads (bench/rnn_torch.py, Debian's python3-torch) when
-- /usr/bin/python3 can import it. One warm-up epoch, then one timed.
--   ./workbook run bench/rnn.lua [threads]
-- The issue asks for at most 2x PyTorch's time for LSTM and GRU and 3x
-- for SimpleRNN. Prints figures, asserts nothing.
local T, nn, sys = require "tensor", require "nn", require "sys"
local K = require "nn.core"

local threads = tonumber(arg and arg[1]) or 2
K.threads(threads)
local N, STEPS, F = 10000, 30, 8
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"

T.seed(0)
local x = T.randn(N, STEPS, F)
local y = T.randn(N, 1)

for _, c in ipairs {{"LSTM", "lstm"}, {"GRU", "gru"}, {"SimpleRNN", "simple_rnn"}} do
  local m = nn.Sequential{nn[c[1]](64, {input_shape = {STEPS, F}}), nn.Dense(1)}
  m:compile{optimizer = "adam", loss = "mse"}
  m:fit(x, y, {epochs = 1, batch_size = 32, verbose = 0})        -- warm-up
  local t0 = sys.clock()
  m:fit(x, y, {epochs = 1, batch_size = 32, verbose = 0})
  print(("workbook: %s(64) one epoch, %d threads: %.2f s"):format(c[2], threads,
                                                                 sys.clock() - t0))
  local py = io.popen(("/usr/bin/python3 %srnn_torch.py %s 64 %d 2>&1"):format(here, c[2], threads))
  local out = py and py:read("a") or ""
  if py then py:close() end
  if out:match("torch:") then io.write(out)
  else print("torch:    not measured (needs Debian's python3-torch)") end
end
