-- LAB 12-4: 오토인코더의 잠재 공간에서 새 이미지 만들기.
-- 패션 MNIST로 합성곱 오토인코더(코드 100개)를 학습시킨 뒤, 드레스 이미지들의
-- 코드를 평균 내고, 그 평균 코드에 잡음을 곱해 흔든 코드 50개를 디코더로
-- 복원하여 "새 드레스" 50장을 만든다. 끝으로 두 이미지의 코드 사이를
-- 직선으로 걸어가며 디코딩한 그림을, 픽셀을 섞기만 한 그림과 비교한다.
-- 실행: ./workbook run ch12/lab4.lua   (그림은 out/ch12/lab4/ 에 저장된다)
local tensor, nn, data, plot = require "tensor", require "nn", require "data", require "plot"
local book = require "book"

tensor.seed(2024)

-- %% 데이터
local fm = data.fashion_mnist()
local x_train, y_train = fm.train.x, fm.train.y       -- (60000, 28, 28, 1), 클래스 번호
local names = fm.class_names
-- 합성곱 오토인코더의 계산이 많아 전체 실행에서도 5 에포크만 학습한다
local epochs = 5
if os.getenv("WORKBOOK_QUICK") == "1" then
  x_train, y_train = x_train:slice(1, 1, 3000), y_train:slice(1, 1, 3000)
  epochs = 3
  print("WORKBOOK_QUICK=1: 훈련 이미지 3,000장으로 3 에포크만 학습한다")
end
local n = x_train:shape()[1]
local X = x_train:reshape(n, 784)
print(("훈련 이미지 %d장, 클래스 3은 '%s'"):format(n, names[4]))

-- %% 오토인코더: 코드 100개
-- LAB 12-3의 합성곱 오토인코더와 같고, 코드만 100개이다.
-- 코드가 100개이면 한 이미지의 코드를 10x10 격자로 그려 볼 수 있다.
local enc = nn.Sequential{
  nn.Conv2D{filters = 16, kernel_size = 3, activation = "elu", input_shape = {28, 28, 1}},
  nn.Conv2D{filters = 16, kernel_size = 3, activation = "elu"},
  nn.Flatten(),
  nn.Dense(100, "elu")}
local dec = nn.Sequential{
  nn.Dense(9216, {input_shape = {100}, activation = "elu"}),
  nn.Reshape{target_shape = {24, 24, 16}},
  nn.Conv2DTranspose{filters = 16, kernel_size = 3, activation = "elu"},
  nn.Conv2DTranspose{filters = 1, kernel_size = 3, activation = "elu"}}
local AE = nn.Sequential{enc, dec}
AE:compile{loss = "mse"}
AE:summary()
local loss = AE:fit(x_train, x_train, {epochs = epochs, verbose = 0}).history.loss
print(("첫 에포크 손실 %.4f -> 마지막 에포크 손실 %.4f"):format(loss[1], loss[epochs]))

-- 아래에서는 이미지를 784개 값의 벡터로 다루는 것이 편하다:
-- encode는 벡터 (n, 784)를 받아 코드를, decode는 코드를 받아 벡터 (n, 784)를 돌려준다
local function encode(v) return enc:predict(v:reshape(v:shape()[1], 28, 28, 1)) end
local function decode(z) return dec:predict(z):reshape(z:shape()[1], 784) end

-- %% 드레스만 인코딩하기
-- 드레스의 클래스 번호는 3이다. 드레스 이미지만 골라 인코딩한다.
local dress = X:masked(y_train:eq(3))
local n_dress = dress:shape()[1]
local dress_codes = encode(dress)
print(("드레스 %d장의 코드: %s"):format(n_dress, table.concat(dress_codes:shape(), "x")))
plot.image_grid(dress:slice(1, 1, 10):reshape(10, 28, 28), out "dresses.png",
                {cols = 10, rows = 1, title = "훈련 데이터의 드레스",
                 caption = "LAB 12-4: 훈련 데이터의 드레스 10장", label = "fig-ch12-dresses"})
plot.image_grid(dress_codes:slice(1, 1, 10):reshape(10, 10, 10), out "dress_codes.png",
                {cols = 10, rows = 1, normalize = true, title = "드레스 10장의 코드 (10x10)",
                 caption = "LAB 12-4: 위 그림의 드레스 10장을 인코딩한 코드 100개를 10x10 격자로 그린 것",
                 label = "fig-ch12-dress-codes"})

-- %% 평균 코드와 새 드레스 50장
-- 드레스 코드들의 평균을 "전형적인 드레스"의 코드로 삼는다.
-- 평균 코드의 각 성분에 (1 + 0.3 × 표준정규 잡음)을 곱하여 조금씩 다른 코드 50개를 만든다.
local mean_code = dress_codes:mean(1):reshape(1, 100)
local noise = tensor.randn(50, 100)
local new_codes = mean_code * (noise * 0.3 + 1)                  -- (50, 100)
local generated = decode(new_codes)                         -- (50, 784)
print(("생성한 이미지 50장: 픽셀 값 범위 %.3f ~ %.3f"):format(generated:min(), generated:max()))
local mean_dress = decode(mean_code)
plot.image_grid({dress:mean(1):reshape(28, 28), mean_code:reshape(10, 10), mean_dress:reshape(28, 28)},
                out "mean_dress.png",
                {cols = 3, rows = 1, normalize = true,
                 labels = {"드레스 픽셀의 평균", "드레스 코드의 평균", "평균 코드의 복원"},
                 title = "평균 드레스",
                 caption = "LAB 12-4: 드레스 이미지의 픽셀 평균(왼쪽), 드레스 코드의 평균(가운데), 평균 코드를 디코더로 복원한 이미지(오른쪽)",
                 label = "fig-ch12-mean-dress"})
plot.image_grid(generated:clamp(0, 1):reshape(50, 28, 28), out "generated.png",
                {cols = 10, rows = 5, title = "평균 코드를 흔들어 만든 새 드레스 50장",
                 caption = "LAB 12-4: 드레스의 평균 코드에 (1 + 0.3 × 잡음)을 곱한 코드 50개를 디코더로 복원한 이미지",
                 label = "fig-ch12-generated"})

-- 새 드레스는 훈련 데이터를 베낀 것일까? 생성한 이미지마다 가장 가까운
-- 훈련 드레스와의 픽셀당 MSE를, 훈련 드레스끼리의 같은 거리와 비교한다.
local function nearest_mse(A, B, skip_self)
  -- |a - b|² = |a|² - 2 a·b + |b|², 가장 작은 값을 784로 나눈다
  local d = A:square():sum(2, true) - A:matmul(B:transpose()) * 2 + B:square():sum(2):reshape(1, -1)
  if skip_self then d = d + tensor.eye(A:shape()[1]) * 1e9 end
  return (d:min(2) / 784):mean()
end
local k = math.min(500, n_dress)
local gen_near = nearest_mse(generated, dress)
local dress_near = nearest_mse(dress:slice(1, 1, k), dress:slice(1, 1, k), true)
print(("생성한 이미지와 가장 가까운 훈련 드레스의 픽셀당 MSE 평균 %.4f"):format(gen_near))
print(("훈련 드레스 %d장끼리 가장 가까운 것의 픽셀당 MSE 평균 %.4f"):format(k, dress_near))
book.value("gen_near", gen_near, "%.3f")
book.value("dress_near", dress_near, "%.3f")
book.value("n_dress", n_dress, "%d")

-- %% 잠재 공간 걷기
-- 티셔츠 한 장(클래스 0)과 드레스 한 장의 코드 사이를 9칸으로 나누어 걸으며 디코딩한다.
-- 비교를 위해 두 이미지의 픽셀을 같은 비율로 섞은 것(cross-fade)도 그린다.
local shirt = X:masked(y_train:eq(0)):slice(1, 1, 1)
local target = dress:slice(1, 1, 1)
local c0, c1 = encode(shirt), encode(target)
local walk, fade, caps = {}, {}, {}
for i = 0, 9 do
  local a = i / 9
  walk[#walk + 1] = decode(c0 * (1 - a) + c1 * a):clamp(0, 1):reshape(28, 28)
  caps[#caps + 1] = ("%.2f"):format(a)
end
for i = 0, 9 do
  local a = i / 9
  fade[#fade + 1] = (shirt * (1 - a) + target * a):reshape(28, 28)
end
local list, labels = {}, {}
for i = 1, 10 do list[i], labels[i] = walk[i], "코드 " .. caps[i] end
for i = 1, 10 do list[10 + i], labels[10 + i] = fade[i], "픽셀 " .. caps[i] end
plot.image_grid(list, out "walk.png",
                {cols = 10, rows = 2, labels = labels,
                 title = "티셔츠에서 드레스로: 잠재 공간에서 걷기(위)와 픽셀 섞기(아래)",
                 caption = "LAB 12-4: 티셔츠의 코드에서 드레스의 코드까지 직선으로 걸으며 디코딩한 이미지(위 줄)와, 두 이미지의 픽셀을 같은 비율로 섞은 이미지(아래 줄). 숫자는 드레스 쪽의 비율이다.",
                 label = "fig-ch12-walk"})
