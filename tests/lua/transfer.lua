-- transfer.lua - the embedded pretrained backbone of chapter 9
-- (chapters/ch9/fashion_backbone.lua, data/models/fashion_backbone.wbw):
-- it loads into the architecture train_backbone.lua builds, freezing it
-- under a new head leaves it bit-identical, it still classifies
-- Fashion-MNIST well, and a weights file for another architecture is a
-- clear error at the caller's line.
local t = require "tap"
local T = require "tensor"
local nn = require "nn"
local data = require "data"

local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../chapters/ch9/?.lua;" .. package.path
local backbone = require "fashion_backbone"
local path = data.path(backbone.FILE)

local function bytes(list)
  local parts = {}
  for i, w in ipairs(list) do parts[i] = w:tobytes() end
  return table.concat(parts)
end

T.seed(1)
nn.reset_names()

-- the shipped file fits the architecture: 4 convolutions, 8 tensors
local base = backbone.build()
base:load_weights(path)
local ws = base:get_weights()
t.is(#ws, 8, "backbone has 8 weight tensors (4 kernels, 4 biases)")
t.is(table.concat(ws[1]:shape(), "x"), "3x3x1x16", "block1_conv1 kernel 3x3x1x16")
t.is(table.concat(ws[7]:shape(), "x"), "3x3x32x32", "block2_conv2 kernel 3x3x32x32")
t.is(table.concat(base.output_shape, ","), "7,7,32", "output 7x7x32")
t.is(base:count_params(), 16368, "16,368 parameters")
t.ok(ws[1]:abs():max() > 0, "weights are not all zero")

-- a frozen base under a new head: training the head leaves the base
-- bit-identical, and the head does learn
local fm = data.fashion_mnist()
local x, y = fm.train.x:slice(1, 1, 256), fm.train.y:slice(1, 1, 256)
base.trainable = false
local inp = nn.Input{shape = backbone.INPUT_SHAPE}
local head = nn.Dense(10, "softmax")
local model = nn.Model{inputs = inp, outputs = head(nn.Flatten()(base(inp)))}
model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
local before, head_before = bytes(base:get_weights()), bytes({head.weights[1].value})
local tr, non = model:count_params()
t.is(non, 16368, "the frozen base's parameters are non-trainable")
t.is(tr, 7 * 7 * 32 * 10 + 10, "only the head trains")
model:fit(x, y, {epochs = 2, batch_size = 32, verbose = 0})
t.ok(bytes(base:get_weights()) == before, "frozen backbone bit-identical after fit")
t.ok(bytes({head.weights[1].value}) ~= head_before, "the head's kernel changed")

-- the backbone still recognises Fashion-MNIST: the recorded test
-- accuracy of the full classifier (data/models/fashion_backbone.txt) is
-- 0.91; a head trained here on 2,000 images over the frozen base gave
-- 0.887 on 1,000 test images when this test was written (LAB 9-3: 0.886
-- with 1,000 images, 15 epochs). The same head on a random frozen base
-- gets 0.68 in LAB 9-3, so 0.80 tells a working pretrained base from a
-- broken or random one, with room for other machines' rounding.
local f = assert(io.open(data.path("models/fashion_backbone.txt")))
local record = tonumber(f:read("a"):match("test_accuracy ([%d.]+)"))
f:close()
t.ok(record and record > 0.88, "recorded test accuracy " .. tostring(record) .. " > 0.88")
T.seed(2)
model:fit(fm.train.x:slice(1, 257, 2000), fm.train.y:slice(1, 257, 2000),
          {epochs = 3, batch_size = 32, verbose = 0})
local _, acc = model:evaluate(fm.test.x:slice(1, 1, 1000), fm.test.y:slice(1, 1, 1000), {verbose = 0})
t.diag(("frozen backbone + head: accuracy %.3f on 1,000 test images"):format(acc))
t.ok(acc > 0.80, ("frozen backbone + head accuracy %.3f > 0.80"):format(acc))

-- a backbone file for another architecture: a clear error at this line
local other = nn.Sequential {
  nn.Conv2D{filters = 8, kernel_size = 3, padding = "same", input_shape = {28, 28, 1}},
  nn.Conv2D{filters = 8, kernel_size = 3, padding = "same"},
}
t.raises(function() other:load_weights(path) end,
         "holds 8 weight tensors, the model has 4", "another architecture: tensor count")
local wide = nn.Sequential {
  nn.Conv2D{filters = 8, kernel_size = 3, input_shape = {28, 28, 1}},
  nn.Conv2D{filters = 16, kernel_size = 3}, nn.Conv2D{filters = 32, kernel_size = 3},
  nn.Conv2D{filters = 32, kernel_size = 3},
}
t.raises(function() wide:load_weights(path) end,
         "weight 1 %(block1_conv1/kernel:0%) has shape %(3, 3, 1, 16%) in the file", "another architecture: shape")
t.raises(function() backbone.build():load_weights(data.path("images/coins.png")) end,
         "is not a workbook weights file", "not a weights file")

t.done()
