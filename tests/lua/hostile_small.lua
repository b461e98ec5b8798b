-- hostile_small.lua - the smaller defects of the hostile-input issue:
-- sizes whose product or sum overflows int64 get a message that says
-- what was asked (not "into 0 elements", no signed overflow), and an IDX
-- file's descriptor is not leaked when loading it fails.
package.path = arg[0]:match("(.*/)") .. "?.lua;" .. package.path
local t = require "tap"
local T, image, idx = require "tensor", require "image", require "idx"

local x = T.zeros(6)
t.raises(function() x:reshape(2 ^ 32, 2 ^ 32) end,
         "reshape: the new shape has more than 2%^63 elements; the tensor has 6",
         "reshape whose product overflows: said so, not 'into 0 elements'")
t.raises(function() x:reshape({2 ^ 40, 2 ^ 40, 0}) end,
         "reshape: the new shape has more than 2%^63 elements",
         "overflow before a zero size is still an overflow")
t.raises(function() x:reshape(4, 2) end,
         "cannot reshape %(6,%) %(6 elements%) into 8 elements", "an ordinary mismatch as before")

local img = T.zeros(8, 8)
t.raises(function() image.crop(img, math.maxinteger, 1, 2, 2) end,
         "rows 9223372036854775807%.%.9223372036854775807, columns 1%.%.2 are not inside the 8x8 image",
         "crop at the largest row: no overflow in the message")
t.raises(function() image.crop(img, 7, 7, 3, 3) end,
         "rows 7%.%.9, columns 7%.%.9 are not inside the 8x8 image", "crop past the corner")

-- failed IDX loads leave no descriptor open
local function fds()
  local p = io.popen("ls /proc/self/fd 2>/dev/null | wc -l")
  local n = p and tonumber(p:read("a")) or 0
  if p then p:close() end
  return n
end
local dir = arg[0]:match("(.*/)") .. "../fixtures/hostile/"
local before = fds()
for _ = 1, 50 do
  pcall(idx.load, dir .. "huge.idx")
  pcall(idx.load, dir .. "huge.idx.gz")
end
collectgarbage()
t.ok(fds() <= before, "100 failed IDX loads leave no descriptor open")
t.done()
