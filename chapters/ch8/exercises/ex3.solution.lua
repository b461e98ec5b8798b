-- 연습 8-3 풀이 (강사용): 작은 MLP로 손글씨 숫자 분류하기
-- exercise: ch8/ex3   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)
local nn, tensor, data, ml = require "nn", require "tensor", require "data", require "ml"

-- 은닉층 하나(32 유닛): 64·32 + 32 = 2080, 32·10 + 10 = 330, 합계 2410개.
-- 출력은 softmax, 정답이 클래스 번호이므로 sparse_categorical_crossentropy.
function build_model()
  local model = nn.Sequential {
    nn.Dense{units = 32, activation = "relu", input_shape = {64}},
    nn.Dense(10, "softmax"),
  }
  model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy",
                metrics = {"accuracy"}}
  return model
end

epochs = 30

local d = data.digits()
local x = d.data / 16
local x_train, x_val, y_train, y_val = ml.train_test_split(x, d.target, {test_size = 0.25, random_state = 1})
local model = build_model()
model:summary()
model:fit(x_train, y_train, {epochs = epochs, batch_size = 32, verbose = 0})
local pred = model:predict(x_val):argmax(2) - 1
print(("검증 정확도 %.3f"):format(ml.metrics.accuracy_score(y_val, pred)))
