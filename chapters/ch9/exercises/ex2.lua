-- 연습 9-2: 파라미터 개수를 손으로 세기
-- exercise: ch9/ex2   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)
--
-- 아래 CNN의 각 층에 학습되는 파라미터(가중치와 편향)가 몇 개인지
-- 손으로 계산해 봅시다. model:summary()를 부르면 답이 보이니, 먼저
-- 계산하고 나서 확인용으로만 쓰세요.
--
--   입력 28x28x1
--   Conv2D 16개 필터, 3x3, padding "valid"  -> 26x26x16
--   MaxPooling2D 2x2                        -> 13x13x16
--   Conv2D 32개 필터, 5x5, padding "valid"  -> 9x9x32
--   Flatten
--   Dense 10
--
-- 할 일
--   1. conv1_params, conv2_params, dense_params에 각 층의 파라미터 수를
--      숫자로 적으세요 (식을 써도 됩니다. 예: 3 * 3 * ...).
--   2. 함수 conv2d_params(kh, kw, in_channels, filters)가 어떤 Conv2D
--      층에도 맞는 파라미터 수를 돌려주도록 완성하세요. 검사는 여러분이
--      모르는 크기들로 이 함수를 불러 봅니다.
--
-- 확인: ./workbook check ch9/ex2.lua
local nn = require "nn"

model = nn.Sequential {
  nn.Conv2D{filters = 16, kernel_size = 3, activation = "relu", input_shape = {28, 28, 1}},
  nn.MaxPooling2D{pool_size = 2},
  nn.Conv2D{filters = 32, kernel_size = 5, activation = "relu"},
  nn.Flatten(),
  nn.Dense(10, "softmax"),
}

-- TODO 1: 각 층의 파라미터 수
conv1_params = nil
conv2_params = nil
dense_params = nil

-- TODO 2: 어떤 Conv2D 층이든 파라미터 수를 계산하는 함수
function conv2d_params(kh, kw, in_channels, filters)
  return nil
end
