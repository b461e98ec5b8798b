-- nn.lua - the Keras-style model API: layers, the graph runner under
-- Sequential and functional models, freezing, compile, fit, evaluate,
-- predict, weights. The arithmetic is C (nn.core, runtime/lnn.c); this
-- file keeps the bookkeeping a Keras user expects. The functional API
-- is in nn_functional.lua, nn.applications in nn_applications.lua.
local T = require "tensor"
local K = require "nn.core"
local text = require "nn_text"
local sys = require "sys"

local nn = {}

-- ---- helpers -----------------------------------------------------------

-- Errors name the script line that called into the runtime.
local fail = require "script_error"

local function shape_str(s)
  return "(" .. table.concat(s, ", ") .. (#s == 1 and ",)" or ")")
end

local function batch_shape_str(s)
  local t = {"N"}
  for _, v in ipairs(s) do t[#t + 1] = tostring(v) end
  return "(" .. table.concat(t, ", ") .. ")"
end

-- Keras layer names are counted per session and per kind.
local uids = {}
local function unique_name(prefix)
  local n = uids[prefix] or 0
  uids[prefix] = n + 1
  return n == 0 and prefix or (prefix .. "_" .. n)
end
function nn.reset_names() uids = {} end

-- Keras counts Input layers from 1: input_1, input_2, ...
local function unique_name1(prefix)
  local n = (uids[prefix] or 0) + 1
  uids[prefix] = n
  return prefix .. "_" .. n
end

local function pair(v, what)
  if type(v) == "number" then return {v, v} end
  if type(v) == "table" and #v == 2 then return {v[1], v[2]} end
  fail("%s must be a number or a pair {h, w}, got %s", what, tostring(v))
end

local ACTIVATIONS = {linear = true, relu = true, tanh = true, sigmoid = true,
                     softmax = true}
local function check_activation(a)
  a = a or "linear"
  if not ACTIVATIONS[a] then
    fail("unknown activation '%s' (linear, relu, tanh, sigmoid, softmax)", tostring(a))
  end
  return a
end

-- ---- layers ------------------------------------------------------------
-- A layer has: name, class (Keras's class name), trainable, weights (a list
-- of {name, value, grad, trainable}), build(in_shape) -> out_shape (both
-- without the batch axis), forward(x, training) -> y, backward(dy) -> dx.

local Layer = {}
Layer.__index = Layer

-- Calling a layer on a graph node (nn.Input, another layer's output)
-- adds it to a functional graph; nn_functional.lua does the work.
local function call_layer(self, ...) return nn.call_layer(self, ...) end

local function layer_class(class, prefix)
  local c = setmetatable({}, {__index = Layer})
  c.__index = c
  c.__call = call_layer
  c.class, c.prefix = class, prefix
  return c
end

local function new_layer(cls, opts)
  local l = setmetatable({}, cls)
  l.name = opts.name or unique_name(cls.prefix)
  l.trainable = opts.trainable ~= false
  l.weights = {}
  l.input_shape_opt = opts.input_shape
  return l
end

function Layer:add_weight(name, shape, init, trainable)
  local v = T.zeros(shape)
  K.init(init, v)
  -- the gradient is allocated by the first backward pass: a frozen or
  -- inference-only network (VGG16's 138M weights) never needs one
  local w = {name = self.name .. "/" .. name .. ":0", short = name, value = v,
             trainable = trainable ~= false}
  self.weights[#self.weights + 1] = w
  return w
end

-- A buffer this layer reuses from one training step to the next (keyed
-- by name and batch size), so a step neither allocates nor zero-fills.
-- Only training uses them: what forward returns outside fit stays the
-- caller's.
function Layer:buffer(key, shape)
  local bank = self.bufs
  if not bank then bank = {}; self.bufs = bank end
  local k = key .. ":" .. shape[1]
  local b = bank[k]
  if not b then b = T.zeros(shape); bank[k] = b end
  return b
end

local function with_batch(n, s)
  local shape = {n}
  for i, v in ipairs(s) do shape[i + 1] = v end
  return shape
end

function Layer:count_params()
  local n = 0
  for _, w in ipairs(self.weights) do n = n + w.value:numel() end
  return n
end

function Layer:__tostring()
  return ("<%s layer '%s'>"):format(self.class, self.name)
end

-- Dense ------------------------------------------------------------------
local Dense = layer_class("Dense", "dense")
function nn.Dense(units, activation)
  local o = type(units) == "table" and units or {units = units, activation = activation}
  if type(o.units) ~= "number" or o.units < 1 or o.units % 1 ~= 0 then
    fail("Dense: units must be a positive integer, got %s", tostring(o.units))
  end
  local l = new_layer(Dense, o)
  l.units = o.units
  l.activation = check_activation(o.activation)
  l.use_bias = o.use_bias ~= false
  l.kernel_initializer = o.kernel_initializer or "glorot_uniform"
  l.bias_initializer = o.bias_initializer or "zeros"
  return l
end

function Dense:build(s)
  if #s ~= 1 then
    fail("Dense '%s': expects a flat input (N, features), got %s; add nn.Flatten() before it",
         self.name, batch_shape_str(s))
  end
  self.kernel = self:add_weight("kernel", {s[1], self.units}, self.kernel_initializer)
  if self.use_bias then self.bias = self:add_weight("bias", {self.units}, self.bias_initializer) end
  self.fwd_opts, self.bwd_opts = {}, {}
  return {self.units}
end

-- Dense and Conv2D: a kernel, a bias and a fused activation, run by a
-- pair of nn.core functions into the layer's reused buffers
local function weighted_forward(self, fwd, x, training)
  self.x = x
  local o = self.fwd_opts
  o.activation = self.act_now or self.activation
  o.out = training and self:buffer("out", with_batch(x:size(1), self.output_shape)) or nil
  self.y = fwd(x, self.kernel.value, self.bias and self.bias.value, o)
  return self.y
end

local function weighted_backward(self, bwd, dy)
  local o = self.bwd_opts
  o.activation, o.y, o.need_dx = self.act_now or self.activation, self.y, self.need_dx
  o.dx = self.need_dx and self:buffer("dx", self.x:shape()) or nil
  o.dw, o.db = self.kernel.grad, self.bias and self.bias.grad
  local dx, dw, db = bwd(self.x, self.kernel.value, dy, o)
  o.y, o.dx = nil, nil
  self.kernel.grad = dw
  if self.bias then self.bias.grad = db end
  return dx
end

function Dense:forward(x, training)
  return weighted_forward(self, K.dense_forward, x, training)
end
function Dense:backward(dy) return weighted_backward(self, K.dense_backward, dy) end

-- Conv2D -----------------------------------------------------------------
local Conv2D = layer_class("Conv2D", "conv2d")
function nn.Conv2D(filters, kernel_size, opts)
  local o = type(filters) == "table" and filters or opts or {}
  if type(filters) ~= "table" then o.filters, o.kernel_size = filters, kernel_size end
  if type(o.filters) ~= "number" or o.filters < 1 or o.filters % 1 ~= 0 then
    fail("Conv2D: filters must be a positive integer, got %s", tostring(o.filters))
  end
  if o.kernel_size == nil then fail("Conv2D: kernel_size is required") end
  local l = new_layer(Conv2D, o)
  l.filters = o.filters
  l.kernel_size = pair(o.kernel_size, "Conv2D: kernel_size")
  l.strides = pair(o.strides or 1, "Conv2D: strides")
  l.padding = o.padding or "valid"
  if l.padding ~= "same" and l.padding ~= "valid" then
    fail("Conv2D: padding must be 'same' or 'valid', got '%s'", tostring(l.padding))
  end
  l.activation = check_activation(o.activation)
  l.use_bias = o.use_bias ~= false
  l.kernel_initializer = o.kernel_initializer or "glorot_uniform"
  l.bias_initializer = o.bias_initializer or "zeros"
  return l
end

local function conv_out(n, k, s, padding)
  if padding == "same" then return (n + s - 1) // s end
  return (n - k) // s + 1
end

function Conv2D:build(s)
  if #s ~= 3 then
    local hint = #s == 2 and ("; reshape the input to (N, %d, %d, 1)"):format(s[1], s[2]) or ""
    fail("Conv2D '%s': expects images (N, H, W, C), got %s%s", self.name,
         batch_shape_str(s), hint)
  end
  local kh, kw = self.kernel_size[1], self.kernel_size[2]
  local oh = conv_out(s[1], kh, self.strides[1], self.padding)
  local ow = conv_out(s[2], kw, self.strides[2], self.padding)
  if oh < 1 or ow < 1 then
    fail("Conv2D '%s': a %dx%d kernel does not fit a %dx%d input with 'valid' padding",
         self.name, kh, kw, s[1], s[2])
  end
  self.kernel = self:add_weight("kernel", {kh, kw, s[3], self.filters}, self.kernel_initializer)
  if self.use_bias then self.bias = self:add_weight("bias", {self.filters}, self.bias_initializer) end
  self.fwd_opts = {strides = self.strides, padding = self.padding}
  self.bwd_opts = {strides = self.strides, padding = self.padding}
  return {oh, ow, self.filters}
end

function Conv2D:forward(x, training)
  return weighted_forward(self, K.conv2d_forward, x, training)
end
function Conv2D:backward(dy) return weighted_backward(self, K.conv2d_backward, dy) end

-- Pooling ----------------------------------------------------------------
local function pool_layer(class, prefix, kind)
  local cls = layer_class(class, prefix)
  nn[class] = function(pool_size, strides, padding)
    local o = type(pool_size) == "table" and pool_size.pool_size == nil and #pool_size ~= 2
              and pool_size or nil
    if type(pool_size) == "table" and (pool_size.pool_size or pool_size.strides or pool_size.padding) then
      o = pool_size
    end
    o = o or {pool_size = pool_size, strides = strides, padding = padding}
    local l = new_layer(cls, o)
    l.pool_size = pair(o.pool_size or 2, class .. ": pool_size")
    l.strides = pair(o.strides or l.pool_size, class .. ": strides")
    l.padding = o.padding or "valid"
    if l.padding ~= "same" and l.padding ~= "valid" then
      fail("%s: padding must be 'same' or 'valid', got '%s'", class, tostring(l.padding))
    end
    return l
  end
  function cls:build(s)
    if #s ~= 3 then
      fail("%s '%s': expects images (N, H, W, C), got %s", class, self.name, batch_shape_str(s))
    end
    local oh = conv_out(s[1], self.pool_size[1], self.strides[1], self.padding)
    local ow = conv_out(s[2], self.pool_size[2], self.strides[2], self.padding)
    if oh < 1 or ow < 1 then
      fail("%s '%s': pool %dx%d larger than its %dx%d input", class, self.name,
           self.pool_size[1], self.pool_size[2], s[1], s[2])
    end
    self.opts = {pool_size = self.pool_size, strides = self.strides, padding = self.padding}
    self.bwd_opts = {pool_size = self.pool_size, strides = self.strides, padding = self.padding}
    return {oh, ow, s[3]}
  end
  function cls:forward(x, training)
    self.x = x
    local o = self.opts
    local shape = with_batch(x:size(1), self.output_shape)
    o.out = training and self:buffer("out", shape) or nil
    o.idx = training and kind == "maxpool2d" and self:buffer("idx", shape) or nil
    local y, arg = K[kind .. "_forward"](x, o)
    self.arg = arg
    return y
  end
  function cls:backward(dy)
    local o = self.bwd_opts
    o.dx = self:buffer("dx", self.x:shape())
    if kind == "maxpool2d" then return K.maxpool2d_backward(self.x, self.arg, dy, o) end
    return K.avgpool2d_backward(self.x, dy, o)
  end
end
pool_layer("MaxPooling2D", "max_pooling2d", "maxpool2d")
pool_layer("AveragePooling2D", "average_pooling2d", "avgpool2d")

local GAP = layer_class("GlobalAveragePooling2D", "global_average_pooling2d")
function nn.GlobalAveragePooling2D(o) return new_layer(GAP, o or {}) end
function GAP:build(s)
  if #s ~= 3 then
    fail("GlobalAveragePooling2D '%s': expects images (N, H, W, C), got %s", self.name, batch_shape_str(s))
  end
  return {s[3]}
end
function GAP:forward(x) self.x = x; return K.global_avgpool2d_forward(x) end
function GAP:backward(dy) return K.global_avgpool2d_backward(self.x, dy) end

-- GlobalMaxPooling2D: one max-pool window as large as the image
local GMP = layer_class("GlobalMaxPooling2D", "global_max_pooling2d")
function nn.GlobalMaxPooling2D(o) return new_layer(GMP, o or {}) end
function GMP:build(s)
  if #s ~= 3 then
    fail("GlobalMaxPooling2D '%s': expects images (N, H, W, C), got %s", self.name, batch_shape_str(s))
  end
  self.opts = {pool_size = {s[1], s[2]}, strides = {s[1], s[2]}}
  return {s[3]}
end
function GMP:forward(x)
  self.x = x
  local y, arg = K.maxpool2d_forward(x, self.opts)
  self.arg = arg
  return y:reshape(x:size(1), x:size(4))
end
function GMP:backward(dy)
  local n, c = dy:size(1), dy:size(2)
  return K.maxpool2d_backward(self.x, self.arg, dy:contiguous():reshape(n, 1, 1, c), self.opts)
end

-- Flatten, Dropout, Activation -------------------------------------------------
local Flatten = layer_class("Flatten", "flatten")
function nn.Flatten(o) return new_layer(Flatten, o or {}) end
function Flatten:build(s)
  local n = 1
  for _, v in ipairs(s) do n = n * v end
  self.in_shape = s
  return {n}
end
function Flatten:forward(x)
  self.batch_in = x:shape()
  return x:contiguous():reshape(x:size(1), -1)
end
function Flatten:backward(dy) return dy:reshape(self.batch_in) end

local Dropout = layer_class("Dropout", "dropout")
function nn.Dropout(rate)
  local o = type(rate) == "table" and rate or {rate = rate}
  if type(o.rate) ~= "number" or o.rate < 0 or o.rate >= 1 then
    fail("Dropout: rate must be a number in [0, 1), got %s", tostring(o.rate))
  end
  local l = new_layer(Dropout, o)
  l.rate = o.rate
  return l
end
function Dropout:build(s) return s end
function Dropout:forward(x, training)
  if not training or self.rate == 0 then self.mask = nil; return x end
  local y, mask = K.dropout_forward(x, self.rate)
  self.mask = mask
  return y
end
function Dropout:backward(dy)
  if not self.mask then return dy end
  return dy * self.mask
end

local Activation = layer_class("Activation", "activation")
function nn.Activation(a)
  local o = type(a) == "table" and a or {activation = a}
  local l = new_layer(Activation, o)
  l.activation = check_activation(o.activation)
  return l
end
function Activation:build(s) return s end
function Activation:forward(x)
  self.y = K.activation_forward(self.act_now or self.activation, x)
  return self.y
end
function Activation:backward(dy)
  return K.activation_backward(self.act_now or self.activation, self.y, dy)
end

-- BatchNormalization -----------------------------------------------------------
local BN = layer_class("BatchNormalization", "batch_normalization")
function nn.BatchNormalization(o)
  o = o or {}
  local l = new_layer(BN, o)
  l.momentum = o.momentum or 0.99
  l.epsilon = o.epsilon or 1e-3
  l.center = o.center ~= false
  l.scale = o.scale ~= false
  return l
end
function BN:build(s)
  local c = s[#s]
  if self.scale then self.gamma = self:add_weight("gamma", {c}, "ones") end
  if self.center then self.beta = self:add_weight("beta", {c}, "zeros") end
  self.moving_mean = self:add_weight("moving_mean", {c}, "zeros", false)
  self.moving_variance = self:add_weight("moving_variance", {c}, "ones", false)
  return s
end
function BN:forward(x, training)
  self.x = x
  -- a frozen BatchNormalization runs in inference mode, as in Keras 2.x,
  -- also when the freezing is a whole enclosing model's (frozen_outer)
  self.train_mode = training and self.trainable and not self.frozen_outer
  local y
  y, self.mean, self.invstd = K.batchnorm_forward(x, self.gamma and self.gamma.value,
      self.beta and self.beta.value, self.moving_mean.value, self.moving_variance.value,
      {training = self.train_mode or false, momentum = self.momentum, epsilon = self.epsilon})
  return y
end
function BN:backward(dy)
  local dx, dg, db = K.batchnorm_backward(self.x, self.gamma and self.gamma.value,
      self.mean, self.invstd, dy, {training = self.train_mode or false})
  if self.gamma then self.gamma.grad = dg end
  if self.beta then self.beta.grad = db end
  return dx
end

-- ---- optimizers --------------------------------------------------------------
-- Keras 2.6 defaults. An optimizer keeps its state per weight.

nn.optimizers = {}
local Optimizer = {}
Optimizer.__index = Optimizer

local function new_optimizer(kind, o, defaults)
  o = o or {}
  local opt = setmetatable({kind = kind, state = {}, iterations = 0}, Optimizer)
  for k, v in pairs(defaults) do opt[k] = v end
  for k, v in pairs(o) do
    if defaults[k] == nil and k ~= "lr" then
      fail("%s: unknown option '%s'", kind, tostring(k))
    end
    opt[k == "lr" and "learning_rate" or k] = v
  end
  return opt
end

function nn.optimizers.SGD(o)
  return new_optimizer("SGD", o, {learning_rate = 0.01, momentum = 0.0, nesterov = false})
end
function nn.optimizers.Adam(o)
  return new_optimizer("Adam", o, {learning_rate = 1e-3, beta_1 = 0.9, beta_2 = 0.999,
                                   epsilon = 1e-7})
end
function nn.optimizers.RMSprop(o)
  return new_optimizer("RMSprop", o, {learning_rate = 1e-3, rho = 0.9, momentum = 0.0,
                                      epsilon = 1e-7, centered = false})
end

-- the options the C step functions read
function Optimizer:step_opts()
  local o = {}
  for k, v in pairs(self) do
    if type(v) ~= "table" and k ~= "kind" and k ~= "iterations" then o[k] = v end
  end
  return o
end

function Optimizer:apply(weights)
  self.iterations = self.iterations + 1
  local o = self.opts or self:step_opts()
  self.opts = o
  local t = self.iterations
  for _, w in ipairs(weights) do
    -- no grad yet: the weight's layer has had no backward pass
    if w.grad then self:update(w, t, o) end
  end
end

-- one weight's step; its state (moments) is made on first use
function Optimizer:update(w, t, o)
  local st = self.state[w]
  if not st then
    local function z() return T.zeros(w.value:shape()) end
    st = {}
    if self.kind == "Adam" then st.m, st.v = z(), z()
    elseif self.kind == "RMSprop" then
      st.ms = z()
      if self.momentum > 0 then st.mom = z() end
      if self.centered then st.mg = z() end
    elseif self.momentum > 0 then st.v = z() end
    self.state[w] = st
  end
  if self.kind == "Adam" then K.adam_step(w.value, w.grad, st.m, st.v, t, o)
  elseif self.kind == "RMSprop" then K.rmsprop_step(w.value, w.grad, st.ms, st.mom, st.mg, o)
  else K.sgd_step(w.value, w.grad, st.v, o) end
end

-- ---- losses and metrics ------------------------------------------------------

local LOSSES = {sparse_categorical_crossentropy = true, categorical_crossentropy = true,
                binary_crossentropy = true, mse = true, mean_squared_error = true}

-- ---- models ------------------------------------------------------------------
-- A model runs a graph of nodes in topological order; a node is
-- {layer, inbound = {nodes}, shape}. Sequential builds a chain, nn.Model
-- (nn_functional.lua) any acyclic graph; fit, evaluate, predict and the
-- weights code below serve both. A model is itself a layer: it can be
-- called on a node or put in a Sequential, and trainable = false freezes
-- everything inside it.

local Model = {}
Model.__index = Model
Model.__call = call_layer
Model.is_model = true

-- layers and models alike
local function is_layer(v)
  local mt = getmetatable(v)
  return mt == Model or (mt ~= nil and getmetatable(mt) ~= nil and
                         getmetatable(mt).__index == Layer)
end
nn.is_layer = is_layer

-- Build a layer (or a nested model) for input shape s; returns its
-- output shape. A built model checks that s is what it was built for.
local function build_layer(l, s)
  if not l.is_model then return l:build(s) end
  if not l.built then l:build(s); return l.output_shape end
  local want = l.input_shape
  local same = #want == #s
  for i = 1, #s do same = same and want[i] == s[i] end
  if not same then
    fail("model '%s' expects input %s, got %s", l.name, batch_shape_str(want),
         batch_shape_str(s))
  end
  return l.output_shape
end

function nn.Sequential(layers)
  local o = layers or {}
  local m = setmetatable({layers = {}, name = o.name or unique_name("sequential"),
                          class = "Sequential", trainable = true, built = false}, Model)
  for i, l in ipairs(o) do m:add(l, i) end
  return m
end

function Model:add(layer, i)
  if not is_layer(layer) then
    fail("Sequential: entry %d is not a layer (got %s)", i or #self.layers + 1, type(layer))
  end
  if self.class ~= "Sequential" then fail("add: only a Sequential model grows by add") end
  self.layers[#self.layers + 1] = layer
  -- the first entry fixes the input: its input_shape option, or the
  -- input of a built model used as a layer (a pretrained base)
  local first_shape = layer.input_shape_opt or
                      (getmetatable(layer) == Model and layer.built and layer.input_shape)
  if #self.layers == 1 and first_shape then
    self:build(first_shape)
  elseif self.built then
    self:append_node(layer)
  end
end

-- Sequential: add the node of `layer` after the current output
function Model:append_node(layer)
  local shape = build_layer(layer, self.output_shape)
  layer.output_shape = shape
  local node = {layer = layer, inbound = {self.output_node}, shape = shape, node_index = 0}
  self.order[#self.order + 1] = node
  self.output_node, self.output_shape = node, shape
end

-- Build a Sequential's chain for per-sample input shape s (no batch axis).
function Model:build(s)
  local shape = {}
  for i, v in ipairs(s) do
    if type(v) ~= "number" or v < 1 or v % 1 ~= 0 then
      fail("input_shape entry %d must be a positive integer, got %s", i, tostring(v))
    end
    shape[i] = v
  end
  if self.built then
    -- as in Keras, building a built model again changes nothing
    if table.concat(shape, ",") == table.concat(self.input_shape, ",") then return end
    fail("build: the model is built for input %s already, got %s",
         table.concat(self.input_shape, "x"), table.concat(shape, "x"))
  end
  self.input_shape = shape
  self.input_node = {inbound = {}, shape = shape, is_input = true}
  self.output_node, self.output_shape, self.order = self.input_node, shape, {}
  for _, l in ipairs(self.layers) do self:append_node(l) end
  self.built = true
end

-- Is a weight of layer l (inside models frozen or not) one training changes?
local function trains(l, w, frozen)
  return w.trainable and l.trainable ~= false and not frozen
end

-- every weight record of layer l in Keras's order, nested models walked
local function collect(l, out, trainable_only, frozen)
  if l.is_model then
    for _, sub in ipairs(l.layers) do
      collect(sub, out, trainable_only, frozen or l.trainable == false)
    end
    return
  end
  for _, w in ipairs(l.weights) do
    if not trainable_only or trains(l, w, frozen) then out[#out + 1] = w end
  end
end

function Model:weights(trainable_only)
  local out = {}
  for _, l in ipairs(self.layers) do collect(l, out, trainable_only, self.trainable == false) end
  return out
end

-- trainable and non-trainable parameter counts of layer l
local function param_counts(l, frozen)
  local tr, non = 0, 0
  if l.is_model then
    for _, sub in ipairs(l.layers) do
      local a, b = param_counts(sub, frozen or l.trainable == false)
      tr, non = tr + a, non + b
    end
    return tr, non
  end
  for _, w in ipairs(l.weights) do
    if trains(l, w, frozen) then tr = tr + w.value:numel() else non = non + w.value:numel() end
  end
  return tr, non
end
nn.param_counts = param_counts

-- trainable, non-trainable (a model's own trainable flag included)
function Model:count_params()
  return param_counts(self, false)
end

-- Does training change any weight of l (frozen: an enclosing model is)?
local function has_trainable(l, frozen)
  if frozen or l.trainable == false then return false end
  if l.is_model then
    for _, sub in ipairs(l.layers) do
      if has_trainable(sub, false) then return true end
    end
    return false
  end
  for _, w in ipairs(l.weights) do if w.trainable then return true end end
  return false
end

function Model:summary(print_fn)
  if not self.built then
    fail("summary: the model is not built yet; give the first layer input_shape = {...} or call fit first")
  end
  require("nn_functional").summary(self, print_fn)
end

function Model:compile(o)
  o = o or {}
  local opt = o.optimizer or "rmsprop"
  if type(opt) == "string" then
    local ctor = ({sgd = nn.optimizers.SGD, adam = nn.optimizers.Adam,
                   rmsprop = nn.optimizers.RMSprop})[opt:lower()]
    if not ctor then fail("compile: unknown optimizer '%s' (sgd, adam, rmsprop)", opt) end
    opt = ctor()
  elseif getmetatable(opt) ~= Optimizer then
    fail("compile: optimizer must be a name or nn.optimizers.X{...}")
  end
  local loss = o.loss
  if not LOSSES[loss] then
    fail("compile: unknown loss '%s' (sparse_categorical_crossentropy, categorical_crossentropy, binary_crossentropy, mse)",
         tostring(loss))
  end
  if loss == "mean_squared_error" then loss = "mse" end
  self.optimizer, self.loss = opt, loss
  self.metrics = {}
  for _, m in ipairs(o.metrics or {}) do
    if m ~= "accuracy" and m ~= "acc" then
      fail("compile: unknown metric '%s' (accuracy)", tostring(m))
    end
    self.metrics[#self.metrics + 1] = "accuracy"
  end
  self.compiled = true
end

-- Which activation the last layer applies while training: softmax and
-- sigmoid fuse into their cross-entropy losses (stable and cheaper).
function Model:loss_plan()
  local last = self.output_node and self.output_node.layer
  local act = last and last.activation
  if act == "softmax" and (self.loss == "sparse_categorical_crossentropy" or
                           self.loss == "categorical_crossentropy") then
    return "logits_softmax"
  elseif act == "sigmoid" and self.loss == "binary_crossentropy" then
    return "logits_sigmoid"
  end
  return "probabilities"
end

local function check_x(self, x, what)
  if not T.is_tensor(x) then fail("%s: x must be a tensor, got %s", what, type(x)) end
  local s = x:shape()
  if not self.built then
    local per = {}
    for i = 2, #s do per[#per + 1] = s[i] end
    self:build(per)
  end
  local want = self.input_shape
  local ok = #s == #want + 1
  for i = 1, #want do ok = ok and s[i + 1] == want[i] end
  if not ok then
    local hint = ""
    if #s == #want and s[#s] == want[#want - 1] and want[#want] == 1 then
      hint = ("; reshape it with x:reshape(%d, %s, 1)"):format(s[1],
              table.concat({table.unpack(s, 2)}, ", "))
    end
    fail("%s: the model expects input %s, got %s%s", what,
         batch_shape_str(want), shape_str(s), hint)
  end
end

-- labels: a tensor (N) of 0-based class ids, or (N, k) targets
local function check_y(self, x, y, what)
  if type(y) == "table" and not T.is_tensor(y) then y = T(y) end
  if not T.is_tensor(y) then fail("%s: y must be a tensor or table, got %s", what, type(y)) end
  if y:size(1) ~= x:size(1) then
    fail("%s: x has %d samples but y has %d", what, x:size(1), y:size(1))
  end
  local out = self.output_shape[#self.output_shape]
  if self.loss == "sparse_categorical_crossentropy" then
    if y:dim() == 2 and y:size(2) == 1 then y = y:reshape(y:size(1)) end
    if y:dim() ~= 1 then
      fail("%s: sparse_categorical_crossentropy wants class ids (N,), got %s", what, shape_str(y:shape()))
    end
    if y:numel() > 0 then
      local lo, hi = y:min(), y:max()
      if lo < 0 or hi > out - 1 then
        local bad = lo < 0 and lo or hi
        local pos = lo < 0 and y:argmin() or y:argmax()
        fail("%s: label %g out of range 0..%d (sample %d)", what, bad, out - 1, pos)
      end
    end
  elseif y:dim() == 1 then
    y = y:reshape(y:size(1), 1)
  end
  return y
end

-- a node's input: one tensor, or the list a merge layer takes
local function node_input(node)
  if not node.layer.multi_input then return node.inbound[1].y end
  local xs = {}
  for i, p in ipairs(node.inbound) do xs[i] = p.y end
  return xs
end

-- Forward through every node; training turns on dropout and batch
-- statistics. Under a fused plan the output layer skips its softmax or
-- sigmoid (the loss applies it). A frozen model tells its layers, so
-- BatchNormalization inside runs in inference mode.
function Model:forward(x, training, plan)
  if not self.built then fail("forward: the model is not built yet") end
  local frozen = self.frozen_outer or self.trainable == false
  local fused = plan == "logits_softmax" or plan == "logits_sigmoid"
  self.input_node.y = x
  for _, node in ipairs(self.order) do
    local l = node.layer
    l.act_now = (fused and node == self.output_node) and "linear" or nil
    l.frozen_outer = frozen
    node.y = l:forward(node_input(node), training)
  end
  return self.output_node.y
end

-- add gradient g into node p (several consumers: the sum)
local function accumulate(p, g)
  if p.wants then p.dy = p.dy and (p.dy + g) or g end
end

-- Which nodes need a backward pass: those with weights to train, or
-- with such a node (or an input whose gradient is wanted) upstream.
-- A frozen base at the bottom of a network is skipped entirely.
function Model:plan_backward()
  local frozen = self.frozen_outer or self.trainable == false
  self.input_node.wants, self.input_node.dy = self.need_dx or false, nil
  for _, node in ipairs(self.order) do
    local up = false
    for _, p in ipairs(node.inbound) do up = up or p.wants end
    node.need_dx, node.dy = up, nil
    node.wants = up or has_trainable(node.layer, frozen)
  end
end

-- Backward from dy = dL/d(output); fills the weights' grads and returns
-- dL/d(input) when need_dx (a nested model's caller wants it).
function Model:backward(dy)
  self:plan_backward()
  self.output_node.dy = dy
  for i = #self.order, 1, -1 do
    local node = self.order[i]
    if node.dy and node.wants then
      local l = node.layer
      l.need_dx = node.need_dx
      local dx = l:backward(node.dy)
      if node.need_dx then
        if l.multi_input then
          for k, p in ipairs(node.inbound) do accumulate(p, dx[k]) end
        else
          accumulate(node.inbound[1], dx)
        end
      end
      node.dy = nil
    end
  end
  local dx = self.input_node.dy
  self.input_node.dy = nil
  return dx
end

-- loss and gradient of a batch; outputs are logits under a fused plan
local function loss_and_grad(self, out, y, plan, want)
  if plan == "logits_softmax" then
    if self.loss == "sparse_categorical_crossentropy" then
      return K.sparse_softmax_crossentropy(out, y, want)
    end
    return K.softmax_crossentropy(out, y, want)
  elseif plan == "logits_sigmoid" then
    return K.sigmoid_binary_crossentropy(out, y, want)
  end
  return K[self.loss](out, y, want)
end

-- number of correct predictions in a batch
local function correct(self, out, y, plan)
  if self.loss == "sparse_categorical_crossentropy" then
    return (out:argmax(2) - 1):eq(y):sum()
  elseif self.loss == "categorical_crossentropy" then
    return out:argmax(2):eq(y:argmax(2)):sum()
  end
  local thr = plan == "logits_sigmoid" and 0 or 0.5
  return out:gt(thr):eq(y:gt(0.5)):sum() / (out:numel() / out:size(1))
end

local function batches(n, bs, perm)
  local i = 0
  return function()
    if i >= n then return nil end
    local j = math.min(i + bs, n)
    local idx
    if perm then idx = perm:slice(1, i + 1, j) else idx = T.arange(i + 1, j + 1) end
    i = j
    return idx, j
  end
end

function Model:train_step(xb, yb, plan)
  local out = self:forward(xb, true, plan)
  local loss, grad = loss_and_grad(self, out, yb, plan, true)
  if loss ~= loss then return loss end
  self:backward(grad)
  self.optimizer:apply(self:weights(true))
  local c = #self.metrics > 0 and correct(self, out, yb, plan) or 0
  return loss, c
end

function Model:train_on_batch(x, y)
  if not self.compiled then fail("train_on_batch: compile the model first") end
  check_x(self, x, "train_on_batch")
  y = check_y(self, x, y, "train_on_batch")
  local loss, c = self:train_step(x, y, self:loss_plan())
  if #self.metrics > 0 then return loss, c / x:size(1) end
  return loss
end

-- evaluate over batches without training; returns loss, accuracy
function Model:run_eval(x, y, bs, plan, bar)
  local n = x:size(1)
  local sum_loss, sum_c, steps = 0, 0, 0
  for idx, done in batches(n, bs) do
    local xb, yb = x:rows(idx), y:rows(idx)
    local out = self:forward(xb, false, plan)
    local loss = loss_and_grad(self, out, yb, plan, false)
    sum_loss = sum_loss + loss * xb:size(1)
    if #self.metrics > 0 then sum_c = sum_c + correct(self, out, yb, plan) end
    steps = steps + 1
    if bar then bar:update(steps, self:metric_list(sum_loss / done, sum_c / done)) end
  end
  return sum_loss / n, sum_c / n
end

function Model:metric_list(loss, acc, prefix)
  prefix = prefix or ""
  local l = {{prefix .. "loss", loss}}
  if #self.metrics > 0 then l[2] = {prefix .. "accuracy", acc} end
  return l
end

function Model:evaluate(x, y, o)
  o = o or {}
  if not self.compiled then fail("evaluate: compile the model first") end
  check_x(self, x, "evaluate")
  y = check_y(self, x, y, "evaluate")
  local bs = o.batch_size or 32
  local verbose = o.verbose == nil and 1 or o.verbose
  local steps = (x:size(1) + bs - 1) // bs
  local bar = verbose ~= 0 and text.progbar(steps) or nil
  local loss, acc = self:run_eval(x, y, bs, self:loss_plan(), bar)
  if bar then bar:finish(self:metric_list(loss, acc)) end
  if #self.metrics > 0 then return loss, acc end
  return loss
end

function Model:predict(x, o)
  o = o or {}
  check_x(self, x, "predict")
  local bs = o.batch_size or 32
  local parts, n = {}, x:size(1)
  local out_shape = {n, table.unpack(self.output_shape)}
  local result = T.zeros(out_shape)
  for idx, done in batches(n, bs) do
    local out = self:forward(x:rows(idx), false, "probabilities")
    result:slice(1, done - out:size(1) + 1, done):copy(out)
  end
  return result
end

-- ---- fit ------------------------------------------------------------------------

nn.callbacks = {}

function nn.callbacks.EarlyStopping(o)
  o = o or {}
  return {kind = "EarlyStopping", monitor = o.monitor or "val_loss",
          patience = o.patience or 0, min_delta = math.abs(o.min_delta or 0),
          restore_best_weights = o.restore_best_weights or false, verbose = o.verbose or 0,
          mode = o.mode or ((o.monitor or "val_loss"):find("acc") and "max" or "min")}
end

function nn.callbacks.ModelCheckpoint(path, o)
  if type(path) == "table" then o, path = path, path.filepath end
  o = o or {}
  if type(path) ~= "string" then fail("ModelCheckpoint: a file path is required") end
  return {kind = "ModelCheckpoint", filepath = path, monitor = o.monitor or "val_loss",
          save_best_only = o.save_best_only or false,
          mode = o.mode or ((o.monitor or "val_loss"):find("acc") and "max" or "min"),
          verbose = o.verbose or 0}
end

local function better(cb, value, best, delta)
  if best == nil then return true end
  if cb.mode == "max" then return value > best + (delta or 0) end
  return value < best - (delta or 0)
end

-- callbacks at the end of an epoch; returns true to stop training
local function epoch_callbacks(self, callbacks, epoch, logs)
  local stop = false
  for _, cb in ipairs(callbacks) do
    local v = logs[cb.monitor]
    if v == nil then
      io.stderr:write(("warning: %s monitors '%s', which is not available\n"):format(cb.kind, cb.monitor))
    elseif cb.kind == "EarlyStopping" then
      if better(cb, v, cb.best, cb.min_delta) then
        cb.best, cb.wait, cb.best_epoch = v, 0, epoch
        if cb.restore_best_weights then cb.best_weights = self:get_weights(true) end
      else
        cb.wait = (cb.wait or 0) + 1
        if cb.wait >= cb.patience then
          stop = true
          cb.stopped_epoch = epoch
          if cb.restore_best_weights and cb.best_weights then self:set_weights(cb.best_weights) end
          if cb.verbose > 0 then print(("Epoch %05d: early stopping"):format(epoch)) end
        end
      end
    elseif cb.kind == "ModelCheckpoint" then
      local path = cb.filepath:gsub("{epoch(:?[^}]*)}", function(f)
        return f ~= "" and ("%" .. f:sub(2)):format(epoch) or tostring(epoch)
      end)
      if not cb.save_best_only or better(cb, v, cb.best) then
        if cb.verbose > 0 then
          print(("Epoch %05d: %s improved to %.5f, saving model to %s"):format(epoch, cb.monitor, v, path))
        end
        cb.best = v
        self:save_weights(path)
      end
    end
  end
  return stop
end

function Model:fit(x, y, o)
  o = o or {}
  if not self.compiled then fail("fit: compile the model first (model:compile{...})") end
  check_x(self, x, "fit")
  y = check_y(self, x, y, "fit")
  local epochs = o.epochs or 1
  local bs = o.batch_size or 32
  if type(bs) ~= "number" or bs < 1 or bs % 1 ~= 0 then
    fail("fit: batch_size must be a positive integer, got %s", tostring(bs))
  end
  local verbose = o.verbose == nil and 1 or o.verbose
  local shuffle = o.shuffle ~= false
  local callbacks = o.callbacks or {}
  local xv, yv
  if o.validation_data then
    xv, yv = o.validation_data[1], o.validation_data[2]
    check_x(self, xv, "fit (validation_data)")
    yv = check_y(self, xv, yv, "fit (validation_data)")
  elseif o.validation_split and o.validation_split > 0 then
    local vs = o.validation_split
    if vs >= 1 then fail("fit: validation_split must be below 1, got %g", vs) end
    -- Keras holds out the LAST fraction of the data, before shuffling
    local n = x:size(1)
    local cut = math.floor(n * (1 - vs))
    if cut < 1 or cut >= n then fail("fit: validation_split %g leaves no training or validation data", vs) end
    xv, yv = x:slice(1, cut + 1, n), y:slice(1, cut + 1, n)
    x, y = x:slice(1, 1, cut), y:slice(1, 1, cut)
  end
  local n = x:size(1)
  local plan = self:loss_plan()
  local steps = (n + bs - 1) // bs
  local hist = {history = {}, epoch = {}, params = {epochs = epochs, steps = steps}}
  local function record(k, v)
    hist.history[k] = hist.history[k] or {}
    table.insert(hist.history[k], v)
  end
  for _, cb in ipairs(callbacks) do
    cb.best, cb.wait, cb.best_epoch, cb.stopped_epoch, cb.best_weights = nil, 0, nil, nil, nil
  end
  for epoch = 1, epochs do
    if verbose ~= 0 then print(("Epoch %d/%d"):format(epoch, epochs)) end
    local bar = verbose ~= 0 and text.progbar(steps) or nil
    local perm = shuffle and T.randperm(n) or nil
    local sum_loss, sum_c, step = 0, 0, 0
    local t0 = sys.clock()
    for idx, done in batches(n, bs, perm) do
      local xb, yb = x:rows(idx), y:rows(idx)
      local loss, c = self:train_step(xb, yb, plan)
      step = step + 1
      if loss ~= loss or loss == math.huge then
        if bar then bar:finish(self:metric_list(loss, 0)) end
        fail("fit: the loss became %s at epoch %d, batch %d; training stopped " ..
             "(try a lower learning rate, and check the inputs for NaN)",
             loss ~= loss and "NaN" or "infinite", epoch, step)
      end
      sum_loss = sum_loss + loss * xb:size(1)
      sum_c = sum_c + (c or 0)
      if bar then bar:update(step, self:metric_list(sum_loss / done, sum_c / done)) end
    end
    local logs = {loss = sum_loss / n}
    if #self.metrics > 0 then logs.accuracy = sum_c / n end
    hist.train_seconds = (hist.train_seconds or 0) + (sys.clock() - t0)
    local shown = self:metric_list(logs.loss, logs.accuracy)
    if xv then
      logs.val_loss, logs.val_accuracy = self:run_eval(xv, yv, bs, plan)
      if #self.metrics == 0 then logs.val_accuracy = nil end
      for _, m in ipairs(self:metric_list(logs.val_loss, logs.val_accuracy, "val_")) do
        shown[#shown + 1] = m
      end
    end
    if bar then bar:finish(shown) end
    for _, k in ipairs({"loss", "accuracy", "val_loss", "val_accuracy"}) do
      if logs[k] then record(k, logs[k]) end
    end
    hist.epoch[#hist.epoch + 1] = epoch
    if epoch_callbacks(self, callbacks, epoch, logs) then break end
  end
  return hist
end

-- ---- weights ------------------------------------------------------------------

-- All weights in Keras's order (per layer: kernel, bias; BN: gamma, beta,
-- moving_mean, moving_variance), as tensors. copy=true clones them.
function Model:get_weights(copy)
  local out = {}
  for _, w in ipairs(self:weights()) do out[#out + 1] = copy and w.value:clone() or w.value:clone() end
  return out
end

function Model:set_weights(list)
  local ws = self:weights()
  if type(list) ~= "table" or #list ~= #ws then
    fail("set_weights: the model has %d weight tensors, got %s", #ws,
         type(list) == "table" and tostring(#list) or type(list))
  end
  for i, w in ipairs(ws) do
    local v = list[i]
    if not T.is_tensor(v) then fail("set_weights: entry %d is not a tensor", i) end
    local a, b = w.value:shape(), v:shape()
    if table.concat(a, ",") ~= table.concat(b, ",") then
      fail("set_weights: entry %d (%s) must have shape %s, got %s", i, w.name,
           shape_str(a), shape_str(b))
    end
    w.value:copy(v)
  end
end

local MAGIC, VERSION = "WBWEIGHT", 1

-- File: magic, version (u32), count (u32); per weight: name (s4),
-- ndim (u32), sizes (i64 each), float32 data. Written to a temporary
-- file that is renamed into place.
function Model:save_weights(path)
  if type(path) ~= "string" then fail("save_weights: a file path is required") end
  if path:match("%.h5$") or path:match("%.hdf5$") then
    -- Keras 2's layout, which Keras (and load_weights here) reads back
    if not self.built then fail("save_weights: build the model first (give input_shape)") end
    require("keras_h5").save_from(self:h5_layers(), path)
    return
  end
  local ws = self:weights()
  local tmp = path .. ".tmp" .. tostring(math.floor(sys.clock() * 1e6) % 1000000)
  local f, err = io.open(tmp, "wb")
  if not f then fail("save_weights: cannot write %s: %s", path, err) end
  local parts = {MAGIC, string.pack("<I4I4", VERSION, #ws)}
  for _, w in ipairs(ws) do
    local s = w.value:shape()
    parts[#parts + 1] = string.pack("<s4I4", w.name, #s)
    for _, d in ipairs(s) do parts[#parts + 1] = string.pack("<i8", d) end
    parts[#parts + 1] = w.value:tobytes()
  end
  local ok, werr = f:write(table.concat(parts))
  local closed = f:close()
  if not ok or not closed then
    os.remove(tmp)
    fail("save_weights: cannot write %s: %s", path, tostring(werr))
  end
  local rok, rerr = os.rename(tmp, path)
  if not rok then os.remove(tmp); fail("save_weights: cannot write %s: %s", path, rerr) end
end

function Model:load_weights(path)
  if type(path) ~= "string" then fail("load_weights: a file path is required") end
  if path:match("%.h5$") or path:match("%.hdf5$") then
    -- a Keras 2 weights file, matched layer by layer as Keras does
    if not self.built then fail("load_weights: build the model first (give input_shape)") end
    require("keras_h5").load_into(self:h5_layers(), path)
    return
  end
  local f, err = io.open(path, "rb")
  if not f then fail("load_weights: cannot open %s", err) end
  local data = f:read("a")
  f:close()
  if data:sub(1, #MAGIC) ~= MAGIC then
    fail("load_weights: %s is not a workbook weights file", path)
  end
  local pos = #MAGIC + 1
  local function need(n, what)
    if pos + n - 1 > #data then fail("load_weights: %s is truncated (in %s)", path, what) end
  end
  need(8, "the header")
  local version, count
  version, count, pos = string.unpack("<I4I4", data, pos)
  if version ~= VERSION then fail("load_weights: %s has format version %d, this workbook reads %d", path, version, VERSION) end
  local ws = self:weights()
  if count ~= #ws then
    fail("load_weights: %s holds %d weight tensors, the model has %d", path, count, #ws)
  end
  local vals = {}
  for i = 1, count do
    need(4, "weight " .. i)
    local namelen = string.unpack("<I4", data, pos)
    need(8 + namelen, "weight " .. i)
    local name, nd
    name, nd, pos = string.unpack("<s4I4", data, pos)
    need(8 * nd, name)
    local shape, numel = {}, 1
    for d = 1, nd do shape[d], pos = string.unpack("<i8", data, pos); numel = numel * shape[d] end
    local want = ws[i].value:shape()
    if table.concat(shape, ",") ~= table.concat(want, ",") then
      fail("load_weights: weight %d (%s) has shape %s in the file, the model's %s is %s",
           i, name, shape_str(shape), ws[i].name, shape_str(want))
    end
    need(4 * numel, name)
    vals[i] = T.frombytes(data:sub(pos, pos + 4 * numel - 1), shape)
    pos = pos + 4 * numel
  end
  if pos <= #data then fail("load_weights: %s has unexpected data after the last weight", path) end
  for i, w in ipairs(ws) do w.value:copy(vals[i]) end
end

-- model:get_layer("block5_conv3"), as Keras's (fine-tuning picks layers
-- of a pretrained base by name)
function Model:get_layer(name)
  for _, l in ipairs(self.layers) do
    if l.name == name then return l end
  end
  fail("get_layer: model '%s' has no layer named '%s'", self.name, tostring(name))
end

-- The layers as keras_h5 matches them: a nested model is one entry
-- holding all its weights, each marked trainable as training sees it.
function Model:h5_layers()
  local out = {}
  for _, l in ipairs(self.layers) do
    if l.is_model then
      local ws = {}
      for _, w in ipairs(l:weights()) do
        ws[#ws + 1] = {name = w.name, value = w.value, trainable = false}
      end
      for _, w in ipairs(l:weights(true)) do
        for _, e in ipairs(ws) do if e.value == w.value then e.trainable = true end end
      end
      out[#out + 1] = {name = l.name, weights = ws, trainable = true}
    else
      out[#out + 1] = l
    end
  end
  return out
end

nn.ModelClass = Model
nn.Layer = Layer
nn.internal = {fail = fail, unique_name = unique_name, unique_name1 = unique_name1, new_layer = new_layer,
               layer_class = layer_class, build_layer = build_layer,
               batch_shape_str = batch_shape_str, shape_str = shape_str,
               Model = Model}
require("nn_functional").install(nn)
require("nn_applications").install(nn)
return nn
