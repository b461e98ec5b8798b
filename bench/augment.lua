-- augment.lua - what augmenting one batch of 32 images costs beside a
-- training step: nn.ImageDataGenerator's flow (random parameters, one
-- batched affine warp over the thread pool, flips) for 28x28x1 and
-- 64x64x3 images, next to Keras's way in scipy.ndimage in the same run
-- (bench/augment_scipy.py, /usr/bin/python3: affine_transform per image
-- and channel) and to one train_on_batch step of a small CNN on the
-- same batch. No target (issue 13 asks only that augmentation not
-- dominate a step). Prints milliseconds per batch; asserts nothing.
-- Timings are noisy on a shared machine.
--   ./workbook run bench/augment.lua [repeats]
local T, nn, sys = require "tensor", require "nn", require "sys"

local reps = math.tointeger(tonumber(arg and arg[1]) or 50)
local here = arg[0]:match("(.*/)") or "./"
T.seed(0)

local gen = nn.ImageDataGenerator{rotation_range = 20, width_shift_range = 0.1,
                                  height_shift_range = 0.1, shear_range = 10,
                                  zoom_range = 0.1, horizontal_flip = true, seed = 1}

local ours, step = {}, {}
for _, c in ipairs {{"28x28x1", 28, 1}, {"64x64x3", 64, 3}} do
  local name, s, ch = c[1], c[2], c[3]
  local x = T.rand(32, s, s, ch)
  local y = T.zeros(32)
  for i = 1, 32 do y[i] = (i - 1) % 10 end
  local it = gen:flow(x, y, {batch_size = 32, seed = 2})
  it:next()
  local t0 = sys.clock()
  for _ = 1, reps do it:next() end
  ours[name] = (sys.clock() - t0) / reps
  -- one training step of a small CNN on such a batch
  local m = nn.Sequential{nn.Conv2D(16, 3, {activation = "relu", padding = "same"}),
                          nn.MaxPooling2D(2), nn.Conv2D(32, 3, {activation = "relu", padding = "same"}),
                          nn.MaxPooling2D(2), nn.Flatten(), nn.Dense(10, {activation = "softmax"})}
  m:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy"}
  m:build({s, s, ch})
  m:train_on_batch(x, y)
  local n = math.max(5, reps // 5)
  t0 = sys.clock()
  for _ = 1, n do m:train_on_batch(x, y) end
  step[name] = (sys.clock() - t0) / n
end

local theirs = {}
local py = io.popen(("/usr/bin/python3 %saugment_scipy.py %d 2>/dev/null"):format(here, reps))
for line in py:lines() do
  local k, v = line:match("^(%S+) (%S+)$")
  if k then theirs[k] = tonumber(v) end
end
py:close()

print(("%-44s %12s %12s %8s %14s"):format("augment a batch of 32 (noisy timings)", "workbook",
      "scipy", "speedup", "CNN train step"))
for _, name in ipairs {"28x28x1", "64x64x3"} do
  local o, p = ours[name], theirs[name]
  print(("%-44s %9.3f ms %12s %8s %11.3f ms"):format("ImageDataGenerator flow, " .. name, o * 1e3,
        p and ("%.3f ms"):format(p * 1e3) or "-", p and ("%.1fx"):format(p / o) or "-",
        step[name] * 1e3))
end
if not next(theirs) then print("scipy: not measured (needs Debian's python3-scipy)") end
