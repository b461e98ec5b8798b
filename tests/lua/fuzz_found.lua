-- fuzz_found.lua - inputs the fuzz targets of tests/fuzz/ once crashed
-- the runtime on (each also in its target's corpus as crash-WHAT): each
-- is now an error that says what was wrong. Under `make asan` these run
-- with UBSan, which is what caught most of them.
package.path = arg[0]:match("(.*/)") .. "?.lua;" .. package.path
local t = require "tap"
local T = require "tensor"

-- fuzz_tensor, crash-shape-entry-1e300: a shape table's whole float
-- beyond int64 was converted with a plain cast (undefined behaviour)
t.raises(function() T.zeros({1e300}) end, "shape entry 1 is too large, got 1e%+300",
         "zeros({1e300}): too large, named")
t.raises(function() T.ones({2, 2 ^ 63}) end, "shape entry 2 is too large",
         "ones({2, 2^63}): 2^63 is past int64")
t.raises(function() T.zeros({2, 1.5}) end, "shape entry 2 must be an integer, got 1%.5",
         "a fractional entry is still 'must be an integer'")
t.raises(function() T.zeros(setmetatable({}, {__len = function() return 2 ^ 32 + 1 end})) end,
         "at most 8 dimensions, got 4294967297",
         "a length past int is not cut to 1 dimension")
t.is(#T.zeros({2.0, 3}):shape(), 2, "whole floats still work as sizes")

t.done()
