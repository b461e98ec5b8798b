-- LAB 7-4 입력에 x1·x2를 더해 XOR 풀기
-- 퍼셉트론 하나는 직선 하나로만 나눌 수 있어서 XOR를 배우지 못했다(LAB 7-3).
-- 입력을 다항식으로 늘려(input polynomialization) 세 번째 입력 x1·x2를 더하면,
-- 같은 학습 규칙으로 XOR를 배운다. 원래 평면에서 보면 결정 경계가 직선이 아닌
-- 곡선(쌍곡선)이 된다.
-- 실행: ./workbook run ch7/lab4.lua   (그림은 out/ch7/lab4/ 에 저장된다)
local T, plot = require "tensor", require "plot"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end

-- %% 다항 입력 만들기
local X = T{{-1, -1}, {-1, 1}, {1, -1}, {1, 1}}
local t = T{-1, 1, 1, -1}                          -- XOR의 정답

-- (N, 2) 입력에 x1·x2 열을 붙여 (N, 3)으로 만든다
local function poly(A)
  local x1, x2 = A:select(2, 1), A:select(2, 2)
  return T.stack({x1, x2, x1 * x2}, 2)
end
local P = poly(X)
title("다항 입력 (x1, x2, x1·x2)과 정답")
for i = 1, 4 do
  print(("(%2d, %2d, %2d) -> %2d"):format(P[i][1], P[i][2], P[i][3], t[i]))
end

-- %% 같은 학습 규칙으로 학습하기
-- 가중치가 세 개로 늘었을 뿐 LAB 7-2, 7-3과 같은 규칙이다.
local function step(s) return s > 0 and 1 or (s < 0 and -1 or 0) end
local eta = 0.25
local w, b = T.zeros(3), 0
title("에포크마다의 가중치")
print("에포크 |    w1    w2    w3     b | 틀린 입력")
local epochs = 0
for epoch = 1, 100 do
  local wrong = 0
  for i = 1, 4 do
    local y = step(P[i]:dot(w) + b)
    if y ~= t[i] then
      wrong = wrong + 1
      w = w + P[i] * (eta * t[i])
      b = b + eta * t[i]
    end
  end
  print(("%6d | %5.2f %5.2f %5.2f %5.2f | %d"):format(epoch, w[1], w[2], w[3], b, wrong))
  epochs = epoch
  if wrong == 0 then break end
end
print(("%d번째 에포크에서 XOR의 네 입력을 모두 맞혔다."):format(epochs))
book.value("epochs", epochs)
book.value("w3", w[3], "%.2f")

title("학습한 퍼셉트론의 진리표 (XOR)")
print(" x1  x2 | 정답 | 출력")
for i = 1, 4 do
  print((" %2d  %2d | %4d | %4d"):format(X[i][1], X[i][2], t[i], step(P[i]:dot(w) + b)))
end

-- %% 원래 평면에서 본 결정 경계
-- plot.decision_regions는 model:predict(격자)를 부른다. 격자의 점 (x1, x2)마다
-- 다항 입력을 만들어 가중합의 부호를 0/1 클래스 번호로 돌려주는 모델을 만든다.
local model = {}
function model:predict(G)
  local s = poly(G):matmul(w:reshape(3, 1)):reshape(-1) + b
  return s:gt(0)                                    -- 1이면 정답 1, 0이면 정답 -1
end
plot.decision_regions(model, X, (t + 1) / 2, out "xor_regions.png",
  {xlim = {-2, 2}, ylim = {-2, 2}, class_names = {"-1", "1"}, size = 8,
   title = "입력 x1·x2를 더한 퍼셉트론의 XOR 결정 영역", xlabel = "x1", ylabel = "x2",
   caption = "다항 입력 (x1, x2, x1·x2)으로 학습한 퍼셉트론의 결정 영역. 경계 " ..
             "w1·x1 + w2·x2 + w3·x1·x2 + b = 0은 직선 하나가 아니라 2차 곡선(여기서는 두 좌표축)이어서 " ..
             "XOR의 네 점을 나눈다.",
   label = "fig-xor-regions"})

-- %% 세 번째 축에서 보면
-- (x1, x2, x1·x2) 공간에서는 정답 1인 두 점은 x1·x2 = -1에, 정답 -1인 두 점은
-- x1·x2 = 1에 놓인다. 평면 x1·x2 = 0 하나로 나뉘는 것이다. 그 평면을 격자점으로
-- 함께 그린다 (클래스 번호 2).
local plane, ids = {}, {}
for i = 1, 4 do plane[i] = {P[i][1], P[i][2], P[i][3]}; ids[i] = (t[i] + 1) / 2 end
for a = -1, 1, 0.25 do
  for c = -1, 1, 0.25 do plane[#plane + 1] = {a, c, 0}; ids[#ids + 1] = 2 end
end
plot.scatter3d(T(plane), out "xor_3d.png", {classes = ids,
  class_names = {"정답 -1", "정답 1", "평면 x1·x2 = 0"},
  size = 7, elev = 20, azim = -60, xlabel = "x1", ylabel = "x2", zlabel = "x1·x2",
  title = "다항 입력 공간의 XOR",
  caption = "입력을 (x1, x2, x1·x2)로 늘린 공간의 XOR. 정답이 같은 두 점이 " ..
            "같은 높이에 놓여, 평면 하나(격자점으로 그린 x1·x2 = 0)로 나뉜다.", label = "fig-xor-3d"})
