-- 미니 프로젝트 B1을 CNN으로 다시: 6장의 HOG + SVM과 같은 25x25 조각,
-- 같은 분할을 쓰지만 신경망이 픽셀에서 직접 특징을 배운다. 한 표에서 두
-- 방법을 비교하고, 두 분류기로 우주인 사진에서 얼굴을 찾는다.
local tensor, nn, image, ml, data, plot, sys =
  require "tensor", require "nn", require "image", require "ml", require "data",
  require "plot", require "sys"

tensor.seed(42)
local quick = os.getenv("WORKBOOK_QUICK") == "1"
-- 빠른 실행에서는 CNN의 에포크가 적다: CNN의 숫자와 그림 옆에 그렇다고 적는다
local QUICK_NOTE = quick and "(빠른 실행: CNN 5 에포크, 전체 실행은 30)" or nil
local function noted(s) return QUICK_NOTE and s .. " " .. QUICK_NOTE or s end
if quick then print("WORKBOOK_QUICK=1 " .. QUICK_NOTE) end

-- %% 데이터
-- 6장의 데이터와 분할 (같은 시드, 층화 추출한 25% 테스트)
local d = data.face_dataset()
local x_train, x_test, y_train, y_test = ml.train_test_split(d.x, d.y,
    {test_size = 0.25, stratify = d.y, random_state = 0})
print(("훈련 조각 %d개, 테스트 %d개"):format(x_train:size(1), x_test:size(1)))
-- 기준선(baseline): 언제나 "얼굴 아님"이라고 답할 때의 테스트 정확도
local n_face = y_test:sum()
local baseline = math.max(n_face, y_test:numel() - n_face) / y_test:numel()
print(("기준선: 언제나 \"얼굴 아님\"이라고 답하면 테스트 정확도 %.3f"):format(baseline))

-- %% HOG + SVM (6장의 방법)
-- 6장의 파이프라인, 시간을 잰다: HOG -> StandardScaler -> SVC
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
-- 픽셀을 그대로 받는 작은 CNN: 합성곱 블록 두 개, 그리고 시그모이드(sigmoid)
-- 출력 하나(조각이 얼굴일 확률)를 내는 완전 연결 헤드
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
-- 학습 곡선: 손실과 정확도, 훈련(train)과 검증(validation)
local h = hist.history
local fig = plot.subplots{cols = 2, title = noted("얼굴 분류 CNN의 학습 곡선")}
plot.line(nil, {h.loss, h.val_loss}, fig, {labels = {"훈련", "검증"}, marker = true,
          title = "손실 (loss)", xlabel = "에포크 (epoch)", ylabel = "이진 교차 엔트로피"})
plot.line(nil, {h.accuracy, h.val_accuracy}, fig, {labels = {"훈련", "검증"}, marker = true,
          title = "정확도 (accuracy)", xlabel = "에포크 (epoch)", ylabel = "정확도"})
fig:save(out "history.png", {caption = noted("얼굴 분류 CNN의 학습 곡선")})
t0 = sys.clock()
local prob = model:predict(x_test)
local cnn_time = sys.clock() - t0
local cnn_pred = prob:gt(0.5):reshape(prob:size(1))
local cnn_acc = ml.metrics.accuracy_score(y_test, cnn_pred)

-- %% 두 방법 비교
local tr, _ = model:count_params()
print()
print(noted("                     HOG + SVM      CNN"))
print(("테스트 정확도        %9.3f  %9.3f"):format(svm_acc, cnn_acc))
require("book").value("svm_acc", svm_acc, "%.3f")   -- 본문이 인용하는 값
require("book").value("cnn_acc", cnn_acc, "%.3f")
require("book").value("baseline", baseline, "%.3f")
print(("학습 시간            %8.2fs  %8.2fs"):format(svm_train, cnn_train))
print(("예측 시간            %7.1fms  %7.1fms   (테스트 조각 %d개)"):format(
      svm_time * 1e3, cnn_time * 1e3, x_test:size(1)))
print(("파라미터 수          %9d  %9d"):format(n_sv * 81 + n_sv + 1, tr))
print(("  (SVM: 서포트 벡터 %d개 x HOG 값 81개, 그 가중치 %d개와 편향 하나)"):format(n_sv, n_sv))
for _, r in ipairs({{"HOG + SVM", svm_acc}, {"CNN", cnn_acc}}) do
  if r[2] <= baseline + 1e-9 then
    print(("경고: %s의 정확도 %.3f는 기준선 %.3f(언제나 \"얼굴 아님\") 이하이다. " ..
           "언제나 같은 답을 하는 것보다 나을 것이 없다%s"):format(r[1], r[2], baseline,
           QUICK_NOTE and " (빠른 실행이라 에포크가 적은 탓일 수 있다)" or ""))
  end
end

-- %% 사진에서 얼굴 찾기
-- 두 분류기로 우주인 사진 보기: 4가지 배율의 윈도마다 점수를 매기고,
-- 겹친 상자는 비최댓값 억제(non-maximum suppression, NMS)로 하나만 남긴다
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
print(("윈도 %d개; HOG + SVM: 0 초과 %d개, NMS 후 상자 %d개"):format(windows:size(1),
      finder(svm_scores, 0, out "detect_svm.png", "HOG + SVM")))
print(noted(("CNN: 0.5 초과 %d개, NMS 후 상자 %d개"):format(
      finder(cnn_scores, 0.5, out "detect_cnn.png", noted("CNN")))))
local where, base = out("history.png"):match("^(.*/)"), os.getenv("WORKBOOK_OUT")
if base and base ~= "" then where = "$WORKBOOK_OUT" .. where:sub(#base + 1) end
print("그림 저장 위치: " .. where)
