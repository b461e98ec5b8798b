-- chapters_ch7.lua - the labs of chapter 7 (perceptron to backpropagation),
-- each run as a student runs it (./workbook run ch7/labK.lua,
-- WORKBOOK_QUICK=1) in a child process writing into a temporary out
-- folder: exit status 0, the truth tables and lines that carry the lesson,
-- every figure not blank; XOR's errors never reaching 0 for the single
-- perceptron; the hand-written backpropagation equal to central
-- differences and to nn's gradient (within 1e-4), the hand and nn loss
-- curves equal; ml.Perceptron equal to scikit-learn's on the four gates and
-- the LAB 7-6 network (nn.Sequential, SGD 5.0, mse) equal to PyTorch's
-- gradients and losses from given weights (tests/fixtures/make_ch7_fixtures.py).
local t = require "tap"
local T, nn = require "tensor", require "nn"
local FX = dofile(arg[0]:match("(.*/)") .. "../fixtures/ch7.lua")

local L = require("helpers.chapter_labs")(t, "ch7")
local lab, has = L.lab, L.has

local function near(a, b, tol, name)
  local ok = t.ok(a and math.abs(a - b) <= tol, name)
  if not ok then t.diag(("got %s, want %.6g (tol %g)"):format(tostring(a), b, tol)) end
end

-- the last column of a printed truth table under `head`, as a string "-1 -1 -1 1"
local function outputs(s, head)
  local block = s:match(head:gsub("([%(%)%.%-%+%*%?%[%]%^%$])", "%%%1") .. ".-\n(.-)\n\n")
              or s:match(head:gsub("([%(%)%.%-%+%*%?%[%]%^%$])", "%%%1") .. ".-\n(.*)$")
  if not block then return nil end
  local out = {}
  for line in block:gmatch("[^\n]+") do
    local v = line:match("|%s*(%-?%d+)%s*$")
    if v then out[#out + 1] = v end
  end
  return table.concat(out, " ")
end

-- LAB 7-1: fixed weights ---------------------------------------------------------------
do
  local s = lab("ch7/lab1.lua", {
    {"AND 게이트: w = (0.5, 0.5), b = -0.7", "the AND perceptron"},
    {"b = -1.2: 출력 -1 -1 -1 -1", "a low bias makes every output -1"},
    {"b =  1.2: 출력  1  1  1  1", "a high bias makes every output 1"},
  }, {{"gates.png", 900, 350}})
  t.is(outputs(s, "AND 게이트"), "-1 -1 -1 1", "ch7/lab1: AND's truth table")
  t.is(outputs(s, "NAND 게이트"), "1 1 1 -1", "ch7/lab1: NAND's truth table")
  t.is(outputs(s, "OR 게이트"), "-1 1 1 1", "ch7/lab1: OR's truth table")
end

-- LAB 7-2: the learning rule on OR -------------------------------------------------------
do
  local s = lab("ch7/lab2.lua", {
    {"틀린 입력이 없어 학습을 멈춘다", "training stops when no input is wrong"},
  }, {{"or_epochs.png", 600, 450}})
  local rows = {}
  for e, w1, w2, b, wrong in s:gmatch("\n +(%d+) | +([%d.-]+) +([%d.-]+) +([%d.-]+) | (%d)") do
    rows[#rows + 1] = {tonumber(e), tonumber(w1), tonumber(w2), tonumber(b), tonumber(wrong)}
  end
  t.ok(#rows >= 2, "ch7/lab2: a row of weights per epoch")
  local last = rows[#rows] or {}
  t.is(last[5], 0, "ch7/lab2: the last epoch has no wrong input")
  for i = 1, #rows - 1 do
    if rows[i][5] == 0 then t.fail("ch7/lab2: an epoch before the last had no error") end
  end
  -- every update moves w by η t x = ±0.25 per weight: the weights stay on the 0.25 grid
  local grid = true
  for _, r in ipairs(rows) do
    for k = 2, 4 do grid = grid and math.abs(r[k] * 4 - math.floor(r[k] * 4 + 0.5)) < 1e-6 end
  end
  t.ok(grid, "ch7/lab2: weights move in steps of η = 0.25")
  -- the learnt weights compute OR
  local w1, w2, b = last[2], last[3], last[4]
  local ok = w1 and true
  for _, p in ipairs {{-1, -1, -1}, {-1, 1, 1}, {1, -1, 1}, {1, 1, 1}} do
    local sgn = w1 * p[1] + w2 * p[2] + b
    ok = ok and sgn * p[3] > 0
  end
  t.ok(ok, "ch7/lab2: the printed weights separate OR's inputs")
  t.is(outputs(s, "학습한 퍼셉트론의 진리표 (OR)"), "-1 1 1 1", "ch7/lab2: the learnt OR table")
end

-- LAB 7-3: AND/NAND/OR learnt, XOR never --------------------------------------------------
do
  local s = lab("ch7/lab3.lua", {
    {"ml.Perceptron{shuffle = false}", "scikit-learn's Perceptron is compared"},
  }, {{"learned_lines.png", 1000, 300}, {"errors.png", 600, 450}})
  for _, g in ipairs {"AND", "NAND", "OR"} do
    local w1, w2, b, last = s:match(("\n%s *: 에포크 +%%d+, w = %%( *([%%d.-]+), *([%%d.-]+)%%), " ..
      "b = *([%%d.-]+), 출력 [^,]+, 마지막 에포크에서 틀린 입력 (%%d)"):format(g))
    t.is(tonumber(last), 0, "ch7/lab3: " .. g .. " is learnt (no wrong input at the end)")
    -- from zero weights the rule with η = 0.25 is scikit-learn's (eta0 = 1) scaled by 1/4
    local sk = FX.perceptron[g]
    near(tonumber(w1), sk.coef[1] / 4, 1e-6, "ch7/lab3: " .. g .. " w1 = scikit-learn's / 4")
    near(tonumber(w2), sk.coef[2] / 4, 1e-6, "ch7/lab3: " .. g .. " w2 = scikit-learn's / 4")
    near(tonumber(b), sk.intercept / 4, 1e-6, "ch7/lab3: " .. g .. " b = scikit-learn's / 4")
  end
  local list = s:match("== XOR: 에포크마다 틀린 입력의 수 ==\n([^\n]+)")
  local zero = false
  for v in (list or ""):gmatch("%d+") do zero = zero or v == "0" end
  t.ok(list and not zero, "ch7/lab3: XOR's errors per epoch never reach 0")
  local epochs, fewest = s:match("(%d+) 에포크 동안 가장 적게 틀린 에포크도 (%d+)개를 틀렸다")
  t.ok(tonumber(epochs) == 20 and tonumber(fewest) and tonumber(fewest) > 0,
       "ch7/lab3: after all its epochs XOR still has a wrong input")
  for g, sk in pairs(FX.perceptron) do
    local c1, c2, icpt, n_iter, acc = s:match(("\n%s *: coef_ = %%(([%%d.-]+), ([%%d.-]+)%%), " ..
      "intercept_ = ([%%d.-]+), n_iter_ = (%%d+), 정확도 ([%%d.]+)"):format(g))
    near(tonumber(c1), sk.coef[1], 1e-6, "ch7/lab3: ml.Perceptron coef_[1] on " .. g .. " as scikit-learn")
    near(tonumber(c2), sk.coef[2], 1e-6, "ch7/lab3: ml.Perceptron coef_[2] on " .. g .. " as scikit-learn")
    near(tonumber(icpt), sk.intercept, 1e-6, "ch7/lab3: ml.Perceptron intercept_ on " .. g .. " as scikit-learn")
    t.is(tonumber(n_iter), sk.n_iter, "ch7/lab3: ml.Perceptron n_iter_ on " .. g .. " as scikit-learn")
    near(tonumber(acc), sk.score, 1e-9, "ch7/lab3: ml.Perceptron accuracy on " .. g .. " as scikit-learn")
  end
end

-- LAB 7-4: the x1*x2 input solves XOR --------------------------------------------------------
do
  local s = lab("ch7/lab4.lua", {
    {"XOR의 네 입력을 모두 맞혔다", "XOR learnt with the polynomial input"},
    {"(-1,  1, -1) ->  1", "the x1*x2 column"},
  }, {{"xor_regions.png", 600, 450}, {"xor_3d.png", 600, 450}})
  t.is(outputs(s, "학습한 퍼셉트론의 진리표 (XOR)"), "-1 1 1 -1", "ch7/lab4: the learnt XOR table")
end

-- LAB 7-5: the XOR network, backpropagation by hand ------------------------------------------
do
  local s = lab("ch7/lab5.lua", {
    {"== 학습 ==", "training is shown"},
  }, {{"loss.png", 600, 450}, {"xor_regions.png", 900, 400}})
  local d = L.number(s, "손으로 구한 기울기와 중앙 차분의 최대 차이: ([%d.e+-]+)")
  t.ok(d and d < 1e-4, "ch7/lab5: the hand gradient equals the central difference (within 1e-4)")
  if d then t.diag(("hand vs central difference: %.2e"):format(d)) end
  local first = L.number(s, "에포크 +1: 손실 ([%d.]+)")
  local last = L.number(s, "손실 ([%d.]+), 네 입력 중 %d개를 맞혔다")
  t.ok(first and last and last < first, "ch7/lab5: gradient descent lowers the loss")
end

-- LAB 7-6: by hand and with nn.Sequential -----------------------------------------------------
do
  local s = lab("ch7/lab6.lua", {
    {"Total params: 45", "the 1-6-4-1 network has 45 parameters"},
  }, {{"loss.png", 600, 450}, {"fit.png", 600, 450}})
  local curve = L.number(s, "두 학습 곡선의 최대 차이: ([%d.e+-]+)")
  t.ok(curve and curve < 1e-4, "ch7/lab6: hand and nn loss curves agree (within 1e-4)")
  local num = L.number(s, "손 역전파와 중앙 차분의 최대 차이: ([%d.e+-]+)")
  t.ok(num and num < 1e-4, "ch7/lab6: the hand gradient equals the central difference (within 1e-4)")
  local g = L.number(s, "손 역전파와 nn의 최대 차이: ([%d.e+-]+)")
  t.ok(g and g < 1e-4, "ch7/lab6: the hand gradient equals nn's (within 1e-4)")
  local h1, hN = s:match("손으로 쓴 역전파 %(.-%) ==\n첫 에포크 손실 ([%d.]+), 마지막 에포크 손실 ([%d.]+)")
  t.ok(h1 and tonumber(hN) < tonumber(h1), "ch7/lab6: training lowers the loss")
end

-- The LAB 7-6 network against PyTorch: gradients and K SGD steps from given weights -----------
do
  local M = FX.mlp
  local n = #M.x
  local x, y = T(M.x):reshape(n, 1), T(M.y):reshape(n, 1)
  local function build()
    local m = nn.Sequential{
      nn.Dense{units = 6, activation = "sigmoid", input_shape = {1}},
      nn.Dense{units = 4, activation = "sigmoid"},
      nn.Dense{units = 1, activation = "sigmoid"},
    }
    m:compile{optimizer = nn.optimizers.SGD{learning_rate = M.lr}, loss = "mse"}
    local ws = {}
    for i, w in ipairs(M.weights) do ws[i] = T(w) end
    m:set_weights(ws)
    return m
  end
  local m = build()
  local before = m:get_weights()
  local losses = {}
  for k = 1, M.steps do
    losses[k] = m:train_on_batch(x, y)
    if k == 1 then
      local after = m:get_weights()
      local worst = 0
      for i = 1, #before do
        local g = (before[i] - after[i]) / M.lr
        worst = math.max(worst, (g - T(M.grads[i])):abs():max())
      end
      t.ok(worst < 1e-4, "ch7: nn's gradient of the 1-6-4-1 network equals PyTorch's (within 1e-4)")
      t.diag(("nn vs torch gradient: %.2e"):format(worst))
    end
  end
  for k = 1, M.steps do
    near(losses[k], M.losses[k], 1e-6, ("ch7: loss at SGD step %d as PyTorch"):format(k))
  end
  near(m:evaluate(x, y, {verbose = 0}), M.final_loss, 1e-6,
       ("ch7: loss after %d SGD steps (lr %g) as PyTorch"):format(M.steps, M.lr))
end

L.done()
t.done()
