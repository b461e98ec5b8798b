-- nn_profile.lua - model:profile(x, y, {...}): where a training step's
-- time goes. Runs training steps as fit does (batches gathered from a
-- shuffled order, forward, loss, backward, optimizer update) with every
-- layer's forward and backward timed, then prints one row per layer:
-- forward and backward milliseconds per batch, its share of the step,
-- the floating-point operations a batch costs (the multiply-adds of
-- the layer's matrix products: Dense, Conv1D/2D, the recurrent cells;
-- elementwise layers count as 0) and the GFLOP/s achieved; then the
-- optimizer update, the batch gathering and the rest (loss, metrics,
-- bookkeeping). The model's weights, optimizer state and gradients are
-- put back afterwards, so profiling does not train the model (random
-- numbers drawn for dropout are not put back).
local T = require "tensor"
local B = require "nn_base"
local sys = require "sys"

local fail = B.fail
local clock = sys.clock

local P = {}

local function prod(s, from)
  local p = 1
  for i = from or 1, #s do p = p * s[i] end
  return p
end

-- FLOPs of one forward pass of layer l over a batch of n samples with
-- per-sample input shape s and output shape o; nil when the layer does
-- no matrix products worth counting
local function forward_flops(l, s, o, n)
  local c = l.class
  if c == "Dense" then
    -- Dense applies to the last axis (a sequence's steps are rows too)
    return 2 * n * prod(s) * o[#o]
  elseif c == "Conv2D" then
    local kh, kw = l.kernel_size[1], l.kernel_size[2]
    return 2 * n * o[1] * o[2] * kh * kw * s[3] * l.filters
  elseif c == "Conv1D" then
    return 2 * n * o[1] * l.kernel_size * s[2] * l.filters
  elseif l.is_recurrent and l.gates then
    -- per step: input and recurrent products of all gates
    local steps, f, u = s[1], s[2], l.units
    return 2 * n * steps * l.gates * u * (f + u)
  elseif c == "Bidirectional" then
    local a = forward_flops(l.forward_layer, s, o, n) or 0
    return a + (forward_flops(l.backward_layer, s, o, n) or 0)
  elseif c == "TimeDistributed" and l.layer then
    local inner_in, inner_out = {table.unpack(s, 2)}, {table.unpack(o, 2)}
    return forward_flops(l.layer, inner_in, inner_out, n * s[1])
  end
  return nil
end
P.forward_flops = forward_flops

-- the leaf nodes of a model, nested models opened (their layers get
-- rows of their own), in execution order
local function leaf_nodes(model, out)
  for _, node in ipairs(model.order) do
    local l = node.layer
    if l.is_model and l.order then leaf_nodes(l, out) else out[#out + 1] = node end
  end
  return out
end

local PROFILE = {batch_size = "integer", steps = "integer", verbose = "integer",
                 print_fn = "function"}

local function fmt_flops(f)
  if not f or f == 0 then return "-" end
  return ("%.4g"):format(f / 1e6)
end

local function print_table(r, print_fn)
  print_fn(("profile: %d training steps of batch %d (after 1 warm-up step), %.2f ms per step, %d threads")
           :format(r.steps, r.batch_size, r.step_ms, r.threads))
  local head = ("%-32s %-14s %10s %10s %7s %12s %9s"):format(
    "layer (class)", "output", "fwd ms", "bwd ms", "share", "MFLOP/batch", "GFLOP/s")
  print_fn(head)
  print_fn(("-"):rep(#head))
  for _, row in ipairs(r.rows) do
    local flops = (row.flops_forward or 0) + (row.flops_backward or 0)
    print_fn(("%-32s %-14s %10.3f %10.3f %6.1f%% %12s %9s"):format(
      row.kind == "layer" and ("%s (%s)"):format(row.name, row.class) or row.name,
      row.output or "", row.forward_ms, row.backward_ms, row.share * 100,
      fmt_flops(flops), row.gflops and ("%.1f"):format(row.gflops) or "-"))
  end
  print_fn(("-"):rep(#head))
  print_fn(("%-32s %-14s %10.3f %10.3f %6.1f%% %12s %9s"):format(
    "total", "", r.forward_ms, r.backward_ms, 100, fmt_flops(r.flops),
    r.flops > 0 and ("%.1f"):format(r.flops / (r.step_ms * 1e6)) or "-"))
end

-- h: nn_model.lua's input checks (check_x, check_y)
function P.run(model, x, y, o, h)
  o = B.check("profile", o, PROFILE)
  if not model.compiled then fail("profile: compile the model first (model:compile{...})") end
  h.check_x(model, x, "profile")
  y = h.check_y(model, x, y, "profile")
  local bs = B.positive_int(o.batch_size or 32, "profile", "batch_size")
  local steps = B.positive_int(o.steps or 20, "profile", "steps")
  local n = x:size(1)
  if bs > n then bs = n end

  -- one row per layer (a layer shared by several nodes: one row, summed)
  local rows, row_of, nodes = {}, {}, leaf_nodes(model, {})
  for _, node in ipairs(nodes) do
    local l = node.layer
    if not row_of[l] then
      local row = {kind = "layer", name = l.name, class = l.class,
                   output = table.concat(node.shape, "x"),
                   forward_ms = 0, backward_ms = 0, nodes = {}}
      row_of[l] = row
      rows[#rows + 1] = row
    end
    table.insert(row_of[l].nodes, node)
  end

  -- time every layer's forward and backward: instance fields shadow the
  -- class methods while profiling and are removed afterwards
  local saved, counting = {}, false
  local function restore()
    for l, s in pairs(saved) do
      rawset(l, "forward", s.forward)
      rawset(l, "backward", s.backward)
    end
  end
  for l, row in pairs(row_of) do
    local fwd, bwd = l.forward, l.backward
    saved[l] = {forward = rawget(l, "forward"), backward = rawget(l, "backward")}
    rawset(l, "forward", function(self, ...)
      local t0 = clock()
      local out = fwd(self, ...)
      if counting then row.forward_ms = row.forward_ms + (clock() - t0) * 1e3 end
      return out
    end)
    rawset(l, "backward", function(self, ...)
      local t0 = clock()
      local dx = bwd(self, ...)
      if counting then
        row.backward_ms = row.backward_ms + (clock() - t0) * 1e3
        row.ran_backward, row.need_dx = true, self.need_dx
      end
      return dx
    end)
  end
  local opt = model.optimizer
  local opt_ms = 0
  local opt_apply = rawget(opt, "apply")
  rawset(opt, "apply", function(self, ws)
    local t0 = clock()
    local Optimizer = getmetatable(self)
    Optimizer.apply(self, ws)
    if counting then opt_ms = opt_ms + (clock() - t0) * 1e3 end
  end)

  -- what training changes, put back afterwards
  local weights = model:weights()
  local snapshot = {}
  for i, w in ipairs(weights) do
    snapshot[i] = {value = w.value:clone(), grad = w.grad and w.grad:clone()}
  end
  local opt_state, opt_iter = opt.state, opt.iterations
  opt.state = {}

  local plan = model:loss_plan()
  local perm = T.randperm(n)
  local pos = 0
  local batch_ms, total_ms = 0, 0
  local ok, err = pcall(function()
    local _gc <close> = h.gc_for_loop()
    for step = 0, steps do
      counting = step > 0
      local t0 = clock()
      if pos + bs > n then perm, pos = T.randperm(n), 0 end
      local idx = perm:slice(1, pos + 1, pos + bs)
      pos = pos + bs
      local xb, yb = x:rows(idx), y:rows(idx)
      local t1 = clock()
      model:train_step(xb, yb, plan)
      local t2 = clock()
      if counting then
        batch_ms = batch_ms + (t1 - t0) * 1e3
        total_ms = total_ms + (t2 - t0) * 1e3
      end
    end
  end)
  restore()
  rawset(opt, "apply", opt_apply)
  for i, w in ipairs(weights) do
    w.value:copy(snapshot[i].value)
    if snapshot[i].grad and w.grad then w.grad:copy(snapshot[i].grad)
    else w.grad = snapshot[i].grad end
  end
  opt.state, opt.iterations = opt_state, opt_iter
  if not ok then error(err, 0) end

  -- per batch
  local r = {steps = steps, batch_size = bs, rows = {},
             threads = require("nn.core").threads()}
  local layers_ms, flops_total = 0, 0
  local fwd_total, bwd_total = 0, 0
  for _, row in ipairs(rows) do
    row.forward_ms, row.backward_ms = row.forward_ms / steps, row.backward_ms / steps
    local ff = 0
    for _, node in ipairs(row.nodes) do
      ff = ff + (forward_flops(node.layer, node.inbound[1].shape, node.shape, bs) or 0)
    end
    row.nodes = nil
    row.flops_forward = ff
    -- backward: the weights' gradient costs what the forward pass
    -- does, the input's gradient (when a layer below wants it) as much again
    row.flops_backward = row.ran_backward and ff * (row.need_dx and 2 or 1) or 0
    row.ran_backward = nil
    local f = row.flops_forward + row.flops_backward
    local ms = row.forward_ms + row.backward_ms
    row.gflops = (f > 0 and ms > 0) and f / (ms * 1e6) or nil
    layers_ms = layers_ms + ms
    fwd_total, bwd_total = fwd_total + row.forward_ms, bwd_total + row.backward_ms
    flops_total = flops_total + f
    r.rows[#r.rows + 1] = row
  end
  r.step_ms = total_ms / steps
  local optimizer_ms, gather_ms = opt_ms / steps, batch_ms / steps
  local other_ms = math.max(0, r.step_ms - layers_ms - optimizer_ms - gather_ms)
  r.rows[#r.rows + 1] = {kind = "optimizer", name = ("optimizer (%s)"):format(opt.kind),
                         forward_ms = 0, backward_ms = optimizer_ms}
  r.rows[#r.rows + 1] = {kind = "batches", name = "batches (gather rows)",
                         forward_ms = gather_ms, backward_ms = 0}
  r.rows[#r.rows + 1] = {kind = "other", name = "loss, metrics, other",
                         forward_ms = other_ms, backward_ms = 0}
  r.forward_ms = fwd_total + gather_ms + other_ms
  r.backward_ms = bwd_total + optimizer_ms
  r.flops = flops_total
  for _, row in ipairs(r.rows) do
    row.share = r.step_ms > 0 and (row.forward_ms + row.backward_ms) / r.step_ms or 0
  end
  if (o.verbose == nil and 1 or o.verbose) ~= 0 then print_table(r, o.print_fn or print) end
  return r
end

return P
