-- 10장 실습 0: 단순 RNN으로 등차수열의 다음 수 맞히기, 순환 계층 쌓기,
-- 그리고 학습 범위 밖의 수열에서 SimpleRNN, LSTM, GRU 비교하기.
-- 교재 10.4–10.6절과 10.12–10.13절의 실험을 워크북으로 옮겼다.
-- 실행: ./workbook run ch10/lab0.lua   (그림은 out/ch10/lab0/ 에 저장된다)
local T, nn, plot = require "tensor", require "nn", require "plot"
local book = require "book"

-- 데이터가 작아 전체 실행도 몇 초면 끝나므로 WORKBOOK_QUICK=1이어도 줄이지 않는다
local EPOCHS = 300

local function title(s) print("\n== " .. s .. " ==") end
local function shape(t) return "(" .. table.concat(t:shape(), ", ") .. ")" end

T.seed(10)

-- %% 10.4 등차수열 데이터
-- 0.1씩 커지는 수 세 개를 보고 네 번째 수를 맞히는 문제이다.
-- i번째 시퀀스(0부터 셈)는 [i/10, (i+1)/10, (i+2)/10], 목표는 (i+3)/10.
local function arithmetic(size, seq_len)
  local X, Y = {}, {}
  for i = 0, size - 1 do
    local row = {}
    for t = 0, seq_len - 1 do row[t + 1] = {(i + t) / 10} end
    X[i + 1], Y[i + 1] = row, {(i + seq_len) / 10}
  end
  return T(X), T(Y)
end

local size, seq_len = 100, 3
local X, Y = arithmetic(size, seq_len)
title("입력과 목표")
print("입력 모양 " .. shape(X) .. ", 목표 모양 " .. shape(Y))
for _, i in ipairs {1, 2, 3, size} do
  local xs = {}
  for t, v in ipairs(X[i]:reshape(seq_len):totable()) do xs[t] = ("%.1f"):format(v) end
  print(("x = [%s]  ->  y = %.1f"):format(table.concat(xs, ", "), Y[i][1]))
end

-- %% 10.4 SimpleRNN(20) 만들기
-- 케라스의 tf.keras.layers.SimpleRNN(units=20, return_sequences=False,
-- input_shape=[3, 1])과 같다. 마지막 시간 단계의 은닉 상태(20개)를
-- Dense(1)이 받아 수 하나를 내놓는다.
local function rnn_model(layers)
  layers[#layers + 1] = nn.Dense(1)
  local m = nn.Sequential(layers)
  m:compile{optimizer = "adam", loss = "mse"}
  return m
end

local rnn20 = rnn_model {nn.SimpleRNN(20, {input_shape = {seq_len, 1}})}
rnn20:summary()
-- SimpleRNN의 파라미터: kernel (1, 20) + recurrent_kernel (20, 20) + bias 20
-- model:get_weights()는 케라스처럼 가중치를 층 순서대로 늘어놓는다
local w = rnn20:get_weights()
print(("kernel %s, recurrent_kernel %s, bias %s: %d + %d + %d = %d개"):format(
  shape(w[1]), shape(w[2]), shape(w[3]), w[1]:numel(), w[2]:numel(), w[3]:numel(),
  w[1]:numel() + w[2]:numel() + w[3]:numel()))
book.value("rnn20_params", w[1]:numel() + w[2]:numel() + w[3]:numel())

-- %% 10.5 학습과 예측
-- 교재처럼 Adam과 평균 제곱 오차(MSE)로 300 에포크 학습한다.
local function train(m, name)
  local h = m:fit(X, Y, {epochs = EPOCHS, verbose = 0})
  local loss = h.history.loss
  print(("%s: 마지막 에포크의 손실(MSE) %.5f"):format(name, loss[#loss]))
  return loss
end

-- 학습 범위(0.3 ~ 10.2) 바로 바깥의 두 수열: 답은 10.5와 10.7
local probes = T{{{10.2}, {10.3}, {10.4}}, {{10.4}, {10.5}, {10.6}}}
local function probe(m, name)
  local p = m:predict(probes):reshape(2):totable()
  print(("%s: [10.2, 10.3, 10.4] -> %.3f (정답 10.5),  [10.4, 10.5, 10.6] -> %.3f (정답 10.7)")
        :format(name, p[1], p[2]))
  return p
end

-- 모델 하나를 학습하고 두 시퀀스를 물어본 뒤, 책에 싣는 값을 key로 남긴다
local function experiment(m, key, name)
  title(name)
  local loss = train(m, name)
  local p = probe(m, name)
  book.value(key .. "_loss", loss[#loss], "%.5f")
  book.value(key .. "_probe", p[1], "%.2f")
  return loss
end

local loss20 = experiment(rnn20, "rnn20", "SimpleRNN(20)")

-- %% 10.5 유닛을 256개로 늘리기
local rnn256 = rnn_model {nn.SimpleRNN(256, {input_shape = {seq_len, 1}})}
rnn256:summary()
local loss256 = experiment(rnn256, "rnn256", "SimpleRNN(256)")
book.value("rnn256_params", (rnn256:count_params()))

-- %% 10.6 순환 계층 쌓기 (return_sequences)
-- 위층의 순환 계층도 시퀀스를 입력으로 받아야 하므로, 아래 세 층은
-- return_sequences = true로 모든 시간 단계의 은닉 상태 (N, 3, 34)를 내보낸다.
-- 맨 위층만 마지막 상태 (N, 34)를 내보낸다.
local stacked = rnn_model {
  nn.SimpleRNN(34, {input_shape = {seq_len, 1}, return_sequences = true}),
  nn.SimpleRNN(34, {return_sequences = true}),
  nn.SimpleRNN(34, {return_sequences = true}),
  nn.SimpleRNN(34),
}
stacked:summary()
local loss_st = experiment(stacked, "stacked", "SimpleRNN(34) x 4")
book.value("stacked_params", (stacked:count_params()))

-- 세 모델의 학습 곡선: 손실이 여러 자릿수에 걸쳐 줄어들므로 log10으로 그린다
local function log10s(xs)
  local r = {}
  for i, v in ipairs(xs) do r[i] = math.log(v, 10) end
  return r
end
plot.lines({{y = log10s(loss20), label = "SimpleRNN(20)"},
            {y = log10s(loss256), label = "SimpleRNN(256)"},
            {y = log10s(loss_st), label = "SimpleRNN(34) × 4층"}},
           out "linear_loss.png",
           {title = "등차수열 학습의 손실 곡선", xlabel = "에포크", ylabel = "log10 손실 (MSE)",
            caption = "등차수열의 다음 수를 맞히는 세 모델의 학습 손실(세로축은 log10)",
            label = "fig-ch10-linear-loss"})

local fig = plot.subplots {cols = 3, title = "훈련 데이터의 목표값과 예측값", width = 360, height = 340}
for _, m in ipairs {{rnn20, "SimpleRNN(20)"}, {rnn256, "SimpleRNN(256)"}, {stacked, "SimpleRNN(34) × 4층"}} do
  plot.scatter(Y:reshape(size), m[1]:predict(X):reshape(size), fig,
               {title = m[2], xlabel = "목표값 y", ylabel = "예측값", size = 2, equal = true})
end
fig:save(out "linear_fit.png", {caption = "세 모델이 훈련 시퀀스 100개에 내놓은 예측(대각선에 가까울수록 정확하다)",
                                label = "fig-ch10-linear-fit"})

-- %% 10.12 학습 범위 밖의 시퀀스: SimpleRNN, LSTM, GRU
-- 길이 16인 등차수열 8개(0.0 ~ 2.3)로 학습하고, 앞의 네 개에 1.0을 더한
-- 시퀀스(학습 때 본 적 없는 값의 범위)의 다음 수를 맞혀 본다.
local n, long_len = 8, 16
local lx, ly = arithmetic(n, long_len)
local tx, ty = lx:slice(1, 1, n // 2) + 1.0, ly:slice(1, 1, n // 2) + 1.0
local ep = 100
title(("길이 %d인 시퀀스 %d개로 %d 에포크 학습, 1.0을 더한 시퀀스 %d개로 시험"):format(
  long_len, n, ep, n // 2))
local function fmt2(t)
  local parts = {}
  for i, v in ipairs(t:reshape(t:numel()):totable()) do parts[i] = ("%.2f"):format(v) end
  return table.concat(parts, "  ")
end
print(("%-12s  %s"):format("실제값", fmt2(ty)))
for _, k in ipairs {"SimpleRNN", "LSTM", "GRU"} do
  local m = rnn_model {nn[k](256, {input_shape = {long_len, 1}})}
  m:fit(lx, ly, {epochs = ep, verbose = 0})
  local p = m:predict(tx):reshape(n // 2)
  local err = (p - ty:reshape(n // 2)):abs():mean()
  print(("%-12s  %s   평균 절대 오차 %.3f"):format(k, fmt2(p), err))
  book.value("extrap_mae_" .. k, err, "%.2f")
end
