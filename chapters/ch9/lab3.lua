-- LAB 9-3: 구글의 Inception V3와 전이 학습(transfer learning). Keras의
-- InceptionV3 구조(계층과 이름이 같아서 Keras의 .h5 ImageNet 가중치를 그대로
-- 읽는다)를 만든다. 가중치 파일이 있으면 워크북의 사진을 분류하고, 없으면
-- (오프라인) 파일을 받는 방법을 알려 준 뒤 워크북의 사전 학습 백본
-- (fashion_backbone.lua, 패션 MNIST로 학습)으로 전이 학습을 보여 준다.
local tensor, nn, image, data, sys =
  require "tensor", require "nn", require "image", require "data", require "sys"

tensor.seed(42)
local quick = os.getenv("WORKBOOK_QUICK") == "1"
-- 빠른 실행에서는 헤드를 적게 학습한다: 정확도 옆에 그렇다고 적는다
local QUICK_NOTE = quick and "(빠른 실행: 헤드 5 에포크, 테스트 1,000장)" or nil
if quick then print("WORKBOOK_QUICK=1 " .. QUICK_NOTE) end

-- %% Inception V3의 구조
-- 분류기를 뗀(include_top = false) 임의 가중치(weights = false, Keras의
-- weights=None)의 Inception V3. 75x75는 Keras가 허용하는 가장 작은 입력이다.
-- 299x299에서도 계층과 파라미터는 같고 특성 맵만 작아진다.
local base = nn.applications.InceptionV3{include_top = false, weights = false,
                                         input_shape = {75, 75, 3}}
-- 요약은 311행으로 길다. 앞부분만 출력한다: 줄기(stem, 이미지를 줄이는
-- conv_bn 계층과 최대 풀링), 첫 인셉션 모듈 mixed0, 그리고 합계.
--   인셉션 모듈(inception module)은 같은 입력에 여러 갈래를 나란히 적용한다
--   -- 1x1 합성곱, 1x1 뒤 5x5, 1x1 뒤 3x3 두 번, 3x3 평균 풀링 뒤 1x1 --
--   그리고 출력을 채널 방향으로 이어 붙인다(Concatenate). 어떤 필터 크기가
--   쓸모 있는지를 신경망이 스스로 고른다.
--   1x1 합성곱은 병목(bottleneck)이다: 비싼 5x5, 3x3 합성곱 앞에서 채널을
--   줄이므로(예: 192 -> 48) 곱셈과 파라미터가 훨씬 적게 든다.
--   모든 합성곱 뒤에는 배치 정규화(BatchNormalization, 미니배치에서 채널마다
--   정규화한 뒤 학습된 beta만큼 이동)와 ReLU가 온다. 그래서 합성곱에는
--   편향이 없다(use_bias = false).
local lines = {}
base:summary(function(s) lines[#lines + 1] = s end)
-- 요약의 행: 두 구분선("___" 또는 "=") 사이의 줄들. 첫 행은 열 머리글이다
local rule, rows, row = nil, {}, nil
for _, s in ipairs(lines) do
  if s:find("^[_=]") then
    if row then rows[#rows + 1] = row end
    row, rule = {}, s:find("^_") and s or rule
  elseif row then row[#row + 1] = s end
end
local first, last = 2, #rows
for i, r in ipairs(rows) do
  if r[1]:find("%(MaxPooling2D%)") then first = i + 1 end     -- 줄기의 끝
  if r[1]:find("^mixed0 ") then last = i; break end
end
for i = 1, 4 do print(lines[i]) end                        -- 제목과 머리글
print(("... (줄기(stem): %d행 생략)"):format(first - 2))
print(rule)
for i = first, last do
  for _, s in ipairs(rows[i]) do print(s) end
  print(rule)
end
print(("... (mixed1부터 mixed10까지: %d행 생략)"):format(#rows - last))
for i = #lines - 4, #lines do print(lines[i]) end

-- 종류별 계층 수
local count = {}
for _, l in ipairs(base.layers) do count[l.class] = (count[l.class] or 0) + 1 end
print(("계층 %d개: Conv2D %d, BatchNormalization %d, Activation %d, Concatenate %d, " ..
       "MaxPooling2D %d, AveragePooling2D %d"):format(#base.layers, count.Conv2D,
      count.BatchNormalization, count.Activation, count.Concatenate, count.MaxPooling2D,
      count.AveragePooling2D))
local out_shape = base:predict(tensor.rand(1, 75, 75, 3)):shape()
print(("75x75 이미지 한 장의 출력: (%s)"):format(table.concat(out_shape, ", ")))

-- %% ImageNet 가중치로 분류하기
local WEIGHTS = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
local weights_path = sys.home() .. "/data/models/" .. WEIGHTS
local photos = {"chelsea", "coffee", "astronaut", "rocket"}
local have_weights = sys.exists(weights_path) == "file"

if have_weights then
  -- Keras의 ImageNet 가중치를 넣은 전체 신경망: 299x299 RGB를 받아
  -- 1000개 클래스의 확률을 낸다
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
  print("ImageNet 가중치 파일이 없다 (data/models/" .. WEIGHTS .. ").")
  print("인터넷이 되는 컴퓨터에서 다음 파일을 받아")
  print("  https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/" .. WEIGHTS)
  print("(약 92 MB, Keras가 받는 것과 같은 파일) data/models/에 넣으면, 이 실습이")
  print("사진 " .. table.concat(photos, ", ", 1, 3) .. "의 상위 5개 클래스를 출력한다")
  print("(클래스 이름은 data/fetched/에서 읽는다).")
  print("그 대신 여기서는 워크북의 백본으로 전이 학습을 해 본다.")
end

-- %% 전이 학습: 사전 학습된 합성곱 기반
-- 오프라인 전이 학습: train_backbone.lua가 패션 MNIST 60,000장 전부로 학습시킨
-- 합성곱 기반을 동결하고, 그 위의 새 Dense 헤드는 1,000장만으로 학습한다.
-- 옆에는 같은 구조에 임의의 가중치를 넣고 동결한 모델: 사전 학습된 필터가
-- 무엇을 더해 주는가?
local backbone = require "fashion_backbone"
local fm = data.fashion_mnist()
local n_train, n_test = 1000, quick and 1000 or 2000
local x_train, y_train = fm.train.x:slice(1, 1, n_train), fm.train.y:slice(1, 1, n_train)
local x_test, y_test = fm.test.x:slice(1, 1, n_test), fm.test.y:slice(1, 1, n_test)

local function head_on(base)
  base.trainable = false                 -- 특징 추출: 기반을 동결한다
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
print(("테스트 이미지 3장의 특징: (%s), 그중 %.0f%%가 0 (ReLU)"):format(
      table.concat(features:shape(), ", "),
      100 * features:eq(0):sum() / features:numel()))

print()
print(("헤드를 %d장으로 학습, %d장으로 테스트%s:"):format(n_train, n_test,
      QUICK_NOTE and " " .. QUICK_NOTE or ""))
for _, run in ipairs({{"사전 학습된 기반 (동결)", pretrained, "pretrained_acc"},
                      {"임의의 기반 (동결)", head_on(backbone.build()), "random_acc"}}) do
  local t0 = sys.clock()
  run[2]:fit(x_train, y_train, {epochs = quick and 5 or 15, batch_size = 32, verbose = 0})
  local _, acc = run[2]:evaluate(x_test, y_test, {verbose = 0})
  print(("  %s  테스트 정확도 %.3f  (%.1f s)"):format(run[1], acc, sys.clock() - t0))
  require("book").value(run[3], acc, "%.3f")   -- 본문이 인용하는 값
end
