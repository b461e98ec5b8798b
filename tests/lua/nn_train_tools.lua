-- nn_train_tools.lua - what chapter 8 needs to show how deep networks
-- train: the activations elu ... hard_sigmoid (values and derivatives
-- against torch, tests/fixtures/make_rnn.py), LeakyReLU/ELU/PReLU layers,
-- the optimizers Adagrad, Adadelta, Adamax and Nadam against torch on
-- three steps, an optimizer stepping a bare tensor, the initializers,
-- to_categorical, the LearningRateScheduler and ReduceLROnPlateau
-- callbacks, per-layer gradient norms, and their error messages.
local t = require "tap"
local T = require "tensor"
local nn = require "nn"
local K = require "nn.core"

local here = arg[0]:match("^(.*)/[^/]*$") or "."
local fx = here .. "/../fixtures/rnn/"
local function load(name) return T.load(fx .. name .. ".npy") end

-- ---- activations ---------------------------------------------------------
local xa = load("act_x")
for _, a in ipairs {"elu", "selu", "softplus", "softsign", "swish", "gelu", "hard_sigmoid"} do
  local y = K.activation_forward(a, xa)
  t.allclose(y, load("act_" .. a .. "_y"), 1e-6, a .. ": values = torch")
  local g = K.activation_backward_x(a, xa, T.ones(xa:numel()))
  t.allclose(g, load("act_" .. a .. "_dx"), 1e-6, a .. ": derivative from x = torch")
  if a ~= "swish" and a ~= "gelu" then
    local gy = K.activation_backward(a, y, T.ones(xa:numel()))
    -- hard_sigmoid's kinks sit on the grid (x = +-2.5): skip those two
    local want = load("act_" .. a .. "_dx")
    if a == "hard_sigmoid" then
      gy = gy:slice(1, 1, 8) ; want = want:slice(1, 1, 8)
    end
    t.allclose(gy, want, 2e-6, a .. ": derivative from the output = torch")
  end
end
t.raises(function() K.activation_backward("gelu", xa, xa) end, "activation_backward_x",
         "gelu's derivative needs the input")
t.raises(function() K.dense_forward(T.ones(2, 3), T.ones(3, 2), nil, {activation = "swish"}) end,
         "cannot be fused", "dense_forward refuses a fused swish")

-- Dense and Activation layers with the new activations train: backward =
-- central differences through the model (3 samples)
local gradcheck = require "helpers.gradcheck"
local function check_model(label, layers, shape, h) gradcheck(t, label, layers, shape, 3, h) end
check_model("Dense gelu + Dense swish", {nn.Dense(4, "gelu"), nn.Dense(3, "swish")}, {5})
check_model("Dense selu + Activation softplus", {nn.Dense(4, "selu"), nn.Activation("softplus")}, {5})
check_model("Conv2D elu + Activation gelu", {nn.Conv2D(2, 3, {activation = "elu"}),
                                             nn.Activation("gelu")}, {5, 5, 1})
check_model("LeakyReLU", {nn.Dense(4), nn.LeakyReLU{alpha = 0.2}}, {3})
check_model("ELU layer", {nn.Dense(4), nn.ELU(0.7)}, {3})
do
  local p = nn.PReLU{alpha_initializer = "random_uniform"}
  check_model("PReLU", {nn.Dense(4), p}, {3})
  local q = nn.PReLU{shared_axes = {1, 2}}
  nn.Sequential{q}:build({4, 4, 3})
  t.is(table.concat(q.alpha.value:shape(), "x"), "1x1x3", "PReLU shared_axes {1, 2}: alpha (1, 1, 3)")
  check_model("PReLU shared", {nn.Conv2D(3, 2), nn.PReLU{shared_axes = {1, 2},
                                                          alpha_initializer = "random_normal"}},
              {4, 4, 1}, 1e-3)
end
do
  local l = nn.LeakyReLU()
  t.is(l.alpha, 0.3, "LeakyReLU: Keras's default alpha 0.3")
  local y = nn.Sequential{nn.LeakyReLU{alpha = 0.1, input_shape = {3}}}:predict(T{{-2, 0, 3}})
  t.allclose(y, T{{-0.2, 0, 3}}, 1e-7, "LeakyReLU values")
end

-- ---- optimizers against torch ------------------------------------------------
local p0, grads = load("opt_p0"), load("opt_grads")
for _, name in ipairs {"Adagrad", "Adadelta", "Adamax", "Nadam"} do
  local opt = nn.optimizers[name]()
  local p = p0:clone()
  local want = load("opt_" .. name)
  local worst = 0
  for s = 1, 3 do
    opt:step(p, grads[s]:clone())
    worst = math.max(worst, (p - want[s]):abs():max())
  end
  t.ok(worst <= 1e-6, name .. ": three steps = torch (" .. worst .. ")")
end
do
  -- nn.core.nadam_step forms the schedule's product itself when not given
  local p, m, v = p0:clone(), T.zeros(6), T.zeros(6)
  for s = 1, 3 do K.nadam_step(p, grads[s]:clone(), m, v, s) end
  t.allclose(p, load("opt_Nadam")[3], 1e-6, "nadam_step without m_schedule = torch")
end
do
  local o = nn.optimizers.Nadam()
  t.is(o.learning_rate, 1e-3, "Nadam: Keras 2.6 learning_rate 0.001")
  t.is(nn.optimizers.Adagrad().initial_accumulator_value, 0.1, "Adagrad: initial accumulator 0.1")
  t.is(nn.optimizers.Adadelta().rho, 0.95, "Adadelta: rho 0.95")
  -- a bare tensor on a bowl: SGD's path goes downhill
  local sgd = nn.optimizers.SGD{learning_rate = 0.1}
  local w = T{3, -2}
  for _ = 1, 20 do sgd:step(w, w * 2) end       -- grad of |w|^2
  t.ok(w:abs():max() < 0.1, "SGD steps a bare tensor downhill")
  local adam = nn.optimizers.Adam{learning_rate = 0.1}
  local a, b = T{1.0}, T{1.0}
  adam:apply_gradients{{T{0.5}, a}, {T{-0.5}, b}}
  t.ok(a:item() < 1 and b:item() > 1, "apply_gradients: pairs {gradient, parameter}")
  t.raises(function() sgd:step(T{1, 2}, T{1}) end, "does not match", "step: gradient shape")
  t.raises(function() sgd.step(T{1}, T{1}) end, "instead of ':'", "step with '.'")
  t.raises(function() nn.optimizers.Adamax{beta_3 = 1} end, "unknown option 'beta_3'",
           "misspelt optimizer option")
end
-- compile by name
do
  for _, name in ipairs {"adagrad", "adadelta", "adamax", "nadam"} do
    T.seed(2)
    local m = nn.Sequential{nn.Dense(1, {input_shape = {2}})}
    m:compile{optimizer = name, loss = "mse"}
    local x = T.randn(16, 2)
    local l0 = m:evaluate(x, x:sum(2), {verbose = 0})
    for _ = 1, 30 do m:train_on_batch(x, x:sum(2)) end
    t.ok(m:evaluate(x, x:sum(2), {verbose = 0}) < l0, name .. " by name: the loss falls")
  end
end

-- ---- initializers -------------------------------------------------------------
do
  T.seed(9)
  local function stats(kind, shape)
    local v = K.init(kind, T.zeros(shape))
    return v:mean(), v:std(), v:max(), v:min()
  end
  local mean, sd, hi, lo = stats("random_normal", {200, 200})
  t.ok(math.abs(mean) < 0.002 and math.abs(sd - 0.05) < 0.002, "random_normal: N(0, 0.05)")
  mean, sd, hi, lo = stats("random_uniform", {200, 200})
  t.ok(hi <= 0.05 and lo >= -0.05 and math.abs(sd - 0.1 / math.sqrt(12)) < 0.002,
       "random_uniform: U(-0.05, 0.05)")
  mean, sd, hi, lo = stats("truncated_normal", {200, 200})
  t.ok(hi <= 0.1 and lo >= -0.1 and math.abs(sd - 0.05 * 0.8796) < 0.002,
       "truncated_normal: within 2 stddev of 0.05")
  mean, sd, hi, lo = stats("he_uniform", {100, 50})
  t.ok(hi <= math.sqrt(6 / 100) and math.abs(sd - math.sqrt(2 / 100)) < 0.005, "he_uniform")
  mean, sd = stats("lecun_normal", {400, 50})
  t.ok(math.abs(sd - math.sqrt(1 / 400)) < 0.002, "lecun_normal: stddev sqrt(1 / fan_in)")
  mean, sd = stats("glorot_normal", {300, 100})
  t.ok(math.abs(sd - math.sqrt(2 / 400)) < 0.002, "glorot_normal: stddev sqrt(2 / (in + out))")
  local q = K.init("orthogonal", T.zeros(6, 4))
  t.allclose(q:transpose():matmul(q), T.eye(4), 1e-5, "orthogonal (6, 4): orthonormal columns")
  local q2 = K.init("orthogonal", T.zeros(3, 8))
  t.allclose(q2:matmul(q2:transpose()), T.eye(3), 1e-5, "orthogonal (3, 8): orthonormal rows")
  local d = nn.Dense(3, {kernel_initializer = "lecun_uniform", input_shape = {4}})
  nn.Sequential{d}
  t.ok(d.kernel.value:abs():max() <= math.sqrt(3 / 4), "Dense kernel_initializer lecun_uniform")
  t.raises(function() K.init("orthogonl", T.zeros(2, 2)) end, "unknown initializer 'orthogonl'",
           "misspelt initializer")
end

-- ---- to_categorical -------------------------------------------------------------
t.allclose(nn.utils.to_categorical({0, 2, 1}), T{{1, 0, 0}, {0, 0, 1}, {0, 1, 0}}, 0,
           "to_categorical from a list")
t.allclose(nn.utils.to_categorical(T{1, 0}, 3), T{{0, 1, 0}, {1, 0, 0}}, 0,
           "to_categorical with num_classes")
t.raises(function() nn.utils.to_categorical({0, 3}, 3) end, "class id 3 out of range 0..2",
         "to_categorical: id out of range")
t.raises(function() nn.utils.to_categorical({0.5}) end, "not a non%-negative integer",
         "to_categorical: not an integer")

-- ---- callbacks ------------------------------------------------------------------
do
  T.seed(3)
  local m = nn.Sequential{nn.Dense(1, {input_shape = {2}})}
  m:compile{optimizer = nn.optimizers.SGD{learning_rate = 0.1}, loss = "mse"}
  local x = T.randn(32, 2)
  local seen = {}
  local sched = nn.callbacks.LearningRateScheduler(function(epoch, lr)
    seen[#seen + 1] = epoch
    return epoch < 2 and lr or lr * 0.5
  end)
  local h = m:fit(x, x:sum(2), {epochs = 4, verbose = 0, callbacks = {sched}})
  t.is(table.concat(seen, ","), "0,1,2,3", "LearningRateScheduler: epochs 0-based")
  t.is(table.concat(h.history.lr, ","), "0.1,0.1,0.05,0.025", "LearningRateScheduler: lr history")
  t.raises(function()
    m:fit(x, x:sum(2), {epochs = 1, verbose = 0, callbacks = {
      nn.callbacks.LearningRateScheduler(function() return "fast" end)}})
  end, "must return a learning rate", "LearningRateScheduler: a bad schedule")
  t.raises(function() nn.callbacks.LearningRateScheduler() end, "schedule function",
           "LearningRateScheduler without a schedule")

  -- ReduceLROnPlateau on a loss that cannot improve (lr 0 after the
  -- first cut would still not move: patience 1, factor 0.5)
  local m2 = nn.Sequential{nn.Dense(1, {input_shape = {2}, trainable = false})}
  m2:compile{optimizer = nn.optimizers.SGD{learning_rate = 0.2}, loss = "mse"}
  local r = nn.callbacks.ReduceLROnPlateau{monitor = "loss", factor = 0.5, patience = 1,
                                           min_lr = 0.06}
  local h2 = m2:fit(x, x:sum(2), {epochs = 5, verbose = 0, shuffle = false, callbacks = {r}})
  -- Keras logs the rate an epoch ran with, then cuts it
  t.is(table.concat(h2.history.lr, ","), "0.2,0.2,0.1,0.06,0.06",
       "ReduceLROnPlateau: halves after each flat epoch, down to min_lr")
  t.raises(function() nn.callbacks.ReduceLROnPlateau{factor = 2} end, "factor must be in",
           "ReduceLROnPlateau: factor >= 1")
  t.raises(function() nn.callbacks.ReduceLROnPlateau{patince = 2} end, "did you mean 'patience'",
           "ReduceLROnPlateau: misspelt option")
end

-- ---- per-layer gradient norms ----------------------------------------------------
do
  T.seed(8)
  local function norms(act)
    local layers = {}
    for i = 1, 6 do layers[i] = nn.Dense(16, act, i == 1 and {input_shape = {16}} or nil) end
    layers[7] = nn.Dense(1)
    local m = nn.Sequential(layers)
    m:compile{optimizer = "sgd", loss = "mse"}
    local x = T.randn(64, 16)
    m:train_on_batch(x, x:sum(2))
    return m:gradient_norms()
  end
  local sig = norms("sigmoid")
  t.is(#sig, 7, "gradient_norms: one entry per layer with weights")
  t.ok(sig[1].name:match("^dense") and sig[1].kernel > 0 and sig[1].norm >= sig[1].kernel,
       "gradient_norms: name, norm, kernel")
  t.ok(sig[1].kernel < sig[6].kernel, "sigmoid: the first layer's gradient is smaller (vanishing)")
  local m = nn.Sequential{nn.Dense(1, {input_shape = {2}})}
  t.raises(function() m:gradient_norms() end, "no gradients yet", "gradient_norms before training")
end

t.done()
