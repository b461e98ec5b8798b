-- autoencoder.lua - one training epoch of LAB 12-3's convolutional
-- autoencoder on Fashion-MNIST (the issue's speed case): encoder Conv2D
-- 16 (3x3) x2 -> Flatten -> Dense 64, decoder Dense 9216 -> Reshape
-- (24, 24, 16) -> Conv2DTranspose 16 -> Conv2DTranspose 1, ELU
-- everywhere, mse, RMSprop (Keras's default for compile(loss = 'mse')),
-- batch 32. A short warm-up fit, then one timed epoch; then, in the same
-- run, the same model in PyTorch on the same number of threads
-- (bench/autoencoder_torch.py, Debian's python3-torch). The issue asks
-- for our epoch to be at least 2x faster.
--   ./workbook run bench/autoencoder.lua [--train N] [--threads T] [--batch B]
-- --profile prints the time spent per layer (forward + backward) over a
-- few hundred steps. Prints figures, asserts nothing.
local T, nn, data, sys = require "tensor", require "nn", require "data", require "sys"
local K = require "nn.core"

local opt = {train = 60000, threads = 2, batch = 32, profile = 0}
local i = 1
while arg[i] do
  local k = arg[i]:match("^%-%-(%w+)$")
  if not k or opt[k] == nil or arg[i + 1] == nil then
    error("usage: bench/autoencoder.lua [--train N] [--threads T] [--batch B] [--profile STEPS]")
  end
  opt[k] = tonumber(arg[i + 1])
  i = i + 2
end
K.threads(opt.threads)
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"

T.seed(0)
local fm = data.fashion_mnist()
local x = fm.train.x:slice(1, 1, opt.train):contiguous()

local function model()
  return nn.Sequential{
    nn.Conv2D{filters = 16, kernel_size = 3, activation = "elu", input_shape = {28, 28, 1}},
    nn.Conv2D{filters = 16, kernel_size = 3, activation = "elu"},
    nn.Flatten(),
    nn.Dense(64, {activation = "elu"}),
    nn.Dense(9216, {activation = "elu"}),
    nn.Reshape{target_shape = {24, 24, 16}},
    nn.Conv2DTranspose{filters = 16, kernel_size = 3, activation = "elu"},
    nn.Conv2DTranspose{filters = 1, kernel_size = 3, activation = "elu"},
  }
end

local ae = model()
ae:compile{optimizer = "rmsprop", loss = "mse"}

if opt.profile > 0 then
  -- per layer: forward and backward wall time over opt.profile steps
  local xb = x:slice(1, 1, opt.batch):contiguous()
  local fwd, bwd = {}, {}
  for l = 1, #ae.layers do fwd[l], bwd[l] = 0, 0 end
  for s = 0, opt.profile do
    local a = xb
    for l, layer in ipairs(ae.layers) do
      local t0 = sys.clock()
      a = layer:forward(a, true)
      if s > 0 then fwd[l] = fwd[l] + sys.clock() - t0 end
    end
    local g = (a - xb) * (2 / a:numel())
    for l = #ae.layers, 1, -1 do
      local layer = ae.layers[l]
      layer.need_dx = l > 1
      local t0 = sys.clock()
      g = layer:backward(g)
      if s > 0 then bwd[l] = bwd[l] + sys.clock() - t0 end
    end
  end
  for l, layer in ipairs(ae.layers) do
    print(("  %-18s forward %6.2f ms  backward %6.2f ms per step"):format(
      layer.class, 1000 * fwd[l] / opt.profile, 1000 * bwd[l] / opt.profile))
  end
end

ae:fit(x:slice(1, 1, math.min(opt.train, 2000)), x:slice(1, 1, math.min(opt.train, 2000)),
       {epochs = 1, batch_size = opt.batch, verbose = 0})           -- warm-up
local t0 = sys.clock()
local h = ae:fit(x, x, {epochs = 1, batch_size = opt.batch, verbose = 0})
local ours = sys.clock() - t0
print(("workbook: conv autoencoder, %d images, batch %d, %d threads: %.2f s (loss %.4f)"):format(
  opt.train, opt.batch, opt.threads, ours, h.history.loss[1]))
local py = io.popen(("/usr/bin/python3 %sautoencoder_torch.py %d %d %d 2>&1"):format(
  here, opt.train, opt.threads, opt.batch))
local out = py and py:read("a") or ""
if py then py:close() end
if out:match("torch:") then
  io.write(out)
  local theirs = tonumber(out:match(": ([%d.]+) s"))
  if theirs then print(("ratio:    torch / workbook = %.2f"):format(theirs / ours)) end
else
  print("torch:    not measured (needs Debian's python3-torch)")
end
