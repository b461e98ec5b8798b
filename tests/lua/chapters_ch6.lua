-- chapters_ch6.lua - the new labs of chapter 6 (polynomial regression,
-- logistic and softmax regression, information theory, decision trees,
-- nonlinear SVMs, ensembles), each run as a student runs it (./workbook
-- run ch6/labK.lua, WORKBOOK_QUICK=1) in a child process: exit status 0,
-- the lines that carry the lesson, every figure not blank, the hand
-- computations agreeing with the estimators, and the numbers scikit-learn
-- and scipy fix equal to tests/fixtures/ch6.lua
-- (tests/fixtures/make_ch6_fixtures.py). Where the lab's data come from the
-- workbook's make_moons (another RNG than NumPy's), the same estimators are
-- fitted here on scikit-learn's moons from the fixture.
local t = require "tap"
local T, ml = require "tensor", require "ml"
local SK = dofile(arg[0]:match("(.*/)") .. "../fixtures/ch6.lua")

local L = require("helpers.chapter_labs")(t, "ch6")
local lab, has = L.lab, L.has

local function near(a, b, tol, name)
  local ok = t.ok(a and math.abs(a - b) <= tol, name)
  if not ok then t.diag(("got %s, want %.6g (tol %g)"):format(tostring(a), b, tol)) end
end
-- two lists of numbers equal position by position
local function same(got, want, name)
  local bad
  if #got ~= #want then bad = ("%d values, want %d"):format(#got, #want) end
  for i = 1, #want do
    if not bad and got[i] ~= want[i] then bad = ("position %d: got %s, want %s"):format(i, tostring(got[i]), tostring(want[i])) end
  end
  if not t.ok(bad == nil, name) then t.diag(bad) end
end
local function numbers(s)
  local out = {}
  for v in (s or ""):gmatch("[%d.e+-]+") do out[#out + 1] = tonumber(v) end
  return out
end

-- LAB 6-1: polynomial regression ------------------------------------------------
do
  local s = lab("ch6/lab1.lua", {
    {"훈련 데이터 16개, 테스트 데이터 8개", "16 training and 8 test points"},
    {"특성 이름: 1, x0, x0^2, x0^3", "scikit-learn's feature names"},
    {"x = 2   → 1.0, 2.0, 4.0, 8.0", "PolynomialFeatures columns 1, x, x², x³"},
  }, {{"poly_fits.png", 600, 450}, {"poly_errors.png", 600, 450}})
  local prev = math.huge
  local monotone = true
  for d = 1, 10 do
    local a, b = s:match(("\n%%s*%d   ([%%d.]+)   ([%%d.]+)"):format(d))
    a, b = tonumber(a), tonumber(b)
    local tol = d <= 9 and 1e-3 or 1e-2   -- float32 features x^10 lose digits
    near(a, SK.poly_train[d], tol * SK.poly_train[d] + 2e-6, ("ch6/lab1: degree %d training MSE as scikit-learn"):format(d))
    near(b, SK.poly_test[d], tol * SK.poly_test[d] + 2e-6, ("ch6/lab1: degree %d test MSE as scikit-learn"):format(d))
    if not a or a > prev + 1e-6 then monotone = false end
    prev = a or prev
  end
  t.ok(monotone, "ch6/lab1: the training MSE never rises with the degree (nested models)")
  local best = 1
  for d = 2, 10 do if SK.poly_test[d] < SK.poly_test[best] then best = d end end
  has(s, ("테스트 MSE가 가장 작은 차수: %d"):format(best), "ch6/lab1: the best degree is scikit-learn's")
end

-- logistic and softmax regression ---------------------------------------------------
do
  local s = lab("ch6/lab2.lua", {
    {"붓꽃 150송이, 버지니카 50송이", "iris, 50 virginica"},
  }, {{"sigmoid_fit.png", 600, 450}, {"softmax_regions.png", 600, 450}})
  local hw, hb = s:match("직접 구현한 경사 하강법: +w = ([%d.-]+), b = ([%d.-]+)")
  local nw, nb = s:match("LogisticRegression%(penalty='none'%): w = ([%d.-]+), b = ([%d.-]+)")
  local cw, cb = s:match("LogisticRegression%(%) %(C = 1%): +w = ([%d.-]+), b = ([%d.-]+)")
  near(tonumber(nw), SK.lr_none_w, 1e-3, "ch6/lab2: unpenalised w as scikit-learn")
  near(tonumber(nb), SK.lr_none_b, 2e-3, "ch6/lab2: unpenalised b as scikit-learn")
  near(tonumber(cw), SK.lr_c1_w, 1e-3, "ch6/lab2: C = 1 w as scikit-learn")
  near(tonumber(cb), SK.lr_c1_b, 1e-3, "ch6/lab2: C = 1 b as scikit-learn")
  near(tonumber(hw), SK.lr_none_w, 2e-3, "ch6/lab2: gradient descent by hand reaches the unpenalised w")
  near(tonumber(hb), SK.lr_none_b, 4e-3, "ch6/lab2: gradient descent by hand reaches the unpenalised b")
  for _, row in ipairs {{"직접 구현", SK.p_none}, {"penalty='none'", SK.p_none},
                        {"C = 1 %(lbfgs%)", SK.p_c1}, {"C = 1 %(liblinear%)", SK.p_liblinear}} do
    local got = numbers(s:match("  " .. row[1] .. ": +([^\n]+)"))
    t.is(#got, 7, "ch6/lab2: seven probabilities for " .. row[1])
    for i = 1, 7 do
      near(got[i], row[2][i], 1e-3, ("ch6/lab2: %s probability %d as scikit-learn"):format(row[1], i))
    end
  end
  local gap = tonumber(s:match("직접 구현과 penalty='none'의 확률 차이의 최댓값: ([%d.e+-]+)"))
  t.ok(gap and gap < 1e-4, "ch6/lab2: the hand-made sigmoid model gives the estimator's probabilities")
  near(tonumber(s:match("결정 경계%(p = 0.5%): 꽃잎 너비 ([%d.]+) cm")), -SK.lr_none_b / SK.lr_none_w, 1e-3,
       "ch6/lab2: the boundary -b/w")
  -- softmax
  local names = {"setosa", "versicolor", "virginica"}
  for k = 1, 3 do
    local v = numbers(s:match(names[k] .. " +직접: ([^\n]+)"))
    t.is(#v, 6, "ch6/lab2: hand and estimator weights of " .. names[k])
    if #v == 6 then
      near(v[4], SK.soft_coef[k][1], 1e-3, "ch6/lab2: softmax coef of " .. names[k] .. " (1) as scikit-learn")
      near(v[5], SK.soft_coef[k][2], 1e-3, "ch6/lab2: softmax coef of " .. names[k] .. " (2) as scikit-learn")
      near(v[1], v[4], 1e-3, "ch6/lab2: softmax by hand = estimator, " .. names[k] .. " (1)")
      near(v[2], v[5], 1e-3, "ch6/lab2: softmax by hand = estimator, " .. names[k] .. " (2)")
      near(v[3], v[6], 1e-3, "ch6/lab2: softmax by hand = estimator, " .. names[k] .. " (b)")
    end
  end
  local sgap = tonumber(s:match("150송이의 확률 차이의 최댓값: ([%d.e+-]+)"))
  t.ok(sgap and sgap < 1e-3, "ch6/lab2: softmax by hand gives the estimator's probabilities")
  near(tonumber(s:match("훈련 정확도: ([%d.]+)")), SK.soft_acc, 1e-4, "ch6/lab2: softmax accuracy as scikit-learn")
  local q = numbers(s:match("품종별 확률\n([^\n]+\n[^\n]+\n[^\n]+)"))
  t.is(#q, 9, "ch6/lab2: nine query probabilities")
  for i = 1, 3 do for k = 1, 3 do
    near(q[(i - 1) * 3 + k], SK.soft_q[i][k], 1e-3, ("ch6/lab2: query %d class %d probability as scikit-learn"):format(i, k))
  end end
end

-- information theory by hand ----------------------------------------------------------
do
  local s = lab("ch6/lab3.lua", {
    {"H = 1.0000 / 1.0000  공정한 동전", "a fair coin holds one bit"},
    {"H = 0.0000 / 0.0000  늘 같은 결과", "a sure outcome holds none"},
    {"경기한 날 9일, 안 한 날 5일: 나누기 전 엔트로피 H = 0.9403", "the tennis data: 9 yes, 5 no"},
    {"ID3의 첫 질문: 전망(outlook)", "ID3 asks about the outlook first"},
  }, {{"impurity.png", 600, 450}})
  local a, b = s:match("H = ([%d.]+) / ([%d.]+)  앞면이 90%%인 동전")
  near(tonumber(a), SK.h_coin90, 1e-4, "ch6/lab3: H(0.9, 0.1) by hand as scipy")
  near(tonumber(b), SK.h_coin90, 1e-4, "ch6/lab3: ml.entropy(0.9, 0.1) as scipy")
  a = s:match("H = ([%d.]+) / [%d.]+  공정한 주사위")
  near(tonumber(a), SK.h_die, 1e-4, "ch6/lab3: a die holds log2 6 bits")
  near(tonumber(s:match("H%(P%) = ([%d.]+)")), SK.h_p, 1e-4, "ch6/lab3: H(P) as scipy")
  for i, kl in ipairs {SK.kl_q1, SK.kl_q2, 0} do
    local d, e = s:match("H%(P,Q%) %- H%(P%) = ([%d.-]+), ml%.entropy%(P, Q%) = ([%d.-]+)  Q" .. i)
    near(tonumber(d), kl, 1e-4, ("ch6/lab3: cross-entropy minus entropy = KL for Q%d"):format(i))
    near(tonumber(e), kl, 1e-4, ("ch6/lab3: ml.entropy(P, Q%d) = scipy's KL"):format(i))
  end
  local ll, llh = s:match("log_loss = ([%d.]+), 직접 계산 [^=]+= ([%d.]+)")
  near(tonumber(ll), SK.log_loss, 1e-4, "ch6/lab3: log_loss as scikit-learn")
  t.is(ll, llh, "ch6/lab3: log_loss is the mean cross-entropy against one-hot targets")
  local gains = {}
  for hand, lib, name in s:gmatch("이득 = ([%d.]+) / ml%.information_gain = ([%d.]+), 지니 감소 = [%d.]+  (%S+)") do
    t.is(hand, lib, "ch6/lab3: information gain by hand = ml.information_gain for " .. name)
    gains[#gains + 1] = tonumber(hand)
  end
  t.is(#gains, 4, "ch6/lab3: four attributes weighed")
  -- the textbook values of the play-tennis data (Quinlan / Mitchell)
  near(gains[1], 0.2467, 1e-4, "ch6/lab3: gain(outlook) = 0.2467")
  near(gains[3], 0.1518, 1e-4, "ch6/lab3: gain(humidity) = 0.1518")
end

-- LAB 6-2 / 6-3: trees ---------------------------------------------------------------
do
  local s = lab("ch6/lab4.lua", {
    {"루트의 지니 불순도: 직접 1 - 3·(1/3)² = 0.6667 / 트리 0.6667", "root gini by hand"},
    {"루트의 엔트로피: 직접 log₂3 = 1.5850 / 트리 1.5850", "root entropy by hand"},
    {"|--- petal_width <= 0.80", "export_text as scikit-learn prints it"},
  }, {{"tree_gini.png", 700, 350}, {"regions_gini.png", 600, 450},
      {"tree_entropy.png", 600, 350}, {"importances.png", 600, 450}})
  local accs = numbers(table.concat({s:match("LAB 6%-2.-훈련 정확도 ([%d.]+)"),
                                     s:match("LAB 6%-3.-훈련 정확도 ([%d.]+)")}, " "))
  near(accs[1], SK.gini_acc, 1e-4, "ch6/lab4: LAB 6-2 training accuracy as scikit-learn")
  near(accs[2], SK.ent_acc, 1e-4, "ch6/lab4: LAB 6-3 training accuracy as scikit-learn")
  near(tonumber(s:match("루트의 질문: 꽃받침 길이 <= ([%d.]+)")), SK.gini_root_thr, 1e-4,
       "ch6/lab4: LAB 6-2 root threshold as scikit-learn")
  local h1, t1 = s:match("지니 불순도 감소: 직접 계산 ([%d.]+) / 트리 ([%d.]+)")
  t.ok(h1 and h1 == t1, "ch6/lab4: the gini decrease by hand is the tree's")
  local h2, t2 = s:match("정보 이득: 직접 계산 ([%d.]+) / 트리 ([%d.]+)")
  t.ok(h2 and h2 == t2, "ch6/lab4: the information gain by hand is the tree's")
  local imp = numbers(s:match("특성 중요도: ([^\n]+)"))
  t.is(#imp, 4, "ch6/lab4: four importances")
  for i = 1, 4 do near(imp[i], SK.ent_imp[i], 2e-6, ("ch6/lab4: entropy importance %d as scikit-learn"):format(i)) end
  -- the same trees fitted here: scikit-learn's predictions
  local data = require "data"
  local iris = data.iris()
  local X2 = iris.data:slice(2, 1, 2):contiguous()
  local g = ml.DecisionTreeClassifier{max_depth = 3, random_state = 0}:fit(X2, iris.target)
  local e = ml.DecisionTreeClassifier{max_depth = 3, criterion = "entropy", random_state = 0}:fit(iris.data, iris.target)
  same(g:predict(X2):totable(), SK.gini_pred, "ch6/lab4: LAB 6-2 predictions as scikit-learn")
  same(e:predict(iris.data):totable(), SK.ent_pred, "ch6/lab4: LAB 6-3 predictions as scikit-learn")
  for i = 1, 2 do near(g.feature_importances_[i], SK.gini_imp[i], 1e-6, "ch6/lab4: LAB 6-2 importance " .. i) end
end

-- LAB 6-4 / 6-5: nonlinear SVMs ----------------------------------------------------------
do
  local s = lab("ch6/lab5.lua", {
    {"반달 데이터 200개: 훈련 150개, 테스트 50개", "200 moons, 150/50"},
    {"3차 다항 특성의 수: 10", "ten cubic features of two inputs"},
  }, {{"svm_regions.png", 1000, 350}})
  local lin = tonumber(s:match("([%d.]+) / [%d.]+  표준화 %+ LinearSVC"))
  local pf = tonumber(s:match("([%d.]+) / [%d.]+  LAB 6%-4"))
  local pk = tonumber(s:match("([%d.]+) / [%d.]+  LAB 6%-5"))
  t.ok(lin and pf and pk and pf > lin + 0.05 and pk > lin + 0.05,
       "ch6/lab5: polynomial features and the polynomial kernel beat a straight line on the training moons")
  -- the LAB 6-5 pipeline on scikit-learn's moons
  local X, y = T(SK.moons_X), T(SK.moons_y)
  local svc = ml.Pipeline({{"scaler", ml.StandardScaler()},
                           {"svm", ml.SVC{kernel = "poly", degree = 3, coef0 = 1, C = 5}}}):fit(X, y)
  near(svc:score(X, y), SK.svc_acc, 1e-9, "ch6/lab5: polynomial-kernel SVC accuracy as scikit-learn")
  same(svc.steps[2][2].n_support_, SK.svc_nsv, "ch6/lab5: support vectors per class as scikit-learn")
  local dec = svc:decision_function(X:slice(1, 1, 20))
  local worst = 0
  for i = 1, 20 do worst = math.max(worst, math.abs(dec[i] - SK.svc_dec[i])) end
  t.ok(worst < 2e-3, ("ch6/lab5: decision_function as scikit-learn (max diff %.2e)"):format(worst))
end

-- ensembles ---------------------------------------------------------------------------
do
  local s = lab("ch6/lab6.lua", {
    {"반달 데이터 1000개 (잡음 0.3): 훈련 750개, 테스트 250개", "1000 noisy moons"},
    {"투표: 직접 투표 (voting='hard')", "hard voting"},
    {"투표: 간접 투표 (voting='soft')", "soft voting"},
  }, {{"ensemble_regions.png", 1000, 600}, {"ensemble_accuracy.png", 700, 400}})
  for _, name in ipairs {"배깅", "랜덤 포레스트"} do
    local oob, test = s:match(name .. ": +OOB ([%d.]+), 테스트 ([%d.]+)")
    oob, test = tonumber(oob), tonumber(test)
    t.ok(oob and test and oob > 0.8 and oob < 1 and math.abs(oob - test) < 0.1,
         "ch6/lab6: " .. name .. " OOB score near its test accuracy")
  end
  local tree_train = tonumber(s:match("([%d.]+) / [%d.]+  결정 트리 %(깊이 제한 없음%)"))
  t.is(tree_train, 1, "ch6/lab6: an unlimited tree fits its training data exactly")
  -- the ensembles on scikit-learn's moons (first 750 rows train)
  local X, y = T(SK.ens_X), T(SK.ens_y)
  local Xa, Xb = X:slice(1, 1, 750):contiguous(), X:slice(1, 751, 1000):contiguous()
  local ya, yb = y:slice(1, 1, 750):contiguous(), y:slice(1, 751, 1000):contiguous()
  local gb = ml.GradientBoostingClassifier{n_estimators = 100, learning_rate = 0.1, max_depth = 3,
                                           random_state = 0}:fit(Xa, ya)
  local p = gb:predict_proba(Xb)
  local worst = 0
  for i = 1, 250 do worst = math.max(worst, math.abs(p:get(i, 2) - SK.gb_proba[i])) end
  t.ok(worst < 1e-4, ("ch6/lab6: GradientBoosting probabilities as scikit-learn (max diff %.2e)"):format(worst))
  near(gb:score(Xb, yb), SK.gb_acc, 1e-9, "ch6/lab6: GradientBoosting accuracy as scikit-learn")
  local ada = ml.AdaBoostClassifier{n_estimators = 100, learning_rate = 0.5, random_state = 0}:fit(Xa, ya)
  same(ada:predict(Xb):totable(), SK.ada_pred, "ch6/lab6: AdaBoost predictions as scikit-learn")
  local hard = ml.VotingClassifier{estimators = {{"lr", ml.LogisticRegression()}, {"svc", ml.SVC()},
    {"tree", ml.DecisionTreeClassifier{max_depth = 5, random_state = 0}}}, voting = "hard"}:fit(Xa, ya)
  same(hard:predict(Xb):totable(), SK.hard_pred, "ch6/lab6: hard voting predictions as scikit-learn")
  local rf = ml.RandomForestClassifier{n_estimators = 100, random_state = 0}:fit(Xa, ya)
  near(rf:score(Xb, yb), SK.rf_acc, 0.03, "ch6/lab6: random forest accuracy within 0.03 of scikit-learn's")
end

-- mini project B1: HOG + SVM, its ROC curve with the AUC, the folder -----------------
do
  local s = lab("ch6/project_face_svm.lua", {
    {"그림 저장 위치: $WORKBOOK_OUT/ch6/project_face_svm/", "the folder it wrote to"},
  }, {{"roc.png", 600, 450}, {"confusion.png", 200, 150}, {"hog_face.png", 100, 80}})
  local points, auc = s:match("ROC 곡선: 점 (%d+)개, AUC ([%d.]+)")
  auc = tonumber(auc)
  t.ok(tonumber(points) and tonumber(points) >= 3, "ch6/project_face_svm: the ROC curve has its points")
  t.ok(auc and auc > 0.9 and auc <= 1, "ch6/project_face_svm: AUC printed, in (0.9, 1]")
  local acc = tonumber(s:match("테스트: 정확도 ([%d.]+)"))
  t.ok(acc and acc > 0.9, "ch6/project_face_svm: test accuracy above 0.9")
end

L.done()
t.done()
