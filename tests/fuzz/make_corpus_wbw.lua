-- make_corpus_wbw.lua - the seed corpus of fuzz_wbw: each of the three
-- models fuzz_wbw.c loads into (the same definitions; change both
-- together) saved by save_weights, plus two damaged copies (a header
-- claiming more weights, a truncated last tensor). Deterministic
-- (seeded). Run from the repository root:
--   ./workbook run tests/fuzz/make_corpus_wbw.lua
local nn = require "nn"
local T = require "tensor"
T.seed(18)
local models = {
  dense = nn.Sequential{nn.Dense{units = 3, activation = "relu", input_shape = {2}},
                        nn.Dense(2, "softmax")},
  conv = nn.Sequential{nn.Conv2D{filters = 2, kernel_size = 3, input_shape = {4, 4, 1}},
                       nn.BatchNormalization(), nn.Flatten(), nn.Dense(2)},
  lstm = nn.Sequential{nn.Embedding{input_dim = 5, output_dim = 2, input_shape = {3}},
                       nn.LSTM(2), nn.Dense(1)},
}
local dir = "tests/fuzz/corpus/wbw/"
require("sys").mkdir_p(dir)
local function slurp(p)
  local f = assert(io.open(p, "rb"))
  local s = f:read("a")
  f:close()
  return s
end
local function put(p, s)
  local f = assert(io.open(p, "wb"))
  f:write(s)
  f:close()
end
for _, name in ipairs{"dense", "conv", "lstm"} do
  models[name]:save_weights(dir .. name .. ".wbw")
end
local dense = slurp(dir .. "dense.wbw")
-- the count field (after the magic and the version) raised by one
put(dir .. "dense_count.wbw", dense:sub(1, 12) .. string.pack("<I4", 5) .. dense:sub(17))
put(dir .. "dense_truncated.wbw", dense:sub(1, #dense - 3))
print("wrote " .. dir)
