-- 차원의 저주를 재 보자: 단위 초입방체 [0, 1]^d 안에 고르게 흩어진 점들
-- 사이의 거리가 차원 d가 커지면서 어떻게 달라지는지, 그리고 부피의
-- 얼마가 표면 가까이에 몰리는지 직접 계산한다.
-- 그림은 out/ch11/lab1/ 에 저장된다.
local tensor, plot = require "tensor", require "plot"
local book = require "book"

tensor.seed(11)
local QUICK = os.getenv("WORKBOOK_QUICK") == "1"

-- %% 실험 설정
-- 차원마다 점 n개를 뽑고, 따로 뽑은 질의점(query) q개에서 n개 점까지의
-- 거리를 모두 잰다. 질의점마다 가장 가까운 점과 가장 먼 점의 거리 비를
-- 구해 평균을 낸다.
local dims = {1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000}
local n, q = 1000, 100
if QUICK then
  n, q = 200, 20
  print("WORKBOOK_QUICK=1: 점 1000개, 질의점 100개 대신 점 200개, 질의점 20개로 잰다")
end
print(("차원마다 점 %d개, 질의점 %d개"):format(n, q))

-- 제곱 거리 |a - b|^2 = |a|^2 + |b|^2 - 2 a·b 를 행렬 곱 한 번으로 계산한다
local function distances(Q, X)
  local qq = (Q * Q):sum(2, true)                      -- (q, 1)
  local xx = (X * X):sum(2, true):reshape(1, X:shape()[1])  -- (1, n)
  local d2 = qq + xx - Q:matmul(X:transpose(1, 2)) * 2
  return d2:maximum(0):sqrt()                          -- (q, n)
end

-- %% 차원에 따른 거리
local eps = 0.01          -- "표면 가까이": 어느 한 좌표라도 면에서 0.01 안쪽
print(("%6s %12s %12s %16s %14s %14s"):format("차원", "평균 거리", "sqrt(d/6)",
      "최근접/최원점", "표면 근처(잰 값)", "1-(1-2ε)^d"))
local logd, mean_d, theory, ratio, near_m, near_t = {}, {}, {}, {}, {}, {}
for i, d in ipairs(dims) do
  local X = tensor.rand(n, d, {dtype = "float64"})
  local Q = tensor.rand(q, d, {dtype = "float64"})
  local D = distances(Q, X)
  local r = (D:min(2) / D:max(2)):mean()
  -- 표면 근처: 어떤 좌표가 eps보다 작거나 1 - eps보다 큰 점
  local edge = X:lt(eps):sum(2):add(X:gt(1 - eps):sum(2)):gt(0):sum() / n
  logd[i], mean_d[i], theory[i] = math.log(d, 10), D:mean(), math.sqrt(d / 6)
  ratio[i], near_m[i], near_t[i] = r, edge, 1 - (1 - 2 * eps) ^ d
  print(("%6d %12.3f %12.3f %16.3f %14.3f %14.3f"):format(d, mean_d[i], theory[i],
        r, edge, near_t[i]))
  book.value(("ratio_%d"):format(d), r, "%.3f")
  book.value(("mean_%d"):format(d), mean_d[i], "%.2f")
  book.value(("edge_%d"):format(d), edge, "%.3f")
  book.value(("edge_theory_%d"):format(d), near_t[i], "%.3f")
end
book.value("n_points", n)

-- %% 그림
local fig = plot.subplots{cols = 3, title = "차원의 저주: 단위 초입방체 안의 무작위 점", width = 400,
                          height = 360}
plot.lines({{x = logd, y = mean_d, label = "잰 값", marker = "o"},
            {x = logd, y = theory, label = "sqrt(d/6)", style = "--"}}, fig,
           {title = "두 점 사이의 평균 거리", xlabel = "log10(차원 수 d)", ylabel = "거리"})
plot.lines({{x = logd, y = ratio, label = "최근접 / 최원점", marker = "o"}}, fig,
           {title = "가장 가까운 점과 가장 먼 점의 거리 비", xlabel = "log10(차원 수 d)",
            ylabel = "거리 비", ylim = {0, 1}})
plot.lines({{x = logd, y = near_m, label = "잰 값", marker = "o"},
            {x = logd, y = near_t, label = "1-(1-2ε)^d", style = "--"}}, fig,
           {title = "표면에서 0.01 안쪽에 있는 점의 비율", xlabel = "log10(차원 수 d)",
            ylabel = "비율", ylim = {0, 1.05}})
fig:save(out "curse.png", {caption = "차원이 커질수록 점들은 서로 멀어지고(왼쪽), 가장 가까운 점과 가장 먼 점의 " ..
         "거리가 비슷해지며(가운데), 거의 모든 점이 표면 근처에 놓인다(오른쪽).",
         label = "fig-ch11-curse"})
