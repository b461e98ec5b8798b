-- check_ch6_ch8.lua - the exercises of chapters 6 (SVM, HOG) and 8 (MLP):
-- every solution passes all its checks, the untouched exercise fails,
-- and a typical wrong answer fails with the hint meant for it (and does
-- not show the hidden answer).
local t = require "tap"
local bin = os.getenv("WORKBOOK") or "./workbook"

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. tmp)
local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end
local function run(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"rc=$?\"")
  local s = p:read("a")
  p:close()
  local rc = tonumber(s:match("rc=(%d+)\n?$"))
  return s:gsub("rc=%d+\n?$", ""), rc
end
local function has(s, text) return s:find(text, 1, true) ~= nil end
local function check(args) return run("WORKBOOK_OUT=" .. tmp .. "/out " .. bin .. " check " .. args) end

-- every exercise: the solution passes (n/n, exit 0), the untouched file
-- fails (exit 1, score 0)
local COUNTS = {ch6 = {ex1 = 3, ex2 = 2, ex3 = 3}, ch8 = {ex1 = 2, ex2 = 3, ex3 = 2}}
for _, ch in ipairs {"ch6", "ch8"} do
  for _, ex in ipairs {"ex1", "ex2", "ex3"} do
    local n = COUNTS[ch][ex]
    local out, rc = check("chapters/" .. ch .. "/exercises/" .. ex .. ".solution.lua")
    t.ok(rc == 0 and has(out, ("점수: %d/%d"):format(n, n)) and not has(out, "✘"),
         ch .. "/" .. ex .. ": the solution passes all " .. n .. " checks")
    if rc ~= 0 then t.diag(out) end
    out, rc = check(ch .. "/" .. ex .. ".lua")
    t.ok(rc == 1 and has(out, "✘") and has(out, ("점수: 0/%d"):format(n)),
         ch .. "/" .. ex .. ": the untouched exercise fails every check")
    if rc ~= 1 then t.diag(out) end
  end
end

-- a whole chapter at once
do
  local out, rc = check("ch6")
  t.ok(rc == 1 and has(out, "ch6/exercises/ex1.lua") and has(out, "ch6/exercises/ex3.lua"),
       "check ch6 runs the chapter's exercises (untouched: exit 1)")
end

local function wrong(ex, text)
  local path = tmp .. "/" .. ex:gsub("/", "_") .. ".lua"
  write(path, text)
  return check("--exercise " .. ex .. " " .. path)
end

-- ch6/ex1: precision and recall swapped
local out, rc = wrong("ch6/ex1", [[
function prf(tn, fp, fn, tp)
  local p, r = tp / (tp + fn), tp / (tp + fp)
  return p, r, 2 * p * r / (p + r)
end
precision, recall, f1 = prf(90, 10, 20, 80)
]])
t.ok(rc == 1 and has(out, "✘ 주어진 혼동 행렬: 실제 0.8: 기대한 값과 다릅니다 (너무 작음) — 정밀도는 양성으로 예측한 것 가운데 실제로 양성인 비율입니다"),
     "ch6/ex1: swapped precision and recall fail with the precision hint, the answer hidden")
t.ok(not has(out, "0.8889") and has(out, "점수: 0/3"), "ch6/ex1: the expected precision is never printed; 0/3")

-- ch6/ex2: gamma far too large overfits the hidden moons
out, rc = wrong("ch6/ex2", "C = 1\ngamma = 500\n")
t.ok(rc == 1 and has(out, "✔ C와 gamma는 양수: 통과")
     and has(out, "✘ 숨은 테스트 세트 정확도: 기대 0.87 이상, 실제 0.")
     and has(out, "과대적합입니다. C나 gamma가 너무 크지 않은지 보세요"),
     "ch6/ex2: gamma = 500 fails the accuracy bar with the overfitting hint")
-- and far too small underfits
out, rc = wrong("ch6/ex2", "C = 0.1\ngamma = 0.01\n")
t.ok(rc == 1 and has(out, "과소적합입니다"), "ch6/ex2: tiny C and gamma fail with the underfitting hint")
out, rc = wrong("ch6/ex2", "C = -1\ngamma = 1\n")
t.ok(rc == 1 and has(out, "✘ C와 gamma는 양수: C는 0보다 커야 합니다 (실제 -1)"), "ch6/ex2: a negative C is named")

-- ch6/ex3: cells times orientations, blocks forgotten
out, rc = wrong("ch6/ex3", [[
function hog_length(h, w, o, ch, cw, bh, bw) return (h // ch) * (w // cw) * o end
dalal_length = hog_length(128, 64, 9, 8, 8, 2, 2)
]])
t.ok(rc == 1 and has(out, "✘ 128x64 창의 길이: 실제 1152: 기대한 값과 다릅니다 (너무 작음) — 블록은 한 셀씩 옮겨 가며 겹치게 놓입니다"),
     "ch6/ex3: forgetting the blocks fails with the block hint")
t.ok(not has(out, "3780") and has(out, "점수: 0/3"), "ch6/ex3: the expected length is never printed; 0/3")
-- real division instead of whole cells passes the even sizes only
out, rc = wrong("ch6/ex3", [[
function hog_length(h, w, o, ch, cw, bh, bw)
  return math.floor((h / ch - bh + 1) * (w / cw - bw + 1) * bh * bw * o)
end
dalal_length = hog_length(128, 64, 9, 8, 8, 2, 2)
]])
t.ok(rc == 1 and has(out, "✔ hog_length (숨은 크기, 나누어떨어짐): 통과")
     and has(out, "셀을 다 채우지 못하는 가장자리 픽셀은 버려집니다") and has(out, "점수: 2/3"),
     "ch6/ex3: partial cells counted fail with the leftover-pixels hint")

-- ch8/ex1: the biases forgotten
out, rc = wrong("ch8/ex1", [[
function mlp_params(s) local n = 0 for i = 2, #s do n = n + s[i - 1] * s[i] end return n end
lab_params = mlp_params{784, 128, 32, 10}
]])
t.ok(rc == 1 and has(out, "✘ LAB 8-1 모델: 실제 104768: 기대한 값과 다릅니다 (너무 작음) — Dense 층의 파라미터는 가중치(입력 수 x 유닛 수)와 편향(유닛마다 하나)입니다")
     and has(out, "✘ mlp_params (숨은 층 크기): 실제 12: 기대한 값과 다릅니다 (너무 작음) — mlp_params{4, 3}의 값이 틀립니다"),
     "ch8/ex1: forgotten biases fail both checks with the weights-and-biases hint")
t.ok(not has(out, "104938") and not has(out, " 15") and has(out, "점수: 0/2"),
     "ch8/ex1: the expected counts are never printed; 0/2")

-- ch8/ex2: the textbook formula without the max subtracted
out, rc = wrong("ch8/ex2", [[
function softmax(z)
  local s, p = 0, {}
  for _, v in ipairs(z) do s = s + math.exp(v) end
  for i, v in ipairs(z) do p[i] = math.exp(v) / s end
  return p
end
function cross_entropy(z, label) return -math.log(softmax(z)[label + 1]) end
]])
t.ok(rc == 1 and has(out, "✔ softmax (숨은 로짓): 통과") and has(out, "✔ cross_entropy (숨은 로짓과 정답): 통과")
     and has(out, "✘ 큰 로짓에서도 안정적: ") and has(out, "softmax({1000, 1001, 1002})의 1번째 값이 틀립니다. exp가 넘치거나 확률이 0이 되었습니다")
     and has(out, "점수: 2/3"),
     "ch8/ex2: a softmax that overflows fails only the large-logit check, with its hint")
-- label counted from 1
out, rc = wrong("ch8/ex2", [[
function softmax(z)
  local m = math.max(table.unpack(z))
  local s, p = 0, {}
  for _, v in ipairs(z) do s = s + math.exp(v - m) end
  for i, v in ipairs(z) do p[i] = math.exp(v - m) / s end
  return p
end
function cross_entropy(z, label) return -math.log(softmax(z)[math.max(label, 1)]) end
]])
t.ok(rc == 1 and has(out, "✘ cross_entropy (숨은 로짓과 정답): ") and has(out, "label은 0부터 셉니다"),
     "ch8/ex2: a label counted from 1 fails with the label hint")

-- ch8/ex3: a model over the parameter budget; one that does not learn
out, rc = wrong("ch8/ex3", [[
local nn = require "nn"
function build_model()
  local m = nn.Sequential{nn.Dense{units = 128, activation = "relu", input_shape = {64}}, nn.Dense(10, "softmax")}
  m:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy"}
  return m
end
epochs = 20
]])
t.ok(rc == 1 and has(out, "✘ 모델의 입출력과 크기: 기대 3000 미만, 실제 9610 — 파라미터가 너무 많습니다"),
     "ch8/ex3: a 9,610-parameter model fails the size check with its hint")
out, rc = wrong("ch8/ex3", [[
local nn = require "nn"
function build_model()
  local m = nn.Sequential{nn.Dense{units = 16, activation = "relu", input_shape = {64}}, nn.Dense(10, "softmax")}
  m:compile{optimizer = "sgd", loss = "sparse_categorical_crossentropy"}
  return m
end
epochs = 2
]])
t.ok(rc == 1 and has(out, "✔ 모델의 입출력과 크기: 통과")
     and has(out, "✘ 숨은 테스트 세트 정확도: 기대 0.93 이상, 실제 ")
     and has(out, "출력층의 활성화와 손실, 옵티마이저, 에포크 수를 확인하세요") and has(out, "점수: 1/2"),
     "ch8/ex3: an undertrained model fails the accuracy bar with its hint")
out, rc = wrong("ch8/ex3", [[
local nn = require "nn"
function build_model()
  local m = nn.Sequential{nn.Dense{units = 8, activation = "relu", input_shape = {64}}, nn.Dense(3, "softmax")}
  m:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy"}
  return m
end
epochs = 100
]])
t.ok(rc == 1 and has(out, "✘ 모델의 입출력과 크기: 기대 모양 (5, 10), 실제 (5, 3)")
     and has(out, "epochs는 1~50의 정수여야 합니다 (실제 100)"),
     "ch8/ex3: a wrong output size and too many epochs are named")

os.execute("rm -rf " .. tmp)
t.done()
