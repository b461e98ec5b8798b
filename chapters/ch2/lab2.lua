-- LAB 2-2 미분과 기울기를 수치로 계산하기
-- 도함수를 아주 작은 h로 근사하는 수치 미분(numerical differentiation)을
-- 해 보고, h를 줄일 때 오차가 어떻게 변하는지 본다. 그다음 두 변수
-- 함수의 기울기(gradient)를 같은 방법으로 구해 등고선 위에 그린다.
-- 실행: ./workbook run ch2/lab2.lua   (그림은 out/ch2/lab2/ 에 저장된다)
local tensor, plot = require "tensor", require "plot"
local book = require "book"

-- %% 한 변수 함수와 그 도함수
-- f(x) = x^3 - 3x 의 도함수는 f'(x) = 3x^2 - 3 이다 (해석적 미분).
local function f(x) return x ^ 3 - 3 * x end
local function df(x) return 3 * x ^ 2 - 3 end

-- 전방 차분(forward difference)과 중앙 차분(central difference)
local function forward(fn, x, h) return (fn(x + h) - fn(x)) / h end
local function central(fn, x, h) return (fn(x + h) - fn(x - h)) / (2 * h) end

local x0 = 2
print(("x = %g 에서 참 미분값 f'(x) = %g"):format(x0, df(x0)))
-- 한글은 고정폭 글꼴에서 두 칸을 차지하므로 제목 줄은 칸을 직접 맞췄다
print("       h       전방 차분          오차       중앙 차분          오차")
local hs, err_f, err_c = {}, {}, {}
for k = 1, 12 do
  local h = 10.0 ^ -k
  local a, c = forward(f, x0, h), central(f, x0, h)
  hs[k], err_f[k], err_c[k] = h, math.abs(a - df(x0)), math.abs(c - df(x0))
  print(("%8.0e  %14.10f  %12.2e  %14.10f  %12.2e"):format(h, a, err_f[k], c, err_c[k]))
end

-- %% 그림 1: 접선과 오차
-- 왼쪽: 곡선과 x = 2에서의 접선(기울기 = 미분값).
-- 오른쪽: h에 따른 오차를 로그 눈금(log10)으로. h가 너무 크면 근사식의
-- 오차(절단 오차, truncation error)가, 너무 작으면 컴퓨터가 실수를
-- 유한한 자릿수로 저장해서 생기는 반올림 오차(round-off error)가 커진다.
local xs = tensor.linspace(-2.5, 3, 111)
local ys = xs:totable()
for i, x in ipairs(ys) do ys[i] = f(x) end
local slope = df(x0)
local tangent_x = {0.8, 3}
local tangent_y = {f(x0) + slope * (0.8 - x0), f(x0) + slope * (3 - x0)}
local fig = plot.subplots{cols = 2, width = 480, height = 400,
                          title = "수치 미분: 접선의 기울기와 h에 따른 오차"}
plot.lines({{x = xs, y = ys, label = "f(x) = x^3 - 3x"},
            {x = tangent_x, y = tangent_y, label = "x = 2에서의 접선",
             style = "--", color = "red"},
            {x = {x0}, y = {f(x0)}, marker = "o", color = "red"}},
           fig, {title = "곡선과 접선", xlabel = "x", ylabel = "f(x)", ylim = {-6, 14}})
local lh, lf, lc = {}, {}, {}
for k = 1, #hs do
  lh[k] = math.log(hs[k], 10)
  lf[k] = math.log(math.max(err_f[k], 1e-16), 10)
  lc[k] = math.log(math.max(err_c[k], 1e-16), 10)
end
plot.lines({{x = lh, y = lf, label = "전방 차분", marker = "o"},
            {x = lh, y = lc, label = "중앙 차분", marker = "s"}},
           fig, {title = "h에 따른 오차", xlabel = "log10(h)", ylabel = "log10(|오차|)"})
fig:save(out "derivative.png", {caption = "왼쪽: f(x) = x^3 - 3x와 x = 2에서의 접선. " ..
  "오른쪽: h에 따른 전방 차분과 중앙 차분의 오차 (두 축 모두 log10).", label = "fig-derivative"})
-- 오차가 가장 작았던 h를 책에 싣는다
local best_f, best_c = 1, 1
for k = 2, #hs do
  if err_f[k] < err_f[best_f] then best_f = k end
  if err_c[k] < err_c[best_c] then best_c = k end
end
book.value("best_h_forward", hs[best_f], "%.0e")
book.value("best_h_central", hs[best_c], "%.0e")

-- %% 두 변수 함수의 기울기(gradient)
-- 편미분(partial derivative)을 변수마다 하나씩 수치로 구해 모으면
-- 기울기 벡터 ∇f = (∂f/∂x, ∂f/∂y)가 된다.
local function g(x, y) return x ^ 2 + 3 * y ^ 2 end
local function numerical_gradient(fn, x, y, h)
  h = h or 1e-5
  return (fn(x + h, y) - fn(x - h, y)) / (2 * h),
         (fn(x, y + h) - fn(x, y - h)) / (2 * h)
end
for _, p in ipairs {{1, 1}, {-2, 0.5}, {0, -1}} do
  local gx, gy = numerical_gradient(g, p[1], p[2])
  print(("점 (%g, %g): 수치 기울기 (%.6f, %.6f), 해석적 기울기 (%g, %g)")
        :format(p[1], p[2], gx, gy, 2 * p[1], 6 * p[2]))
end

-- %% 그림 2: 등고선 위의 기울기
-- 격자점마다 -∇f 방향으로 짧은 화살표를 긋는다. 화살표는 언제나
-- 등고선에 수직이고, 함수값이 가장 빨리 줄어드는 쪽을 가리킨다.
local function arrow(x, y, dx, dy)             -- 선 하나로 그린 화살표
  local ex, ey = x + dx, y + dy
  local hx, hy = -0.3 * dx, -0.3 * dy          -- 머리: 끝에서 뒤로 꺾인 두 선
  local c, s = math.cos(0.45), math.sin(0.45)
  return {x = {x, ex, ex + c * hx - s * hy, ex, ex + c * hx + s * hy},
          y = {y, ey, ey + s * hx + c * hy, ey, ey - s * hx + c * hy},
          color = "#ff7f0e", marker = ""}
end
local arrows = {}
for _, x in ipairs {-2.4, -1.2, 0, 1.2, 2.4} do
  for _, y in ipairs {-1.6, -0.8, 0, 0.8, 1.6} do
    if x ~= 0 or y ~= 0 then
      local gx, gy = numerical_gradient(g, x, y)
      local len = math.sqrt(gx * gx + gy * gy)
      arrows[#arrows + 1] = arrow(x, y, -0.5 * gx / len, -0.5 * gy / len)
    end
  end
end
arrows[1].label = "-∇f 방향 (길이는 같게)"
plot.contour(g, out "gradient.png", {xlim = {-3, 3}, ylim = {-2.2, 2.2},
  levels = 12, paths = arrows, equal = true,
  title = "f(x, y) = x^2 + 3y^2 의 등고선과 -∇f", xlabel = "x", ylabel = "y",
  caption = "f(x, y) = x^2 + 3y^2의 등고선과, 격자점마다 -∇f 방향의 화살표(길이는 같게 맞춤).",
  label = "fig-gradient"})
