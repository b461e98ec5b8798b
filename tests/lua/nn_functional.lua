-- nn_functional.lua - the functional API (nn.Input, layers called on
-- nodes, Concatenate, Add, nn.Model) and freezing: gradients through
-- branches and merges against central differences, the summary with
-- "Connected to", fit/evaluate/predict, save/load, frozen weights left
-- bit-identical, and the errors a student's mistake gets.
local t = require "tap"
local T = require "tensor"
local nn = require "nn"
local K = require "nn.core"

local here = arg[0]:match("^(.*)/[^/]*$") or "."
local fixtures = here .. "/../fixtures/nn/"
local tmp = os.tmpname()

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function capture(m)
  local lines = {}
  m:summary(function(s) lines[#lines + 1] = s end)
  return table.concat(lines, "\n") .. "\n"
end

local function bytes(list)
  local parts = {}
  for i, w in ipairs(list) do parts[i] = w:tobytes() end
  return table.concat(parts)
end

-- summary: two branches from the input, an Add and a Concatenate (the
-- golden file's layout is justified in tests/fixtures/nn/README.md)
nn.reset_names()
do
  local inp = nn.Input{shape = {8, 8, 1}}
  local a = nn.Conv2D{filters = 4, kernel_size = 3, padding = "same"}(inp)
  local b = nn.Conv2D{filters = 4, kernel_size = 1}(inp)
  local s = nn.Add()({a, b})
  local c = nn.Concatenate()({s, a})
  local out = nn.Dense(10, "softmax")(nn.Flatten()(c))
  local m = nn.Model{inputs = inp, outputs = out}
  t.is(capture(m), read(fixtures .. "summary_functional.txt"),
       "functional summary is Keras 2.6's text (Connected to, extra lines per input)")
  local names = {}
  for i, l in ipairs(m.layers) do names[i] = l.name end
  t.is(table.concat(names, " "), "input_1 conv2d conv2d_1 add concatenate flatten dense",
       "model.layers in Keras's order (by depth, then first visit from the output)")
  t.is(table.concat(c.shape, ","), "8,8,8", "Concatenate adds the channels")
end

-- a chain built with the functional API prints the Sequential layout
do
  local inp = nn.Input{shape = {4}}
  local m = nn.Model{inputs = inp, outputs = nn.Dense(2)(inp), name = "chain"}
  local s = capture(m)
  t.ok(s:find("input_2 %(InputLayer%)         %[%(None, 4%)%]               0") ~= nil,
       "a chain uses the 65-column table with the InputLayer row")
end

-- the graph's backward pass against central differences: the input feeds
-- three layers, an Add and a Concatenate merge the branches, and a
-- branch (a) feeds both merges, so gradients must sum
local function branchy()
  local inp = nn.Input{shape = {5, 5, 2}}
  local a = nn.Conv2D{filters = 3, kernel_size = 3, padding = "same", activation = "tanh"}(inp)
  local b = nn.Conv2D{filters = 3, kernel_size = 1, activation = "sigmoid"}(inp)
  local s = nn.Add()({a, b, nn.Conv2D{filters = 3, kernel_size = 1}(inp)})
  local p = nn.AveragePooling2D{pool_size = 2, strides = 1}(a)
  local q = nn.AveragePooling2D{pool_size = 2, strides = 1}(s)
  local c = nn.Concatenate{axis = -1}({p, q})
  local d = nn.Dense(4, "tanh")(nn.Flatten()(c))
  local e = nn.Dense(4, "sigmoid")(nn.GlobalAveragePooling2D()(a))
  local out = nn.Dense(3, "softmax")(nn.Concatenate()({d, e}))
  return nn.Model{inputs = inp, outputs = out}
end

do
  T.seed(31)
  local g = branchy()
  g:compile{optimizer = "sgd", loss = "sparse_categorical_crossentropy"}
  local xg, yg = T.randn(3, 5, 5, 2), T{0, 2, 1}
  local function loss_of()
    return (K.sparse_softmax_crossentropy(g:forward(xg, false, "logits_softmax"), yg, false))
  end
  local _, grad = K.sparse_softmax_crossentropy(g:forward(xg, false, "logits_softmax"), yg, true)
  g:backward(grad)
  local worst, checked = 0, 0
  for _, w in ipairs(g:weights(true)) do
    local flat, gflat = w.value:reshape(-1), w.grad:reshape(-1)
    for k = 1, math.min(flat:numel(), 5) do
      local i = (k * 7) % flat:numel() + 1
      local v = flat[i]
      local eps = 1e-2
      flat[i] = v + eps; local lp = loss_of()
      flat[i] = v - eps; local lm = loss_of()
      flat[i] = v
      local num = (lp - lm) / (2 * eps)
      worst = math.max(worst, math.abs(num - gflat[i]) / math.max(1e-2, math.abs(num) + math.abs(gflat[i])))
      checked = checked + 1
    end
  end
  t.is(#g:weights(true), 12, "all 6 weighted layers' kernels and biases are trained")
  t.ok(worst < 5e-3, ("graph gradients match central differences over %d weights (worst relative error %.2g)")
       :format(checked, worst))
end

-- compile/fit/evaluate/predict as for Sequential, and a save/load round trip
do
  T.seed(7)
  local m = branchy()
  m:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
  local x = T.randn(48, 5, 5, 2)
  local y = T.zeros(48)
  for i = 1, 48 do y[i] = i % 3; x[i] = x[i] + (i % 3) end
  local h = m:fit(x, y, {epochs = 15, batch_size = 8, verbose = 0})
  t.ok(h.history.loss[15] < h.history.loss[1], "a functional model learns")
  local loss, acc = m:evaluate(x, y, {verbose = 0})
  t.ok(acc > 0.8, ("evaluate: accuracy %.2f on an easy problem"):format(acc))
  local p = m:predict(x)
  t.is(table.concat(p:shape(), ","), "48,3", "predict gives (N, 3) probabilities")
  t.near(p[1]:sum(), 1, 1e-5, "predict applies the softmax")
  m:save_weights(tmp .. ".wbw")
  T.seed(8)
  local m2 = branchy()
  t.ok(bytes(m2:get_weights()) ~= bytes(m:get_weights()), "a fresh model differs")
  m2:load_weights(tmp .. ".wbw")
  t.is(bytes(m2:get_weights()), bytes(m:get_weights()), "load_weights restores every weight")
  t.allclose(m2:predict(x), p, 0, "and the same predictions")
  m2:set_weights(m:get_weights())
  t.is(#m2:get_weights(), 12, "get_weights/set_weights: 12 tensors")
  os.remove(tmp .. ".wbw")
end

-- freezing: a frozen layer's weights stay bit-identical through fit
do
  T.seed(9)
  local inp = nn.Input{shape = {4}}
  local frozen = nn.Dense(8, "relu")
  local out = nn.Dense(2, "softmax")(frozen(inp))
  local m = nn.Model{inputs = inp, outputs = out}
  frozen.trainable = false
  m:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy"}
  local before = bytes({frozen.kernel.value, frozen.bias.value})
  local head = out.layer.kernel.value:clone()
  local x, y = T.randn(32, 4), T.zeros(32)
  for i = 1, 32, 2 do y[i] = 1 end
  m:fit(x, y, {epochs = 3, batch_size = 8, verbose = 0})
  t.is(bytes({frozen.kernel.value, frozen.bias.value}), before, "layer.trainable = false: bit-identical after fit")
  t.ok((out.layer.kernel.value - head):abs():max() > 0, "the unfrozen head did train")
  local tr, non = m:count_params()
  t.is(tr .. "/" .. non, "18/40", "count_params: trainable / non-trainable")
end

-- a frozen nested model (with BatchNormalization) inside another model
local function base_model()
  local inp = nn.Input{shape = {6, 6, 1}}
  local x = nn.Conv2D{filters = 2, kernel_size = 3}(inp)
  x = nn.BatchNormalization()(x)
  x = nn.Activation("relu")(x)
  return nn.Model{inputs = inp, outputs = x, name = "base"}
end

do
  T.seed(10)
  local base = base_model()
  base.trainable = false
  local inp = nn.Input{shape = {6, 6, 1}}
  local feat = nn.GlobalAveragePooling2D()(base(inp))
  local out = nn.Dense(2, "softmax")(feat)
  local m = nn.Model{inputs = inp, outputs = out, name = "transfer"}
  m:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy"}
  local before = bytes(base:get_weights())
  local x, y = T.randn(16, 6, 6, 1) * 3 + 1, T.zeros(16)
  for i = 1, 16, 2 do y[i] = 1 end
  m:fit(x, y, {epochs = 2, batch_size = 4, verbose = 0})
  t.is(bytes(base:get_weights()), before,
       "model.trainable = false: kernel, bias and BN moving statistics bit-identical")
  local tr, non = m:count_params()
  t.is(tr .. "/" .. non, "6/28", "frozen base counts as non-trainable")
  local s = capture(m)
  t.ok(s:find("\nbase %(Functional%)            %(None, 4, 4, 2%)           28        \n") ~= nil,
       "summary: the nested model is one Functional row (a chain: 65 columns)")
  t.ok(s:find("Trainable params: 6\nNon%-trainable params: 28\n") ~= nil, "summary counts")
  -- unfrozen, the base trains and its BN updates the moving statistics
  base.trainable = true
  m:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy"}
  local mean = base.layers[3].moving_mean.value:clone()
  m:fit(x, y, {epochs = 1, batch_size = 4, verbose = 0})
  t.ok((base.layers[3].moving_mean.value - mean):abs():max() > 0, "unfrozen: BN updates its moving mean")
  t.is(select(2, m:count_params()), 4, "unfrozen: only the moving statistics are non-trainable")
end

-- beside a skip branch the summary has "Connected to": a nested model's
-- first call is its node 1 (node 0 links its own input and output)
do
  local base = base_model()
  local inp = nn.Input{shape = {6, 6, 1}}
  local f = nn.GlobalAveragePooling2D()(base(inp))
  local g = nn.GlobalAveragePooling2D()(inp)
  local m = nn.Model{inputs = inp, outputs = nn.Concatenate()({f, g})}
  local s = capture(m)
  t.ok(s:find("\nbase %(Functional%)%s+%(None, 4, 4, 2%)%s+28%s+input_%d+%[0%]%[0%]") ~= nil,
       "summary: the nested model's row connects to the input")
  t.ok(s:find("\nglobal_average_pooling2d_%d+ %(Glo %(None, 2%)%s+0%s+base%[1%]%[0%]") ~= nil,
       "the layer after a nested model connects to base[1][0], as in Keras")
end

-- a functional model inside a Sequential, as Keras's transfer-learning
-- guides build it
do
  local base = base_model()
  base.trainable = false
  local m = nn.Sequential{base, nn.Flatten(), nn.Dense(2, "softmax")}
  m:build({6, 6, 1})
  t.is(table.concat(m.output_shape, ","), "2", "Sequential{base, Flatten, Dense} builds")
  local tr, non = m:count_params()
  t.is(tr .. "/" .. non, "66/28", "its counts exclude the frozen base")
end

-- errors a student meets, each naming this script's line
do
  local inp = nn.Input{shape = {4, 4, 3}}
  local other = nn.Input{shape = {5, 5, 2}}
  t.raises(function() nn.Dense(3)(T.zeros(2, 4)) end,
           "Dense 'dense_%d+': can only be called on a node .*got a tensor; use nn.Input",
           "calling a layer on a tensor")
  t.raises(function() nn.Dense(3)(42) end, "can only be called on a node", "calling a layer on a number")
  t.raises(function() nn.Concatenate()({inp, other}) end,
           "Concatenate 'concatenate_%d+': inputs must match except along axis %-1, got %(N, 4, 4, 3%), %(N, 5, 5, 2%)",
           "Concatenate of mismatched shapes")
  t.raises(function() nn.Add()({inp, nn.Conv2D{filters = 2, kernel_size = 1}(inp)}) end,
           "Add 'add_%d+': inputs must have the same shape, got %(N, 4, 4, 3%), %(N, 4, 4, 2%)",
           "Add of different shapes")
  t.raises(function() nn.Add()(inp) end, "expects a list of at least 2 nodes, got one node",
           "a merge layer on one node")
  local d = nn.Dense(2)
  local flat = nn.Flatten()(inp)
  local a1, a2 = d(flat), d(flat)      -- a second call shares the weights
  t.raises(function() nn.Model{inputs = inp, outputs = nn.Add()({a1, a2})} end,
           "layer 'dense_%d+' is used twice in this graph", "a layer used twice in one model")
  t.raises(function() nn.Model{inputs = inp, outputs = nn.Add()({flat, nn.Input{shape = {48}}})} end,
           "disconnected: .* needs input 'input_%d+', which is not in inputs", "a disconnected graph")
  t.raises(function() nn.Input{shape = {0, 3}} end, "shape entry 1 must be a positive integer",
           "a bad Input shape")
  local base = base_model()
  t.raises(function() base(nn.Input{shape = {7, 7, 1}}) end,
           "model 'base' expects input %(N, 6, 6, 1%), got %(N, 7, 7, 1%)", "a model called on the wrong shape")
end

-- a built model as the first entry of a Sequential (a pretrained base)
do
  local inp = nn.Input{shape = {6, 6, 1}}
  local base = nn.Model{inputs = inp, outputs = nn.Conv2D{filters = 2, kernel_size = 3}(inp)}
  base.trainable = false
  local seq = nn.Sequential{base, nn.Flatten(), nn.Dense(1, "sigmoid")}
  t.ok(seq.built, "Sequential{base, ...} is built from the base's input")
  local tr, non = seq:count_params()
  t.ok(tr == 33 and non == 20, ("trainable %d, non-trainable %d"):format(tr, non))
end

t.done()
