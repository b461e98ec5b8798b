-- nn_kernels.lua - the nn kernel binding end to end: results against the
-- naive references, a torch oracle and hand values, reused output
-- buffers, a tiny conv + dense net that must overfit a small batch,
-- determinism from a seed, and the error messages for bad input (each
-- naming this script's line).
local tap = require "tap"
local T = require "tensor"
-- "nn.core" once runtime/lua/nn.lua wraps the kernels, "nn" before
local nn = package.preload["nn.core"] and require "nn.core" or require "nn"

local function maxdiff(a, b) return (a - b):abs():max() end
local function shape(t) return table.concat(t:shape(), "x") end

-- ---- conv2d: fast path = naive reference through the binding ---------
T.seed(5)
for _, cfg in ipairs {
  {strides = 1, padding = "same", activation = "relu"},
  {strides = 2, padding = "valid"},
  {strides = {3, 1}, padding = "same", activation = "tanh"},
} do
  local x = T.randn(3, 7, 6, 2)
  local w = nn.init("glorot_uniform", T.zeros(3, 2, 2, 4))
  local b = T.randn(4)
  local y = nn.conv2d_forward(x, w, b, cfg)
  local yn = nn.conv2d_forward_naive(x, w, b, cfg)
  local name = ("strides %s %s"):format(type(cfg.strides) == "table"
    and table.concat(cfg.strides, ",") or cfg.strides, cfg.padding)
  tap.ok(shape(y) == shape(yn) and maxdiff(y, yn) < 1e-5,
         "conv2d_forward = naive (" .. name .. ")")
  local dy = T.randn(table.unpack(y:shape()))
  local o = {strides = cfg.strides, padding = cfg.padding,
             activation = cfg.activation, y = y}
  local dx, dw, db = nn.conv2d_backward(x, w, dy, o)
  local dxn, dwn, dbn = nn.conv2d_backward_naive(x, w, dy, o)
  tap.ok(maxdiff(dx, dxn) < 1e-4 and maxdiff(dw, dwn) < 1e-4 and
         maxdiff(db, dbn) < 1e-4, "conv2d_backward = naive (" .. name .. ")")
end
do
  local x = T.randn(2, 5, 5, 3)
  local w = T.randn(3, 3, 3, 2)
  local dy = T.ones(2, 5, 5, 2)
  local _, dw = nn.conv2d_backward(x, w, dy, {padding = "same"})
  local dx2, dw2 = nn.conv2d_backward(x, w, dy,
                                      {padding = "same", need_dx = false})
  tap.ok(dx2 == nil and maxdiff(dw, dw2) == 0, "need_dx = false skips dx")
  tap.is(shape(nn.conv2d_forward(x, w)), "2x3x3x2",
         "default padding is 'valid'")
  tap.is(nn.output_size(28, 3, 2, "same"), 14, "output_size: TF 'same' rule")
  tap.is(nn.output_size(28, 5, 1, "valid"), 24, "output_size: 'valid'")
end

-- ---- the torch oracle: tests/fixtures/make_nn_fixtures.py -------------
-- PyTorch 1.13 results converted to NHWC / Keras layouts, TensorFlow's
-- 'same' padding applied explicitly; float32 on both sides, so 1e-5
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local fixtures = here .. "../fixtures/nn/"
local function fx(...) return T.load(fixtures .. table.concat({...}, "_")
                                     .. ".npy") end
for _, c in ipairs {
  {"s1same", 1, "same", "relu"}, {"s2same", 2, "same"},
  {"s2valid", 2, "valid"}, {"s3same", 3, "same", "relu"},
} do
  local name = c[1]
  local o = {strides = c[2], padding = c[3], activation = c[4]}
  local x, w = fx("conv", name, "x"), fx("conv", name, "w")
  local y = nn.conv2d_forward(x, w, fx("conv", name, "b"), o)
  local what = " = torch (" .. name .. ")"
  tap.allclose(y, fx("conv", name, "y"), 1e-5, "conv2d" .. what)
  o.y = y
  local dx, dw, db = nn.conv2d_backward(x, w, fx("conv", name, "dy"), o)
  tap.allclose(dx, fx("conv", name, "dx"), 1e-5, "conv2d dx" .. what)
  tap.allclose(dw, fx("conv", name, "dw"), 1e-5, "conv2d dw" .. what)
  tap.allclose(db, fx("conv", name, "db"), 1e-5, "conv2d db" .. what)
end
for _, c in ipairs {{"p2s2valid", 2, 2, "valid"}, {"p3s2same", 3, 2, "same"}} do
  local name = c[1]
  local o = {pool_size = c[2], strides = c[3], padding = c[4]}
  local x, dy = fx("pool", name, "x"), fx("pool", name, "dy")
  local what = " = torch (" .. name .. ")"
  local y, idx = nn.maxpool2d_forward(x, o)
  tap.allclose(y, fx("pool", name, "max"), 0, "maxpool2d" .. what)
  tap.allclose(nn.maxpool2d_backward(x, idx, dy, o), fx("pool", name, "dmax"),
               1e-6, "maxpool2d dx" .. what)
  tap.allclose(nn.avgpool2d_forward(x, o), fx("pool", name, "avg"), 1e-6,
               "avgpool2d, padding not counted," .. what)
  tap.allclose(nn.avgpool2d_backward(x, dy, o), fx("pool", name, "davg"),
               1e-6, "avgpool2d dx" .. what)
end
do
  local loss, g = nn.sparse_softmax_crossentropy(fx("ce", "logits"),
                                                 fx("ce", "labels"))
  -- torch sums in float32: at a loss near 891 one ulp is 6e-5, so allow
  -- a few ulps relative
  local want = fx("ce", "loss")[1]
  tap.near(loss, want, 4e-7 * math.max(1, math.abs(want)),
           "sparse softmax CE = torch cross_entropy")
  tap.allclose(g, fx("ce", "grad"), 1e-6,
               "its gradient = torch's (a row of huge logits)")
end

-- ---- reusing output buffers (opts.out, opts.dx, ...) -------------------
do
  local x, w = T.randn(2, 6, 6, 3), T.randn(3, 3, 3, 4)
  local o = {padding = "same", activation = "relu"}
  local y = nn.conv2d_forward(x, w, nil, o)
  local buf = T.full({2, 6, 6, 4}, 7)
  o.out = buf
  local y2 = nn.conv2d_forward(x, w, nil, o)
  tap.ok(rawequal(y2, buf) and maxdiff(buf, y) == 0,
         "conv2d_forward fills opts.out")
  local dy = T.randn(2, 6, 6, 4)
  local ob = {padding = "same", activation = "relu", y = y}
  local dx, dw, db = nn.conv2d_backward(x, w, dy, ob)
  ob.dx, ob.dw, ob.db = T.full({2, 6, 6, 3}, 9), T.full({3, 3, 3, 4}, 9),
                        T.full({4}, 9)
  local dx2, dw2, db2 = nn.conv2d_backward(x, w, dy, ob)
  tap.ok(rawequal(dx2, ob.dx) and rawequal(dw2, ob.dw) and
         rawequal(db2, ob.db) and maxdiff(dx2, dx) == 0 and
         maxdiff(dw2, dw) == 0 and maxdiff(db2, db) == 0,
         "conv2d_backward overwrites opts.dx/dw/db")
  local q, i = nn.maxpool2d_forward(y)
  local qb, ib = T.zeros(2, 3, 3, 4), T.zeros(2, 3, 3, 4)
  nn.maxpool2d_forward(y, {out = qb, idx = ib})
  tap.ok(maxdiff(qb, q) == 0 and maxdiff(ib, i) == 0,
         "maxpool2d_forward opts.out/idx")
  local h = nn.dense_forward(T.ones(2, 3), T.ones(3, 2), nil,
                             {out = T.zeros(2, 2)})
  tap.allclose(h, {{3, 3}, {3, 3}}, 0, "dense_forward opts.out")
end

-- ---- dense, pooling, activations, losses: hand values -------------------
do
  local x = T{{1, 2}, {3, 4}, {-1, 0}}
  local w = T{{1, 0, -1}, {0.5, 1, 2}}
  local b = T{0.1, 0.2, 0.3}
  local y = nn.dense_forward(x, w, b, {activation = "relu"})
  tap.allclose(y, {{2.1, 2.2, 3.3}, {5.1, 4.2, 5.3}, {0, 0.2, 1.3}}, 1e-6,
               "dense_forward: relu(x w + b)")
  local dy = T.ones(3, 3)
  local dx, dw, db = nn.dense_backward(x, w, dy, {activation = "relu", y = y})
  -- g = dy masked by relu: rows 1-2 all ones, row 3 (0, 1, 1)
  tap.allclose(db, {2, 3, 3}, 1e-6, "dense_backward db counts rows past relu")
  tap.allclose(dw, {{4, 3, 3}, {6, 6, 6}}, 1e-6, "dense_backward dw = x^T g")
  tap.allclose(dx[3], {-1, 3}, 1e-6, "dense_backward dx = g w^T")
  local x4 = T.randn(2, 3, 4)            -- Dense acts on the last axis
  tap.is(shape(nn.dense_forward(x4, T.randn(4, 5))), "2x3x5",
         "dense_forward keeps leading axes")
end
do
  local x = T{{{{1}, {5}, {2}, {0}}, {{3}, {4}, {8}, {7}},
              {{0}, {1}, {2}, {3}}, {{6}, {2}, {9}, {1}}}}   -- (1, 4, 4, 1)
  local y, idx = nn.maxpool2d_forward(x)
  tap.allclose(y:reshape(4), {5, 8, 6, 9}, 0, "maxpool2d 2x2 picks the maxima")
  local dx = nn.maxpool2d_backward(x, idx, T.ones(1, 2, 2, 1))
  tap.is(dx:sum(), 4, "maxpool2d_backward routes dy to the maxima")
  tap.is(dx:get(1, 2, 3, 1), 1, "... one of them the 8")
  local a = nn.avgpool2d_forward(x, {pool_size = 2, strides = 2})
  tap.allclose(a:reshape(4), {13 / 4, 17 / 4, 9 / 4, 15 / 4}, 1e-6,
               "avgpool2d 2x2 averages")
  local s = nn.avgpool2d_forward(x, {pool_size = 3, strides = 3,
                                     padding = "same"})
  tap.is(shape(s), "1x2x2x1", "avgpool2d 'same' 3x3 s3 on 4x4 gives 2x2")
  local g = nn.global_avgpool2d_forward(x)
  tap.near(g:item(), 54 / 16, 1e-6, "global_avgpool2d_forward = mean")
  tap.near(nn.global_avgpool2d_backward(x, T{{16}}):get(1, 1, 1, 1), 1, 1e-6,
           "global_avgpool2d_backward spreads dy / HW")
end
do
  local p = nn.activation_forward("softmax", T{{1000, 1000}, {0, math.log(3)}})
  tap.allclose(p, {{0.5, 0.5}, {0.25, 0.75}}, 1e-6, "softmax rows, stable")
  local s = nn.activation_forward("sigmoid", T{0})
  tap.near(s[1], 0.5, 0, "sigmoid(0)")
  local dx = nn.activation_backward("tanh", T{0.5}, T{2})
  tap.near(dx[1], 2 * (1 - 0.25), 1e-6, "tanh backward uses the output")
  local z = T.zeros(4, 10)
  local loss, g = nn.sparse_softmax_crossentropy(z, T{0, 3, 9, 1})
  tap.near(loss, math.log(10), 1e-6, "uniform logits: loss log(10)")
  tap.near(g:get(2, 4), (0.1 - 1) / 4, 1e-6, "gradient (softmax - onehot) / N")
  local l2, g2 = nn.sparse_softmax_crossentropy(z, {{0}, {3}, {9}, {1}}, false)
  tap.ok(l2 == loss and g2 == nil, "labels as an (N, 1) table; want_grad false")
  local lm, gm = nn.mse(T{{1, 2}}, T{{0, 0}})
  tap.near(lm, 2.5, 1e-9, "mse")
  tap.allclose(gm, {{1, 2}}, 1e-6, "mse gradient 2 (y - t) / (N D)")
  local lb = nn.binary_crossentropy(T{{0.5}}, T{{1}})
  tap.near(lb, -math.log(0.5 + 1e-7), 1e-6, "binary_crossentropy (Keras eps)")
end

-- ---- batch norm, dropout, optimizers, initialisers ----------------------
do
  local x = T.randn(8, 3, 3, 2) * 2 + 1
  local mm, mv = T.zeros(2), T.ones(2)
  local train = {training = true}
  local y, mean, invstd = nn.batchnorm_forward(x, T.ones(2), T.zeros(2), mm,
                                               mv, train)
  tap.near(y:mean(), 0, 1e-5, "batchnorm training output is centred")
  tap.near(mm[1], 0.01 * mean[1], 1e-6, "moving_mean updated in place")
  local dx, _, dbeta = nn.batchnorm_backward(x, T.ones(2), mean, invstd,
                                             T.ones(8, 3, 3, 2))
  tap.ok(dx:abs():max() < 1e-4 and dbeta[1] == 72,
         "batchnorm_backward: constant dy gives no dx, dbeta = count")
  local yi = nn.batchnorm_forward(x, nil, nil, T.zeros(2), T.ones(2))
  tap.near(maxdiff(yi, x / math.sqrt(1 + 1e-3)), 0, 1e-5,
           "batchnorm inference uses the moving statistics")
  T.seed(9)
  local d, mask = nn.dropout_forward(T.ones(1000), 0.5)
  local kept = mask:gt(0):sum()
  tap.ok(kept > 400 and kept < 600 and d:max() == 2,
         "dropout keeps about half, scaled by 2")
  tap.is(nn.dropout_backward(T.ones(1000), mask):sum(), d:sum(),
         "dropout_backward = dy * mask")
  local p, g = T{1, 2}, T{10, -10}
  nn.sgd_step(p, g, nil)
  tap.allclose(p, {0.9, 2.1}, 1e-6, "sgd_step: default lr 0.01, in place")
  local m, v = T.zeros(2), T.zeros(2)
  nn.adam_step(p, g, m, v, 1, {learning_rate = 0.1})
  tap.allclose(p, {0.8, 2.2}, 1e-5, "adam_step: first step = lr against g")
  local ms = T.zeros(2)
  nn.rmsprop_step(p, g, ms, nil, nil)
  tap.ok(ms[1] > 0 and p[1] < 0.8, "rmsprop_step updates p and ms")
  local fi, fo = nn.fans(T.zeros(3, 3, 1, 32))
  tap.ok(fi == 9 and fo == 288, "fans of a conv kernel")
  local k = nn.init("he_normal", T.zeros(3, 3, 32, 64))
  tap.ok(k:abs():max() <= 2 * math.sqrt(2 / 288) / 0.87962566103423978,
         "he_normal truncated at 2 stddev")
  tap.is(nn.init("ones", T.zeros(3)):sum(), 3, "init returns the tensor")
  local n0 = nn.threads()
  tap.is(nn.threads(1), 1, "threads(1)")
  nn.threads(n0)
end

-- ---- a tiny conv + dense net must overfit a small batch -----------------
-- 8 random 6x6 images with 4 arbitrary labels: nothing to generalize,
-- but conv (4 filters) + dense (36 -> 4) has 188 weights for 8 samples, so
-- it can memorize them. Random guessing costs log(4) = 1.386; a loss below
-- 0.05 means an average probability above 0.95 on every right label.
local function zeros_like(p) return T.zeros(table.unpack(p:shape())) end

local function train(seed, steps)
  T.seed(seed)
  local x = T.rand(8, 6, 6, 1)
  local labels = T{0, 1, 2, 3, 0, 1, 2, 3}
  local w1 = nn.init("glorot_uniform", T.zeros(3, 3, 1, 4))
  local b1 = T.zeros(4)
  local w2 = nn.init("glorot_uniform", T.zeros(36, 4))
  local b2 = T.zeros(4)
  local params = {w1, b1, w2, b2}
  local m, v = {}, {}
  for i, p in ipairs(params) do m[i], v[i] = zeros_like(p), zeros_like(p) end
  local conv = {padding = "same", activation = "relu"}
  local loss
  for t = 1, steps do
    local h = nn.conv2d_forward(x, w1, b1, conv)
    local p, idx = nn.maxpool2d_forward(h)
    local flat = p:reshape(8, 36)
    local z = nn.dense_forward(flat, w2, b2)
    local dz
    loss, dz = nn.sparse_softmax_crossentropy(z, labels)
    local dflat, dw2, db2 = nn.dense_backward(flat, w2, dz)
    local dh = nn.maxpool2d_backward(h, idx, dflat:reshape(8, 3, 3, 4))
    local _, dw1, db1 = nn.conv2d_backward(x, w1, dh, {padding = "same",
      activation = "relu", y = h, need_dx = false})
    local grads = {dw1, db1, dw2, db2}
    for i, p in ipairs(params) do
      nn.adam_step(p, grads[i], m[i], v[i], t, {learning_rate = 0.02})
    end
  end
  return loss, w1
end

local first = train(1, 1)
tap.near(first, math.log(4), 0.3, "untrained loss is near log(4)")
local loss, w = train(1, 300)
tap.ok(loss < 0.05,
       ("tiny net overfits 8 samples: loss %.4f < 0.05"):format(loss))
local loss2, w2 = train(1, 300)
tap.ok(loss2 == loss and maxdiff(w, w2) == 0, "same seed, same training run")

-- ---- bad input: clear errors naming this script's line -----------------
local w31 = T.zeros(3, 3, 1, 8)
local img = T.zeros(2, 8, 8, 1)
local function conv(o)
  return function() nn.conv2d_forward(img, w31, nil, o) end
end
for _, case in ipairs {
  {"rank-3 input into conv2d says which reshape is needed",
   function() nn.conv2d_forward(T.zeros(32, 28, 28), w31) end,
   "conv2d_forward: expected NHWC input %(N, H, W, C%), got %(32, 28, 28%); "
     .. "reshape to %(32, 28, 28, 1%)"},
  {"flat images: reshape advice",
   function() nn.conv2d_forward(T.zeros(4, 784), w31) end,
   "got %(4, 784%); reshape to %(4, 28, 28, 1%)"},
  {"channel mismatch",
   function() nn.conv2d_forward(T.zeros(2, 8, 8, 3), w31) end,
   "conv2d_forward: input has 3 channels, kernel expects 1"},
  {"kernel rank", function() nn.conv2d_forward(img, T.zeros(3, 3, 1)) end,
   "kernel must be %(KH, KW, C, F%)"},
  {"bias size", function() nn.conv2d_forward(img, w31, T.zeros(7)) end,
   "bias must be %(8%), one per filter, got %(7,%)"},
  {"bad padding", conv {padding = "full"},
   "padding must be 'valid' or 'same', got 'full'"},
  {"zero stride", conv {strides = 0},
   "strides must be positive integers, got 0"},
  {"kernel too big", function() nn.conv2d_forward(T.zeros(2, 2, 2, 1), w31) end,
   "kernel 3x3 is larger than the 2x2 input with padding 'valid'"},
  {"unknown activation", conv {activation = "rellu"},
   "unknown activation 'rellu'"},
  {"options not a table",
   function() nn.conv2d_forward(img, w31, nil, "same") end,
   "options must be a table, got string"},
  {"dy shape",
   function() nn.conv2d_backward(img, w31, T.zeros(2, 8, 8, 8)) end,
   "conv2d_backward: dy has shape %(2, 8, 8, 8%), expected %(2, 6, 6, 8%)"},
  {"relu backward without y",
   function()
     nn.conv2d_backward(img, w31, T.zeros(2, 6, 6, 8), {activation = "relu"})
   end, "activation 'relu' needs opts.y, the forward output"},
  {"opts.out of the wrong shape", conv {out = T.zeros(2, 8, 8, 8)},
   "opts.out has shape %(2, 8, 8, 8%), expected %(2, 6, 6, 8%)"},
  {"image into dense says to flatten",
   function() nn.dense_forward(T.zeros(32, 28, 28, 1), T.zeros(784, 10)) end,
   "dense_forward: input has 1 features %(last axis of %(32, 28, 28, 1%)%), "
     .. "kernel expects 784; flatten the input to %(32, 784%)"},
  {"dense feature mismatch",
   function() nn.dense_forward(T.zeros(32, 100), T.zeros(784, 10)) end,
   "input has 100 features, kernel expects 784"},
  {"opts.out aliasing the input",
   function()
     local x = T.zeros(32, 3)
     nn.dense_forward(x, T.zeros(3, 3), nil, {out = x:reshape(32, 3)})
   end, "opts.out must not share memory with the inputs"},
  {"label out of range",
   function()
     local labels = T.zeros(32)
     labels:set(17, 10)                 -- 0-based class 10 of 0..9
     nn.sparse_softmax_crossentropy(T.zeros(32, 10), labels)
   end, "label 10 out of range 0..9 %(sample 17%)"},
  {"fractional label",
   function() nn.sparse_softmax_crossentropy(T.zeros(3, 10), T{1, 2.5, 3}) end,
   "label 2.5 is not an integer class id %(sample 2%)"},
  {"label count mismatch",
   function() nn.sparse_softmax_crossentropy(T.zeros(32, 10), T.zeros(31)) end,
   "31 labels for 32 samples"},
  {"logits rank",
   function()
     nn.sparse_softmax_crossentropy(T.zeros(32, 10, 1), T.zeros(32))
   end, "logits must be %(N, classes%), got %(32, 10, 1%)"},
  {"mse shapes", function() nn.mse(T.zeros(4, 2), T.zeros(4, 3)) end,
   "mse: targets %(4, 3%) do not match predictions %(4, 2%)"},
  {"pooling a matrix", function() nn.maxpool2d_forward(T.zeros(4, 4)) end,
   "maxpool2d_forward: expected NHWC input"},
  {"bogus pool indices",
   function()
     nn.maxpool2d_backward(T.zeros(1, 4, 4, 1), T.full({1, 2, 2, 1}, 99),
                           T.zeros(1, 2, 2, 1))
   end, "idx is not the index tensor of maxpool2d_forward"},
  {"adam sizes",
   function()
     nn.adam_step(T.zeros(3), T.zeros(4), T.zeros(3), T.zeros(3), 1)
   end, "adam_step: the gradient has 4 elements, the parameter has 3"},
  {"adam step 0",
   function()
     nn.adam_step(T.zeros(3), T.zeros(3), T.zeros(3), T.zeros(3), 0)
   end, "step t must be 1 or more"},
  {"non-contiguous parameter",
   function()
     nn.sgd_step(T.zeros(2, 3):transpose(1, 2), T.zeros(3, 2), nil)
   end, "sgd_step: the parameter must be a contiguous tensor"},
  {"sgd momentum without state",
   function() nn.sgd_step(T.zeros(3), T.zeros(3), nil, {momentum = 0.9}) end,
   "momentum 0.9 needs a velocity tensor"},
  {"unknown initializer", function() nn.init("orthogonl", T.zeros(3, 3)) end,
   "unknown initializer 'orthogonl'"},
  {"dropout rate 1", function() nn.dropout_forward(T.zeros(3), 1) end,
   "rate must be in %[0, 1%), got 1"},
  {"batchnorm channels",
   function()
     nn.batchnorm_forward(T.zeros(4, 3), nil, nil, T.zeros(2), T.ones(2))
   end, "moving_mean must have 3 values %(one per channel%), got %(2,%)"},
  {"threads(0)", function() nn.threads(0) end,
   "threads: count must be in 1..64, got 0"},
} do
  tap.raises(case[2], case[3], case[1])
end

tap.done()
