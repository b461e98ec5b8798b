-- course_models.lua - the course's LAB 8-1 MLP and LAB 9-2 CNN, for
-- bench/fashion.lua and bench/infer.lua (loaded with dofile; the PyTorch
-- twins are in bench/fashion_peer.py). act: the CNN's convolutions'
-- activation (the course has none: "linear").
local nn = require "nn"

return function(kind, act)
  if kind == "mlp" then
    return nn.Sequential {
      nn.Flatten{input_shape = {28, 28, 1}}, nn.Dropout(0.2),
      nn.Dense(128, "relu"), nn.Dense(32, "relu"), nn.Dense(10, "softmax")}
  end
  return nn.Sequential {
    nn.Conv2D{filters = 32, kernel_size = 3, padding = "same", input_shape = {28, 28, 1},
              activation = act},
    nn.MaxPooling2D{pool_size = 2, strides = 2},
    nn.Conv2D{filters = 64, kernel_size = 3, padding = "same", activation = act},
    nn.MaxPooling2D{pool_size = 2, strides = 2},
    nn.Conv2D{filters = 32, kernel_size = 3, padding = "same", activation = act},
    nn.Flatten(), nn.Dense(128, "relu"), nn.Dense(32, "relu"), nn.Dense(10, "softmax")}
end
