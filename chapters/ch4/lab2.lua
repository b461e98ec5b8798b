-- LAB 4-2 여러 특성으로 연비 예측하기: 다변량 선형 회귀
-- 1970-1982년 자동차 406대의 데이터(cars)로 연비(mile/gallon)를 예측한다.
-- 결측값을 지우고, 상관관계와 산점도 행렬로 특성을 살핀 뒤, 훈련/테스트로
-- 나누어 LinearRegression을 학습하고, 척도 맞추기(scaling), 릿지(Ridge)와
-- 라쏘(Lasso), 학습 곡선(learning curve)까지 본다.
-- 실행: ./workbook run ch4/lab2.lua   (그림은 out/ch4/lab2/ 에 저장된다)
local data, ml, plot, T = require "data", require "ml", require "plot", require "tensor"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end
-- 한글 한 글자는 두 칸을 차지하므로 utf8.len으로 폭을 세어 채운다
local function pad(s, width)
  local w = 0
  for _, c in utf8.codes(s) do w = w + (c >= 0x1100 and 2 or 1) end
  return s .. (" "):rep(math.max(0, width - w))
end

-- %% 4.6 데이터 읽기와 결측값 지우기
local cars = data.cars()
print(("자동차 %d대, 열 %d개"):format(cars.shape[1], cars.shape[2]))
print(cars:head())
title("열마다 결측값의 수")
print(cars:isnull():sum())
cars = cars:dropna()
print(("결측값이 있는 행을 지운 뒤: %d대"):format(#cars))
book.value("rows", #cars)
-- Year는 "1970-01-01" 같은 문자열이다. 연식(70, 71, ...)을 숫자 열로 만든다.
cars.Model_Year = cars.Year:map(function(s) return tonumber(s:sub(1, 4)) - 1900 end)

local FEATURES = {"Cylinders", "Displacement", "Horsepower", "Weight_in_lbs",
                  "Acceleration", "Model_Year"}
local NAMES = {"실린더", "배기량", "마력", "무게", "가속", "연식"}
local TARGET = "Miles_per_Gallon"

-- %% 4.7 상관관계와 산점도 행렬
local cols = {TARGET}
for _, f in ipairs(FEATURES) do cols[#cols + 1] = f end
local corr = cars:select(cols):corr()
title("상관 행렬 (corr)")
print(corr)
local r_w = corr[TARGET]:tolist()[5]
print(("연비와 무게의 상관계수: %.4f"):format(r_w))
book.value("corr_weight", r_w, "%.2f")
local short = {"연비", table.unpack(NAMES)}
plot.heatmap(cars:select(cols):corr():to_tensor(), out "corr.png", {labels = short,
  cmap = "coolwarm", vmin = -1, vmax = 1, title = "연비와 특성들의 상관계수",
  caption = "연비와 여섯 특성의 상관 행렬. 연비는 무게·배기량·마력·실린더 수와 강한 음의 " ..
            "상관, 연식과 양의 상관이 있다.", label = "fig-cars-corr"})
local pp = {}
for i, c in ipairs {TARGET, "Horsepower", "Weight_in_lbs", "Model_Year"} do
  pp[({"연비", "마력", "무게", "연식"})[i]] = cars[c]:tolist()
end
plot.pairplot(pp, out "pairplot.png", {columns = {"연비", "마력", "무게", "연식"},
  size = 2, title = "연비와 세 특성의 산점도 행렬",
  caption = "연비·마력·무게·연식의 산점도 행렬(pair plot). 연비와 마력, 연비와 무게의 " ..
            "관계는 직선보다 조금 휘어 있다.", label = "fig-cars-pairplot"})

-- %% 4.8 훈련/테스트 분할과 LinearRegression
local X = cars:to_tensor(FEATURES)
local y = cars[TARGET]:to_tensor()
local Xtr, Xte, ytr, yte = ml.train_test_split(X, y, {test_size = 0.2, random_state = 42})
print(("훈련 %d대, 테스트 %d대"):format(Xtr:shape()[1], Xte:shape()[1]))
local lin = ml.LinearRegression():fit(Xtr, ytr)
local pred = lin:predict(Xte)
local mse = ml.metrics.mean_squared_error(yte, pred)
local r2 = ml.metrics.r2_score(yte, pred)
title("LinearRegression (훈련 데이터로 학습)")
for i, f in ipairs(FEATURES) do
  print(("%s %-14s w = %10.5f"):format(pad(NAMES[i], 7), f, lin.coef_[i]))
end
print(("절편 b = %.4f"):format(lin.intercept_))
print(("테스트: MSE = %.3f, RMSE = %.3f, MAE = %.3f, R² = %.4f"):format(mse, math.sqrt(mse),
  ml.metrics.mean_absolute_error(yte, pred), r2))
book.value("test_rmse", math.sqrt(mse), "%.2f")
book.value("test_r2", r2, "%.3f")
-- 전체 392대로 학습한 계수 (테스트에서 scikit-learn의 값과 비교한다)
local full = ml.LinearRegression():fit(X, y)
title("전체 데이터로 학습한 계수")
local parts = {}
for i = 1, #FEATURES do parts[i] = ("%.6f"):format(full.coef_[i]) end
print("coef = " .. table.concat(parts, ", "))
print(("intercept = %.6f, R² = %.6f"):format(full.intercept_, full:score(X, y)))

local lo, hi = 5, 50
plot.scatter(yte, pred, out "pred_vs_true.png", {label = "테스트 자동차", size = 4,
  lines = {{x = {lo, hi}, y = {lo, hi}, label = "예측 = 정답", color = "gray", style = "--"}},
  xlim = {lo, hi}, ylim = {lo, hi},
  title = "테스트 데이터: 정답과 예측", xlabel = "실제 연비 (mpg)", ylabel = "예측 연비 (mpg)",
  caption = "테스트 자동차의 실제 연비와 예측 연비. 점이 대각선에 가까울수록 정확하다.",
  fig_label = "fig-pred-true"})

-- %% 4.9 척도 맞추기
-- 무게(1600-5100)와 연식(70-82)은 범위가 크게 다르므로 계수의 크기로 특성의
-- 중요도를 비교할 수 없다. 표준화(평균 0, 표준편차 1)한 뒤의 계수를 비교한다.
-- 스케일러는 훈련 데이터로만 fit하고, 테스트 데이터는 transform만 한다.
local scaler = ml.StandardScaler():fit(Xtr)
local Str, Ste = scaler:transform(Xtr), scaler:transform(Xte)
local std = ml.LinearRegression():fit(Str, ytr)
title("표준화한 특성의 계수 (특성이 1 표준편차 늘 때 연비의 변화)")
for i = 1, #FEATURES do print(("%s %8.4f"):format(pad(NAMES[i], 7), std.coef_[i])) end
print(("표준화 후 테스트 R² = %.4f (표준화 전과 같다)"):format(std:score(Ste, yte)))
local mm = ml.MinMaxScaler():fit(Xtr)
print(("MinMaxScaler 후 훈련 데이터의 범위: %.1f ~ %.1f"):format(mm:transform(Xtr):min(),
  mm:transform(Xtr):max()))

-- %% 4.10 릿지와 라쏘
-- 릿지는 가중치의 제곱합, 라쏘는 절댓값의 합을 벌점으로 더한다. alpha가 클수록
-- 가중치가 작아지고, 라쏘는 몇몇 가중치를 정확히 0으로 만든다.
local ALPHAS = {0.01, 0.1, 1, 10, 100}
title("alpha에 따른 계수 (표준화한 특성)")
local head = {}
for i = 1, #NAMES do head[i] = pad(NAMES[i], 6) end
print(("%s %-7s %s"):format(pad("모델", 5), "alpha", table.concat(head, " ")))
local ridge_paths, lasso_paths = {}, {}
for i = 1, #FEATURES do ridge_paths[i], lasso_paths[i] = {}, {} end
for k, a in ipairs(ALPHAS) do
  for _, m in ipairs {{"릿지", ml.Ridge{alpha = a}, ridge_paths},
                      {"라쏘", ml.Lasso{alpha = a / 10}, lasso_paths}} do
    local model = m[2]:fit(Str, ytr)
    local row = {}
    for i = 1, #FEATURES do
      row[i] = ("%-6.2f"):format(model.coef_[i]); m[3][i][k] = model.coef_[i]
    end
    print(("%s %-7g %s  R²(테스트) %.4f"):format(pad(m[1], 5), m[1] == "릿지" and a or a / 10,
      table.concat(row, " "), model:score(Ste, yte)))
  end
end
local fig = plot.subplots{cols = 2, title = "규제의 세기에 따른 계수", width = 480, height = 400}
for p, which in ipairs {{ridge_paths, "릿지 (alpha)", 1}, {lasso_paths, "라쏘 (alpha)", 10}} do
  local series = {}
  for i = 1, #FEATURES do
    local xs = {}
    for k, a in ipairs(ALPHAS) do xs[k] = math.log(a / which[3], 10) end
    series[i] = {x = xs, y = which[1][i], label = NAMES[i], marker = "o"}
  end
  plot.lines(series, fig, {title = which[2], xlabel = "log10(alpha)", ylabel = "계수",
    legend = p == 1})
end
fig:save(out "regularization.png", {caption = "규제의 세기(alpha)를 키울 때 표준화한 특성의 " ..
  "계수. 릿지는 계수를 고르게 줄이고, 라쏘는 계수를 하나씩 0으로 만든다.",
  label = "fig-regularization"})

-- %% 4.11 학습 곡선
-- 훈련 데이터의 양을 늘려 가며 훈련 오차와 검증 오차를 잰다 (5겹 교차 검증).
local sizes, tr, te = ml.learning_curve(ml.LinearRegression(), Str, ytr, {cv = 5,
  train_sizes = {0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0}, scoring = "neg_mean_squared_error"})
local trm, tem = (-tr):mean(2):totable(), (-te):mean(2):totable()
title("학습 곡선 (MSE, 5겹 평균)")
for i, s in ipairs(sizes) do
  print(("훈련 %3d대: 훈련 MSE %7.3f, 검증 MSE %7.3f"):format(s, trm[i], tem[i]))
end
plot.lines({{x = sizes, y = trm, label = "훈련 오차", marker = "o"},
            {x = sizes, y = tem, label = "검증 오차", marker = "s"}}, out "learning_curve.png",
  {ylim = {0, 30}, title = "선형 회귀의 학습 곡선", xlabel = "훈련 데이터의 수",
   ylabel = "MSE",
   caption = "훈련 데이터가 늘수록 훈련 오차는 오르고 검증 오차는 내려와 둘이 만난다. " ..
             "두 곡선이 만난 높이가 이 모델의 한계이다.", label = "fig-learning-curve"})
