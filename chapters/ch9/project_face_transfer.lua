-- Mini project B1, third step: transfer learning. The workbook's
-- pretrained backbone (fashion_backbone.lua, trained on Fashion-MNIST)
-- is frozen under a new head trained on the face patches, then its top
-- block is unfrozen and fine-tuned with a low learning rate. One table
-- compares HOG + SVM, the CNN from scratch and transfer learning on the
-- same split, with 10, 25 and all training images per class.
local tensor, nn, image, ml, data, sys =
  require "tensor", require "nn", require "image", require "ml", require "data", require "sys"
local book = require "book"   -- values the chapter's text quotes
local backbone = require "fashion_backbone"

tensor.seed(42)
local quick = os.getenv("WORKBOOK_QUICK") == "1"
local EPOCHS = quick and {cnn = 5, head = 5, tune = 3} or {cnn = 30, head = 30, tune = 20}
if quick then print("WORKBOOK_QUICK=1: fewer epochs (CNN 5, head 5, fine-tuning 3)") end

-- %% 데이터
-- the split of chapter 6 and project_face_cnn.lua; the backbone wants
-- 28x28 inputs, so the 25x25 patches are resized (bilinear)
local d = data.face_dataset()
local x_train, x_test, y_train, y_test = ml.train_test_split(d.x, d.y,
    {test_size = 0.25, stratify = d.y, random_state = 0})
local function to28(x)
  local y = tensor.zeros(x:size(1), 28, 28, 1)
  for i = 1, x:size(1) do y:slice(1, i, i):copy(image.resize(x[i], 28, 28):reshape(1, 28, 28, 1)) end
  return y
end
local x_train28, x_test28 = to28(x_train), to28(x_test)
print(("train %d patches (%d faces), test %d"):format(x_train:size(1), y_train:sum(), x_test:size(1)))

-- the first n training patches of each class in a fixed random order
-- (n = nil: all of them)
local function subsample(n)
  tensor.seed(7)
  local idx = {}
  for class = 0, 1 do
    local mine = {}
    for i = 1, y_train:numel() do if y_train[i] == class then mine[#mine + 1] = i end end
    local perm = tensor.randperm(#mine)
    for k = 1, math.min(n or #mine, #mine) do idx[#idx + 1] = mine[perm[k] // 1] end
  end
  local function take(x)
    local s = x:shape()
    s[1] = #idx
    local out = tensor.zeros(s)
    for k, i in ipairs(idx) do out:slice(1, k, k):copy(x:slice(1, i, i)) end
    return out
  end
  return take(x_train), take(x_train28), take(y_train)
end

-- %% 네 가지 방법
local function accuracy(pred) return ml.metrics.accuracy_score(y_test, pred) end
local function classes(prob) return prob:gt(0.5):reshape(prob:size(1)) end

local function hog_features(x)
  local f = tensor.zeros(x:size(1), image.hog(x[1]):numel())
  for i = 1, x:size(1) do f[i] = image.hog(x[i]) end
  return f
end

-- chapter 6: HOG -> StandardScaler -> SVC
local function hog_svm(x, y)
  local scaler = ml.StandardScaler()
  local svm = ml.SVC{C = 10, gamma = "scale"}:fit(scaler:fit_transform(hog_features(x)), y)
  return accuracy(svm:predict(scaler:transform(hog_features(x_test))))
end

-- project_face_cnn.lua's small CNN, from random weights
local function cnn_scratch(x, y)
  local model = nn.Sequential {
    nn.Conv2D{filters = 16, kernel_size = 3, padding = "same", activation = "relu",
              input_shape = {25, 25, 1}},
    nn.MaxPooling2D(2),
    nn.Conv2D{filters = 32, kernel_size = 3, padding = "same", activation = "relu"},
    nn.MaxPooling2D(2),
    nn.Flatten(), nn.Dense(64, "relu"), nn.Dropout(0.3), nn.Dense(1, "sigmoid"),
  }
  model:compile{optimizer = "adam", loss = "binary_crossentropy", metrics = {"accuracy"}}
  model:fit(x, y, {epochs = EPOCHS.cnn, batch_size = 32, verbose = 0})
  return accuracy(classes(model:predict(x_test)))
end

-- transfer learning: the pretrained base frozen (feature extraction),
-- a new head; then the top block unfrozen and fine-tuned
local function transfer(x, y)
  local base = backbone.load()
  base.trainable = false
  local inp = nn.Input{shape = backbone.INPUT_SHAPE}
  local h = nn.Flatten()(base(inp))
  h = nn.Dense(32, "relu")(h)
  h = nn.Dropout(0.3)(h)
  local model = nn.Model{inputs = inp, outputs = nn.Dense(1, "sigmoid")(h)}
  model:compile{optimizer = "adam", loss = "binary_crossentropy", metrics = {"accuracy"}}
  local t0 = sys.clock()
  model:fit(x, y, {epochs = EPOCHS.head, batch_size = 32, verbose = 0})
  local head_time = sys.clock() - t0
  local head_acc = accuracy(classes(model:predict(x_test28)))

  -- fine-tuning: block2 learns too, block1 stays frozen; recompile with
  -- a learning rate 10x lower so the pretrained filters move only a bit
  base.trainable = true
  for _, name in ipairs({"block1_conv1", "block1_conv2"}) do
    base:get_layer(name).trainable = false
  end
  model:compile{optimizer = nn.optimizers.Adam{learning_rate = 1e-4},
                loss = "binary_crossentropy", metrics = {"accuracy"}}
  t0 = sys.clock()
  model:fit(x, y, {epochs = EPOCHS.tune, batch_size = 32, verbose = 0})
  return head_acc, head_time, accuracy(classes(model:predict(x_test28))), sys.clock() - t0
end

-- %% 비교
local function timed(f, ...)
  local t0 = sys.clock()
  local acc = f(...)
  return acc, sys.clock() - t0
end

print()
print("test accuracy (training time) on the same " .. x_test:size(1) .. " test patches")
print("train per class  HOG + SVM        CNN (scratch)    frozen + head    + fine-tuned")
for _, n in ipairs({10, 25, false}) do
  local xs, xs28, ys = subsample(n or nil)
  tensor.seed(42)
  local svm_acc, svm_t = timed(hog_svm, xs, ys)
  tensor.seed(42)
  local cnn_acc, cnn_t = timed(cnn_scratch, xs, ys)
  tensor.seed(42)
  local head_acc, head_t, tune_acc, tune_t = transfer(xs28, ys)
  local label = n and tostring(n) or ("all (%d/%d)"):format(ys:sum(), ys:numel() - ys:sum())
  print(("%-14s %6.3f (%5.2fs) %6.3f (%5.2fs) %6.3f (%5.2fs) %6.3f (+%5.2fs)"):format(
        label, svm_acc, svm_t, cnn_acc, cnn_t, head_acc, head_t, tune_acc, tune_t))
  -- the chapter quotes the accuracies as svm_10, cnn_10, ..., tune_all
  local row = n and tostring(n) or "all"
  for key, v in pairs({svm = svm_acc, cnn = cnn_acc, head = head_acc, tune = tune_acc}) do
    book.value(key .. "_" .. row, v, "%.3f")
  end
end
print("(all: every training patch, faces/non-faces; fine-tuned: its extra time)")
