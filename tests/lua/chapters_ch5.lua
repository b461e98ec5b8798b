-- chapters_ch5.lua - the labs of chapter 5 (classification and clustering),
-- each run as a student runs it (./workbook run ch5/..., WORKBOOK_QUICK=1)
-- in a child process writing into a temporary out folder: exit status 0,
-- the lines that carry the lesson, and the numbers scikit-learn fixes
-- (tests/fixtures/make_ch5_fixtures.py): k-NN's verdicts on the dogs, its
-- predictions and accuracies on iris for the labs' split, the confusion
-- matrix, precision, recall, F1 and classification_report, the sorted split
-- cut in the middle, and KMeans from explicit initial centres (labels and
-- inertia); every figure, not blank.
local t = require "tap"
local SK = dofile(arg[0]:match("(.*/)") .. "../fixtures/ch5_sklearn.lua")
local T, ml, data = require "tensor", require "ml", require "data"

local L = require("helpers.chapter_labs")(t, "ch5")
local lab, has = L.lab, L.has

local function near(a, b, tol, name)
  local ok = t.ok(a and math.abs(a - b) <= tol, name)
  if not ok then t.diag(("got %s, want %.6g (tol %g)"):format(tostring(a), b, tol)) end
end

-- "0 1 2 ..." after a prefix, as a list of numbers
local function digits(s, prefix)
  local line = s:match(prefix .. "([%d ]+)\n")
  if not line then return nil end
  local v = {}
  for d in line:gmatch("%d+") do v[#v + 1] = tonumber(d) end
  return v
end

local function same_list(got, want, name)
  local ok = got ~= nil and #got == #want
  if ok then for i = 1, #want do ok = ok and got[i] == want[i] end end
  if not t.ok(ok, name) then
    t.diag("got  " .. (got and table.concat(got, " ") or "nothing"))
    t.diag("want " .. table.concat(want, " "))
  end
end

-- lab1: k-NN by hand on the dogs ----------------------------------------------
do
  local s = lab("ch5/lab1.lua", {
    {"개 16마리, 특성 2개(몸 길이, 몸 높이)", "16 dogs, 2 features"},
    {"1. (80, 35) 닥스훈트(Dachshund), 거리 1.00", "the nearest dog to (79, 35) found by hand"},
    {"8번 가운데 8번 같은 판정", "the hand-made k-NN agrees with KNeighborsClassifier"},
    {"초승달 데이터: 훈련 100개, 테스트 100개", "the overlapping data"},
  }, {{"dogs.png", 600, 450}, {"dog_regions.png", 800, 700}, {"moon_regions.png", 800, 700}})
  local names = {["닥스훈트(Dachshund)"] = 0, ["사모예드(Samoyed)"] = 1}
  for _, q in ipairs {{79, 35}, {82, 40}} do
    local want = SK.dogs[("q%d_%d"):format(q[1], q[2])]
    for i, k in ipairs {1, 3, 5, 9} do
      local mine, theirs = s:match(("데이터 %%(%d, %d%%), k = %d: 표 %%d+:%%d+ %%-> 직접 (%%S+) / sklearn (%%S+)")
                                   :format(q[1], q[2], k))
      t.ok(mine and names[mine] == want[i] and names[theirs] == want[i],
           ("ch5/lab1: (%d, %d), k = %d judged as scikit-learn"):format(q[1], q[2], k))
    end
  end
  for i, k in ipairs {1, 3, 9} do
    local v = s:match(("사모예드 3마리만 있을 때.-k = %d: (%%S+)"):format(k))
    t.is(names[v], SK.dogs_few[i], ("ch5/lab1: three Samoyeds, k = %d as scikit-learn"):format(k))
  end
  local tr1 = tonumber(s:match("k = 1: 훈련 정확도 ([%d.]+)"))
  t.is(tr1, 1.0, "ch5/lab1: k = 1 fits its own training data exactly")
end

-- lab2: iris, metrics, sampling bias ------------------------------------------------
do
  -- the split the labs use is the one the fixture was computed for
  local iris = data.iris()
  local _, _, _, _, itr, ite = ml.train_test_split(iris.data, iris.target,
    {test_size = 0.3, random_state = 1, stratify = iris.target})
  same_list(ite, SK.test, "ch5: train_test_split(random_state = 1, stratify) gives the fixture's test rows")
  same_list(itr, SK.train, "ch5: ... and its training rows in the same order")

  local s = lab("ch5/lab2.lua", {
    {"iris 데이터의 형태: (150, 4)", "iris is 150 x 4"},
    {"품종별 개수: 50, 50, 50", "50 flowers of each kind"},
    {"훈련 105송이, 테스트 45송이", "a 70/30 split"},
    {"훈련 데이터의 품종별 개수: 50, 50, 5", "the sorted cut leaves 5 virginica for training"},
    {"테스트 데이터의 품종별 개수: 0, 0, 45", "the sorted cut tests on virginica only"},
    {"정확도 = 0.9000", "always-Samoyed scores 0.9"},
    {"닥스훈트의 재현율 = 0.0000", "... and finds no Dachshund"},
  }, {{"accuracy_vs_k.png", 600, 450}, {"confusion.png", 400, 300}})
  same_list(digits(s, "정답: "), (function()
    local v = {}
    for i, r in ipairs(SK.test) do v[i] = math.tointeger(iris.target[r]) end
    return v end)(), "ch5/lab2: the test labels printed are the split's")
  same_list(digits(s, "예측: "), SK.pred_k5, "ch5/lab2: k = 5 predictions as scikit-learn")
  near(tonumber(s:match("n_neighbors가 5일 때 정확도: ([%d.]+)")), SK.acc_by_k.k5, 1e-4,
       "ch5/lab2: k = 5 accuracy as scikit-learn")
  for k = 1, 25, 2 do
    local tr, te = s:match(("k = %%s*%d: 훈련 ([%%d.]+), 테스트 ([%%d.]+)"):format(k))
    -- where the k-th neighbour is one of several at the same distance and
    -- the choice can change a vote (the fixture marks it), which one votes
    -- is an implementation's choice: allow one flower either way
    local tied = SK.tied_k["k" .. k]
    near(tonumber(te), SK.acc_by_k["k" .. k], tied.test and 1 / 45 + 1e-4 or 1e-4,
         ("ch5/lab2: test accuracy k = %d as scikit-learn%s"):format(k, tied.test and " (tied neighbours)" or ""))
    near(tonumber(tr), SK.train_acc_by_k["k" .. k], tied.train and 1 / 105 + 1e-4 or 1e-4,
         ("ch5/lab2: training accuracy k = %d as scikit-learn%s"):format(k, tied.train and " (tied neighbours)" or ""))
  end
  t.ok(s:find("%[4.0, 2.0, 1.3, 0.4%] 특성을 가지는 품종: setosa") and SK.new_flowers[1] == 0 and
       s:find("%[4.0, 3.0, 3.2, 2.2%] 특성을 가지는 품종: versicolor") and SK.new_flowers[2] == 1,
       "ch5/lab2: the two new flowers named as scikit-learn")
  near(tonumber(s:match("150송이로 잰 정확도: ([%d.]+)")), SK.acc_all_k3, 1e-4,
       "ch5/lab2: training accuracy of k = 3 on all 150 as scikit-learn")
  local names = {"setosa", "versicolor", "virginica"}
  for i = 1, 3 do
    local a, b, c = s:match(names[i] .. "%s+(%d+)%s+(%d+)%s+(%d+)\n")
    local row = SK.confusion_k5[i]
    t.ok(tonumber(a) == row[1] and tonumber(b) == row[2] and tonumber(c) == row[3],
         "ch5/lab2: confusion matrix row " .. names[i] .. " as scikit-learn")
  end
  -- the textbook's binary example
  near(tonumber(s:match("정밀도 TP/%(TP%+FP%) = ([%d.]+)")), SK.binary.precision, 1e-4, "ch5/lab2: precision by hand")
  near(tonumber(s:match("정밀도 .-sklearn과 같은 함수: ([%d.]+)")), SK.binary.precision, 1e-4, "ch5/lab2: precision_score")
  near(tonumber(s:match("재현율 TP/%(TP%+FN%) = ([%d.]+)")), SK.binary.recall, 1e-4, "ch5/lab2: recall by hand")
  near(tonumber(s:match("재현율 .-sklearn과 같은 함수: ([%d.]+)")), SK.binary.recall, 1e-4, "ch5/lab2: recall_score")
  near(tonumber(s:match("F1 점수 = ([%d.]+)")), SK.binary.f1, 1e-4, "ch5/lab2: f1_score")
  -- classification_report, character for character (4 digits)
  has(s, SK.report_text, "ch5/lab2: classification_report printed as scikit-learn's")
  -- the sorted data cut in the middle
  same_list(digits(s, "품종별 개수: 0, 0, 45\n예측: "), SK.biased_pred,
            "ch5/lab2: predictions of the cut-in-the-middle split as scikit-learn")
  near(tonumber(s:match("테스트 정확도: ([%d.]+) %(층화")), SK.biased_acc, 1e-4,
       "ch5/lab2: accuracy of the cut-in-the-middle split as scikit-learn")
  local w1 = tonumber(s:match("층화 추출 없음: 품종 개수 차이 최대 (%d+)"))
  local w2 = tonumber(s:match("층화 추출    : 품종 개수 차이 최대 (%d+)"))
  t.ok(w1 and w2 == 0 and w1 > 2, "ch5/lab2: stratified splits keep 5/5/5, random ones do not")
end

-- lab3: LAB 5-1, k-means ---------------------------------------------------------------
do
  local s = lab("ch5/lab3.lua", {
    {"k = 2: 군집 0 0 0 0 0 0 0 0 1 1 1 1 1 1 1 1", "k = 2 finds the two breeds"},
    {"kMeans 군집화 적용: n_clusters = 3", "three clusters for three kinds"},
  }, {{"dog_clusters.png", 900, 300}, {"iris_clusters.png", 800, 350}, {"elbow.png", 600, 450}})
  near(tonumber(s:match("관성%(inertia, 중심까지 거리 제곱의 합%) = ([%d.]+)")), SK.kmeans_best.inertia,
       1e-4 * SK.kmeans_best.inertia, "ch5/lab3: n_init = 10 reaches scikit-learn's best inertia")
  near(tonumber(s:match("iris 데이터의 군집화 정확도: ([%d.]+)")), SK.kmeans_best.accuracy, 1e-4,
       "ch5/lab3: accuracy after relabelling by majority as scikit-learn's")
  for _, key in ipairs {"1,2,3", "1,2,51"} do
    local want = SK.kmeans_init["r" .. key:gsub(",", "_")]
    local inertia, acc = s:match("init = " .. key .. "번 꽃: 관성 = ([%d.]+), 반복 %d+번, 군집 크기 [%d/]+, " ..
                                 "다시 레이블링한 정확도 ([%d.]+)")
    near(tonumber(inertia), want.inertia, 1e-4 * want.inertia,
         ("ch5/lab3: KMeans(init = rows %s) inertia as scikit-learn"):format(key))
    near(tonumber(acc), want.accuracy, 1e-4, ("ch5/lab3: init = rows %s relabelled accuracy"):format(key))
    same_list(digits(s, "init = " .. key .. "번 꽃:[^\n]*\n  labels: "), want.labels,
              ("ch5/lab3: KMeans(init = rows %s) labels as scikit-learn"):format(key))
  end
  -- the centres themselves, in process (the lab prints no centres)
  local X = data.iris().data
  local km = ml.KMeans{n_clusters = 3, init = T.stack({X[1], X[2], X[51]}), n_init = 1}:fit(X)
  local c, want = km.cluster_centers_:flatten():totable(), SK.kmeans_init.r1_2_51.centers
  local worst = 0
  for i = 1, #want do worst = math.max(worst, math.abs(c[i] - want[i])) end
  t.ok(#c == #want and worst < 1e-4, "ch5/lab3: KMeans(init = rows 1,2,51) centres within 1e-4")
  -- the elbow: k = 1..4 reach scikit-learn's inertia; all decrease
  local el = {}
  for k, v in s:gmatch("k = +(%d+): 관성 ([%d.]+)") do el[tonumber(k)] = tonumber(v) end
  for k = 1, 4 do
    near(el[k], SK.elbow[k], 1e-4 * SK.elbow[k], ("ch5/lab3: elbow inertia k = %d as scikit-learn"):format(k))
  end
  local dec = #el == 10
  for k = 2, #el do dec = dec and el[k] < el[k - 1] end
  t.ok(dec, "ch5/lab3: the inertia falls as k grows")
end

-- mini project A1: denoising with a multi-output k-NN ---------------------------------
do
  local s = lab("ch5/project_denoise.lua", {
    {"기억할 이미지 30장, 처음 보는 이미지 10장, 한 장에 픽셀 784개", "30 + 10 images of 784 pixels"},
    {"증강한 훈련 데이터: 입력 (300, 784), 정답 (300, 784)", "quick mode: 10 noisy copies each, multi-output y"},
  }, {{"augmented.png", 800, 300}, {"denoise_seen.png", 800, 300}, {"denoise_strong.png", 800, 300},
      {"denoise_unseen.png", 800, 300}, {"denoise_unseen_big.png", 800, 300}, {"memory_size.png", 600, 450}})
  local n1, r1 = s:match("기억한 이미지 30장 ==\nMSE: 잡음 이미지 ([%d.]+) %-> 복원 이미지 ([%d.]+)")
  t.ok(tonumber(n1) and tonumber(n1) > 0.01 and tonumber(r1) < 1e-3,
       "ch5/project_denoise: a remembered image comes back clean")
  local tn, tr = s:match("처음 보는 테스트 이미지 10장 %(기억 30장%) ==\nMSE: 잡음 이미지 ([%d.]+) %-> 복원 이미지 ([%d.]+)")
  t.ok(tonumber(tr) and tonumber(tr) > tonumber(tn),
       "ch5/project_denoise: 30 remembered images do not generalise to unseen ones")
  local big = tonumber(s:match("이미지  1000장: 복원 MSE ([%d.]+)"))
  t.ok(big and big < tonumber(tn), "ch5/project_denoise: 1000 remembered images beat the noise on unseen ones")
end

L.done()
t.done()
