-- nn_regularize.lua - Keras's regularization against PyTorch (tests/
-- fixtures/make_aelayers.py): one SGD step of a tiny Dense model with
-- kernel, bias and activity regularizers equals torch's step on the loss
-- plus the penalties, and the loss train_on_batch reports includes them;
-- ActivityRegularization's gradient; compile's default optimizer is
-- Keras's RMSprop (lr 1e-3, rho 0.9, eps 1e-7 added to sqrt(v)) against
-- torch.optim.RMSprop; GaussianNoise's statistics; the options' errors;
-- save/load of the new layers and regularizer configs.
local t = require "tap"
local T = require "tensor"
local nn = require "nn"

local F = require "helpers.aelayers_fixtures"
local load, info = F.load, F.info

local x, y, W0, b0 = load("x"), load("y"), load("W0"), load("b0")
local R = nn.regularizers

local function close_rel(a, b, tol, what)
  t.ok(math.abs(a - b) <= tol * math.abs(b), ("%s: %.9g vs torch %.9g"):format(what, a, b))
end

-- Dense(2, tanh) with the given options, torch's start weights, SGD 0.1
local function dense_model(o)
  o.input_shape, o.activation = {3}, "tanh"
  local m = nn.Sequential{nn.Dense(2, o)}
  m:set_weights{W0, b0}
  m:compile{loss = "mse", optimizer = nn.optimizers.SGD{learning_rate = 0.1}}
  return m
end

local cases = {
  {"kernel_l2", {kernel_regularizer = R.l2()}},     -- Keras's default 0.01
  {"kernel_l1", {kernel_regularizer = "l1"}},       -- by name: the same default
  {"kernel_l1l2_bias_l2", {kernel_regularizer = R.l1_l2{l1 = 0.02, l2 = 0.03},
                           bias_regularizer = R.l2(0.05)}},
  {"activity_l1l2", {activity_regularizer = R.l1_l2(0.01, 0.02)}},
}
for _, c in ipairs(cases) do
  local name, o = c[1], c[2]
  local m = dense_model(o)
  local loss = m:train_on_batch(x, y)
  close_rel(loss, info(name .. "_loss")[1], 1e-6, name .. ": reported loss includes the penalty")
  local w = m:get_weights()
  t.allclose(w[1], load(name .. "_W"), 1e-6, name .. ": kernel after one SGD step = torch")
  t.allclose(w[2], load(name .. "_b"), 1e-6, name .. ": bias after one SGD step = torch")
end

-- evaluate reports the penalty too (on the weights' current values)
do
  local m = dense_model{kernel_regularizer = R.l2()}
  local plain = dense_model{}
  local pen = 0.01 * (W0 * W0):sum()
  local a, b = m:evaluate(x, y, {verbose = 0}), plain:evaluate(x, y, {verbose = 0})
  t.ok(math.abs(a - b - pen) < 1e-6, ("evaluate adds the penalty: %.7f - %.7f = %.7f"):format(a, b, pen))
  local h = m:fit(x, y, {epochs = 1, batch_size = 5, verbose = 0, shuffle = false})
  close_rel(h.history.loss[1], info("kernel_l2_loss")[1], 1e-6, "fit's history loss includes it")
end

-- ActivityRegularization between two Dense layers: its gradient flows back
do
  local d1 = nn.Dense(2, {input_shape = {3}, activation = "tanh"})
  local m = nn.Sequential{d1, nn.ActivityRegularization{l1 = 0.03, l2 = 0.05}, nn.Dense(2)}
  m:set_weights{W0, b0, load("V0"), T.zeros(2)}
  m:compile{loss = "mse", optimizer = nn.optimizers.SGD{learning_rate = 0.1}}
  local loss = m:train_on_batch(x, y)
  close_rel(loss, info("actreg_loss")[1], 1e-6, "ActivityRegularization: loss")
  local w = m:get_weights()
  t.allclose(w[1], load("actreg_W"), 1e-6, "ActivityRegularization: first kernel = torch")
  t.allclose(w[2], load("actreg_b"), 1e-6, "ActivityRegularization: first bias = torch")
  t.allclose(w[3], load("actreg_V"), 1e-6, "ActivityRegularization: second kernel = torch")
  t.is(#m:get_weights(), 4, "ActivityRegularization has no weights")
end

-- an activity regularizer on a softmax output penalises the probabilities
-- (the fused softmax + cross-entropy path is not taken then)
do
  local function model(o)
    T.seed(5)
    o.input_shape, o.activation = {3}, "softmax"
    local m = nn.Sequential{nn.Dense(4, o)}
    m:compile{loss = "sparse_categorical_crossentropy"}
    return m
  end
  local a, b = model{activity_regularizer = R.l2(0.5)}, model{}
  local ids = T({0, 1, 2, 3, 1})
  local p = a:predict(x)
  local d = a:evaluate(x, ids, {verbose = 0}) - b:evaluate(x, ids, {verbose = 0})
  t.ok(math.abs(d - 0.5 * (p * p):sum() / 5) < 1e-6, "activity penalty on softmax probabilities")
end

-- compile without an optimizer: Keras 2.6's RMSprop defaults
do
  local m = nn.Sequential{nn.Dense(2, {input_shape = {3}, activation = "tanh"})}
  m:set_weights{W0, b0}
  m:compile{loss = "mse"}
  t.is(m.optimizer.kind, "RMSprop", "the default optimizer is RMSprop")
  t.is(m.optimizer.learning_rate, 1e-3, "learning_rate 0.001")
  t.is(m.optimizer.rho, 0.9, "rho 0.9")
  t.is(m.optimizer.epsilon, 1e-7, "epsilon 1e-7")
  local want = info("rmsprop_losses")
  for i = 1, 3 do
    close_rel(m:train_on_batch(x, y), want[i], 1e-6, ("RMSprop step %d loss"):format(i))
  end
  local w = m:get_weights()
  t.allclose(w[1], load("rmsprop_W"), 1e-6, "RMSprop: kernel after 3 steps = torch.optim.RMSprop")
  t.allclose(w[2], load("rmsprop_b"), 1e-6, "RMSprop: bias after 3 steps = torch.optim.RMSprop")
end

-- GaussianNoise: N(0, stddev^2) added while training, identity otherwise
do
  T.seed(7)
  local g = nn.GaussianNoise(0.3)
  local m = nn.Sequential{g}
  m:build({1000})
  local xs = T.ones(100, 1000)
  local noisy = m:forward(xs, true)
  local e = noisy - xs
  local mean = e:mean()
  local sd = math.sqrt(((e - mean) * (e - mean)):mean())
  t.ok(math.abs(mean) < 0.005, ("noise mean %.5f near 0"):format(mean))
  t.ok(math.abs(sd - 0.3) < 0.005, ("noise std %.5f near 0.3"):format(sd))
  t.allclose(m:predict(xs), xs, 0, "predict: identity")
  t.allclose(m:forward(xs, false), xs, 0, "forward without training: identity")
  local g2 = nn.GaussianNoise{stddev = 0.1, seed = 3}
  local a = nn.Sequential{g2}
  a:build({5})
  local r1 = a:forward(T.zeros(2, 5), true)
  nn.GaussianNoise{stddev = 0.1, seed = 3}
  local r2 = a:forward(T.zeros(2, 5), true)
  t.allclose(r1, r2, 0, "seed: the same draws again")
  t.raises(function() nn.GaussianNoise(-1) end, "GaussianNoise: stddev must be a number >= 0",
           "negative stddev")
  t.raises(function() nn.GaussianNoise{stdev = 1} end, "did you mean 'stddev'", "misspelt option")
end

-- regularizer objects and errors
do
  local r = R.l1_l2()
  t.is(r.l1, 0.01, "l1_l2 default l1 0.01")
  t.is(r.l2, 0.01, "l1_l2 default l2 0.01")
  t.is(R.l1().l2, 0, "l1 has no l2 part")
  t.is(R.L1L2().l1, 0, "the class L1L2 defaults to 0")
  t.raises(function() nn.Dense(2, {kernel_regularizer = "l3"}) end,
           "Dense: unknown kernel_regularizer 'l3' %(did you mean 'l1'%?%)", "unknown name")
  t.raises(function() nn.Dense(2, {kernel_regulariser = "l2"}) end,
           "did you mean 'kernel_regularizer'", "misspelt option")
  t.raises(function() R.l2(-1) end, "l2 must be a number >= 0", "negative factor")
  t.raises(function() nn.Conv2D(2, 3, {bias_regularizer = 5}) end,
           "option 'bias_regularizer' must be a string or a table, got number", "not a regularizer")
  t.raises(function() nn.Conv2D(2, 3, {bias_regularizer = {}}) end,
           "bias_regularizer must be nn.regularizers", "a table that is not a regularizer")
  local c = nn.Conv2D(2, 3, {kernel_regularizer = R.l2(0.1)})
  t.is(c.kernel_regularizer.l2, 0.1, "Conv2D takes kernel_regularizer")
end

-- Conv2D's kernel penalty: the loss grows by exactly 0.1 * sum(K^2)
do
  T.seed(2)
  local xi, yi = T.randn(2, 5, 5, 1), T.randn(2, 3, 3, 2)
  local function conv(o)
    T.seed(3)
    o.input_shape = {5, 5, 1}
    local m = nn.Sequential{nn.Conv2D(2, 3, o)}
    m:compile{loss = "mse"}
    return m
  end
  local a, b = conv{kernel_regularizer = R.l2(0.1)}, conv{}
  local k = a:get_weights()[1]
  local d = a:evaluate(xi, yi, {verbose = 0}) - b:evaluate(xi, yi, {verbose = 0})
  t.ok(math.abs(d - 0.1 * (k * k):sum()) < 1e-5, "Conv2D kernel penalty in evaluate")
end

-- save / load: Keras 2.6's config forms round-trip
do
  local tmp = os.tmpname()
  os.remove(tmp)
  tmp = tmp .. ".h5"
  local m = nn.Sequential{
    nn.Dense(4, {input_shape = {3}, activation = "relu", kernel_regularizer = R.l1_l2{l1 = 0.02, l2 = 0.03},
                 bias_regularizer = R.l1(0.5), activity_regularizer = "l2"}),
    nn.GaussianNoise(0.2), nn.ActivityRegularization{l1 = 0.01, l2 = 0.02}, nn.Dense(2)}
  m:compile{loss = "mse"}
  m:save(tmp)
  local back = nn.models.load_model(tmp)
  local d = back.layers[1]
  t.is(d.kernel_regularizer.kind, "L1L2", "kernel_regularizer class L1L2 back")
  t.ok(math.abs(d.kernel_regularizer.l1 - 0.02) < 1e-8 and math.abs(d.kernel_regularizer.l2 - 0.03) < 1e-8,
       "kernel_regularizer factors back")
  t.is(d.bias_regularizer.kind, "L1", "bias_regularizer L1 back")
  t.ok(math.abs(d.activity_regularizer.l2 - 0.01) < 1e-8, "activity_regularizer l2 0.01 back")
  t.is(back.layers[2].class, "GaussianNoise", "GaussianNoise back")
  t.ok(math.abs(back.layers[2].stddev - 0.2) < 1e-7, "its stddev back")
  t.is(back.layers[3].class, "ActivityRegularization", "ActivityRegularization back")
  t.ok(math.abs(back.layers[3].l2 - 0.02) < 1e-8, "its l2 back")
  t.allclose(back:predict(x), m:predict(x), 0, "same predictions")
  os.remove(tmp)
end

t.done()
