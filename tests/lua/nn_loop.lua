-- nn_loop.lua - fit/evaluate/predict's batch loop: in-order batches of a
-- contiguous tensor are views, of a strided one gathered copies, and
-- both train to bit-identical weights and give identical predictions;
-- the garbage collector's pause set for a loop comes back afterwards;
-- the backward plan made once per epoch follows freezing between fits.
local t = require "tap"
local T = require "tensor"
local nn = require "nn"

local bytes = require "helpers.weight_bytes"

T.seed(4)
local wide = T.rand(45, 6, 6, 2)
local xs = wide:slice(4, 1, 1)            -- strided: every other float
t.ok(not xs:is_contiguous(), "the strided input is not contiguous")
local xc = xs:contiguous()
local y = T.randint(0, 3, {45})

local function train(x, shuffle)
  nn.reset_names()
  T.seed(8)
  local m = nn.Sequential {
    nn.Conv2D{filters = 3, kernel_size = 3, input_shape = {6, 6, 1}, activation = "relu"},
    nn.Flatten(), nn.Dropout(0.2), nn.Dense(3, "softmax")}
  m:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
  local h = m:fit(x, y, {epochs = 2, batch_size = 8, shuffle = shuffle, verbose = 0,
                         validation_data = {x, y}})
  return m, h
end

for _, shuffle in ipairs({false, true}) do
  local a, ha = train(xc, shuffle)
  local b, hb = train(xs, shuffle)
  local what = shuffle and "shuffled" or "in order"
  t.is(bytes(a:get_weights()), bytes(b:get_weights()),
       what .. ": contiguous (views) and strided (copies) train to identical weights")
  t.is(ha.history.val_loss[2], hb.history.val_loss[2], what .. ": same validation loss")
  t.is(a:predict(xc, {batch_size = 7}):tobytes(), a:predict(xs, {batch_size = 7}):tobytes(),
       what .. ": predict over views equals predict over copies")
  local la, aa = a:evaluate(xc, y, {batch_size = 10, verbose = 0})
  local lb, ab = a:evaluate(xs, y, {batch_size = 10, verbose = 0})
  t.ok(la == lb and aa == ab, what .. ": evaluate the same on both")
end

-- a batch is a view of x: predict leaves x as it was
local m = train(xc, false)
local before = xc:tobytes()
m:predict(xc, {batch_size = 4})
m:fit(xc, y, {epochs = 1, batch_size = 8, shuffle = false, verbose = 0})
t.is(xc:tobytes(), before, "fit and predict leave their input unchanged")

-- the collector's pause is put back after every loop, errors included
local pause = collectgarbage("setpause", 152)
collectgarbage("setpause", 152)
m:fit(xc, y, {epochs = 1, verbose = 0})
m:evaluate(xc, y, {verbose = 0})
m:predict(xc)
t.is(collectgarbage("setpause", 152), 152, "the GC pause is restored after fit, evaluate, predict")
local lin = nn.Sequential{nn.Dense(3, "softmax", {input_shape = {4}})}
lin:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy"}
local ok, err = pcall(function() lin:fit(T.rand(45, 4) * (0 / 0), y, {epochs = 1, verbose = 0}) end)
t.ok(not ok and tostring(err):match("NaN"), "a NaN input stops fit inside its loop")
t.is(collectgarbage("setpause", pause), 152, "and after a fit that fails")

-- fit plans the backward pass once per epoch: freezing a layer between
-- two fits is seen by the second, and fit's per-epoch plan trains to the
-- same weights as train_on_batch (which plans every step) over the same
-- in-order batches
do
  local function mk()
    nn.reset_names()
    T.seed(30)
    local mm = nn.Sequential{nn.Dense(5, "relu", {input_shape = {4}}), nn.Dense(3, "softmax")}
    mm:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy"}
    return mm
  end
  local x4, y4 = T.rand(48, 4), T.randint(0, 3, {48})
  local a, b = mk(), mk()
  a:fit(x4, y4, {epochs = 1, batch_size = 16, shuffle = false, verbose = 0})
  for i = 1, 48, 16 do b:train_on_batch(x4:slice(1, i, i + 15), y4:slice(1, i, i + 15)) end
  t.is(bytes(a:get_weights()), bytes(b:get_weights()),
       "fit (planned once per epoch) = train_on_batch step by step")
  local w1 = a.layers[1].kernel.value:tobytes()
  local w2 = a.layers[2].kernel.value:tobytes()
  a.layers[1].trainable = false
  a:fit(x4, y4, {epochs = 1, batch_size = 16, verbose = 0})
  t.is(a.layers[1].kernel.value:tobytes(), w1, "a layer frozen between fits stays put")
  t.ok(a.layers[2].kernel.value:tobytes() ~= w2, "the layer after it still trains")
end
-- t:rows(idx, out): fit's gather into a buffer kept for the epoch
do
  local src = T.rand(20, 3, 2)
  local idx = T{5, 1, 20, 5}
  local out = T.zeros(4, 3, 2) + 7
  local r = src:rows(idx, out)
  t.ok(rawequal(r, out), "rows into out returns out")
  t.is(out:tobytes(), src:rows(idx):tobytes(), "rows into out = rows")
  t.raises(function() src:rows(idx, T.zeros(3, 3, 2)) end, "out must be a contiguous float32 tensor of shape %(4, 3, 2%)",
           "rows: an out of the wrong shape is an error")
  t.raises(function() src:rows(idx, T.zeros(4, 2, 3):transpose(2, 3)) end, "non%-contiguous",
           "rows: a non-contiguous out is an error")
  t.raises(function() src:rows(T{1, 2}, src:slice(1, 3, 4)) end, "shares memory",
           "rows: an out inside the source is an error")
end
t.done()
