-- options_nn.lua - nn's options and error path: every function taking
-- options rejects a misspelt key (naming the nearest valid one) and a
-- value of the wrong type; a method called with '.' says so; errors
-- lead with this script's line, never runtime/; get_weights(copy);
-- sys.doing during fit/evaluate/predict; the registries.
local t = require "tap"
local T = require "tensor"
local nn = require "nn"
local K = require "nn.core"
local R = require "nn_registry"
local sys = require "sys"

local SRC = debug.getinfo(1, "S").short_src

-- The raw message of f's error (a coroutine: no handler relocates it),
-- which must match pattern and lead with this file's line where f is
-- written (each f below is on one line). SHOWMSG=1 prints every message.
local function fails_at(f, pattern, name)
  local line = debug.getinfo(f, "S").linedefined
  local ok, err = coroutine.resume(coroutine.create(f))
  err = tostring(err)
  local prefix = SRC .. ":" .. line .. ": "
  local good = not ok and err:sub(1, #prefix) == prefix and err:find(pattern) ~= nil
               and not err:find("runtime/", 1, true)
  t.ok(good, name)
  if os.getenv("SHOWMSG") then t.diag(err) end
  if not good then
    t.diag(ok and "no error raised" or ("message: " .. err))
    t.diag("want: " .. prefix .. pattern)
  end
end

T.seed(1)
local x = T.rand(6, 4)
local y = T{0, 1, 2, 0, 1, 2}
local function model()
  local m = nn.Sequential{nn.Dense{units = 3, activation = "softmax", input_shape = {4}}}
  m:compile{optimizer = "sgd", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
  return m
end
local m = model()
local inp = nn.Input{shape = {4}}
local img = T.rand(2, 4, 4, 1)
local dir = os.getenv("TMPDIR") or "/tmp"

-- ---- misspelt keys: one per function that takes options --------------------
local function misspelt(fn, key, want)
  return ("^.-: %s: unknown option '%s' %%(did you mean '%s'%%?%%)$"):format(fn, key, want)
end

local cases = {
  {"Dense", "activaton", "activation", function() nn.Dense{units = 10, activaton = "relu"} end},
  {"Dense", "activaton", "activation", function() nn.Dense(10, {activaton = "relu"}) end},
  {"Conv2D", "activaton", "activation", function() nn.Conv2D{filters = 2, kernel_size = 3, activaton = "relu"} end},
  {"Conv2D", "stride", "strides", function() nn.Conv2D(2, 3, {stride = 2}) end},
  {"MaxPooling2D", "stride", "strides", function() nn.MaxPooling2D{stride = 1} end},
  {"AveragePooling2D", "pool_sise", "pool_size", function() nn.AveragePooling2D{pool_sise = 2} end},
  {"GlobalAveragePooling2D", "nmae", "name", function() nn.GlobalAveragePooling2D{nmae = "g"} end},
  {"GlobalMaxPooling2D", "nmae", "name", function() nn.GlobalMaxPooling2D{nmae = "g"} end},
  {"Flatten", "input_shap", "input_shape", function() nn.Flatten{input_shap = {4}} end},
  {"Dropout", "rat", "rate", function() nn.Dropout{rat = 0.5} end},
  {"BatchNormalization", "momentun", "momentum", function() nn.BatchNormalization{momentun = 0.9} end},
  {"Activation", "activaton", "activation", function() nn.Activation{activaton = "relu"} end},
  {"Input", "nmae", "name", function() nn.Input{shape = {4}, nmae = "x"} end},
  {"Concatenate", "axsi", "axis", function() nn.Concatenate{axsi = 1} end},
  {"Add", "nmae", "name", function() nn.Add{nmae = "a"} end},
  {"Model", "output", "outputs", function() nn.Model{inputs = inp, output = inp} end},
  {"Sequential", "nmae", "name", function() nn.Sequential{nmae = "s"} end},
  {"compile", "optimiser", "optimizer", function() m:compile{optimiser = "sgd", loss = "mse"} end},
  {"compile", "metric", "metrics", function() m:compile{loss = "mse", metric = {"accuracy"}} end},
  {"fit", "epoch", "epochs", function() m:fit(x, y, {epoch = 3}) end},
  {"fit", "batchsize", "batch_size", function() m:fit(x, y, {batchsize = 128}) end},
  {"fit", "validaton_split", "validation_split", function() m:fit(x, y, {validaton_split = 0.1}) end},
  {"evaluate", "batchsize", "batch_size", function() m:evaluate(x, y, {batchsize = 2}) end},
  {"predict", "batch_sise", "batch_size", function() m:predict(x, {batch_sise = 2}) end},
  {"train_on_batch", "return_dic", "return_dict", function() m:train_on_batch(x, y, {return_dic = true}) end},
  {"EarlyStopping", "patince", "patience", function() nn.callbacks.EarlyStopping{patince = 2} end},
  {"ModelCheckpoint", "save_best", "save_best_only", function() nn.callbacks.ModelCheckpoint("w.wbw", {save_best = true}) end},
  {"SGD", "learning_rat", "learning_rate", function() nn.optimizers.SGD{learning_rat = 0.1} end},
  {"Adam", "beta1", "beta_1", function() nn.optimizers.Adam{beta1 = 0.9} end},
  {"RMSprop", "rh", "rho", function() nn.optimizers.RMSprop{rh = 0.9} end},
  {"VGG16", "include_tp", "include_top", function() nn.applications.VGG16{include_tp = false} end},
  {"InceptionV3", "weight", "weights", function() nn.applications.InceptionV3{weight = false} end},
  {"save_weights", "save_fromat", "save_format", function() m:save_weights(dir .. "/w.h5", {save_fromat = "h5"}) end},
  {"dense_forward", "activaton", "activation", function() K.dense_forward(x, T.zeros(4, 3), nil, {activaton = "relu"}) end},
  {"maxpool2d_forward", "stride", "strides", function() K.maxpool2d_forward(img, {stride = 1}) end},
  {"adam_step", "beta1", "beta_1", function() K.adam_step(T.zeros(2), T.zeros(2), T.zeros(2), T.zeros(2), 1, {beta1 = 0.5}) end},
  {"SimpleRNN", "return_sequence", "return_sequences", function() nn.SimpleRNN(4, {return_sequence = true}) end},
  {"LSTM", "unit_forget_bais", "unit_forget_bias", function() nn.LSTM(4, {unit_forget_bais = true}) end},
  {"GRU", "recurrent_dropuot", "recurrent_dropout", function() nn.GRU(4, {recurrent_dropuot = 0.1}) end},
  {"Bidirectional", "merge_mod", "merge_mode", function() nn.Bidirectional(nn.LSTM(2), {merge_mod = "sum"}) end},
  {"TimeDistributed", "nmae", "name", function() nn.TimeDistributed(nn.Dense(2), {nmae = "td"}) end},
  {"Conv1D", "kernel_sise", "kernel_size", function() nn.Conv1D{filters = 2, kernel_sise = 3} end},
  {"MaxPooling1D", "pool_sise", "pool_size", function() nn.MaxPooling1D{pool_sise = 2} end},
  {"GlobalAveragePooling1D", "nmae", "name", function() nn.GlobalAveragePooling1D{nmae = "g"} end},
  {"Embedding", "output_dimm", "output_dim", function() nn.Embedding{input_dim = 5, output_dimm = 2} end},
  {"LeakyReLU", "alpa", "alpha", function() nn.LeakyReLU{alpa = 0.1} end},
  {"ELU", "alpa", "alpha", function() nn.ELU{alpa = 0.1} end},
  {"PReLU", "shared_axis", "shared_axes", function() nn.PReLU{shared_axis = {1}} end},
  {"Adagrad", "initial_accumulator", "initial_accumulator_value", function() nn.optimizers.Adagrad{initial_accumulator = 0.1} end},
  {"Adadelta", "rh", "rho", function() nn.optimizers.Adadelta{rh = 0.9} end},
  {"Adamax", "beta1", "beta_1", function() nn.optimizers.Adamax{beta1 = 0.9} end},
  {"Nadam", "epsilom", "epsilon", function() nn.optimizers.Nadam{epsilom = 1e-8} end},
  {"LearningRateScheduler", "verbos", "verbose", function() nn.callbacks.LearningRateScheduler(function(e, lr) return lr end, {verbos = 1}) end},
  {"ReduceLROnPlateau", "min_lr_", "min_lr", function() nn.callbacks.ReduceLROnPlateau{min_lr_ = 0} end},
  {"load_weights", "by_nam", "by_name", function() m:load_weights(dir .. "/w.h5", {by_nam = true}) end},
  {"rnn_forward", "recurrent_activaton", "recurrent_activation", function() K.rnn_forward("lstm", T.zeros(1, 2, 1), T.zeros(1, 4), T.zeros(1, 4), nil, {recurrent_activaton = "tanh"}) end},
  {"nadam_step", "beta1", "beta_1", function() K.nadam_step(T.zeros(2), T.zeros(2), T.zeros(2), T.zeros(2), 1, {beta1 = 0.5}) end},
}
for _, c in ipairs(cases) do
  fails_at(c[4], misspelt(c[1], c[2], c[3]), ("%s: misspelt '%s' suggests '%s'"):format(c[1], c[2], c[3]))
end

-- a key far from every valid one lists them
fails_at(function() m:fit(x, y, {zzz = 1}) end,
         "fit: unknown option 'zzz' %(valid options: batch_size, callbacks, epochs,",
         "an unknown key with no near name lists the valid ones")
fails_at(function() m:load_weights(dir .. "/w.wbw", {by_name = true}) end,
         "load_weights: by_name needs a Keras .h5 file", "load_weights: by_name only for .h5")
fails_at(function() nn.LSTM(4, {units = "4"}) end,
         "LSTM: option 'units' must be an integer, got string", "LSTM: units' type")
fails_at(function() nn.GRU(4, {reset_after = "yes"}) end,
         "GRU: option 'reset_after' must be true or false, got string", "GRU: reset_after's type")
fails_at(function() nn.SimpleRNN(4, {activation = "softmx"}) end,
         "SimpleRNN: unknown activation 'softmx' %(did you mean 'softmax'%?%)", "SimpleRNN: misspelt activation")
fails_at(function() K.adagrad_step(T.zeros(3), T.zeros(2), T.zeros(3)) end,
         "adagrad_step: the gradient has 2 elements, the parameter has 3", "adagrad_step: sizes")
fails_at(function() K.embedding_forward(T{1.5}, T.zeros(3, 2)) end,
         "embedding_forward: id 1.5 is not an integer in 0..2", "embedding_forward: a fractional id")

-- ---- wrong types name the expected type ----------------------------------------
fails_at(function() nn.Dense{units = 10, activation = 1} end,
         "Dense: option 'activation' must be a string, got number", "Dense: activation's type")
fails_at(function() m:fit(x, y, {epochs = "3"}) end,
         "fit: option 'epochs' must be an integer, got string", "fit: epochs' type")
fails_at(function() m:fit(x, y, {epochs = 1.5}) end,
         "fit: option 'epochs' must be an integer, got number", "fit: epochs must be whole")
fails_at(function() nn.Conv2D{filters = "8", kernel_size = 3} end,
         "Conv2D: option 'filters' must be an integer, got string", "Conv2D: filters' type")
fails_at(function() nn.Dense("relu") end,
         "Dense: option 'units' must be an integer, got string", "a positional value is type-checked too")
fails_at(function() nn.optimizers.SGD{momentum = "high"} end,
         "SGD: option 'momentum' must be a number, got string", "SGD: momentum's type")
fails_at(function() nn.Dense(10, {}, 3) end,
         "Dense: takes at most 2 positional arguments", "too many positional arguments")
fails_at(function() nn.Dense(10, {units = 12}) end,
         "Dense: units is given twice", "a value given twice")

-- ---- '.' instead of ':' ------------------------------------------------------------
fails_at(function() m.compile{optimizer = "sgd", loss = "mse"} end,
         "compile: called with '.' instead of ':' %(write model:compile{...}%)", "m.compile{...}")
fails_at(function() m.fit(x, y) end,
         "fit: called with '.' instead of ':' %(write model:fit%(x, y, {...}%)%)", "m.fit(x, y)")
fails_at(function() m.evaluate(x, y) end,
         "evaluate: called with '.' instead of ':'", "m.evaluate(x, y)")
fails_at(function() m.predict(x) end, "predict: called with '.' instead of ':'", "m.predict(x)")
fails_at(function() m.summary() end, "summary: called with '.' instead of ':'", "m.summary()")
fails_at(function() m.get_weights() end, "get_weights: called with '.' instead of ':'", "m.get_weights()")
fails_at(function() m.save_weights("w.wbw") end, "save_weights: called with '.' instead of ':'",
         "m.save_weights(path)")
fails_at(function() m.train_on_batch(x, y) end, "train_on_batch: called with '.' instead of ':'",
         "m.train_on_batch(x, y)")

-- ---- positional options (Keras's keyword arguments) ----------------------------
local d = nn.Dense(10, {activation = "relu"})
t.ok(d.units == 10 and d.activation == "relu", "Dense(10, {activation = 'relu'})")
d = nn.Dense(10, "tanh", {name = "named"})
t.ok(d.activation == "tanh" and d.name == "named", "Dense(10, 'tanh', {name = ...})")
local c = nn.Conv2D(4, 3, {activation = "relu", strides = 2, padding = "same"})
t.ok(c.filters == 4 and c.kernel_size[1] == 3 and c.strides[2] == 2 and c.padding == "same"
     and c.activation == "relu", "Conv2D(4, 3, {...})")
local c2 = nn.Conv2D(4, {3, 3}, 2, "same")
t.ok(c2.strides[1] == 2 and c2.padding == "same", "Conv2D(filters, kernel_size, strides, padding), Keras's order")
local p = nn.MaxPooling2D({3, 3}, {strides = 1})
t.ok(p.pool_size[1] == 3 and p.strides[1] == 1, "MaxPooling2D({3, 3}, {strides = 1})")
local dr = nn.Dropout(0.25, {name = "drop"})
t.ok(dr.rate == 0.25 and dr.name == "drop", "Dropout(0.25, {name = ...})")
local s = nn.Sequential({nn.Dense(2, {input_shape = {4}})}, {name = "seq"})
t.ok(s.name == "seq" and s.built, "Sequential({...}, {name = ...})")
t.is(nn.Sequential{nn.Dense(2), trainable = false}.trainable, false, "Sequential{..., trainable = false}")
local cat = nn.Concatenate(1)
t.is(cat.axis, 1, "Concatenate(axis)")

-- ---- bad values: clear messages at the script's line ----------------------------
fails_at(function() nn.Conv2D{filters = 2, kernel_size = 0} end,
         "Conv2D: kernel_size must be positive integers, got 0", "kernel_size = 0")
fails_at(function() nn.Conv2D(2, {3, 0}) end,
         "Conv2D: kernel_size must be positive integers, got 0", "kernel_size = {3, 0}")
fails_at(function() nn.MaxPooling2D{pool_size = 2, strides = -1} end,
         "MaxPooling2D: strides must be positive integers, got %-1", "strides = -1")
fails_at(function() nn.Dense{units = 0} end, "Dense: units must be a positive integer, got 0", "units = 0")
fails_at(function() nn.Dense{units = 3, activation = "rellu"} end,
         "Dense: unknown activation 'rellu' %(did you mean 'relu'%?%)", "a misspelt activation")
fails_at(function() K.activation_forward("rellu", x) end,
         "activation_forward: unknown activation 'rellu' %(did you mean 'relu'%?%)",
         "nn.core suggests the nearest activation")
fails_at(function() K.dense_forward(x, T.zeros(4, 3), nil, {activation = "xyzzy"}) end,
         "dense_forward: unknown activation 'xyzzy' %(expected linear, relu, tanh, sigmoid, softmax, elu, selu, softplus, softsign, swish, gelu, hard_sigmoid%)",
         "nn.core lists its activations")
fails_at(function() m:fit(x, T{0, 1, 2, 0.5, 1, 2}, {verbose = 0}) end,
         "fit: label 0.5 is not an integer class id %(sample 4%)", "float labels")
fails_at(function() m:fit(x, T{0, 1, 2, 0, 1, 3}, {verbose = 0}) end,
         "fit: label 3 out of range 0..2 %(sample 6%)", "a label out of range")
local mc = nn.Sequential{nn.Dense{units = 3, activation = "softmax", input_shape = {4}}}
mc:compile{optimizer = "sgd", loss = "categorical_crossentropy"}
fails_at(function() mc:fit(x, y, {verbose = 0}) end,
         "fit: categorical_crossentropy wants targets of shape %(N, 3%), got %(6,%); these look like class ids",
         "class ids given to categorical_crossentropy")
fails_at(function() mc:evaluate(x, T.zeros(6, 2), {verbose = 0}) end,
         "evaluate: categorical_crossentropy wants targets of shape %(N, 3%), got %(6, 2%)",
         "targets of the wrong width")
fails_at(function() m:compile{optimizer = "sgd", loss = "categorical_crossentropie"} end,
         "compile: unknown loss 'categorical_crossentropie' %(did you mean 'categorical_crossentropy'%?%)",
         "a misspelt loss")
fails_at(function() m:compile{optimizer = "adma", loss = "mse"} end,
         "compile: unknown optimizer 'adma' %(did you mean 'adam'%?%)", "a misspelt optimizer name")
fails_at(function() m:compile{optimizer = "sgd", loss = "mse", metrics = {"accuarcy"}} end,
         "compile: unknown metric 'accuarcy' %(did you mean 'accuracy'%?%)", "a misspelt metric")
fails_at(function() m:fit(x, y, {batch_size = 0}) end,
         "fit: batch_size must be a positive integer, got 0", "batch_size = 0")
fails_at(function() m:fit(x, y, {validation_split = 1.5}) end,
         "fit: validation_split must be in %[0, 1%)", "validation_split = 1.5")
fails_at(function() m:fit(x, y, {callbacks = {{}}}) end,
         "fit: callbacks entry 1 is not a callback", "a callback that is not one")
fails_at(function() m:fit(T.rand(6, 5), y, {verbose = 0}) end,
         "fit: the model expects input %(N, 4%), got %(6, 5%)", "x of the wrong shape")
fails_at(function() nn.Sequential{nn.Dense{units = 2, input_shape = {4}}, nn.Conv2D(2, 3)} end,
         "Conv2D 'conv2d[_%d]*': expects images", "a Conv2D after a Dense (raised while building)")
fails_at(function() K.init("zeros", T.zeros(0)) end, "init: fans must be positive", "nn.core's lerror")
fails_at(function() m:set_weights({}) end, "set_weights: the model has 2 weight tensors, got 0",
         "set_weights with the wrong count")
fails_at(function() m:get_layer("nope") end, "get_layer: model '.-' has no layer named 'nope'",
         "get_layer of a missing name")
fails_at(function() m:load_weights(dir .. "/no/such/file.wbw") end, "load_weights: cannot open",
         "load_weights of a missing file")
fails_at(function() m:save_weights(dir .. "/no/such/dir/w.wbw") end, "cannot write",
         "save_weights into a missing folder")
fails_at(function() m:save_weights(dir .. "/no/such/dir/w.h5") end, "save_weights: ",
         "save_weights (.h5) into a missing folder")
fails_at(function() nn.applications.VGG16{weights = false, input_shape = {8, 8, 3}} end,
         "VGG16: input must be at least 32x32", "VGG16 with a tiny input")
fails_at(function() nn.Dense(3)(x) end, "Dense 'dense[_%d]*': can only be called on a node",
         "a layer called on a tensor")

-- ---- every public function: a wrong argument fails at this line ----------------
local unbuilt = nn.Sequential{nn.Dense(2)}
local wrong = {
  {"Dense", function() nn.Dense(-3) end},
  {"Conv2D", function() nn.Conv2D(2) end},
  {"MaxPooling2D", function() nn.MaxPooling2D("two") end},
  {"AveragePooling2D", function() nn.AveragePooling2D(2, 2, "full") end},
  {"GlobalAveragePooling2D", function() nn.GlobalAveragePooling2D("g") end},
  {"GlobalMaxPooling2D", function() nn.GlobalMaxPooling2D(1) end},
  {"Flatten", function() nn.Flatten(1) end},
  {"Dropout", function() nn.Dropout(1.5) end},
  {"BatchNormalization", function() nn.BatchNormalization{momentum = 2} end},
  {"Activation", function() nn.Activation("swiss") end},
  {"Input", function() nn.Input{shape = {0}} end},
  {"Concatenate", function() nn.Concatenate(0) end},
  {"Add", function() nn.Add()({inp}) end},
  {"Model", function() nn.Model{inputs = nn.Dense(2)(inp), outputs = inp} end},
  {"Sequential", function() nn.Sequential{"dense"} end},
  {"add", function() unbuilt:add(42) end},
  {"build", function() unbuilt:build{0} end},
  {"summary", function() unbuilt:summary() end},
  {"count_params", function() m.count_params() end},
  {"compile", function() m:compile{optimizer = 3, loss = "mse"} end},
  {"fit", function() m:fit("x", y) end},
  {"evaluate", function() m:evaluate(x, "y") end},
  {"predict", function() m:predict({1, 2}) end},
  {"train_on_batch", function() m:train_on_batch(x, T{0, 1}) end},
  {"get_weights", function() m:get_weights(1) end},
  {"set_weights", function() m:set_weights("w") end},
  {"save_weights", function() m:save_weights(42) end},
  {"load_weights", function() m:load_weights(42) end},
  {"get_layer", function() m:get_layer(7) end},
  {"EarlyStopping", function() nn.callbacks.EarlyStopping{mode = "up"} end},
  {"ModelCheckpoint", function() nn.callbacks.ModelCheckpoint() end},
  {"SGD", function() nn.optimizers.SGD("fast") end},
  {"Adam", function() nn.optimizers.Adam{lr = 0.1, learning_rate = 0.1} end},
  {"RMSprop", function() nn.optimizers.RMSprop{centered = "yes"} end},
  {"VGG16", function() nn.applications.VGG16{weights = 3} end},
  {"InceptionV3", function() nn.applications.InceptionV3{pooling = "min", weights = false} end},
  {"preprocess_input", function() nn.applications.vgg16.preprocess_input(T.zeros(2, 2)) end},
  {"decode_predictions", function() nn.applications.decode_predictions(T.zeros(2, 3)) end},
  {"concatenate", function() nn.concatenate({inp}) end},
  {"add", function() nn.add("x") end},
  {"layer call", function() nn.Flatten()(x) end},
  {"nn.core", function() K.conv2d_forward(img, T.zeros(3, 3, 2, 1)) end},
}
for _, c in ipairs(wrong) do
  fails_at(c[2], "", c[1] .. ": a wrong argument fails at the caller's line")
end

-- ---- get_weights(copy) ----------------------------------------------------------------
local gm = model()
local live = gm:get_weights(false)
live[1]:fill(7)
t.is(gm:get_weights()[1]:max(), 7, "get_weights(false): the model's own tensors (writes reach the model)")
local snap = gm:get_weights()
snap[1]:fill(3)
t.is(gm:get_weights()[1]:max(), 7, "get_weights(): copies (writes do not reach the model)")
local snap2 = gm:get_weights(true)
gm:fit(x, y, {epochs = 1, verbose = 0})
t.is(snap2[1]:max(), 7, "get_weights(true): a snapshot that training does not change")
fails_at(function() gm:get_weights("yes") end, "get_weights: copy must be true or false",
         "get_weights with a non-boolean")

-- ---- sys.doing: where training is ----------------------------------------------------------
local dm = model()
local seen = {}
local opt_apply = getmetatable(dm.optimizer).apply
dm.optimizer.apply = function(self, ws) seen[#seen + 1] = sys.doing(); return opt_apply(self, ws) end
dm:fit(x, y, {epochs = 2, batch_size = 2, verbose = 0, validation_data = {x, y}})
t.is(seen[1], "fit: epoch 1/2, step 1/3", "fit says its epoch and step")
t.is(seen[6], "fit: epoch 2/2, step 3/3", "... up to the last step")
t.is(sys.doing(), nil, "fit clears sys.doing when done")
local fwd = getmetatable(dm).forward
seen = {}
dm.forward = function(self, ...) seen[#seen + 1] = sys.doing(); return fwd(self, ...) end
dm:evaluate(x, y, {batch_size = 4, verbose = 0})
t.is(seen[2], "evaluate: step 2/2", "evaluate says its step")
dm:predict(x, {batch_size = 4})
t.is(seen[4], "predict: step 2/2", "predict says its step")
t.is(sys.doing(), nil, "predict clears sys.doing when done")
dm.forward = function() error("boom") end
t.ok(not pcall(dm.fit, dm, x, y, {verbose = 0}) and sys.doing() == nil,
     "a failed fit clears sys.doing too")

-- ---- one source of truth: nn.core's activations, the registries ----------------------
t.is(table.concat(K.activations, ","),
     "linear,relu,tanh,sigmoid,softmax,elu,selu,softplus,softsign,swish,gelu,hard_sigmoid",
     "nn.core lists the activations")
for _, a in ipairs(K.activations) do
  t.is(nn.Activation(a).activation, a, "Activation accepts nn.core's '" .. a .. "'")
end
t.is(K.output_size(28, 3, 2, "valid"), 13, "nn.core's output size (valid)")
t.is(K.output_size(28, 3, 2, "same"), 14, "nn.core's output size (same)")
R.losses.test_mse = R.losses.mse            -- one entry adds a loss
local rm = nn.Sequential{nn.Dense{units = 1, input_shape = {4}}}
rm:compile{optimizer = "adam", loss = "test_mse"}
local h = rm:fit(x, T.rand(6, 1), {epochs = 1, verbose = 0})
t.ok(h.history.loss[1] > 0, "a loss added to the registry trains")
R.losses.test_mse = nil

-- ---- Keras's other option forms ------------------------------------------------------------
local em = model()
local loss, acc = em:evaluate(x, y, {verbose = 0})
local dict = em:evaluate(x, y, {verbose = 0, return_dict = true})
t.ok(dict.loss == loss and dict.accuracy == acc, "evaluate{return_dict = true}")
local tb = em:train_on_batch(x, y, {return_dict = true})
t.ok(type(tb.loss) == "number" and type(tb.accuracy) == "number", "train_on_batch{return_dict = true}")
local written = {}
local io_write = io.write
io.write = function(...) for _, v in ipairs({...}) do written[#written + 1] = v end end
local pred = em:predict(x, {batch_size = 2, verbose = 1})
io.write = io_write
t.ok(table.concat(written):find("3/3 %[=+%]") ~= nil, "predict{verbose = 1} shows a progress bar")
t.is(table.concat(pred:shape(), ","), "6,3", "... and still predicts")
local ck = nn.callbacks.ModelCheckpoint{filepath = "w{epoch}.wbw", monitor = "loss", mode = "min"}
t.ok(ck.filepath == "w{epoch}.wbw" and ck.monitor == "loss", "ModelCheckpoint{filepath = ...}")
fails_at(function() nn.callbacks.ModelCheckpoint("w.wbw", {save_weights_only = false}) end,
         "ModelCheckpoint: only weights can be saved", "ModelCheckpoint says it saves weights only")
t.is(nn.optimizers.SGD{lr = 0.5}.learning_rate, 0.5, "SGD{lr = ...}: Keras's old name")
t.is(nn.optimizers.Adam().learning_rate, 1e-3, "Adam(): Keras's defaults")

-- ---- weight files: atomic writes -----------------------------------------------------------
local wdir = dir .. "/options_nn_" .. tostring(os.time())
sys.mkdir_p(wdir)
m:save_weights(wdir .. "/m.wbw")
m:save_weights(wdir .. "/m.h5")
local m2 = model()
m2:load_weights(wdir .. "/m.wbw")
t.is(m2:get_weights()[1]:tobytes(), m:get_weights()[1]:tobytes(), ".wbw round trip")
m2 = model()
m2:load_weights(wdir .. "/m.h5")
t.is(m2:get_weights()[1]:tobytes(), m:get_weights()[1]:tobytes(), ".h5 round trip")
m:save_weights(wdir .. "/forced", {save_format = "h5"})
local f = io.open(wdir .. "/forced", "rb")
t.is(f and f:read(4), "\137HDF", "save_format = 'h5' writes HDF5 whatever the name")
if f then f:close() end
local listing = io.popen("ls -a " .. wdir):read("a")
t.ok(not listing:find("tmp"), "no temporary files left behind")
os.execute("rm -rf " .. wdir)

t.done()
