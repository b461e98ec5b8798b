-- train_backbone.lua - trains the workbook's embedded pretrained
-- backbone (fashion_backbone.lua) on Fashion-MNIST and saves its
-- convolutional base to data/models/fashion_backbone.wbw, with its test
-- accuracy in data/models/fashion_backbone.txt. The labs of chapter 9
-- load it offline in place of Keras's ImageNet weights. About a minute
-- on 2 cores; run it again to reproduce the shipped file (the same seed
-- gives the same weights on the same machine):
--   ./workbook run chapters/ch9/train_backbone.lua
local tensor, nn, data, sys = require "tensor", require "nn", require "data", require "sys"
local backbone = require "fashion_backbone"

tensor.seed(2024)
local EPOCHS = 4

local fm = data.fashion_mnist()

-- the base, then a classifier head on top of it
local base = backbone.build()
local inp = nn.Input{shape = backbone.INPUT_SHAPE}
local x = nn.Flatten{name = "flatten"}(base(inp))
x = nn.Dense{units = 64, activation = "relu", name = "fc1"}(x)
local out = nn.Dense{units = 10, activation = "softmax", name = "predictions"}(x)
local model = nn.Model{inputs = inp, outputs = out, name = "fashion_classifier"}
model:summary()
model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}

local t0 = sys.clock()
model:fit(fm.train.x, fm.train.y, {epochs = EPOCHS, batch_size = 64})
local seconds = sys.clock() - t0
local loss, acc = model:evaluate(fm.test.x, fm.test.y, {verbose = 0})
print(("test loss %.4f, test accuracy %.4f (10,000 images), trained in %.0f s"):format(
      loss, acc, seconds))

-- only the convolutional base is kept: the head was for Fashion-MNIST's
-- ten classes, a new task gets a new head
local dir = sys.home() .. "/data/models"
base:save_weights(dir .. "/fashion_backbone.wbw")
local f = assert(io.open(dir .. "/fashion_backbone.txt", "w"))
f:write(("fashion_backbone.wbw: made by chapters/ch9/train_backbone.lua\n" ..
         "base: %s, %d parameters\n" ..
         "head while training: Flatten, Dense(64, relu), Dense(10, softmax)\n" ..
         "training: Fashion-MNIST train (60,000), %d epochs, Adam 1e-3, batch 64, seed 2024\n" ..
         "test_accuracy %.4f\n" ..
         "test_loss %.4f\n"):format(base.name, (base:count_params()), EPOCHS, acc, loss))
f:close()
print("saved " .. dir .. "/fashion_backbone.wbw and fashion_backbone.txt")
