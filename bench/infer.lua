-- infer.lua - inference speed: the course MLP and CNN (bench/
-- course_models.lua) predict the 10,000 Fashion-MNIST test images in
-- batches of 256 and of 10,000 (model:predict; best of RUNS after a
-- warm-up run, and the CPU seconds of that best run), then, in the same
-- run, the PyTorch twins (bench/fashion_peer.py infer: eval mode, no
-- gradients, 2 threads) and the ratio. PyTorch's time varies 2-3x from
-- one process to the next on a shared machine, so the peer runs
-- PEER_RUNS times (each its own best of RUNS); every peer run is printed
-- and the ratio is against the best. Untrained weights (speed does not
-- depend on them). Asserts nothing.
--   ./workbook run bench/infer.lua [runs [peer_runs]]
-- One line per case:
--   infer <mlp|cnn> batch <b>: workbook <s> s (<n> threads, cpu <s> s), PyTorch <s> s (<n> threads, best of <k>: <s> <s> ...): <r>x faster
local tensor, data, sys = require "tensor", require "data", require "sys"

local runs = tonumber(arg and arg[1]) or 3
local peer_runs = tonumber(arg and arg[2]) or 3
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local course_model = dofile(here .. "course_models.lua")

-- the peer's best over peer_runs processes: best, its threads, all times, or nil, output
local function peer(kind, bs)
  local best, threads, all, out = nil, nil, {}, ""
  for _ = 1, peer_runs do
    local py = io.popen(("/usr/bin/python3 %sfashion_peer.py infer %s %d %d 2>&1"):format(
      here, kind, bs, runs))
    out = py and py:read("a") or ""
    if py then py:close() end
    local s = tonumber(out:match(" s=([%d.]+)"))
    if not s then return nil, nil, nil, out end
    all[#all + 1] = ("%.3f"):format(s)
    threads = tonumber(out:match("threads=(%d+)"))
    best = math.min(best or math.huge, s)
  end
  return best, threads, all, out
end

tensor.seed(0)
local x = data.fashion_mnist().test.x
local threads = require("nn.core").threads()
for _, kind in ipairs({"mlp", "cnn"}) do
  local model = course_model(kind, "linear")
  for _, bs in ipairs({256, 10000}) do
    model:predict(x, {batch_size = bs})            -- warm-up
    local best, cpu = math.huge, 0
    for _ = 1, runs do
      local t0, c0 = sys.clock(), os.clock()
      model:predict(x, {batch_size = bs})
      local t = sys.clock() - t0
      if t < best then best, cpu = t, os.clock() - c0 end
    end
    local theirs, their_threads, all, out = peer(kind, bs)
    if theirs then
      print(("infer %s batch %5d: workbook %.3f s (%d threads, cpu %.3f s), PyTorch %.3f s " ..
             "(%d threads, best of %d: %s): %.2fx faster")
            :format(kind, bs, best, threads, cpu, theirs, their_threads or 0, #all,
                    table.concat(all, " "), theirs / best))
    else
      print(("infer %s batch %5d: workbook %.3f s (%d threads, cpu %.3f s); PyTorch not measured: %s")
            :format(kind, bs, best, threads, cpu, out:sub(1, 200)))
    end
  end
end
