-- LAB 9-3: Google's Inception V3, and transfer learning. Keras's
-- InceptionV3 architecture (the same layers and names, so Keras's .h5
-- ImageNet weights load into it); with the weights file it classifies
-- the shipped photos, without it (offline) the lab says how to get the
-- file and shows transfer learning with the workbook's own pretrained
-- backbone (fashion_backbone.lua, trained on Fashion-MNIST).
local tensor, nn, image, data, sys =
  require "tensor", require "nn", require "image", require "data", require "sys"

tensor.seed(42)
local quick = os.getenv("WORKBOOK_QUICK") == "1"
if quick then print("WORKBOOK_QUICK=1: the feature-extraction head trains for 5 epochs instead of 15") end

-- %% Inception V3의 구조
-- Inception V3 without its classifier (include_top = false) and with
-- random weights (weights = false, Keras's weights=None). 75x75 is the
-- smallest input Keras allows; the layers and parameters are the same
-- at 299x299, only the feature maps are smaller.
local base = nn.applications.InceptionV3{include_top = false, weights = false,
                                         input_shape = {75, 75, 3}}
-- The summary is long (311 rows). Print its head: the stem (conv_bn
-- layers and max pooling that shrink the image) and the first inception
-- module, mixed0, then the totals.
--   An inception module runs several branches side by side on the same
--   input -- a 1x1 convolution, 1x1 then 5x5, 1x1 then 3x3 then 3x3, and
--   3x3 average pooling then 1x1 -- and concatenates their outputs
--   along the channels (Concatenate): the network picks the useful
--   filter size itself.
--   The 1x1 convolutions are bottlenecks: they cut the channels (e.g.
--   192 -> 48) before the expensive 5x5 and 3x3 convolutions, so the
--   module costs far fewer multiplications and parameters.
--   Every convolution is followed by BatchNormalization (normalize each
--   channel over the mini-batch, then shift by a learned beta) and a
--   ReLU; that is why the convolutions have no bias (use_bias = false).
local lines = {}
base:summary(function(s) lines[#lines + 1] = s end)
-- the summary's rows: the lines between two rules ("___" or "="); the
-- first row is the column header
local rule, rows, row = nil, {}, nil
for _, s in ipairs(lines) do
  if s:find("^[_=]") then
    if row then rows[#rows + 1] = row end
    row, rule = {}, s:find("^_") and s or rule
  elseif row then row[#row + 1] = s end
end
local first, last = 2, #rows
for i, r in ipairs(rows) do
  if r[1]:find("%(MaxPooling2D%)") then first = i + 1 end     -- the stem's end
  if r[1]:find("^mixed0 ") then last = i; break end
end
for i = 1, 4 do print(lines[i]) end                        -- title and header
print(("... (the stem: %d rows left out)"):format(first - 2))
print(rule)
for i = first, last do
  for _, s in ipairs(rows[i]) do print(s) end
  print(rule)
end
print(("... (mixed1 to mixed10: %d rows left out)"):format(#rows - last))
for i = #lines - 4, #lines do print(lines[i]) end

-- how many layers of each kind
local count = {}
for _, l in ipairs(base.layers) do count[l.class] = (count[l.class] or 0) + 1 end
print(("%d layers: %d Conv2D, %d BatchNormalization, %d Activation, %d Concatenate, " ..
       "%d MaxPooling2D, %d AveragePooling2D"):format(#base.layers, count.Conv2D,
      count.BatchNormalization, count.Activation, count.Concatenate, count.MaxPooling2D,
      count.AveragePooling2D))
local out_shape = base:predict(tensor.rand(1, 75, 75, 3)):shape()
print(("output for one 75x75 image: (%s)"):format(table.concat(out_shape, ", ")))

-- %% ImageNet 가중치로 분류하기
local WEIGHTS = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
local weights_path = sys.home() .. "/data/models/" .. WEIGHTS
local photos = {"chelsea", "coffee", "astronaut", "rocket"}
local have_weights = sys.exists(weights_path) == "file"

if have_weights then
  -- the full network with Keras's ImageNet weights: 299x299 RGB in,
  -- 1000 class probabilities out
  local model = nn.applications.InceptionV3{weights = weights_path}
  local prep = nn.applications.inception_v3.preprocess_input
  for _, name in ipairs(photos) do
    if sys.exists(sys.home() .. "/data/images/" .. name .. ".png") then
      local img = image.load(data.path("images/" .. name .. ".png"))
      if img:size(3) == 1 then img = image.resize(img, 299, 299) end
      local x = image.resize(img, 299, 299):reshape(1, 299, 299, 3) * 255
      local top = nn.applications.decode_predictions(model:predict(prep(x)), 5)[1]
      print(("%s:"):format(name))
      for r, p in ipairs(top) do
        print(("  %d. %-24s %.3f"):format(r, p.name, p.score))
      end
    end
  end
else
  print()
  print("The ImageNet weights are not here (data/models/" .. WEIGHTS .. ").")
  print("On a machine with internet access, download")
  print("  https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/" .. WEIGHTS)
  print("(about 92 MB; Keras downloads the same file) and put it in data/models/;")
  print("this lab then prints the top-5 classes (names from data/fetched/) of")
  print("the photos " .. table.concat(photos, ", ", 1, 3) .. ".")
  print("Meanwhile: transfer learning with the workbook's own backbone.")
end

-- %% 전이 학습: 사전 학습된 합성곱 기반
-- Offline transfer learning: the convolutional base that
-- train_backbone.lua trained on all 60,000 Fashion-MNIST images, frozen,
-- under a new Dense head trained on only 1,000 images. Beside it the
-- same architecture with random frozen weights: what do the pretrained
-- filters add?
local backbone = require "fashion_backbone"
local fm = data.fashion_mnist()
local n_train, n_test = 1000, quick and 1000 or 2000
local x_train, y_train = fm.train.x:slice(1, 1, n_train), fm.train.y:slice(1, 1, n_train)
local x_test, y_test = fm.test.x:slice(1, 1, n_test), fm.test.y:slice(1, 1, n_test)

local function head_on(base)
  base.trainable = false                 -- feature extraction: freeze the base
  local inp = nn.Input{shape = backbone.INPUT_SHAPE}
  local x = nn.Flatten()(base(inp))
  local out = nn.Dense(10, "softmax")(x)
  local model = nn.Model{inputs = inp, outputs = out}
  model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy",
                metrics = {"accuracy"}}
  return model
end

local pretrained = head_on(backbone.load())
pretrained:summary()
local features = backbone.load():predict(x_test:slice(1, 1, 3))
print(("features of 3 test images: (%s), %.0f%% of them zero (ReLU)"):format(
      table.concat(features:shape(), ", "),
      100 * features:eq(0):sum() / features:numel()))

print()
print(("head trained on %d images, tested on %d:"):format(n_train, n_test))
for _, run in ipairs({{"pretrained base (frozen)", pretrained, "pretrained_acc"},
                      {"random base (frozen)", head_on(backbone.build()), "random_acc"}}) do
  local t0 = sys.clock()
  run[2]:fit(x_train, y_train, {epochs = quick and 5 or 15, batch_size = 32, verbose = 0})
  local _, acc = run[2]:evaluate(x_test, y_test, {verbose = 0})
  print(("  %-26s test accuracy %.3f  (%.1f s)"):format(run[1], acc, sys.clock() - t0))
  require("book").value(run[3], acc, "%.3f")   -- quoted by the chapter's text
end
