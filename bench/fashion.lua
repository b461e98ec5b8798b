-- fashion.lua - train a course model on Fashion-MNIST and print one line
-- (--act relu gives the CNN's convolutions a ReLU; the course has none):
-- epoch_s (training seconds per epoch, best epoch; data loading and
-- evaluation excluded), test_acc (10,000 test images, after the last
-- epoch), peak_rss_mb; then the test accuracy after each epoch.
--   ./workbook run bench/fashion.lua --model cnn|mlp --train N --epochs E --batch B
local tensor, nn, data, sys = require "tensor", require "nn", require "data", require "sys"

local opt = {model = "cnn", train = 60000, epochs = 1, batch = 32, act = "linear", peer = "torch"}
local i = 1
while arg[i] do
  local k = arg[i]:match("^%-%-(%w+)$")
  if not k or opt[k] == nil or arg[i + 1] == nil then
    error("usage: bench/fashion.lua --model cnn|mlp --train N --epochs E --batch B [--act relu] [--peer no]")
  end
  opt[k] = (k == "model" or k == "act" or k == "peer") and arg[i + 1] or tonumber(arg[i + 1])
  i = i + 2
end

local function course_model(kind)
  if kind == "mlp" then
    return nn.Sequential {
      nn.Flatten{input_shape = {28, 28, 1}}, nn.Dropout(0.2),
      nn.Dense(128, "relu"), nn.Dense(32, "relu"), nn.Dense(10, "softmax")}
  end
  return nn.Sequential {
    nn.Conv2D{filters = 32, kernel_size = 3, padding = "same", input_shape = {28, 28, 1},
              activation = opt.act},
    nn.MaxPooling2D{pool_size = 2, strides = 2},
    nn.Conv2D{filters = 64, kernel_size = 3, padding = "same", activation = opt.act},
    nn.MaxPooling2D{pool_size = 2, strides = 2},
    nn.Conv2D{filters = 32, kernel_size = 3, padding = "same", activation = opt.act},
    nn.Flatten(), nn.Dense(128, "relu"), nn.Dense(32, "relu"), nn.Dense(10, "softmax")}
end

local function peak_rss_mb()
  local f = io.open("/proc/self/status")
  local s = f and f:read("a") or ""
  if f then f:close() end
  return (tonumber(s:match("VmHWM:%s*(%d+)")) or 0) / 1024
end

tensor.seed(0)
local fm = data.fashion_mnist()
local x, y = fm.train.x:slice(1, 1, opt.train), fm.train.y:slice(1, 1, opt.train)
local model = course_model(opt.model)
model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
local best, accs = math.huge, {}
local acc
for e = 1, opt.epochs do
  local h = model:fit(x, y, {epochs = 1, batch_size = opt.batch, verbose = 0})
  best = math.min(best, h.train_seconds)
  _, acc = model:evaluate(fm.test.x, fm.test.y, {verbose = 0, batch_size = 256})
  accs[e] = ("%.4f"):format(acc)
end
print(("fashion %s: epoch_s=%.2f test_acc=%.4f peak_rss_mb=%.0f train=%d epochs=%d batch=%d threads=%s"):format(
  opt.model, best, acc, peak_rss_mb(), opt.train, opt.epochs, opt.batch,
  os.getenv("WORKBOOK_THREADS") or "auto"))
print("  test_acc after each epoch: " .. table.concat(accs, " "))

if opt.peer ~= "no" and opt.act == "linear" then
  local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
  local py = io.popen(("/usr/bin/python3 %sfashion_torch.py %s %d %d %d 2>&1"):format(
    here, opt.model, opt.epochs, opt.batch, opt.train))
  local out = py and py:read("a") or ""
  if py then py:close() end
  local peer = tonumber(out:match("epoch_s=([%d.]+)"))
  if peer then
    io.write("  pytorch: " .. out)
    print(("  ratio: pytorch %.2f s / workbook %.2f s per epoch = %.2fx"):format(peer, best, peer / best))
  else
    print("pytorch: not measured (needs /usr/bin/python3 with torch)")
  end
end
