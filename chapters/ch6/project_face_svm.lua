-- Mini project B1: is this 25x25 patch a face? HOG features and a support
-- vector machine (the course's scikit-image + scikit-learn notebook, in
-- the workbook's Lua), then a sliding-window face finder on a photo,
-- improved by hard-negative mining.
local tensor, image, ml, data, plot, sys =
  require "tensor", require "image", require "ml", require "data", require "plot", require "sys"

tensor.seed(42)

-- %% 데이터
-- 100 faces and 100 non-faces from scikit-image's LFW subset, plus 30
-- random patches from each of 11 face-free photos (data.face_dataset)
local d = data.face_dataset()
print(("patches %s: %d faces, %d non-faces"):format(table.concat(d.x:shape(), "x"),
      d.y:sum(), d.y:numel() - d.y:sum()))

-- %% HOG 특징
-- HOG of every patch: 8x8-pixel cells, 3x3-cell blocks, 9 orientations
-- (scikit-image's defaults); a 25x25 patch gives 3x3 cells, one block,
-- 81 numbers
local function hog_features(x)
  local n = x:size(1)
  local first = image.hog(x[1])
  local f = tensor.zeros(n, first:numel())
  for i = 1, n do f[i] = image.hog(x[i]) end
  return f
end
local t0 = sys.clock()
local X = hog_features(d.x)
print(("HOG features %s in %.0f ms"):format(table.concat(X:shape(), "x"), (sys.clock() - t0) * 1e3))

-- a face next to its HOG picture
local face = d.x[1]
local _, picture = image.hog(face, {visualize = true})
plot.image_grid({face, picture}, out "hog_face.png",
                {labels = {"face", "HOG"}, cols = 2, normalize = true, title = "HOG",
                 caption = "얼굴 조각과 그 HOG", label = "fig-b1-hog"})

-- %% 훈련/테스트 나누기
-- the same split the CNN lab of chapter 9 uses: stratified, 25% for test
local X_train, X_test, y_train, y_test = ml.train_test_split(X, d.y,
    {test_size = 0.25, stratify = d.y, random_state = 0})
local scaler = ml.StandardScaler()
X_train = scaler:fit_transform(X_train)
X_test = scaler:transform(X_test)
print(("train %d, test %d"):format(X_train:size(1), X_test:size(1)))

-- %% 교차 검증
-- 5-fold cross-validation of an RBF SVM with scikit-learn's defaults
local scores = ml.cross_val_score(ml.SVC{C = 1, kernel = "rbf", gamma = "scale"},
                                  X_train, y_train, {cv = 5})
local parts = {}
for i = 1, #scores do parts[i] = ("%.3f"):format(scores[i]) end
print(("5-fold accuracy: %s (mean %.3f)"):format(table.concat(parts, " "), scores:mean()))

-- %% 격자 탐색
-- a grid search over C and gamma, each scored by 5-fold cross-validation
local search = ml.GridSearchCV(function(p) return ml.SVC{C = p.C, gamma = p.gamma} end,
                               {C = {0.1, 1, 10, 100}, gamma = {"scale", 0.001, 0.01, 0.1}},
                               {cv = 5})
search:fit(X_train, y_train)
local res = search.cv_results_
print("     C   gamma   mean accuracy")
for i, p in ipairs(res.params) do
  print(("%6g  %6s   %.3f%s"):format(p.C, tostring(p.gamma), res.mean_test_score[i],
        i == search.best_index_ and "  <- best" or ""))
end

-- %% 테스트
local model = search.best_estimator_
local pred = model:predict(X_test)
local M = ml.metrics
print(("test: accuracy %.3f, precision %.3f, recall %.3f, f1 %.3f"):format(
  M.accuracy_score(y_test, pred), M.precision_score(y_test, pred),
  M.recall_score(y_test, pred), M.f1_score(y_test, pred)))
plot.confusion_matrix(y_test, pred, out "confusion.png",
                      {class_names = d.class_names, title = "HOG + SVM",
                       caption = "HOG + SVM의 혼동 행렬 (테스트 데이터)"})

-- %% 사진에서 얼굴 찾기
-- slide a 25x25 window over the photo at several scales, score every
-- window, keep the confident ones and merge overlaps (non-maximum
-- suppression)
local function detect(svm, photo, threshold)
  local windows, boxes = ml.sliding_windows(photo, {scales = {0.25, 0.3, 0.35, 0.4}, step = 2})
  local score = svm:decision_function(scaler:transform(hog_features(windows)))
  local kept, kept_scores = {}, {}
  for i = 1, score:numel() do
    if score[i] > threshold then
      kept[#kept + 1] = boxes[i]:totable()
      kept_scores[#kept_scores + 1] = score[i]
    end
  end
  local hits, labels = {}, {}
  if #kept > 0 then
    for _, k in ipairs(ml.nms(kept, kept_scores, {iou = 0.3})) do
      hits[#hits + 1] = kept[k]
      labels[#labels + 1] = ("%.2f"):format(kept_scores[k])
    end
  end
  return hits, labels, windows:size(1)
end

local astronaut = image.to_gray(image.load(data.path("images/astronaut.png")))
-- threshold 0: the SVM's own boundary between face and not-face
local hits, labels, n = detect(model, astronaut, 0)
print(("astronaut: %d windows scored, %d boxes after NMS"):format(n, #hits))
plot.detections(astronaut, hits, out "detect_before.png",
                {labels = labels, title = "HOG + SVM, before hard-negative mining",
                 caption = "하드 네거티브 마이닝 전의 검출", label = "fig-b1-before"})

-- %% 하드 네거티브 마이닝
-- hard-negative mining: every window a face-free photo makes the SVM
-- call a face is a mistake worth learning from; add them as negatives
local hard = {}
for _, name in ipairs(data.NEGATIVE_PHOTOS) do
  local photo = image.to_gray(image.load(data.path("images/" .. name .. ".png")))
  local windows = ml.sliding_windows(photo, {scales = {0.3, 0.5}, step = 3})
  local f = scaler:transform(hog_features(windows))
  local s = model:decision_function(f)
  for i = 1, s:numel() do
    if s[i] > 0 then hard[#hard + 1] = f[i] end
  end
end
print(("hard negatives found: %d"):format(#hard))
if #hard > 0 then
  local n_old = X_train:size(1)
  local X2 = tensor.zeros(n_old + #hard, X_train:size(2))
  X2:slice(1, 1, n_old):copy(X_train)
  for i, f in ipairs(hard) do X2[n_old + i] = f end
  local y2 = tensor.zeros(n_old + #hard)
  y2:slice(1, 1, n_old):copy(y_train)
  local p = search.best_params_
  model = ml.SVC{C = p.C, gamma = p.gamma}:fit(X2, y2)
  local acc = M.accuracy_score(y_test, model:predict(X_test))
  print(("retrained on %d patches: test accuracy %.3f"):format(X2:size(1), acc))
end
hits, labels = detect(model, astronaut, 0)
print(("astronaut after mining: %d boxes after NMS"):format(#hits))
plot.detections(astronaut, hits, out "detect_after.png",
                {labels = labels, title = "HOG + SVM, after hard-negative mining",
                 caption = "하드 네거티브 마이닝 후의 검출", label = "fig-b1-after"})
