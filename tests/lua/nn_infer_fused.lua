-- nn_infer_fused.lua - inference runs a Conv2D and the MaxPooling2D that
-- alone reads its output as one kernel (Conv2D:forward_pooled: the
-- fused direct kernel of nn_conv_direct.c, or oneDNN's pieces pooled
-- while in cache, nn_conv_dnnl.c; nn_model.lua's forward picks the
-- pairs). Checked: the fused pooling node's output has the bits of
-- the two layers run one after the other (layer:forward in inference
-- mode), and predict and evaluate agree with the unfused layers within
-- streamed inference's bound (1e-6 relative: Dense's GEMM rounds by the
-- batch it sees), on the course CNN, a 'same' pool of an odd map, a 3x3
-- pool and an overlapping one, oneDNN convolutions with and without
-- Winograd; the pair
-- is taken only when the pooling alone reads the convolution and the
-- convolution is not the output (a functional model with a second
-- reader, a feature-map model); pairs with no fused kernel (a small
-- im2col convolution, swish, tanh) fall back with the same results; training after
-- predict still has the convolution's own output; the binding's option
-- errors lead with the script's line.
local T, nn, t = require "tensor", require "nn", require "tap"
local K = require "nn.core"

-- the output of model m for x, layer by layer without any fusion, and
-- every node's output
local function unfused(m, x)
  local ys = {[m.input_node] = x}
  for _, node in ipairs(m.order) do
    local ins = {}
    for i, p in ipairs(node.inbound) do ins[i] = ys[p] end
    local inp = node.layer.multi_input and ins or ins[1]
    ys[node] = node.layer:forward(inp, false):clone()
  end
  return ys[m.output_node], ys
end

local function shape(a) return table.concat(a:shape(), "x") end

local function same_bits(a, b, what)
  local d = (a - b):abs():max()
  return t.ok(shape(a) == shape(b) and d == 0, ("%s (max difference %.3g)"):format(what, d))
end

-- within streamed inference's bound: |a - b| <= 1e-6 max(1, |b|)
local function close(a, b, what)
  local d = ((a - b):abs() / b:abs():clamp(1, math.huge)):max()
  return t.ok(shape(a) == shape(b) and d <= 1e-6, ("%s (max relative difference %.3g)"):format(what, d))
end

-- model:forward in inference mode (fused) against the unfused layers:
-- every fused pooling node's output, bit for bit
local function pooled_bits(m, x, what)
  m:forward(x, false)
  local _, ys = unfused(m, x)
  local n = 0
  for _, pool in pairs(m.pool_fusions or {}) do
    n = n + 1
    same_bits(pool.y, ys[pool], what .. ": the fused pooling's output = conv then pool")
  end
  return n
end

-- the conv nodes whose pooling was fused
local function fused_count(m)
  local n = 0
  for _ in pairs(m.pool_fusions or {}) do n = n + 1 end
  return n
end

T.seed(11)
-- with WORKBOOK_NO_DNNL=1 only the direct kernel's pairs are fused
local dnnl = os.getenv("WORKBOOK_NO_DNNL") == nil

-- the course CNN (LAB 9-2 with relu convolutions)
do
  local m = nn.Sequential {
    nn.Conv2D{filters = 32, kernel_size = 3, padding = "same", input_shape = {28, 28, 1},
              activation = "relu"},
    nn.MaxPooling2D{pool_size = 2, strides = 2},
    nn.Conv2D{filters = 64, kernel_size = 3, padding = "same", activation = "relu"},
    nn.MaxPooling2D{pool_size = 2, strides = 2},
    nn.Conv2D{filters = 32, kernel_size = 3, padding = "same", activation = "relu"},
    nn.Flatten(), nn.Dense(128, "relu"), nn.Dense(10, "softmax")}
  m:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
  local x = T.rand(300, 28, 28, 1)
  local y = (T.rand(300) * 9.99):floor()
  local want = unfused(m, x)
  local got = m:predict(x, {batch_size = 128})
  close(got, want, "course CNN: predict (batch 128, streamed) = the layers one by one")
  t.is(fused_count(m), dnnl and 2 or 1,
       "course CNN: both Conv2D + MaxPooling2D pairs were fused (without oneDNN the first)")
  t.ok(m.order[1].y == nil and m.order[2].y ~= nil,
       "... its convolution node kept no feature map, the pooling node has the result")
  t.is(pooled_bits(m, x:slice(1, 1, 30), "course CNN"), dnnl and 2 or 1,
       "course CNN: every fused pair checked")
  close(m:predict(x:slice(1, 1, 1), {batch_size = 1}), want:slice(1, 1, 1),
        "course CNN: one image alone")
  local l1 = m:evaluate(x, y, {batch_size = 300, verbose = 0})
  -- the same loss from the unfused outputs
  local p = want:clamp(1e-7, 1 - 1e-7)
  local s = 0
  for i = 1, 300 do s = s - math.log(p:get(i, y:get(i) + 1)) end
  t.near(l1, s / 300, 1e-5, "course CNN: evaluate's loss from the fused forward")
  -- training after inference: the first convolution computes its own output again
  local before = m.layers[1].kernel.value:clone()
  m:train_on_batch(x:slice(1, 1, 32), y:slice(1, 1, 32))
  t.ok(m.order[1].y ~= nil and (m.layers[1].kernel.value - before):abs():max() > 0,
       "train_on_batch after predict: the first convolution ran and its kernel moved")
  close(m:predict(x, {batch_size = 64}), unfused(m, x),
        "after training: predict = the layers one by one")
end

-- other pools of a one-channel convolution: 'same' on an odd map, 3x3 stride 2, linear
for _, c in ipairs({{pool = 2, strides = 2, padding = "same", size = 27},
                    {pool = 3, strides = 2, padding = "valid", size = 20},
                    {pool = 2, strides = 1, padding = "valid", size = 12}}) do
  local m = nn.Sequential {
    nn.Conv2D{filters = 16, kernel_size = 3, input_shape = {c.size, c.size, 1}},
    nn.MaxPooling2D{pool_size = c.pool, strides = c.strides, padding = c.padding},
    nn.Flatten(), nn.Dense(3)}
  local x = T.randn(9, c.size, c.size, 1)
  local what = ("pool %d stride %d %s of a %dx%d map"):format(c.pool, c.strides, c.padding,
                                                            c.size, c.size)
  close(m:predict(x, {batch_size = 4}), unfused(m, x), what .. ": predict = one by one")
  t.is(fused_count(m), 1, "... and the pair was fused")
  pooled_bits(m, x, what)
end

-- oneDNN convolutions: 5x5 (no Winograd), stride 2, 'valid', linear,
-- a 3x3 pool with stride 1
for _, c in ipairs({{k = 5, s = 1, pad = "same", act = "relu", pool = 2, ps = 2},
                    {k = 3, s = 2, pad = "valid", act = "linear", pool = 2, ps = 2},
                    {k = 3, s = 1, pad = "same", act = "relu", pool = 3, ps = 1}}) do
  local m = nn.Sequential {
    nn.Conv2D{filters = 32, kernel_size = c.k, strides = c.s, padding = c.pad,
              activation = c.act, input_shape = {17, 17, 16}},
    nn.MaxPooling2D{pool_size = c.pool, strides = c.ps}, nn.Flatten(), nn.Dense(3)}
  local x = T.randn(11, 17, 17, 16)
  local what = ("oneDNN conv %dx%d stride %d %s %s, pool %d stride %d"):format(c.k, c.k, c.s,
                c.pad, c.act, c.pool, c.ps)
  close(m:predict(x, {batch_size = 11}), unfused(m, x), what .. ": predict = one by one")
  t.is(pooled_bits(m, x, what), dnnl and 1 or 0, what .. ": fused (when oneDNN is on)")
end

-- a second reader of the convolution's output: not fused
do
  local inp = nn.Input{shape = {16, 16, 1}}
  local conv = nn.Conv2D{filters = 16, kernel_size = 3, padding = "same"}(inp)
  local pooled = nn.Flatten()(nn.MaxPooling2D{pool_size = 2}(conv))
  local avg = nn.GlobalAveragePooling2D()(conv)
  local m = nn.Model{inputs = inp, outputs = nn.Dense(4)(nn.Concatenate()({pooled, avg}))}
  local x = T.randn(10, 16, 16, 1)
  close(m:predict(x, {batch_size = 10}), unfused(m, x),
        "functional model, the convolution read twice: predict = one by one")
  t.is(fused_count(m), 0, "... and nothing was fused")
end

-- the convolution is the model's output (a feature-map model): not fused
do
  local inp = nn.Input{shape = {12, 12, 1}}
  local conv = nn.Conv2D{filters = 16, kernel_size = 3}(inp)
  local full = nn.Model{inputs = inp, outputs = nn.MaxPooling2D{pool_size = 2}(conv)}
  local maps = nn.Model{inputs = inp, outputs = conv}
  local x = T.randn(5, 12, 12, 1)
  local f = maps:predict(x)
  t.is(table.concat(f:shape(), "x"), "5x10x10x16", "feature-map model: predict gives the maps")
  same_bits(f, unfused(maps, x), "... the maps themselves")
  t.is(fused_count(maps), 0, "... and nothing was fused in it")
  same_bits(full:predict(x), unfused(full, x), "the model with the pool: fused = one by one")
  t.is(fused_count(full), 1, "... fused there")
end

-- a Sequential grown by add after a predict finds its pairs again
do
  local m = nn.Sequential{nn.Conv2D{filters = 16, kernel_size = 3, input_shape = {10, 10, 1}}}
  local x = T.randn(4, 10, 10, 1)
  m:predict(x)
  t.is(fused_count(m), 0, "grown Sequential: a convolution as the output is not fused")
  m:add(nn.MaxPooling2D{pool_size = 2})
  m:add(nn.Flatten())
  close(m:predict(x), unfused(m, x), "grown Sequential: predict after add = one by one")
  t.is(fused_count(m), 1, "... and the new pair was fused")
end

-- pairs with no fused kernel fall back
for _, c in ipairs({{channels = 3, act = "relu", what = "a small convolution (im2col)"},
                    {channels = 1, act = "swish", what = "swish (applied after the kernel)"},
                    {channels = 32, act = "tanh", what = "tanh on oneDNN"}}) do
  local m = nn.Sequential {
    nn.Conv2D{filters = 16, kernel_size = 3, input_shape = {10, 10, c.channels}, activation = c.act},
    nn.MaxPooling2D{pool_size = 2}, nn.Flatten(), nn.Dense(2)}
  local x = T.randn(6, 10, 10, c.channels)
  close(m:predict(x), unfused(m, x), c.what .. ": predict = one by one")
  close(m:predict(x), unfused(m, x), c.what .. ": again (the pair dropped)")
  t.is(fused_count(m), 0, c.what .. ": the pair was dropped after the first try")
end

-- the binding checks its options like the layers' kernels
do
  local x, w = T.randn(2, 8, 8, 1), T.randn(3, 3, 1, 16)
  t.raises(function() K.conv2d_maxpool_forward(x, w, nil, {}, {pool_sise = 2}) end,
           "pool_size", "a misspelt pool option: an error naming the right one")
  t.raises(function() K.conv2d_maxpool_forward(x, w, nil, {}, {pool_size = 9}) end,
           "larger than the 6x6 input", "a pool larger than the feature map: an error")
  t.raises(function() K.conv2d_maxpool_forward(T.randn(2, 8, 8, 2), w, nil, {}, {}) end,
           "channels", "input channels that do not match the kernel: an error")
  local y = K.conv2d_maxpool_forward(x, w, nil, {padding = "same"}, {})
  t.is(table.concat(y:shape(), "x"), "2x4x4x16", "default pool 2x2: (2, 4, 4, 16)")
end

t.done()
