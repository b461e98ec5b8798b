-- nn_dropout.lua - dropout's draws and decisions: dropout_train (the
-- Dropout layer's path: byte decisions, reused buffers) gives exactly
-- dropout_forward's output and mask for the same seed; the integer
-- threshold equals the float test u >= rate on rand()'s draws; the
-- kept fraction and scale; backward = dy * mask; a seeded training run
-- with two Dropout layers gives the weights recorded before the byte
-- decisions replaced the float mask, with 1 and 2 threads.
local t = require "tap"
local T = require "tensor"
local nn = require "nn"
local K = require "nn.core"

-- the draws: the keep decisions are rand()'s values compared with rate
for _, rate in ipairs({0.1, 0.2, 0.5, 1 / 3, 0.75, 0}) do
  T.seed(5)
  local u = T.rand(20000)
  T.seed(5)
  local _, mask = K.dropout_forward(T.ones(20000), rate)
  local want = u:ge(rate)           -- float32 u against the rate
  t.is(mask:gt(0):tobytes(), want:tobytes(),
       ("rate %g: kept exactly where rand() >= rate"):format(rate))
end

-- dropout_train = dropout_forward for the same stream; backward agrees
T.seed(11)
local x = T.randn(64, 33)
T.seed(3)
local y1, mask = K.dropout_forward(x, 0.3)
local after1 = T.rand(4):tobytes()
T.seed(3)
local y2, keep = K.dropout_train(x, 0.3)
local after2 = T.rand(4):tobytes()
t.is(y2:tobytes(), y1:tobytes(), "dropout_train: the same output as dropout_forward")
t.is(after2, after1, "dropout_train: one draw per element, as dropout_forward")
t.ok(not T.is_tensor(keep), "the keep decisions are not a tensor")
local dy = T.randn(64, 33)
t.is(K.dropout_backward(dy, keep):tobytes(), (dy * mask):tobytes(),
     "dropout_backward(dy, keep) = dy * mask, bit for bit")
t.is(K.dropout_backward(dy, mask):tobytes(), (dy * mask):tobytes(),
     "dropout_backward(dy, mask) = dy * mask")
t.raises(function() K.dropout_backward(T.ones(3), keep) end, "dy has 3 values",
             "backward with a keep of another size is an error")

-- the buffers are reused when they fit, replaced when they do not
local y3, keep3 = K.dropout_train(x, 0.3, y2, keep)
t.ok(rawequal(y3, y2) and rawequal(keep3, keep), "same shape: y and keep reused")
local y4, keep4 = K.dropout_train(x:slice(1, 1, 10), 0.3, y3, keep3)
t.ok(not rawequal(y4, y3) and not rawequal(keep4, keep3), "another shape: new y and keep")
t.is(y4:shape()[1], 10, "the new y has the input's shape")
local y5 = K.dropout_train(x, 0.3, x)
t.ok(not rawequal(y5, x), "the input itself is never the output buffer")

-- statistics: about 1 - rate kept, scaled by 1 / (1 - rate)
T.seed(1)
local big = T.ones(200000)
local yb = K.dropout_train(big, 0.25)
local kept = yb:gt(0):sum()
t.ok(math.abs(kept / 200000 - 0.75) < 0.005, ("kept fraction %.4f ~ 0.75"):format(kept / 200000))
t.near(yb:max(), 1 / 0.75, 1e-6, "kept values scaled by 1 / (1 - rate)")
t.is(yb:gt(0):sum() + yb:eq(0):sum(), 200000, "every value is kept or zero")

-- the layer: identity at inference, the reused buffer in training
local l = nn.Dropout(0.5)
l:build({5})
local xi = T.randn(4, 5)
t.ok(rawequal(l:forward(xi, false), xi), "inference: the input itself")
local ya = l:forward(xi, true)
local yb2 = l:forward(xi, true)
t.ok(rawequal(ya, yb2), "training: the same output buffer each step")

-- a seeded run (Dropout after Dense, so its backward runs) gives the
-- weights and loss recorded with the float-mask implementation
local function fnv(s)
  local h = 0xcbf29ce484222325
  for i = 1, #s do h = (h ~ s:byte(i)) * 0x100000001b3 end
  return ("%016x"):format(h)
end
local function train()
  nn.reset_names()
  T.seed(21)
  local xs, ys = T.rand(300, 12), T.randint(0, 4, {300})
  local m = nn.Sequential {nn.Dense(16, "relu", {input_shape = {12}}), nn.Dropout(0.3),
                           nn.Dense(8, "relu"), nn.Dropout(0.5), nn.Dense(4, "softmax")}
  m:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy"}
  local h = m:fit(xs, ys, {epochs = 3, batch_size = 16, verbose = 0})
  local parts = {}
  for i, w in ipairs(m:get_weights()) do parts[i] = w:tobytes() end
  return fnv(table.concat(parts)), ("%.17g"):format(h.history.loss[3])
end
local old_threads = K.threads()
for _, n in ipairs({1, 2}) do
  K.threads(n)
  local digest, loss = train()
  t.is(digest, "ac8a96f1bebac68b", n .. " thread(s): the weights recorded before the change")
  t.is(loss, "1.4238017532734011", n .. " thread(s): the loss recorded before the change")
end
K.threads(old_threads)

t.done()
