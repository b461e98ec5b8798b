-- fuzz_found.lua - inputs the fuzz targets of tests/fuzz/ once crashed
-- the runtime on (each also in its target's corpus as crash-WHAT), and
-- the ones found by hand while writing the targets: each is now an
-- error that says what was wrong. Under `make asan` these run with UBSan.
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

-- fuzz_tensor, crash-tile-overflow: tile multiplied an axis by its
-- repetitions in int64 without a check (1048576 x 2^63-1: signed
-- overflow, then a "negative size"); repeat summed its counts the same
-- way and cast float counts past 2^63
local big = T.zeros(1048576)
t.raises(function() big:tile(math.maxinteger) end,
         "tile: axis 1 would have 1048576 x 9223372036854775807 entries: too large",
         "tile by 2^63-1: too large, named")
t.raises(function() T.zeros(3, 2):tile({2 ^ 40, 2 ^ 40}) end, "too large",
         "tile whose product overflows: too large")
t.raises(function() T.zeros(3)["repeat"](T.zeros(3), math.maxinteger) end,
         "repeat: the counts add up to more than 9223372036854775807: too large",
         "repeat 3 x (2^63-1): too large, named")
t.raises(function() T.zeros(3)["repeat"](T.zeros(3), {1e30, 1, 1}) end,
         "repeat: count 1 %(1e%+30%) is too large", "a float count past int64: too large")
-- fuzz_tensor, crash-option-nan-integer: the options checker tested
-- "an integral float" with a plain cast to an integer, undefined for NaN
-- and 1e300 (bind/lutil.c; here through logspace's options)
t.raises(function() T.logspace(0, 1, {num = 0 / 0}) end,
         "logspace: option 'num' must be an integer, got number", "num = NaN: not an integer")
t.raises(function() T.logspace(0, 1, {num = 1e300}) end,
         "option 'num' must be an integer", "num = 1e300: not an integer")
t.is(T.logspace(0, 1, {num = 3.0}):size(1), 3, "an integral float is still an integer option")
t.is(T.zeros(2, 3):tile({2, 1}):size(1), 4, "tile still tiles")
t.is(T.arange(3)["repeat"](T.arange(3), 2):size(1), 6, "repeat still repeats")

-- found by hand for fuzz_json: a file of a million '[' recursed until
-- Lua's stack overflowed, and the error's position was then looked for
-- level by level (quadratic: still running after ten minutes); now a depth limit, and the script
-- frame search (script_error.lua, bind/lutil.c) is bounded
local frame = require "frame"
local decode = require "frame_json"
local dir = os.tmpname()
os.remove(dir)
require("sys").mkdir_p(dir)
local deep = dir .. "/deep.json"
t.write(deep, string.rep("[", 1000000))
t.raises(function() frame.read_json(deep) end,
         "fuzz_found%.lua:%d+: read_json: .*deep%.json:1: nested deeper than 1000 levels",
         "a million '[': depth error at the script's line, naming the file")
t.ok(decode(string.rep("[", 1000) .. string.rep("]", 1000), "x.json"), "1000 levels still read")
t.raises(function() decode(string.rep("[", 1001) .. string.rep("]", 1001), "x.json") end,
         "x%.json:1: nested deeper than 1000 levels", "1001 levels are refused")
t.raises(function() decode(string.rep('{"a": ', 5000), "x.json") end,
         "nested deeper than 1000 levels", "objects count too")
-- surrogate pairs are one character (as Python's json reads them)
t.is(decode('"\\ud83d\\ude00"', "x.json"), "\u{1F600}", "a surrogate pair is U+1F600")
t.is(decode('"a\\udc00b"', "x.json"), "a\u{FFFD}b", "a lone surrogate is U+FFFD")
-- a directory opens in Lua but does not read
t.raises(function() frame.read_json(dir) end, "read_json: cannot read ", "read_json of a folder")
local nn = require "nn"
local m = nn.Sequential{nn.Dense{units = 2, input_shape = {2}}}
t.raises(function() m:load_weights(dir) end, "load_weights: cannot read ", "load_weights of a folder")
os.remove(deep)
os.remove(dir)

t.done()
