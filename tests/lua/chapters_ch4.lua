-- chapters_ch4.lua - the labs of chapter 4 (linear regression), each run
-- as a student runs it (./workbook run ch4/labK.lua, WORKBOOK_QUICK=1) in a
-- child process writing into a temporary out folder: exit status 0, the
-- lines that carry the lesson, the numbers mathematics fixes (the
-- textbook's MSE 0.061 and MAE 0.21, the normal equation agreeing with
-- LinearRegression, the learning-rate bound 2/lambda deciding divergence),
-- scikit-learn's LinearRegression on the cars data after dropna
-- (tests/fixtures/make_ch4_fixtures.py), and every figure, not blank.
local t = require "tap"
local SK = dofile(arg[0]:match("(.*/)") .. "../fixtures/ch4_cars.lua")

local L = require("helpers.chapter_labs")(t, "ch4")
local lab, has = L.lab, L.has

local function near(a, b, tol, name)
  local ok = t.ok(a and math.abs(a - b) <= tol, name)
  if not ok then t.diag(("got %s, want %.6g (tol %g)"):format(tostring(a), b, tol)) end
end

-- LAB 4-1: errors, the error surface, gradient descent, the normal equation ----
do
  local s = lab("ch4/lab1.lua", {
    {"MSE = 0.0610 / 0.0610", "the textbook's MSE, by hand and by the metric"},
    {"MAE = 0.2100 / 0.2100", "the textbook's MAE, by hand and by the metric"},
  }, {{"hypotheses.png", 600, 450}, {"error_surface.png", 600, 500},
      {"descent_paths.png", 600, 500}, {"loss_curves.png", 600, 450}, {"fit.png", 600, 450}})
  local lw, lb = s:match("== LinearRegression ==\nw = ([%d.-]+), b = ([%d.-]+)")
  local nb, nw = s:match("b = θ₀ = ([%d.-]+), w = θ₁ = ([%d.-]+)")
  t.ok(lw and nw and lw == nw and lb == nb,
       "ch4/lab1: the normal equation gives LinearRegression's w and b")
  local bound = tonumber(s:match("η < 2/λ = ([%d.]+)"))
  t.ok(bound and bound > 0.6 and bound < 0.85, "ch4/lab1: the bound 2/λ lies between 0.6 and 0.85")
  local m6 = tonumber(s:match("η = 0%.6 : w = +[%d.-]+, b = +[%d.-]+, MSE = ([%d.e+-]+)"))
  local m85 = tonumber(s:match("η = 0%.85: w = +[%d.-]+, b = +[%d.-]+, MSE = ([%d.e+-]+)"))
  local m05 = tonumber(s:match("η = 0%.05: w = +[%d.-]+, b = +[%d.-]+, MSE = ([%d.e+-]+)"))
  t.ok(m6 and m05 and m85 and m6 < m05 and m85 > 1000,
       "ch4/lab1: 0.6 converges, 0.05 is slower, 0.85 (above 2/λ) diverges")
  local gw = tonumber(s:match("경사 하강법%(η = 0%.6, 50걸음%): w = ([%d.-]+)"))
  near(gw, tonumber(lw), 0.1, "ch4/lab1: 50 steps of η = 0.6 come within 0.1 of the least-squares w")
end

-- LAB 4-2: cars, multivariate regression ------------------------------------------
do
  local s = lab("ch4/lab2.lua", {
    {"자동차 406대, 열 9개", "406 cars, 9 columns"},
    {("결측값이 있는 행을 지운 뒤: %d대"):format(SK.rows), "dropna leaves pandas's 392 rows"},
    {"훈련 313대, 테스트 79대", "an 80/20 split"},
    {"표준화 후 테스트 R²", "standardised fit reported"},
    {"MinMaxScaler 후 훈련 데이터의 범위: 0.0 ~ 1.0", "min-max scaling to [0, 1]"},
  }, {{"corr.png", 500, 450}, {"pairplot.png", 600, 600}, {"pred_vs_true.png", 600, 450},
      {"regularization.png", 900, 400}, {"learning_curve.png", 600, 450}})
  near(tonumber(s:match("연비와 무게의 상관계수: ([%d.-]+)")), SK.corr_mpg_weight, 1e-4,
       "ch4/lab2: corr(mpg, weight) as pandas")
  local coef = {}
  for v in (s:match("coef = ([^\n]+)") or ""):gmatch("[%d.-]+") do coef[#coef + 1] = tonumber(v) end
  t.is(#coef, 6, "ch4/lab2: six coefficients printed")
  for i = 1, 6 do
    near(coef[i], SK.coef[i], 1e-5 + 1e-4 * math.abs(SK.coef[i]),
         ("ch4/lab2: coef of %s as scikit-learn"):format(SK.features[i]))
  end
  local icpt, r2 = s:match("intercept = ([%d.-]+), R² = ([%d.]+)")
  near(tonumber(icpt), SK.intercept, 1e-3, "ch4/lab2: intercept as scikit-learn")
  near(tonumber(r2), SK.r2, 1e-5, "ch4/lab2: training R² as scikit-learn")
  -- the test R² is the same with and without standardisation
  local r_raw = s:match("테스트: MSE = [%d.]+, RMSE = [%d.]+, MAE = [%d.]+, R² = ([%d.]+)")
  local r_std = s:match("표준화 후 테스트 R² = ([%d.]+)")
  t.ok(r_raw and r_raw == r_std, "ch4/lab2: scaling does not change LinearRegression's predictions")
  -- the strongest lasso wipes every weight out
  has(s, "0.00   0.00   0.00   0.00   0.00   0.00", "lasso alpha = 10 sets every weight to 0")
end

-- LAB 4-3: scaling and SGDRegressor -------------------------------------------------
do
  local s = lab("ch4/lab3.lua", {
    {"훈련 313대, 테스트 79대", "the split of LAB 4-2"},
    {"make_pipeline(StandardScaler(), SGDRegressor())", "the pipeline is shown"},
  }, {{"coef_compare.png", 600, 450}})
  local craw = tonumber(s:match("원래 특성: .-조건수 λ_max/λ_min = ([%d.e+-]+)"))
  local cstd = tonumber(s:match("표준화한 특성: .-조건수 λ_max/λ_min = ([%d.e+-]+)"))
  t.ok(craw and cstd and craw > 1e8 and cstd < 1e3,
       "ch4/lab3: standardising shrinks the Hessian's condition number by orders of magnitude")
  local emax = tonumber(s:match("표준화한 특성: .-η < ([%d.e+-]+)"))
  -- standardised columns: the intercept direction has eigenvalue 2 and the
  -- rest sum to 2d, so lambda_max lies in [2, 2d] and 2/lambda_max in [1/d, 1]
  t.ok(emax and emax >= 1 / 6 - 1e-3 and emax <= 1, "ch4/lab3: 2/λ_max of standardised data in [1/6, 1]")
  local raw = tonumber(s:match("테스트 R² = ([%d.e+-]+)  %(발산"))
  t.ok(raw and raw < -1e6, "ch4/lab3: SGD on raw features diverges")
  local sgd = s:match("반복%(epoch%) %d+번, 테스트 R² = ([%d.]+)")
  local pipe = s:match("make_pipeline.-테스트 R² = ([%d.]+)")
  t.ok(sgd and tonumber(sgd) > 0.75, "ch4/lab3: SGD on standardised features fits (R² > 0.75)")
  t.is(pipe, sgd, "ch4/lab3: the pipeline gives the same R² as scaling by hand")
end

L.done()
t.done()
