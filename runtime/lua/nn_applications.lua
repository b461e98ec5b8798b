-- nn_applications.lua - nn.applications: Keras 2.6's VGG16 and
-- InceptionV3 (the same layers, names and parameter counts, so Keras's
-- .h5 weight files load layer for layer), with their preprocess_input
-- and decode_predictions.
--
--   nn.applications.VGG16{include_top = true, weights = "imagenet" |
--       false | path, input_shape = {224, 224, 3}, pooling = nil | "avg"
--       | "max", classes = 1000}
--   nn.applications.InceptionV3{...}            (input 299x299x3)
--   nn.applications.vgg16.preprocess_input(x)         caffe mode
--   nn.applications.inception_v3.preprocess_input(x)  tf mode
--   nn.applications.decode_predictions(preds [, top = 5])
local T = require "tensor"
local sys = require "sys"
local B = require "nn_base"
local F = require "nn_functional"
require "nn_model"              -- the Model methods (load_weights)

local M = {}
local fail = B.fail

-- the layers and graph functions, under the names a Keras user reads
local nn = {}
for name, f in pairs(require("nn_layers").constructors) do nn[name] = f end
nn.Input, nn.Model = F.Input, F.Model

-- ---- options and weights ---------------------------------------------------

local OPTIONS = {include_top = "boolean", weights = "string|boolean", input_shape = "table",
                 pooling = "string", classes = "integer"}

local function check_opts(what, o, default_size, min_size)
  o = B.check(what, o, OPTIONS)
  local top = o.include_top ~= false
  local weights = o.weights
  if weights == nil then weights = "imagenet" end     -- Keras's default
  if weights ~= false and type(weights) ~= "string" then
    fail("%s: weights must be 'imagenet', false (random) or a file path, got %s", what, tostring(weights))
  end
  local classes = o.classes or 1000
  if weights == "imagenet" and top and classes ~= 1000 then
    fail("%s: weights = 'imagenet' with include_top needs classes = 1000, got %d", what, classes)
  end
  local shape = o.input_shape or {default_size, default_size, 3}
  if type(shape) ~= "table" or #shape ~= 3 or shape[3] ~= 3 then
    fail("%s: input_shape must be {height, width, 3}, got %s", what, tostring(shape))
  end
  if top and weights == "imagenet" and (shape[1] ~= default_size or shape[2] ~= default_size) then
    fail("%s: with include_top and ImageNet weights the input must be %dx%dx3", what,
         default_size, default_size)
  end
  if shape[1] < min_size or shape[2] < min_size then
    fail("%s: input must be at least %dx%d, got %dx%d", what, min_size, min_size, shape[1], shape[2])
  end
  local pooling = o.pooling
  if pooling ~= nil and pooling ~= "avg" and pooling ~= "max" then
    fail("%s: pooling must be nil, 'avg' or 'max', got %s", what, tostring(pooling))
  end
  return {top = top, weights = weights, classes = classes, shape = shape, pooling = pooling}
end

-- where weights = "imagenet" looks: data/models/<Keras's file name>
local function imagenet_path(what, file)
  local path = sys.home() .. "/data/models/" .. file
  if not sys.exists(path) then
    fail("%s: the ImageNet weights file is not here; download %s (from Keras's " ..
         "storage.googleapis.com/tensorflow/keras-applications/) on a machine with " ..
         "internet access and put it at %s, or pass weights = false for random weights",
         what, file, path)
  end
  return path
end

local function load(model, what, o, file_top, file_notop)
  if o.weights == false then return model end
  local path = o.weights
  if path == "imagenet" then path = imagenet_path(what, o.top and file_top or file_notop) end
  if not sys.exists(path) then fail("%s: weights file %s not found", what, path) end
  model:load_weights(path)
  return model
end

-- the head without the classifier: nothing, or global pooling
local function pool_head(x, pooling)
  if pooling == "avg" then return nn.GlobalAveragePooling2D()(x) end
  if pooling == "max" then return nn.GlobalMaxPooling2D()(x) end
  return x
end

-- ---- VGG16 ---------------------------------------------------------------

-- blocks: {filters, convolutions}
local VGG_BLOCKS = {{64, 2}, {128, 2}, {256, 3}, {512, 3}, {512, 3}}

function M.VGG16(o)
  o = check_opts("VGG16", o, 224, 32)
  local inp = nn.Input{shape = o.shape}
  local x = inp
  for b, spec in ipairs(VGG_BLOCKS) do
    for c = 1, spec[2] do
      x = nn.Conv2D{filters = spec[1], kernel_size = 3, activation = "relu", padding = "same",
                    name = ("block%d_conv%d"):format(b, c)}(x)
    end
    x = nn.MaxPooling2D{pool_size = 2, strides = 2, name = ("block%d_pool"):format(b)}(x)
  end
  if o.top then
    x = nn.Flatten{name = "flatten"}(x)
    x = nn.Dense{units = 4096, activation = "relu", name = "fc1"}(x)
    x = nn.Dense{units = 4096, activation = "relu", name = "fc2"}(x)
    x = nn.Dense{units = o.classes, activation = "softmax", name = "predictions"}(x)
  else
    x = pool_head(x, o.pooling)
  end
  local model = nn.Model{inputs = inp, outputs = x, name = "vgg16"}
  return load(model, "VGG16", o, "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
              "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")
end

-- ---- InceptionV3 -----------------------------------------------------------

-- Keras's conv2d_bn: convolution without bias, batch normalization
-- without scale (the ReLU after it makes gamma redundant), ReLU.
local function conv_bn(x, filters, rows, cols, padding, strides, name)
  x = nn.Conv2D{filters = filters, kernel_size = {rows, cols}, strides = strides or 1,
                padding = padding or "same", use_bias = false,
                name = name and name .. "_conv"}(x)
  x = nn.BatchNormalization{scale = false, name = name and name .. "_bn"}(x)
  return nn.Activation{activation = "relu", name = name}(x)
end

local function avg3(x)
  return nn.AveragePooling2D{pool_size = 3, strides = 1, padding = "same"}(x)
end

local function max3(x)
  return nn.MaxPooling2D{pool_size = 3, strides = 2}(x)
end

-- mixed0..2: 35x35; pool_filters 32 then 64
local function block35(x, pool_filters, name)
  local b1 = conv_bn(x, 64, 1, 1)
  local b5 = conv_bn(x, 48, 1, 1)
  b5 = conv_bn(b5, 64, 5, 5)
  local b3 = conv_bn(x, 64, 1, 1)
  b3 = conv_bn(b3, 96, 3, 3)
  b3 = conv_bn(b3, 96, 3, 3)
  local bp = conv_bn(avg3(x), pool_filters, 1, 1)
  return nn.Concatenate{name = name}({b1, b5, b3, bp})
end

-- mixed3: 35x35 -> 17x17
local function reduce35(x)
  local b3 = conv_bn(x, 384, 3, 3, "valid", 2)
  local bd = conv_bn(x, 64, 1, 1)
  bd = conv_bn(bd, 96, 3, 3)
  bd = conv_bn(bd, 96, 3, 3, "valid", 2)
  return nn.Concatenate{name = "mixed3"}({b3, bd, max3(x)})
end

-- mixed4..7: 17x17 with factorised 7x7 convolutions of width c
local function block17(x, c, name)
  local b1 = conv_bn(x, 192, 1, 1)
  local b7 = conv_bn(x, c, 1, 1)
  b7 = conv_bn(b7, c, 1, 7)
  b7 = conv_bn(b7, 192, 7, 1)
  local bd = conv_bn(x, c, 1, 1)
  bd = conv_bn(bd, c, 7, 1)
  bd = conv_bn(bd, c, 1, 7)
  bd = conv_bn(bd, c, 7, 1)
  bd = conv_bn(bd, 192, 1, 7)
  local bp = conv_bn(avg3(x), 192, 1, 1)
  return nn.Concatenate{name = name}({b1, b7, bd, bp})
end

-- mixed8: 17x17 -> 8x8
local function reduce17(x)
  local b3 = conv_bn(x, 192, 1, 1)
  b3 = conv_bn(b3, 320, 3, 3, "valid", 2)
  local b7 = conv_bn(x, 192, 1, 1)
  b7 = conv_bn(b7, 192, 1, 7)
  b7 = conv_bn(b7, 192, 7, 1)
  b7 = conv_bn(b7, 192, 3, 3, "valid", 2)
  return nn.Concatenate{name = "mixed8"}({b3, b7, max3(x)})
end

-- mixed9, mixed10: 8x8, with split 1x3 / 3x1 branches (i = 0, 1)
local function block8(x, i)
  local b1 = conv_bn(x, 320, 1, 1)
  local b3 = conv_bn(x, 384, 1, 1)
  local b3a = conv_bn(b3, 384, 1, 3)
  local b3b = conv_bn(b3, 384, 3, 1)
  b3 = nn.Concatenate{name = "mixed9_" .. i}({b3a, b3b})
  local bd = conv_bn(x, 448, 1, 1)
  bd = conv_bn(bd, 384, 3, 3)
  local bda = conv_bn(bd, 384, 1, 3)
  local bdb = conv_bn(bd, 384, 3, 1)
  bd = nn.Concatenate()({bda, bdb})
  local bp = conv_bn(avg3(x), 192, 1, 1)
  return nn.Concatenate{name = "mixed" .. (9 + i)}({b1, b3, bd, bp})
end

function M.InceptionV3(o)
  o = check_opts("InceptionV3", o, 299, 75)
  local inp = nn.Input{shape = o.shape}
  local x = conv_bn(inp, 32, 3, 3, "valid", 2)
  x = conv_bn(x, 32, 3, 3, "valid")
  x = conv_bn(x, 64, 3, 3)
  x = max3(x)
  x = conv_bn(x, 80, 1, 1, "valid")
  x = conv_bn(x, 192, 3, 3, "valid")
  x = max3(x)
  x = block35(x, 32, "mixed0")
  x = block35(x, 64, "mixed1")
  x = block35(x, 64, "mixed2")
  x = reduce35(x)
  x = block17(x, 128, "mixed4")
  x = block17(x, 160, "mixed5")
  x = block17(x, 160, "mixed6")
  x = block17(x, 192, "mixed7")
  x = reduce17(x)
  x = block8(x, 0)
  x = block8(x, 1)
  if o.top then
    x = nn.GlobalAveragePooling2D{name = "avg_pool"}(x)
    x = nn.Dense{units = o.classes, activation = "softmax", name = "predictions"}(x)
  else
    x = pool_head(x, o.pooling)
  end
  local model = nn.Model{inputs = inp, outputs = x, name = "inception_v3"}
  return load(model, "InceptionV3", o, "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
              "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")
end

-- ---- preprocessing -----------------------------------------------------------

local function check_images(what, x)
  if not T.is_tensor(x) then fail("%s: x must be a tensor of RGB images, got %s", what, type(x)) end
  if x:dim() < 3 or x:size(x:dim()) ~= 3 then
    fail("%s: x must be (N, H, W, 3) or (H, W, 3) RGB, got %s", what,
         "(" .. table.concat(x:shape(), ", ") .. ")")
  end
end

-- 'caffe' mode (VGG16): RGB 0..255 -> BGR minus the ImageNet channel
-- means; a new tensor
local BGR_MEAN = {103.939, 116.779, 123.68}
local function preprocess_caffe(x)
  check_images("vgg16.preprocess_input", x)
  local d = x:dim()
  local y = T.zeros(x:shape())
  for c = 1, 3 do
    y:slice(d, c, c):copy(x:slice(d, 4 - c, 4 - c) - BGR_MEAN[c])
  end
  return y
end

-- 'tf' mode (InceptionV3): 0..255 -> -1..1
local function preprocess_tf(x)
  check_images("inception_v3.preprocess_input", x)
  return x / 127.5 - 1
end

-- ---- decode_predictions --------------------------------------------------------

-- ImageNet's class names: Keras's imagenet_class_index.json ({"0":
-- ["n01440764", "tench"], ...}) if it is in data/models/, else the names
-- scripts/fetch_imagenet_classes.sh takes from Debian's
-- python3-torchvision at set-up (same order, no WordNet ids).
local class_index
local function load_name_list()
  local f = io.open(sys.home() .. "/data/fetched/imagenet_classes.txt", "r")
  if not f then return false end
  local idx, k = {}, 0
  for line in f:lines() do idx[k] = {nil, line}; k = k + 1 end
  f:close()
  return k == 1000 and idx or false
end
local function load_class_index()
  if class_index ~= nil then return class_index end
  class_index = false
  local path = sys.home() .. "/data/models/imagenet_class_index.json"
  local f = io.open(path, "r")
  if not f then
    class_index = load_name_list()
    return class_index
  end
  local s = f:read("a")
  f:close()
  local idx = {}
  for k, wnid, name in s:gmatch('"(%d+)"%s*:%s*%[%s*"([^"]*)"%s*,%s*"([^"]*)"%s*%]') do
    idx[tonumber(k)] = {wnid, name}
  end
  class_index = idx
  return idx
end

-- preds (N, 1000) -> for each sample a list of the top classes, best
-- first: {class = 0-based id, wnid, name, score}. wnid is nil without
-- Keras's class index file; name is "class <id>" without any name list.
function M.decode_predictions(preds, top)
  if type(top) == "table" then top = B.check("decode_predictions", top, {top = "integer"}).top end
  top = top or 5
  if type(top) ~= "number" or top < 1 or top % 1 ~= 0 then
    fail("decode_predictions: top must be a positive integer, got %s", tostring(top))
  end
  if not T.is_tensor(preds) or preds:dim() ~= 2 or preds:size(2) ~= 1000 then
    fail("decode_predictions: expects predictions of shape (N, 1000), got %s",
         T.is_tensor(preds) and "(" .. table.concat(preds:shape(), ", ") .. ")" or type(preds))
  end
  local idx = load_class_index()
  local out = {}
  for i = 1, preds:size(1) do
    local row = preds[i]:totable()
    local order = {}
    for k = 1, #row do order[k] = k end
    table.sort(order, function(a, b) return row[a] > row[b] end)
    local res = {}
    for r = 1, math.min(top, #order) do
      local k = order[r] - 1
      local e = idx and idx[k]
      res[r] = {class = k, wnid = e and e[1], name = e and e[2] or ("class " .. k),
                score = row[order[r]]}
    end
    out[i] = res
  end
  return out
end

M.applications = {
  VGG16 = M.VGG16, InceptionV3 = M.InceptionV3,
  decode_predictions = M.decode_predictions,
  vgg16 = {preprocess_input = preprocess_caffe, decode_predictions = M.decode_predictions},
  inception_v3 = {preprocess_input = preprocess_tf, decode_predictions = M.decode_predictions},
}

return M
