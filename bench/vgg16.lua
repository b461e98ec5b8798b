-- vgg16.lua - the workbook's VGG16 without the top (Keras's
-- include_top=False: 13 convolutions, 5 pools), forward pass of one
-- 224x224x3 image, best of N runs after a warm-up; then, in the same
-- session, torchvision's vgg16().features on 2 threads through
-- bench/vgg16_torch.py (Debian's python3-torch + python3-torchvision),
-- when /usr/bin/python3 can import them. The issue asks the workbook
-- to be no slower.
--   ./workbook run bench/vgg16.lua [runs]
-- Random weights (speed does not depend on them). Prints figures,
-- asserts nothing.
local T, nn, sys = require "tensor", require "nn", require "sys"

local runs = tonumber(arg and arg[1]) or 10
local model = nn.applications.VGG16{include_top = false, weights = false,
                                    input_shape = {224, 224, 3}}
T.seed(1)
local x = T.rand(1, 224, 224, 3) * 255

model:predict(x)                              -- warm-up
local best = math.huge
for _ = 1, runs do
  local t0 = sys.clock()
  model:predict(x)
  best = math.min(best, sys.clock() - t0)
end
local threads = require("nn.core").threads()
print(("workbook: VGG16 include_top=false, 1x224x224x3 -> 1x7x7x512, %d threads, " ..
       "best of %d: %.1f ms"):format(threads, runs, best * 1e3))

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local py = io.popen(("/usr/bin/python3 %svgg16_torch.py %d 2 2>&1"):format(here, runs))
local out = py and py:read("a") or ""
if py then py:close() end
if out:match("best of") then io.write(out)
else print("torchvision: not measured (needs Debian's python3-torchvision)") end
