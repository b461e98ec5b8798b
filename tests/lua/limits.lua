-- limits.lua - headers that promise more than their file holds, and
-- requests larger than the machine: a located error that says so, and no
-- allocation of what was asked (the run stays small; see the fixtures'
-- script tests/fixtures/make_hostile_fixtures.py).
package.path = arg[0]:match("(.*/)") .. "?.lua;" .. package.path
local t = require "tap"
local T, image, idx = require "tensor", require "image", require "idx"
local dir = arg[0]:match("(.*/)") .. "../fixtures/hostile/"

local function rss_kb()
  local f = io.open("/proc/self/status")
  if not f then return 0 end
  local s = f:read("a")
  f:close()
  return tonumber(s:match("VmHWM:%s*(%d+)")) or 0
end

t.raises(function() T.load(dir .. "huge.npy") end,
         "huge%.npy: truncated: the header promises 1000000000 values %(4000000000 bytes of data%) but the file has 16 bytes",
         ".npy claiming 1e9 values in 144 bytes")
t.raises(function() idx.load(dir .. "huge.idx") end,
         "huge%.idx: truncated: the header promises 1073741824 values, the file can hold at most 10",
         "IDX claiming 32768 x 32768 in 22 bytes")
t.raises(function() idx.load(dir .. "huge.idx.gz") end,
         "huge%.idx%.gz: truncated: the header promises 1073741824 values, the file can hold at most %d+",
         "gzip IDX: bounded by deflate's ratio")
t.raises(function() image.load(dir .. "huge.png") end,
         "huge%.png: truncated or corrupt: the header says 8192x8192 pixels, more than a 69%-byte file can hold",
         "PNG header of 8192 x 8192 RGBA16 in 69 bytes")
t.raises(function() T.zeros(2 ^ 20, 2 ^ 20) end,
         "tensor of shape %(1048576, 1048576%) needs 4398046511104 bytes %(4096%.0 GiB%), more than this machine's memory",
         "zeros(2^20, 2^20): the shape and the bytes, at the script's line")
-- none of the above allocated what it was asked for
t.ok(rss_kb() < 512 * 1024, ("peak memory stayed small (%d MB)"):format(rss_kb() // 1024))

t.done()
