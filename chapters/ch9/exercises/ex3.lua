-- 연습 9-3: 작은 CNN으로 Fashion-MNIST 분류하기
-- exercise: ch9/ex3   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)
--
-- LAB 9-2의 CNN은 파라미터가 십만 개가 넘습니다. 이번에는 파라미터
-- 20,000개 미만의 작은 CNN으로도 옷 사진을 잘 분류할 수 있는지 봅시다.
--
-- 할 일
--   build_model()이 새 모델을 만들어 돌려주도록 완성하세요.
--   - 입력 모양 {28, 28, 1}, 출력은 10개 클래스의 softmax
--   - 합성곱 층(nn.Conv2D)을 하나 이상 쓰고
--   - 학습되는 파라미터는 모두 20,000개 미만
--   검사는 여러분의 build_model()로 모델을 만든 뒤 정해진 방법(adam,
--   훈련 이미지 6,000장, 4 에포크)으로 학습시키고, 여러분이 보지 않은
--   테스트 이미지 1,000장에서 정확도 0.78 이상인지 봅니다.
--   compile은 검사가 하니 build_model 안에서 하지 않아도 됩니다.
--
-- 확인: ./workbook check ch9/ex3.lua
-- (이 파일을 ./workbook run으로 실행하면 아래의 작은 학습도 해 봅니다.)
local nn, data, tensor = require "nn", require "data", require "tensor"

function build_model()
  -- TODO: nn.Sequential { ... }을 만들어 돌려주세요.
  --   힌트: Conv2D(필터 몇 개, 3x3) -> MaxPooling2D -> ... -> Flatten -> Dense(10, "softmax")
  return nil
end

-- 직접 실행할 때만 학습해 봅니다 (검사 중에는 건너뜁니다).
if os.getenv("WORKBOOK_CHECKING") ~= "1" then
  local model = build_model()
  if model then
    model:summary()
    local fm = data.fashion_mnist()
    local x, y = fm.train.x:slice(1, 1, 6000), fm.train.y:slice(1, 1, 6000)
    model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy",
                  metrics = {"accuracy"}}
    model:fit(x, y, {epochs = 4, batch_size = 32, validation_split = 0.1})
  else
    print("build_model()이 아직 모델을 돌려주지 않습니다.")
  end
end
