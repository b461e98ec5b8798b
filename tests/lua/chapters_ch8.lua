-- chapters_ch8.lua - the labs of chapter 8 (deep networks), each run as a
-- student runs it (./workbook run ch8/labK.lua, WORKBOOK_QUICK=1) in a
-- child process writing into a temporary out folder: exit status 0, the
-- lines that carry the lesson, every figure not blank, and the facts the
-- chapter rests on: softmax and one-hot by hand, each activation and its
-- derivative against the closed form and central differences of it, the
-- sigmoid net's vanishing gradient beside ReLU's, the small-normal
-- initializer's vanishing signal, and the optimizer paths against
-- torch.optim on the same 2-D loss (tests/fixtures/make_ch8_fixtures.py).
local t = require "tap"
local TORCH = dofile(arg[0]:match("(.*/)") .. "../fixtures/ch8_paths.lua")

local L = require("helpers.chapter_labs")(t, "ch8")
local lab, has, near = L.lab, L.has, L.near
local function nums(s)
  local v = {}
  for q in (s or ""):gmatch("[-%d.e+]+") do v[#v + 1] = tonumber(q) end
  return v
end

-- LAB 8-1: Fashion-MNIST with an MLP, then single predictions and mistakes -----
do
  local s = lab("ch8/lab1.lua", {
    {"WORKBOOK_QUICK=1: 훈련 이미지 6,000장으로 2 에포크만", "quick mode says so"},
    {"Total params: 104,938", "the MLP's 104,938 parameters"},
    {"첫 번째 테스트 이미지의 클래스별 확률(probability):", "one image's probabilities"},
  }, {{"first25.png", 400, 400}, {"history.png", 500, 300}, {"confusion.png", 400, 400},
      {"predict_first.png", 600, 300}, {"predict_wrong.png", 600, 300},
      {"mistakes.png", 500, 400}})
  local acc = L.number(s, "테스트 정확도%(accuracy%) ([%d.]+)")
  t.ok(acc and acc > 0.6, "ch8/lab1: the quick MLP beats chance by far")
  -- the ten probabilities printed for the first test image sum to 1, and
  -- the class named as the prediction is the most probable one
  local sum, top, topp = 0, nil, -1
  for name, v in s:gmatch("\n  %d ([%S ]-)%s+([%d.]+)") do
    sum = sum + tonumber(v)
    if tonumber(v) > topp then top, topp = name, tonumber(v) end
  end
  L.near(sum, 1, 2e-3, "ch8/lab1: the first image's probabilities sum to 1")
  local guess = s:match("예측: ([^,]+), 정답: ")
  t.is(guess, top, "ch8/lab1: the prediction is the most probable class")
  -- mistakes counted = (1 - test accuracy) of the 2,000 quick test images
  local wrong = L.number(s, "테스트 이미지 2000장 가운데 (%d+)장을 틀렸다")
  t.ok(wrong and acc and math.abs(wrong - (1 - acc) * 2000) < 1.5,
       "ch8/lab1: the mistakes shown are the ones the accuracy counts")
  t.ok(io.open(L.outdir .. "/ch8/lab1/mlp.h5") ~= nil, "ch8/lab1: the whole model saved")
end

-- LAB 8-2: digits, softmax, one-hot, MSE vs cross-entropy ---------------------------
do
  local s = lab("ch8/lab2.lua", {
    {"손글씨 숫자 1797장, 이미지 하나는 8x8 = 64픽셀", "1797 digits of 8x8"},
    {"훈련 1500장, 테스트 297장", "the split"},
    {"Total params: 4,810", "Dense 64 - Dense 10 on 64 inputs: 4,160 + 650"},
    {"  0  0  5 13  9  1  0  0", "the first digit's first row, as scikit-learn's digits.images[0]"},
    {"교차 엔트로피: 예측 1 0.60, 예측 2 4.61, 비 7.70", "the textbook's cross-entropy example"},
    {"MSE          : 예측 1 0.12, 예측 2 0.60, 비 4.93", "the textbook's MSE example"},
  }, {{"digits.png", 400, 400}, {"hello_history.png", 500, 300}, {"mse_vs_ce.png", 800, 300},
      {"mse_vs_ce_training.png", 500, 400}})
  -- softmax of the textbook's logits, by hand in double precision
  local z = {0.5, 4.1, 2.5, 5.6, 1.2}
  local function softmax(k)
    local sum = 0
    for _, v in ipairs(z) do sum = sum + math.exp(k * v) end
    local p = {}
    for i, v in ipairs(z) do p[i] = math.exp(k * v) / sum end
    return p
  end
  local got = nums(s:match("소프트맥스의 출력   :%s*([^\n]+)"))
  local want = softmax(1)
  t.is(#got, 5, "ch8/lab2: five softmax outputs printed")
  for i = 1, 5 do near(got[i], want[i], 6e-5, ("ch8/lab2: softmax output %d"):format(i)) end
  local got2 = nums(s:match("로짓을 두 배로 하면 :%s*([^\n]+)"))
  near(got2[4], softmax(2)[4], 6e-5, "ch8/lab2: doubling the logits sharpens the softmax")
  has(s, "[[1, 0, 0, 0, 0],\n [0, 1, 0, 0, 0],\n [0, 0, 1, 0, 0],\n [0, 0, 0, 1, 0],\n [0, 0, 0, 0, 1]]",
      "ch8/lab2: to_categorical of 0..4 is the identity")
  local ce, ms = s:match("에포크 20: 검증 정확도 교차 엔트로피 ([%d.]+), MSE ([%d.]+)")
  t.ok(ce and tonumber(ce) > 0.85 and tonumber(ce) > tonumber(ms) + 0.2,
       "ch8/lab2: with SGD, cross-entropy learns the digits far faster than MSE")
  local acc = L.number(s, "테스트 정확도 ([%d.]+)")
  t.ok(acc and acc > 0.85, "ch8/lab2: the hello-world network classifies the digits")
end

-- LAB 8-3: activations, vanishing gradients, initializers ---------------------------
do
  local s = lab("ch8/lab3.lua", {
    {"활성화 함수(activation function)와 도함수(derivative)", "activations section"},
    {"기울기 소실(vanishing gradient)", "vanishing-gradient section"},
  }, {{"activations.png", 900, 700}, {"gradient_norms.png", 500, 400}, {"init_spread.png", 500, 400}})
  -- closed forms in double precision (Keras's constants; gelu exact, with erf)
  local function erf(x)
    local sum, term, n = x, x, 0
    repeat
      n = n + 1
      term = -term * x * x / n
      sum = sum + term / (2 * n + 1)
    until math.abs(term) < 1e-17
    return 2 / math.sqrt(math.pi) * sum
  end
  local sig = function(x) return 1 / (1 + math.exp(-x)) end
  local SA, SS = 1.6732632423543772, 1.0507009873554805
  local F = {
    sigmoid = sig,
    tanh = function(x) return (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1) end,
    relu = function(x) return math.max(x, 0) end,
    leaky_relu = function(x) return x > 0 and x or 0.1 * x end,
    elu = function(x) return x > 0 and x or math.exp(x) - 1 end,
    selu = function(x) return SS * (x > 0 and x or SA * (math.exp(x) - 1)) end,
    softplus = function(x) return math.log(1 + math.exp(x)) end,
    swish = function(x) return x * sig(x) end,
    gelu = function(x) return 0.5 * x * (1 + erf(x / math.sqrt(2))) end,
  }
  local X = {-2, -0.5, 0.5, 2}
  local seen = 0
  for name, fn in pairs(F) do
    local fs, ds = s:match("\n" .. name .. " +f = ([^|]+)| f' = ([^\n]+)")
    local fv, dv = nums(fs), nums(ds)
    if t.ok(#fv == 4 and #dv == 4, "ch8/lab3: " .. name .. " printed at four points") then
      seen = seen + 1
      local worst_f, worst_d = 0, 0
      for i, x in ipairs(X) do
        local h = 1e-5
        local cd = (fn(x + h) - fn(x - h)) / (2 * h)
        worst_f = math.max(worst_f, math.abs(fv[i] - fn(x)))
        worst_d = math.max(worst_d, math.abs(dv[i] - cd))
      end
      t.ok(worst_f < 2e-6, ("ch8/lab3: %s(x) as its closed form (off by %.1e)"):format(name, worst_f))
      t.ok(worst_d < 2e-5, ("ch8/lab3: %s'(x) from backward equals the central difference (off by %.1e)")
           :format(name, worst_d))
    end
  end
  t.is(seen, 9, "ch8/lab3: nine activations checked")
  local rs = L.number(s, "sigmoid 첫 계층 / 마지막 계층 = ([%d.e+-]+)")
  local rr = L.number(s, "relu    첫 계층 / 마지막 계층 = ([%d.e+-]+)")
  t.ok(rs and rs < 1e-2, "ch8/lab3: the sigmoid net's first-layer gradient is far smaller than the last's")
  t.ok(rr and rr > 0.1, "ch8/lab3: the ReLU net's first-layer gradient is not")
  local sn = L.number(s, "random_normal +활성화 표준편차: 계층 1 [%d.e+-]+, 계층 10 ([%d.e+-]+)")
  local sh = L.number(s, "he_normal +활성화 표준편차: 계층 1 [%d.e+-]+, 계층 10 ([%d.e+-]+)")
  t.ok(sn and sn < 1e-3, "ch8/lab3: a small normal initializer lets the signal vanish by layer 10")
  t.ok(sh and sh > 0.1, "ch8/lab3: he_normal keeps it")
end

-- LAB 8-4: optimizer paths (against torch.optim) and curves ------------------------
do
  local s = lab("ch8/lab4.lua", {
    {"WORKBOOK_QUICK=1: 1,000장으로 2 에포크만 학습한다", "quick mode says so"},
  }, {{"optimizer_paths.png", 600, 480}, {"optimizer_loss.png", 600, 450},
      {"optimizer_curves.png", 900, 380}})
  for _, name in ipairs {"SGD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adam"} do
    local first, last = s:match("\n" .. name .. " +처음 세 걸음 ([^|]+)| %d+걸음 뒤 (%b())")
    local p, q = nums(first), nums(last)
    local want = TORCH[name]
    if t.ok(#p == 6 and #q == 2, "ch8/lab4: " .. name .. " path printed") then
      local worst = 0
      for i = 1, 3 do
        worst = math.max(worst, math.abs(p[2 * i - 1] - want[i][1]), math.abs(p[2 * i] - want[i][2]))
      end
      t.ok(worst < 1e-5, ("ch8/lab4: %s's first three steps as torch.optim (off by %.1e)"):format(name, worst))
      local d = math.max(math.abs(q[1] - want[4][1]), math.abs(q[2] - want[4][2]))
      t.ok(d < 1e-4, ("ch8/lab4: %s after %d steps as torch.optim (off by %.1e)"):format(name, TORCH.steps, d))
    end
  end
  local acc = {}
  for name, a in s:gmatch("\n(%a+) +학습률 [%d.e-]+ +검증 손실 [%d.]+, 검증 정확도 ([%d.]+)") do
    acc[name] = tonumber(a)
  end
  t.ok(acc.Adam and acc.SGD and acc.Adam > acc.SGD,
       "ch8/lab4: at Keras's default learning rates Adam is ahead of plain SGD after two epochs")
end

-- LAB 8-5: batch size and dropout --------------------------------------------------
do
  local s = lab("ch8/lab5.lua", {
    {"WORKBOOK_QUICK=1: 1,500장으로 2 에포크만 학습한다(드롭아웃 실험은 500장, 4 에포크)", "quick mode says so"},
    {"배치 크기    8: 에포크당 갱신   150번", "1200 / 8 updates an epoch"},
    {"배치 크기  512: 에포크당 갱신     3번", "ceil(1200 / 512) updates an epoch"},
  }, {{"batch_size.png", 900, 380}, {"dropout.png", 900, 380}})
  local plain = L.number(s, "드롭아웃 없음 마지막 에포크: 훈련 정확도 ([%d.]+)")
  local drop = L.number(s, "드롭아웃 0%.5 마지막 에포크: 훈련 정확도 ([%d.]+)")
  t.ok(plain and drop and plain > drop,
       "ch8/lab5: dropout lowers the training accuracy fit reports")
end

L.done()
t.done()
