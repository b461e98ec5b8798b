-- fashion.lua - train a course model on Fashion-MNIST and print one line
-- (--act relu gives the CNN's convolutions a ReLU; the course has none):
-- epoch_s (training seconds per epoch, best epoch; data loading and
-- evaluation excluded), test_acc (10,000 test images, after the last
-- epoch), peak_rss_mb; then the test accuracy after each epoch. Then, in
-- the same run, the PyTorch peer (bench/fashion_peer.py: the same
-- model, Adam, batch and images on 2 threads) and the ratio. The peer's
-- time varies 2-3x from one process to the next on a shared machine, so
-- it runs --peer-runs times (default 3): each run's line is printed, and
-- the ratio is against its best epoch over all runs. Then
-- model:profile of the model (per-layer forward/backward ms and
-- GFLOP/s) beside the GEMM floor: each layer's FLOPs at the sgemm rate
-- measured now on a 512x512x512 product (a lower bound for a GEMM-based
-- layer; --peer 0 / --profile 0 skip those parts).
--   ./workbook run bench/fashion.lua --model cnn|mlp --train N --epochs E --batch B
--       [--act relu] [--peer 0] [--peer-runs N] [--profile 0]
-- The first line: fashion <model>: epoch_s=... test_acc=... peak_rss_mb=...
-- train=... epochs=... batch=... threads=<the workbook's thread count>.
local tensor, nn, data, sys = require "tensor", require "nn", require "data", require "sys"

local opt = {model = "cnn", train = 60000, epochs = 1, batch = 32, act = "linear", peer = 1,
             ["peer-runs"] = 3, profile = 1}
local i = 1
while arg[i] do
  local k = arg[i]:match("^%-%-([%w-]+)$")
  if not k or opt[k] == nil or arg[i + 1] == nil then
    error("usage: bench/fashion.lua --model cnn|mlp --train N --epochs E --batch B [--act relu] " ..
          "[--peer 0] [--peer-runs N] [--profile 0]")
  end
  opt[k] = (k == "model" or k == "act") and arg[i + 1] or tonumber(arg[i + 1])
  i = i + 2
end

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local build_model = dofile(here .. "course_models.lua")
local function course_model(kind) return build_model(kind, opt.act) end

local function peak_rss_mb()
  local f = io.open("/proc/self/status")
  local s = f and f:read("a") or ""
  if f then f:close() end
  return (tonumber(s:match("VmHWM:%s*(%d+)")) or 0) / 1024
end

tensor.seed(0)
local fm = data.fashion_mnist()
local x, y = fm.train.x:slice(1, 1, opt.train), fm.train.y:slice(1, 1, opt.train)
local model = course_model(opt.model)
model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
local best, accs = math.huge, {}
local acc
for e = 1, opt.epochs do
  local h = model:fit(x, y, {epochs = 1, batch_size = opt.batch, verbose = 0})
  best = math.min(best, h.train_seconds)
  _, acc = model:evaluate(fm.test.x, fm.test.y, {verbose = 0, batch_size = 256})
  accs[e] = ("%.4f"):format(acc)
end
print(("fashion %s: epoch_s=%.2f test_acc=%.4f peak_rss_mb=%.0f train=%d epochs=%d batch=%d threads=%d"):format(
  opt.model, best, acc, peak_rss_mb(), opt.train, opt.epochs, opt.batch,
  require("nn.core").threads()))
print("  test_acc after each epoch: " .. table.concat(accs, " "))

if opt.peer ~= 0 and opt.act == "linear" then   -- the peer has no --act
  local cmd = ("/usr/bin/python3 %sfashion_peer.py train %s %d %d %d 2>&1"):format(
    here, opt.model, opt.epochs, opt.batch, opt.train)
  local peer, all, threads, out = nil, {}, nil, ""
  for _ = 1, math.max(1, opt["peer-runs"]) do
    local py = io.popen(cmd)
    out = py and py:read("a") or ""
    if py then py:close() end
    local e = tonumber(out:match("epoch_s=([%d.]+)"))
    if not e then peer = nil; break end
    io.write(out)
    all[#all + 1] = ("%.2f"):format(e)
    threads = out:match("threads=(%d+)")
    peer = math.min(peer or math.huge, e)
  end
  if peer then
    print(("  workbook %.2f s (%d threads) vs PyTorch %.2f s (%s threads, best of %d runs: %s) " ..
           "per epoch: %.2fx faster"):format(best, require("nn.core").threads(), peer,
           threads or "?", #all, table.concat(all, " "), peer / best))
  else
    print("PyTorch: not measured (needs Debian's python3-torch): " .. out:sub(1, 200))
  end
end

if opt.profile ~= 0 then
  -- the sgemm rate now: best of 5 products of 512x512 matrices
  local a, b = tensor.rand(512, 512), tensor.rand(512, 512)
  a:matmul(b)
  local t_gemm = math.huge
  for _ = 1, 5 do
    local t0 = sys.clock()
    a:matmul(b)
    t_gemm = math.min(t_gemm, sys.clock() - t0)
  end
  local gemm_gflops = 2 * 512 ^ 3 / t_gemm / 1e9
  local pm = course_model(opt.model)
  pm:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
  print(("\nmodel:profile, course %s, batch %d:"):format(opt.model, opt.batch))
  local r = pm:profile(x, y, {batch_size = opt.batch, steps = 50})
  print(("\nGEMM floor (FLOPs at sgemm's %.1f GFLOP/s, 512x512x512 now):"):format(gemm_gflops))
  print(("%-32s %12s %12s %8s"):format("layer", "measured ms", "floor ms", "ratio"))
  local floor_total = 0
  for _, row in ipairs(r.rows) do
    local f = (row.flops_forward or 0) + (row.flops_backward or 0)
    if f > 0 then
      local ms, fl = row.forward_ms + row.backward_ms, f / (gemm_gflops * 1e6)
      floor_total = floor_total + fl
      print(("%-32s %12.3f %12.3f %7.1fx"):format(row.name, ms, fl, ms / fl))
    end
  end
  local steps_per_epoch = math.ceil(opt.train / opt.batch)
  print(("%-32s %12.3f %12.3f %7.1fx"):format("step", r.step_ms, floor_total, r.step_ms / floor_total))
  print(("  per %d-image epoch: profiled steps %.2f s, GEMM floor %.2f s"):format(
    opt.train, r.step_ms * steps_per_epoch / 1e3, floor_total * steps_per_epoch / 1e3))
end
