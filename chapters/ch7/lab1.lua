-- LAB 7-1 가중치를 정해 둔 퍼셉트론으로 논리 게이트 만들기
-- 입력 두 개(x1, x2)를 받아 가중합 s = w1*x1 + w2*x2 + b를 구하고, s가 0보다
-- 크면 1, 작으면 -1을 내놓는 퍼셉트론(perceptron)이다(s = 0이면 0: 결정하지 못함). 가중치와 편향을 손으로
-- 골라 AND, NAND, OR 게이트를 만들고, 진리표와 결정 직선을 그린다.
-- 참은 1, 거짓은 -1로 나타낸다(교재와 같은 양극성(bipolar) 표기).
-- 실행: ./workbook run ch7/lab1.lua   (그림은 out/ch7/lab1/ 에 저장된다)
local T, plot = require "tensor", require "plot"

local function title(s) print("\n== " .. s .. " ==") end

-- %% 입력 네 개와 퍼셉트론
-- 네 가지 입력 조합을 (4, 2) 행렬의 행으로 쌓는다. 퍼셉트론 하나가 네 입력을
-- 한꺼번에 계산한다: 행마다 입력과 가중치를 곱해 더한 s = x1*w1 + x2*w2 + b,
-- 출력 = 계단 함수(s).
local X = T{{-1, -1}, {-1, 1}, {1, -1}, {1, 1}}

-- 계단 함수(step function): s > 0이면 1, s < 0이면 -1, s = 0이면 0 (부호 함수)
local function step(s) return s:sign() end

local function perceptron(w, b, inputs)
  local s = (inputs * T(w)):sum(2) + b       -- 행마다의 가중합, 모양 (4,)
  return step(s), s
end

-- %% AND, NAND, OR 게이트
local gates = {
  {name = "AND",  w = {0.5, 0.5},   b = -0.7},
  {name = "NAND", w = {-0.5, -0.5}, b = 0.7},
  {name = "OR",   w = {0.7, 0.7},   b = 0.5},
}
local function truth_table(g)
  local y, s = perceptron(g.w, g.b, X)
  title(("%s 게이트: w = (%g, %g), b = %g"):format(g.name, g.w[1], g.w[2], g.b))
  print(" x1  x2 |   가중합 s | 출력")
  for i = 1, 4 do
    print((" %2d  %2d | %10.2f | %3d"):format(X[i][1], X[i][2], s[i], y[i]))
  end
  return y
end
for _, g in ipairs(gates) do g.y = truth_table(g) end

-- %% 결정 직선
-- 출력이 바뀌는 경계는 w1*x1 + w2*x2 + b = 0인 직선이다. x2에 대해 풀면
-- x2 = -(w1*x1 + b) / w2. 직선 한쪽의 입력은 1, 다른 쪽은 -1이 된다.
local function boundary(w, b, lo, hi)
  return {x = {lo, hi}, y = {-(w[1] * lo + b) / w[2], -(w[1] * hi + b) / w[2]}}
end
local fig = plot.subplots{cols = 3, width = 380, height = 380,
  title = "고정된 가중치의 퍼셉트론이 만드는 결정 직선"}
for _, g in ipairs(gates) do
  local line = boundary(g.w, g.b, -2, 2)
  line.label, line.color = "결정 직선", "black"
  plot.scatter(X, fig, {classes = (g.y + 1) / 2, class_names = {"-1 (거짓)", "1 (참)"},
    size = 8, lines = {line}, xlim = {-2, 2}, ylim = {-2, 2}, equal = true,
    title = g.name, xlabel = "x1", ylabel = "x2"})
end
fig:save(out "gates.png", {caption = "가중치를 손으로 정한 퍼셉트론 세 개. 점의 색은 " ..
  "퍼셉트론의 출력이고, 검은 직선 w1·x1 + w2·x2 + b = 0이 출력 1과 -1의 경계이다.",
  label = "fig-gates"})

-- %% 가중치를 바꾸면 게이트가 바뀐다
-- 같은 가중치에서 편향만 바꾸면 직선이 평행 이동한다. AND(b = -0.7)의 편향을
-- 키워 가면 어느 순간 OR가 된다. 출력이 1인 입력의 수를 센다.
title("w = (0.5, 0.5)에서 편향 b만 바꾸기")
for _, b in ipairs {-1.2, -0.7, 0.3, 0.7, 1.2} do
  local y = perceptron({0.5, 0.5}, b, X)
  local ones = y:gt(0):sum()
  print(("b = %4.1f: 출력 %2d %2d %2d %2d  (1인 입력 %d개)"):format(b,
    y[1], y[2], y[3], y[4], ones))
end

-- %% 게이트를 두 층으로 쌓으면 XOR
-- XOR(x1, x2) = AND(OR(x1, x2), NAND(x1, x2)). 첫 층의 두 퍼셉트론(OR, NAND)의
-- 출력을 (4, 2) 행렬 H로 모아, 둘째 층의 퍼셉트론(AND)에 넣는다.
local h_or = perceptron(gates[3].w, gates[3].b, X)
local h_nand = perceptron(gates[2].w, gates[2].b, X)
local H = T.stack({h_or, h_nand}, 2)
local y_xor = perceptron(gates[1].w, gates[1].b, H)
title("두 층의 퍼셉트론: AND(OR, NAND)")
print(" x1  x2 |  OR  NAND | 출력")
for i = 1, 4 do
  print((" %2d  %2d | %3d  %4d | %3d"):format(X[i][1], X[i][2], H[i][1], H[i][2], y_xor[i]))
end
