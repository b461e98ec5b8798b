-- nn_layers_reg.lua - regularization and layers written in Lua:
--
--   nn.regularizers.l1(x), l2(x), l1_l2{l1, l2}   Keras 2.6's penalties
--   kernel_regularizer / bias_regularizer / activity_regularizer, the
--       options of every weighted layer (B.new_layer hands them here)
--   nn.GaussianNoise(stddev)        additive N(0, stddev^2) noise, training only
--   nn.ActivityRegularization{l1, l2}
--   nn.Layer{build, forward, backward, ...}   a custom layer in Lua, with
--       its own weights (self:add_weight) and loss terms (self:add_loss)
--
-- The extra loss terms reach the training loss through three hooks the
-- graph runner (nn_model.lua) calls: activity_forward after a layer with
-- an activity regularizer ran, activity_backward before its backward,
-- and extra_loss when a batch's loss is formed. As in Keras, the loss fit
-- and evaluate report is the compiled loss plus the sum of the layers'
-- losses: weight penalties on the weights' current values, activity
-- penalties (summed over the batch, divided by the batch size), and what
-- custom layers added.
local T = require "tensor"
local B = require "nn_base"

local fail, args, layer_spec = B.fail, B.args, B.layer_spec

local M = {constructors = {}}
local C = M.constructors

-- ---- regularizers -------------------------------------------------------------

local Reg = {}
Reg.__index = Reg
M.Regularizer = Reg

local function new_reg(kind, l1, l2)
  for what, v in pairs({l1 = l1, l2 = l2}) do
    if type(v) ~= "number" or v ~= v or v < 0 then
      fail("regularizers.%s: %s must be a number >= 0, got %s", kind, what, tostring(v))
    end
  end
  return setmetatable({kind = kind, l1 = l1, l2 = l2}, Reg)
end

function Reg:__tostring()
  return ("<regularizer %s: l1 %g, l2 %g>"):format(self.kind, self.l1, self.l2)
end

-- penalty of tensor w: l1 * sum |w| + l2 * sum w^2
function Reg:penalty(w)
  local p = 0
  if self.l1 ~= 0 then p = p + self.l1 * w:abs():sum() end
  if self.l2 ~= 0 then p = p + self.l2 * (w * w):sum() end
  return p
end

-- its gradient with respect to w, times scale
function Reg:gradient(w, scale)
  local g
  if self.l1 ~= 0 then g = w:sign() * (self.l1 * scale) end
  if self.l2 ~= 0 then
    local g2 = w * (2 * self.l2 * scale)
    g = g and (g + g2) or g2
  end
  return g or T.zeros(w:shape())
end

-- Keras 2.6's helpers: l1(l1=0.01), l2(l2=0.01), l1_l2(l1=0.01, l2=0.01)
M.regularizers = {}
function M.regularizers.l1(...)
  local o = args("regularizers.l1", {"l1"}, {l1 = "number"}, ...)
  return new_reg("L1", o.l1 or 0.01, 0)
end
function M.regularizers.l2(...)
  local o = args("regularizers.l2", {"l2"}, {l2 = "number"}, ...)
  return new_reg("L2", 0, o.l2 or 0.01)
end
function M.regularizers.l1_l2(...)
  local o = args("regularizers.l1_l2", {"l1", "l2"}, {l1 = "number", l2 = "number"}, ...)
  return new_reg("L1L2", o.l1 or 0.01, o.l2 or 0.01)
end
M.regularizers.L1, M.regularizers.L2 = M.regularizers.l1, M.regularizers.l2
-- the class L1L2 defaults to 0 for both, as Keras's
function M.regularizers.L1L2(...)
  local o = args("regularizers.L1L2", {"l1", "l2"}, {l1 = "number", l2 = "number"}, ...)
  return new_reg("L1L2", o.l1 or 0, o.l2 or 0)
end

-- a regularizer option: an object above or a name ("l1", "l2", "l1_l2")
local function check_reg(fn, key, v)
  if v == nil then return nil end
  if getmetatable(v) == Reg then return v end
  if type(v) == "string" then
    local f = M.regularizers[v]
    if f and v:lower() == v then return f() end
    local near = require("options").nearest(v, {"l1", "l2", "l1_l2"})
    fail("%s: unknown %s '%s'%s", fn, key, v, near and (" (did you mean '" .. near .. "'?)") or "")
  end
  fail("%s: %s must be nn.regularizers.l1/l2/l1_l2(...) or its name, got %s", fn, key, type(v))
end



-- B.new_layer calls this when a layer's options hold any regularizer
function M.take(l, opts)
  local fn = l.class
  l.kernel_regularizer = check_reg(fn, "kernel_regularizer", opts.kernel_regularizer)
  l.bias_regularizer = check_reg(fn, "bias_regularizer", opts.bias_regularizer)
  l.activity_regularizer = check_reg(fn, "activity_regularizer", opts.activity_regularizer)
end

-- ---- the hooks of the graph runner -------------------------------------------------

-- after layer l produced y: its activity penalty (per sample: / batch)
function M.activity_forward(l, y)
  local r = l.activity_regularizer
  if not T.is_tensor(y) then
    fail("%s '%s': activity_regularizer needs a single output", l.class, l.name)
  end
  l.activity_y = y
  l.activity_loss = r:penalty(y) / y:size(1)
end

-- before layer l's backward: dy plus the activity penalty's gradient
function M.activity_backward(l, dy)
  local y = l.activity_y
  if not y then return dy end
  return dy + l.activity_regularizer:gradient(y, 1 / y:size(1))
end

-- the weight records a weight regularizer of layer l applies to
local function regularized(l, f)
  for _, w in ipairs(l.weights) do
    local r = (w.short == "kernel" and l.kernel_regularizer) or
              (w.short == "bias" and l.bias_regularizer)
    if r then f(w, r) end
  end
end

-- The layers' losses of model m's last forward pass, summed (nested
-- models walked). training: also add the weight penalties' gradients to
-- the gradients of the weights the optimizer updates (call after
-- backward, before the update: the penalties use the current values).
function M.extra_loss(m, training)
  local total = 0
  local train          -- the weights the optimizer updates, listed when first needed
  local function trained(w)
    if not train then
      train = {}
      for _, v in ipairs(m:weights(true)) do train[v] = true end
    end
    return train[w]
  end
  local function walk(l)
    if l.is_model then
      for _, sub in ipairs(l.layers) do walk(sub) end
      return
    end
    if l.activity_regularizer and l.activity_loss then total = total + l.activity_loss end
    if l.loss_terms then
      for _, v in ipairs(l.loss_terms) do total = total + v end
    end
    if l.kernel_regularizer or l.bias_regularizer then
      regularized(l, function(w, r)
        total = total + r:penalty(w.value)
        if training and w.grad and trained(w) then
          w.grad = w.grad + r:gradient(w.value, 1)
        end
      end)
    end
  end
  for _, l in ipairs(m.layers) do walk(l) end
  return total
end

-- layer:add_loss(value): a loss term (a number or a 1-element tensor)
-- added to the model's loss for this forward pass; the layer's backward
-- adds its gradient to what it returns. Call it from forward.
function B.Layer:add_loss(v)
  if T.is_tensor(v) then
    if v:numel() ~= 1 then
      fail("%s '%s': add_loss takes a number or a 1-element tensor, got shape %s",
           self.class, self.name, B.shape_str(v:shape()))
    end
    v = v:sum()
  end
  if type(v) ~= "number" then
    fail("%s '%s': add_loss takes a number, got %s", self.class, self.name, type(v))
  end
  local terms = self.loss_terms
  if not terms then terms = {}; self.loss_terms = terms end
  terms[#terms + 1] = v
end

-- ---- GaussianNoise ------------------------------------------------------------------

local GaussianNoise = B.layer_class("GaussianNoise", "gaussian_noise")
GaussianNoise.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local NOISE = layer_spec{stddev = "number", seed = "integer"}
function C.GaussianNoise(...)
  local o = args("GaussianNoise", {"stddev"}, NOISE, ...)
  if type(o.stddev) ~= "number" or o.stddev ~= o.stddev or o.stddev < 0 then
    fail("GaussianNoise: stddev must be a number >= 0, got %s", tostring(o.stddev))
  end
  local l = B.new_layer(GaussianNoise, o)
  l.stddev = o.stddev
  -- the workbook has one seeded generator: a seed given here seeds it
  l.seed = o.seed
  if o.seed then T.seed(o.seed) end
  return l
end
function GaussianNoise:build(s) return s end
function GaussianNoise:forward(x, training)
  if not training or self.stddev == 0 then return x end
  return x + T.randn(x:shape()) * self.stddev
end
function GaussianNoise:backward(dy) return dy end

-- ---- ActivityRegularization -------------------------------------------------------

local ActReg = B.layer_class("ActivityRegularization", "activity_regularization")
local ACTREG = layer_spec{l1 = "number", l2 = "number"}
function C.ActivityRegularization(...)
  local o = args("ActivityRegularization", {"l1", "l2"}, ACTREG, ...)
  local l = B.new_layer(ActReg, o)
  l.l1, l.l2 = o.l1 or 0, o.l2 or 0
  l.activity_regularizer = new_reg("L1L2", l.l1, l.l2)
  return l
end
function ActReg:build(s) return s end
function ActReg:forward(x) return x end
function ActReg:backward(dy) return dy end

-- ---- custom layers written in Lua ----------------------------------------------------

local CUSTOM = layer_spec{class_name = "string", build = "function", forward = "function",
                          backward = "function", multi_input = "boolean"}

local function snake(name)
  return (name:gsub("(%l)(%u)", "%1_%2"):gsub("(%u)(%u%l)", "%1_%2"):lower())
end

-- the methods every custom layer's class gets
local function shape_list(s)
  if type(s) ~= "table" then return false end
  for _, v in ipairs(s) do if math.type(v) ~= "integer" and not (type(v) == "number" and v % 1 == 0) then return false end end
  return #s > 0
end

local function build_custom(self, s)
  local out = self.custom.build and self.custom.build(self, s)
  if out == nil then
    if self.multi_input then
      fail("%s '%s': build must return the output shape (it takes several inputs)",
           self.class, self.name)
    end
    out = {table.unpack(s)}
  end
  if not shape_list(out) then
    fail("%s '%s': build must return the output shape as a list of sizes without the batch axis",
         self.class, self.name)
  end
  return out
end

local custom_methods = {}
custom_methods.build = build_custom
function custom_methods.forward(self, x, training)
  self.loss_terms = nil
  local y = self.custom.forward(self, x, training)
  if not T.is_tensor(y) then
    fail("%s '%s': forward must return a tensor, got %s", self.class, self.name, type(y))
  end
  return y
end
function custom_methods.backward(self, dy)
  if not self.custom.backward then
    fail("%s '%s': training needs backward = function(self, dy) (the layer has none)",
         self.class, self.name)
  end
  local dx = self.custom.backward(self, dy)
  if self.multi_input then
    if type(dx) ~= "table" or T.is_tensor(dx) then
      fail("%s '%s': backward must return a list of gradients, one per input", self.class, self.name)
    end
  elseif not T.is_tensor(dx) then
    fail("%s '%s': backward must return a tensor (dL/dx), got %s", self.class, self.name, type(dx))
  end
  for _, w in ipairs(self.weights) do
    if w.trainable and self.trainable then
      if not T.is_tensor(w.grad) or table.concat(w.grad:shape(), ",") ~= table.concat(w.value:shape(), ",") then
        fail("%s '%s': backward must set the gradient of weight '%s' (w.grad, shape %s)",
             self.class, self.name, w.short, B.shape_str(w.value:shape()))
      end
      if not w.grad:is_contiguous() then w.grad = w.grad:contiguous() end
    end
  end
  return dx
end

-- nn.Layer{build = f, forward = f, backward = f, class_name = "Sampling",
--          name = ..., multi_input = true}: a layer whose work is Lua.
--   build(self, input_shape) -> output shape (nil: the input's); shapes
--       have no batch axis; a multi_input layer gets the list of shapes.
--       self:add_weight(name, shape, init) declares a weight (a record
--       with .value); backward sets its .grad (the same shape).
--   forward(self, x, training) -> y (x: a list for multi_input);
--       self:add_loss(v) adds a loss term for this pass.
--   backward(self, dy) -> dL/dx (a list for multi_input), including the
--       gradient of the terms forward added.
function C.Layer(o)
  if type(o) ~= "table" then fail("Layer: give a table {forward = ..., backward = ...}") end
  o = B.check("Layer", o, CUSTOM)
  if not o.forward then fail("Layer: forward = function(self, x, training) is required") end
  local class_name = o.class_name or "Layer"
  local cls = B.layer_class(class_name, snake(class_name))
  for k, f in pairs(custom_methods) do cls[k] = f end
  local l = B.new_layer(cls, o)
  l.custom = {build = o.build, forward = o.forward, backward = o.backward}
  l.multi_input = o.multi_input or nil
  return l
end

return M
