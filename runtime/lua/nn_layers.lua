-- nn_layers.lua - the layer classes: Dense, Conv2D, the pooling layers,
-- Flatten, Dropout, Activation, BatchNormalization and the merge layers
-- Concatenate and Add. Each constructor takes Keras's arguments
-- positionally, as an options table, or both (nn.Dense(10, {activation =
-- "relu"})), checked by the one options checker; each class has build,
-- forward and backward over its nn.core pair (runtime/bind/lnn.c).
-- nn.lua publishes everything in M.constructors as nn.<Name>.
local T = require "tensor"
local K = require "nn.core"
local B = require "nn_base"

local fail, args, layer_spec = B.fail, B.args, B.layer_spec
local layer_class, new_layer, with_batch = B.layer_class, B.new_layer, B.with_batch
local batch_shape_str = B.batch_shape_str

local M = {constructors = {}}
local C = M.constructors

local INIT = "string"     -- initializers are named (nn.core's init kinds)

-- Dense and Conv2D: a kernel, a bias and a fused activation, run by a
-- pair of nn.core functions into the layer's reused buffers
-- (swish and gelu, whose derivatives need their input, run after the
-- kernel instead of fused into it)
local NEEDS_INPUT = K.activations_need_input

local function weighted_forward(self, fwd, x, training)
  self.x = x
  local o = self.fwd_opts
  local act = self.act_now or self.activation
  local split = NEEDS_INPUT[act]
  o.activation = split and "linear" or act
  o.out = self:out_buffer(training, with_batch(x:size(1), self.output_shape))
  self.y = fwd(x, self.kernel.value, self.bias and self.bias.value, o)
  self.pre = nil
  if split then
    self.pre = self.y
    self.y = K.activation_forward(act, self.pre)
  end
  return self.y
end

local function weighted_backward(self, bwd, dy)
  local o = self.bwd_opts
  local act = self.act_now or self.activation
  if self.pre then
    dy = K.activation_backward_x(act, self.pre, dy)
    act = "linear"
  end
  o.activation, o.y, o.need_dx = act, self.y, self.need_dx
  o.dx = self.need_dx and self:buffer("dx", self.x:shape()) or nil
  o.dw, o.db = self.kernel.grad, self.bias and self.bias.grad
  local dx, dw, db = bwd(self.x, self.kernel.value, dy, o)
  o.y, o.dx = nil, nil
  self.kernel.grad = dw
  if self.bias then self.bias.grad = db end
  return dx
end

local function images_only(self, s, hint)
  if #s ~= 3 then
    fail("%s '%s': expects images (N, H, W, C), got %s%s", self.class, self.name,
         batch_shape_str(s), hint or "")
  end
end

-- Dense ------------------------------------------------------------------
local Dense = layer_class("Dense", "dense")
Dense.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local DENSE = B.weighted_spec{units = "integer", activation = "string", use_bias = "boolean",
                         kernel_initializer = INIT, bias_initializer = INIT}
function C.Dense(...)
  local o = args("Dense", {"units", "activation"}, DENSE, ...)
  local units = B.positive_int(o.units, "Dense", "units")
  local l = new_layer(Dense, o)
  l.units = units
  l.activation = B.check_activation("Dense", o.activation)
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

function Dense:forward(x, training)
  return weighted_forward(self, K.dense_forward, x, training)
end
function Dense:backward(dy) return weighted_backward(self, K.dense_backward, dy) end

-- Conv2D -----------------------------------------------------------------
local Conv2D = layer_class("Conv2D", "conv2d")
Conv2D.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local CONV = B.weighted_spec{filters = "integer", kernel_size = "integer|table",
                        strides = "integer|table", padding = "string", activation = "string",
                        use_bias = "boolean", kernel_initializer = INIT, bias_initializer = INIT}
function C.Conv2D(...)
  local o = args("Conv2D", {"filters", "kernel_size", "strides", "padding"}, CONV, ...)
  local filters = B.positive_int(o.filters, "Conv2D", "filters")
  if o.kernel_size == nil then fail("Conv2D: kernel_size is required") end
  local l = new_layer(Conv2D, o)
  l.filters = filters
  l.kernel_size = B.pair(o.kernel_size, "Conv2D", "kernel_size")
  l.strides = B.pair(o.strides or 1, "Conv2D", "strides")
  l.padding = B.check_padding("Conv2D", o.padding)
  l.activation = B.check_activation("Conv2D", o.activation)
  l.use_bias = o.use_bias ~= false
  l.kernel_initializer = o.kernel_initializer or "glorot_uniform"
  l.bias_initializer = o.bias_initializer or "zeros"
  return l
end

function Conv2D:build(s)
  images_only(self, s, #s == 2 and ("; reshape the input to (N, %d, %d, 1)"):format(s[1], s[2]))
  local kh, kw = self.kernel_size[1], self.kernel_size[2]
  local oh = B.output_size(s[1], kh, self.strides[1], self.padding)
  local ow = B.output_size(s[2], kw, self.strides[2], self.padding)
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
  -- outside training the kernel may take Winograd's fast path
  self.fwd_opts.inference = not training
  return weighted_forward(self, K.conv2d_forward, x, training)
end
function Conv2D:backward(dy) return weighted_backward(self, K.conv2d_backward, dy) end

-- Inference of this layer and the MaxPooling2D `pool` that alone reads
-- its output, in one kernel that pools each sample's feature map while
-- it is in cache (nn_model.lua's forward asks); nil when the pair has no
-- fused kernel (the caller then runs the two layers). The same bits as
-- the two forwards.
function Conv2D:forward_pooled(x, pool)
  local act = self.act_now or self.activation
  if NEEDS_INPUT[act] then return nil end
  local o = self.fwd_opts
  o.activation, o.out, o.inference = act, nil, true
  local po = pool.fuse_opts
  po.out = pool:out_buffer(false, with_batch(x:size(1), pool.output_shape))
  local y = K.conv2d_maxpool_forward(x, self.kernel.value, self.bias and self.bias.value, o, po)
  po.out = nil
  if y then self.x, self.y, self.pre, pool.x = x, nil, nil, nil end
  return y
end

-- Pooling ----------------------------------------------------------------
local POOL = layer_spec{pool_size = "integer|table", strides = "integer|table", padding = "string"}

local function pool_layer(class, prefix, kind)
  local cls = layer_class(class, prefix)
  cls.per_sample = true  -- inference: each sample on its own (nn_model.lua streams)
  C[class] = function(...)
    local o = args(class, {"pool_size", "strides", "padding"}, POOL, ...)
    local l = new_layer(cls, o)
    l.pool_size = B.pair(o.pool_size or 2, class, "pool_size")
    l.strides = B.pair(o.strides or l.pool_size, class, "strides")
    l.padding = B.check_padding(class, o.padding)
    return l
  end
  function cls:build(s)
    images_only(self, s)
    local oh = B.output_size(s[1], self.pool_size[1], self.strides[1], self.padding)
    local ow = B.output_size(s[2], self.pool_size[2], self.strides[2], self.padding)
    if oh < 1 or ow < 1 then
      fail("%s '%s': pool %dx%d larger than its %dx%d input", class, self.name,
           self.pool_size[1], self.pool_size[2], s[1], s[2])
    end
    -- max pooling keeps no indices: the backward finds each window's
    -- first maximum again in x (faster than writing and reading them)
    self.opts = {pool_size = self.pool_size, strides = self.strides, padding = self.padding}
    if kind == "maxpool2d" then
      self.opts.idx = false
      self.fuse_opts = {pool_size = self.pool_size, strides = self.strides,
                        padding = self.padding}    -- Conv2D:forward_pooled
    end
    self.bwd_opts = {pool_size = self.pool_size, strides = self.strides, padding = self.padding}
    return {oh, ow, s[3]}
  end
  function cls:forward(x, training)
    self.x = x
    local o = self.opts
    local shape = with_batch(x:size(1), self.output_shape)
    o.out = self:out_buffer(training, shape)
    return (K[kind .. "_forward"](x, o))
  end
  function cls:backward(dy)
    local o = self.bwd_opts
    o.dx = self:buffer("dx", self.x:shape())
    if kind == "maxpool2d" then return K.maxpool2d_backward(self.x, nil, dy, o) end
    return K.avgpool2d_backward(self.x, dy, o)
  end
end
pool_layer("MaxPooling2D", "max_pooling2d", "maxpool2d")
pool_layer("AveragePooling2D", "average_pooling2d", "avgpool2d")

-- layers whose only options are the common ones
local PLAIN = layer_spec{}
local function plain(class, prefix)
  local cls = layer_class(class, prefix)
  C[class] = function(...) return new_layer(cls, args(class, {}, PLAIN, ...)) end
  return cls
end

local GAP = plain("GlobalAveragePooling2D", "global_average_pooling2d")
GAP.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
function GAP:build(s) images_only(self, s); return {s[3]} end
function GAP:forward(x) self.x = x; return K.global_avgpool2d_forward(x) end
function GAP:backward(dy) return K.global_avgpool2d_backward(self.x, dy) end

-- GlobalMaxPooling2D: one max-pool window as large as the image
local GMP = plain("GlobalMaxPooling2D", "global_max_pooling2d")
GMP.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
function GMP:build(s)
  images_only(self, s)
  self.opts = {pool_size = {s[1], s[2]}, strides = {s[1], s[2]}, idx = false}
  self.bwd_opts = {pool_size = {s[1], s[2]}, strides = {s[1], s[2]}}
  return {s[3]}
end
function GMP:forward(x)
  self.x = x
  return K.maxpool2d_forward(x, self.opts):reshape(x:size(1), x:size(4))
end
function GMP:backward(dy)
  local n, c = dy:size(1), dy:size(2)
  return K.maxpool2d_backward(self.x, nil, dy:contiguous():reshape(n, 1, 1, c), self.bwd_opts)
end

-- Flatten, Dropout, Activation -------------------------------------------------
local Flatten = plain("Flatten", "flatten")
Flatten.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
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
Dropout.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local DROPOUT = layer_spec{rate = "number"}
function C.Dropout(...)
  local o = args("Dropout", {"rate"}, DROPOUT, ...)
  if type(o.rate) ~= "number" or o.rate < 0 or o.rate >= 1 then
    fail("Dropout: rate must be a number in [0, 1), got %s", tostring(o.rate))
  end
  local l = new_layer(Dropout, o)
  l.rate = o.rate
  return l
end
function Dropout:build(s) return s end
-- training: the output and the keep decisions (bytes) live in the
-- layer and are rewritten each step (like Dense's buffers), so a step
-- allocates nothing here; the draws are those of dropout_forward
function Dropout:forward(x, training)
  if not training or self.rate == 0 then self.keep = nil; return x end
  self.y, self.keep = K.dropout_train(x, self.rate, self.y, self.keep)
  return self.y
end
function Dropout:backward(dy)
  if not self.keep then return dy end
  return K.dropout_backward(dy, self.keep)
end

local Activation = layer_class("Activation", "activation")
Activation.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local ACTIVATION = layer_spec{activation = "string"}
function C.Activation(...)
  local o = args("Activation", {"activation"}, ACTIVATION, ...)
  local l = new_layer(Activation, o)
  l.activation = B.check_activation("Activation", o.activation)
  return l
end
function Activation:build(s) return s end
function Activation:forward(x)
  self.x = x
  self.y = K.activation_forward(self.act_now or self.activation, x)
  return self.y
end
function Activation:backward(dy)
  local act = self.act_now or self.activation
  if NEEDS_INPUT[act] then return K.activation_backward_x(act, self.x, dy) end
  return K.activation_backward(act, self.y, dy)
end

-- LeakyReLU, ELU, PReLU: activations as layers, with their parameter ------------
-- y = x for x > 0; below zero LeakyReLU alpha x, ELU alpha (e^x - 1),
-- PReLU a x with a learned a (one per element, or shared along axes)

local function positive_part(x) return x:gt(0) end

-- a layer whose one option is alpha (Keras's default given)
local function alpha_layer(class, prefix, default)
  local cls = layer_class(class, prefix)
  cls.per_sample = true  -- inference: each sample on its own (nn_model.lua streams)
  C[class] = function(...)
    local o = args(class, {"alpha"}, layer_spec{alpha = "number"}, ...)
    local l = new_layer(cls, o)
    l.alpha = o.alpha or default
    return l
  end
  function cls:build(s) return s end
  return cls
end

local LeakyReLU = alpha_layer("LeakyReLU", "leaky_re_lu", 0.3)
function LeakyReLU:forward(x)
  self.mask = positive_part(x)
  return x * (self.mask * (1 - self.alpha) + self.alpha)
end
function LeakyReLU:backward(dy) return dy * (self.mask * (1 - self.alpha) + self.alpha) end

local ELU = alpha_layer("ELU", "elu", 1.0)
function ELU:forward(x)
  local m = positive_part(x)
  -- alpha (e^x - 1) below zero: elu's value there, scaled
  local neg = K.activation_forward("elu", x:minimum(0)) * self.alpha
  self.mask, self.neg = m, neg
  return x * m + neg
end
function ELU:backward(dy)
  -- below zero: alpha e^x = neg + alpha
  return dy * (self.mask + (1 - self.mask) * (self.neg + self.alpha))
end

local PReLU = layer_class("PReLU", "p_re_lu")
PReLU.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
function C.PReLU(...)
  local o = args("PReLU", {}, layer_spec{alpha_initializer = INIT, shared_axes = "table|integer"}, ...)
  local l = new_layer(PReLU, o)
  l.alpha_initializer = o.alpha_initializer or "zeros"
  local sa = o.shared_axes
  if type(sa) == "number" then sa = {sa} end
  l.shared_axes = sa or {}
  return l
end
function PReLU:build(s)
  local shape = {table.unpack(s)}
  for _, a in ipairs(self.shared_axes) do
    if type(a) ~= "number" or a < 1 or a > #s or a % 1 ~= 0 then
      fail("PReLU '%s': shared_axes entry %s is not an axis of the input %s (axes 1..%d)",
           self.name, tostring(a), batch_shape_str(s), #s)
    end
    shape[a] = 1
  end
  self.alpha = self:add_weight("alpha", shape, self.alpha_initializer)
  return s
end
function PReLU:forward(x)
  self.mask, self.negx = positive_part(x), x:minimum(0)
  return x:maximum(0) + self.negx * self.alpha.value
end
function PReLU:backward(dy)
  local g = dy * self.negx
  g = g:sum(1)       -- over the batch, then the shared axes, kept as 1s
  for _, a in ipairs(self.shared_axes) do g = g:sum(a, true) end
  self.alpha.grad = g:reshape(self.alpha.value:shape())
  return dy * (self.mask + (1 - self.mask) * self.alpha.value)
end

-- BatchNormalization -----------------------------------------------------------
local BN = layer_class("BatchNormalization", "batch_normalization")
BN.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local BATCHNORM = layer_spec{momentum = "number", epsilon = "number", center = "boolean",
                             scale = "boolean"}
function C.BatchNormalization(...)
  local o = args("BatchNormalization", {}, BATCHNORM, ...)
  local l = new_layer(BN, o)
  l.momentum = o.momentum or 0.99
  l.epsilon = o.epsilon or 1e-3
  if l.momentum < 0 or l.momentum > 1 then
    fail("BatchNormalization: momentum must be in [0, 1], got %g", l.momentum)
  end
  if not (l.epsilon > 0) then
    fail("BatchNormalization: epsilon must be positive, got %g", l.epsilon)
  end
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

-- Merge layers: called on a list of nodes ---------------------------------------

local function shapes_str(shapes)
  local t = {}
  for i, s in ipairs(shapes) do t[i] = batch_shape_str(s) end
  return table.concat(t, ", ")
end

local Concatenate = layer_class("Concatenate", "concatenate")
Concatenate.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local CONCAT = {name = "string", trainable = "boolean", axis = "integer"}
function C.Concatenate(...)
  local o = args("Concatenate", {"axis"}, CONCAT, ...)
  local l = new_layer(Concatenate, o)
  l.multi_input = true
  l.axis = o.axis or -1
  if l.axis == 0 then
    fail("Concatenate: axis must be a non-zero integer (0 is the batch axis), got %s", tostring(l.axis))
  end
  return l
end

-- the tensor dimension (1-based, batch first) that axis names
local function concat_dim(self, rank)
  local a = self.axis
  local d = a < 0 and rank + 1 + a + 1 or a + 1
  if d < 2 or d > rank + 1 then
    fail("Concatenate '%s': axis %d out of range for inputs of rank %d", self.name, a, rank + 1)
  end
  return d
end

function Concatenate:build(shapes)
  local rank = #shapes[1]
  local d = concat_dim(self, rank)
  local out = {table.unpack(shapes[1])}
  out[d - 1] = 0
  for _, s in ipairs(shapes) do
    local ok = #s == rank
    for k = 1, rank do ok = ok and (k == d - 1 or s[k] == shapes[1][k]) end
    if not ok then
      fail("Concatenate '%s': inputs must match except along axis %d, got %s",
           self.name, self.axis, shapes_str(shapes))
    end
    out[d - 1] = out[d - 1] + s[d - 1]
  end
  self.dim = d
  return out
end

function Concatenate:forward(xs)
  local n, d = xs[1]:size(1), self.dim
  local y = T.zeros({n, table.unpack(self.output_shape)})
  local at = 0
  self.sizes = {}
  for i, x in ipairs(xs) do
    local c = x:size(d)
    y:slice(d, at + 1, at + c):copy(x)
    self.sizes[i] = c
    at = at + c
  end
  return y
end

-- each input's part of dy, as its own contiguous tensor
function Concatenate:backward(dy)
  local dxs, at = {}, 0
  for i, c in ipairs(self.sizes) do
    dxs[i] = dy:slice(self.dim, at + 1, at + c):clone()
    at = at + c
  end
  return dxs
end

local Add = layer_class("Add", "add")
Add.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local ADD = {name = "string", trainable = "boolean"}
function C.Add(...)
  local l = new_layer(Add, args("Add", {}, ADD, ...))
  l.multi_input = true
  return l
end

function Add:build(shapes)
  for _, s in ipairs(shapes) do
    if B.shape_str(s) ~= B.shape_str(shapes[1]) then
      fail("Add '%s': inputs must have the same shape, got %s", self.name, shapes_str(shapes))
    end
  end
  return {table.unpack(shapes[1])}
end

function Add:forward(xs)
  local y = xs[1] + xs[2]
  for i = 3, #xs do y = y + xs[i] end
  self.count = #xs
  return y
end

-- every input gets dy; copies, so no two branches share one tensor
function Add:backward(dy)
  local dxs = {dy}
  for i = 2, self.count do dxs[i] = dy:clone() end
  return dxs
end

-- for the layer files beside this one (nn_layers_ae.lua)
M.weighted_forward, M.weighted_backward = weighted_forward, weighted_backward
M.images_only = images_only

return M
