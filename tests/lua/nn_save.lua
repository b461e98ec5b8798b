-- nn_save.lua - whole models: model:save(path) writes Keras 2.6's
-- model.save HDF5 layout, nn.models.load_model(path) rebuilds the model,
-- its weights, its compile settings and its optimizer state. Round trips
-- for every layer class that can be saved (predictions identical, one
-- more epoch after loading identical to one more epoch of the original),
-- a file written by h5py in Keras's layout
-- (tests/fixtures/make_keras_full_h5.py) against NumPy's predictions,
-- and the errors for bad files.
local T, nn, h5 = require "tensor", require "nn", require "h5"
local t = require "tap"

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local FX = dofile(here .. "../fixtures/keras_full.lua")
local KERAS_FILE = here .. "../fixtures/h5/keras_full_cnn.h5"

local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p " .. t.q(dir)))
local function tmp(name) return dir .. "/" .. name end

local function same_weights(a, b)
  local wa, wb = a:get_weights(), b:get_weights()
  if #wa ~= #wb then return false, "counts differ" end
  local worst = 0
  for i = 1, #wa do worst = math.max(worst, (wa[i] - wb[i]):abs():max()) end
  return worst == 0, worst
end

-- save, load, compare; then one more epoch on both and compare again
local function round_trip(label, make, x, y)
  T.seed(11)
  local m = make()
  m:fit(x, y, {epochs = 2, batch_size = 8, shuffle = false, verbose = 0})
  local path = tmp(label .. ".h5")
  m:save(path)
  t.ok(h5.is_hdf5(path), label .. ": the file is HDF5")
  local back = nn.models.load_model(path)
  t.is(#back.layers, #m.layers, label .. ": same number of layers")
  for i, l in ipairs(m.layers) do
    t.is(back.layers[i].class .. " " .. back.layers[i].name, l.class .. " " .. l.name,
         label .. ": layer " .. i .. " class and name")
  end
  t.is(t.maxdiff(back:predict(x):totable(), m:predict(x):totable()), 0,
       label .. ": predictions identical after load")
  t.is(back.loss, m.loss, label .. ": loss restored")
  t.is(back.optimizer.kind, m.optimizer.kind, label .. ": optimizer kind restored")
  t.is(back.optimizer.iterations, m.optimizer.iterations, label .. ": iteration count restored")
  for k, v in pairs(m.optimizer.config) do
    t.is(back.optimizer.config[k], v, label .. ": optimizer option " .. k)
  end
  T.seed(5)
  m:fit(x, y, {epochs = 1, batch_size = 8, shuffle = false, verbose = 0})
  T.seed(5)
  back:fit(x, y, {epochs = 1, batch_size = 8, shuffle = false, verbose = 0})
  local ok, worst = same_weights(m, back)
  t.ok(ok, label .. ": one more epoch after load gives the same weights (max diff " ..
       tostring(worst) .. ")")
  -- saving the loaded model gives the same architecture text
  local again = tmp(label .. "_again.h5")
  back:save(again)
  local a, b = h5.read_keras_weights(path), h5.read_keras_weights(again)
  t.is(b.model_config, a.model_config, label .. ": model_config survives a second save")
  return m, back
end

-- images: Conv2D, BatchNormalization, both poolings, Flatten, Dropout,
-- Activation, Dense; Adam
T.seed(1)
local xi = T.randn(24, 6, 6, 1)
local yi = T.randint(0, 3, {24})
round_trip("cnn", function()
  local m = nn.Sequential{
    nn.Conv2D(4, 3, {activation = "relu", input_shape = {6, 6, 1}, padding = "same"}),
    nn.BatchNormalization(),
    nn.MaxPooling2D(2),
    nn.AveragePooling2D(3),
    nn.Flatten(),
    nn.Dropout(0.25),
    nn.Dense(6),
    nn.Activation("tanh"),
    nn.Dense(3, "softmax"),
  }
  m:compile{optimizer = nn.optimizers.Adam{learning_rate = 0.01}, loss = "sparse_categorical_crossentropy",
            metrics = {"accuracy"}}
  return m
end, xi, yi)

-- GlobalAveragePooling2D, SGD with momentum and Nesterov
round_trip("gap", function()
  local m = nn.Sequential{
    nn.Conv2D(3, {2, 2}, {strides = 2, input_shape = {6, 6, 1}}),
    nn.GlobalAveragePooling2D(),
    nn.Dense(3, "softmax"),
  }
  m:compile{optimizer = nn.optimizers.SGD{learning_rate = 0.05, momentum = 0.9, nesterov = true},
            loss = "sparse_categorical_crossentropy"}
  return m
end, xi, yi)

-- sequences: Embedding, Conv1D, SimpleRNN, LSTM, GRU; RMSprop with
-- momentum and centered (three slots)
local ids = T.randint(0, 10, {24, 7})
local yb = T.randint(0, 2, {24, 1})
round_trip("rnn", function()
  local m = nn.Sequential{
    nn.Embedding(10, 4, {input_length = 7}),
    nn.Conv1D(3, 2, {activation = "relu"}),
    nn.SimpleRNN(4, {return_sequences = true}),
    nn.LSTM(3, {return_sequences = true}),
    nn.GRU(3),
    nn.Dense(1, "sigmoid"),
  }
  m:compile{optimizer = nn.optimizers.RMSprop{momentum = 0.5, centered = true},
            loss = "binary_crossentropy", metrics = {"accuracy"}}
  return m
end, ids, yb)

-- Dense on features with every other optimizer
local xf, yf = T.randn(24, 5), T.randn(24, 2)
for _, kind in ipairs{"Adagrad", "Adadelta", "Adamax", "Nadam"} do
  round_trip("dense_" .. kind, function()
    local m = nn.Sequential{nn.Dense(4, "relu", {input_shape = {5}}), nn.Dense(2)}
    m:compile{optimizer = nn.optimizers[kind]{learning_rate = 0.02}, loss = "mse"}
    return m
  end, xf, yf)
end

-- a functional model with a branch: Concatenate and Add
round_trip("functional", function()
  local inp = nn.Input{shape = {6}, name = "features"}
  local a = nn.Dense(4, "relu")(inp)
  local b = nn.Dense(4, "tanh")(inp)
  local c = nn.Concatenate()({a, b})
  local d = nn.Add()({nn.Dense(3)(c), nn.Dense(3)(a)})
  local out = nn.Dense(2, "softmax")(d)
  local m = nn.Model{inputs = inp, outputs = out, name = "branchy"}
  m:compile{optimizer = "adam", loss = "categorical_crossentropy", metrics = {"accuracy"}}
  return m
end, T.randn(24, 6), nn.utils.to_categorical(T.randint(0, 2, {24}), 2))
do
  local f = h5.read_keras_weights(tmp("functional.h5"))
  t.has(f.model_config, '{"class_name": "Functional", "config": {"name": "branchy"',
        "functional: model_config class Functional")
  t.has(f.model_config, '"input_layers": [["features", 0, 0]]', "functional: input_layers")
  t.has(f.model_config, '"inbound_nodes": [[["features", 0, 0, {}]]]', "functional: inbound_nodes")
end

-- a model never trained: no optimizer_weights, still loads and compiles
do
  local m = nn.Sequential{nn.Dense(2, {input_shape = {3}})}
  m:compile{optimizer = "sgd", loss = "mse"}
  m:save(tmp("fresh.h5"))
  local f = h5.read_keras_weights(tmp("fresh.h5"))
  t.ok(f.optimizer_weights == nil, "untrained: no optimizer_weights group")
  local back = nn.models.load_model(tmp("fresh.h5"))
  t.is(back.optimizer.iterations, 0, "untrained: loads with 0 iterations")
end

-- the layout Keras reads: weights under model_weights, the same
-- layer_names as save_weights, root attributes
do
  local f = h5.read_keras_weights(tmp("cnn.h5"))
  t.is(f.keras_version, "2.6.0", "keras_version attribute")
  t.is(f.backend, "tensorflow", "backend attribute")
  t.has(f.model_config, '{"class_name": "Sequential", "config": {"name": ',
        "model_config starts as Keras's")
  t.has(f.model_config, '"class_name": "InputLayer"', "model_config has the InputLayer")
  t.has(f.model_config, '"kernel_size": [3, 3], "strides": [1, 1], "padding": "same"',
        "Conv2D config keys as Keras")
  t.has(f.training_config, '"loss": "sparse_categorical_crossentropy"', "training_config: loss")
  t.has(f.training_config, '"optimizer_config": {"class_name": "Adam", "config": ' ..
        '{"name": "Adam", "learning_rate": 0.01, "decay": 0.0, "beta_1": 0.9',
        "training_config: optimizer_config in Keras's key order")
  t.is(f.optimizer_weights[1].name, "Adam/iter:0", "optimizer weights start with iter")
  t.is(f.optimizer_weights[2].name, "Adam/conv2d/kernel/m:0", "then the m slots")
  t.is(#f.optimizer_weights, 1 + 2 * 8, "Adam: 1 + 2 slots x 8 trainable weights")
end

-- a file h5py wrote in Keras 2.6's layout
do
  local m = nn.models.load_model(KERAS_FILE)
  local x = T(FX.x):reshape(FX.x_shape)
  t.ok(t.maxdiff(m:predict(x):totable(), FX.pred) < 1e-5,
       "Keras-layout file: predictions as NumPy's within 1e-5")
  t.is(m.optimizer.kind, "Adam", "Keras-layout file: Adam")
  t.is(m.optimizer.iterations, FX.iterations, "Keras-layout file: int64 iteration count read")
  t.near(m.optimizer.config.learning_rate, 1e-3, 1e-9, "Keras-layout file: learning_rate")
  local conv_kernel = m.layers[1].weights[1]
  local st = m.optimizer.state[conv_kernel]
  t.ok(st and t.maxdiff(st.m:totable(), FX.adam_m_conv_kernel) < 1e-7,
       "Keras-layout file: Adam's m slot restored")
  t.is(#m.metrics, 1, "Keras-layout file: accuracy metric")
  -- training goes on
  local h = m:fit(x, T{0, 1, 2, 1}, {epochs = 1, verbose = 0})
  t.ok(h.history.loss[1] > 0, "Keras-layout file: trains further")
  t.is(m.optimizer.iterations, FX.iterations + 1, "Keras-layout file: iteration count advances")
end

-- bad input
t.raises(function() nn.models.load_model(tmp("nothere.h5")) end,
         "load_model: .*nothere%.h5", "a missing file")
do
  local m = nn.Sequential{nn.Dense(2, {input_shape = {3}})}
  m:save_weights(tmp("weights_only.h5"))
  t.raises(function() nn.models.load_model(tmp("weights_only.h5")) end,
           "load_model: .*weights_only%.h5 holds weights only .*load_weights",
           "a weights-only file: use load_weights")
end

-- a file with an altered model_config, written with our writer
local function with_config(name, text)
  local f = h5.read_keras_weights(KERAS_FILE)
  local path = tmp(name .. ".h5")
  h5.write_keras_model(path, f, {model_config = text, training_config = f.training_config})
  return path
end
local base = h5.read_keras_weights(KERAS_FILE).model_config
t.raises(function()
  nn.models.load_model(with_config("conv3d", (base:gsub('"Conv2D"', '"Conv3D"'))))
end, "load_model: layer class 'Conv3D' is not supported by the workbook", "an unsupported layer class")
t.raises(function()
  nn.models.load_model(with_config("corrupt", base:sub(1, 200)))
end, "load_model: .*corrupt%.h5: its model_config is not valid JSON", "corrupt JSON")
t.raises(function() nn.models.load_model(42) end, "load_model: a file path is required",
         "no path")
t.raises(function()
  local m = nn.Sequential{nn.Dense(2)}
  m:save(tmp("unbuilt.h5"))
end, "save: the model is not built", "saving an unbuilt model")
t.raises(function()
  local m = nn.Sequential{nn.Bidirectional(nn.LSTM(2), {input_shape = {3, 2}})}
  m:save(tmp("bidi.h5"))
end, "save: layer 'bidirectional.*' %(Bidirectional%) cannot be saved as a whole model yet; " ..
     "use save_weights", "a layer class save cannot describe")
do
  -- load_weights reads a whole-model file's weights, as Keras's does
  local m = nn.Sequential{nn.Dense(2, {input_shape = {3}})}
  m:save(tmp("whole.h5"))
  local other = nn.Sequential{nn.Dense(2, {input_shape = {3}})}
  other:load_weights(tmp("whole.h5"))
  t.ok(select(1, same_weights(m, other)), "load_weights reads a model:save file")
end

os.execute("rm -rf " .. t.q(dir))
t.done()
