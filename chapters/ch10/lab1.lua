-- LAB 10-1: 비선형 시퀀스(사인 곡선)의 다음 값을 순환 신경망으로 예측하기.
-- 강의 노트북과 같은 설정이다: 사인 곡선에서 길이 10인 구간 100개를
-- 잘라 앞의 80개로 학습하고 뒤의 20개로 시험한다. 같은 문제를
-- SimpleRNN, LSTM, GRU(유닛 10개) 세 가지 순환 계층으로 풀어 비교한다.
-- 그림은 out/ch10/lab1/ 에 저장된다.
local tensor, nn, plot = require "tensor", require "nn", require "plot"
local book = require "book"

tensor.seed(2024)

-- 전체 실행도 1초 남짓이므로 WORKBOOK_QUICK=1이어도 에포크를 줄이지 않는다
local epochs = 50

-- %% 데이터: 사인 곡선에서 잘라 낸 시퀀스
-- 구간 [0, 2.5]를 11개 점으로 나누고, 시퀀스마다 정규분포에서 뽑은
-- shift만큼 옮긴 자리의 사인 값을 잘라 낸다. 앞의 10개 값이 입력,
-- 11번째 값이 맞혀야 할 목표이다.
local size, seq_len = 100, 10
local interval = tensor.linspace(0, 2.5, seq_len + 1)
local shift = tensor.randn(size, 1)
local wave = (shift + interval:reshape(1, seq_len + 1)):sin()     -- (100, 11)
-- 순환 계층의 입력은 (샘플 수, 시간 단계, 특성 수) 모양이어야 한다
local seq_x = wave:slice(2, 1, seq_len):contiguous():reshape(size, seq_len, 1)
local y = wave:slice(2, seq_len + 1, seq_len + 1):contiguous()   -- (100, 1)
print("입력 모양:", table.concat(seq_x:shape(), " x "), " 목표 모양:",
      table.concat(y:shape(), " x "))

local train_x, train_y = seq_x:slice(1, 1, 80), y:slice(1, 1, 80)
local test_x, test_y = seq_x:slice(1, 81, 100), y:slice(1, 81, 100)

-- 시퀀스 네 개와 그 목표값(마지막 점)을 그려 본다
local series = {}
for k, i in ipairs {2, 4, 6, 10} do
  local xs = interval:totable()
  local ys = seq_x[i]:reshape(seq_len):totable()
  ys[#ys + 1] = y[i][1]
  series[k] = {x = xs, y = ys, label = ("시퀀스 %d"):format(i), marker = "o"}
end
plot.lines(series, out "windows.png", {title = "사인 곡선에서 잘라 낸 시퀀스 (마지막 점이 목표값)",
                                       xlabel = "구간 위의 위치", ylabel = "sin",
                                       caption = "사인 곡선에서 잘라 낸 시퀀스 네 개. 앞의 10개 점이 입력, 마지막 점이 목표값이다.",
                                       label = "fig-ch10-sine-windows"})

-- %% 세 모델
-- 세 모델은 순환 계층만 다르고, 모두 마지막 상태를 Dense(1)로 받아
-- 다음 값 하나를 내놓는다 (return_sequences = false)
local function make(layer)
  local model = nn.Sequential{layer(10, {input_shape = {seq_len, 1}}), nn.Dense(1)}
  model:compile{optimizer = "adam", loss = "mse"}
  return model
end

local kinds = {{"SimpleRNN", nn.SimpleRNN}, {"LSTM", nn.LSTM}, {"GRU", nn.GRU}}
local models, histories = {}, {}
for _, k in ipairs(kinds) do
  local model = make(k[2])
  model:summary()
  models[k[1]] = model
end

-- %% 학습
local curves = {}
for i, k in ipairs(kinds) do
  -- 에포크마다 진행 막대를 찍지 않도록 verbose = 0으로 학습한다
  histories[k[1]] = models[k[1]]:fit(train_x, train_y, {epochs = epochs, verbose = 0})
  curves[i] = {y = histories[k[1]].history.loss, label = k[1]}
end
plot.lines(curves, out "loss.png", {title = "세 순환 계층의 학습 손실 (MSE)",
                                    xlabel = "에포크", ylabel = "손실",
                                    caption = "LAB 10-1: 세 순환 계층의 학습 손실",
                                    label = "fig-ch10-sine-loss"})

-- %% 평가
print(("%-10s %10s %12s %12s"):format("모델", "파라미터", "훈련 MSE", "테스트 MSE"))
local fig = plot.subplots{cols = 3, title = "테스트 시퀀스: 실제 값과 예측 값", width = 360,
                          height = 340}
local lines = {{y = test_y:reshape(20):totable(), label = "실제 값", color = "black"}}
for _, k in ipairs(kinds) do
  local model = models[k[1]]
  local train_mse = model:evaluate(train_x, train_y, {verbose = 0})
  local test_mse = model:evaluate(test_x, test_y, {verbose = 0})
  print(("%-10s %10d %12.5f %12.5f"):format(k[1], model:count_params(), train_mse, test_mse))
  book.value("test_mse_" .. k[1], test_mse, "%.3f")
  local pred = model:predict(test_x)
  plot.scatter(test_y:reshape(20), pred:reshape(20), fig,
               {title = k[1], xlabel = "실제 값", ylabel = "예측 값",
                xlim = {-1.1, 1.1}, ylim = {-1.1, 1.1}, equal = true})
  lines[#lines + 1] = {y = pred:reshape(20):totable(), label = k[1], marker = "o"}
end
fig:save(out "scatter.png", {caption = "LAB 10-1: 테스트 시퀀스의 실제 값과 세 모델의 예측 값",
                             label = "fig-ch10-sine-scatter"})
plot.lines(lines, out "test_predictions.png",
           {title = "테스트 시퀀스 20개의 목표값과 세 모델의 예측", xlabel = "시퀀스 번호",
            ylabel = "다음 값", caption = "LAB 10-1: 테스트 시퀀스 20개의 목표값(검은 선)과 세 모델의 예측",
            label = "fig-ch10-sine-test"})
