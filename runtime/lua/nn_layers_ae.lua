-- nn_layers_ae.lua - the layers an autoencoder's decoder needs:
-- Conv2DTranspose, UpSampling2D and Reshape, with Keras 2.6's arguments
-- and output sizes. Conventions as nn_layers.lua (constructors take
-- positional arguments, an options table or both; build returns the
-- output shape without the batch axis); the arithmetic is nn.core's
-- conv2d_transpose_* and upsample2d_* (runtime/nn/nn_convt.c,
-- nn_upsample.c). nn.lua publishes M.constructors as nn.<Name>.
local T = require "tensor"
local K = require "nn.core"
local B = require "nn_base"
local L = require "nn_layers"

local fail, args, layer_spec = B.fail, B.args, B.layer_spec
local layer_class, new_layer = B.layer_class, B.new_layer
local batch_shape_str = B.batch_shape_str

local M = {constructors = {}}
local C = M.constructors

-- Conv2DTranspose ------------------------------------------------------------
local ConvT = layer_class("Conv2DTranspose", "conv2d_transpose")
ConvT.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local CONVT = B.weighted_spec{filters = "integer", kernel_size = "integer|table",
                              strides = "integer|table", padding = "string",
                              output_padding = "integer|table", activation = "string",
                              use_bias = "boolean", kernel_initializer = "string",
                              bias_initializer = "string"}

-- n or {a, b} of integers >= 0 -> {a, b}
local function non_negative_pair(v, fn, what)
  local p = type(v) == "table" and not T.is_tensor(v) and {v[1], v[2]} or {v, v}
  if type(v) == "table" and #v ~= 2 then p = {} end
  for i = 1, 2 do
    local e = p[i]
    if type(e) ~= "number" or e < 0 or e % 1 ~= 0 then
      fail("%s: %s must be a non-negative integer or a pair {rows, cols}, got %s", fn, what,
           type(v) == "table" and "{" .. table.concat(v, ", ") .. "}" or tostring(v))
    end
    p[i] = math.tointeger(e)
  end
  return p
end

function C.Conv2DTranspose(...)
  local fn = "Conv2DTranspose"
  local o = args(fn, {"filters", "kernel_size", "strides", "padding"}, CONVT, ...)
  local filters = B.positive_int(o.filters, fn, "filters")
  if o.kernel_size == nil then fail("Conv2DTranspose: kernel_size is required") end
  local l = new_layer(ConvT, o)
  l.filters = filters
  l.kernel_size = B.pair(o.kernel_size, fn, "kernel_size")
  l.strides = B.pair(o.strides or 1, fn, "strides")
  l.padding = B.check_padding(fn, o.padding)
  if o.output_padding ~= nil then
    l.output_padding = non_negative_pair(o.output_padding, fn, "output_padding")
    for i = 1, 2 do
      if l.output_padding[i] >= l.strides[i] then
        fail("Conv2DTranspose: output_padding {%d, %d} must be smaller than the strides {%d, %d}",
             l.output_padding[1], l.output_padding[2], l.strides[1], l.strides[2])
      end
    end
  end
  l.activation = B.check_activation(fn, o.activation)
  l.use_bias = o.use_bias ~= false
  l.kernel_initializer = o.kernel_initializer or "glorot_uniform"
  l.bias_initializer = o.bias_initializer or "zeros"
  return l
end

-- Keras's deconv_output_length along one axis
local function deconv_length(n, k, s, padding, op)
  if op == nil then
    return padding == "same" and n * s or n * s + math.max(k - s, 0)
  end
  return (n - 1) * s + k - (padding == "same" and 2 * (k // 2) or 0) + op
end

function ConvT:build(s)
  L.images_only(self, s, #s == 2 and ("; reshape the input to (N, %d, %d, 1)"):format(s[1], s[2]))
  local ks, st, op = self.kernel_size, self.strides, self.output_padding or {}
  local oh = deconv_length(s[1], ks[1], st[1], self.padding, op[1])
  local ow = deconv_length(s[2], ks[2], st[2], self.padding, op[2])
  if oh < 1 or ow < 1 then
    fail("Conv2DTranspose '%s': a %dx%d kernel with padding '%s' gives an empty output for a %dx%d input",
         self.name, ks[1], ks[2], self.padding, s[1], s[2])
  end
  -- TensorFlow runs it as the input gradient of a conv of the output:
  -- that conv must give back the input's size
  if B.output_size(oh, ks[1], st[1], self.padding) ~= s[1] or
      B.output_size(ow, ks[2], st[2], self.padding) ~= s[2] then
    fail("Conv2DTranspose '%s': output_padding {%d, %d} gives a %dx%d output that a %dx%d " ..
         "kernel with strides {%d, %d} and padding '%s' does not map back to the %dx%d input",
         self.name, op[1], op[2], oh, ow, ks[1], ks[2], st[1], st[2], self.padding, s[1], s[2])
  end
  -- Keras's layout (KH, KW, filters, channels in)
  self.kernel = self:add_weight("kernel", {ks[1], ks[2], self.filters, s[3]},
                                self.kernel_initializer)
  if self.use_bias then self.bias = self:add_weight("bias", {self.filters}, self.bias_initializer) end
  self.fwd_opts = {strides = st, padding = self.padding, output_padding = self.output_padding}
  self.bwd_opts = {strides = st, padding = self.padding, output_padding = self.output_padding}
  return {oh, ow, self.filters}
end

function ConvT:forward(x, training)
  return L.weighted_forward(self, K.conv2d_transpose_forward, x, training)
end
function ConvT:backward(dy) return L.weighted_backward(self, K.conv2d_transpose_backward, dy) end

-- UpSampling2D ---------------------------------------------------------------
local Up = layer_class("UpSampling2D", "up_sampling2d")
Up.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local UP = layer_spec{size = "integer|table", interpolation = "string"}
function C.UpSampling2D(...)
  local o = args("UpSampling2D", {"size"}, UP, ...)
  local l = new_layer(Up, o)
  l.size = B.pair(o.size or 2, "UpSampling2D", "size")
  l.interpolation = o.interpolation or "nearest"
  if l.interpolation ~= "nearest" and l.interpolation ~= "bilinear" then
    local near = require("options").nearest(l.interpolation, {"nearest", "bilinear"})
    fail("UpSampling2D: interpolation must be 'nearest' or 'bilinear', got '%s'%s",
         l.interpolation, near and (" (did you mean '" .. near .. "'?)") or "")
  end
  return l
end

function Up:build(s)
  L.images_only(self, s)
  self.opts = {size = self.size, interpolation = self.interpolation}
  return {s[1] * self.size[1], s[2] * self.size[2], s[3]}
end
function Up:forward(x)
  self.x = x
  return K.upsample2d_forward(x, self.opts)
end
function Up:backward(dy) return K.upsample2d_backward(self.x, dy, self.opts) end

-- Reshape ----------------------------------------------------------------------
local Reshape = layer_class("Reshape", "reshape")
Reshape.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local RESHAPE = layer_spec{target_shape = "table"}

local function shape_text(t)
  local p = {}
  for i, v in ipairs(t) do p[i] = tostring(math.tointeger(v) or v) end
  return "(" .. table.concat(p, ", ") .. ")"
end

-- nn.Reshape{24, 24, 16}, nn.Reshape({24, 24, 16} [, opts]) or
-- nn.Reshape{target_shape = {24, 24, 16}}
function C.Reshape(...)
  local a = ...
  local o
  if select("#", ...) == 1 and type(a) == "table" and not T.is_tensor(a) and rawlen(a) > 0
      and a.target_shape == nil then
    local shape, opts = {}, {}
    for k, v in pairs(a) do
      if math.type(k) == "integer" then shape[k] = v else opts[k] = v end
    end
    opts.target_shape = shape
    o = args("Reshape", {}, RESHAPE, opts)
  else
    o = args("Reshape", {"target_shape"}, RESHAPE, ...)
  end
  local ts = o.target_shape
  if type(ts) ~= "table" or T.is_tensor(ts) or #ts == 0 then
    fail("Reshape: target_shape must be a list of sizes such as {24, 24, 16}, got %s", tostring(ts))
  end
  local shape, free = {}, 0
  for i, v in ipairs(ts) do
    if type(v) ~= "number" or v % 1 ~= 0 or (v < 1 and v ~= -1) then
      fail("Reshape: target_shape %s: sizes must be positive integers (one may be -1), got %s",
           shape_text(ts), tostring(v))
    end
    if v == -1 then free = free + 1 end
    shape[i] = math.tointeger(v)
  end
  if free > 1 then
    fail("Reshape: target_shape %s: only one size may be -1", shape_text(ts))
  end
  local l = new_layer(Reshape, o)
  l.target_shape = shape
  return l
end

function Reshape:build(s)
  local total, known, free = 1, 1, nil
  for _, v in ipairs(s) do total = total * v end
  for i, v in ipairs(self.target_shape) do
    if v == -1 then free = i else known = known * v end
  end
  local out = {table.unpack(self.target_shape)}
  if free then
    if total % known ~= 0 then
      fail("Reshape '%s': cannot reshape an input %s (%d values per sample) into %s: %d is not a multiple of %d",
           self.name, batch_shape_str(s), total, shape_text(self.target_shape), total, known)
    end
    out[free] = total // known
  elseif known ~= total then
    fail("Reshape '%s': cannot reshape an input %s (%d values per sample) into %s (%d values)",
         self.name, batch_shape_str(s), total, shape_text(self.target_shape), known)
  end
  self.out = out
  return out
end

function Reshape:forward(x)
  self.batch_in = x:shape()
  return x:contiguous():reshape(x:size(1), table.unpack(self.out))
end
function Reshape:backward(dy) return dy:contiguous():reshape(self.batch_in) end

return M
