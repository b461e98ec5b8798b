-- LAB 2-3 경사 하강법: 학습률에 따라 달라지는 발걸음
-- 한 변수 함수와 두 변수 함수에서 경사 하강법(gradient descent)을
-- 세 가지 학습률(learning rate)로 돌리고, 그 발자취를 그림으로 비교한다.
-- 실행: ./workbook run ch2/lab3.lua   (그림은 out/ch2/lab3/ 에 저장된다)
local tensor, plot = require "tensor", require "plot"
local book = require "book"

-- %% 한 변수: f(x) = x^2
-- 갱신 규칙 x ← x - η f'(x) 에서 f'(x) = 2x 이므로 x ← (1 - 2η) x 가 된다.
local function f(x) return x * x end
local function df(x) return 2 * x end

local function descend_1d(x, lr, steps)
  local xs, ys = {x}, {f(x)}
  for _ = 1, steps do
    x = x - lr * df(x)
    xs[#xs + 1], ys[#ys + 1] = x, f(x)
  end
  return xs, ys
end

local RATES = {0.1, 0.8, 1.05}
local NAMES = {"η = 0.1 (작음)", "η = 0.8 (큼)", "η = 1.05 (너무 큼)"}
local curve_x = tensor.linspace(-3.2, 3.2, 101)
local fig = plot.subplots{cols = 3, width = 380, height = 360,
  title = "f(x) = x^2 에서 학습률에 따른 경사 하강법 (x = 2.5에서 출발, 8걸음)"}
for k, lr in ipairs(RATES) do
  local xs, ys = descend_1d(2.5, lr, 8)
  local shown = {}
  for i, v in ipairs(xs) do shown[i] = ("%.3f"):format(v) end
  print(("η = %-5g  %s"):format(lr, table.concat(shown, " → ")))
  plot.lines({{x = curve_x, y = curve_x:square(), color = "gray"},
              {x = xs, y = ys, marker = "o", color = "C" .. (k - 1), label = "발걸음"}},
             fig, {title = NAMES[k], xlabel = "x", ylabel = "f(x)",
                   xlim = {-3.3, 3.3}, ylim = {-0.5, 10.5}})
end
fig:save(out "gd_1d.png", {caption = "f(x) = x^2에서 세 학습률로 8걸음씩 내려간 경사 하강법: " ..
  "한쪽에서 천천히 다가감, 진동하며 다가감, 발산.", label = "fig-gd-1d"})

-- %% 두 변수: f(w1, w2) = w1^2 + 5 w2^2
-- 기울기는 (2 w1, 10 w2)이다. w2 방향이 다섯 배 가파른 골짜기라서
-- 한 학습률이 두 방향 모두에 알맞기 어렵다.
local function loss(w1, w2) return w1 * w1 + 5 * w2 * w2 end
local function grad(w1, w2) return 2 * w1, 10 * w2 end

local function descend_2d(w1, w2, lr, steps)
  local p = {x = {w1}, y = {w2}}
  for _ = 1, steps do
    local g1, g2 = grad(w1, w2)
    w1, w2 = w1 - lr * g1, w2 - lr * g2
    p.x[#p.x + 1], p.y[#p.y + 1] = w1, w2
  end
  return p, w1, w2
end

local RATES_2D = {0.02, 0.15, 0.205}
local COLORS_2D = {"#ff7f0e", "#d62728", "#e377c2"}   -- 세 그림에서 같은 색
local paths = {}
print()
for k, lr in ipairs(RATES_2D) do
  local p, w1, w2 = descend_2d(-2.6, 1.4, lr, 25)
  p.label = ("η = %g"):format(lr)
  p.color = COLORS_2D[k]
  paths[k] = p
  print(("η = %-5g: 25걸음 뒤 (w1, w2) = (%.4f, %.4f), 손실 %.4f")
        :format(lr, w1, w2, loss(w1, w2)))
  book.value("loss" .. k, loss(w1, w2), "%.4g")
end
plot.contour(loss, out "gd_2d.png", {xlim = {-3, 3}, ylim = {-2, 2}, levels = 14,
  paths = paths, title = "f(w1, w2) = w1^2 + 5 w2^2 위의 경사 하강법 (25걸음)",
  xlabel = "w1", ylabel = "w2",
  caption = "f(w1, w2) = w1^2 + 5 w2^2의 등고선 위에 그린 세 학습률의 경사 하강법 경로 (25걸음).",
  label = "fig-gd-2d"})

-- %% 손실이 줄어드는 모습
-- 걸음마다 손실을 기록해 한 그래프에 그린다. 발산하는 경우는 값이
-- 너무 커지므로 손실을 10을 밑으로 하는 로그(log10)로 그린다.
local series = {}
for k, lr in ipairs(RATES_2D) do
  local p = descend_2d(-2.6, 1.4, lr, 25)
  local steps, ls = {}, {}
  for i = 1, #p.x do steps[i], ls[i] = i - 1, math.log(loss(p.x[i], p.y[i]), 10) end
  series[k] = {x = steps, y = ls, label = ("η = %g"):format(lr), marker = "o",
               color = COLORS_2D[k]}
end
plot.lines(series, out "loss_curves.png", {title = "걸음마다의 손실",
  xlabel = "걸음 수 (0 = 출발점)", ylabel = "log10(손실)",
  caption = "걸음마다의 손실 (log10 눈금). 일정한 비율로 줄어드는 손실은 직선이 된다.",
  label = "fig-gd-loss"})
