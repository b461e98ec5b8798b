/* fuzz_wbw.c - the workbook weights reader (runtime/lua/nn_weights.lua,
 * W.load behind model:load_weights) on the input as a .wbw file, loaded
 * into each of three small models (dense; conv + batch norm; embedding +
 * LSTM); after a load that succeeds the model predicts once. */
#include "fuzz_lua.h"

static const char driver[] =
"local nn = require 'nn'\n"
"local T = require 'tensor'\n"
"local models = {\n"
"  {nn.Sequential{nn.Dense{units = 3, activation = 'relu', input_shape = {2}},\n"
"                 nn.Dense(2, 'softmax')}, T.ones(1, 2)},\n"
"  {nn.Sequential{nn.Conv2D{filters = 2, kernel_size = 3, input_shape = {4, 4, 1}},\n"
"                 nn.BatchNormalization(), nn.Flatten(), nn.Dense(2)}, T.ones(1, 4, 4, 1)},\n"
"  {nn.Sequential{nn.Embedding{input_dim = 5, output_dim = 2, input_shape = {3}},\n"
"                 nn.LSTM(2), nn.Dense(1)}, T.ones(1, 3)},\n"
"}\n"
"return function(s)\n"
"  local f = assert(io.open(path, 'wb'))\n"
"  f:write(s)\n"
"  f:close()\n"
"  for _, m in ipairs(models) do\n"
"    if pcall(m[1].load_weights, m[1], path) then pcall(m[1].predict, m[1], m[2]) end\n"
"  end\n"
"end\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_lua_setup_file("=fuzz_wbw", ".wbw", driver);
  fuzz_lua_run(data, size);
  return 0;
}
