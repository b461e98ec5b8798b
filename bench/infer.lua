-- infer.lua - inference speed: the course MLP and CNN (bench/
-- course_models.lua) predict the 10,000 Fashion-MNIST test images in
-- batches of 256 and of 10,000 (model:predict; best of RUNS after a
-- warm-up run), then, in the same run, the PyTorch twins on 2 threads
-- (bench/fashion_peer.py infer: eval mode, no gradients) and the ratio.
-- Untrained weights (speed does not depend on them). Asserts nothing.
--   ./workbook run bench/infer.lua [runs]
local tensor, data, sys = require "tensor", require "data", require "sys"

local runs = tonumber(arg and arg[1]) or 3
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local course_model = dofile(here .. "course_models.lua")

local function peer(kind, bs)
  local py = io.popen(("/usr/bin/python3 %sfashion_peer.py infer %s %d %d 2>&1"):format(
    here, kind, bs, runs))
  local out = py and py:read("a") or ""
  if py then py:close() end
  return tonumber(out:match(" s=([%d.]+)")), out
end

tensor.seed(0)
local x = data.fashion_mnist().test.x
local threads = require("nn.core").threads()
for _, kind in ipairs({"mlp", "cnn"}) do
  local model = course_model(kind, "linear")
  for _, bs in ipairs({256, 10000}) do
    model:predict(x, {batch_size = bs})            -- warm-up
    local best = math.huge
    for _ = 1, runs do
      local t0 = sys.clock()
      model:predict(x, {batch_size = bs})
      best = math.min(best, sys.clock() - t0)
    end
    local theirs, out = peer(kind, bs)
    if theirs then
      print(("infer %s batch %5d: workbook %.3f s (%d threads), PyTorch %.3f s (2 threads): %.2fx faster")
            :format(kind, bs, best, threads, theirs, theirs / best))
    else
      print(("infer %s batch %5d: workbook %.3f s (%d threads); PyTorch not measured: %s")
            :format(kind, bs, best, threads, out:sub(1, 200)))
    end
  end
end
