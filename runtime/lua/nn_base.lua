-- nn_base.lua - what the parts of nn share: errors at the script's line,
-- argument and options parsing, shape text, layer names, the Layer base
-- class, the Model metatable (its methods live in nn_model.lua and
-- nn_weights.lua) and the walks over a model's weights. nn_layers,
-- nn_model, nn_weights, nn_functional and nn_applications require this
-- module; nothing here requires them (calling a layer on a node reaches
-- nn_functional at call time).
local T = require "tensor"
local K = require "nn.core"
local options = require "options"

local B = {}

-- Errors name the script line that called into the runtime.
local fail = require "script_error"
B.fail = fail

-- ---- shapes as text ------------------------------------------------------

function B.shape_str(s)
  return "(" .. table.concat(s, ", ") .. (#s == 1 and ",)" or ")")
end

function B.batch_shape_str(s)
  local t = {"N"}
  for _, v in ipairs(s) do t[#t + 1] = tostring(v) end
  return "(" .. table.concat(t, ", ") .. ")"
end

function B.with_batch(n, s)
  local shape = {n}
  for i, v in ipairs(s) do shape[i + 1] = v end
  return shape
end

-- ---- options and arguments -----------------------------------------------

-- An options table: a table that is not a tensor and has no list part
-- ({2, 2} is a pool size, {pool_size = 2} is options).
local function is_options(v)
  return type(v) == "table" and not T.is_tensor(v) and rawlen(v) == 0
end
B.is_options = is_options

-- options.check, with a message of its own for functions without options
function B.check(fn, o, spec, array)
  if next(spec) == nil and o ~= nil then
    if type(o) ~= "table" then fail("%s: options must be a table, got %s", fn, type(o)) end
    local k = next(o)
    if k ~= nil then fail("%s: takes no options, got '%s'", fn, tostring(k)) end
    return o
  end
  return options.check(fn, o, spec, array)
end

-- Keras's call forms in one: f(a, b, {opts}), f{a = ..., b = ...} and
-- any mix (f(10, {activation = "relu"})). names: the positional
-- arguments' option names in order. Returns the checked options, a new
-- table holding the positional values too.
function B.args(fn, names, spec, ...)
  local n = select("#", ...)
  while n > 0 and select(n, ...) == nil do n = n - 1 end
  local given = {...}
  local o
  if n > 0 and is_options(given[n]) then
    o = given[n]
    n = n - 1
  end
  if n > 0 and #names == 0 then
    fail("%s: takes only an options table, got %s", fn, type(given[1]))
  end
  if n > #names then
    fail("%s: takes at most %d positional argument%s (%s) and an options table, got %d",
         fn, #names, #names == 1 and "" or "s", table.concat(names, ", "), n)
  end
  if o ~= nil then B.check(fn, o, spec) end
  local out = {}
  for k, v in pairs(o or {}) do out[k] = v end
  for i = 1, n do
    if given[i] ~= nil then
      if out[names[i]] ~= nil then
        fail("%s: %s is given twice (as argument %d and as an option)", fn, names[i], i)
      end
      if is_options(given[i]) and next(given[i]) ~= nil then
        fail("%s: the options table must be the last argument", fn)
      end
      out[names[i]] = given[i]
    end
  end
  -- the positional values get the options' type checks too
  if n > 0 then B.check(fn, out, spec) end
  return out
end

-- A method called as model.fit(x, y) gets x as its self: say so.
-- cls: the metatable self must have; call: how to write it.
function B.check_self(self, cls, fn, call)
  if getmetatable(self) ~= cls then
    fail("%s: called with '.' instead of ':' (write %s)", fn, call)
  end
end

-- n or {a, b} of positive integers -> {a, b}
function B.pair(v, fn, what)
  local p
  if math.type(v) == "integer" or (type(v) == "number" and v % 1 == 0) then
    p = {v, v}
  elseif type(v) == "table" and not T.is_tensor(v) and #v == 2 then
    p = {v[1], v[2]}
  else
    fail("%s: %s must be a positive integer or a pair {rows, cols}, got %s", fn, what, tostring(v))
  end
  for _, e in ipairs(p) do
    if type(e) ~= "number" or e < 1 or e % 1 ~= 0 then
      fail("%s: %s must be positive integers, got %s", fn, what, tostring(e))
    end
  end
  return {math.tointeger(p[1]), math.tointeger(p[2])}
end

function B.positive_int(v, fn, what)
  if type(v) ~= "number" or v < 1 or v % 1 ~= 0 then
    fail("%s: %s must be a positive integer, got %s", fn, what, tostring(v))
  end
  return math.tointeger(v)
end

-- The activations and the output-size rule are nn.core's (runtime/nn).
local ACTIVATIONS = {}
for _, a in ipairs(K.activations) do ACTIVATIONS[a] = true end

function B.check_activation(fn, a)
  a = a or "linear"
  if not ACTIVATIONS[a] then
    local near = type(a) == "string" and options.nearest(a, K.activations)
    fail("%s: unknown activation '%s' (%s)", fn, tostring(a),
         near and ("did you mean '" .. near .. "'?") or table.concat(K.activations, ", "))
  end
  return a
end

function B.check_padding(fn, p)
  p = p or "valid"
  if p ~= "same" and p ~= "valid" then
    fail("%s: padding must be 'same' or 'valid', got '%s'", fn, tostring(p))
  end
  return p
end

-- output size along one axis (0 when the window does not fit)
B.output_size = K.output_size

-- ---- names -----------------------------------------------------------------

-- Keras layer names are counted per session and per kind.
local uids = {}
function B.unique_name(prefix)
  local n = uids[prefix] or 0
  uids[prefix] = n + 1
  return n == 0 and prefix or (prefix .. "_" .. n)
end
function B.reset_names() uids = {} end

-- Keras counts Input layers from 1: input_1, input_2, ...
function B.unique_name1(prefix)
  local n = (uids[prefix] or 0) + 1
  uids[prefix] = n
  return prefix .. "_" .. n
end

-- ---- layers --------------------------------------------------------------------
-- A layer has: name, class (Keras's class name), trainable, weights (a list
-- of {name, value, grad, trainable}), build(in_shape) -> out_shape (both
-- without the batch axis), forward(x, training) -> y, backward(dy) -> dx.

local Layer = {}
Layer.__index = Layer
B.Layer = Layer

-- The Model metatable; nn_model.lua and nn_weights.lua add its methods.
local Model = {}
Model.__index = Model
Model.is_model = true
B.Model = Model

-- Calling a layer (or a model) on a graph node adds it to a functional
-- graph; nn_functional.lua does the work.
local function call_layer(self, ...) return require("nn_functional").call_layer(self, ...) end
Model.__call = call_layer

-- the options every layer takes
B.LAYER_OPTIONS = {name = "string", trainable = "boolean", input_shape = "table"}

-- A layer's option spec: the common ones plus its own.
function B.layer_spec(own)
  local s = {}
  for k, v in pairs(B.LAYER_OPTIONS) do s[k] = v end
  for k, v in pairs(own or {}) do s[k] = v end
  return s
end

-- A weighted layer's option spec: layer_spec plus Keras's
-- kernel_regularizer, bias_regularizer and activity_regularizer. A layer
-- built with it gets them through new_layer (nn_layers_reg.lua applies
-- them to its weights named "kernel" and "bias" and to its output).
function B.weighted_spec(own)
  local s = B.layer_spec(own)
  s.kernel_regularizer, s.bias_regularizer = "string|table", "string|table"
  s.activity_regularizer = "string|table"
  return s
end

function B.layer_class(class, prefix)
  local c = setmetatable({}, {__index = Layer})
  c.__index = c
  c.__call = call_layer
  c.__tostring = function(l) return Layer.__tostring(l) end   -- metamethods are not inherited
  c.class, c.prefix = class, prefix
  return c
end

function B.new_layer(cls, opts)
  local l = setmetatable({}, cls)
  l.name = opts.name or B.unique_name(cls.prefix)
  l.trainable = opts.trainable ~= false
  l.weights = {}
  l.input_shape_opt = opts.input_shape
  if opts.kernel_regularizer or opts.bias_regularizer or opts.activity_regularizer then
    require("nn_layers_reg").take(l, opts)
  end
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

-- The tensor a layer's kernel writes its output into: the reused buffer
-- while training and while a model streams inference (B.streaming, set by
-- nn_model.lua's predict/evaluate, which copy or consume each output
-- before the next sub-batch runs); nil otherwise, so that what forward
-- returns to a caller stays the caller's. A fresh output is a fresh
-- allocation whose pages the kernel then faults in one by one (the
-- course CNN's first convolution writes 100 KB a sample).
B.streaming = false
function Layer:out_buffer(training, shape)
  if training or B.streaming then return self:buffer("out", shape) end
  return nil
end

function Layer:count_params()
  local n = 0
  for _, w in ipairs(self.weights) do n = n + w.value:numel() end
  return n
end

function Layer:__tostring()
  local n = self:count_params()
  if n > 0 then
    return ("<%s layer '%s': %d parameters>"):format(self.class, self.name, n)
  end
  return ("<%s layer '%s'>"):format(self.class, self.name)
end

-- layers and models alike
function B.is_layer(v)
  local mt = getmetatable(v)
  return mt == Model or (mt ~= nil and getmetatable(mt) ~= nil and
                         getmetatable(mt).__index == Layer)
end

-- Build a layer (or a nested model) for input shape s; returns its
-- output shape. A built model checks that s is what it was built for.
function B.build_layer(l, s)
  if not l.is_model then return l:build(s) end
  if not l.built then l:build(s); return l.output_shape end
  local want = l.input_shape
  local same = #want == #s
  for i = 1, #s do same = same and want[i] == s[i] end
  if not same then
    fail("model '%s' expects input %s, got %s", l.name, B.batch_shape_str(want),
         B.batch_shape_str(s))
  end
  return l.output_shape
end

-- ---- walks over weights ----------------------------------------------------

-- Is a weight of layer l (inside models frozen or not) one training changes?
local function trains(l, w, frozen)
  return w.trainable and l.trainable ~= false and not frozen
end

-- every weight record of layer l in Keras's order, nested models walked
function B.collect(l, out, trainable_only, frozen)
  if l.is_model then
    for _, sub in ipairs(l.layers) do
      B.collect(sub, out, trainable_only, frozen or l.trainable == false)
    end
    return
  end
  for _, w in ipairs(l.weights) do
    if not trainable_only or trains(l, w, frozen) then out[#out + 1] = w end
  end
end

-- trainable and non-trainable parameter counts of layer l
function B.param_counts(l, frozen)
  local tr, non = 0, 0
  if l.is_model then
    for _, sub in ipairs(l.layers) do
      local a, b = B.param_counts(sub, frozen or l.trainable == false)
      tr, non = tr + a, non + b
    end
    return tr, non
  end
  for _, w in ipairs(l.weights) do
    if trains(l, w, frozen) then tr = tr + w.value:numel() else non = non + w.value:numel() end
  end
  return tr, non
end

-- Does training change any weight of l (frozen: an enclosing model is)?
function B.has_trainable(l, frozen)
  if frozen or l.trainable == false then return false end
  if l.is_model then
    for _, sub in ipairs(l.layers) do
      if B.has_trainable(sub, false) then return true end
    end
    return false
  end
  for _, w in ipairs(l.weights) do if w.trainable then return true end end
  return false
end

return B
