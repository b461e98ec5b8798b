-- nn_model.lua - models: Sequential, the graph runner under Sequential
-- and functional models, compile, fit, evaluate, predict,
-- train_on_batch, get_weights/set_weights, get_layer. Losses,
-- optimizers, metrics and callbacks are looked up in nn_registry.lua;
-- weight files are nn_weights.lua's.
--
-- A model runs a graph of nodes in topological order; a node is
-- {layer, inbound = {nodes}, shape}. Sequential builds a chain, nn.Model
-- (nn_functional.lua) any acyclic graph; the methods here serve both. A
-- model is itself a layer: it can be called on a node or put in a
-- Sequential, and trainable = false freezes everything inside it.
local T = require "tensor"
local B = require "nn_base"
local R = require "nn_registry"
local W = require "nn_weights"
local text = require "nn_text"
local sys = require "sys"
local REG = require "nn_layers_reg"   -- the layers' extra loss terms (regularizers, add_loss)

local fail, shape_str, batch_shape_str = B.fail, B.shape_str, B.batch_shape_str
local Model = B.Model

local M = {}

-- the '.'-instead-of-':' check of every public method
local function self_check(self, fn, call) B.check_self(self, Model, fn, call) end

-- `local _ <close> = DOING_DONE` in a function that sets sys.doing clears
-- it when the function ends, also when an error leaves it (the error
-- goes on untouched, traceback included): the interrupt message must
-- never name work that is over.
local DOING_DONE = setmetatable({}, {__close = function() sys.doing(nil) end})

-- ---- Sequential ----------------------------------------------------------------

local SEQUENTIAL = {name = "string", trainable = "boolean"}

-- nn.Sequential{layer, layer, ..., name = ...} or nn.Sequential({...}, {name = ...})
function M.Sequential(layers, o)
  if layers ~= nil and type(layers) ~= "table" then
    fail("Sequential: expects a list of layers, got %s", type(layers))
  end
  B.check("Sequential", layers, SEQUENTIAL, true)
  o = B.check("Sequential", o, SEQUENTIAL)
  local name = o.name or (layers and layers.name)
  local trainable = o.trainable
  if trainable == nil and layers then trainable = layers.trainable end
  local m = setmetatable({layers = {}, name = name or B.unique_name("sequential"),
                          class = "Sequential", trainable = trainable ~= false,
                          built = false}, Model)
  for i, l in ipairs(layers or {}) do m:add(l, i) end
  return m
end

function Model:add(layer, i)
  self_check(self, "add", "model:add(layer)")
  -- nn.Input{shape = ...} as the first entry gives the input shape, as
  -- keras.Input does in a Sequential (no layer of its own in the summary)
  if type(layer) == "table" and layer.is_input and layer.shape and not B.is_layer(layer) then
    if #self.layers > 0 or self.built then
      fail("Sequential: nn.Input can only be the first entry (entry %d)", i or #self.layers + 1)
    end
    self:build(layer.shape)
    return
  end
  if not B.is_layer(layer) then
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
  if layer.return_state then
    fail("Sequential: %s '%s' has return_state = true, which gives several outputs; " ..
         "use the functional API (local out, h = layer(x))", layer.class, layer.name)
  end
  local shape = B.build_layer(layer, self.output_shape)
  layer.output_shape = shape
  local node = {layer = layer, inbound = {self.output_node}, shape = shape, node_index = 0}
  self.order[#self.order + 1] = node
  self.output_node, self.output_shape = node, shape
  self.pool_fusions = nil          -- the graph grew: pairs are found again
end

-- Build a Sequential's chain for per-sample input shape s (no batch axis).
function Model:build(s)
  self_check(self, "build", "model:build(input_shape)")
  if type(s) ~= "table" then fail("build: input_shape must be a table of sizes, got %s", type(s)) end
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

function Model:weights(trainable_only)
  local out = {}
  for _, l in ipairs(self.layers) do B.collect(l, out, trainable_only, self.trainable == false) end
  return out
end

-- trainable, non-trainable (a model's own trainable flag included)
function Model:count_params()
  self_check(self, "count_params", "model:count_params()")
  return B.param_counts(self, false)
end

-- What fit returns, as Keras's History: hist.history.loss[epoch] ...;
-- print(hist) says how many epochs ran and each metric's first and last
-- value.
local History = {}
History.__index = History
function History:__tostring()
  local names = {}
  for k in pairs(self.history) do names[#names + 1] = k end
  table.sort(names, function(a, b)
    local va, vb = a:match("^val_") ~= nil, b:match("^val_") ~= nil
    if va ~= vb then return vb end
    if (a == "loss") ~= (b == "loss") then return a == "loss" end
    return a < b
  end)
  local n = #self.epoch
  local parts = {}
  for _, k in ipairs(names) do
    local v = self.history[k]
    if #v > 0 then
      parts[#parts + 1] = #v > 1 and ("%s %.4f -> %.4f"):format(k, v[1], v[#v])
                                   or ("%s %.4f"):format(k, v[1])
    end
  end
  return ("<History: %d epoch%s; %s>"):format(n, n == 1 and "" or "s", table.concat(parts, ", "))
end

-- print(model): its class, name, layers and parameters in one line
function B.Model:__tostring()
  local n = #(self.layers or {})
  local s = ("<%s '%s': %d layer%s"):format(self.class or "Model", self.name, n, n == 1 and "" or "s")
  if self.built then
    local tr, non = B.param_counts(self, false)
    s = s .. (", %d parameters"):format(tr + non)
  else
    s = s .. ", not built yet"
  end
  return s .. "; model:summary() shows the table>"
end

-- model:summary([print_fn]) or model:summary{print_fn = f}
function Model:summary(...)
  self_check(self, "summary", "model:summary()")
  local print_fn = B.args("summary", {"print_fn"}, {print_fn = "function"}, ...).print_fn
  if not self.built then
    fail("summary: the model is not built yet; give the first layer input_shape = {...} or call fit first")
  end
  require("nn_functional").summary(self, print_fn)
end

-- ---- compile -------------------------------------------------------------------

local COMPILE = {optimizer = "string|table", loss = "string", metrics = "table"}

local function lookup(reg, what, name)
  local e, key = R.find(reg, name)
  if e then return e, key end
  local names = R.names(reg)
  local near = type(name) == "string" and require("options").nearest(name, names)
  fail("compile: unknown %s '%s' (%s)", what, tostring(name),
       near and ("did you mean '" .. near .. "'?") or table.concat(names, ", "))
end

function Model:compile(o)
  self_check(self, "compile", "model:compile{...}")
  o = B.check("compile", o, COMPILE)
  local opt = o.optimizer or "rmsprop"
  if type(opt) == "string" then
    local kinds = {}
    for k in pairs(R.optimizers) do kinds[k:lower()] = k end
    local kind = kinds[opt:lower()]
    if not kind then
      local near = require("options").nearest(opt:lower(), R.names(kinds))
      fail("compile: unknown optimizer '%s' (%s)", opt,
           near and ("did you mean '" .. near .. "'?") or table.concat(R.names(kinds), ", "))
    end
    opt = R.new_optimizer(kind)
  elseif getmetatable(opt) ~= R.Optimizer then
    fail("compile: optimizer must be a name or nn.optimizers.X{...}")
  end
  if o.loss == nil then fail("compile: loss is required (%s)", table.concat(R.names(R.losses), ", ")) end
  local loss_entry, loss = lookup(R.losses, "loss", o.loss)
  local metrics = {}
  for _, name in ipairs(o.metrics or {}) do
    local e, key = lookup(R.metrics, "metric", name)
    metrics[#metrics + 1] = {name = key, entry = e}
  end
  self.optimizer, self.loss, self.loss_entry = opt, loss, loss_entry
  self.metrics = metrics
  self.compiled = true
end

-- Which activation the last layer applies while training: softmax and
-- sigmoid fuse into the losses that have a fused kernel for them
-- (stable and cheaper).
function Model:loss_plan()
  local last = self.output_node and self.output_node.layer
  local act = last and last.activation
  local fused = self.loss_entry.fused
  -- (an activity regularizer on the output layer needs its real output)
  if fused and act and fused[act] and not last.activity_regularizer then return "logits_" .. act end
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

-- labels: what the loss wants (class ids, one-hot or values), checked
-- by its registry entry
local function check_y(self, x, y, what)
  if type(y) == "table" and not T.is_tensor(y) then y = T(y) end
  if not T.is_tensor(y) then fail("%s: y must be a tensor or table, got %s", what, type(y)) end
  if y:dim() == 0 or y:size(1) ~= x:size(1) then
    fail("%s: x has %d samples but y has %d", what, x:size(1), y:dim() == 0 and 0 or y:size(1))
  end
  return self.loss_entry.targets(y, self.output_shape[#self.output_shape], what,
                                self.output_shape)
end

-- ---- forward and backward ------------------------------------------------------

-- a node's input: one tensor, or the list a merge layer takes
local function node_input(node)
  if not node.layer.multi_input then return node.inbound[1].y end
  local xs = {}
  for i, p in ipairs(node.inbound) do xs[i] = p.y end
  return xs
end

-- The Conv2D -> MaxPooling2D pairs inference may run as one kernel
-- (Conv2D:forward_pooled): conv node -> pool node, where the pool alone
-- reads the convolution's output, which is not the model's output, and
-- neither layer has its own forward or an activity penalty. Made once
-- per model (the graph does not change after build); a pair whose
-- kernel turns out not to exist is dropped on first use.
local function pool_fusions(self)
  local f = self.pool_fusions
  if f then return f end
  f = {}
  local readers = {}
  for _, node in ipairs(self.order) do
    for _, p in ipairs(node.inbound) do readers[p] = (readers[p] or 0) + 1 end
  end
  local function plain(l, class)
    return type(l) == "table" and l.class == class and rawget(l, "forward") == nil and
           not l.activity_regularizer and not l.loss_terms
  end
  for _, node in ipairs(self.order) do
    local conv = node.inbound[1]
    if #node.inbound == 1 and plain(node.layer, "MaxPooling2D") and node.layer.fuse_opts and
       conv and conv.layer and plain(conv.layer, "Conv2D") and
       rawget(conv.layer, "forward_pooled") == nil and readers[conv] == 1 and
       conv ~= self.output_node then
      f[conv] = node
    end
  end
  self.pool_fusions = f
  return f
end

-- Forward through every node; training turns on dropout and batch
-- statistics. Under a fused plan the output layer skips its softmax or
-- sigmoid (the loss applies it). A frozen model tells its layers, so
-- BatchNormalization inside runs in inference mode. Outside training a
-- Conv2D and the max pooling after it may run as one kernel (the pooled
-- result is the same; the convolution's node then keeps no output).
function Model:forward(x, training, plan)
  if not self.built then fail("forward: the model is not built yet") end
  local frozen = self.frozen_outer or self.trainable == false
  local fused = plan == "logits_softmax" or plan == "logits_sigmoid"
  local pairs_ = not training and pool_fusions(self) or nil
  -- this call's number: a pooling node computed with its convolution is
  -- marked with it (a mark left by a call that failed midway never
  -- matches a later call)
  local stamp = (self.forward_stamp or 0) + 1
  self.forward_stamp = stamp
  self.input_node.y = x
  for _, node in ipairs(self.order) do
    local l = node.layer
    if node.pooled_in == stamp then
      -- computed with its convolution
    else
      l.act_now = (fused and node == self.output_node) and "linear" or nil
      l.frozen_outer = frozen
      local pool = pairs_ and pairs_[node]
      local y = pool and l:forward_pooled(node_input(node), pool.layer)
      if y then
        node.y, pool.y, pool.pooled_in = nil, y, stamp
      else
        if pool then pairs_[node] = nil end   -- no fused kernel for this pair
        node.y = l:forward(node_input(node), training)
        if l.activity_regularizer then REG.activity_forward(l, node.y) end
      end
    end
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
    node.wants = up or B.has_trainable(node.layer, frozen)
  end
end

-- Backward from dy = dL/d(output); fills the weights' grads and returns
-- dL/d(input) when need_dx (a nested model's caller wants it).
-- planned: the caller ran plan_backward for this model already (fit
-- plans once per epoch: what is trainable does not change inside one,
-- and a completed backward leaves every node's dy nil again)
function Model:backward(dy, planned)
  if not planned then self:plan_backward() end
  self.output_node.dy = dy
  for i = #self.order, 1, -1 do
    local node = self.order[i]
    if node.dy and node.wants then
      local l = node.layer
      l.need_dx = node.need_dx
      local dx = l:backward(l.activity_regularizer and REG.activity_backward(l, node.dy) or node.dy)
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
  local e = self.loss_entry
  if plan ~= "probabilities" then return e.fused[plan:sub(8)](out, y, want) end
  return e.kernel(out, y, want)
end

-- correct predictions of a batch, for the accuracy metric
local function correct(self, out, y, plan)
  local m = self.metrics[1]
  return m.entry.count(self.loss_entry, out, y, plan)
end

-- Lua collects garbage once it has grown by the "pause" percentage of
-- the live heap (default 200%). With a dataset live (Fashion-MNIST's
-- 60,000 images are 190 MB) that lets hundreds of MB of freed batch
-- tensors pile up before any is reused, so every step's new tensors
-- land on fresh pages (a page fault per 4 KB) and the heap is trimmed
-- and regrown each cycle. While fit, evaluate or predict loops, the
-- pause is set so about 32 MB of garbage triggers a collection (never
-- below 110%, the default with a small heap); the old pause comes back
-- when the loop ends (Lua 5.4 keeps the pause in steps of 4%, and at
-- 100% it never rests: hence the floor). Collection timing changes no
-- result. A new pause only takes effect when a cycle ends: see
-- train_epoch for the first epoch of a fit.
local GC_GARBAGE_MB = 32
local function gc_for_loop()
  local live_mb = collectgarbage("count") / 1024
  local pause = math.floor(100 + 100 * GC_GARBAGE_MB / math.max(live_mb, 1))
  pause = math.max(110, math.min(200, pause))
  local old = collectgarbage("setpause", pause)
  return setmetatable({}, {__close = function() collectgarbage("setpause", old) end})
end

-- the batches of n samples: (positions, last) with a permutation;
-- (nil, last, first) in order, taken by batch_of as a view
local function batches(n, bs, perm)
  local i = 0
  return function()
    if i >= n then return nil end
    local j = math.min(i + bs, n)
    local first = i + 1
    i = j
    if perm then return perm:slice(1, first, j), j end
    return false, j, first
  end
end

-- the rows of batch (idx or first..last) of t: in-order batches of a
-- contiguous tensor are views (no copy), the rest are gathered - into
-- bufs[key] when the caller keeps such a table (fit, per epoch: a
-- batch lives only for its step, and rewriting one buffer keeps it in
-- cache instead of a new 100 KB tensor per step for the collector)
local function batch_of(t, idx, last, first, bufs, key)
  if idx then
    if not bufs then return t:rows(idx) end
    local b = bufs[key]
    if b and b:size(1) == idx:size(1) then return t:rows(idx, b) end
    b = t:rows(idx)
    bufs[key] = b
    return b
  end
  if t:is_contiguous() then return t:slice(1, first, last) end
  return t:rows(T.arange(first, last + 1))
end

-- ws: the trainable weights (self:weights(true)), when the caller has
-- collected them already (fit, once per epoch); planned: it has run
-- plan_backward too
function Model:train_step(xb, yb, plan, ws, planned)
  local out = self:forward(xb, true, plan)
  local loss, grad = loss_and_grad(self, out, yb, plan, true)
  if loss ~= loss then return loss end
  self:backward(grad, planned)
  loss = loss + REG.extra_loss(self, true)     -- Keras adds the layers' losses
  self.optimizer:apply(ws or self:weights(true))
  local c = #self.metrics > 0 and correct(self, out, yb, plan) or 0
  return loss, c
end

function Model:metric_list(loss, acc, prefix)
  prefix = prefix or ""
  local l = {{prefix .. "loss", loss}}
  if #self.metrics > 0 then l[2] = {prefix .. "accuracy", acc} end
  return l
end

-- loss (and accuracy) as Keras returns them: numbers, or a table
local function results(self, loss, acc, as_dict)
  if as_dict then
    local d = {loss = loss}
    if #self.metrics > 0 then d.accuracy = acc end
    return d
  end
  if #self.metrics > 0 then return loss, acc end
  return loss
end

local TRAIN_ON_BATCH = {return_dict = "boolean"}

function Model:train_on_batch(x, y, o)
  self_check(self, "train_on_batch", "model:train_on_batch(x, y)")
  o = B.check("train_on_batch", o, TRAIN_ON_BATCH)
  if not self.compiled then fail("train_on_batch: compile the model first") end
  check_x(self, x, "train_on_batch")
  y = check_y(self, x, y, "train_on_batch")
  local _ <close> = DOING_DONE
  sys.doing("train_on_batch")
  local loss, c = self:train_step(x, y, self:loss_plan())
  return results(self, loss, c / x:size(1), o.return_dict)
end

-- ---- streamed inference ---------------------------------------------------------
--
-- In inference mode most built-in layers compute every sample on its own
-- (their classes say so with per_sample = true; a class without the
-- flag, such as a custom nn.Layer, is taken as mixing the samples of a
-- batch). When every layer of a model is per-sample, predict and
-- evaluate run each requested batch through the network in sub-batches
-- small enough that one sub-batch's activations stay in the cache, and
-- write the outputs into one tensor: at batch 10,000 the course CNN's
-- first convolution would otherwise produce 1 GB, every page of it a
-- fresh page fault. The batch the caller asked for keeps its meaning
-- (steps, progress bar, the loss summed per batch); the values equal
-- the unsplit computation's, since every per-sample kernel gives a
-- sample the same bits whatever the batch around it
-- (tests/lua/nn_predict_stream.lua checks that claim layer by layer).

-- bytes the largest activation of a sub-batch may take (measured on the
-- course CNN, 2 cores: 1-32 MB all about equal in CPU time, 256 KB
-- clearly slower; 4 MB is 41 samples of its 100 KB first convolution)
M.stream_bytes = 4 * 1024 * 1024     -- (tests set it lower to force splits)

-- does layer (or model) l compute each sample independently at inference?
local function per_sample(l)
  if type(l) ~= "table" or rawget(l, "forward") ~= nil then return false end
  if l.is_model then
    if not l.order then return false end
    for _, node in ipairs(l.order) do
      if not per_sample(node.layer) then return false end
    end
    return true
  end
  local cls = getmetatable(l)
  if type(cls) ~= "table" or rawget(cls, "per_sample") ~= true then return false end
  -- an activity penalty is a mean over the batch (nn_layers_reg.lua)
  if l.activity_regularizer or l.loss_terms then return false end
  -- the layers a wrapper (TimeDistributed, Bidirectional) runs
  for _, k in ipairs({"layer", "forward_layer", "backward_layer"}) do
    local inner = rawget(l, k)
    if inner ~= nil and not per_sample(inner) then return false end
  end
  return true
end

-- elements of a per-sample shape (0 when it is not a plain list of sizes)
local function elements(s)
  local n = 1
  for _, v in ipairs(type(s) == "table" and s or {}) do
    if type(v) ~= "number" then return 0 end
    n = n * v
  end
  return type(s) == "table" and n or 0
end

-- samples per sub-batch for this model, or nil when it cannot be split
local function stream_size(self)
  if not per_sample(self) then return nil end
  local most = elements(self.input_shape)
  local function walk(m)
    for _, node in ipairs(m.order) do
      most = math.max(most, elements(node.shape))
      if node.layer.is_model then walk(node.layer) end
    end
  end
  walk(self)
  return math.max(2, M.stream_bytes // (4 * math.max(most, 1)))
end
M.stream_size = stream_size     -- for tests and benches

-- The model's output for batch xb (inference), computed in sub-batches
-- of at most `sub` samples (nil: in one piece) of equal size (+-1);
-- into `into` (a tensor of the output's shape) when given.
-- While it runs on a per-sample model (sub set) the layers write into
-- their reused buffers (B.streaming, Layer:out_buffer): every output is
-- copied into `into` or consumed by the caller before the next call.
local STREAM_END = setmetatable({}, {__close = function() B.streaming = false end})
local function stream_forward(self, xb, plan, sub, into)
  local n = xb:size(1)
  local _ <close> = sub and STREAM_END or nil
  if sub then B.streaming = true end
  if not sub or n <= sub then
    local out = self:forward(xb, false, plan)
    if into then into:copy(out); return into end
    return out
  end
  local pieces = (n + sub - 1) // sub
  local out = into or T.zeros(B.with_batch(n, self.output_shape))
  local lo = 1
  for k = 1, pieces do
    local hi = lo + (n - lo + 1) // (pieces - k + 1) - 1
    out:slice(1, lo, hi):copy(self:forward(xb:slice(1, lo, hi), false, plan))
    lo = hi + 1
  end
  return out
end

-- evaluate over batches without training; returns loss, accuracy.
-- what: the sys.doing text's head ("evaluate", "fit: epoch 2/5, validation")
function Model:run_eval(x, y, bs, plan, bar, what)
  local n = x:size(1)
  local sum_loss, sum_c, steps = 0, 0, 0
  local total = (n + bs - 1) // bs
  local sub = stream_size(self)
  -- the split batches' outputs, reused from batch to batch
  local buf = sub and bs > sub and T.zeros(B.with_batch(bs, self.output_shape)) or nil
  for idx, done, first in batches(n, bs) do
    sys.doing(("%s: step %d/%d"):format(what, steps + 1, total))
    local xb, yb = batch_of(x, idx, done, first), batch_of(y, idx, done, first)
    local m = xb:size(1)
    local out = stream_forward(self, xb, plan, sub,
                               buf and m > sub and buf:slice(1, 1, m) or nil)
    local loss = loss_and_grad(self, out, yb, plan, false) + REG.extra_loss(self, false)
    sum_loss = sum_loss + loss * m
    if #self.metrics > 0 then sum_c = sum_c + correct(self, out, yb, plan) end
    steps = steps + 1
    if bar then bar:update(steps, self:metric_list(sum_loss / done, sum_c / done)) end
  end
  return sum_loss / n, sum_c / n
end

local function check_batch_size(fn, bs)
  return B.positive_int(bs, fn, "batch_size")
end

local EVALUATE = {batch_size = "integer", verbose = "integer", return_dict = "boolean"}

function Model:evaluate(x, y, o)
  self_check(self, "evaluate", "model:evaluate(x, y)")
  o = B.check("evaluate", o, EVALUATE)
  if not self.compiled then fail("evaluate: compile the model first") end
  check_x(self, x, "evaluate")
  y = check_y(self, x, y, "evaluate")
  local bs = check_batch_size("evaluate", o.batch_size or 32)
  local verbose = o.verbose == nil and 1 or o.verbose
  local steps = (x:size(1) + bs - 1) // bs
  local bar = verbose ~= 0 and text.progbar(steps) or nil
  local loss, acc
  do
    local _ <close> = DOING_DONE
    local _gc <close> = gc_for_loop()
    loss, acc = self:run_eval(x, y, bs, self:loss_plan(), bar, "evaluate")
  end
  if bar then bar:finish(self:metric_list(loss, acc)) end
  return results(self, loss, acc, o.return_dict)
end

local PREDICT = {batch_size = "integer", verbose = "integer"}

function Model:predict(x, o)
  self_check(self, "predict", "model:predict(x)")
  o = B.check("predict", o, PREDICT)
  check_x(self, x, "predict")
  local bs = check_batch_size("predict", o.batch_size or 32)
  local n = x:size(1)
  local steps = (n + bs - 1) // bs
  local bar = (o.verbose or 0) ~= 0 and text.progbar(steps) or nil
  local result
  do
    -- an interrupt from here on names predict's first step (the result's
    -- allocation can take a while)
    local _ <close> = DOING_DONE
    sys.doing(("predict: step 1/%d"):format(steps))
    result = T.zeros({n, table.unpack(self.output_shape)})
    local sub = stream_size(self)
    local _gc <close> = gc_for_loop()
    local step = 0
    for idx, done, first in batches(n, bs) do
      step = step + 1
      sys.doing(("predict: step %d/%d"):format(step, steps))
      local xb = batch_of(x, idx, done, first)
      stream_forward(self, xb, "probabilities", sub, result:slice(1, done - xb:size(1) + 1, done))
      if bar then bar:update(step, {}) end
    end
  end
  if bar then bar:finish({}) end
  return result
end

-- ---- fit ---------------------------------------------------------------------------

local FIT = {epochs = "integer", batch_size = "integer", validation_split = "number",
             validation_data = "table", shuffle = "boolean", verbose = "integer",
             callbacks = "table"}
-- fit(gen, {...}) with gen = an ImageDataGenerator's flow (image_augment.lua)
local FIT_FLOW = {epochs = "integer", steps_per_epoch = "integer", validation_data = "table",
                  verbose = "integer", callbacks = "table"}

local function check_callbacks(list)
  for i, cb in ipairs(list) do
    if getmetatable(cb) ~= R.Callback then
      fail("fit: callbacks entry %d is not a callback (nn.callbacks.EarlyStopping{...}, ...), got %s",
           i, type(cb))
    end
  end
  return list
end

-- a NaN or infinite loss ends fit with an error
local function stop_on_bad_loss(self, loss, bar, epoch, step)
  if loss ~= loss or loss == math.huge then
    if bar then bar:finish(self:metric_list(loss, 0)) end
    fail("fit: the loss became %s at epoch %d, batch %d; training stopped " ..
         "(try a lower learning rate, and check the inputs for NaN)",
         loss ~= loss and "NaN" or "infinite", epoch, step)
  end
end

-- one epoch of training; returns its logs
local function train_epoch(self, x, y, bs, plan, shuffle, epoch, epochs, bar)
  local n = x:size(1)
  local steps = (n + bs - 1) // bs
  local perm = shuffle and T.randperm(n) or nil
  local sum_loss, sum_c, step = 0, 0, 0
  local ws = self:weights(true)
  -- the collector's running cycle was paced by the pause before fit
  -- (200%: with Fashion-MNIST's 210 MB live, another 210 MB of garbage
  -- on fresh pages, 38k page faults, the first epoch twice as slow as
  -- the next, measured); a full collection under gc_for_loop's pause
  -- (about 0.2 ms there: the large tensors are few objects) starts the
  -- first epoch from the live heap. Later epochs run on cycles that
  -- ended under that pause already.
  if epoch == 1 then collectgarbage("collect") end
  self:plan_backward()
  local doing = ("fit: epoch %d/%d, step %%d/%d"):format(epoch, epochs, steps)
  local bufs = {}
  for idx, done, first in batches(n, bs, perm) do
    sys.doing(doing:format(step + 1))
    local xb, yb = batch_of(x, idx, done, first, bufs, "x"),
                     batch_of(y, idx, done, first, bufs, "y")
    local loss, c = self:train_step(xb, yb, plan, ws, true)
    step = step + 1
    stop_on_bad_loss(self, loss, bar, epoch, step)
    sum_loss = sum_loss + loss * xb:size(1)
    sum_c = sum_c + (c or 0)
    if bar then bar:update(step, self:metric_list(sum_loss / done, sum_c / done)) end
  end
  local logs = {loss = sum_loss / n}
  if #self.metrics > 0 then logs.accuracy = sum_c / n end
  return logs
end

-- one epoch of steps batches drawn from a flow (gen:next() -> xb, yb)
local function train_epoch_flow(self, gen, steps, plan, epoch, epochs, bar)
  local sum_loss, sum_c, done = 0, 0, 0
  for step = 1, steps do
    sys.doing(("fit: epoch %d/%d, step %d/%d"):format(epoch, epochs, step, steps))
    local xb, yb = gen:next()
    if yb == nil then fail("fit: the generator gives no targets; make it with gen:flow(x, y)") end
    check_x(self, xb, "fit (generator batch)")
    yb = check_y(self, xb, yb, "fit (generator batch)")
    local loss, c = self:train_step(xb, yb, plan)
    stop_on_bad_loss(self, loss, bar, epoch, step)
    done = done + xb:size(1)
    sum_loss, sum_c = sum_loss + loss * xb:size(1), sum_c + (c or 0)
    if bar then bar:update(step, self:metric_list(sum_loss / done, sum_c / done)) end
  end
  local logs = {loss = sum_loss / done}
  if #self.metrics > 0 then logs.accuracy = sum_c / done end
  return logs
end

function Model:fit(x, y, o)
  self_check(self, "fit", "model:fit(x, y, {...})")
  local gen = require("image_augment").is_flow(x) and x or nil
  if gen then x, y, o = nil, nil, y end
  o = B.check("fit", o, gen and FIT_FLOW or FIT)
  if not self.compiled then fail("fit: compile the model first (model:compile{...})") end
  if not gen then
    check_x(self, x, "fit")
    y = check_y(self, x, y, "fit")
  end
  local epochs = o.epochs or 1
  if epochs < 0 then fail("fit: epochs must be 0 or more, got %d", epochs) end
  local bs = check_batch_size("fit", o.batch_size or 32)
  local verbose = o.verbose == nil and 1 or o.verbose
  local shuffle = o.shuffle ~= false
  local callbacks = check_callbacks(o.callbacks or {})
  local xv, yv
  if o.validation_data then
    xv, yv = o.validation_data[1], o.validation_data[2]
    check_x(self, xv, "fit (validation_data)")
    yv = check_y(self, xv, yv, "fit (validation_data)")
  elseif o.validation_split and o.validation_split ~= 0 then
    local vs = o.validation_split
    if vs < 0 or vs >= 1 then fail("fit: validation_split must be in [0, 1), got %g", vs) end
    -- Keras holds out the LAST fraction of the data, before shuffling
    local n = x:size(1)
    local cut = math.floor(n * (1 - vs))
    if cut < 1 or cut >= n then fail("fit: validation_split %g leaves no training or validation data", vs) end
    xv, yv = x:slice(1, cut + 1, n), y:slice(1, cut + 1, n)
    x, y = x:slice(1, 1, cut), y:slice(1, 1, cut)
  end
  local plan = self:loss_plan()
  if gen and not o.steps_per_epoch and #gen == 0 then
    fail("fit: give steps_per_epoch for a generator without a length (#gen)")
  end
  local steps = gen and B.positive_int(o.steps_per_epoch or #gen, "fit", "steps_per_epoch")
                or (x:size(1) + bs - 1) // bs
  local hist = setmetatable({history = {}, epoch = {}, params = {epochs = epochs, steps = steps}},
                            History)
  local function record(k, v)
    hist.history[k] = hist.history[k] or {}
    table.insert(hist.history[k], v)
  end
  for _, cb in ipairs(callbacks) do cb:reset() end
  local _ <close> = DOING_DONE
  for epoch = 1, epochs do
    for _, cb in ipairs(callbacks) do
      if cb.entry.on_epoch_begin then cb.entry.on_epoch_begin(cb, self, epoch) end
    end
    if verbose ~= 0 then print(("Epoch %d/%d"):format(epoch, epochs)) end
    local bar = verbose ~= 0 and text.progbar(steps) or nil
    local t0 = sys.clock()
    local logs
    do
      local _ <close> = gc_for_loop()
      logs = gen and train_epoch_flow(self, gen, steps, plan, epoch, epochs, bar)
             or train_epoch(self, x, y, bs, plan, shuffle, epoch, epochs, bar)
    end
    hist.train_seconds = (hist.train_seconds or 0) + (sys.clock() - t0)
    local shown = self:metric_list(logs.loss, logs.accuracy)
    if xv then
      logs.val_loss, logs.val_accuracy = self:run_eval(xv, yv, bs, plan, nil,
          ("fit: epoch %d/%d, validation"):format(epoch, epochs))
      if #self.metrics == 0 then logs.val_accuracy = nil end
      for _, m in ipairs(self:metric_list(logs.val_loss, logs.val_accuracy, "val_")) do
        shown[#shown + 1] = m
      end
    end
    if bar then bar:finish(shown) end
    -- the learning rate of this epoch, when a callback changes it (Keras)
    for _, cb in ipairs(callbacks) do
      if cb.entry.logs_lr then logs.lr = self.optimizer.config.learning_rate end
    end
    for _, k in ipairs({"loss", "accuracy", "val_loss", "val_accuracy", "lr"}) do
      if logs[k] then record(k, logs[k]) end
    end
    hist.epoch[#hist.epoch + 1] = epoch
    local stop = false
    for _, cb in ipairs(callbacks) do
      stop = cb:on_epoch_end(self, epoch, logs) or stop
    end
    if stop then break end
  end
  return hist
end

-- ---- weights ------------------------------------------------------------------------

-- All weights in Keras's order (per layer: kernel, bias; BN: gamma, beta,
-- moving_mean, moving_variance). As in Keras, copies by default (a
-- snapshot that later training does not change); copy = false gives the
-- model's own tensors instead, without copying (writing into them
-- changes the model; a large model's weights are not duplicated).
function Model:get_weights(copy)
  self_check(self, "get_weights", "model:get_weights()")
  if copy ~= nil and type(copy) ~= "boolean" then
    fail("get_weights: copy must be true or false, got %s", type(copy))
  end
  local out = {}
  for _, w in ipairs(self:weights()) do
    out[#out + 1] = copy == false and w.value or w.value:clone()
  end
  return out
end

function Model:set_weights(list)
  self_check(self, "set_weights", "model:set_weights(list)")
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

-- Per-layer gradient norms from the last training step (train_on_batch
-- or fit's last batch): a list, in layer order, of {name = layer name,
-- norm = the L2 norm of all its weights' gradients together, kernel =
-- that of its kernel alone (nil without one)}; the vanishing-gradient
-- figure's data. Layers without trained weights are left out.
function Model:gradient_norms()
  self_check(self, "gradient_norms", "model:gradient_norms()")
  local out = {}
  local function walk(l)
    if l.is_model then
      for _, sub in ipairs(l.layers) do walk(sub) end
      return
    end
    local sum, kernel, any = 0, nil, false
    for _, w in ipairs(l.weights) do
      if w.grad then
        local sq = (w.grad * w.grad):sum()
        sum, any = sum + sq, true
        if w.short == "kernel" then kernel = math.sqrt(sq) end
      end
    end
    if any then out[#out + 1] = {name = l.name, norm = math.sqrt(sum), kernel = kernel} end
  end
  for _, l in ipairs(self.layers) do walk(l) end
  if #out == 0 then
    fail("gradient_norms: no gradients yet; run train_on_batch or fit first")
  end
  return out
end

-- model:get_layer("block5_conv3"), as Keras's (fine-tuning picks layers
-- of a pretrained base by name)
function Model:get_layer(name)
  self_check(self, "get_layer", "model:get_layer(name)")
  for _, l in ipairs(self.layers) do
    if l.name == name then return l end
  end
  fail("get_layer: model '%s' has no layer named '%s'", self.name, tostring(name))
end

function Model:save_weights(path, o)
  self_check(self, "save_weights", "model:save_weights(path)")
  W.save(self, path, o)
end

function Model:load_weights(path, o)
  self_check(self, "load_weights", "model:load_weights(path)")
  W.load(self, path, o)
end

Model.h5_layers = W.h5_layers

-- model:profile(x, y, {batch_size, steps, verbose, print_fn}): per-layer
-- forward/backward time and FLOPs of training steps (nn_profile.lua)
function Model:profile(x, y, o)
  self_check(self, "profile", "model:profile(x, y)")
  return require("nn_profile").run(self, x, y, o, {check_x = check_x, check_y = check_y,
                                                  gc_for_loop = gc_for_loop})
end

-- model:save(path): the whole model (architecture, weights, optimizer
-- state) as Keras 2.6's model.save HDF5 file (nn_save.lua)
function Model:save(path)
  self_check(self, "save", "model:save(path)")
  require("nn_save").save(self, path)
end

-- ---- the public tables -----------------------------------------------------------

M.optimizers, M.callbacks = {}, {}
for kind in pairs(R.optimizers) do
  M.optimizers[kind] = function(o) return R.new_optimizer(kind, o) end
end
for kind in pairs(R.callbacks) do
  M.callbacks[kind] = function(...) return R.new_callback(kind, ...) end
end

return M
