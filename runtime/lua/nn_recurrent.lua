-- nn_recurrent.lua - the sequence layers, Keras 2.6's names, options,
-- defaults and weight layouts: SimpleRNN, LSTM and GRU over the C cells
-- (nn.core.rnn_forward/backward, runtime/nn/nn_rnn.c), Bidirectional,
-- TimeDistributed, and the 1-D layers Conv1D, MaxPooling1D,
-- GlobalAveragePooling1D (the 2-D kernels on a height-1 image) and
-- Embedding. Sequences are (N, T, features). nn.lua publishes every
-- entry of M.constructors as nn.<Name>.
local T = require "tensor"
local K = require "nn.core"
local B = require "nn_base"

local fail, args, layer_spec = B.fail, B.args, B.layer_spec
local layer_class, new_layer, with_batch = B.layer_class, B.new_layer, B.with_batch
local batch_shape_str = B.batch_shape_str

local M = {constructors = {}}
local C = M.constructors

local INIT = "string"

-- sequences (N, T, F): s is the per-sample shape {T, F}
local function sequences_only(self, s)
  if #s == 1 then
    fail("%s '%s': expects sequences (N, T, features), got %s; for one feature per " ..
         "step reshape the input to (N, %d, 1), e.g. x:reshape(x:size(1), %d, 1) " ..
         "(after a recurrent layer: give that one return_sequences = true)",
         self.class, self.name, batch_shape_str(s), s[1], s[1])
  end
  if #s ~= 2 then
    fail("%s '%s': expects sequences (N, T, features), got %s", self.class, self.name,
         batch_shape_str(s))
  end
end

local function rate(fn, what, v)
  if v == nil then return 0 end
  if type(v) ~= "number" or v < 0 or v >= 1 then
    fail("%s: %s must be a number in [0, 1), got %s", fn, what, tostring(v))
  end
  return v
end

-- ---- SimpleRNN, LSTM, GRU -----------------------------------------------------

local RNN_COMMON = {units = "integer", activation = "string", use_bias = "boolean",
                    kernel_initializer = INIT, recurrent_initializer = INIT,
                    bias_initializer = INIT, dropout = "number",
                    recurrent_dropout = "number", return_sequences = "boolean",
                    return_state = "boolean", go_backwards = "boolean"}

-- kind: nn.core's cell name; gates: G; own: the options only this cell has
local function recurrent(class, prefix, kind, gates, own)
  local cls = layer_class(class, prefix)
  cls.per_sample = true  -- inference: each sample on its own (nn_model.lua streams)
  local spec = {}
  for k, v in pairs(RNN_COMMON) do spec[k] = v end
  for k, v in pairs(own) do spec[k] = v end
  spec = layer_spec(spec)
  C[class] = function(...)
    local o = args(class, {"units", "activation"}, spec, ...)
    local units = B.positive_int(o.units, class, "units")
    local l = new_layer(cls, o)
    l.config = o
    l.kind, l.gates, l.units = kind, gates, units
    l.activation_name = B.check_activation(class, o.activation or "tanh")
    if kind ~= "simple_rnn" then
      l.recurrent_activation = B.check_activation(class, o.recurrent_activation or "sigmoid")
    end
    l.use_bias = o.use_bias ~= false
    l.kernel_initializer = o.kernel_initializer or "glorot_uniform"
    l.recurrent_initializer = o.recurrent_initializer or "orthogonal"
    l.bias_initializer = o.bias_initializer or "zeros"
    l.unit_forget_bias = kind == "lstm" and o.unit_forget_bias ~= false
    l.reset_after = kind == "gru" and o.reset_after ~= false
    l.dropout = rate(class, "dropout", o.dropout)
    l.recurrent_dropout = rate(class, "recurrent_dropout", o.recurrent_dropout)
    l.return_sequences = o.return_sequences or false
    l.return_state = o.return_state or false
    l.go_backwards = o.go_backwards or false
    -- Keras names the cell inside: lstm/lstm_cell/kernel:0
    l.cell_name = B.unique_name(prefix .. "_cell")
    return l
  end
  cls.is_recurrent = true
  function cls:build(s)
    sequences_only(self, s)
    local f, u, g = s[2], self.units, self.gates
    local function add(name, shape, init)
      local w = self:add_weight(name, shape, init)
      w.name = self.name .. "/" .. self.cell_name .. "/" .. name .. ":0"
      return w
    end
    self.kernel = add("kernel", {f, g * u}, self.kernel_initializer)
    self.recurrent_kernel = add("recurrent_kernel", {u, g * u}, self.recurrent_initializer)
    if self.use_bias then
      local shape = self.reset_after and {2, g * u} or {g * u}
      self.bias = add("bias", shape, self.bias_initializer)
      if self.unit_forget_bias then self.bias.value:slice(1, u + 1, 2 * u):fill(1) end
    end
    self.steps, self.features = s[1], f
    self.opts = {activation = self.activation_name,
                 recurrent_activation = self.recurrent_activation}
    if self.kind == "gru" then self.opts.reset_after = self.reset_after end
    if self.return_sequences then return {s[1], u} end
    return {u}
  end
  function cls:forward(x, training)
    local n = x:size(1)
    if self.go_backwards then x = x:flip(2) end
    self.in_mask = nil
    if training and self.dropout > 0 then
      local _, m = K.dropout_forward(T.ones(n, 1, self.features), self.dropout)
      self.in_mask = m
      x = x * m
    end
    local o = self.opts
    o.mask = nil
    if training and self.recurrent_dropout > 0 then
      local _, m = K.dropout_forward(T.ones(n, self.units), self.recurrent_dropout)
      o.mask = m
    end
    self.x = x
    local y, cache, c_last = K.rnn_forward(self.kind, x, self.kernel.value,
        self.recurrent_kernel.value, self.bias and self.bias.value, o)
    self.cache, self.mask = cache, o.mask
    local h_last = y:select(2, self.steps)
    self.states = {h_last, c_last}
    if self.return_sequences then return y end
    return h_last:contiguous()
  end
  -- dy: (N, T, u) or (N, u); self.state_grads (from return_state) add in
  function cls:backward(dy)
    local o = {activation = self.activation_name,
               recurrent_activation = self.recurrent_activation,
               reset_after = self.opts.reset_after, mask = self.mask,
               need_dx = self.need_dx ~= false}
    if self.return_sequences then o.dy = dy else o.dh_last = dy end
    local sg = self.state_grads
    if sg then
      if sg[1] then o.dh_last = o.dh_last and (o.dh_last + sg[1]) or sg[1] end
      o.dc_last = sg[2]
      self.state_grads = nil
    end
    local dx, dw, dr, db = K.rnn_backward(self.kind, self.x, self.kernel.value,
        self.recurrent_kernel.value, self.bias and self.bias.value, self.cache, o)
    self.kernel.grad, self.recurrent_kernel.grad = dw, dr
    if self.bias then self.bias.grad = db end
    if not dx then return nil end
    if self.in_mask then dx = dx * self.in_mask end
    if self.go_backwards then dx = dx:flip(2):contiguous() end
    return dx
  end
  return cls
end

recurrent("SimpleRNN", "simple_rnn", "simple_rnn", 1, {})
recurrent("LSTM", "lstm", "lstm", 4, {recurrent_activation = "string",
                                      unit_forget_bias = "boolean"})
recurrent("GRU", "gru", "gru", 3, {recurrent_activation = "string",
                                   reset_after = "boolean"})

-- ---- Bidirectional ---------------------------------------------------------------

local Bidirectional = layer_class("Bidirectional", "bidirectional")
Bidirectional.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local BIDI = layer_spec{layer = "table", merge_mode = "string", backward_layer = "table"}
local MERGE = {concat = true, sum = true, mul = true, ave = true}

-- a wrapper's arguments: (layer [, second] [, {opts}]) or {layer = ...}
-- (a layer is a table too, so the generic parser would take it for
-- options)
local function wrapper_args(fn, names, spec, layer, ...)
  if B.is_layer(layer) then
    local o = args(fn, {table.unpack(names, 2)}, spec, ...)
    if o.layer ~= nil then fail("%s: layer is given twice", fn) end
    o.layer = layer
    return o
  end
  return args(fn, names, spec, layer, ...)
end

function C.Bidirectional(...)
  local o = wrapper_args("Bidirectional", {"layer", "merge_mode"}, BIDI, ...)
  local inner = o.layer
  if type(inner) ~= "table" or not inner.is_recurrent then
    fail("Bidirectional: expects a recurrent layer (nn.SimpleRNN, nn.LSTM, nn.GRU), got %s",
         type(inner) == "table" and (inner.class or "a table") or type(inner))
  end
  local mode = o.merge_mode or "concat"
  if not MERGE[mode] then
    fail("Bidirectional: merge_mode must be 'concat', 'sum', 'mul' or 'ave', got '%s'",
         tostring(mode))
  end
  local l = new_layer(Bidirectional, o)
  l.merge_mode = mode
  -- the backward copy: the same configuration, the other direction
  local cfg = {}
  for k, v in pairs(inner.config) do cfg[k] = v end
  cfg.go_backwards = not inner.go_backwards
  cfg.name = "backward_" .. inner.name
  local back = o.backward_layer or C[inner.class](cfg)
  inner.name = "forward_" .. inner.name
  l.forward_layer, l.backward_layer = inner, back
  l.input_shape_opt = l.input_shape_opt or inner.input_shape_opt
  return l
end

function Bidirectional:build(s)
  local a = self.forward_layer:build(s)
  self.backward_layer:build(s)
  for _, sub in ipairs({self.forward_layer, self.backward_layer}) do
    for _, w in ipairs(sub.weights) do
      w.name = self.name .. "/" .. w.name
      self.weights[#self.weights + 1] = w
    end
  end
  self.seq = self.forward_layer.return_sequences
  local out = {table.unpack(a)}
  if self.merge_mode == "concat" then out[#out] = 2 * out[#out] end
  self.units = a[#a]
  return out
end

function Bidirectional:forward(x, training)
  local yf = self.forward_layer:forward(x, training)
  local yb = self.backward_layer:forward(x, training)
  -- the backward layer's sequence runs from the end: flip it back
  if self.seq then yb = yb:flip(2) end
  self.yf, self.yb = yf, yb
  local m = self.merge_mode
  if m == "concat" then return T.concat({yf, yb}, -1) end
  if m == "sum" then return yf + yb end
  if m == "mul" then return yf * yb end
  return (yf + yb) * 0.5
end

function Bidirectional:backward(dy)
  local m, u = self.merge_mode, self.units
  local df, db
  if m == "concat" then
    local d = dy:dim()
    df, db = dy:slice(d, 1, u):contiguous(), dy:slice(d, u + 1, 2 * u):contiguous()
  elseif m == "sum" then df, db = dy, dy
  elseif m == "mul" then df, db = dy * self.yb, dy * self.yf
  else df = dy * 0.5; db = df end
  if self.seq then db = db:flip(2):contiguous() end
  for _, sub in ipairs({self.forward_layer, self.backward_layer}) do
    sub.need_dx = self.need_dx
  end
  local dxf = self.forward_layer:backward(df)
  local dxb = self.backward_layer:backward(db)
  if dxf then return dxf + dxb end
end

-- ---- TimeDistributed --------------------------------------------------------------

local TimeDistributed = layer_class("TimeDistributed", "time_distributed")
TimeDistributed.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local TD = layer_spec{layer = "table"}

function C.TimeDistributed(...)
  local o = wrapper_args("TimeDistributed", {"layer"}, TD, ...)
  if not B.is_layer(o.layer) or o.layer.is_model then
    fail("TimeDistributed: expects a layer, got %s", type(o.layer))
  end
  local l = new_layer(TimeDistributed, o)
  l.layer = o.layer
  return l
end

function TimeDistributed:build(s)
  if #s < 2 then
    fail("TimeDistributed '%s': expects (N, T, ...) input, got %s", self.name,
         batch_shape_str(s))
  end
  local inner = {table.unpack(s, 2)}
  local out = self.layer:build(inner)
  self.layer.output_shape = out
  self.weights = self.layer.weights
  self.steps, self.inner_out = s[1], out
  -- the inner layer's activation shows as the wrapper's, so a softmax
  -- or sigmoid on the last layer still fuses into the loss
  self.activation = self.layer.activation
  return {s[1], table.unpack(out)}
end

local function merge_time(x)
  local s = x:shape()
  local shape = {s[1] * s[2]}
  for i = 3, #s do shape[#shape + 1] = s[i] end
  return x:contiguous():reshape(shape)
end

function TimeDistributed:forward(x, training)
  local n = x:size(1)
  self.n = n
  self.layer.act_now = self.act_now
  local y = self.layer:forward(merge_time(x), training)
  return y:reshape({n, self.steps, table.unpack(self.inner_out)})
end

function TimeDistributed:backward(dy)
  self.layer.need_dx = self.need_dx
  local dx = self.layer:backward(merge_time(dy))
  if not dx then return nil end
  local s = dx:shape()
  local shape = {self.n, self.steps}
  for i = 2, #s do shape[#shape + 1] = s[i] end
  return dx:reshape(shape)
end

-- ---- Conv1D, MaxPooling1D, GlobalAveragePooling1D -----------------------------------
-- The 2-D kernels on (N, 1, T, C): a Keras Conv1D kernel (k, C, F) has
-- the bytes of a (1, k, C, F) Conv2D kernel.

local Conv1D = layer_class("Conv1D", "conv1d")
Conv1D.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local CONV1D = layer_spec{filters = "integer", kernel_size = "integer|table",
                          strides = "integer|table", padding = "string",
                          activation = "string", use_bias = "boolean",
                          kernel_initializer = INIT, bias_initializer = INIT}

local function one_int(v, fn, what)
  if type(v) == "table" and not T.is_tensor(v) and #v == 1 then v = v[1] end
  return B.positive_int(v, fn, what)
end

function C.Conv1D(...)
  local o = args("Conv1D", {"filters", "kernel_size", "strides", "padding"}, CONV1D, ...)
  local filters = B.positive_int(o.filters, "Conv1D", "filters")
  if o.kernel_size == nil then fail("Conv1D: kernel_size is required") end
  local l = new_layer(Conv1D, o)
  l.filters = filters
  l.kernel_size = one_int(o.kernel_size, "Conv1D", "kernel_size")
  l.strides = one_int(o.strides or 1, "Conv1D", "strides")
  l.padding = B.check_padding("Conv1D", o.padding)
  l.activation = B.check_activation("Conv1D", o.activation)
  l.use_bias = o.use_bias ~= false
  l.kernel_initializer = o.kernel_initializer or "glorot_uniform"
  l.bias_initializer = o.bias_initializer or "zeros"
  return l
end

function Conv1D:build(s)
  sequences_only(self, s)
  local k = self.kernel_size
  local ot = B.output_size(s[1], k, self.strides, self.padding)
  if ot < 1 then
    fail("Conv1D '%s': a kernel of %d does not fit %d steps with 'valid' padding",
         self.name, k, s[1])
  end
  self.kernel = self:add_weight("kernel", {k, s[2], self.filters}, self.kernel_initializer)
  if self.use_bias then self.bias = self:add_weight("bias", {self.filters}, self.bias_initializer) end
  self.opts = {strides = {1, self.strides}, padding = self.padding}
  self.steps_in, self.steps_out = s[1], ot
  return {ot, self.filters}
end

-- the activation fused into the kernel, and the one run after it
-- (swish, gelu: their derivatives need the input)
local function split_act(self)
  local a = self.act_now or self.activation
  if K.activations_need_input[a] then return "linear", a end
  return a, nil
end

function Conv1D:forward(x)
  local n = x:size(1)
  local x4 = x:contiguous():reshape(n, 1, self.steps_in, x:size(3))
  local w4 = self.kernel.value:reshape(1, table.unpack(self.kernel.value:shape()))
  self.x4 = x4
  local o = self.opts
  local fused, after = split_act(self)
  o.activation = fused
  self.y4 = K.conv2d_forward(x4, w4, self.bias and self.bias.value, o)
  local y = self.y4:reshape(n, self.steps_out, self.filters)
  self.pre = after and y or nil
  if after then y = K.activation_forward(after, y) end
  return y
end

function Conv1D:backward(dy)
  local n = dy:size(1)
  local w4 = self.kernel.value:reshape(1, table.unpack(self.kernel.value:shape()))
  local fused, after = split_act(self)
  if after then dy = K.activation_backward_x(after, self.pre, dy) end
  local o = {strides = self.opts.strides, padding = self.padding,
             activation = fused, y = self.y4, need_dx = self.need_dx}
  local dx, dw, db = K.conv2d_backward(self.x4, w4,
      dy:contiguous():reshape(n, 1, self.steps_out, self.filters), o)
  self.kernel.grad = dw:reshape(self.kernel.value:shape())
  if self.bias then self.bias.grad = db end
  if dx then return dx:reshape(n, self.steps_in, dx:size(4)) end
end

local MaxPooling1D = layer_class("MaxPooling1D", "max_pooling1d")
MaxPooling1D.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local POOL1D = layer_spec{pool_size = "integer|table", strides = "integer|table",
                          padding = "string"}
function C.MaxPooling1D(...)
  local o = args("MaxPooling1D", {"pool_size", "strides", "padding"}, POOL1D, ...)
  local l = new_layer(MaxPooling1D, o)
  l.pool_size = one_int(o.pool_size or 2, "MaxPooling1D", "pool_size")
  l.strides = one_int(o.strides or l.pool_size, "MaxPooling1D", "strides")
  l.padding = B.check_padding("MaxPooling1D", o.padding)
  return l
end

function MaxPooling1D:build(s)
  sequences_only(self, s)
  local ot = B.output_size(s[1], self.pool_size, self.strides, self.padding)
  if ot < 1 then
    fail("MaxPooling1D '%s': pool %d larger than its %d steps", self.name, self.pool_size, s[1])
  end
  self.opts = {pool_size = {1, self.pool_size}, strides = {1, self.strides},
               padding = self.padding}
  self.steps_in, self.steps_out = s[1], ot
  return {ot, s[2]}
end

function MaxPooling1D:forward(x)
  local n, c = x:size(1), x:size(3)
  self.x4 = x:contiguous():reshape(n, 1, self.steps_in, c)
  local y, arg = K.maxpool2d_forward(self.x4, self.opts)
  self.arg = arg
  return y:reshape(n, self.steps_out, c)
end

function MaxPooling1D:backward(dy)
  local n, c = dy:size(1), dy:size(3)
  local dx = K.maxpool2d_backward(self.x4, self.arg,
      dy:contiguous():reshape(n, 1, self.steps_out, c), self.opts)
  return dx:reshape(n, self.steps_in, c)
end

local GAP1D = layer_class("GlobalAveragePooling1D", "global_average_pooling1d")
GAP1D.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
function C.GlobalAveragePooling1D(...)
  return new_layer(GAP1D, args("GlobalAveragePooling1D", {}, layer_spec{}, ...))
end
function GAP1D:build(s) sequences_only(self, s); return {s[2]} end
function GAP1D:forward(x)
  self.x4 = x:contiguous():reshape(x:size(1), x:size(2), 1, x:size(3))
  return K.global_avgpool2d_forward(self.x4)
end
function GAP1D:backward(dy)
  local dx = K.global_avgpool2d_backward(self.x4, dy)
  return dx:reshape(dx:size(1), dx:size(2), dx:size(4))
end

-- ---- Embedding ---------------------------------------------------------------------
-- ids (N, T) (0-based token ids, as floats) -> (N, T, output_dim)

local Embedding = layer_class("Embedding", "embedding")
Embedding.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
local EMBED = layer_spec{input_dim = "integer", output_dim = "integer",
                         embeddings_initializer = INIT, input_length = "integer"}
function C.Embedding(...)
  local o = args("Embedding", {"input_dim", "output_dim"}, EMBED, ...)
  local l = new_layer(Embedding, o)
  l.input_dim = B.positive_int(o.input_dim, "Embedding", "input_dim")
  l.output_dim = B.positive_int(o.output_dim, "Embedding", "output_dim")
  -- Keras's 'uniform' is random_uniform(-0.05, 0.05)
  local init = o.embeddings_initializer or "uniform"
  l.embeddings_initializer = init == "uniform" and "random_uniform" or init
  if o.input_length and not o.input_shape then
    l.input_shape_opt = {B.positive_int(o.input_length, "Embedding", "input_length")}
  end
  return l
end

function Embedding:build(s)
  self.embeddings = self:add_weight("embeddings", {self.input_dim, self.output_dim},
                                    self.embeddings_initializer)
  local out = {table.unpack(s)}
  out[#out + 1] = self.output_dim
  return out
end

function Embedding:forward(x)
  self.ids = x
  local ok, y = pcall(K.embedding_forward, x, self.embeddings.value)
  if not ok then
    fail("Embedding '%s': %s", self.name, (tostring(y):gsub("^[^:\n ]*:%d+: ", ""):gsub("^embedding_forward: ", "")))
  end
  return y
end

function Embedding:backward(dy)
  self.embeddings.grad = K.embedding_backward(self.ids, dy, self.embeddings.value)
  return nil        -- ids have no gradient
end

return M
