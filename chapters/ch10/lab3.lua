-- LAB 10-3: 실제 시계열 예측 — 1700–2008년의 연간 태양 흑점 수.
-- 지난 12년의 흑점 수로 다음 해의 흑점 수를 예측한다. 1950년 이전의
-- 해를 목표로 하는 구간으로 학습하고, 1950–2008년을 한 해씩 예측해
-- 순진한 예측(naive forecast, 작년 값 그대로), 선형 회귀, LSTM, GRU를
-- RMSE와 MAE로 비교한다.
-- 실행: ./workbook run ch10/lab3.lua   (그림은 out/ch10/lab3/ 에 저장된다)
local T, nn, ml, plot = require "tensor", require "nn", require "ml", require "plot"
local data, book = require "data", require "book"

-- 데이터가 작아 전체 실행도 몇 초면 끝나므로 WORKBOOK_QUICK=1이어도 줄이지 않는다
local EPOCHS = 300
local WINDOW, SPLIT_YEAR, UNITS = 12, 1950, 16

local function title(s) print("\n== " .. s .. " ==") end

T.seed(10)

-- %% 데이터 읽기
-- statsmodels에 들어 있는 연간 흑점 수(YEAR, SUNACTIVITY)를 프레임으로 읽는다
local sun = data.sunspots()
print(sun:head(3))
local values = sun:to_tensor {"SUNACTIVITY"}:reshape(#sun):totable()
local years = sun:to_tensor {"YEAR"}:reshape(#sun):totable()
print(("%d년 ~ %d년, %d개의 값, 최솟값 %.0f, 최댓값 %.0f"):format(years[1], years[#years], #sun,
      math.min(table.unpack(values)), math.max(table.unpack(values))))

plot.lines({{x = years, y = values, label = "연간 흑점 수"},
            {x = {SPLIT_YEAR, SPLIT_YEAR}, y = {0, 200}, label = "훈련 | 시험 경계", color = "gray",
             style = "--"}},
           out "series.png",
           {title = "연간 태양 흑점 수 (1700–2008)", xlabel = "연도", ylabel = "흑점 수",
            width = 800, height = 360,
            caption = "1700–2008년의 연간 흑점 수. 점선 왼쪽의 해로 학습하고 오른쪽 해들을 예측한다.",
            label = "fig-ch10-sunspots"})

-- %% 창(window) 만들기와 시간 순서의 분할
-- t년을 예측하는 입력은 t-12 ... t-1년의 값 12개이다. 목표 연도가 1950년
-- 이전이면 훈련, 이후면 시험 데이터가 된다. 시계열에서는 무작위로 섞어
-- 나누면 미래의 값으로 과거를 맞히는 셈이 되므로 시간 순서로 자른다.
local Xtr, Ytr, Xte, Yte, naive, test_years = {}, {}, {}, {}, {}, {}
for t = WINDOW + 1, #values do
  local w = {}
  for k = 1, WINDOW do w[k] = values[t - WINDOW + k - 1] end
  if years[t] < SPLIT_YEAR then
    Xtr[#Xtr + 1], Ytr[#Ytr + 1] = w, values[t]
  else
    Xte[#Xte + 1], Yte[#Yte + 1] = w, values[t]
    naive[#naive + 1] = values[t - 1]      -- 순진한 예측: 작년 값 그대로
    test_years[#test_years + 1] = years[t]
  end
end
local train_x, train_y, test_x, test_y = T(Xtr), T(Ytr), T(Xte), T(Yte)
print(("훈련: 목표 %d~%d년, 창 %d개 / 시험: 목표 %d~%d년, 창 %d개"):format(
  years[WINDOW + 1], SPLIT_YEAR - 1, #Xtr, test_years[1], test_years[#test_years], #Xte))

local function rmse(p) return math.sqrt((p - test_y):square():mean()) end
local function mae(p) return (p - test_y):abs():mean() end
local results = {}
local function report(name, pred)
  results[#results + 1] = {name = name, pred = pred, rmse = rmse(pred), mae = mae(pred)}
end

-- %% 기준 예측: 순진한 예측과 선형 회귀
-- 선형 회귀는 지난 12년 값의 가중합 + 절편으로 다음 해를 예측한다
-- (시계열 분석의 자기회귀 모형 AR(12)과 같은 식이다).
report("순진한 예측", T(naive))
local linear = ml.LinearRegression():fit(train_x, train_y)
report("선형 회귀", linear:predict(test_x))
local coef = linear.coef_:totable()
print(("선형 회귀의 가중치: 작년 %.3f, 재작년 %.3f, ... 12년 전 %.3f, 절편 %.3f"):format(
  coef[WINDOW], coef[WINDOW - 1], coef[1], linear.intercept_))

-- %% LSTM과 GRU
-- 신경망에는 값을 훈련 데이터의 최댓값으로 나누어 0~1 근처로 맞춰 넣고,
-- 예측을 다시 곱해 흑점 수로 되돌린다. 입력은 (창 수, 12, 1) 모양이다.
local scale = train_y:max()
local function seqs(x) return (x / scale):reshape(x:size(1), WINDOW, 1) end
local histories = {}
for _, kind in ipairs {"LSTM", "GRU"} do
  local m = nn.Sequential {nn[kind](UNITS, {input_shape = {WINDOW, 1}}), nn.Dense(1)}
  m:compile {optimizer = "adam", loss = "mse"}
  histories[kind] = m:fit(seqs(train_x), train_y / scale, {epochs = EPOCHS, verbose = 0}).history
  report(kind, m:predict(seqs(test_x)):reshape(#Xte) * scale)
end

-- %% 비교
title(("%d–%d년의 한 해 앞 예측 (%d개)"):format(test_years[1], test_years[#test_years], #Xte))
print(("%-14s %8s %8s"):format("방법", "RMSE", "MAE"))
local keys = {"naive", "linear", "lstm", "gru"}
for i, r in ipairs(results) do
  print(("%-14s %8.3f %8.3f"):format(r.name, r.rmse, r.mae))
  book.value("rmse_" .. keys[i], r.rmse, "%.1f")
  book.value("mae_" .. keys[i], r.mae, "%.1f")
end
book.value("n_train", #Xtr)
book.value("n_test", #Xte)
book.value("epochs", EPOCHS)

local series = {{x = test_years, y = Yte, label = "실제 값", color = "black", marker = "o"}}
local styles = {{"gray", "--"}, {"green", "-"}, {"orange", "-"}, {"red", "-"}}
for i, r in ipairs(results) do
  series[#series + 1] = {x = test_years, y = r.pred:totable(), label = r.name,
                         color = styles[i][1], style = styles[i][2]}
end
plot.lines(series, out "forecast.png",
           {title = "1950–2008년 흑점 수: 실제 값과 한 해 앞 예측", xlabel = "연도", ylabel = "흑점 수",
            width = 800, height = 420,
            caption = "시험 기간의 실제 흑점 수(검은 점)와 네 방법의 한 해 앞 예측",
            label = "fig-ch10-forecast"})
