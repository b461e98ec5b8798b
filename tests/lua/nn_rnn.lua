-- nn_rnn.lua - the recurrent layers against PyTorch: forward outputs and
-- the weights after one train_on_batch SGD step (tests/fixtures/
-- make_rnn.py converts torch's nn.RNN/LSTM/GRU to Keras's layouts),
-- Keras's parameter counts and summary rows, the chapter 8 activations
-- and optimizers against torch, go_backwards and dropout, weight files,
-- and the errors for bad sequences.
local t = require "tap"
local T = require "tensor"
local nn = require "nn"

local here = arg[0]:match("^(.*)/[^/]*$") or "."
local fx = here .. "/../fixtures/rnn/"
local function load(name) return T.load(fx .. name .. ".npy") end

-- ---- parameter counts (Keras 2.6) --------------------------------------
local function params(layer, shape)
  local m = nn.Sequential{layer}
  m:build(shape)
  return (m:count_params())
end
t.is(params(nn.SimpleRNN(20), {30, 1}), 440, "SimpleRNN(20) on 1 feature: 440 parameters")
t.is(params(nn.LSTM(10), {30, 1}), 480, "LSTM(10) on 1 feature: 480 parameters")
t.is(params(nn.GRU(10), {30, 1}), 390, "GRU(10) on 1 feature: 390 parameters")
t.is(params(nn.GRU(10, {reset_after = false}), {30, 1}), 360,
     "GRU(10, reset_after=false): 360 parameters")
t.is(params(nn.Bidirectional(nn.LSTM(8)), {30, 2}), 704, "Bidirectional(LSTM(8)): 704")

do
  local l = nn.LSTM(3)
  nn.Sequential{l}:build({4, 2})
  local b = l.bias.value
  t.allclose(b:slice(1, 4, 6), T.ones(3), 0, "LSTM unit_forget_bias: forget-gate bias 1")
  t.allclose(b:slice(1, 1, 3), T.zeros(3), 0, "LSTM: the other biases 0")
  local r = l.recurrent_kernel.value
  -- orthogonal (3, 12): orthonormal rows
  t.allclose(r:matmul(r:transpose()), T.eye(3), 1e-5, "recurrent_kernel is orthogonal")
  t.ok(l.kernel.name:match("^lstm[_%d]*/lstm_cell[_%d]*/kernel:0$") ~= nil,
       "Keras weight name " .. l.kernel.name)
end

-- ---- the torch oracle ------------------------------------------------------
local function build(spec)
  local layers = {}
  for i, s in ipairs(spec) do
    local ctor = ({simple = nn.SimpleRNN, lstm = nn.LSTM, gru = nn.GRU})[s[1]]
    local l = ctor(s[2], {return_sequences = s[3]})
    if s[4] then l = nn.Bidirectional(l) end
    layers[i] = l
  end
  return nn.Sequential(layers)
end

local CASES = {
  simple_seq = {{"simple", 4, true}}, simple_last = {{"simple", 4, false}},
  lstm_seq = {{"lstm", 4, true}}, lstm_last = {{"lstm", 4, false}},
  gru_seq = {{"gru", 4, true}}, gru_last = {{"gru", 4, false}},
  stacked = {{"lstm", 5, true}, {"gru", 3, true}, {"simple", 2, false}},
  bidi_seq = {{"lstm", 3, true, true}}, bidi_last = {{"gru", 3, false, true}},
}
local names = {}
for k in pairs(CASES) do names[#names + 1] = k end
table.sort(names)
for _, name in ipairs(names) do
  local x, target = load(name .. "_x"), load(name .. "_t")
  local m = build(CASES[name])
  m:build({x:size(2), x:size(3)})
  local ws = {}
  for i = 1, #m:get_weights() do ws[i] = load(("%s_w%d"):format(name, i)) end
  m:set_weights(ws)
  t.allclose(m:predict(x), load(name .. "_y"), 1e-5, name .. ": forward = torch")
  m:compile{optimizer = nn.optimizers.SGD{learning_rate = 0.1}, loss = "mse"}
  m:train_on_batch(x, target)
  local after, worst = m:get_weights(), 0
  for i, w in ipairs(after) do
    worst = math.max(worst, (w - load(("%s_w%d_after"):format(name, i))):abs():max())
  end
  t.ok(worst <= 1e-5, name .. ": weights after one SGD step = torch")
  if worst > 1e-5 then t.diag("worst difference " .. worst) end
end

-- ---- backward of the layers against central differences -----------------
local gradcheck = require "helpers.gradcheck"
local function numeric_check(label, layer, shape, n) gradcheck(t, label, layer, shape, n) end
numeric_check("GRU reset_after=false go_backwards",
              nn.GRU(3, {reset_after = false, go_backwards = true, return_sequences = true}), {4, 2}, 2)
numeric_check("Bidirectional(LSTM) merge sum",
              nn.Bidirectional(nn.LSTM(3, {return_sequences = true}), "sum"), {4, 2}, 2)
numeric_check("Bidirectional(SimpleRNN) merge mul",
              nn.Bidirectional(nn.SimpleRNN(3), {merge_mode = "mul"}), {4, 2}, 2)
numeric_check("TimeDistributed(Dense)", nn.TimeDistributed(nn.Dense(3, "tanh")), {4, 2}, 2)
numeric_check("Conv1D same stride 2",
              nn.Conv1D(3, 3, {strides = 2, padding = "same", activation = "tanh"}), {7, 2}, 2)
numeric_check("MaxPooling1D", nn.MaxPooling1D(2), {6, 3}, 2)
numeric_check("GlobalAveragePooling1D", nn.GlobalAveragePooling1D(), {5, 3}, 2)

numeric_check("Conv1D gelu valid", nn.Conv1D(2, 2, {activation = "gelu"}), {5, 2}, 2)

-- ---- Embedding: rows of the table; gradients summed per id --------------
do
  T.seed(6)
  local e = nn.Embedding(6, 3)
  local m = nn.Sequential{e}
  m:build({4})
  local ids = T{{0, 5, 2, 5}, {1, 1, 0, 3}}
  local y = m:predict(ids)
  t.is(table.concat(y:shape(), "x"), "2x4x3", "Embedding: (N, T) -> (N, T, output_dim)")
  t.allclose(y[1][2], e.embeddings.value[6], 0, "Embedding: id 5 is row 6 of the table")
  t.ok(e.embeddings.value:abs():max() <= 0.05, "Embedding: Keras's uniform(-0.05, 0.05) init")
  m:forward(ids, true)
  local dy = T.randn(2, 4, 3)
  m:backward(dy)
  local g = e.embeddings.grad
  t.allclose(g[6], dy[1][2] + dy[1][4], 1e-6, "Embedding: id 5's gradient sums its two uses")
  t.allclose(g[5], T.zeros(3), 0, "Embedding: an unused id gets no gradient")
  t.raises(function() m:predict(T{{0, 6, 1, 1}}) end,
           "Embedding 'embedding[_%d]*': id 6 is not an integer in 0..5 %(sample 1, position 2%)",
           "Embedding: id out of range")
  local m2 = nn.Sequential{nn.Embedding(10, 4, {input_length = 5}), nn.GlobalAveragePooling1D(),
                           nn.Dense(1)}
  t.is(m2:count_params(), 45, "Embedding(10, 4) + pooling + Dense(1): 45 parameters")
end

-- ---- return_state (functional API) ----------------------------------------
do
  local inp = nn.Input{shape = {4, 2}}
  local out, h, c = nn.LSTM(3, {return_state = true, return_sequences = true})(inp)
  t.ok(nn.is_node(out) and nn.is_node(h) and nn.is_node(c), "LSTM return_state: output, h, c")
  local y = nn.Dense(1)(nn.concatenate({h, c, nn.GlobalAveragePooling1D()(out)}))
  local model = nn.Model{inputs = inp, outputs = y}
  t.is(#model.layers, 5, "state outputs add no layers")
  local text = {}
  model:summary(function(l) text[#text + 1] = l end)
  text = table.concat(text, "\n")
  -- (cut to the column's width, as Keras cuts it)
  t.ok(text:find("lstm[_%d]* %(LSTM%) +%[%(None, 4, 3%), %(None ") ~= nil,
       "summary: the LSTM's outputs listed")
  t.ok(text:find("lstm[_%d]*%[0%]%[2%]") ~= nil, "summary: c connects as output 2")
  numeric_check("LSTM return_state into Dense", model, {4, 2}, 2)
  local x = T.randn(2, 4, 2)
  local _, h2 = nn.GRU(3, {return_state = true})(nn.Input{shape = {4, 2}})
  t.ok(nn.is_node(h2), "GRU return_state: output, h")
  t.raises(function() nn.Sequential{nn.GRU(3, {return_state = true, input_shape = {4, 2}})} end,
           "use the functional API", "return_state in a Sequential")
end

-- ---- go_backwards: the reversed input, outputs in processing order -----
do
  T.seed(3)
  local a = nn.SimpleRNN(3, {return_sequences = true})
  local b = nn.SimpleRNN(3, {return_sequences = true, go_backwards = true})
  local ma, mb = nn.Sequential{a}, nn.Sequential{b}
  ma:build({5, 2}); mb:build({5, 2})
  mb:set_weights(ma:get_weights())
  local x = T.randn(2, 5, 2)
  t.allclose(mb:predict(x), ma:predict(x:flip(2):contiguous()), 1e-6,
             "go_backwards = the forward layer on the reversed sequence")
end

-- ---- dropout: only while training, the same mask at every step ----------
do
  T.seed(4)
  local l = nn.LSTM(4, {dropout = 0.5, recurrent_dropout = 0.5})
  local m = nn.Sequential{l}
  m:build({6, 3})
  local x = T.randn(8, 6, 3)
  local a, b = m:predict(x), m:predict(x)
  t.allclose(a, b, 0, "dropout: inference is deterministic")
  local y = m:forward(x, true)
  t.ok((y - a):abs():max() > 1e-4, "dropout: training output differs")
  m:compile{optimizer = "adam", loss = "mse"}
  local loss = m:train_on_batch(x, T.zeros(8, 4))
  t.ok(loss == loss, "dropout: trains")
end

-- ---- weight files ------------------------------------------------------------
do
  T.seed(5)
  local m = build(CASES.stacked)
  m:build({5, 2})
  local tmp = os.tmpname()
  local path = tmp .. ".h5"
  m:save_weights(path)
  local m2 = build(CASES.stacked)
  m2:build({5, 2})
  m2:load_weights(path)
  local x = T.randn(3, 5, 2)
  t.allclose(m2:predict(x), m:predict(x), 0, "stacked recurrent model: .h5 weights round trip")
  os.remove(path); os.remove(tmp)
end

-- ---- a Keras 2.6 weights file (make_rnn.py writes it as Keras does) ------
do
  local function model()
    return nn.Sequential{nn.Bidirectional(nn.LSTM(3, {return_sequences = true}),
                                          {input_shape = {5, 2}}),
                         nn.GRU(2, {name = "gru"})}
  end
  local x, want = load("keras_h5_x"), load("keras_h5_y")
  local m = model()
  m:load_weights(fx .. "keras_rnn.h5")
  t.allclose(m:predict(x), want, 1e-5, "Keras .h5 (Bidirectional LSTM, GRU) loads: output = torch")
  local m2 = model()
  m2.layers[1].name = "bidirectional"
  m2:load_weights(fx .. "keras_rnn.h5", {by_name = true})
  t.allclose(m2:predict(x), want, 1e-5, "load_weights by_name")
  local m3 = nn.Sequential{nn.Dense(2, {input_shape = {4}, name = "other"})}
  t.raises(function() m3:load_weights(fx .. "keras_rnn.h5", {by_name = true}) end,
           "no layer name in the file matches", "by_name without a match")
  local m4 = nn.Sequential{nn.LSTM(3, {input_shape = {5, 2}, return_sequences = true}), nn.GRU(2)}
  t.raises(function() m4:load_weights(fx .. "keras_rnn.h5") end, "holds 6 weights",
           "a file for other layers: a clear error")
end

-- ---- bad sequences ---------------------------------------------------------------
t.raises(function() nn.Sequential{nn.LSTM(4, {input_shape = {6, 2}}), nn.LSTM(2)} end,
         "give that one return_sequences = true", "stacking without return_sequences: the hint")
t.raises(function() nn.Sequential{nn.LSTM(4, {input_shape = {30}})} end,
         "reshape the input to %(N, 30, 1%)", "2-D input to LSTM names the reshape")
do
  local m = nn.Sequential{nn.SimpleRNN(4, {input_shape = {10, 1}}), nn.Dense(1)}
  m:compile{optimizer = "sgd", loss = "mse"}
  t.raises(function() m:fit(T.zeros(4, 12, 1), T.zeros(4, 1), {verbose = 0}) end,
           "expects input %(N, 10, 1%), got %(4, 12, 1%)", "mismatched time length")
  t.raises(function() m:predict(T.zeros(4, 10)) end,
           "reshape it with x:reshape%(4, 10, 1%)", "2-D data for a recurrent model: the reshape")
end
t.raises(function() nn.Sequential{nn.GRU(4, {input_shape = {0, 1}})} end,
         "positive integer", "a sequence of length 0 in input_shape")
do
  local K = require "nn.core"
  local w, r = T.zeros(1, 4), T.zeros(4, 4)
  t.raises(function() K.rnn_forward("simple_rnn", T.zeros(2, 0, 1), w, r) end,
           "length 0", "rnn_forward: length-0 sequences")
  t.raises(function() K.rnn_forward("simple_rnn", T.zeros(2, 5), w, r) end,
           "x:reshape%(2, 5, 1%)", "rnn_forward: 2-D input names the reshape")
  t.raises(function() K.rnn_forward("lstm", T.zeros(2, 5, 1), w, r) end,
           "recurrent kernel must be", "rnn_forward: wrong recurrent kernel")
  t.raises(function() K.rnn_forward("simple_rnn", T.zeros(2, 5, 1), w, r, nil,
                                    {activation = "softmax"}) end,
           "not supported in a recurrent cell", "rnn_forward: softmax cell")
  t.raises(function() K.rnn_forward("simple_rnn", T.zeros(2, 5, 1), w, r, nil,
                                    {activaton = "tanh"}) end,
           "did you mean 'activation'", "rnn_forward: misspelt option")
end
t.raises(function() nn.LSTM(4, {dropout = 1.5}) end, "dropout must be a number in %[0, 1%)",
         "dropout out of range")
t.raises(function() nn.GRU(4, {reset_afer = true}) end, "did you mean 'reset_after'",
         "misspelt GRU option")
t.raises(function() nn.Bidirectional(nn.Dense(3)) end, "expects a recurrent layer",
         "Bidirectional of a Dense")
t.raises(function() nn.Bidirectional(nn.LSTM(3), "max") end, "merge_mode must be",
         "Bidirectional: bad merge_mode")

t.done()
