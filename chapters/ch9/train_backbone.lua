-- train_backbone.lua - 워크북에 들어 있는 사전 학습(pretrained) 백본
-- (fashion_backbone.lua)을 패션 MNIST(Fashion-MNIST)로 학습시키고, 합성곱
-- 기반(convolutional base)의 가중치와 테스트 정확도를 저장한다. 9장의
-- 실습은 Keras의 ImageNet 가중치 대신 이 파일을 오프라인으로 읽는다.
--
--   ./workbook run ch9/train_backbone.lua             학습 후 out/ch9/train_backbone/에 저장
--   ./workbook run ch9/train_backbone.lua --replace   워크북에 들어 있는 파일
--                                                     data/models/fashion_backbone.wbw(.txt)를 바꾼다
--   WORKBOOK_QUICK=1 ./workbook run ch9/train_backbone.lua
--                  빠른 실행: 훈련 이미지 2,000장, 1 에포크 (out/에만 저장)
--
-- 전체 학습은 2코어에서 약 1분 걸린다. 같은 시드(seed)는 같은 기계에서
-- 같은 가중치를 주므로, --replace로 실행하면 들어 있는 파일이 다시 만들어진다.
local tensor, nn, data, sys = require "tensor", require "nn", require "data", require "sys"
local backbone = require "fashion_backbone"

local quick = os.getenv("WORKBOOK_QUICK") == "1"
local function usage(msg)
  io.stderr:write("train_backbone.lua: ", msg, "\n")
  os.exit(2)
end
local replace = false
for _, a in ipairs(arg or {}) do
  if a == "--replace" then replace = true
  else usage(("unknown argument '%s' (expected --replace)"):format(a)) end
end
if quick and replace then usage("--replace needs the full run (unset WORKBOOK_QUICK)") end

tensor.seed(2024)
local EPOCHS = quick and 1 or 4
local N_TRAIN = quick and 2000 or 60000
local note = quick and ("  (빠른 실행: 훈련 이미지 2,000장, %d 에포크)"):format(EPOCHS) or ""
if quick then print("WORKBOOK_QUICK=1" .. note) end

local fm = data.fashion_mnist()
local x_train, y_train = fm.train.x:slice(1, 1, N_TRAIN), fm.train.y:slice(1, 1, N_TRAIN)

-- 합성곱 기반 위에 분류용 헤드(head)를 얹어 학습한다
local base = backbone.build()
local inp = nn.Input{shape = backbone.INPUT_SHAPE}
local x = nn.Flatten{name = "flatten"}(base(inp))
x = nn.Dense{units = 64, activation = "relu", name = "fc1"}(x)
local out_layer = nn.Dense{units = 10, activation = "softmax", name = "predictions"}(x)
local model = nn.Model{inputs = inp, outputs = out_layer, name = "fashion_classifier"}
model:summary()
model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}

local t0 = sys.clock()
model:fit(x_train, y_train, {epochs = EPOCHS, batch_size = 64})
local seconds = sys.clock() - t0
local loss, acc = model:evaluate(fm.test.x, fm.test.y, {verbose = 0})
print(("테스트 손실(loss) %.4f, 테스트 정확도(accuracy) %.4f (테스트 이미지 10,000장), 학습 %.0f초%s"):format(
      loss, acc, seconds, note))

-- 합성곱 기반만 저장한다: 헤드는 패션 MNIST의 열 개 클래스를 위한
-- 것이므로 새 문제에는 새 헤드를 얹는다
local wbw, txt
if replace then
  local dir = sys.home() .. "/data/models"
  wbw, txt = dir .. "/fashion_backbone.wbw", dir .. "/fashion_backbone.txt"
else
  wbw, txt = out "fashion_backbone.wbw", out "fashion_backbone.txt"
end
base:save_weights(wbw)
local record = ("fashion_backbone.wbw: made by chapters/ch9/train_backbone.lua\n" ..
  "base: %s, %d parameters\n" ..
  "head while training: Flatten, Dense(64, relu), Dense(10, softmax)\n" ..
  "training: Fashion-MNIST train (%d), %d epochs, Adam 1e-3, batch 64, seed 2024\n" ..
  "test_accuracy %.4f\n" ..
  "test_loss %.4f\n"):format(base.name, (base:count_params()), N_TRAIN, EPOCHS, acc, loss)
sys.atomic_write(txt, function(tmp)
  local f = assert(io.open(tmp, "w"))
  f:write(record)
  assert(f:close())
end)
print("저장: " .. wbw .. ", " .. txt:match("[^/]*$"))
if not replace then
  print("워크북에 들어 있는 data/models/fashion_backbone.wbw는 그대로이다 (바꾸려면 --replace)")
end
