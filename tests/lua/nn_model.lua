-- nn_model.lua - the Keras-style model API: summary text, compile/fit/
-- evaluate/predict, weights in Keras's order, save/load, determinism,
-- callbacks, progress lines, and the errors a student's mistake gets.
local t = require "tap"
local T = require "tensor"
local nn = require "nn"

local here = arg[0]:match("^(.*)/[^/]*$") or "."
local fixtures = here .. "/../fixtures/nn/"
local tmp = os.tmpname()

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function capture(f)
  local lines = {}
  f(function(s) lines[#lines + 1] = s end)
  return table.concat(lines, "\n") .. "\n"
end

local function mlp()
  return nn.Sequential {
    nn.Flatten{input_shape = {28, 28, 1}}, nn.Dropout(0.2),
    nn.Dense(128, "relu"), nn.Dense(32, "relu"), nn.Dense(10, "softmax")}
end

local function cnn()
  return nn.Sequential {
    nn.Conv2D{filters = 32, kernel_size = 3, padding = "same", input_shape = {28, 28, 1}},
    nn.MaxPooling2D{pool_size = 2, strides = 2},
    nn.Conv2D{filters = 64, kernel_size = 3, padding = "same"},
    nn.MaxPooling2D{pool_size = 2, strides = 2},
    nn.Conv2D{filters = 32, kernel_size = 3, padding = "same"},
    nn.Flatten(), nn.Dense(128, "relu"), nn.Dense(32, "relu"), nn.Dense(10, "softmax")}
end

-- summary: Keras 2.6's text, names counted per session
nn.reset_names()
local m1 = mlp()
t.is(capture(function(p) m1:summary(p) end), read(fixtures .. "summary_mlp.txt"),
     "MLP summary is Keras 2.6's text (104,938 params)")
local m2 = cnn()
t.is(capture(function(p) m2:summary(p) end), read(fixtures .. "summary_cnn.txt"),
     "CNN summary is Keras 2.6's text (242,570 params, names cut at 28)")
t.is(m2.layers[4].name, "max_pooling2d_1", "layer names count per kind")

-- weights: Keras order and layouts
local w = m2:get_weights()
t.is(#w, 12, "CNN has 12 weight tensors (kernel, bias per layer)")
t.is(table.concat(w[1]:shape(), ","), "3,3,1,32", "conv kernel (kh, kw, in, out)")
t.is(table.concat(w[2]:shape(), ","), "32", "conv bias")
t.is(table.concat(w[7]:shape(), ","), "1568,128", "dense kernel (in, out)")
t.is(w[2]:abs():sum(), 0, "biases start at zero")
local limit = math.sqrt(6 / (9 * 1 + 9 * 32))
t.ok(w[1]:abs():max() <= limit and w[1]:abs():max() > limit * 0.8,
     "glorot_uniform kernel within its limit")

-- a small problem: two Gaussian blobs in 4-D, learned to near 100%
T.seed(5)
local n = 256
local x = T.randn(n, 4)
local y = T.zeros(n)
for i = 1, n do
  if i % 2 == 0 then y[i] = 1; x[i] = x[i] + 2.5 end
end
local function small(opt)
  local m = nn.Sequential{nn.Dense{units = 16, activation = "relu", input_shape = {4}},
                          nn.Dense(2, "softmax")}
  m:compile{optimizer = opt or "adam", loss = "sparse_categorical_crossentropy",
            metrics = {"accuracy"}}
  return m
end
local m = small()
local h = m:fit(x, y, {epochs = 30, batch_size = 16, verbose = 0})
t.ok(h.history.loss[30] < h.history.loss[1] / 3, "loss falls during training")
local loss, acc = m:evaluate(x, y, {verbose = 0})
t.ok(acc > 0.97, ("two blobs learned (accuracy %.3f)"):format(acc))
local p = m:predict(x)
t.is(table.concat(p:shape(), ","), "256,2", "predict gives (N, classes)")
t.near(p:sum(2):min(), 1, 1e-5, "predict gives probabilities (softmax rows sum to 1)")
t.near(((p:argmax(2) - 1):eq(y)):mean(), acc, 1e-6, "predict agrees with evaluate")

-- overfit one small batch with each optimizer
for _, opt in ipairs({"sgd", "adam", "rmsprop",
                      nn.optimizers.SGD{learning_rate = 0.1, momentum = 0.9, nesterov = true},
                      nn.optimizers.Adam{learning_rate = 0.01}}) do
  T.seed(9)
  local mm = small(opt)
  local xb, yb = x:slice(1, 1, 8), y:slice(1, 1, 8)
  local first = mm:train_on_batch(xb, yb)
  local last
  for _ = 1, 300 do last = mm:train_on_batch(xb, yb) end
  local name = type(opt) == "string" and opt or opt.kind
  t.ok(last < first * 0.1, ("%s overfits a batch of 8 (loss %.3f -> %.4f)"):format(name, first, last))
end

-- determinism: the same seed gives the same run, bit for bit
local function run(seed)
  T.seed(seed)
  local mm = small()
  mm:fit(x, y, {epochs = 2, batch_size = 32, verbose = 0})
  return mm:get_weights()
end
local a1, a2, b1 = run(11), run(11), run(12)
t.is((a1[1] - a2[1]):abs():max() + (a1[3] - a2[3]):abs():max(), 0, "same seed, same weights")
t.ok((a1[1] - b1[1]):abs():max() > 0, "another seed, other weights")

-- save and load
local path = tmp .. ".wbw"
m:save_weights(path)
local m3 = small()
m3:load_weights(path)
t.is((m3:predict(x) - p):abs():max(), 0, "save/load round trip gives the same predictions")
local bytes = read(path)
local f = io.open(path, "wb"); f:write(bytes:sub(1, #bytes - 10)); f:close()
t.raises(function() m3:load_weights(path) end, "truncated", "truncated weights file")
f = io.open(path, "wb"); f:write("hello, not weights"); f:close()
t.raises(function() m3:load_weights(path) end, "not a workbook weights file", "not a weights file")
m1:save_weights(path)
t.raises(function() m3:load_weights(path) end, "holds 6 weight tensors, the model has 4", "weights of another model")
os.remove(path)
t.raises(function() m3:load_weights(tmp .. "_missing.wbw") end, "cannot open", "missing weights file")

-- a Keras 2 HDF5 weights file (made by tests/fixtures/make_h5_fixtures.py)
do
  local mk = nn.Sequential {
    nn.Conv2D{filters = 4, kernel_size = 3, padding = "same", input_shape = {8, 8, 1}},
    nn.MaxPooling2D(2), nn.Flatten(), nn.Dense(5, "relu"), nn.Dense(3, "softmax")}
  local h5file = here .. "/../fixtures/h5/cnn_vlen.h5"
  mk:load_weights(h5file)
  local file = require("h5").read_keras_weights(h5file)
  t.is((mk:get_weights()[5] - file[5].weights[1].value):abs():max(), 0,
       "load_weights(.h5) puts the file's dense_1 kernel in the last Dense layer")
  t.raises(function() small():load_weights(h5file) end, "the file holds weights for 3 layers, the model has 2",
           "an .h5 file for another architecture")
end

-- set_weights checks count and shapes
local ws = m:get_weights()
ws[1] = T.zeros(3, 16)
t.raises(function() m:set_weights(ws) end, "entry 1 .* must have shape %(4, 16%), got %(3, 16%)", "set_weights shape")
t.raises(function() m:set_weights({}) end, "has 4 weight tensors, got 0", "set_weights count")

-- validation_split holds out the last fraction; history has val_*
T.seed(3)
local mv = small()
local hv = mv:fit(x, y, {epochs = 2, validation_split = 0.25, verbose = 0})
t.ok(hv.history.val_loss and #hv.history.val_accuracy == 2, "validation metrics recorded per epoch")
local _, vacc = mv:evaluate(x:slice(1, 193, 256), y:slice(1, 193, 256), {verbose = 0})
t.near(hv.history.val_accuracy[2], vacc, 1e-6, "validation data is the last 25%")

-- progress text when output is not a terminal: one line per epoch
local text = require "nn_text"
local bar = text.progbar(1875, {tty = false, write = function() end})
local line = bar:line(1875, {{"loss", 0.49551}, {"accuracy", 0.823}}, true)
t.ok(line:find("^1875/1875 %[==============================%] %- %d+s %d+[mu]?s/step %- loss: 0%.4955 %- accuracy: 0%.8230$"),
     "final progress line in Keras's format: " .. line)
t.ok(bar:line(100, {}, false):find("^ 100/1875 %[>%.+%] %- ETA:"), "partial bar with '>' and ETA")
t.ok(bar:line(1000, {}, false):find("^1000/1875 %[===============>%.+%]"), "half-way bar")
t.is(text.commas(1234567), "1,234,567", "thousands separators")
local out = {}
local pb = text.progbar(10, {tty = false, write = function(s) out[#out + 1] = s end})
for i = 1, 10 do pb:update(i, {{"loss", 1}}) end
pb:finish({{"loss", 1}})
t.is(#out, 1, "not a terminal: only the epoch's final line is written")

-- callbacks
T.seed(4)
local me = small(nn.optimizers.SGD{learning_rate = 0})   -- nothing improves
local he = me:fit(x, y, {epochs = 10, validation_split = 0.25, verbose = 0,
                         callbacks = {nn.callbacks.EarlyStopping{monitor = "val_loss", patience = 2}}})
t.is(#he.history.loss, 3, "EarlyStopping stops after patience epochs without improvement")
-- restore_best_weights: a learning rate too high makes the last epoch
-- worse; the model comes back with the best epoch's weights
T.seed(8)
local mr = nn.Sequential{nn.Dense{units = 16, activation = "relu", input_shape = {4}},
                         nn.Dense(2, "softmax")}
mr:compile{optimizer = nn.optimizers.SGD{learning_rate = 3}, loss = "sparse_categorical_crossentropy"}
local es = nn.callbacks.EarlyStopping{monitor = "val_loss", patience = 1, restore_best_weights = true}
local hr = mr:fit(x, y, {epochs = 10, validation_split = 0.25, verbose = 0, callbacks = {es}})
t.ok(es.stopped_epoch == #hr.history.val_loss and es.best_epoch < es.stopped_epoch,
     ("stopped at epoch %s, best epoch %s"):format(es.stopped_epoch, es.best_epoch))
t.near(mr:evaluate(x:slice(1, 193, 256), y:slice(1, 193, 256), {verbose = 0}),
       hr.history.val_loss[es.best_epoch], 1e-6, "restore_best_weights brings back the best epoch")
local ck = tmp .. "_ck{epoch}.wbw"
T.seed(4)
local mc = small()
mc:fit(x, y, {epochs = 2, validation_split = 0.25, verbose = 0,
              callbacks = {nn.callbacks.ModelCheckpoint(ck, {save_best_only = false})}})
local c2 = io.open(tmp .. "_ck2.wbw")
t.ok(c2 ~= nil, "ModelCheckpoint writes a file per epoch with {epoch} filled in")
if c2 then c2:close() end
os.remove(tmp .. "_ck1.wbw"); os.remove(tmp .. "_ck2.wbw")
-- without validation data the default monitor (val_loss) is absent; a
-- checkpoint that is not save_best_only saves every epoch all the same
-- (Keras), and says nothing about the monitor
local err_name = tmp .. "_ck_stderr.txt"
local script = tmp .. "_ck_noval.lua"
local sf = assert(io.open(script, "w"))
sf:write(([[
local nn, T = require "nn", require "tensor"
T.seed(1)
local m = nn.Sequential{nn.Dense(2, {input_shape = {3}})}
m:compile{optimizer = "sgd", loss = "mse"}
m:fit(T.randn(8, 3), T.randn(8, 2), {epochs = 2, verbose = 0,
  callbacks = {nn.callbacks.ModelCheckpoint(%q)}})
]]):format(tmp .. "_nv{epoch}.wbw"))
sf:close()
local rc = os.execute((os.getenv("WORKBOOK") or "./workbook") .. " run " .. script .. " 2> " .. err_name)
local ef = io.open(err_name); local etext = ef and ef:read("a") or ""; if ef then ef:close() end
local nv = io.open(tmp .. "_nv2.wbw")
t.ok(rc and nv ~= nil and etext == "", "ModelCheckpoint without validation data saves every epoch, no warning")
if nv then nv:close() end
for _, f in ipairs {"_nv1.wbw", "_nv2.wbw", "_ck_stderr.txt", "_ck_noval.lua"} do os.remove(tmp .. f) end

-- the whole model's backward pass against central differences: a small
-- CNN with every layer kind the labs use, loss on logits (fused softmax)
do
  local K = require "nn.core"
  T.seed(21)
  local g = nn.Sequential {
    nn.Conv2D{filters = 3, kernel_size = 3, padding = "same", activation = "tanh", input_shape = {6, 6, 2}},
    nn.MaxPooling2D(2),
    nn.Conv2D{filters = 4, kernel_size = 2, strides = 2, padding = "valid"},
    nn.AveragePooling2D{pool_size = 1},
    nn.Flatten(),
    nn.Dense(5, "sigmoid"),
    nn.Dense(3, "softmax")}
  g:compile{optimizer = "sgd", loss = "sparse_categorical_crossentropy"}
  local xg, yg = T.randn(4, 6, 6, 2), T{0, 2, 1, 2}
  local function loss_of()
    return (K.sparse_softmax_crossentropy(g:forward(xg, false, "logits_softmax"), yg, false))
  end
  local _, grad = K.sparse_softmax_crossentropy(g:forward(xg, false, "logits_softmax"), yg, true)
  g:backward(grad)
  local worst = 0
  for _, w in ipairs(g:weights(true)) do
    local flat = w.value:reshape(-1)
    local gflat = w.grad:reshape(-1)
    for k = 1, math.min(flat:numel(), 6) do
      local i = (k * 7) % flat:numel() + 1
      local v = flat[i]
      local eps = 3e-3   -- small enough that no max-pool winner flips
      flat[i] = v + eps; local lp = loss_of()
      flat[i] = v - eps; local lm = loss_of()
      flat[i] = v
      local num = (lp - lm) / (2 * eps)
      local err = math.abs(num - gflat[i]) / math.max(1e-2, math.abs(num) + math.abs(gflat[i]))
      worst = math.max(worst, err)
    end
  end
  t.ok(worst < 5e-3, ("model gradients match central differences (worst relative error %.2g)"):format(worst))
end

-- errors a student meets, each naming this script's line
local c = cnn()
c:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
local x3 = T.zeros(4, 28, 28)
t.raises(function() c:fit(x3, T.zeros(4), {verbose = 0}) end,
         "expects input %(N, 28, 28, 1%), got %(4, 28, 28%); reshape it with x:reshape%(4, 28, 28, 1%)",
         "Conv2D model given (N,28,28) says which reshape is needed")
local x4 = T.zeros(4, 28, 28, 1)
t.raises(function() c:fit(x4, T{0, 1, 10, 2}, {verbose = 0}) end,
         "label 10 out of range 0..9 %(sample 3%)", "label out of range")
t.raises(function() c:fit(x4, T{0, 1, -1, 2}, {verbose = 0}) end,
         "label %-1 out of range 0..9", "negative label")
t.raises(function() c:fit(x4, T{0, 1, 2}, {verbose = 0}) end,
         "x has 4 samples but y has 3", "mismatched x/y lengths")
local yn = T.zeros(n, 1)
yn[3] = 0 / 0
local mn = nn.Sequential{nn.Dense{units = 1, input_shape = {4}}}
mn:compile{optimizer = "sgd", loss = "mse"}
t.raises(function() mn:fit(x, yn, {epochs = 1, verbose = 0, shuffle = false}) end,
         "loss became NaN at epoch 1, batch 1; training stopped", "NaN loss stops training")
t.raises(function() nn.Sequential{nn.Dense(4), nn.Conv2D{filters = 2, kernel_size = 3}}:build({4}) end,
         "Conv2D 'conv2d_%d+': expects images %(N, H, W, C%), got %(N, 4%)", "Conv2D after Dense")
t.raises(function() nn.Sequential{nn.Conv2D{filters = 2, kernel_size = 3, input_shape = {28, 28, 1}},
                                  nn.Dense(3)} end,
         "Dense 'dense_%d+': expects a flat input %(N, features%), got %(N, 26, 26, 2%); add nn.Flatten%(%)",
         "Dense after Conv2D without Flatten")
t.raises(function() nn.Conv2D{filters = 2, kernel_size = 3, padding = "full"} end,
         "padding must be 'same' or 'valid', got 'full'", "bad padding")
t.raises(function() nn.Dense(0) end, "units must be a positive integer", "zero units")
t.raises(function() nn.Dense(3, "relux") end, "unknown activation 'relux'", "bad activation")
t.raises(function() small():compile{optimizer = "adamw", loss = "mse"} end,
         "unknown optimizer 'adamw'", "unknown optimizer")
t.raises(function() small():compile{optimizer = "adam", loss = "hinge"} end,
         "unknown loss 'hinge'", "unknown loss")
t.raises(function() nn.Sequential{nn.Dense(2, "softmax")}:fit(x, y) end,
         "compile the model first", "fit before compile")
t.raises(function() nn.optimizers.Adam{learnign_rate = 0.1} end,
         "unknown option 'learnign_rate'", "misspelt optimizer option")

-- keras.Input as a Sequential's first entry fixes the input shape
local mi = nn.Sequential{nn.Input{shape = {6}}, nn.Dense(4, "relu"), nn.Dense(2)}
t.ok(mi.built and table.concat(mi.input_shape, ",") == "6" and #mi.layers == 2,
     "Sequential{nn.Input{shape}, ...} is built for that shape, with no extra layer")
t.raises(function() nn.Sequential{nn.Dense(3, {input_shape = {2}}), nn.Input{shape = {2}}} end,
         "nn.Input can only be the first entry")

-- "accuracy" with mse on one-hot targets is Keras's categorical_accuracy
-- (argmax against argmax), not a 0.5 threshold per column: every output
-- here is below 0.5, rows 1-3 have the right argmax, row 4 not
do
  local ma = nn.Sequential{nn.Dense(3, {input_shape = {3}, use_bias = false})}
  ma:set_weights({T{{0.3, 0.1, 0.1}, {0.1, 0.3, 0.1}, {0.1, 0.1, 0.3}}})
  ma:compile{optimizer = "sgd", loss = "mse", metrics = {"accuracy"}}
  local xa = T{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}}
  local ya = T{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 1, 0}}
  local _, acc_mse = ma:evaluate(xa, ya, {verbose = 0})
  t.near(acc_mse, 0.75, 1e-6, "mse with several outputs: accuracy is categorical (argmax)")
  local mb = nn.Sequential{nn.Dense(1, {input_shape = {1}, use_bias = false})}
  mb:set_weights({T{{1}}})
  mb:compile{optimizer = "sgd", loss = "mse", metrics = {"accuracy"}}
  local _, acc_bin = mb:evaluate(T{{0.2}, {0.8}, {0.7}}, T{0, 1, 0}, {verbose = 0})
  t.near(acc_bin, 2 / 3, 1e-6, "mse with one output: accuracy thresholds at 0.5")
end

t.done()
