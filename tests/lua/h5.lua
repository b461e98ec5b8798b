-- h5.lua - Keras 2 HDF5 weight files: h5.read_keras_weights on the
-- files tests/fixtures/make_h5_fixtures.py wrote with h5py as Keras
-- does (fixed- and variable-length names, nested dataset paths, the
-- model.save layout, chunked lists, float64, a nested model), then
-- keras_h5.load_into matching them to fake layers as Keras's
-- load_weights does; every error names this file's line.
local T, h5, keras_h5 = require "tensor", require "h5", require "keras_h5"
local t = require "tap"

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local fixtures = here .. "../fixtures/h5/"
local function fx(name) return fixtures .. name .. ".h5" end
local function dims(x) return table.concat(x:shape(), "x") end

-- the generator's values: ((i * 7 + k) % 23) / 8 - 1 for flat index i
-- of the k-th weight in the file's layer order
local function expected(shape, k)
  local n = 1
  for _, s in ipairs(shape) do n = n * s end
  local v = {}
  for i = 0, n - 1 do v[i + 1] = ((i * 7 + k) % 23) / 8 - 1 end
  return T(v):reshape(shape)
end

-- every weight of a read file equals the generator's values
local function all_values_right(file)
  local k = 0
  for _, l in ipairs(file) do
    for _, w in ipairs(l.weights) do
      local want = expected(w.value:shape(), k)
      if (w.value - want):abs():max() ~= 0 then return false end
      k = k + 1
    end
  end
  return true
end

local function names_of(list)
  local s = {}
  for i, x in ipairs(list) do s[i] = x.name end
  return table.concat(s, ",")
end

-- ---- reading ---------------------------------------------------------

t.ok(h5.is_hdf5(fx "cnn_fixed"), "is_hdf5: a weights file")
t.ok(not h5.is_hdf5(here .. "h5.lua") and not h5.is_hdf5(fx "nothere"),
     "is_hdf5: a Lua file and a missing file are not")

local fixed = h5.read_keras_weights(fx "cnn_fixed")
t.is(names_of(fixed), "conv2d,max_pooling2d,flatten,dense,dense_1",
     "fixed-length names: layers in layer_names order")
t.is(#fixed[2].weights + #fixed[3].weights, 0,
     "pooling and flatten kept, with empty weight lists")
t.is(names_of(fixed[1].weights), "conv2d/kernel:0,conv2d/bias:0",
     "nested dataset paths named as in weight_names")
t.is(dims(fixed[1].weights[1].value), "3x3x1x4", "conv kernel (3, 3, 1, 4)")
t.is(dims(fixed[4].weights[1].value), "64x5", "dense kernel (64, 5)")
t.ok(all_values_right(fixed), "every value as written")
t.is(fixed.backend .. " " .. fixed.keras_version, "tensorflow 2.6.0",
     "backend and keras_version")

local vlen = h5.read_keras_weights(fx "cnn_vlen")
t.is(names_of(vlen), names_of(fixed), "variable-length names: same layers")
t.ok(all_values_right(vlen), "variable-length names: same values")

local full = h5.read_keras_weights(fx "functional_full_model")
t.is(names_of(full), "input_1,conv2d,batch_normalization," ..
     "global_average_pooling2d,dense", "model.save layout: model_weights read")
t.is(names_of(full[3].weights), "batch_normalization/gamma:0," ..
     "batch_normalization/beta:0,batch_normalization/moving_mean:0," ..
     "batch_normalization/moving_variance:0", "BatchNormalization's 4 weights")
t.ok(all_values_right(full), "model.save layout: every value")

local vgg = h5.read_keras_weights(fx "vgg_style_f64_chunked")
t.is(names_of(vgg), "block1_conv1,block1_pool,block2_conv1",
     "chunked layer_names0, layer_names1 joined")
t.is(names_of(vgg[3].weights), "block2_conv1_W_1:0,block2_conv1_b_1:0",
     "old flat weight names")
t.ok(all_values_right(vgg), "float64 weights read as float32")

t.raises(function() h5.read_keras_weights(fx "cnn_missing_bias") end,
         "cnn_missing_bias%.h5: layer 'dense_1': weight 'dense_1/bias:0' " ..
         "not found",
         "a weight name pointing nowhere")
local tmp = os.tmpname()
local f = assert(io.open(tmp, "w"))
f:write("conv2d, dense\n")
f:close()
t.raises(function() h5.read_keras_weights(tmp) end,
         tmp:gsub("%p", "%%%0") .. ": not an HDF5 file", "a text file")
t.raises(function() h5.read_keras_weights(fx "nothere") end,
         "cannot open .*nothere%.h5: No such file", "a missing file")
t.raises(function() h5.read_keras_weights() end, "bad argument #1",
         "no path")

-- ---- matching into layers --------------------------------------------

local function layer(name, shapes, opts)
  local l = {name = name, weights = {}}
  for i, s in ipairs(shapes) do
    l.weights[i] = {name = name .. "/" .. s[1] .. ":0",
                    value = T.zeros(table.move(s, 2, #s, 1, {})),
                    trainable = s.trainable}
  end
  for k, v in pairs(opts or {}) do l[k] = v end
  return l
end

local function cnn(dense_in, with_bias)
  local dense = {{"kernel", dense_in, 5}}
  if with_bias ~= false then dense[2] = {"bias", 5} end
  return {
    layer("conv2d_7", {{"kernel", 3, 3, 1, 4}, {"bias", 4}}),
    layer("max_pooling2d_3", {}),
    layer("dropout", {}),
    layer("flatten_2", {}),
    layer("dense_8", dense),
    layer("dense_9", {{"kernel", 5, 3}, {"bias", 3}}),
  }
end

local function same(a, b) return (a - b):abs():max() == 0 end

local model = cnn(64)
t.is(keras_h5.load_into(model, fx "cnn_fixed"), 3,
     "3 layers with weights loaded, other names and weight-less layers aside")
t.ok(same(model[1].weights[1].value, fixed[1].weights[1].value) and
     same(model[6].weights[2].value, fixed[5].weights[2].value),
     "values copied in order: conv2d -> conv2d_7, dense_1 -> dense_9")
model = cnn(64)
keras_h5.load_into(model, fx "cnn_vlen")
t.ok(same(model[5].weights[1].value, fixed[4].weights[1].value),
     "variable-length file loads the same")

local untouched = cnn(32)
t.raises(function() keras_h5.load_into(untouched, fx "cnn_fixed") end,
         "load_weights: .*cnn_fixed%.h5: layer 'dense': weight " ..
         "'dense/kernel:0' has shape %(64, 5%) in the file, the model's " ..
         "layer 'dense_8' expects %(32, 5%) for 'dense_8/kernel:0'",
         "shape mismatch names the layer and both shapes")
t.is(untouched[1].weights[1].value:abs():sum(), 0,
     "after a shape mismatch no weight has changed, not even earlier layers")
t.raises(function()
  local m = cnn(64)
  table.remove(m, 1)
  keras_h5.load_into(m, fx "cnn_fixed")
end, "the file holds weights for 3 layers, the model has 2 layers with " ..
  "weights", "layer count mismatch")
t.raises(function() keras_h5.load_into(cnn(64, false), fx "cnn_fixed") end,
         "'dense' in the file, holds 2 weights; the model's layer " ..
         "'dense_8' has 1 weight",
         "weight count mismatch in one layer")

-- functional model from model.save: InputLayer and GAP have no weights
local func = {
  layer("input_1", {}),
  layer("conv2d", {{"kernel", 3, 3, 3, 2}, {"bias", 2}}),
  layer("batch_normalization", {{"gamma", 2}, {"beta", 2},
    {"moving_mean", 2, trainable = false},
    {"moving_variance", 2, trainable = false}}),
  layer("global_average_pooling2d", {}),
  layer("dense", {{"kernel", 2, 4}, {"bias", 4}}),
}
keras_h5.load_into(func, fx "functional_full_model")
t.ok(same(func[3].weights[3].value, full[3].weights[3].value) and
     same(func[3].weights[4].value, full[3].weights[4].value),
     "model.save file: BatchNormalization's moving statistics in place")
local frozen = {func[2], func[3], func[5]}
frozen[2].trainable = false
keras_h5.load_into(frozen, fx "functional_full_model")
t.ok(same(frozen[2].weights[1].value, full[3].weights[1].value),
     "a frozen BatchNormalization loads in the same order")

-- a nested model is one layer; Keras lists its trainable weights first
local nested_file = h5.read_keras_weights(fx "nested_model")
local base = layer("vgg_base", {{"conv_k", 3, 3, 1, 2}, {"conv_b", 2},
  {"gamma", 2}, {"beta", 2}, {"mean", 2, trainable = false},
  {"var", 2, trainable = false}, {"dense_k", 8, 3}, {"dense_b", 3}})
local head = layer("head", {{"kernel", 3, 2}, {"bias", 2}})
keras_h5.load_into({base, head}, fx "nested_model")
local fw = nested_file[1].weights
t.ok(same(base.weights[7].value, fw[5].value) and
     same(base.weights[5].value, fw[7].value) and
     same(base.weights[6].value, fw[8].value),
     "nested model: trainable weights first, moving statistics last")
t.ok(same(head.weights[1].value, nested_file[2].weights[1].value),
     "nested model: the head after it")

-- the real layers of nn.Sequential: the fixture's architecture
local nn = require "nn"
local seq = nn.Sequential {
  nn.Conv2D{filters = 4, kernel_size = 3, padding = "same",
            input_shape = {8, 8, 1}},
  nn.MaxPooling2D{pool_size = 2}, nn.Flatten(), nn.Dense(5), nn.Dense(3),
}
keras_h5.load_into(seq.layers, fx "cnn_fixed")
local all = true
for i, l in ipairs(seq.layers) do
  for j, w in ipairs(l.weights) do
    all = all and same(w.value, fixed[i].weights[j].value)
  end
end
t.ok(all, "nn.Sequential's layers take every weight of the file")

t.raises(function() keras_h5.load_into(cnn(64), tmp) end,
         "load_weights: " .. tmp:gsub("%p", "%%%0") .. ": not an HDF5 file",
         "load_into: not an HDF5 file")
t.raises(function() keras_h5.load_into(cnn(64), fx "cnn_missing_bias") end,
         "load_weights: .*: layer 'dense_1': weight 'dense_1/bias:0' not found",
         "load_into: a broken file")
t.raises(function() keras_h5.load_into(cnn(64)) end,
         "load_weights: a file path is required", "load_into: no path")
t.raises(function() keras_h5.load_into({{name = "x"}}, fx "cnn_fixed") end,
         "load_weights: layer 1 has no weights list", "load_into: not layers")
os.remove(tmp)

t.done()
