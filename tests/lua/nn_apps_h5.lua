-- nn_apps_h5.lua - the applications with Keras HDF5 weight files written
-- here (no internet, no Keras, no Python in CI): VGG16 and InceptionV3
-- without the top get seeded random weights, model:save_weights("x.h5")
-- writes them in Keras 2's layout (h5.write_keras_weights), a fresh
-- instance loads them through `weights = path`, and its forward pass is
-- checked against an independent reference computed layer by layer
-- here with nn.core's direct-loop conv2d_forward_naive (double sums), a
-- max pool written in Lua and inference-mode batch norm by hand.
local t = require "tap"
local T, nn, h5 = require "tensor", require "nn", require "h5"
local core = require "nn.core"
local A = nn.applications

local tmpdir = os.tmpname()
os.remove(tmpdir)
require("sys").mkdir_p(tmpdir)
local function tmp(name) return tmpdir .. "/" .. name end

-- every weight of m replaced with seeded uniform values in [-s, s];
-- moving variances in [0.5, 1.5] so batch norm really divides
local function randomize(m, seed, s)
  T.seed(seed)
  for _, w in ipairs(m:weights()) do
    local shape = w.value:shape()
    local r = T.rand(table.unpack(shape))
    if w.name:match("moving_variance") then w.value:copy(r + 0.5)
    else w.value:copy((r * 2 - 1) * (s or 0.1)) end
  end
end

local function same_weights(a, b)
  local wa, wb = a:get_weights(), b:get_weights()
  if #wa ~= #wb then return false end
  for i = 1, #wa do
    if table.concat(wa[i]:shape(), ",") ~= table.concat(wb[i]:shape(), ",")
       or (wa[i] - wb[i]):abs():max() ~= 0 then return false end
  end
  return true
end

-- largest |a - b| relative to the largest |b|
local function rel_err(a, b) return (a - b):abs():max() / b:abs():max() end

-- floats of a tensor as a Lua array, and back
local function floats(x)
  local s, v = x:tobytes(), {}
  for i = 1, #s // 4 do v[i] = string.unpack("<f", s, 4 * i - 3) end
  return v
end
local function from_floats(v, shape)
  local parts = {}
  for i, f in ipairs(v) do parts[i] = string.pack("<f", f) end
  return T.frombytes(table.concat(parts), shape)
end

-- k x k pooling with stride s written out in Lua: "max" or "avg";
-- 'same' padding pads k - 1 split as TensorFlow does, and the average
-- counts only the pixels inside the image, as TensorFlow's does
local function pool_ref(x, k, s, mode, same)
  local n, h, w, c = table.unpack(x:shape())
  local oh, ow, pt, pl
  if same then
    oh, ow = (h + s - 1) // s, (w + s - 1) // s
    pt = math.max((oh - 1) * s + k - h, 0) // 2
    pl = math.max((ow - 1) * s + k - w, 0) // 2
  else
    oh, ow, pt, pl = (h - k) // s + 1, (w - k) // s + 1, 0, 0
  end
  local v, out = floats(x), {}
  for b = 0, n - 1 do
    for i = 0, oh - 1 do
      for j = 0, ow - 1 do
        for ch = 0, c - 1 do
          local m, sum, cnt = -math.huge, 0, 0
          for dy = 0, k - 1 do
            for dx = 0, k - 1 do
              local iy, ix = i * s - pt + dy, j * s - pl + dx
              if iy >= 0 and iy < h and ix >= 0 and ix < w then
                local f = v[((b * h + iy) * w + ix) * c + ch + 1]
                m, sum, cnt = math.max(m, f), sum + f, cnt + 1
              end
            end
          end
          out[#out + 1] = mode == "max" and m or sum / cnt
        end
      end
    end
  end
  return from_floats(out, {n, oh, ow, c})
end
local function maxpool_ref(x) return pool_ref(x, 2, 2, "max") end

-- channel concatenation of NHWC tensors, pixel by pixel
local function concat_ref(xs)
  local vs, cs, total = {}, {}, 0
  for i, x in ipairs(xs) do
    vs[i], cs[i] = floats(x), x:shape()[4]
    total = total + cs[i]
  end
  local shape = xs[1]:shape()
  local out = {}
  for p = 0, shape[1] * shape[2] * shape[3] - 1 do
    for i, v in ipairs(vs) do
      for ch = 1, cs[i] do out[#out + 1] = v[p * cs[i] + ch] end
    end
  end
  return from_floats(out, {shape[1], shape[2], shape[3], total})
end

-- ---- VGG16 -------------------------------------------------------------------

nn.reset_names()
local vgg = A.VGG16{include_top = false, weights = false, input_shape = {32, 32, 3}}
randomize(vgg, 11, 0.05)
local vpath = tmp("vgg16_notop.h5")
vgg:save_weights(vpath)
t.ok(h5.is_hdf5(vpath), "VGG16: save_weights('x.h5') writes an HDF5 file")
local file = h5.read_keras_weights(vpath)
t.is(#file .. " " .. file[1].name .. " " .. file[2].name .. " " .. file[#file].name,
     "19 input_1 block1_conv1 block5_pool", "VGG16 file: every layer in layer_names, Keras's names")
t.is(file[2].weights[1].name .. " " .. table.concat(file[2].weights[1].value:shape(), "x"),
     "block1_conv1/kernel:0 3x3x3x64", "VGG16 file: nested weight names, Keras kernel layout")
t.is(file.backend .. " " .. file.keras_version, "tensorflow 2.6.0", "VGG16 file: backend and keras_version")

T.seed(99)    -- a different random start, so the load has work to do
local vgg2 = A.VGG16{include_top = false, weights = vpath, input_shape = {32, 32, 3}}
t.ok(same_weights(vgg, vgg2), "VGG16: weights = path loads every weight bit for bit")

T.seed(5)
local x = T.rand(1, 32, 32, 3) * 2 - 1
local y1 = vgg:predict(x)
t.is((y1 - vgg2:predict(x)):abs():max(), 0, "VGG16: the loaded model's forward pass is identical")

-- reference: 13 direct-loop convolutions (+ bias, relu), 5 Lua max pools
do
  local h = x
  for i = 2, #vgg.layers do
    local l = vgg.layers[i]
    if l.class == "Conv2D" then
      local ws = l.weights
      h = core.conv2d_forward_naive(h, ws[1].value, ws[2].value,
                                    {padding = "same", activation = "relu"})
    else
      h = maxpool_ref(h)
    end
  end
  -- float32 GEMM sums of up to 4608 products against double sums; 13
  -- layers compound the rounding to about 1e-6 relative: 1e-4 is far
  -- below what any real error (a wrong tap, channel or bias) gives
  local e = rel_err(y1, h)
  t.ok(e < 1e-4, ("VGG16 32x32: forward equals the layer-by-layer reference (rel err %.1e)"):format(e))
  t.ok(y1:abs():max() > 0, "VGG16: the reference output is not all zeros")
end

-- ---- InceptionV3 ------------------------------------------------------------

nn.reset_names()
local inc = A.InceptionV3{include_top = false, weights = false, input_shape = {75, 75, 3}}
randomize(inc, 12, 0.1)
local ipath = tmp("inception_v3_notop.h5")
inc:save_weights(ipath)
local ifile = h5.read_keras_weights(ipath)
t.is(ifile[3].name .. " " .. #ifile[3].weights, "batch_normalization 3",
     "InceptionV3 file: batch norm (scale=False) holds beta, moving mean, variance")
nn.reset_names()
T.seed(98)
local inc2 = A.InceptionV3{include_top = false, weights = ipath, input_shape = {75, 75, 3}}
t.ok(same_weights(inc, inc2), "InceptionV3: weights = path loads every weight bit for bit")
T.seed(6)
local xi = T.rand(1, 75, 75, 3) * 2 - 1
local yi = inc:predict(xi)
t.is((yi - inc2:predict(xi)):abs():max(), 0, "InceptionV3: the loaded model's forward pass is identical")

-- reference over the stem and mixed0: each conv_bn as a direct-loop
-- convolution (no bias), inference batch norm written out from the
-- stored weights (Keras: scale = False, epsilon 1e-3), relu
do
  local sub = nn.Model{inputs = inc.input_node, outputs = inc:get_layer("mixed0").node}
  local got = sub:predict(xi)
  t.is(table.concat(got:shape(), ","), "1,7,7,256", "InceptionV3: the sub-model up to mixed0")
  local k = -1
  local function cbr(h)
    k = k + 1
    local sfx = k == 0 and "" or "_" .. k
    local conv, bn = inc:get_layer("conv2d" .. sfx), inc:get_layer("batch_normalization" .. sfx)
    local z = core.conv2d_forward_naive(h, conv.weights[1].value, nil,
                                        {padding = conv.padding, strides = conv.strides})
    local beta, mean, var = bn.weights[1].value, bn.weights[2].value, bn.weights[3].value
    local r = (z - mean) / (var + 1e-3):sqrt() + beta
    return r:maximum(0)
  end
  local h = cbr(cbr(cbr(xi)))                  -- 37x37x32, 35x35x32, 35x35x64
  h = pool_ref(h, 3, 2, "max")                 -- 17x17x64
  h = pool_ref(cbr(cbr(h)), 3, 2, "max")       -- 15x15x192 -> 7x7x192
  local b1 = cbr(h)
  local b5 = cbr(cbr(h))
  local b3 = cbr(cbr(cbr(h)))
  local bp = cbr(pool_ref(h, 3, 1, "avg", true))
  local want = concat_ref({b1, b5, b3, bp})
  -- float32 sums (of up to 1600 products) against double ones, through
  -- 10 conv/norm layers: about 1e-6 relative; 1e-4 catches any real error
  local e = rel_err(got, want)
  t.ok(e < 1e-4, ("InceptionV3 75x75: mixed0 equals the layer-by-layer reference (rel err %.1e)"):format(e))
end

-- ---- errors ------------------------------------------------------------------

-- InceptionV3's weights into VGG16: the layer counts differ
t.raises(function() A.VGG16{include_top = false, weights = ipath, input_shape = {32, 32, 3}} end,
         "the file holds weights for 188 layers, the model has 13 layers with weights",
         "a file for another architecture: layer-count mismatch")
-- the same VGG16 layers with one kernel of another shape: the layer is named
do
  local bad = {}
  for i, l in ipairs(file) do
    local ws = {}
    for j, w in ipairs(l.weights) do ws[j] = {name = w.name, value = w.value} end
    bad[i] = {name = l.name, weights = ws}
  end
  bad[5].weights[1].value = T.zeros(3, 3, 64, 100)  -- block2_conv1: (3, 3, 64, 128)
  local bpath = tmp("vgg16_bad.h5")
  h5.write_keras_weights(bpath, bad)
  t.raises(function() A.VGG16{include_top = false, weights = bpath, input_shape = {32, 32, 3}} end,
           "layer 'block2_conv1': weight 'block2_conv1/kernel:0' has shape %(3, 3, 64, 100%) in the file",
           "a kernel of the wrong shape: the error names the layer")
  os.remove(bpath)
end
t.raises(function() h5.write_keras_weights(tmp("x.h5"), {{name = "a/b", weights = {}}}) end,
         "layer name 'a/b' cannot name an HDF5 group", "write: a layer name with '/'")
t.raises(function() h5.write_keras_weights(tmp("x.h5"), {{name = "a", weights = {{name = "k"}}}}) end,
         "layer 'a': weight 'k' has no tensor value", "write: a weight without a tensor")
t.raises(function() h5.write_keras_weights(tmpdir .. "/no/such/dir/x.h5", {}) end,
         "cannot create", "write: a path that cannot be created")

os.remove(vpath)
os.remove(ipath)
os.remove(tmp("x.h5"))
os.remove(tmpdir)
t.done()
