-- LAB 10-2: 긴 기억이 필요한 시퀀스 — 덧셈 문제(adding problem)를
-- SimpleRNN, LSTM, GRU로 풀어 비교한다.
-- 시퀀스는 30 단계이고, 단계마다 특성이 두 개다: 0과 1 사이의 무작위 값,
-- 그리고 표시(marker) 0 또는 1. 표시가 1인 단계는 두 번뿐인데, 하나는
-- 앞의 다섯 단계 안에, 다른 하나는 뒤의 열다섯 단계 안에 있다. 목표는
-- 표시된 두 값의 합이다. 첫 번째 값을 25 단계 넘게 기억해야 풀 수 있다.
-- 실행: ./workbook run ch10/lab2.lua   (그림은 out/ch10/lab2/ 에 저장된다)
local T, nn, plot, sys = require "tensor", require "nn", require "plot", require "sys"
local book = require "book"

local QUICK = os.getenv("WORKBOOK_QUICK") == "1"
local N_TRAIN, N_TEST, EPOCHS = 4000, 500, 50
if QUICK then
  N_TRAIN, EPOCHS = 2000, 20
  print("WORKBOOK_QUICK=1: 훈련 시퀀스 4000개, 50 에포크 대신 2000개, 20 에포크로 줄인다")
end
local STEPS, UNITS, TOL = 30, 16, 0.04

local function title(s) print("\n== " .. s .. " ==") end

-- %% 데이터: 덧셈 문제
-- 표시의 위치는 lua의 math.random, 값은 tensor.rand에서 뽑는다.
T.seed(7)
math.randomseed(7)
local function adding(n)
  local v = T.rand(n, STEPS):totable()
  local X, Y, marks = {}, {}, {}
  for i = 1, n do
    local a, b = math.random(1, 5), math.random(STEPS - 14, STEPS)
    local row = {}
    for t = 1, STEPS do row[t] = {v[i][t], (t == a or t == b) and 1 or 0} end
    X[i], Y[i], marks[i] = row, {v[i][a] + v[i][b]}, {a, b}
  end
  return T(X), T(Y), marks
end

local train_x, train_y = adding(N_TRAIN)
local test_x, test_y, test_marks = adding(N_TEST)
title("데이터")
print(("훈련 %s, 시험 %s, 목표 %s"):format(table.concat(train_x:shape(), "x"),
      table.concat(test_x:shape(), "x"), table.concat(test_y:shape(), "x")))

-- 시험 시퀀스 두 개: 값(점)과 표시된 두 단계(빨간 점), 그리고 목표값
local fig = plot.subplots {cols = 2, title = "덧셈 문제의 시퀀스: 빨간 두 값의 합이 목표", width = 460,
                           height = 340}
for k = 1, 2 do
  local vals = test_x[k]:select(2, 1):totable()
  local a, b = test_marks[k][1], test_marks[k][2]
  plot.scatter(T.arange(1, STEPS + 1), T(vals), fig,
    {title = ("목표 = %.2f + %.2f = %.2f"):format(vals[a], vals[b], test_y[k][1]),
     xlabel = "시간 단계", ylabel = "값", size = 3, ylim = {0, 1.05}, label = "값",
     overlay = {{x = {a, b}, y = {vals[a], vals[b]}, marker = "o", color = "red", size = 6,
                 label = "표시된 값"}}})
end
fig:save(out "sequences.png", {caption = "덧셈 문제의 시험 시퀀스 두 개. 30개의 값 가운데 표시된 두 값(빨간 점)의 합을 마지막에 내놓아야 한다.",
                               label = "fig-ch10-adding"})

-- 아무것도 기억하지 못하는 모델의 최선은 목표의 평균을 내놓는 것이다.
-- 그 평균 제곱 오차는 목표의 분산, 곧 약 1/6이다.
local mean_y = train_y:mean()
local base_mse = (test_y - mean_y):square():mean()
local base_acc = (test_y - mean_y):abs():lt(TOL):sum() / N_TEST
print(("기준선(언제나 훈련 목표의 평균 %.3f을 내놓기): 시험 MSE %.4f, 정확도 %.3f"):format(
  mean_y, base_mse, base_acc))
book.value("base_mse", base_mse, "%.3f")

-- %% 세 모델과 파라미터 수
-- 순환 계층만 다르고 유닛 수(16), 출력층 Dense(1), 최적화(Adam, MSE)는 같다.
-- 케라스의 파라미터 공식(입력 특성 F = 2, 유닛 u = 16):
--   SimpleRNN  u(F + u + 1)        kernel (F, u),  recurrent_kernel (u, u),  bias u
--   LSTM       4u(F + u + 1)       게이트 네 묶음 i, f, c, o
--   GRU        3u(F + u + 2)       게이트 세 묶음 z, r, h, reset_after의 편향 두 줄
local F = 2
local kinds = {
  {"SimpleRNN", UNITS * (F + UNITS + 1)},
  {"LSTM", 4 * UNITS * (F + UNITS + 1)},
  {"GRU", 3 * UNITS * (F + UNITS + 2)},
}
local models = {}
for _, k in ipairs(kinds) do
  local m = nn.Sequential {nn[k[1]](UNITS, {input_shape = {STEPS, F}}), nn.Dense(1)}
  m:compile {optimizer = "adam", loss = "mse"}
  m:summary()
  local n_rnn = m:count_params() - (UNITS + 1)
  print(("%s: 순환 계층 파라미터 %d, 케라스 공식 %d -> %s"):format(k[1], n_rnn, k[2],
        n_rnn == k[2] and "같다" or "다르다"))
  book.value("params_" .. k[1], n_rnn)
  models[k[1]] = m
end

-- %% 학습
-- 에포크마다 시험 데이터의 손실도 기록한다(validation_data).
local hist, secs = {}, {}
for _, k in ipairs(kinds) do
  local t0 = sys.clock()
  hist[k[1]] = models[k[1]]:fit(train_x, train_y, {epochs = EPOCHS, verbose = 0,
                                                   validation_data = {test_x, test_y}}).history
  secs[k[1]] = sys.clock() - t0
  print(("%s: %d 에포크, %.1f초"):format(k[1], EPOCHS, secs[k[1]]))
end

local curves = {{y = {}, label = "기준선 (평균)", color = "gray", style = "--"}}
for e = 1, EPOCHS do curves[1].y[e] = math.log(base_mse, 10) end
for _, k in ipairs(kinds) do
  local ys = {}
  for e, v in ipairs(hist[k[1]].val_loss) do ys[e] = math.log(v, 10) end
  curves[#curves + 1] = {y = ys, label = k[1]}
end
plot.lines(curves, out "curves.png",
  {title = "덧셈 문제: 에포크마다의 시험 손실", xlabel = "에포크", ylabel = "log10 시험 MSE",
   caption = "덧셈 문제에서 세 순환 계층의 시험 손실(세로축은 log10). 점선은 평균만 내놓는 기준선이다.",
   label = "fig-ch10-adding-curves"})

-- %% 비교표
-- 정확도: 예측이 목표에서 0.04 안에 든 시험 시퀀스의 비율
title("SimpleRNN, LSTM, GRU 비교 (덧셈 문제, 30 단계)")
print(("%-10s %8s %12s %8s %6s"):format("모델", "파라미터", "시험 MSE", "정확도", "초"))
local scatter = plot.subplots {cols = 3, title = "시험 시퀀스의 목표값과 예측값", width = 360, height = 340}
for _, k in ipairs(kinds) do
  local m = models[k[1]]
  local pred = m:predict(test_x)
  local mse = (pred - test_y):square():mean()
  local acc = (pred - test_y):abs():lt(TOL):sum() / N_TEST
  print(("%-10s %10d %12.5f %10.3f %8.1f"):format(k[1], m:count_params(), mse, acc, secs[k[1]]))
  book.value("mse_" .. k[1], mse, "%.5f")
  book.value("acc_" .. k[1], acc, "%.3f")
  book.value("sec_" .. k[1], secs[k[1]], "%.0f")
  plot.scatter(test_y:reshape(N_TEST), pred:reshape(N_TEST), scatter,
               {title = k[1], xlabel = "목표값", ylabel = "예측값", size = 2, alpha = 0.5,
                xlim = {0, 2}, ylim = {-0.2, 2.2}})
end
scatter:save(out "scatter.png", {caption = "시험 시퀀스 500개의 목표값과 세 모델의 예측값",
                                 label = "fig-ch10-adding-scatter"})
book.value("epochs", EPOCHS)
book.value("n_train", N_TRAIN)
