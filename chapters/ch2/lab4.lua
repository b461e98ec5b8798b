-- LAB 2-4 과소적합과 과대적합: 다항식의 차수를 바꾸어 보기
-- 잡음이 섞인 사인 곡선 데이터 20개에 1차, 4차, 15차 다항식을 최소제곱법
-- (least squares)으로 맞추고, 처음 보는 데이터(테스트 데이터)에서의
-- 오차를 비교한다. 마지막으로 규제(regularization)가 15차 다항식을
-- 어떻게 길들이는지 본다.
-- 실행: ./workbook run ch2/lab4.lua   (그림은 out/ch2/lab4/ 에 저장된다)
local tensor, linalg, plot = require "tensor", require "linalg", require "plot"
local book = require "book"

-- %% 데이터 만들기
-- 참 함수는 y = sin(πx)이고, 관측할 때마다 표준편차 0.25의 잡음이 섞인다.
-- 훈련 데이터 20개로 학습하고, 같은 방식으로 만든 테스트 데이터 200개로
-- 일반화(generalization) 성능을 잰다.
tensor.seed(7)
local function truth(x) return math.sin(math.pi * x) end
local function make(n)
  local x = tensor.rand(n) * 2 - 1                    -- [-1, 1]에서 고르게
  local y = tensor.sin(x * math.pi) + tensor.randn(n) * 0.25
  return x, y
end
local x_train, y_train = make(20)
local x_test, y_test = make(200)
print(("훈련 데이터 %d개, 테스트 데이터 %d개"):format(x_train:numel(), x_test:numel()))

-- %% 다항식 맞추기: 방데르몽드 행렬과 최소제곱
-- d차 다항식 w0 + w1 x + ... + wd x^d 는 열이 1, x, x^2, ..., x^d 인
-- 방데르몽드 행렬(Vandermonde matrix) V에 대해 V w 로 쓸 수 있다.
-- 오차 제곱의 합 ||V w - y||^2 을 가장 작게 하는 w는 linalg.lstsq가 구한다.
-- (넘파이의 np.polyfit과 같은 계산이다. 다만 열의 순서는 낮은 차수부터.)
local function vander(x, degree)
  local cols = {}
  for j = 0, degree do cols[j + 1] = tensor.pow(x, j) end
  return tensor.stack(cols, 2)                        -- (N, degree + 1)
end
local function fit(x, y, degree)
  return (linalg.lstsq(vander(x, degree), y))         -- 첫째 반환값: 해 w
end
local function predict(w, x)                          -- V w 를 (N,) 벡터로
  return vander(x, w:numel() - 1):matmul(w:reshape(-1, 1)):reshape(-1)
end
local function mse(w, x, y) return (predict(w, x) - y):square():mean() end

-- %% 1차, 4차, 15차
local curve = tensor.linspace(-1, 1, 200)
local truth_y = tensor.sin(curve * math.pi)
local fig = plot.subplots{cols = 2, width = 460, height = 380,
                          title = "훈련 데이터 20개에 맞춘 다항식"}
local function panel(w, title)
  plot.scatter(x_train, y_train, fig, {label = "훈련 데이터", size = 6, color = "black",
    lines = {{x = curve, y = truth_y, label = "참 함수 sin(πx)", style = "--",
              color = "gray"},
             {x = curve, y = predict(w, curve), label = "모델", color = "red"}},
    title = title, xlabel = "x", ylabel = "y", ylim = {-2, 2}, xlim = {-1.05, 1.05}})
end
for _, d in ipairs {1, 4, 15} do
  local w = fit(x_train, y_train, d)
  local train_mse, test_mse = mse(w, x_train, y_train), mse(w, x_test, y_test)
  print(("%2d차: 파라미터 %2d개, 훈련 MSE %.4f, 테스트 MSE %.4f, 가장 큰 |w| %.1f")
        :format(d, d + 1, train_mse, test_mse, w:abs():max()))
  book.value("train" .. d, train_mse, "%.4f")
  book.value("test" .. d, test_mse, "%.4g")
  book.value("wmax" .. d, w:abs():max(), "%.3g")
  local kind = d == 1 and "과소적합" or (d == 4 and "적당함" or "과대적합")
  panel(w, ("%d차 다항식: %s"):format(d, kind))
end

-- %% 규제: 가중치가 커지는 것에 벌점 주기
-- 릿지 회귀(ridge regression)는 손실에 λ||w||^2 를 더한다. 그 해는
-- 정규 방정식 (VᵀV + λI) w = Vᵀ y 를 풀어 얻는다 (linalg.solve).
-- (보통은 절편 w0에는 벌점을 주지 않지만, 여기서는 식을 단순하게 두었다.)
local lambda = 1e-3
local V = vander(x_train, 15)
local Vt = V:transpose()
local w_ridge = linalg.solve(Vt:matmul(V) + tensor.eye(16) * lambda,
                             Vt:matmul(y_train:reshape(-1, 1))):reshape(-1)
print(("15차 + 릿지 규제(λ = %g): 훈련 MSE %.4f, 테스트 MSE %.4f, 가장 큰 |w| %.1f")
      :format(lambda, mse(w_ridge, x_train, y_train), mse(w_ridge, x_test, y_test),
              w_ridge:abs():max()))
book.value("test_ridge", mse(w_ridge, x_test, y_test), "%.4f")
book.value("wmax_ridge", w_ridge:abs():max(), "%.3g")
panel(w_ridge, ("15차 다항식 + 릿지 규제 (λ = %g)"):format(lambda))
fig:save(out "fits.png", {caption = "훈련 데이터 20개에 맞춘 1차, 4차, 15차 다항식과 " ..
  "릿지 규제를 준 15차 다항식. 점선은 참 함수 sin(πx)이다.", label = "fig-poly-fits"})

-- %% 차수에 따른 훈련 오차와 테스트 오차
-- 차수를 0부터 15까지 늘리며 두 오차를 잰다. 훈련 오차는 차수와 함께
-- 계속 줄지만, 테스트 오차는 어느 차수부터 다시 커진다.
local degrees, train_err, test_err = {}, {}, {}
local best_d, best_err = 0, math.huge
for d = 0, 15 do
  local w = fit(x_train, y_train, d)
  degrees[#degrees + 1] = d
  train_err[#train_err + 1] = math.log(mse(w, x_train, y_train), 10)
  local te = mse(w, x_test, y_test)
  test_err[#test_err + 1] = math.log(te, 10)
  if te < best_err then best_d, best_err = d, te end
end
print(("테스트 MSE가 가장 작은 차수: %d차 (MSE %.4f, 잡음의 분산은 0.0625)")
      :format(best_d, best_err))
book.value("best_degree", best_d)
book.value("best_test", best_err, "%.4f")
plot.lines({{x = degrees, y = train_err, label = "훈련 오차", marker = "o"},
            {x = degrees, y = test_err, label = "테스트 오차", marker = "s"}},
           out "error_vs_degree.png", {title = "다항식 차수에 따른 오차",
  xlabel = "다항식의 차수", ylabel = "log10(MSE)",
  caption = "다항식의 차수에 따른 훈련 오차와 테스트 오차 (log10 눈금).",
  label = "fig-poly-error"})
