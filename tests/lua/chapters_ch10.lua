-- chapters_ch10.lua - the labs of chapter 10 (recurrent networks), each run
-- as a student runs it (./workbook run ch10/labK.lua, WORKBOOK_QUICK=1) in
-- a child process writing into a temporary out folder: exit status 0, the
-- lines that carry the lesson, the parameter counts Keras's formulas fix
-- (SimpleRNN u(F+u+1), LSTM 4u(F+u+1), GRU 3u(F+u+2) with reset_after),
-- the sunspot forecast's naive and linear errors as pandas/scikit-learn
-- compute them (tests/fixtures/make_ch10_fixtures.py), and every figure,
-- not blank. Quick mode trains too briefly to rank the cells, so which
-- cell wins LAB 10-2 is not asserted here.
local t = require "tap"
local SUN = dofile(arg[0]:match("(.*/)") .. "../fixtures/ch10_sunspots.lua")

local L = require("helpers.chapter_labs")(t, "ch10")
local lab, has, number = L.lab, L.has, L.number

local function near(a, b, tol, name)
  local ok = t.ok(a and math.abs(a - b) <= tol, name)
  if not ok then t.diag(("got %s, want %.6g (tol %g)"):format(tostring(a), b, tol)) end
end

-- Keras's parameter counts of one recurrent layer on F input features
local function simple(u, f) return u * (f + u + 1) end
local function lstm(u, f) return 4 * u * (f + u + 1) end
local function gru(u, f) return 3 * u * (f + u + 2) end

-- the Param # column of a summary() row: "name (Class)   (None, ...)   440"
local function summary_params(s, name)
  return number(s, name .. " %(%a+%)%s+%([^)]*%)%s+([%d,]+)")
end

-- lab0: arithmetic sequences, 256 units, four stacked layers, extrapolation --
do
  local s = lab("ch10/lab0.lua", {
    {"입력 모양 (100, 3, 1), 목표 모양 (100, 1)", "100 sequences of 3 steps, 1 feature"},
    {"x = [0.0, 0.1, 0.2]  ->  y = 0.3", "the textbook's first sequence"},
    {"kernel (1, 20), recurrent_kernel (20, 20), bias (20): 20 + 400 + 20 = 440개",
     "SimpleRNN(20)'s Keras weight layout"},
    {"Total params: 66,305", "SimpleRNN(256) + Dense(1)"},
    {"실제값", "the extrapolation table"},
  }, {{"linear_loss.png", 600, 450}, {"linear_fit.png", 900, 300}})
  t.is(summary_params(s, "simple_rnn"), simple(20, 1), "ch10/lab0: SimpleRNN(20) on 1 feature: 440")
  t.is(summary_params(s, "simple_rnn_1"), simple(256, 1), "ch10/lab0: SimpleRNN(256): 66048")
  -- return_sequences: the three lower layers hand on (None, 3, 34), the top one (None, 34)
  has(s, "simple_rnn_2 (SimpleRNN)     (None, 3, 34)             1224",
      "ch10/lab0: the first stacked layer returns the whole sequence")
  has(s, "simple_rnn_4 (SimpleRNN)     (None, 3, 34)             2346",
      "ch10/lab0: a middle stacked layer reads 34 features")
  has(s, "simple_rnn_5 (SimpleRNN)     (None, 34)                2346",
      "ch10/lab0: the top layer returns the last state only")
  local stacked = simple(34, 1) + 3 * simple(34, 34) + 34 + 1
  has(s, ("Total params: %d,%03d"):format(stacked // 1000, stacked % 1000),
      "ch10/lab0: four stacked SimpleRNN(34) + Dense(1): Keras's count")
  -- the three cells' extrapolation errors are printed, finite
  for _, k in ipairs {"SimpleRNN", "LSTM", "GRU"} do
    local e = number(s, k .. " [^\n]-평균 절대 오차 ([%d.]+)")
    t.ok(e and e >= 0 and e < 10, "ch10/lab0: " .. k .. "'s extrapolation error printed")
  end
end

-- LAB 10-1: the next value of a sine wave ------------------------------------------
do
  local s = lab("ch10/lab1.lua", {
    {"입력 모양:\t100 x 10 x 1\t 목표 모양:\t100 x 1", "100 windows of 10 steps"},
  }, {{"windows.png", 600, 450}, {"loss.png", 600, 450}, {"scatter.png", 900, 300},
      {"test_predictions.png", 600, 450}})
  -- the table's parameter column: the recurrent layer's Keras count + Dense(1)'s 11
  t.is(number(s, "\nSimpleRNN +(%d+) "), simple(10, 1) + 11, "ch10/lab1: SimpleRNN(10) + Dense(1): 131")
  t.is(number(s, "\nLSTM +(%d+) "), lstm(10, 1) + 11, "ch10/lab1: LSTM(10) + Dense(1): 491 (LSTM 480)")
  t.is(number(s, "\nGRU +(%d+) "), gru(10, 1) + 11, "ch10/lab1: GRU(10) + Dense(1): 401 (GRU 390)")
end

-- LAB 10-2: the adding problem over 30 steps ----------------------------------------
do
  local s = lab("ch10/lab2.lua", {
    {"훈련 2000x30x2, 시험 500x30x2, 목표 500x1", "quick mode: 2000 training sequences of 30 steps, 2 features"},
    {"SimpleRNN: 순환 계층 파라미터 304, 케라스 공식 304 -> 같다", "SimpleRNN(16) on 2 features"},
    {"LSTM: 순환 계층 파라미터 1216, 케라스 공식 1216 -> 같다", "LSTM(16) on 2 features"},
    {"GRU: 순환 계층 파라미터 960, 케라스 공식 960 -> 같다", "GRU(16) on 2 features"},
  }, {{"sequences.png", 800, 300}, {"curves.png", 600, 450}, {"scatter.png", 900, 300}})
  -- the formulas of this test, not only the lab's own, and summary()'s column
  t.is(summary_params(s, "simple_rnn"), simple(16, 2), "ch10/lab2: summary() SimpleRNN(16): u(F+u+1)")
  t.is(summary_params(s, "lstm"), lstm(16, 2), "ch10/lab2: summary() LSTM(16): 4u(F+u+1)")
  t.is(summary_params(s, "gru"), gru(16, 2), "ch10/lab2: summary() GRU(16): 3u(F+u+2)")
  -- the target is the sum of two U(0, 1): mean 1, variance 1/6 = the baseline's MSE
  local mean, base = s:match("기준선%(언제나 훈련 목표의 평균 ([%d.]+)을 내놓기%): 시험 MSE ([%d.]+)")
  near(tonumber(mean), 1.0, 0.05, "ch10/lab2: the targets average about 1")
  near(tonumber(base), 1 / 6, 0.04, "ch10/lab2: the mean's MSE is about the variance 1/6")
  for _, k in ipairs {{"SimpleRNN", simple}, {"LSTM", lstm}, {"GRU", gru}} do
    local p, mse, acc = s:match("\n" .. k[1] .. " +(%d+) +([%d.]+) +([%d.]+) +[%d.]+\n")
    t.is(tonumber(p), k[2](16, 2) + 17, "ch10/lab2: " .. k[1] .. "'s row: parameters")
    t.ok(tonumber(mse) and tonumber(mse) < 1 and tonumber(acc) <= 1,
         "ch10/lab2: " .. k[1] .. "'s row: a test MSE and an accuracy")
  end
end

-- LAB 10-3: sunspots, one year ahead ---------------------------------------------------
do
  local s = lab("ch10/lab3.lua", {
    {("1700년 ~ 2008년, %d개의 값"):format(SUN.rows), "309 yearly values"},
    {("훈련: 목표 1712~1949년, 창 %d개 / 시험: 목표 1950~2008년, 창 %d개"):format(SUN.n_train, SUN.n_test),
     "a split in time, as pandas counts it"},
  }, {{"series.png", 700, 300}, {"forecast.png", 700, 350}})
  local function row(name)
    local r, m = s:match("\n" .. name .. " +([%d.]+) +([%d.]+)\n")
    return tonumber(r), tonumber(m)
  end
  local nr, nm = row("순진한 예측")
  near(nr, SUN.naive_rmse, 1e-3, "ch10/lab3: the naive forecast's RMSE as NumPy")
  near(nm, SUN.naive_mae, 1e-3, "ch10/lab3: the naive forecast's MAE as NumPy")
  local lr, lm = row("선형 회귀")
  near(lr, SUN.linear_rmse, 2e-3, "ch10/lab3: LinearRegression's RMSE as scikit-learn")
  near(lm, SUN.linear_mae, 2e-3, "ch10/lab3: LinearRegression's MAE as scikit-learn")
  near(number(s, "작년 ([%d.-]+),"), SUN.linear_last, 1e-3, "ch10/lab3: last year's weight as scikit-learn")
  near(number(s, "절편 ([%d.-]+)"), SUN.linear_intercept, 2e-3, "ch10/lab3: the intercept as scikit-learn")
  for _, k in ipairs {"LSTM", "GRU"} do
    local r, m = row(k)
    t.ok(r and m and r > 0 and m > 0 and m <= r, "ch10/lab3: " .. k .. "'s RMSE and MAE (MAE <= RMSE)")
    -- by far: about 17-26 against 33 in every run seen (quick mode is full mode here)
    t.ok(r and r < SUN.naive_rmse, "ch10/lab3: " .. k .. " beats the naive forecast")
  end
end

L.done()
t.done()
