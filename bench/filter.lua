-- filter.lua - speed of the image module: filtering a 512x512 RGB photo
-- with a 5x5 kernel (target: under 10 ms) and loading the PNG.
-- Run: ./workbook run bench/filter.lua [repeats]. Prints; asserts nothing.
local image, data, sys = require "image", require "data", require "sys"

local repeats = tonumber(arg and arg[1]) or 30
local path = data.path("images/astronaut.png")

-- best of n runs of f, in milliseconds
local function best(n, f)
  local t = math.huge
  for _ = 1, n do
    local t0 = sys.clock()
    f()
    t = math.min(t, sys.clock() - t0)
  end
  return t * 1000
end

local photo = image.load(path)
local gray = image.to_gray(photo)
local k5 = image.kernels.gaussian(5, 1.0)
local rows = {
  {"load astronaut.png (512x512 RGB)", function() image.load(path) end},
  {"filter 512x512x3, 5x5, same",
   function() image.filter(photo, k5, {padding = "same"}) end},
  {"filter 512x512x3, 5x5, valid", function() image.filter(photo, k5) end},
  {"filter 512x512x3, 5x5, same, reflect",
   function()
     image.filter(photo, k5, {padding = "same", border = "reflect"})
   end},
  {"filter 512x512x3, 5x5, same, stride 2",
   function() image.filter(photo, k5, {padding = "same", stride = 2}) end},
  {"filter 512x512x1, 3x3 Laplacian, same",
   function()
     image.filter(gray, image.kernels.laplacian(), {padding = "same"})
   end},
  {"max_pool 512x512x3, 2x2", function() image.max_pool(photo, 2) end},
  {"resize 512x512x3 -> 256x256", function() image.resize(photo, 256, 256) end},
}
print(("best of %d runs"):format(repeats))
for _, r in ipairs(rows) do
  collectgarbage()
  print(("%-42s %8.2f ms"):format(r[1], best(repeats, r[2])))
end
