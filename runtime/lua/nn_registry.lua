-- nn_registry.lua - the tables compile and fit look names up in:
-- optimizers, losses, metrics and callbacks. Adding one is one entry in
-- its table; compile, fit, evaluate and the option checks read the
-- tables and need no edit.
--
--   R.optimizers[Name] = {defaults = {...}, aliases = {...},
--       state = function(self, w, zeros) -> state table,
--       step = function(w, state, t, config)}
--   R.losses[name] = {aliases, fused = {softmax = kernel} or nil,
--       kernel, targets = function(y, out_dim, what) -> y, correct}
--   R.metrics[name] = {aliases, count = function(loss, out, y, plan)}
--   R.callbacks[Name] = {spec, new = function(o) -> fields,
--       on_epoch_end = function(cb, model, epoch, logs) -> stop}
local T = require "tensor"
local K = require "nn.core"
local B = require "nn_base"

local fail = B.fail
local R = {}

-- names in a registry, sorted, for messages
function R.names(reg)
  local out = {}
  for k in pairs(reg) do out[#out + 1] = k end
  table.sort(out)
  return out
end

-- the entry for name or one of its aliases, or nil
function R.find(reg, name)
  if reg[name] then return reg[name], name end
  for k, e in pairs(reg) do
    for _, a in ipairs(e.aliases or {}) do
      if a == name then return e, k end
    end
  end
end

-- ---- optimizers ------------------------------------------------------------
-- Keras 2.6 defaults. An optimizer keeps its state per weight.

R.optimizers = {
  SGD = {
    defaults = {learning_rate = 0.01, momentum = 0.0, nesterov = false},
    state = function(c, zeros) return {v = c.momentum > 0 and zeros() or nil} end,
    step = function(w, st, t, c) K.sgd_step(w.value, w.grad, st.v, c) end,
  },
  Adam = {
    defaults = {learning_rate = 1e-3, beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7},
    state = function(c, zeros) return {m = zeros(), v = zeros()} end,
    step = function(w, st, t, c) K.adam_step(w.value, w.grad, st.m, st.v, t, c) end,
  },
  RMSprop = {
    defaults = {learning_rate = 1e-3, rho = 0.9, momentum = 0.0, epsilon = 1e-7,
                centered = false},
    state = function(c, zeros)
      return {ms = zeros(), mom = c.momentum > 0 and zeros() or nil,
              mg = c.centered and zeros() or nil}
    end,
    step = function(w, st, t, c) K.rmsprop_step(w.value, w.grad, st.ms, st.mom, st.mg, c) end,
  },
  Adagrad = {
    defaults = {learning_rate = 1e-3, initial_accumulator_value = 0.1, epsilon = 1e-7},
    state = function(c, zeros) return {acc = zeros():fill(c.initial_accumulator_value)} end,
    step = function(w, st, t, c)
      K.adagrad_step(w.value, w.grad, st.acc, {learning_rate = c.learning_rate,
                                               epsilon = c.epsilon})
    end,
  },
  Adadelta = {
    defaults = {learning_rate = 1e-3, rho = 0.95, epsilon = 1e-7},
    state = function(c, zeros) return {acc = zeros(), up = zeros()} end,
    step = function(w, st, t, c) K.adadelta_step(w.value, w.grad, st.acc, st.up, c) end,
  },
  Adamax = {
    defaults = {learning_rate = 1e-3, beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7},
    state = function(c, zeros) return {m = zeros(), v = zeros()} end,
    step = function(w, st, t, c) K.adamax_step(w.value, w.grad, st.m, st.v, t, c) end,
  },
  Nadam = {
    defaults = {learning_rate = 1e-3, beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7},
    state = function(c, zeros) return {m = zeros(), v = zeros(), sched = 1} end,
    step = function(w, st, t, c)
      -- Keras's m_schedule: the product of the momentum schedule so far
      st.sched = st.sched * K.nadam_mu(t, c.beta_1)
      K.nadam_step(w.value, w.grad, st.m, st.v, t,
                   {learning_rate = c.learning_rate, beta_1 = c.beta_1,
                    beta_2 = c.beta_2, epsilon = c.epsilon, m_schedule = st.sched})
    end,
  },
}

local Optimizer = {}
R.Optimizer = Optimizer

-- nn.optimizers.<kind>{...}: Keras's option names (lr is learning_rate's
-- old name)
function R.new_optimizer(kind, o)
  local entry = R.optimizers[kind]
  local spec = {lr = "number"}
  for k, v in pairs(entry.defaults) do spec[k] = type(v) end
  o = B.check(kind, o, spec)
  if o.lr ~= nil and o.learning_rate ~= nil then
    fail("%s: give learning_rate or lr, not both", kind)
  end
  local config = {}
  for k, v in pairs(entry.defaults) do config[k] = v end
  for k, v in pairs(o) do config[k == "lr" and "learning_rate" or k] = v end
  return setmetatable({kind = kind, entry = entry, config = config, state = {},
                       iterations = 0}, Optimizer)
end

-- an optimizer's options read as fields (opt.learning_rate)
function Optimizer:__index(k)
  local v = Optimizer[k]
  if v ~= nil then return v end
  return rawget(self, "config")[k]
end

-- opt:apply_gradients{{g1, p1}, {g2, p2}, ...} (Keras's grads_and_vars)
-- and opt:step(p, g): one update of bare tensors p IN PLACE against
-- their gradients, one iteration per call, the state kept per tensor
-- (drawing an optimizer's path on a loss surface needs no model)
function Optimizer:apply_gradients(list)
  if getmetatable(self) ~= Optimizer then
    fail("apply_gradients: called with '.' instead of ':' (write opt:apply_gradients{{g, p}})")
  end
  if type(list) ~= "table" then
    fail("apply_gradients: expects a list of {gradient, parameter} pairs, got %s", type(list))
  end
  local ws = {}
  for i, pair in ipairs(list) do
    local g, p = type(pair) == "table" and pair[1], type(pair) == "table" and pair[2]
    if not (T.is_tensor(g) and T.is_tensor(p)) then
      fail("apply_gradients: entry %d must be {gradient, parameter}, two tensors", i)
    end
    if table.concat(g:shape(), "x") ~= table.concat(p:shape(), "x") then
      fail("apply_gradients: entry %d: gradient %s does not match parameter %s", i,
           B.shape_str(g:shape()), B.shape_str(p:shape()))
    end
    if not p:is_contiguous() then
      fail("apply_gradients: entry %d: the parameter must be contiguous (updated in place)", i)
    end
    local bare = self.bare or setmetatable({}, {__mode = "k"})
    self.bare = bare
    local w = bare[p] or {value = p}
    bare[p] = w
    w.grad = g
    ws[#ws + 1] = w
  end
  self:apply(ws)
end

function Optimizer:step(p, g)
  if getmetatable(self) ~= Optimizer then
    fail("step: called with '.' instead of ':' (write opt:step(p, g))")
  end
  self:apply_gradients({{g, p}})
  return p
end

function Optimizer:apply(weights)
  self.iterations = self.iterations + 1
  local t, c, entry = self.iterations, self.config, self.entry
  for _, w in ipairs(weights) do
    -- no grad yet: the weight's layer has had no backward pass
    if w.grad then
      local st = self.state[w]
      if not st then
        st = entry.state(c, function() return T.zeros(w.value:shape()) end)
        self.state[w] = st
      end
      entry.step(w, st, t, c)
    end
  end
end

-- ---- losses ------------------------------------------------------------------

local shape_str = B.shape_str

-- 0-based class ids (N): checked here so the message is the script's
local function class_ids(name, y, out, what)
  if y:dim() == 2 and y:size(2) == 1 then y = y:reshape(y:size(1)) end
  if y:dim() ~= 1 then
    fail("%s: %s wants class ids (N,), got %s%s", what, name, shape_str(y:shape()),
         y:dim() == 2 and y:size(2) == out and
           "; these look one-hot: use categorical_crossentropy or pass y:argmax(2) - 1" or "")
  end
  if y:numel() > 0 then
    for i, v in ipairs(y:totable()) do
      if v % 1 ~= 0 then
        fail("%s: label %g is not an integer class id (sample %d)", what, v, i)
      end
    end
    local lo, hi = y:min(), y:max()
    if lo < 0 or hi > out - 1 then
      local bad = lo < 0 and lo or hi
      local pos = lo < 0 and y:argmin() or y:argmax()
      fail("%s: label %g out of range 0..%d (sample %d)", what, bad, out - 1, pos)
    end
  end
  return y
end

-- targets of the output's shape (N, out); a vector is one column. A
-- sequence output (N, T, out) (return_sequences, TimeDistributed) takes
-- targets of its whole shape.
local function same_as_output(name, y, out, what, full)
  if full and #full > 1 then
    local ok = y:dim() == #full + 1
    for i = 1, #full do ok = ok and y:size(i + 1) == full[i] end
    if not ok then
      fail("%s: %s wants targets of shape %s, got %s", what, name,
           B.batch_shape_str(full), shape_str(y:shape()))
    end
    return y
  end
  if y:dim() == 1 then
    if out > 1 then
      fail("%s: %s wants targets of shape (N, %d), got %s%s", what, name, out,
           shape_str(y:shape()), name == "categorical_crossentropy" and
             "; these look like class ids: use sparse_categorical_crossentropy or one-hot encode them"
             or "")
    end
    y = y:reshape(y:size(1), 1)
  end
  if y:dim() ~= 2 or y:size(2) ~= out then
    fail("%s: %s wants targets of shape (N, %d), got %s", what, name, out, shape_str(y:shape()))
  end
  return y
end

-- correct predictions in a batch, per loss
local function correct_sparse(out, y) return (out:argmax(2) - 1):eq(y):sum() end
local function correct_onehot(out, y) return out:argmax(2):eq(y:argmax(2)):sum() end
local function correct_threshold(out, y, plan)
  local thr = plan == "logits_sigmoid" and 0 or 0.5
  return out:gt(thr):eq(y:gt(0.5)):sum() / (out:numel() / out:size(1))
end

-- kernel: nn.core's loss on probabilities; fused: the loss on logits
-- when the last layer's activation (softmax, sigmoid) fuses into it
R.losses = {
  sparse_categorical_crossentropy = {
    kernel = K.sparse_categorical_crossentropy,
    fused = {softmax = K.sparse_softmax_crossentropy},
    targets = function(y, out, what) return class_ids("sparse_categorical_crossentropy", y, out, what) end,
    correct = correct_sparse,
  },
  categorical_crossentropy = {
    kernel = K.categorical_crossentropy,
    fused = {softmax = K.softmax_crossentropy},
    targets = function(y, out, what, full) return same_as_output("categorical_crossentropy", y, out, what, full) end,
    correct = correct_onehot,
  },
  binary_crossentropy = {
    kernel = K.binary_crossentropy,
    fused = {sigmoid = K.sigmoid_binary_crossentropy},
    targets = function(y, out, what, full) return same_as_output("binary_crossentropy", y, out, what, full) end,
    correct = correct_threshold,
  },
  mse = {
    aliases = {"mean_squared_error"},
    kernel = K.mse,
    targets = function(y, out, what, full) return same_as_output("mse", y, out, what, full) end,
    -- Keras picks accuracy by shape: one output column is binary_accuracy,
    -- several (one-hot targets) categorical_accuracy (argmax against argmax)
    correct = function(out, y, plan)
      if out:dim() == 2 and out:size(2) > 1 then return correct_onehot(out, y) end
      return correct_threshold(out, y, plan)
    end,
  },
}

-- ---- metrics ------------------------------------------------------------------

R.metrics = {
  -- Keras picks the accuracy that fits the loss
  accuracy = {aliases = {"acc"},
              count = function(loss, out, y, plan) return loss.correct(out, y, plan) end},
}

-- ---- callbacks -----------------------------------------------------------------

local function better(cb, value, best, delta)
  if best == nil then return true end
  if cb.mode == "max" then return value > best + (delta or 0) end
  return value < best - (delta or 0)
end

local function default_mode(kind, o)
  if o.mode ~= nil and o.mode ~= "min" and o.mode ~= "max" and o.mode ~= "auto" then
    fail(kind .. ": mode must be 'min', 'max' or 'auto', got '%s'", tostring(o.mode))
  end
  if o.mode == "min" or o.mode == "max" then return o.mode end
  return (o.monitor or "val_loss"):find("acc") and "max" or "min"
end

R.callbacks = {
  EarlyStopping = {
    spec = {monitor = "string", patience = "integer", min_delta = "number",
            restore_best_weights = "boolean", verbose = "integer", mode = "string"},
    new = function(o)
      return {monitor = o.monitor or "val_loss", patience = o.patience or 0,
              min_delta = math.abs(o.min_delta or 0),
              restore_best_weights = o.restore_best_weights or false,
              verbose = o.verbose or 0, mode = default_mode("EarlyStopping", o)}
    end,
    on_epoch_end = function(cb, model, epoch, v)
      if better(cb, v, cb.best, cb.min_delta) then
        cb.best, cb.wait, cb.best_epoch = v, 0, epoch
        if cb.restore_best_weights then cb.best_weights = model:get_weights(true) end
        return false
      end
      cb.wait = (cb.wait or 0) + 1
      if cb.wait < cb.patience then return false end
      cb.stopped_epoch = epoch
      if cb.restore_best_weights and cb.best_weights then model:set_weights(cb.best_weights) end
      if cb.verbose > 0 then print(("Epoch %05d: early stopping"):format(epoch)) end
      return true
    end,
  },
  ModelCheckpoint = {
    positional = {"filepath"},
    spec = {filepath = "string", monitor = "string", save_best_only = "boolean",
            save_weights_only = "boolean", mode = "string", verbose = "integer"},
    new = function(o)
      if type(o.filepath) ~= "string" then fail("ModelCheckpoint: a file path is required") end
      if o.save_weights_only == false then
        fail("ModelCheckpoint: only weights can be saved (save_weights_only = true)")
      end
      return {filepath = o.filepath, monitor = o.monitor or "val_loss",
              save_best_only = o.save_best_only or false, mode = default_mode("ModelCheckpoint", o),
              verbose = o.verbose or 0}
    end,
    on_epoch_end = function(cb, model, epoch, v)
      local path = cb.filepath:gsub("{epoch(:?[^}]*)}", function(f)
        return f ~= "" and ("%" .. f:sub(2)):format(epoch) or tostring(epoch)
      end)
      if not cb.save_best_only then
        -- every epoch, whatever the monitored value (Keras)
        if cb.verbose > 0 then print(("Epoch %05d: saving model to %s"):format(epoch, path)) end
        model:save_weights(path)
      elseif better(cb, v, cb.best) then
        if cb.verbose > 0 then
          print(("Epoch %05d: %s improved to %.5f, saving model to %s"):format(epoch, cb.monitor, v, path))
        end
        cb.best = v
        model:save_weights(path)
      end
      return false
    end,
    -- the monitored value matters only for save_best_only
    needs_monitor = function(cb) return cb.save_best_only end,
  },
  -- schedule(epoch, lr) -> the learning rate for this epoch (epoch
  -- 0-based, as Keras passes it), set before the epoch runs
  LearningRateScheduler = {
    positional = {"schedule", "verbose"},
    spec = {schedule = "function", verbose = "integer"},
    new = function(o)
      if type(o.schedule) ~= "function" then
        fail("LearningRateScheduler: a schedule function(epoch, lr) is required")
      end
      return {schedule = o.schedule, verbose = o.verbose or 0}
    end,
    logs_lr = true,
    on_epoch_begin = function(cb, model, epoch)
      local opt = model.optimizer
      local lr = cb.schedule(epoch - 1, opt.config.learning_rate)
      if type(lr) ~= "number" or lr ~= lr or lr < 0 then
        fail("LearningRateScheduler: the schedule returned %s at epoch %d; it must " ..
             "return a learning rate (a number >= 0)", tostring(lr), epoch - 1)
      end
      opt.config.learning_rate = lr
      if cb.verbose > 0 then
        print(("\nEpoch %05d: LearningRateScheduler setting learning rate to %s."):format(epoch, lr))
      end
    end,
    on_epoch_end = function() return false end,
    needs_monitor = function() return false end,
  },
  ReduceLROnPlateau = {
    spec = {monitor = "string", factor = "number", patience = "integer", verbose = "integer",
            mode = "string", min_delta = "number", cooldown = "integer", min_lr = "number"},
    new = function(o)
      local factor = o.factor or 0.1
      if factor >= 1 or factor < 0 then
        fail("ReduceLROnPlateau: factor must be in [0, 1) (it multiplies the learning rate), got %g",
             factor)
      end
      return {monitor = o.monitor or "val_loss", factor = factor, patience = o.patience or 10,
              verbose = o.verbose or 0, mode = default_mode("ReduceLROnPlateau", o),
              min_delta = o.min_delta or 1e-4, cooldown = o.cooldown or 0,
              min_lr = o.min_lr or 0}
    end,
    logs_lr = true,
    on_epoch_end = function(cb, model, epoch, v)
      cb.cooling = cb.cooling or 0
      if cb.cooling > 0 then cb.cooling = cb.cooling - 1; cb.wait = 0 end
      if better(cb, v, cb.best, cb.min_delta) then
        cb.best, cb.wait = v, 0
      elseif cb.cooling == 0 then
        cb.wait = (cb.wait or 0) + 1
        if cb.wait >= cb.patience then
          local c = model.optimizer.config
          if c.learning_rate > cb.min_lr then
            c.learning_rate = math.max(c.learning_rate * cb.factor, cb.min_lr)
            if cb.verbose > 0 then
              print(("\nEpoch %05d: ReduceLROnPlateau reducing learning rate to %s.")
                    :format(epoch, c.learning_rate))
            end
            cb.cooling, cb.wait = cb.cooldown, 0
          end
        end
      end
      return false
    end,
  },
}

local Callback = {}
Callback.__index = Callback
R.Callback = Callback

function R.new_callback(kind, ...)
  local entry = R.callbacks[kind]
  local o = B.args(kind, entry.positional or {}, entry.spec, ...)
  local cb = setmetatable(entry.new(o), Callback)
  cb.kind, cb.entry = kind, entry
  return cb
end

-- before fit's first epoch
function Callback:reset()
  self.best, self.wait, self.best_epoch, self.stopped_epoch, self.best_weights = nil, 0, nil, nil, nil
  self.cooling = 0
end

-- at the end of an epoch; returns true to stop training
function Callback:on_epoch_end(model, epoch, logs)
  local v = logs[self.monitor]
  local needs = self.entry.needs_monitor
  if v == nil and (not needs or needs(self)) then
    io.stderr:write(("warning: %s monitors '%s', which is not available\n"):format(self.kind, self.monitor))
    return false
  end
  return self.entry.on_epoch_end(self, model, epoch, v)
end

return R
