-- 미니 프로젝트 B1: 이 25x25 조각은 얼굴인가? HOG 특징과 서포트 벡터
-- 머신(SVM)으로 분류하고(강의의 scikit-image + scikit-learn 노트북을
-- 워크북의 Lua로), 슬라이딩 윈도(sliding window)로 사진에서 얼굴을 찾은 뒤
-- 하드 네거티브 마이닝(hard-negative mining)으로 개선한다.
local tensor, image, ml, data, plot, sys =
  require "tensor", require "image", require "ml", require "data", require "plot", require "sys"

tensor.seed(42)

-- %% 데이터
-- scikit-image의 LFW 부분 집합에서 얼굴 100장과 얼굴 아닌 것 100장, 그리고
-- 얼굴이 없는 사진 11장에서 무작위로 30개씩 자른 조각 (data.face_dataset)
local d = data.face_dataset()
print(("조각 %s: 얼굴 %d개, 얼굴 아님 %d개"):format(table.concat(d.x:shape(), "x"),
      d.y:sum(), d.y:numel() - d.y:sum()))

-- %% HOG 특징
-- 모든 조각의 HOG: 8x8 픽셀 셀(cell), 3x3 셀 블록(block), 방향 9개
-- (scikit-image의 기본값). 25x25 조각은 3x3 셀, 블록 하나, 숫자 81개가 된다
local function hog_features(x)
  local n = x:size(1)
  local first = image.hog(x[1])
  local f = tensor.zeros(n, first:numel())
  for i = 1, n do f[i] = image.hog(x[i]) end
  return f
end
local t0 = sys.clock()
local X = hog_features(d.x)
print(("HOG 특징 %s, %.0f ms"):format(table.concat(X:shape(), "x"), (sys.clock() - t0) * 1e3))

-- 얼굴 하나와 그 HOG 그림
local face = d.x[1]
local _, picture = image.hog(face, {visualize = true})
plot.image_grid({face, picture}, out "hog_face.png",
                {labels = {"얼굴 조각", "HOG"}, cols = 2, normalize = true, title = "얼굴과 HOG",
                 caption = "얼굴 조각과 그 HOG", label = "fig-b1-hog"})

-- %% 훈련/테스트 나누기
-- 9장의 CNN 실습과 같은 분할: 층화 추출(stratified), 25%를 테스트로
local X_train, X_test, y_train, y_test = ml.train_test_split(X, d.y,
    {test_size = 0.25, stratify = d.y, random_state = 0})
local scaler = ml.StandardScaler()
X_train = scaler:fit_transform(X_train)
X_test = scaler:transform(X_test)
print(("훈련 %d개, 테스트 %d개"):format(X_train:size(1), X_test:size(1)))

-- %% 교차 검증
-- scikit-learn의 기본값을 쓴 RBF SVM의 5겹 교차 검증(5-fold cross-validation)
local scores = ml.cross_val_score(ml.SVC{C = 1, kernel = "rbf", gamma = "scale"},
                                  X_train, y_train, {cv = 5})
local parts = {}
for i = 1, #scores do parts[i] = ("%.3f"):format(scores[i]) end
print(("5겹 교차 검증 정확도: %s (평균 %.3f)"):format(table.concat(parts, " "), scores:mean()))

-- %% 격자 탐색
-- C와 gamma의 격자 탐색(grid search), 조합마다 5겹 교차 검증으로 점수를 매긴다
local search = ml.GridSearchCV(function(p) return ml.SVC{C = p.C, gamma = p.gamma} end,
                               {C = {0.1, 1, 10, 100}, gamma = {"scale", 0.001, 0.01, 0.1}},
                               {cv = 5})
search:fit(X_train, y_train)
local res = search.cv_results_
print("     C   gamma   평균 정확도")
for i, p in ipairs(res.params) do
  print(("%6g  %6s   %.3f%s"):format(p.C, tostring(p.gamma), res.mean_test_score[i],
        i == search.best_index_ and "  <- 최고" or ""))
end

-- %% 테스트
local model = search.best_estimator_
local pred = model:predict(X_test)
local M = ml.metrics
print(("테스트: 정확도 %.3f, 정밀도 %.3f, 재현율 %.3f, f1 %.3f"):format(
  M.accuracy_score(y_test, pred), M.precision_score(y_test, pred),
  M.recall_score(y_test, pred), M.f1_score(y_test, pred)))
-- 혼동 행렬(confusion matrix): 행이 실제 클래스, 열이 예측 클래스
local names = {"얼굴 아님", "얼굴"}
plot.heatmap(M.confusion_matrix(y_test, pred), out "confusion.png",
             {row_labels = names, col_labels = names, decimals = 0,
              title = "HOG + SVM의 혼동 행렬", xlabel = "예측 클래스", ylabel = "실제 클래스",
              caption = "HOG + SVM의 혼동 행렬 (테스트 데이터)"})

-- %% ROC 곡선
-- 결정 함수(decision_function)의 점수로 임계값을 바꾸어 가며 거짓 양성
-- 비율(FPR)과 진짜 양성 비율(TPR)을 그린다. 곡선 아래 넓이(AUC)가 1에
-- 가까울수록 좋고, 무작위로 찍으면 대각선(AUC 0.5)이다.
local score = model:decision_function(X_test)
local fpr, tpr = M.roc_curve(y_test, score)
local auc = M.roc_auc_score(y_test, score)
print(("ROC 곡선: 점 %d개, AUC %.3f"):format(fpr:numel(), auc))
require("book").value("auc", auc, "%.3f")   -- 본문이 인용하는 값
plot.line(fpr, {tpr, fpr}, out "roc.png",
          {labels = {("HOG + SVM (AUC = %.3f)"):format(auc), "무작위 추측 (AUC = 0.5)"},
           title = "HOG + SVM의 ROC 곡선 (테스트 데이터)",
           xlabel = "거짓 양성 비율 (FPR)", ylabel = "진짜 양성 비율 (TPR, 재현율)",
           xlim = {0, 1}, ylim = {0, 1.02},
           caption = "HOG + SVM의 ROC 곡선과 AUC", label = "fig-b1-roc"})

-- %% 사진에서 얼굴 찾기
-- 25x25 윈도를 여러 배율로 사진 위에서 옮기며 모든 윈도에 점수를 매기고,
-- 확신하는 것만 남긴 뒤 겹친 것을 합친다(비최댓값 억제, non-maximum suppression)
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
-- 임계값 0: SVM 자신의 얼굴/얼굴 아님 경계
local hits, labels, n = detect(model, astronaut, 0)
print(("우주인 사진: 윈도 %d개에 점수, NMS 후 상자 %d개"):format(n, #hits))
plot.detections(astronaut, hits, out "detect_before.png",
                {labels = labels, title = "HOG + SVM, 하드 네거티브 마이닝 전",
                 caption = "하드 네거티브 마이닝 전의 검출", label = "fig-b1-before"})

-- %% 하드 네거티브 마이닝
-- 하드 네거티브 마이닝: 얼굴이 없는 사진에서 SVM이 얼굴이라고 한 윈도는
-- 모두 배울 가치가 있는 실수이다. 이것들을 음성(얼굴 아님) 예로 추가한다
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
print(("찾은 하드 네거티브: %d개"):format(#hard))
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
  print(("조각 %d개로 다시 학습: 테스트 정확도 %.3f"):format(X2:size(1), acc))
end
hits, labels = detect(model, astronaut, 0)
print(("마이닝 후 우주인 사진: NMS 후 상자 %d개"):format(#hits))
plot.detections(astronaut, hits, out "detect_after.png",
                {labels = labels, title = "HOG + SVM, 하드 네거티브 마이닝 후",
                 caption = "하드 네거티브 마이닝 후의 검출", label = "fig-b1-after"})
local where, base = out("roc.png"):match("^(.*/)"), os.getenv("WORKBOOK_OUT")
if base and base ~= "" then where = "$WORKBOOK_OUT" .. where:sub(#base + 1) end
print("그림 저장 위치: " .. where)
