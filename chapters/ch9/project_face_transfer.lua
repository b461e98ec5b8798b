-- 미니 프로젝트 B1의 세 번째 단계: 전이 학습(transfer learning). 워크북의
-- 사전 학습 백본(fashion_backbone.lua, 패션 MNIST로 학습)을 동결(freeze)하고
-- 얼굴 조각으로 새 헤드(head)를 학습시킨 뒤, 위쪽 블록의 동결을 풀어 낮은
-- 학습률로 미세 조정(fine-tuning)한다. 한 표에서 HOG + SVM, 처음부터 학습한
-- CNN, 전이 학습을 같은 분할에서 클래스당 10장, 25장, 전체로 비교한다.
local tensor, nn, image, ml, data, sys =
  require "tensor", require "nn", require "image", require "ml", require "data", require "sys"
local book = require "book"   -- 본문이 인용하는 값
local backbone = require "fashion_backbone"

tensor.seed(42)
local quick = os.getenv("WORKBOOK_QUICK") == "1"
local EPOCHS = quick and {cnn = 5, head = 5, tune = 3} or {cnn = 30, head = 30, tune = 20}
-- 빠른 실행에서는 에포크가 적다: 표의 모든 숫자 옆에 그렇다고 적는다
local QUICK_NOTE = quick and "(빠른 실행: 에포크 CNN 5, 헤드 5, 미세 조정 3)" or nil
if quick then print("WORKBOOK_QUICK=1 " .. QUICK_NOTE) end

-- %% 데이터
-- 6장과 project_face_cnn.lua와 같은 분할. 백본은 28x28 입력을 받으므로
-- 25x25 조각을 쌍선형 보간(bilinear)으로 키운다
local d = data.face_dataset()
local x_train, x_test, y_train, y_test = ml.train_test_split(d.x, d.y,
    {test_size = 0.25, stratify = d.y, random_state = 0})
local function to28(x)
  local y = tensor.zeros(x:size(1), 28, 28, 1)
  for i = 1, x:size(1) do y:slice(1, i, i):copy(image.resize(x[i], 28, 28):reshape(1, 28, 28, 1)) end
  return y
end
local x_train28, x_test28 = to28(x_train), to28(x_test)
print(("훈련 조각 %d개 (얼굴 %d개), 테스트 %d개"):format(x_train:size(1), y_train:sum(), x_test:size(1)))

-- 기준선(baseline): 언제나 많은 쪽 클래스("얼굴 아님")라고 답하는
-- 분류기의 테스트 정확도. 이보다 높아야 무언가를 배운 것이다.
local n_face = y_test:sum()
local baseline = math.max(n_face, y_test:numel() - n_face) / y_test:numel()
print(("기준선: 언제나 \"얼굴 아님\"이라고 답하면 테스트 정확도 %.3f"):format(baseline))
book.value("baseline", baseline, "%.3f")

-- 클래스마다 고정된 무작위 순서로 앞의 n개 훈련 조각 (n = nil: 전부)
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

-- 6장: HOG -> StandardScaler -> SVC
local function hog_svm(x, y)
  local scaler = ml.StandardScaler()
  local svm = ml.SVC{C = 10, gamma = "scale"}:fit(scaler:fit_transform(hog_features(x)), y)
  return accuracy(svm:predict(scaler:transform(hog_features(x_test))))
end

-- project_face_cnn.lua의 작은 CNN, 임의의 가중치에서 시작
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

-- 전이 학습: 사전 학습된 기반을 동결하고(특징 추출, feature extraction)
-- 새 헤드를 학습한 뒤, 위쪽 블록의 동결을 풀어 미세 조정한다
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

  -- 미세 조정: block2도 학습하고 block1은 동결한 채로 둔다. 사전 학습된
  -- 필터가 조금만 움직이도록 학습률을 10분의 1로 낮추어 다시 컴파일한다
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
print(("같은 테스트 조각 %d개에 대한 테스트 정확도 (학습 시간)%s"):format(x_test:size(1),
      QUICK_NOTE and " " .. QUICK_NOTE or ""))
print("클래스당 훈련  HOG + SVM        CNN (처음부터)   동결 + 헤드      + 미세 조정")
-- 기준선 이하인 칸에는 !를 붙이고 표 아래에 경고한다
local below = {}
local function cell(acc, what, row)
  if acc <= baseline + 1e-9 then
    below[#below + 1] = ("%s, %s: %.3f"):format(row, what, acc)
    return ("%6.3f!"):format(acc)
  end
  return ("%6.3f "):format(acc)
end
for _, n in ipairs({10, 25, false}) do
  local xs, xs28, ys = subsample(n or nil)
  tensor.seed(42)
  local svm_acc, svm_t = timed(hog_svm, xs, ys)
  tensor.seed(42)
  local cnn_acc, cnn_t = timed(cnn_scratch, xs, ys)
  tensor.seed(42)
  local head_acc, head_t, tune_acc, tune_t = transfer(xs28, ys)
  local label = n and tostring(n) or ("전체 (%d/%d)"):format(ys:sum(), ys:numel() - ys:sum())
  local row = n and ("클래스당 %d장"):format(n) or "전체"
  print(("%-12s %s(%5.2fs) %s(%5.2fs) %s(%5.2fs) %s(+%5.2fs)"):format(label,
        cell(svm_acc, "HOG + SVM", row), svm_t, cell(cnn_acc, "CNN (처음부터)", row), cnn_t,
        cell(head_acc, "동결 + 헤드", row), head_t, cell(tune_acc, "+ 미세 조정", row), tune_t))
  -- 본문은 정확도를 svm_10, cnn_10, ..., tune_all로 인용한다
  row = n and tostring(n) or "all"
  for key, v in pairs({svm = svm_acc, cnn = cnn_acc, head = head_acc, tune = tune_acc}) do
    book.value(key .. "_" .. row, v, "%.3f")
  end
end
print("(전체: 모든 훈련 조각, 얼굴/얼굴 아님; 미세 조정: 추가로 든 시간)")
if #below > 0 then
  print(("경고: 다음 %d칸은 기준선 %.3f(언제나 \"얼굴 아님\") 이하이다. " ..
         "언제나 같은 답을 하는 것보다 나을 것이 없다%s:"):format(#below, baseline,
         QUICK_NOTE and " (빠른 실행이라 에포크가 적은 탓일 수 있다)" or ""))
  for _, b in ipairs(below) do print("  ! " .. b) end
end
