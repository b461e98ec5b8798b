-- Mini project B1 again, with a CNN: the same 25x25 patches and the same
-- split as chapter 6's HOG + SVM, but the network learns its own features
-- from the raw pixels. One table compares the two; then both classifiers
-- look for the face in the astronaut photo.
local tensor, nn, image, ml, data, plot, sys =
  require "tensor", require "nn", require "image", require "ml", require "data",
  require "plot", require "sys"

tensor.seed(42)
local quick = os.getenv("WORKBOOK_QUICK") == "1"
if quick then print("WORKBOOK_QUICK=1: the CNN trains for 5 epochs instead of 30") end

-- %% 데이터
-- chapter 6's data set and split (same seed, same stratified 25% test)
local d = data.face_dataset()
local x_train, x_test, y_train, y_test = ml.train_test_split(d.x, d.y,
    {test_size = 0.25, stratify = d.y, random_state = 0})
print(("train %d patches, test %d"):format(x_train:size(1), x_test:size(1)))

-- %% HOG + SVM (6장의 방법)
-- chapter 6's pipeline, timed: HOG -> StandardScaler -> SVC
local function hog_features(x)
  local f = tensor.zeros(x:size(1), image.hog(x[1]):numel())
  for i = 1, x:size(1) do f[i] = image.hog(x[i]) end
  return f
end
local t0 = sys.clock()
local scaler = ml.StandardScaler()
local svm = ml.SVC{C = 10, gamma = "scale"}:fit(scaler:fit_transform(hog_features(x_train)), y_train)
local svm_train = sys.clock() - t0
t0 = sys.clock()
local svm_pred = svm:predict(scaler:transform(hog_features(x_test)))
local svm_time = sys.clock() - t0
local svm_acc = ml.metrics.accuracy_score(y_test, svm_pred)
local n_sv = 0
for _, k in ipairs(svm.n_support_) do n_sv = n_sv + k end

-- %% CNN 학습
-- a small CNN on the raw pixels: two conv blocks, then a dense head with
-- one sigmoid output, the probability that the patch is a face
local model = nn.Sequential {
  nn.Conv2D{filters = 16, kernel_size = 3, padding = "same", activation = "relu",
            input_shape = {25, 25, 1}},
  nn.MaxPooling2D(2),
  nn.Conv2D{filters = 32, kernel_size = 3, padding = "same", activation = "relu"},
  nn.MaxPooling2D(2),
  nn.Flatten(),
  nn.Dense(64, "relu"),
  nn.Dropout(0.3),
  nn.Dense(1, "sigmoid"),
}
model:summary()
model:compile{optimizer = "adam", loss = "binary_crossentropy", metrics = {"accuracy"}}
t0 = sys.clock()
local hist = model:fit(x_train, y_train, {epochs = quick and 5 or 30, batch_size = 32,
                                          validation_split = 0.2, verbose = 0})
local cnn_train = sys.clock() - t0
plot.history(hist, out "history.png", {title = "B1 CNN", caption = "얼굴 분류 CNN의 학습 곡선"})
t0 = sys.clock()
local prob = model:predict(x_test)
local cnn_time = sys.clock() - t0
local cnn_pred = prob:gt(0.5):reshape(prob:size(1))
local cnn_acc = ml.metrics.accuracy_score(y_test, cnn_pred)

-- %% 두 방법 비교
local tr, _ = model:count_params()
print()
print("                     HOG + SVM      CNN")
print(("test accuracy        %9.3f  %9.3f"):format(svm_acc, cnn_acc))
require("book").value("svm_acc", svm_acc, "%.3f")   -- quoted by the chapter
require("book").value("cnn_acc", cnn_acc, "%.3f")
print(("training time        %8.2fs  %8.2fs"):format(svm_train, cnn_train))
print(("prediction time      %7.1fms  %7.1fms   (%d test patches)"):format(
      svm_time * 1e3, cnn_time * 1e3, x_test:size(1)))
print(("parameters           %9d  %9d"):format(n_sv * 81 + n_sv + 1, tr))
print(("  (SVM: %d support vectors x 81 HOG values, their %d weights and a bias)"):format(n_sv, n_sv))

-- %% 사진에서 얼굴 찾기
-- both classifiers over the astronaut photo: windows at 4 scales, a
-- score for each, non-maximum suppression
local photo = image.to_gray(image.load(data.path("images/astronaut.png")))
local windows, boxes = ml.sliding_windows(photo, {scales = {0.25, 0.3, 0.35, 0.4}, step = 2})
local function finder(scores, threshold, path, title)
  local kept, ks = {}, {}
  for i = 1, scores:numel() do
    if scores[i] > threshold then kept[#kept + 1] = boxes[i]:totable(); ks[#ks + 1] = scores[i] end
  end
  local hits, labels = {}, {}
  if #kept > 0 then
    for _, k in ipairs(ml.nms(kept, ks, {iou = 0.3})) do
      hits[#hits + 1] = kept[k]
      labels[#labels + 1] = ("%.2f"):format(ks[k])
    end
  end
  plot.detections(photo, hits, path, {labels = labels, title = title,
                                      caption = title .. " 분류기로 찾은 얼굴"})
  return #kept, #hits
end
local svm_scores = svm:decision_function(scaler:transform(hog_features(windows)))
local cnn_scores = model:predict(windows, {batch_size = 256}):reshape(windows:size(1))
print()
print(("%d windows; HOG + SVM: %d above 0, %d boxes after NMS"):format(windows:size(1),
      finder(svm_scores, 0, out "detect_svm.png", "HOG + SVM")))
print(("CNN: %d windows above 0.5, %d boxes after NMS"):format(
      finder(cnn_scores, 0.5, out "detect_cnn.png", "CNN")))
