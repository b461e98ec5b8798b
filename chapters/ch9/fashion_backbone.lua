-- fashion_backbone.lua - the workbook's own pretrained backbone: a small
-- VGG-style convolutional base (two blocks of two 3x3 'same' ReLU
-- convolutions and a 2x2 max pooling, Keras-style layer names) that
-- train_backbone.lua trains on Fashion-MNIST and saves to
-- data/models/fashion_backbone.wbw. LAB 9-3 and the face project load it
-- offline where Keras would download ImageNet weights.
--
--   local backbone = require "fashion_backbone"
--   local base = backbone.build()    -- random weights, input 28x28x1
--   local base = backbone.load()     -- the shipped weights
local nn, data = require "nn", require "data"

local M = {}

M.FILE = "models/fashion_backbone.wbw"        -- under data/
M.INPUT_SHAPE = {28, 28, 1}
M.BLOCKS = {{16, 2}, {32, 2}}                 -- {filters, convolutions}

-- the convolutional base as a functional model: (N, 28, 28, 1) ->
-- (N, 7, 7, 32)
function M.build()
  local inp = nn.Input{shape = M.INPUT_SHAPE, name = "backbone_input"}
  local x = inp
  for b, spec in ipairs(M.BLOCKS) do
    for c = 1, spec[2] do
      x = nn.Conv2D{filters = spec[1], kernel_size = 3, padding = "same", activation = "relu",
                    name = ("block%d_conv%d"):format(b, c)}(x)
    end
    x = nn.MaxPooling2D{pool_size = 2, strides = 2, name = ("block%d_pool"):format(b)}(x)
  end
  return nn.Model{inputs = inp, outputs = x, name = "fashion_backbone"}
end

-- the base with the shipped (or the given) weights
function M.load(path)
  local base = M.build()
  base:load_weights(path or data.path(M.FILE))
  return base
end

return M
