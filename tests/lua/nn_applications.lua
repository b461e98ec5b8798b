-- nn_applications.lua - nn.applications: VGG16 and InceptionV3 built as
-- Keras 2.6 builds them (layer names, parameter totals), forward passes
-- at small inputs, preprocess_input, decode_predictions, Keras .h5
-- weights loaded into functional and nested models, and the errors for
-- missing or foreign weight files.
local t = require "tap"
local T = require "tensor"
local nn = require "nn"
local A = nn.applications

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local h5dir = here .. "../fixtures/h5/"

local function total(m) local a, b = m:count_params(); return a + b end
local function names(m)
  local out = {}
  for i, l in ipairs(m.layers) do out[i] = l.name end
  return out
end

-- VGG16: totals and names; a 32x32 forward equals the same layers run
-- as a Sequential chain with the same weights
nn.reset_names()
local vgg = A.VGG16{include_top = false, weights = false, input_shape = {32, 32, 3}}
t.is(total(vgg), 14714688, "VGG16 without the top: 14,714,688 parameters")
local vn = names(vgg)
t.is(vn[1] .. " " .. vn[2] .. " " .. vn[4] .. " " .. vn[#vn], "input_1 block1_conv1 block1_pool block5_pool",
     "VGG16 layer names as Keras's")
t.is(vgg:get_layer("block5_conv3").filters, 512, "get_layer finds a layer by name")
t.raises(function() vgg:get_layer("block6_conv1") end, "model 'vgg16' has no layer named 'block6_conv1'",
         "get_layer with an unknown name")
t.is(#vn, 19, "VGG16 without the top: 19 layers (input, 13 convolutions, 5 pools)")
do
  local chain = {}
  for i = 2, #vgg.layers do
    local l = vgg.layers[i]
    chain[#chain + 1] = l.class == "Conv2D"
      and nn.Conv2D{filters = l.filters, kernel_size = 3, padding = "same", activation = "relu"}
      or nn.MaxPooling2D(2)
  end
  local seq = nn.Sequential(chain)
  seq:build({32, 32, 3})
  seq:set_weights(vgg:get_weights())
  T.seed(3)
  local x = T.rand(2, 32, 32, 3) * 255
  local y = vgg:predict(x)
  t.is(table.concat(y:shape(), ","), "2,1,1,512", "VGG16 on 32x32: (N, 1, 1, 512)")
  t.allclose(y, seq:predict(x), 1e-4, "the graph runner equals the same layers as a chain")
end
do
  local top = A.VGG16{weights = false, input_shape = {32, 32, 3}}
  t.is(total(top), 14714688 + 512 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000,
       "VGG16 with the top at 32x32: flatten, fc1, fc2, predictions")
  local n = names(top)
  t.is(table.concat(n, " ", #n - 3), "flatten fc1 fc2 predictions", "the top's layer names")
end
if os.getenv("WORKBOOK_SLOW") then
  t.is(total(A.VGG16{weights = false}), 138357544, "VGG16 with the top: 138,357,544 parameters")
end
t.is(A.VGG16{include_top = false, weights = false, pooling = "max", input_shape = {32, 32, 3}}
     .output_shape[1], 512, "pooling = 'max' gives (N, 512)")

-- InceptionV3: totals with and without the top, Keras's names (counted
-- per session, so a fresh session's)
nn.reset_names()
local inc = A.InceptionV3{include_top = false, weights = false}
t.is(total(inc), 21802784, "InceptionV3 without the top: 21,802,784 parameters")
t.is(select(2, inc:count_params()), 34432, "its BatchNormalization moving statistics: 34,432")
local counts, have = {}, {}
for _, l in ipairs(inc.layers) do
  counts[l.class] = (counts[l.class] or 0) + 1
  have[l.name] = l
end
t.is(counts.Conv2D .. "/" .. counts.BatchNormalization .. "/" .. counts.Activation .. "/" .. counts.Concatenate,
     "94/94/94/15", "94 conv2d_bn blocks and 15 concatenations")
t.ok(have.mixed0 and have.mixed10 and have.mixed9_0 and have.mixed9_1 and have.conv2d_93
     and have.batch_normalization_93 and have.activation_93, "names conv2d .. conv2d_93, mixed0 .. mixed10")
t.ok(have.conv2d.use_bias == false and have.batch_normalization.scale == false,
     "convolutions without bias, batch normalization without scale")
t.is(table.concat(inc.output_shape, ","), "8,8,2048", "output (N, 8, 8, 2048) at 299x299")
local lines = {}
inc:summary(function(s) lines[#lines + 1] = s end)
t.is(lines[#lines - 3], "Total params: 21,802,784", "summary total")
t.is(lines[#lines - 1], "Non-trainable params: 34,432", "summary non-trainable")
t.is(lines[39]:sub(1, 32), "max_pooling2d_1 (MaxPooling2D)  ", "summary rows in Keras's order (by depth) ...")
t.is(lines[41]:match("^%S+"), "conv2d_8", "... where the deepest branch of mixed0 comes first")
do
  local full = A.InceptionV3{weights = false}
  t.is(total(full), 23851784, "InceptionV3 with the top: 23,851,784 parameters")
  local n = names(full)
  t.is(n[#n - 1] .. " " .. n[#n], "avg_pool predictions", "the top: avg_pool, predictions")
end
do
  T.seed(4)
  local small = A.InceptionV3{include_top = false, weights = false, pooling = "avg",
                              input_shape = {75, 75, 3}}
  local y = small:predict(A.inception_v3.preprocess_input(T.rand(1, 75, 75, 3) * 255))
  t.is(table.concat(y:shape(), ","), "1,2048", "InceptionV3 at 75x75 with pooling = 'avg': (N, 2048)")
  t.ok(y:min() >= 0 and y:max() < math.huge, "finite, non-negative features (after ReLU)")
end

-- preprocess_input
do
  local x = T{{{{10, 20, 30}}}}
  local c = A.vgg16.preprocess_input(x)
  t.allclose(c, T{{{{30 - 103.939, 20 - 116.779, 10 - 123.68}}}}, 1e-4,
             "vgg16 (caffe): RGB -> BGR minus the ImageNet means")
  t.allclose(A.inception_v3.preprocess_input(T{0, 127.5, 255}:reshape(1, 1, 3)), T{-1, 0, 1}:reshape(1, 1, 3),
             1e-6, "inception_v3 (tf): 0..255 -> -1..1")
  t.raises(function() A.vgg16.preprocess_input(T.zeros(2, 4, 4, 1)) end,
           "x must be %(N, H, W, 3%) or %(H, W, 3%) RGB, got %(2, 4, 4, 1%)", "preprocess_input on gray images")
end

-- decode_predictions: the top classes, best first
do
  local p = T.zeros(2, 1000)
  p[1][282] = 0.7; p[1][5] = 0.2; p[2][1000] = 0.9
  local d = A.decode_predictions(p, 2)
  t.is(#d .. " " .. #d[1], "2 2", "one list per sample, top entries each")
  t.is(d[1][1].class .. " " .. d[1][2].class .. " " .. d[2][1].class, "281 4 999",
       "0-based class ids, best first")
  t.near(d[1][1].score, 0.7, 1e-6, "with their scores")
  -- names from data/fetched/imagenet_classes.txt (make test fetches it
  -- from Debian's python3-torchvision): ImageNet's class-index order
  t.is(d[1][1].name .. " / " .. d[1][2].name .. " / " .. d[2][1].name,
       "tabby / hammerhead / toilet tissue", "ImageNet class names in Keras's index order")
  t.raises(function() A.decode_predictions(T.zeros(1, 10)) end,
           "expects predictions of shape %(N, 1000%), got %(1, 10%)", "decode_predictions on 10 classes")
end

-- Keras .h5 files: a functional model and one with a nested model
do
  local inp = nn.Input{shape = {5, 5, 3}}
  local x = nn.Conv2D{filters = 2, kernel_size = 3}(inp)
  x = nn.GlobalAveragePooling2D()(nn.BatchNormalization()(x))
  local m = nn.Model{inputs = inp, outputs = nn.Dense(4)(x)}
  m:load_weights(h5dir .. "functional_full_model.h5")
  local w = m:get_weights()
  t.near(w[6]:get(2), ((1 * 7 + 5) % 23) / 8 - 1, 1e-6, "functional model: BN moving_variance loaded from .h5")
  t.near(w[7]:get(1, 1), ((0 + 6) % 23) / 8 - 1, 1e-6, "and the dense kernel")

  local base = nn.Sequential{nn.Conv2D{filters = 2, kernel_size = 3, input_shape = {4, 4, 1}},
                             nn.BatchNormalization(), nn.Flatten(), nn.Dense(3)}
  local i2 = nn.Input{shape = {4, 4, 1}}
  local outer = nn.Model{inputs = i2, outputs = nn.Dense(2)(base(i2))}
  outer:load_weights(h5dir .. "nested_model.h5")
  local bn = base.layers[2]
  t.near(bn.moving_mean.value:get(1), (6 % 23) / 8 - 1, 1e-6,
         "nested model: moving statistics come after the trainable weights, as Keras saves them")
  t.near(base.layers[4].kernel.value:get(1, 1), 4 / 8 - 1, 1e-6, "and the nested dense kernel before them")
end

-- errors
t.raises(function() A.VGG16{include_top = false} end,
         "download vgg16_weights_tf_dim_ordering_tf_kernels_notop%.h5 .* put it at .*data/models/vgg16_weights_tf_dim_ordering_tf_kernels_notop%.h5",
         "weights = 'imagenet' (the default) without the file says where to put it")
t.raises(function() A.InceptionV3{weights = "imagenet"} end,
         "put it at .*data/models/inception_v3_weights_tf_dim_ordering_tf_kernels%.h5",
         "InceptionV3 with the top names its own file")
t.raises(function() A.VGG16{include_top = false, weights = "/no/such/vgg.h5"} end,
         "VGG16: weights file /no/such/vgg%.h5 not found", "an unknown weights file")
t.raises(function() A.VGG16{include_top = false, weights = h5dir .. "cnn_fixed.h5", input_shape = {32, 32, 3}} end,
         "the file holds weights for 3 layers, the model has 13 layers with weights",
         "weights for another architecture")
t.raises(function() A.VGG16{include_top = false, weights = false, input_shape = {16, 16, 3}} end,
         "input must be at least 32x32, got 16x16", "too small an input")
t.raises(function() A.VGG16{weights = false, pooling = "min"} end,
         "pooling must be nil, 'avg' or 'max', got min", "bad pooling")
t.raises(function() A.VGG16{classes = 10} end,
         "weights = 'imagenet' with include_top needs classes = 1000", "ImageNet weights with 10 classes")

t.done()
