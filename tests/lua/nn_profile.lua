-- nn_profile.lua - model:profile: a row for every layer (Sequential,
-- functional, nested, recurrent), FLOP counts exact for Dense, Conv2D
-- and LSTM shapes, times non-negative and summing to no more than the
-- measured step, the model left as it was, the printed table, and the
-- errors of bad calls. No timing thresholds.
local t = require "tap"
local T = require "tensor"
local nn = require "nn"

local bytes = require "helpers.weight_bytes"

local function by_name(r)
  local out = {}
  for _, row in ipairs(r.rows) do out[row.name] = row end
  return out
end

-- every time non-negative, the rows summing to the step's time
local function check_times(r, what)
  local sum, ok = 0, true
  for _, row in ipairs(r.rows) do
    ok = ok and row.forward_ms >= 0 and row.backward_ms >= 0 and row.share >= 0
    sum = sum + row.forward_ms + row.backward_ms
  end
  t.ok(ok, what .. ": every time and share non-negative")
  t.ok(r.step_ms > 0 and sum <= r.step_ms * (1 + 1e-9) + 1e-9,
       ("%s: rows sum to %.4f ms, no more than the step's %.4f ms"):format(what, sum, r.step_ms))
  t.near(r.forward_ms + r.backward_ms, sum, 1e-9, what .. ": forward + backward totals are the rows' sum")
end

-- Sequential CNN: conv 3x3 'same' 8x8x1 -> 8x8x4, pool, conv 3x3 'valid'
-- 4x4x4 -> 2x2x6 stride 1, dense 24 -> 5 -> 3
nn.reset_names()
T.seed(3)
local m = nn.Sequential {
  nn.Conv2D{filters = 4, kernel_size = 3, padding = "same", input_shape = {8, 8, 1},
            activation = "relu"},
  nn.MaxPooling2D(2),
  nn.Conv2D{filters = 6, kernel_size = 3},
  nn.Flatten(), nn.Dropout(0.1),
  nn.Dense(5, "relu"), nn.Dense(3, "softmax")}
m:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
local x = T.rand(40, 8, 8, 1)
local y = T.randint(0, 3, {40})
local before = bytes(m:get_weights())
local lines = {}
local r = m:profile(x, y, {batch_size = 16, steps = 3,
                           print_fn = function(s) lines[#lines + 1] = s end})
t.is(#r.rows, 7 + 3, "a row per layer (7) plus optimizer, batches and other")
local names = {}
for i = 1, 7 do names[i] = r.rows[i].name end
t.is(table.concat(names, " "),
     "conv2d max_pooling2d conv2d_1 flatten dropout dense dense_1", "layer rows in order")
t.is(r.rows[8].kind .. " " .. r.rows[9].kind .. " " .. r.rows[10].kind, "optimizer batches other",
     "then the optimizer, the batch gathering and the rest")
local rows = by_name(r)
local n = 16
-- Conv2D: 2*n*oh*ow*kh*kw*c*f; the first layer computes no input gradient
t.is(rows.conv2d.flops_forward, 2 * n * 8 * 8 * 3 * 3 * 1 * 4, "conv2d forward FLOPs")
t.is(rows.conv2d.flops_backward, rows.conv2d.flops_forward,
     "first conv2d backward: the kernel's gradient only (no input gradient wanted)")
t.is(rows.conv2d_1.flops_forward, 2 * n * 2 * 2 * 3 * 3 * 4 * 6, "conv2d_1 forward FLOPs")
t.is(rows.conv2d_1.flops_backward, 2 * rows.conv2d_1.flops_forward,
     "conv2d_1 backward: kernel and input gradients, twice the forward")
t.is(rows.dense.flops_forward, 2 * n * 24 * 5, "dense forward FLOPs 2*n*in*out")
t.is(rows.dense.flops_backward, 2 * 2 * n * 24 * 5, "dense backward twice that")
t.is(rows.dense_1.flops_forward, 2 * n * 5 * 3, "dense_1 forward FLOPs")
t.is(rows.max_pooling2d.flops_forward, 0, "pooling counts no FLOPs")
t.ok(rows.max_pooling2d.gflops == nil, "and has no GFLOP/s")
local total = 0
for _, row in ipairs(r.rows) do total = total + (row.flops_forward or 0) + (row.flops_backward or 0) end
t.is(r.flops, total, "total FLOPs are the rows' sum")
t.is(rows.conv2d.output, "8x8x4", "output shape per sample")
check_times(r, "sequential")
t.is(r.steps, 3, "steps as asked")
t.is(r.batch_size, 16, "batch size as asked")
t.is(bytes(m:get_weights()), before, "profiling leaves the weights as they were")
t.is(m.optimizer.iterations, 0, "and the optimizer's iteration count")
t.ok(next(m.optimizer.state) == nil, "and the optimizer's (empty) state")
t.has(lines[1], "3 training steps of batch 16", "the table's head says what ran")
local text = table.concat(lines, "\n")
t.has(text, "conv2d_1 (Conv2D)", "the table names each layer and class")
t.has(text, "optimizer (Adam)", "the optimizer row")
t.has(text, "total", "the totals row")
t.is(#lines, 1 + 2 + 10 + 2, "head, column titles and rule, 10 rows, rule and total")

-- training after profiling is the same as training without it
do
  local function train(profile_first)
    nn.reset_names()
    T.seed(5)
    local mm = nn.Sequential {nn.Dense(6, "relu", {input_shape = {4}}), nn.Dense(2, "softmax")}
    mm:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy"}
    local xx = T.rand(30, 4)
    local yy = T.randint(0, 2, {30})
    if profile_first then
      mm:profile(xx, yy, {steps = 2, verbose = 0})
    end
    return mm, xx, yy
  end
  local a, xa, ya = train(false)
  local b, xb, yb = train(true)
  t.is(bytes(a:get_weights()), bytes(b:get_weights()), "same initial weights after profile")
  T.seed(9); a:fit(xa, ya, {epochs = 2, batch_size = 8, verbose = 0})
  T.seed(9); b:fit(xb, yb, {epochs = 2, batch_size = 8, verbose = 0})
  t.is(bytes(a:get_weights()), bytes(b:get_weights()),
       "fit after profile trains to the same weights as fit without it")
end

-- functional model with branches, a merge and a nested model
do
  nn.reset_names()
  local inner = nn.Sequential({nn.Dense(4, "relu", {input_shape = {6}})}, {name = "inner"})
  local inp = nn.Input{shape = {6}}
  local a = nn.Dense(6, "relu", {name = "a"})(inp)
  local b = nn.Dense(6, "relu", {name = "b"})(inp)
  local h = nn.Add{name = "sum"}({a, b})
  local out = nn.Dense(2, "softmax", {name = "head"})(inner(h))
  local fm = nn.Model{inputs = inp, outputs = out}
  fm:compile{optimizer = "sgd", loss = "sparse_categorical_crossentropy"}
  local fr = fm:profile(T.rand(20, 6), T.randint(0, 2, {20}), {batch_size = 10, steps = 2, verbose = 0})
  local fr_rows = by_name(fr)
  t.ok(fr_rows.a and fr_rows.b and fr_rows.sum and fr_rows.head and fr_rows[inner.layers[1].name],
       "functional: rows for both branches, the merge, the head and the nested model's layer")
  t.is(fr_rows.a.flops_forward, 2 * 10 * 6 * 6, "a branch's Dense FLOPs")
  t.is(fr_rows.a.flops_backward, 2 * 10 * 6 * 6, "first layer: no input gradient")
  t.is(fr_rows[inner.layers[1].name].flops_forward, 2 * 10 * 6 * 4, "nested model's Dense FLOPs")
  check_times(fr, "functional")
end

-- recurrent: LSTM FLOPs per the gate maths, 2*n*T*4*u*(f+u)
do
  nn.reset_names()
  local rm = nn.Sequential {nn.LSTM(5, {input_shape = {7, 3}}), nn.Dense(2, "softmax")}
  rm:compile{optimizer = "rmsprop", loss = "sparse_categorical_crossentropy"}
  local rr = rm:profile(T.rand(12, 7, 3), T.randint(0, 2, {12}), {batch_size = 4, steps = 2, verbose = 0})
  t.is(rr.rows[1].flops_forward, 2 * 4 * 7 * 4 * 5 * (3 + 5), "LSTM forward FLOPs")
  check_times(rr, "recurrent")
end

t.raises(function() m:profile(x, y, {batch_sise = 4}) end, "did you mean 'batch_size'",
         "a misspelt option names the right one")
t.raises(function() m:profile(x, y, {steps = 0}) end, "steps", "steps must be positive")
t.raises(function() m:profile(T.rand(4, 3), y) end, "expects input", "wrong input shape")
t.raises(function() nn.Sequential{nn.Dense(2, {input_shape = {3}})}:profile(T.rand(4, 3), T.zeros(4)) end,
         "compile the model first", "uncompiled model")
t.raises(function() m.profile(x, y) end, "':'", "called with '.'")
t.done()
