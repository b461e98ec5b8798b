-- LAB 6-1 다항 회귀의 차수 바꾸어 보기
-- 곡선 모양의 데이터에 PolynomialFeatures로 x², x³, ... 특성을 더하고
-- LinearRegression으로 맞춘다. 차수(degree)를 1부터 올려 가며 훈련 오차와
-- 테스트 오차를 재고, 과소적합과 과대적합이 어디서 나타나는지 본다.
-- 실행: ./workbook run ch6/lab1.lua   (그림은 out/ch6/lab1/ 에 저장된다)
local T, ml, plot = require "tensor", require "ml", require "plot"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end

-- %% 곡선 모양의 데이터
-- 교재의 nonlinear.csv 대신 같은 성격의 데이터를 식으로 만든다. 참 함수는
-- f(x) = sin(πx) + 0.5x (x는 -1 ~ 1)이고, 잡음은 난수 대신 고정된 식(셰이더에서 흔히
-- 쓰는 의사 난수: sin(12.9898·i)·43758.5453의 소수 부분)으로 만들어, 누가 실행해도
-- (파이썬으로 옮겨도) 같은 값이 나온다. 잡음의 범위는 -0.4 ~ 0.4이다.
-- 24개 가운데 세 번째마다 하나(8개)를 테스트 데이터로 떼어 둔다.
local N = 24
local function f(x) return math.sin(math.pi * x) + 0.5 * x end
local function noise(i)
  local v = math.sin(12.9898 * i) * 43758.5453
  return 0.8 * (v - math.floor(v) - 0.5)
end
local xtr, ytr, xte, yte = {}, {}, {}, {}
for i = 1, N do
  local x = -1 + 2 * (i - 0.5) / N
  local y = f(x) + noise(i)
  if i % 3 == 0 then xte[#xte + 1], yte[#yte + 1] = {x}, y
  else xtr[#xtr + 1], ytr[#ytr + 1] = {x}, y end
end
local Xtr, Ytr, Xte, Yte = T(xtr), T(ytr), T(xte), T(yte)
print(("훈련 데이터 %d개, 테스트 데이터 %d개"):format(#xtr, #xte))

-- %% PolynomialFeatures: x 하나를 1, x, x², x³으로
local poly3 = ml.PolynomialFeatures{degree = 3}
local P = poly3:fit_transform(T{{0.5}, {2}})
title("PolynomialFeatures{degree = 3}")
print("특성 이름: " .. table.concat(poly3:get_feature_names_out(), ", "))
print(("x = 0.5 → %s"):format(table.concat(P[1]:totable(), ", ")))
print(("x = 2   → %s"):format(table.concat(P[2]:totable(), ", ")))

-- %% 차수를 바꾸며 맞추기
-- 다항 특성을 만든 뒤의 회귀는 보통의 선형 회귀이다. 차수마다 훈련 MSE와
-- 테스트 MSE를 잰다.
local DEGREES = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
local function fit_degree(d)
  local pf = ml.PolynomialFeatures{degree = d}
  local reg = ml.LinearRegression():fit(pf:fit_transform(Xtr), Ytr)
  local function predict(X) return reg:predict(pf:transform(X)) end
  return predict, ml.metrics.mean_squared_error(Ytr, predict(Xtr)),
         ml.metrics.mean_squared_error(Yte, predict(Xte))
end
title("차수별 평균제곱오차(MSE)")
print("차수   훈련 MSE    테스트 MSE")
local tr_err, te_err, best = {}, {}, 1
local fits = {}
for k, d in ipairs(DEGREES) do
  local predict, a, b = fit_degree(d)
  tr_err[k], te_err[k], fits[d] = a, b, predict
  if b < te_err[best] then best = k end
  print(("%4d   %.6f   %.6f"):format(d, a, b))
end
local best_d = DEGREES[best]
print(("테스트 MSE가 가장 작은 차수: %d"):format(best_d))
book.value("best_degree", best_d)
book.value("mse1_train", tr_err[1], "%.3f")
book.value("mse1_test", te_err[1], "%.3f")
book.value("best_test", te_err[best], "%.4f")
book.value("mse10_train", tr_err[#DEGREES], "%.4f")
book.value("mse10_test", te_err[#DEGREES], "%.4f")

-- %% 그림: 맞춘 곡선과 차수별 오차
local grid = T.linspace(-1, 1, 200)
local G = grid:reshape(200, 1)
local lines = {}
for _, p in ipairs {{1, "orange"}, {best_d, "green"}, {10, "red"}} do
  lines[#lines + 1] = {x = grid, y = fits[p[1]](G), color = p[2],
                       label = ("차수 %d"):format(p[1])}
end
plot.scatter(Xtr:reshape(-1), Ytr, out "poly_fits.png", {label = "훈련 데이터", size = 3,
  lines = lines, ylim = {-2.5, 2.5},
  overlay = {{x = Xte:reshape(-1), y = Yte, marker = "s", color = "gray", size = 4,
              label = "테스트 데이터"}},
  title = "다항 회귀: 차수 1, " .. best_d .. ", 10", xlabel = "입력 x", ylabel = "출력 y",
  caption = ("차수 1(과소적합), 테스트 오차가 가장 작은 차수 %d, 차수 10(과대적합)의 " ..
             "회귀 곡선."):format(best_d), fig_label = "fig-poly-degree-fits"})
plot.lines({{x = DEGREES, y = tr_err, label = "훈련 MSE", marker = "o"},
            {x = DEGREES, y = te_err, label = "테스트 MSE", marker = "s"}},
  out "poly_errors.png", {title = "차수에 따른 훈련 오차와 테스트 오차",
  xlabel = "다항식의 차수 (degree)", ylabel = "MSE",
  caption = "차수를 올리면 훈련 오차는 계속 줄지만, 테스트 오차는 어느 차수에서 " ..
            "가장 작아진 뒤 다시 커진다.", label = "fig-poly-errors"})
