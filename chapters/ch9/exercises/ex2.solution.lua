-- 연습 9-2 풀이 (강사용): 파라미터 개수
-- exercise: ch9/ex2   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)
local nn = require "nn"

model = nn.Sequential {
  nn.Conv2D{filters = 16, kernel_size = 3, activation = "relu", input_shape = {28, 28, 1}},
  nn.MaxPooling2D{pool_size = 2},
  nn.Conv2D{filters = 32, kernel_size = 5, activation = "relu"},
  nn.Flatten(),
  nn.Dense(10, "softmax"),
}

-- 필터 하나는 kh·kw·in 개의 가중치와 편향 1개를 가집니다.
function conv2d_params(kh, kw, in_channels, filters)
  return (kh * kw * in_channels + 1) * filters
end

conv1_params = conv2d_params(3, 3, 1, 16)     -- 160
conv2_params = conv2d_params(5, 5, 16, 32)    -- 12832
dense_params = (9 * 9 * 32 + 1) * 10          -- Flatten 뒤 2592개 입력: 25930
print(conv1_params, conv2_params, dense_params)
