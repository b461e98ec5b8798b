-- LAB 4-3 척도를 맞추지 않으면 경사 하강법은 어떻게 되는가
-- LAB 4-2의 자동차 데이터로, 경사 하강법을 쓰는 선형 회귀 SGDRegressor를
-- 척도를 맞추지 않은 특성과 표준화한 특성에 각각 학습시킨다. 오차 곡면의
-- 모양(헤세 행렬의 고윳값)으로 그 차이를 설명하고, 스케일러와 모델을
-- 파이프라인(pipeline)으로 묶는다.
-- 실행: ./workbook run ch4/lab3.lua   (그림은 out/ch4/lab3/ 에 저장된다)
local data, ml, plot, T = require "data", require "ml", require "plot", require "tensor"
local linalg = require "linalg"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end

-- %% 데이터 준비 (LAB 4-2와 같다)
local cars = data.cars():dropna()
cars.Model_Year = cars.Year:map(function(s) return tonumber(s:sub(1, 4)) - 1900 end)
local FEATURES = {"Cylinders", "Displacement", "Horsepower", "Weight_in_lbs",
                  "Acceleration", "Model_Year"}
local NAMES = {"실린더", "배기량", "마력", "무게", "가속", "연식"}
local X, y = cars:to_tensor(FEATURES), cars.Miles_per_Gallon:to_tensor()
local Xtr, Xte, ytr, yte = ml.train_test_split(X, y, {test_size = 0.2, random_state = 42})
print(("훈련 %d대, 테스트 %d대"):format(Xtr:shape()[1], Xte:shape()[1]))

-- %% 오차 곡면의 모양: 헤세 행렬의 고윳값
-- MSE의 헤세 행렬은 H = (2/N) X_bᵀ X_b (X_b는 첫 열이 1인 행렬)이다.
-- 가장 큰 고윳값은 학습률의 한계(η < 2/λ_max)를, 가장 큰 것과 가장 작은
-- 것의 비(조건수, condition number)는 골짜기가 얼마나 길쭉한지를 정한다.
local function hessian_eigs(A)
  local n = A:shape()[1]
  local Ab = T.concat({T.ones(n, 1), A}, 2)
  local ev = linalg.eigvalsh(Ab:transpose():matmul(Ab) * (2 / n))
  return ev:min(), ev:max()
end
local scaler = ml.StandardScaler():fit(Xtr)
local Str, Ste = scaler:transform(Xtr), scaler:transform(Xte)
title("헤세 행렬의 고윳값")
for _, c in ipairs {{"원래 특성", Xtr, "raw"}, {"표준화한 특성", Str, "std"}} do
  local lo, hi = hessian_eigs(c[2])
  print(("%s: λ_min = %.4g, λ_max = %.4g, 조건수 λ_max/λ_min = %.3g, η < %.3g")
        :format(c[1], lo, hi, hi / lo, 2 / hi))
  local big = c[3] == "raw"            -- the raw numbers are best read as 7.3e+09
  book.value("cond_" .. c[3], hi / lo, big and "%.1e" or "%.0f")
  book.value("eta_max_" .. c[3], 2 / hi, big and "%.1e" or "%.2f")
end

-- %% SGDRegressor: 원래 특성과 표준화한 특성
-- SGDRegressor는 데이터를 하나씩 보며 경사 하강법으로 MSE를 줄인다.
-- 기본 학습률(eta0 = 0.01)은 무게(1600-5100) 같은 큰 특성에게는 너무 크다.
local raw = ml.SGDRegressor{random_state = 0}:fit(Xtr, ytr)
title("SGDRegressor, 원래 특성")
local parts = {}
for i = 1, #FEATURES do parts[i] = ("%.3g"):format(raw.coef_[i]) end
print("계수: " .. table.concat(parts, ", "))
print(("테스트 R² = %.4g  (발산: 계수가 터무니없이 크다)"):format(raw:score(Xte, yte)))
local sgd = ml.SGDRegressor{random_state = 0}:fit(Str, ytr)
local lin = ml.LinearRegression():fit(Str, ytr)
title("SGDRegressor, 표준화한 특성")
print(("반복(epoch) %d번, 테스트 R² = %.4f"):format(sgd.n_iter_, sgd:score(Ste, yte)))
print(("LinearRegression(정규 방정식과 같은 답)의 테스트 R² = %.4f"):format(lin:score(Ste, yte)))
book.value("sgd_r2", sgd:score(Ste, yte), "%.3f")
book.value("raw_r2", raw:score(Xte, yte), "%.1e")
plot.bar(NAMES, {lin.coef_:totable(), sgd.coef_:totable()}, out "coef_compare.png",
  {labels = {"LinearRegression", "SGDRegressor"}, title = "표준화한 특성의 계수 비교",
   xlabel = "특성", ylabel = "계수",
   caption = "표준화한 특성으로 학습한 LinearRegression과 SGDRegressor의 계수. 테스트 R²는 " ..
             "비슷하지만, 서로 얽힌 무게·배기량·마력의 몫은 다르게 나뉘었다.",
   label = "fig-coef-compare"})

-- %% 학습률과 반복 횟수
-- 학습률을 고정(learning_rate = "constant")하고 eta0만 바꾸어 본다.
title("표준화한 특성에서 eta0에 따른 반복 횟수와 테스트 R²")
for _, eta in ipairs {0.0001, 0.001, 0.01, 0.1} do
  local m = ml.SGDRegressor{random_state = 0, eta0 = eta, learning_rate = "constant"}
  m:fit(Str, ytr)
  print(("eta0 = %-6g 반복 %4d번, 테스트 R² = %.4f"):format(eta, m.n_iter_, m:score(Ste, yte)))
end

-- %% 파이프라인: 스케일러와 모델을 하나로
-- make_pipeline은 fit에서 스케일러를 훈련 데이터로 fit한 뒤 변환한 데이터로
-- 모델을 학습하고, predict/score에서는 스케일러로 변환만 한 뒤 예측한다.
local pipe = ml.make_pipeline(ml.StandardScaler(), ml.SGDRegressor{random_state = 0})
pipe:fit(Xtr, ytr)
title("make_pipeline(StandardScaler(), SGDRegressor())")
print(("테스트 R² = %.4f (위의 표준화한 SGDRegressor와 같다)"):format(pipe:score(Xte, yte)))
