-- 연습 9-3 풀이 (강사용): 파라미터 5,258개의 CNN (검사에서 정확도 약 0.81)
-- exercise: ch9/ex3   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)
local nn, data = require "nn", require "data"

function build_model()
  return nn.Sequential {
    nn.Conv2D{filters = 8, kernel_size = 3, activation = "relu", input_shape = {28, 28, 1}},
    nn.MaxPooling2D{pool_size = 2},                 -- 13x13x8
    nn.Conv2D{filters = 16, kernel_size = 3, activation = "relu"},
    nn.MaxPooling2D{pool_size = 2},                 -- 5x5x16
    nn.Flatten(),
    nn.Dense(10, "softmax"),                        -- (400 + 1)·10
  }
end

if os.getenv("WORKBOOK_CHECKING") ~= "1" then
  local model = build_model()
  model:summary()
  local fm = data.fashion_mnist()
  model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy",
                metrics = {"accuracy"}}
  model:fit(fm.train.x:slice(1, 1, 6000), fm.train.y:slice(1, 1, 6000),
            {epochs = 4, batch_size = 32, validation_split = 0.1})
end
