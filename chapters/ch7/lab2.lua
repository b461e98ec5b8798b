-- LAB 7-2 퍼셉트론 학습 규칙으로 OR 게이트 배우기
-- LAB 7-1에서는 가중치를 손으로 골랐다. 이번에는 엉뚱한 가중치에서 출발해, 틀린
-- 입력을 만날 때마다 퍼셉트론 학습 규칙(perceptron learning rule)
--   출력 y가 정답 t와 다르면  w <- w + η t x,   b <- b + η t
-- 으로 가중치를 고쳐 OR 게이트를 스스로 찾게 한다.
-- 실행: ./workbook run ch7/lab2.lua   (그림은 out/ch7/lab2/ 에 저장된다)
local T, plot = require "tensor", require "plot"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end

-- %% 훈련 데이터와 퍼셉트론
local X = T{{-1, -1}, {-1, 1}, {1, -1}, {1, 1}}     -- 입력 네 개 (행)
local t = T{-1, 1, 1, 1}                              -- OR의 정답
local eta = 0.25                                      -- 학습률 η

-- 계단 함수 (숫자 하나): 1, -1, 가중합이 0이면 0 (결정하지 못함 = 틀림)
local function step(s) return s > 0 and 1 or (s < 0 and -1 or 0) end

-- %% 학습 규칙을 한 입력씩 적용하기
-- 한 에포크(epoch)는 네 입력을 차례로 한 번씩 보는 것이다. 입력 x(행 하나,
-- 모양 (2,))마다 출력 y를 계산하고, 틀렸을 때만 가중치 w(모양 (2,))와 편향 b를
-- 정답 쪽으로 고친다. 편향은 언제나 1인 입력에 붙은 가중치로 볼 수 있다.
local w, b = T{-0.5, 0.5}, -0.5                       -- 엉뚱한 처음 가중치
local history = {{w = w:clone(), b = b}}              -- 에포크마다의 가중치
title("틀린 입력을 만날 때마다 고친 가중치")
for epoch = 1, 100 do
  local errors = 0
  for i = 1, 4 do
    local x = X[i]                                    -- 입력 한 개 (2,)
    local y = step(x:dot(w) + b)                      -- 출력 (1 또는 -1)
    if y ~= t[i] then
      errors = errors + 1
      w = w + x * (eta * t[i])                        -- w <- w + η t x
      b = b + eta * t[i]                              -- b <- b + η t
      print(("에포크 %d, 입력 (%2d, %2d): 정답 %2d, 출력 %2d -> w = (%5.2f, %5.2f), b = %5.2f")
            :format(epoch, x[1], x[2], t[i], y, w[1], w[2], b))
    end
  end
  history[#history + 1] = {w = w:clone(), b = b, errors = errors}
  if errors == 0 then break end       -- 모든 입력을 맞히면 더 고칠 것이 없다
end

-- %% 에포크마다의 가중치
title("에포크마다의 가중치와 틀린 입력의 수")
print("에포크 |    w1    w2     b | 틀린 입력")
print(("%6d | %5.2f %5.2f %5.2f |"):format(0, history[1].w[1], history[1].w[2], history[1].b))
for e = 2, #history do
  local h = history[e]
  print(("%6d | %5.2f %5.2f %5.2f | %d"):format(e - 1, h.w[1], h.w[2], h.b, h.errors))
end
local epochs = #history - 1
print(("%d번째 에포크에서 틀린 입력이 없어 학습을 멈춘다."):format(epochs))
book.value("epochs", epochs)
book.value("w1", w[1], "%.2f")
book.value("w2", w[2], "%.2f")
book.value("b", b, "%.2f")

title("학습한 퍼셉트론의 진리표 (OR)")
print(" x1  x2 | 정답 | 출력")
for i = 1, 4 do
  print((" %2d  %2d | %4d | %4d"):format(X[i][1], X[i][2], t[i], step(X[i]:dot(w) + b)))
end

-- %% 결정 직선이 움직이는 모습
-- 각 에포크가 끝났을 때의 결정 직선 w1*x1 + w2*x2 + b = 0을 겹쳐 그린다.
local lines = {}
local colors = {"gray", "orange", "green", "red", "purple", "brown"}
for e = 1, #history - 1 do       -- 마지막 에포크는 고친 것이 없어 그 앞과 같다
  local h = history[e]
  local w1, w2, bb = h.w[1], h.w[2], h.b
  local line
  if math.abs(w1) + math.abs(w2) < 1e-9 then
    -- w = (0, 0)이면 직선이 없다: 출력은 b의 부호 하나뿐이다
    print(("에포크 %d: w = (0, 0), 모든 입력의 출력이 %d"):format(e - 1, step(bb)))
  elseif math.abs(w2) > 1e-9 then
    line = {x = {-2, 2}, y = {-(w1 * -2 + bb) / w2, -(w1 * 2 + bb) / w2}}
  else                                                -- 세로 직선 x1 = -b/w1
    line = {x = {-bb / w1, -bb / w1}, y = {-2, 2}}
  end
  if line then
    line.label = e == 1 and "처음 가중치" or ("에포크 %d 뒤"):format(e - 1)
    line.color = colors[(e - 1) % #colors + 1]
    line.style = e < #history - 1 and "--" or "-"
    lines[#lines + 1] = line
  end
end
plot.scatter(X, out "or_epochs.png", {classes = (t + 1) / 2,
  class_names = {"정답 -1", "정답 1"}, size = 8, lines = lines,
  xlim = {-2, 2}, ylim = {-2, 2}, equal = true,
  title = "OR 학습: 에포크마다의 결정 직선", xlabel = "x1", ylabel = "x2",
  caption = "엉뚱한 가중치에서 시작한 퍼셉트론이 OR를 배우는 동안의 결정 직선: 처음 " ..
            "가중치(회색)와 에포크가 끝날 때마다의 직선. 점선은 중간 단계, 실선이 학습을 " ..
            "마친 직선이다. 그림 밖으로 나간 직선은 네 입력을 모두 한쪽에 둔 것이다.",
  fig_label = "fig-or-epochs"})
