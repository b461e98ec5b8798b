-- LAB 4-1 오차 곡면 위의 경사 하강법
-- 입력 x 하나로 y를 예측하는 직선 가설 y^ = wx + b를 데이터에 맞춘다.
-- 오차(MSE, MAE)를 재고, (w, b)에 대한 오차 곡면을 그린 뒤, 경사 하강법으로
-- w와 b를 직접 고쳐 나간다. 마지막으로 같은 답을 LinearRegression과
-- 정규 방정식(normal equation)으로 한 번에 구한다.
-- 실행: ./workbook run ch4/lab1.lua   (그림은 out/ch4/lab1/ 에 저장된다)
local T, ml, plot = require "tensor", require "ml", require "plot"
local linalg = require "linalg"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end

-- %% 4.1 데이터와 가설
-- 교재의 오염도 데이터(pollution.csv) 대신, 같은 모양의 데이터를 만든다:
-- 입력 x는 0과 1 사이, 참값은 y = -2.5x + 5에 잡음(표준편차 0.4)을 더한 것.
T.seed(4)
local N = 100
local x = T.rand(N)
local y = x * -2.5 + 5 + T.randn(N) * 0.4
print(("데이터 %d개, x의 범위 %.3f ~ %.3f"):format(N, x:min(), x:max()))

local function h(xs, w, b) return xs * w + b end     -- 가설 y^ = wx + b
local function mse(w, b) return (h(x, w, b) - y):square():mean() end

title("가설 두 개의 평균제곱오차(MSE)")
for _, p in ipairs {{1, 1}, {-3, 6}} do
  print(("w = %2d, b = %d: MSE = %.4f"):format(p[1], p[2], mse(p[1], p[2])))
end
plot.scatter(x, y, out "hypotheses.png", {label = "데이터", size = 3, alpha = 0.7,
  lines = {{x = {0, 1}, y = {1, 2}, label = "가설 w = 1, b = 1", color = "orange"},
           {x = {0, 1}, y = {6, 3}, label = "가설 w = -3, b = 6", color = "green"}},
  title = "데이터와 두 가설", xlabel = "입력 x", ylabel = "출력 y",
  caption = "데이터(점)와 두 직선 가설. w = -3, b = 6인 직선이 데이터에 훨씬 가깝다.",
  fig_label = "fig-hypotheses"})

-- %% 4.2 오차를 재는 방법: MSE와 MAE
-- 교재의 예: 정답 1, 2, ..., 10과 예측값 10개
local y_hat = T{1.2, 2.1, 2.9, 4.1, 4.7, 6.3, 7.1, 7.7, 8.5, 10.1}
local y_true = T.arange(1, 11)
local mse_hand = (y_hat - y_true):square():sum() / 10
local mae_hand = (y_hat - y_true):abs():sum() / 10
title("MSE와 MAE: 직접 계산 / sklearn과 같은 함수")
print(("MSE = %.4f / %.4f"):format(mse_hand, ml.metrics.mean_squared_error(y_true, y_hat)))
print(("MAE = %.4f / %.4f"):format(mae_hand, ml.metrics.mean_absolute_error(y_true, y_hat)))
book.value("mse_hand", mse_hand, "%.3f")
book.value("mae_hand", mae_hand, "%.2f")

-- %% 4.3 오차 곡면
-- MSE는 w와 b의 함수이다. (w, b) 평면의 점마다 MSE를 높이로 그리면
-- 밑이 둥근 그릇 모양의 곡면이 된다. 그릇의 바닥이 우리가 찾는 (w, b)이다.
local W_LIM, B_LIM = {-6, 3}, {0, 9}

-- %% 4.4 경사 하강법으로 w와 b 고치기
-- MSE의 편미분: dE/dw = 2 mean((y^ - y) x), dE/db = 2 mean(y^ - y).
-- 기울기의 반대 방향으로 학습률(learning rate) η만큼 움직인다.
local function descend(eta, steps, w, b)
  local path = {{w, b, mse(w, b)}}
  for _ = 1, steps do
    local err = h(x, w, b) - y
    local gw = 2 * (err * x):mean()
    local gb = 2 * err:mean()
    w, b = w - eta * gw, b - eta * gb
    path[#path + 1] = {w, b, mse(w, b)}
  end
  return w, b, path
end

-- 학습률의 한계: MSE의 헤세 행렬(Hessian) H = 2 [[mean(x²), mean(x)], [mean(x), 1]]의
-- 가장 큰 고윳값을 λ라 하면 η < 2/λ일 때만 수렴한다.
local mx, mx2 = x:mean(), x:square():mean()
local lam = linalg.eigvalsh(T{{2 * mx2, 2 * mx}, {2 * mx, 2}}):max()
title("학습률의 한계")
print(("헤세 행렬의 가장 큰 고윳값 λ = %.4f, 수렴하려면 η < 2/λ = %.4f"):format(lam, 2 / lam))
book.value("eta_max", 2 / lam, "%.3f")

local STEPS, W0, B0 = 50, 2, 1.5
local runs = {{eta = 0.05, color = "blue"}, {eta = 0.6, color = "red"},
              {eta = 0.85, color = "black"}}
title(("(w, b) = (%g, %g)에서 시작해 %d걸음"):format(W0, B0, STEPS))
for _, r in ipairs(runs) do
  local w, b, path = descend(r.eta, STEPS, W0, B0)
  r.w, r.b, r.path = w, b, path
  print(("η = %-4g: w = %8.4f, b = %8.4f, MSE = %.4g"):format(r.eta, w, b, mse(w, b)))
  book.value(("mse_eta%g"):format(r.eta):gsub("%.", "_"), mse(w, b), "%.3g")
end

-- 학습률 0.6의 발자취를 오차 곡면 위에 그린다
plot.surface(mse, out "error_surface.png", {xlim = W_LIM, ylim = B_LIM, n = 40,
  path = runs[2].path, elev = 45, azim = -50,
  title = "오차 곡면과 경사 하강법 (η = 0.6)", xlabel = "w", ylabel = "b", zlabel = "MSE",
  caption = "(w, b)에 대한 MSE 곡면과, 학습률 0.6인 경사 하강법이 밟은 점들. " ..
            "곡면은 그릇 모양이고 바닥은 하나뿐이다.", label = "fig-error-surface"})

-- 위에서 내려다본 등고선 위에 세 학습률의 경로를 겹친다
local function xy(path, upto)
  local ws, bs = {}, {}
  for i = 1, math.min(#path, upto) do ws[i], bs[i] = path[i][1], path[i][2] end
  return ws, bs
end
local paths = {}
for i, r in ipairs(runs) do
  local ws, bs = xy(r.path, i == 3 and 8 or #r.path)
  paths[i] = {x = ws, y = bs, color = r.color, label = ("η = %g"):format(r.eta)}
end
-- MSE는 바닥 근처와 가장자리의 값 차이가 커서, 높이로 log10(MSE)를 쓴다
plot.contour(function(w, b) return math.log(mse(w, b), 10) end, out "descent_paths.png",
  {xlim = W_LIM, ylim = B_LIM, levels = 14, paths = paths, colorbar_label = "log10(MSE)",
  title = "등고선 위의 경사 하강법 경로", xlabel = "기울기 w", ylabel = "절편 b",
  caption = "오차 곡면을 위에서 본 등고선(높이는 log10 MSE)과 세 학습률의 경로. 0.05는 천천히 골짜기를 " ..
            "따라가고, 0.6은 골짜기를 가로질러 튀며 빨리 내려가고, 0.85는 점점 멀리 튀어 " ..
            "발산한다(처음 8걸음만 그렸다).", label = "fig-descent-paths"})

-- 걸음마다의 MSE (발산하는 0.85는 빼고, 0번째 걸음은 출발점)
local curves = {}
for i, r in ipairs(runs) do
  if i < 3 then
    local xs, ys = {}, {}
    for k = 1, #r.path do xs[k], ys[k] = k - 1, r.path[k][3] end
    curves[#curves + 1] = {x = xs, y = ys, label = ("η = %g"):format(r.eta), color = r.color}
  end
end
plot.lines(curves, out "loss_curves.png", {ylim = {0, 4.5},
  title = "걸음마다의 MSE", xlabel = "걸음", ylabel = "MSE",
  caption = "학습률 0.05와 0.6에서 걸음마다의 MSE.", label = "fig-loss-curves"})

-- %% 4.5 LinearRegression과 정규 방정식
-- 사이킷런 방식: 입력은 (N, 1) 행렬이어야 한다 (넘파이의 x[:, np.newaxis])
local X = x:reshape(N, 1)
local regr = ml.LinearRegression():fit(X, y)
title("LinearRegression")
print(("w = %.4f, b = %.4f, R² = %.4f"):format(regr.coef_[1], regr.intercept_, regr:score(X, y)))
-- 정규 방정식: 첫 열이 1인 행렬 X_b로 (X_bᵀX_b) θ = X_bᵀ y를 푼다
local Xb = T.concat({T.ones(N, 1), X}, 2)
local XtX = Xb:transpose():matmul(Xb)
local theta = linalg.solve(XtX, Xb:transpose():matmul(y:reshape(N, 1)))
title("정규 방정식 θ = (XᵀX)⁻¹ Xᵀ y")
print(("b = θ₀ = %.4f, w = θ₁ = %.4f"):format(theta:get(1, 1), theta:get(2, 1)))
print(("경사 하강법(η = 0.6, %d걸음): w = %.4f, b = %.4f"):format(STEPS, runs[2].w, runs[2].b))
book.value("lin_w", regr.coef_[1], "%.3f")
book.value("lin_b", regr.intercept_, "%.3f")
plot.scatter(x, y, out "fit.png", {label = "데이터", size = 3, alpha = 0.7,
  lines = {{x = {0, 1}, y = regr:predict(T{{0}, {1}}), label = "LinearRegression", color = "red"}},
  title = "최소제곱 직선", xlabel = "입력 x", ylabel = "출력 y",
  caption = "LinearRegression이 찾은 직선. 정규 방정식의 답과 같다.", fig_label = "fig-fit"})
