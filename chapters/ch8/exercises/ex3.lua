-- 연습 8-3: 작은 MLP로 손글씨 숫자 분류하기
-- exercise: ch8/ex3   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)
--
-- data.digits()는 8x8 크기의 손글씨 숫자 1797장입니다. 각 이미지는 픽셀
-- 64개(0~16의 밝기)이고 정답은 0~9입니다. LAB 8-1의 모델은 파라미터가
-- 10만 개가 넘었지만, 이 작은 이미지에는 훨씬 작은 모델로 충분합니다.
--
-- 할 일
--   1. build_model()이 새 모델을 만들어 compile까지 해서 돌려주게 하세요.
--      - 입력: 0~1로 나눈 픽셀 64개 (input_shape = {64})
--      - 출력: 10개 클래스의 확률 (정답은 0~9의 클래스 번호)
--      - 전체 파라미터 수는 3000개 미만이어야 합니다.
--   2. epochs에 학습할 에포크 수를 넣으세요 (1~50).
--   3. 검사는 build_model()로 새 모델을 만들어, 여러분이 보지 못한 방식으로
--      나눈 훈련 세트에 epochs만큼 (batch_size 32로) 학습시킨 뒤, 숨겨 둔
--      테스트 세트에서 정확도 0.93 이상을 요구합니다.
--
-- 확인: ./workbook check ch8/ex3.lua
local nn, tensor, data, ml = require "nn", require "tensor", require "data", require "ml"

-- TODO 1: 모델을 만들고 compile해서 돌려주세요.
function build_model()
  return nil
end

-- TODO 2: 에포크 수
epochs = nil

-- 아래는 여러분이 모델을 시험해 보는 부분입니다 (검사와는 다른 분할).
local d = data.digits()
local x = d.data / 16
local x_train, x_val, y_train, y_val = ml.train_test_split(x, d.target, {test_size = 0.25, random_state = 1})
local model = build_model()
if model and epochs then
  model:summary()
  model:fit(x_train, y_train, {epochs = epochs, batch_size = 32, verbose = 0})
  local pred = model:predict(x_val):argmax(2) - 1
  print(("검증 정확도 %.3f"):format(ml.metrics.accuracy_score(y_val, pred)))
end
