-- nn.lua - the Keras-style `nn` module: it assembles the public names
-- from the parts. The arithmetic is C (nn.core, runtime/bind/lnn.c over
-- runtime/nn/); the parts keep the bookkeeping a Keras user expects:
--
--   nn_base.lua          shared helpers: errors, options, the Layer base
--   nn_layers.lua        the layer classes (every entry of .constructors
--                        becomes nn.<Name>)
--   nn_recurrent.lua     SimpleRNN, LSTM, GRU, Bidirectional,
--                        TimeDistributed, the 1-D layers, Embedding
--   nn_model.lua         Sequential, compile, fit, evaluate, predict, ...
--   nn_registry.lua      losses, optimizers, metrics, callbacks by name
--   nn_weights.lua       weight files (.wbw and Keras .h5)
--   nn_functional.lua    nn.Input, nn.Model, layers called on nodes
--   nn_applications.lua  VGG16, InceptionV3
local B = require "nn_base"
local layers = require "nn_layers"
local recurrent = require "nn_recurrent"
local model = require "nn_model"
local F = require "nn_functional"
local apps = require "nn_applications"

local nn = {}

for name, ctor in pairs(layers.constructors) do nn[name] = ctor end
for name, ctor in pairs(recurrent.constructors) do nn[name] = ctor end

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

return nn
