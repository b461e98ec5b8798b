-- nn.lua - the Keras-style `nn` module: it assembles the public names
-- from the parts. The arithmetic is C (nn.core, runtime/bind/lnn.c over
-- runtime/nn/); the parts keep the bookkeeping a Keras user expects:
--
--   nn_base.lua          shared helpers: errors, options, the Layer base
--   nn_layers.lua        the layer classes (every entry of .constructors
--                        becomes nn.<Name>)
--   nn_layers_ae.lua     Conv2DTranspose, UpSampling2D, Reshape
--   nn_recurrent.lua     SimpleRNN, LSTM, GRU, Bidirectional,
--                        TimeDistributed, the 1-D layers, Embedding
--   nn_model.lua         Sequential, compile, fit, evaluate, predict, ...
--   nn_registry.lua      losses, optimizers, metrics, callbacks by name
--   nn_weights.lua       weight files (.wbw and Keras .h5)
--   nn_functional.lua    nn.Input, nn.Model, layers called on nodes
--   nn_applications.lua  VGG16, InceptionV3
--   nn_save.lua          whole models: model:save, nn.models.load_model
--   image_augment.lua    ImageDataGenerator (nn.preprocessing.image)
local B = require "nn_base"
local layers = require "nn_layers"
local recurrent = require "nn_recurrent"
local model = require "nn_model"
local F = require "nn_functional"
local apps = require "nn_applications"

local nn = {}

for name, ctor in pairs(layers.constructors) do nn[name] = ctor end
for name, ctor in pairs(recurrent.constructors) do nn[name] = ctor end
for name, ctor in pairs(require("nn_layers_ae").constructors) do nn[name] = ctor end

nn.Sequential = model.Sequential
nn.optimizers = model.optimizers
nn.callbacks = model.callbacks

nn.Input, nn.Model = F.Input, F.Model
nn.is_node = F.is_node
nn.is_layer = B.is_layer
nn.reset_names = B.reset_names

-- Keras's lower-case merge helpers: nn.concatenate({a, b}, {axis = -1})
function nn.concatenate(xs, o) return nn.Concatenate(o)(xs) end
function nn.add(xs, o) return nn.Add(o)(xs) end

nn.applications = apps.applications

-- Keras's keras.preprocessing.image.ImageDataGenerator (image_augment.lua)
local augment = require "image_augment"
nn.preprocessing = {image = {ImageDataGenerator = augment.ImageDataGenerator}}
nn.ImageDataGenerator = augment.ImageDataGenerator

-- nn.models.load_model(path): a whole model saved by model:save or by
-- Keras 2.6's model.save (nn_save.lua)
nn.models = {load_model = function(path) return require("nn_save").load(path) end}

-- nn.utils.to_categorical(y [, num_classes]): 0-based class ids (a
-- tensor or a list) -> one-hot rows (N, num_classes), Keras's
nn.utils = {}
function nn.utils.to_categorical(y, num_classes)
  local T = require "tensor"
  if type(y) == "table" and not T.is_tensor(y) then y = T(y) end
  if not T.is_tensor(y) then
    B.fail("to_categorical: y must be a tensor or a list of class ids, got %s", type(y))
  end
  if y:dim() == 2 and y:size(2) == 1 then y = y:reshape(y:size(1)) end
  if y:dim() > 1 then
    B.fail("to_categorical: y must be (N,) class ids, got %s", B.shape_str(y:shape()))
  end
  local ids = y:dim() == 0 and {y:item()} or y:totable()
  local hi = -1
  for i, v in ipairs(ids) do
    if v % 1 ~= 0 or v < 0 then
      B.fail("to_categorical: class id %g is not a non-negative integer (sample %d)", v, i)
    end
    hi = math.max(hi, v)
  end
  local k = num_classes or (hi + 1)
  if math.type(k) ~= "integer" and not (type(k) == "number" and k % 1 == 0) or k < 1 then
    B.fail("to_categorical: num_classes must be a positive integer, got %s", tostring(k))
  end
  if hi >= k then
    B.fail("to_categorical: class id %d out of range 0..%d", math.tointeger(hi), math.tointeger(k) - 1)
  end
  local out = T.zeros(#ids, math.tointeger(k))
  for i, v in ipairs(ids) do out:set(i, math.tointeger(v) + 1, 1) end
  return out
end

return nn
