-- nn_save.lua - whole models in Keras 2.6's model.save HDF5 layout:
--
--   S.save(model, path)   model:save(path): root attributes keras_version,
--     backend, model_config (the architecture as Keras's JSON) and
--     training_config (loss, metrics, optimizer_config); the weights in
--     the group model_weights, laid out as save_weights lays them out;
--     the optimizer's state (iteration count and slots, Keras's names
--     and order) in optimizer_weights. Written atomically.
--   S.load(path) -> model   nn.models.load_model(path): rebuilds a
--     Sequential or functional model (one input, one output, no shared
--     layers) from model_config, loads the weights, compiles
--     from training_config and restores the optimizer's state, so
--     training goes on where it stopped. Reads files we write and ones
--     Keras 2.6 writes for the layers the workbook has; the file is read
--     in the isolated reader process (h5.read_keras_weights).
local T = require "tensor"
local K = require "nn.core"
local B = require "nn_base"
local R = require "nn_registry"
local h5 = require "h5"
local sys = require "sys"
local json_decode = require "frame_json"
local keras_h5 = require "keras_h5"

local fail = B.fail
local S = {}

-- ---- a small JSON writer with Keras's key order ------------------------------
-- obj{"k1", v1, "k2", v2, ...} keeps the order; NULL stands for null.

local NULL = setmetatable({}, {__tostring = function() return "null" end})
local OBJ, ARR = {}, {}
local function obj(t) return setmetatable(t, OBJ) end
local function arr(t) return setmetatable(t, ARR) end

-- Python's repr of a float: the shortest text that reads back exactly
local function number(v)
  if math.type(v) == "integer" then return tostring(v) end
  if v ~= v or v == math.huge or v == -math.huge then
    fail("save: %s cannot be written as JSON", tostring(v))
  end
  local s
  for p = 1, 17 do
    s = ("%." .. p .. "g"):format(v)
    if tonumber(s) == v then break end
  end
  if not s:find("[%.eEn]") then s = s .. ".0" end
  -- Python writes 1e-07 where C writes 1e-07 too; both use two digits
  return s
end

local function encode(v, out)
  local t = type(v)
  if v == NULL then out[#out + 1] = "null"
  elseif t == "boolean" then out[#out + 1] = tostring(v)
  elseif t == "number" then out[#out + 1] = number(v)
  elseif t == "string" then
    out[#out + 1] = '"' .. v:gsub('[%c"\\]', function(c)
      local named = {['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r"}
      return named[c] or ("\\u%04x"):format(c:byte())
    end) .. '"'
  elseif getmetatable(v) == OBJ then
    out[#out + 1] = "{"
    for i = 1, #v, 2 do
      if i > 1 then out[#out + 1] = ", " end
      encode(v[i], out)
      out[#out + 1] = ": "
      encode(v[i + 1], out)
    end
    out[#out + 1] = "}"
  elseif t == "table" then
    out[#out + 1] = "["
    for i, e in ipairs(v) do
      if i > 1 then out[#out + 1] = ", " end
      encode(e, out)
    end
    out[#out + 1] = "]"
  else
    fail("save: a %s cannot be written as JSON", t)
  end
end

local function to_json(v)
  local out = {}
  encode(v, out)
  return table.concat(out)
end
S.to_json = to_json

-- ---- layer configs ---------------------------------------------------------------

-- initializer names <-> Keras's serialized objects
local INIT_CLASS = {glorot_uniform = "GlorotUniform", glorot_normal = "GlorotNormal",
                    he_uniform = "HeUniform", he_normal = "HeNormal",
                    lecun_uniform = "LecunUniform", lecun_normal = "LecunNormal",
                    zeros = "Zeros", ones = "Ones", orthogonal = "Orthogonal",
                    random_uniform = "RandomUniform", random_normal = "RandomNormal"}
local INIT_NAME = {}
for k, v in pairs(INIT_CLASS) do INIT_NAME[v] = k end

local function init_config(name)
  local cls = INIT_CLASS[name]
  if not cls then return name end
  if name == "zeros" or name == "ones" then return obj{"class_name", cls, "config", obj{}} end
  if name == "orthogonal" then
    return obj{"class_name", cls, "config", obj{"gain", 1.0, "seed", NULL}}
  end
  if name == "random_uniform" then
    return obj{"class_name", cls, "config", obj{"minval", -0.05, "maxval", 0.05, "seed", NULL}}
  end
  if name == "random_normal" then
    return obj{"class_name", cls, "config", obj{"mean", 0.0, "stddev", 0.05, "seed", NULL}}
  end
  return obj{"class_name", cls, "config", obj{"seed", NULL}}
end

local function ints(t) local o = {} for i, v in ipairs(t) do o[i] = math.tointeger(v) or v end return arr(o) end

local REGS = {"kernel_regularizer", NULL, "bias_regularizer", NULL,
              "activity_regularizer", NULL, "kernel_constraint", NULL, "bias_constraint", NULL}
local function with(t, more) for _, v in ipairs(more) do t[#t + 1] = v end return t end

-- class -> function(layer) -> the config entries after name/trainable/dtype
local CONFIG = {}
CONFIG.Dense = function(l)
  return with({"units", l.units, "activation", l.activation, "use_bias", l.use_bias,
               "kernel_initializer", init_config(l.kernel_initializer),
               "bias_initializer", init_config(l.bias_initializer)}, REGS)
end
CONFIG.Conv2D = function(l)
  return with({"filters", l.filters, "kernel_size", ints(l.kernel_size),
               "strides", ints(l.strides), "padding", l.padding,
               "data_format", "channels_last", "dilation_rate", arr{1, 1}, "groups", 1,
               "activation", l.activation, "use_bias", l.use_bias,
               "kernel_initializer", init_config(l.kernel_initializer),
               "bias_initializer", init_config(l.bias_initializer)}, REGS)
end
CONFIG.Conv1D = function(l)
  return with({"filters", l.filters, "kernel_size", arr{l.kernel_size},
               "strides", arr{l.strides}, "padding", l.padding,
               "data_format", "channels_last", "dilation_rate", arr{1}, "groups", 1,
               "activation", l.activation, "use_bias", l.use_bias,
               "kernel_initializer", init_config(l.kernel_initializer),
               "bias_initializer", init_config(l.bias_initializer)}, REGS)
end
local function pool(l)
  return {"pool_size", ints(l.pool_size), "padding", l.padding, "strides", ints(l.strides),
          "data_format", "channels_last"}
end
CONFIG.MaxPooling2D, CONFIG.AveragePooling2D = pool, pool
CONFIG.Flatten = function() return {"data_format", "channels_last"} end
CONFIG.GlobalAveragePooling2D = function() return {"data_format", "channels_last", "keepdims", false} end
CONFIG.GlobalMaxPooling2D = CONFIG.GlobalAveragePooling2D
CONFIG.Dropout = function(l) return {"rate", l.rate, "noise_shape", NULL, "seed", NULL} end
CONFIG.Activation = function(l) return {"activation", l.activation} end
CONFIG.BatchNormalization = function(l)
  return {"axis", -1, "momentum", l.momentum, "epsilon", l.epsilon,
          "center", l.center, "scale", l.scale,
          "beta_initializer", init_config("zeros"), "gamma_initializer", init_config("ones"),
          "moving_mean_initializer", init_config("zeros"),
          "moving_variance_initializer", init_config("ones"),
          "beta_regularizer", NULL, "gamma_regularizer", NULL,
          "beta_constraint", NULL, "gamma_constraint", NULL}
end
CONFIG.Embedding = function(l)
  local c = {"input_dim", l.input_dim, "output_dim", l.output_dim,
             "embeddings_initializer", init_config(l.embeddings_initializer),
             "embeddings_regularizer", NULL, "activity_regularizer", NULL,
             "embeddings_constraint", NULL, "mask_zero", false,
             "input_length", l.input_shape_opt and math.tointeger(l.input_shape_opt[1]) or NULL}
  return c
end
local function rnn(l)
  local c = {"return_sequences", l.return_sequences, "return_state", l.return_state,
             "go_backwards", l.go_backwards, "stateful", false, "unroll", false,
             "time_major", false, "units", l.units, "activation", l.activation_name}
  if l.recurrent_activation then with(c, {"recurrent_activation", l.recurrent_activation}) end
  with(c, {"use_bias", l.use_bias,
           "kernel_initializer", init_config(l.kernel_initializer),
           "recurrent_initializer", init_config(l.recurrent_initializer),
           "bias_initializer", init_config(l.bias_initializer)})
  if l.class == "LSTM" then with(c, {"unit_forget_bias", l.unit_forget_bias}) end
  with(c, {"kernel_regularizer", NULL, "recurrent_regularizer", NULL, "bias_regularizer", NULL,
           "activity_regularizer", NULL, "kernel_constraint", NULL,
           "recurrent_constraint", NULL, "bias_constraint", NULL,
           "dropout", l.dropout or 0.0, "recurrent_dropout", l.recurrent_dropout or 0.0})
  if l.class == "LSTM" then with(c, {"implementation", 2}) end
  if l.class == "GRU" then with(c, {"implementation", 2, "reset_after", l.reset_after}) end
  return c
end
CONFIG.SimpleRNN, CONFIG.LSTM, CONFIG.GRU = rnn, rnn, rnn
CONFIG.Concatenate = function(l) return {"axis", l.axis} end
CONFIG.Add = function() return {} end
CONFIG.Conv2DTranspose = function(l)
  return with(CONFIG.Conv2D(l), {"output_padding", l.output_padding and ints(l.output_padding) or NULL})
end
CONFIG.UpSampling2D = function(l)
  return {"size", ints(l.size), "data_format", "channels_last", "interpolation", l.interpolation}
end
CONFIG.Reshape = function(l) return {"target_shape", ints(l.target_shape)} end

local function batch_shape(s)
  local t = {NULL}
  for i, v in ipairs(s) do t[i + 1] = math.tointeger(v) end
  return arr(t)
end

local function layer_config(l, first_shape)
  local make = CONFIG[l.class]
  if not make or l.is_model then
    fail("save: layer '%s' (%s) cannot be saved as a whole model yet; use save_weights",
         tostring(l.name), tostring(l.class))
  end
  local c = {"name", l.name, "trainable", l.trainable ~= false}
  if first_shape then with(c, {"batch_input_shape", batch_shape(first_shape)}) end
  with(c, {"dtype", "float32"})
  with(c, make(l))
  return obj{"class_name", l.class, "config", obj(c)}
end

local function input_config(name, shape)
  return obj{"batch_input_shape", batch_shape(shape), "dtype", "float32",
             "sparse", false, "ragged", false, "name", name}
end

-- a functional model (one input, one output, no shared layers): every
-- layer with the node it was called on, as Keras's get_config gives it
local function functional_config(model)
  local layers = {}
  for _, l in ipairs(model.layers) do
    local entry
    if l.class == "InputLayer" then
      entry = obj{"class_name", "InputLayer", "config", input_config(l.name, l.output_shape),
                  "name", l.name, "inbound_nodes", arr{}}
    else
      if l.return_state then
        fail("save: layer '%s' returns its states; such models cannot be saved whole yet", l.name)
      end
      local c = layer_config(l)
      local inbound = {}
      for i, p in ipairs(l.node.inbound) do
        inbound[i] = arr{p.layer.name, p.node_index or 0, 0, obj{}}
      end
      entry = obj{"class_name", l.class, "config", c[4], "name", l.name,
                  "inbound_nodes", arr{arr(inbound)}}
    end
    layers[#layers + 1] = entry
  end
  local inp, out = model.input_node.layer.name, model.output_node.layer.name
  return obj{"class_name", "Functional", "config", obj{"name", model.name, "layers", arr(layers),
             "input_layers", arr{arr{inp, 0, 0}}, "output_layers", arr{arr{out, 0, 0}}}}
end

local function model_config(model)
  if model.class == "Functional" then return functional_config(model) end
  if model.class ~= "Sequential" then
    fail("save: only Sequential and functional models can be saved whole; use save_weights")
  end
  if not model.built then fail("save: the model is not built yet (give input_shape or fit it)") end
  local layers = {obj{"class_name", "InputLayer", "config",
                      input_config(model.layers[1].name .. "_input", model.input_shape)}}
  for i, l in ipairs(model.layers) do
    layers[#layers + 1] = layer_config(l, i == 1 and model.input_shape)
  end
  return obj{"class_name", "Sequential", "config", obj{"name", model.name, "layers", arr(layers)}}
end

-- ---- the optimizer ---------------------------------------------------------------

-- Keras's config keys in its order, and its slot names for our state's
local OPT = {
  SGD = {keys = {"learning_rate", "decay", "momentum", "nesterov"}, slots = {{"v", "momentum"}}},
  Adam = {keys = {"learning_rate", "decay", "beta_1", "beta_2", "epsilon", "amsgrad"},
          slots = {{"m", "m"}, {"v", "v"}}},
  RMSprop = {keys = {"learning_rate", "decay", "rho", "momentum", "epsilon", "centered"},
             slots = {{"ms", "rms"}, {"mom", "momentum"}, {"mg", "mg"}}},
  Adagrad = {keys = {"learning_rate", "decay", "initial_accumulator_value", "epsilon"},
             slots = {{"acc", "accumulator"}}},
  Adadelta = {keys = {"learning_rate", "decay", "rho", "epsilon"},
              slots = {{"acc", "accum_grad"}, {"up", "accum_var"}}},
  Adamax = {keys = {"learning_rate", "decay", "beta_1", "beta_2", "epsilon"},
            slots = {{"m", "m"}, {"v", "v"}}},
  Nadam = {keys = {"learning_rate", "decay", "beta_1", "beta_2", "epsilon"},
           slots = {{"m", "m"}, {"v", "v"}}},
}

local function optimizer_config(opt)
  local c = {"name", opt.kind}
  for _, k in ipairs(OPT[opt.kind].keys) do
    local v = opt.config[k]
    if k == "decay" then v = 0.0 elseif k == "amsgrad" then v = false end
    with(c, {k, v})
  end
  return obj{"class_name", opt.kind, "config", obj(c)}
end

-- the slots this optimizer keeps (its state() decides: RMSprop's
-- momentum and mg only with momentum > 0 and centered)
local function present_slots(opt)
  local probe = opt.entry.state(opt.config, function() return T.zeros(1) end)
  local out = {}
  for _, s in ipairs(OPT[opt.kind].slots) do
    if probe[s[1]] ~= nil and T.is_tensor(probe[s[1]]) then out[#out + 1] = s end
  end
  return out
end

local function base_name(w) return (w.name:gsub(":0$", "")) end

-- Keras's optimizer.weights: iterations, then each slot for every
-- trainable weight in order (all the m's, then all the v's)
local function optimizer_weights(model)
  local opt = model.optimizer
  if not opt or opt.iterations == 0 then return nil end
  local ws = {{name = opt.kind .. "/iter:0", value = T({opt.iterations}):reshape({})}}
  local trainable = model:weights(true)
  for _, s in ipairs(present_slots(opt)) do
    for _, w in ipairs(trainable) do
      local st = opt.state[w]
      local v = st and st[s[1]] or T.zeros(w.value:shape())
      ws[#ws + 1] = {name = ("%s/%s/%s:0"):format(opt.kind, base_name(w), s[2]), value = v}
    end
  end
  return ws
end

local function training_config(model)
  if not model.compiled then return nil end
  local metrics = {}
  local fn = ({sparse_categorical_crossentropy = "sparse_categorical_accuracy",
               categorical_crossentropy = "categorical_accuracy",
               binary_crossentropy = "binary_accuracy"})[model.loss] or "binary_accuracy"
  for _, m in ipairs(model.metrics or {}) do
    metrics[#metrics + 1] = obj{"class_name", "MeanMetricWrapper", "config",
                                obj{"name", m.name, "dtype", "float32", "fn", fn}}
  end
  return obj{"loss", model.loss, "metrics", arr{arr(metrics)}, "weighted_metrics", NULL,
             "loss_weights", NULL, "optimizer_config", optimizer_config(model.optimizer)}
end

function S.save(model, path)
  if type(path) ~= "string" then fail("save: a file path is required, got %s", type(path)) end
  local mc = to_json(model_config(model))
  local tc = training_config(model)
  local layers = {}
  for i, l in ipairs(model.layers) do
    local ws = {}
    for j, w in ipairs(keras_h5.legacy_order(l)) do ws[j] = {name = w.name, value = w.value} end
    layers[i] = {name = l.name, weights = ws}
  end
  local o = {model_config = mc, training_config = tc and to_json(tc),
             optimizer = optimizer_weights(model)}
  local ok, err = pcall(h5.write_keras_model, path, layers, o)
  if not ok then fail("save: %s", keras_h5.unpositioned(err)) end
end

-- ---- loading -------------------------------------------------------------------

-- decoded JSON (frame_json's {obj, keys} / {arr, n}) helpers
local function field(o, k) return type(o) == "table" and o.obj and o.obj[k] end
local function list(a)
  if type(a) ~= "table" or not a.arr then return nil end
  local t = {}
  for i = 1, a.n do t[i] = a.arr[i] end
  return t, a.n
end

local function decode(text, path, what)
  local ok, v = pcall(json_decode, text, path)
  if not ok then
    fail("load_model: %s: its %s is not valid JSON (%s)", path, what,
         keras_h5.unpositioned(v):gsub("^read_json: ", ""))
  end
  return v
end

local function init_name(v)
  if type(v) == "string" then return v end
  local n = INIT_NAME[field(v, "class_name") or ""]
  return n
end

local function shape_of(bis)
  local t, n = list(bis)
  if not t then return nil end
  local s = {}
  for i = 2, n do
    if type(t[i]) ~= "number" then return nil end
    s[#s + 1] = math.tointeger(t[i])
  end
  return s
end

local function one(v) local t = list(v); if t then return t[1] end return v end
local function pair(v) local t = list(v); if t then return t end return v end

-- class -> function(config) -> our options (name etc. added after)
local OPTIONS = {}
OPTIONS.Dense = function(c)
  return {units = field(c, "units"), activation = field(c, "activation"),
          use_bias = field(c, "use_bias"),
          kernel_initializer = init_name(field(c, "kernel_initializer")),
          bias_initializer = init_name(field(c, "bias_initializer"))}
end
OPTIONS.Conv2D = function(c)
  local o = OPTIONS.Dense(c)
  o.units = nil
  o.filters, o.kernel_size = field(c, "filters"), pair(field(c, "kernel_size"))
  o.strides, o.padding = pair(field(c, "strides")), field(c, "padding")
  return o
end
OPTIONS.Conv1D = function(c)
  local o = OPTIONS.Conv2D(c)
  o.kernel_size, o.strides = one(o.kernel_size), one(o.strides)
  return o
end
local function pool_options(c)
  return {pool_size = pair(field(c, "pool_size")), strides = pair(field(c, "strides")),
          padding = field(c, "padding")}
end
OPTIONS.MaxPooling2D, OPTIONS.AveragePooling2D = pool_options, pool_options
local function none() return {} end
OPTIONS.Flatten, OPTIONS.GlobalAveragePooling2D, OPTIONS.GlobalMaxPooling2D = none, none, none
OPTIONS.Dropout = function(c) return {rate = field(c, "rate")} end
OPTIONS.Activation = function(c) return {activation = field(c, "activation")} end
OPTIONS.BatchNormalization = function(c)
  return {momentum = field(c, "momentum"), epsilon = field(c, "epsilon"),
          center = field(c, "center"), scale = field(c, "scale")}
end
OPTIONS.Embedding = function(c)
  return {input_dim = field(c, "input_dim"), output_dim = field(c, "output_dim"),
          embeddings_initializer = init_name(field(c, "embeddings_initializer")),
          input_length = field(c, "input_length")}
end
local function rnn_options(c)
  local o = {units = field(c, "units"), activation = field(c, "activation"),
             use_bias = field(c, "use_bias"),
             kernel_initializer = init_name(field(c, "kernel_initializer")),
             recurrent_initializer = init_name(field(c, "recurrent_initializer")),
             bias_initializer = init_name(field(c, "bias_initializer")),
             dropout = field(c, "dropout"), recurrent_dropout = field(c, "recurrent_dropout"),
             return_sequences = field(c, "return_sequences"),
             return_state = field(c, "return_state"), go_backwards = field(c, "go_backwards")}
  return o
end
OPTIONS.SimpleRNN = rnn_options
-- LSTM and GRU: a recurrent activation and one option of their own
local function gated(own)
  return function(c)
    local o = rnn_options(c)
    o.recurrent_activation, o[own] = field(c, "recurrent_activation"), field(c, own)
    return o
  end
end
OPTIONS.LSTM, OPTIONS.GRU = gated("unit_forget_bias"), gated("reset_after")
OPTIONS.Concatenate = function(c) return {axis = math.tointeger(field(c, "axis"))} end
OPTIONS.Add = none
OPTIONS.Conv2DTranspose = function(c)
  local o = OPTIONS.Conv2D(c)
  o.output_padding = list(field(c, "output_padding"))
  return o
end
OPTIONS.UpSampling2D = function(c)
  return {size = pair(field(c, "size")), interpolation = field(c, "interpolation")}
end
OPTIONS.Reshape = function(c) return {target_shape = list(field(c, "target_shape"))} end

local function supported()
  local t = {}
  for k in pairs(OPTIONS) do t[#t + 1] = k end
  table.sort(t)
  return table.concat(t, ", ")
end

local new_layer

local function build_sequential(nn, mc, path)
  local cfg = field(mc, "config")
  local entries = list(field(cfg, "layers")) or list(cfg)
  if not entries then fail("load_model: %s: model_config has no layer list", path) end
  local input_shape
  local layers = {}
  for i, e in ipairs(entries) do
    local class, c = field(e, "class_name"), field(e, "config")
    if type(class) ~= "string" then
      fail("load_model: %s: model_config layer %d has no class_name", path, i)
    end
    if class == "InputLayer" then
      input_shape = shape_of(field(c, "batch_input_shape"))
    else
      local s = shape_of(field(c, "batch_input_shape"))
      layers[#layers + 1] = new_layer(nn, class, c, path, i,
                                      #layers == 0 and (s or input_shape))
    end
  end
  if #layers == 0 then fail("load_model: %s: model_config has no layers", path) end
  return nn.Sequential(layers, {name = field(cfg, "name")})
end

-- a functional model_config: Inputs, then each layer called on the
-- nodes its inbound_nodes name (one call each: no shared layers)
local function build_functional(nn, mc, path)
  local cfg = field(mc, "config")
  local entries = list(field(cfg, "layers"))
  if not entries then fail("load_model: %s: model_config has no layer list", path) end
  local nodes = {}
  for i, e in ipairs(entries) do
    local class, c = field(e, "class_name"), field(e, "config")
    local name = field(e, "name") or field(c, "name")
    if type(class) ~= "string" or type(name) ~= "string" then
      fail("load_model: %s: model_config layer %d has no class_name or name", path, i)
    end
    if class == "InputLayer" then
      local s = shape_of(field(c, "batch_input_shape"))
      if not s then fail("load_model: %s: input '%s' has no batch_input_shape", path, name) end
      nodes[name] = nn.Input{shape = s, name = name}
    else
      local calls = list(field(e, "inbound_nodes")) or {}
      if #calls ~= 1 then
        fail("load_model: %s: layer '%s' is called %d times; shared layers are not supported",
             path, name, #calls)
      end
      local ins = {}
      for j, ref in ipairs(list(calls[1]) or {}) do
        local from = (list(ref) or {})[1]
        ins[j] = nodes[from]
        if not ins[j] then
          fail("load_model: %s: layer '%s' takes '%s', which comes later or is missing",
               path, name, tostring(from))
        end
      end
      if #ins == 0 then fail("load_model: %s: layer '%s' has no inbound node", path, name) end
      local l = new_layer(nn, class, c, path, i)
      nodes[name] = l(#ins == 1 and not l.multi_input and ins[1] or ins)
    end
  end
  local function only(key)
    local refs = list(field(cfg, key)) or {}
    if #refs ~= 1 then
      fail("load_model: %s: %s names %d tensors; one input and one output are supported",
           path, key, #refs)
    end
    local node = nodes[(list(refs[1]) or {})[1]]
    if not node then fail("load_model: %s: %s names a layer not in the model", path, key) end
    return node
  end
  return nn.Model{inputs = only("input_layers"), outputs = only("output_layers"),
                  name = field(cfg, "name")}
end

function new_layer(nn, class, c, path, i, input_shape)
  -- our options from a Keras layer config
  local make = OPTIONS[class]
  if not make or not nn[class] then
    fail("load_model: layer class '%s' is not supported by the workbook (%s: layer %d; " ..
         "supported: %s)", class, path, i, supported())
  end
  local o = make(c)
  -- initializers we lack are left at the default (the weights are loaded)
  for _, k in ipairs{"kernel_initializer", "bias_initializer", "recurrent_initializer",
                     "embeddings_initializer"} do
    if o[k] and not INIT_CLASS[o[k]] then o[k] = nil end
  end
  o.name, o.trainable = field(c, "name"), field(c, "trainable")
  if input_shape then o.input_shape = input_shape end
  for k, v in pairs(o) do
    if math.type(v) == "float" and v % 1 == 0 and (k == "units" or k == "filters" or
        k == "input_dim" or k == "output_dim" or k == "input_length") then
      o[k] = math.tointeger(v)
    end
    if type(v) == "table" then
      for j, x in ipairs(v) do v[j] = math.tointeger(x) or x end
    end
  end
  if o.input_length then o.input_length = math.tointeger(o.input_length) end
  return nn[class](o)
end

local function compile_from(model, tc, path)
  local oc = field(tc, "optimizer_config")
  local kind = field(oc, "class_name")
  if not kind then return end
  if not R.optimizers[kind] then
    fail("load_model: %s: optimizer '%s' is not supported by the workbook", path, tostring(kind))
  end
  local c = field(oc, "config")
  local o = {}
  for k in pairs(R.optimizers[kind].defaults) do
    local v = field(c, k)
    if k == "learning_rate" and type(v) ~= "number" then v = field(c, "lr") end
    if v ~= nil then o[k] = v end
  end
  local metrics = {}
  for _, m in ipairs(list(field(tc, "metrics")) or {}) do
    local inner = list(m) or {m}
    for _, e in ipairs(inner) do
      local name = type(e) == "string" and e or field(field(e, "config"), "name")
      if name == "acc" or name == "accuracy" then metrics[#metrics + 1] = "accuracy" end
    end
  end
  local loss = field(tc, "loss")
  if type(loss) ~= "string" then
    fail("load_model: %s: training_config's loss is not a name the workbook knows", path)
  end
  model:compile{optimizer = R.new_optimizer(kind, o), loss = loss, metrics = metrics}
end

local function restore_optimizer(model, fws, path)
  local opt = model.optimizer
  if not (opt and fws and #fws > 0) then return end
  local slots = present_slots(opt)
  local trainable = model:weights(true)
  if #fws ~= 1 + #slots * #trainable then
    fail("load_model: %s: optimizer_weights holds %d tensors, the %s optimizer of this " ..
         "model keeps %d", path, #fws, opt.kind, 1 + #slots * #trainable)
  end
  local iter = fws[1].value:reshape(1):item()
  local k = 1
  local states = {}
  for _, s in ipairs(slots) do
    for _, w in ipairs(trainable) do
      k = k + 1
      local v = fws[k].value
      if table.concat(v:shape(), ",") ~= table.concat(w.value:shape(), ",") then
        fail("load_model: %s: optimizer weight '%s' has shape %s, weight '%s' has %s",
             path, fws[k].name, B.shape_str(v:shape()), w.name, B.shape_str(w.value:shape()))
      end
      local st = states[w]
      if not st then
        st = opt.entry.state(opt.config, function() return T.zeros(w.value:shape()) end)
        states[w] = st
      end
      st[s[1]]:copy(v)
    end
  end
  if opt.kind == "Nadam" then
    local sched = 1
    for t = 1, iter do sched = sched * K.nadam_mu(t, opt.config.beta_1) end
    for _, st in pairs(states) do st.sched = sched end
  end
  if #slots == 0 then
    for _, w in ipairs(trainable) do
      states[w] = opt.entry.state(opt.config, function() return T.zeros(w.value:shape()) end)
    end
  end
  for w, st in pairs(states) do opt.state[w] = st end
  opt.iterations = math.tointeger(iter) or math.floor(iter + 0.5)
end

function S.load(path)
  if type(path) ~= "string" then fail("load_model: a file path is required, got %s", type(path)) end
  local ok, file = pcall(h5.read_keras_weights, path)
  if not ok then fail("load_model: %s", keras_h5.unpositioned(file)) end
  if not file.model_config then
    fail("load_model: %s holds weights only (no model_config); build the model in the " ..
         "script and use model:load_weights(path)", path)
  end
  local nn = require "nn"
  local mc = decode(file.model_config, path, "model_config")
  local class = field(mc, "class_name")
  local model
  if class == "Sequential" then
    model = build_sequential(nn, mc, path)
  elseif class == "Functional" or class == "Model" then
    model = build_functional(nn, mc, path)
  else
    fail("load_model: %s: a %s model; Sequential and Functional models can be loaded",
         path, tostring(class))
  end
  if not model.built then
    fail("load_model: %s: model_config gives no input shape (batch_input_shape)", path)
  end
  keras_h5.load_file(model:h5_layers(), file, path)
  if file.training_config then
    compile_from(model, decode(file.training_config, path, "training_config"), path)
    if file.optimizer_error then
      fail("load_model: the optimizer's state cannot be read: %s", file.optimizer_error)
    end
    restore_optimizer(model, file.optimizer_weights, path)
  end
  return model
end

return S
