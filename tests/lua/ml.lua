-- ml.lua - the classic-ML module: SVC and LinearSVC on libsvm and
-- liblinear (toy problems, sign conventions, probabilities, save/load,
-- scikit-learn's numbers from tests/fixtures/ml/sklearn.lua), splits and
-- folds, cross-validation, grid search, StandardScaler, metrics, NMS,
-- and the errors for bad input and corrupt model files.
local t = require "tap"
local T = require "tensor"
local ml = require "ml"
local sk = dofile("tests/fixtures/ml/sklearn.lua")

local function all(list, f)
  for i, v in ipairs(list) do if not f(v, i) then return false end end
  return true
end

-- a tensor, a list or a list of lists as one flat list
local function flat(v, out)
  out = out or {}
  if T.is_tensor(v) then v = v:contiguous():flatten():totable() end
  for _, x in ipairs(v) do
    if type(x) == "table" then flat(x, out) else out[#out + 1] = x end
  end
  return out
end

local function maxdiff(a, b)
  a, b = flat(a), flat(b)
  if #a ~= #b then return math.huge end
  local m = 0
  for i = 1, #a do m = math.max(m, math.abs(a[i] - b[i])) end
  return m
end

local function same_list(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do if a[i] ~= b[i] then return false end end
  return true
end

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. tmp)

-- ---- separable toy data ---------------------------------------------------
-- two clusters on a grid: class 0 left of x = 1.5, class 1 right of it
local rows, labels = {}, {}
for i = 0, 9 do
  rows[#rows + 1] = {i % 5 * 0.2, i // 5 * 0.5}; labels[#labels + 1] = 0
  rows[#rows + 1] = {2 + i % 5 * 0.2, i // 5 * 0.5}; labels[#labels + 1] = 1
end
local X, y = T(rows), T(labels)

for _, kernel in ipairs {"linear", "rbf", "poly", "sigmoid"} do
  local C = kernel == "sigmoid" and 1 or 1000
  local m = ml.SVC{kernel = kernel, C = C, gamma = kernel == "sigmoid" and 0.1 or "scale"}
  m:fit(X, y)
  t.is(m:score(X, y), 1.0, "SVC " .. kernel .. ": separable data 100%")
end
local lin = ml.LinearSVC{C = 10}:fit(X, y)
t.is(lin:score(X, y), 1.0, "LinearSVC: separable data 100%")

-- hard margin: support vectors sit on the margin (|f| = 1), the rest
-- outside it, and the sign gives the class
local hard = ml.SVC{kernel = "linear", C = 1e4}:fit(X, y)
local f = hard:decision_function(X)
t.is(table.concat(f:shape(), ","), "20", "two classes: decision_function is (N)")
t.ok(all(f:totable(), function(v, i) return (v > 0) == (labels[i] == 1) end),
     "decision_function > 0 exactly for class 1")
local sv_ok = true
for _, r in ipairs(hard.support_) do sv_ok = sv_ok and math.abs(math.abs(f[r]) - 1) < 1e-2 end
t.ok(sv_ok and #hard.support_ >= 2, "support vectors have |f(x)| = 1 (hard margin)")
t.ok(all(f:totable(), function(v) return math.abs(v) >= 1 - 1e-2 end), "no point inside the margin")
-- margin 2/|w| = the gap between the clusters (x = 0.8 .. 2): f = (x - 1.4) / 0.6
t.near(hard:decision_function(T{{2.6, 0}})[1], 2.0, 1e-2, "f grows linearly away from the boundary")
t.is(hard.n_support_[1] + hard.n_support_[2], hard.support_vectors_:shape()[1],
     "n_support_ adds up to the support vectors")
t.is(hard.support_vectors_:shape()[2], 2, "support_vectors_ are (nSV, D)")
t.near(lin:decision_function(T{{1.4, 0.5}})[1], 0, 0.2,
     "LinearSVC: the boundary lies between the clusters")
t.is(table.concat(lin.coef_:shape(), ","), "1,2", "LinearSVC coef_ is (1, D) for two classes")
t.ok(lin.coef_:get(1, 1) > 0 and math.abs(lin.coef_:get(1, 2)) < 0.1 * lin.coef_:get(1, 1),
     "LinearSVC coef_ points along x (towards class 1)")

-- ---- XOR: rbf solves it, a linear model cannot ---------------------------------
local xr, xl = {}, {}
T.seed(11)
local jit = T.rand(80, 2) * 0.6 - 0.3
for i = 1, 80 do
  local a, b = (i % 2), ((i // 2) % 2)
  xr[i] = {a * 2 - 1 + jit:get(i, 1), b * 2 - 1 + jit:get(i, 2)}
  xl[i] = (a ~ b) == 1 and 1 or 0
end
local Xx = T(xr)
local rbf = ml.SVC{kernel = "rbf", C = 10}:fit(Xx, xl)
t.is(rbf:score(Xx, xl), 1.0, "XOR: rbf SVC fits it")
t.is(rbf:score(T{{-1, -1}, {1, 1}, {-1, 1}, {1, -1}}, {0, 0, 1, 1}), 1.0,
     "XOR: rbf SVC generalizes to the centres")
t.ok(ml.LinearSVC():fit(Xx, xl):score(Xx, xl) <= 0.75, "XOR: LinearSVC cannot (accuracy <= 75%)")
t.ok(ml.SVC{kernel = "linear"}:fit(Xx, xl):score(Xx, xl) <= 0.75, "XOR: linear SVC cannot")

-- ---- sign convention: positive for the larger label --------------------------
local function relabel(list, a, b)
  local r = {}
  for i, v in ipairs(list) do r[i] = v == 0 and a or b end
  return r
end
local y37 = relabel(labels, 3, 7)
local m37 = ml.SVC{kernel = "linear"}:fit(X, y37)
t.ok(m37:decision_function(T{{2.8, 0}})[1] > 0 and m37:predict(T{{2.8, 0}})[1] == 7,
     "labels {3, 7}: decision > 0 means 7 (the larger label)")
local y73 = relabel(labels, 7, 3)     -- 7 now first in y: libsvm meets it first
local m73 = ml.SVC{kernel = "linear"}:fit(X, y73)
t.ok(m73:decision_function(T{{0, 0}})[1] > 0 and m73:predict(T{{0, 0}})[1] == 7,
     "labels {7, 3}, 7 met first: still positive for 7")
t.is(table.concat(m73.classes_, ","), "3,7", "classes_ ascending whatever the order in y")
local first1 = {}
for i = 1, #labels do first1[i] = labels[(i % #labels) + 1] end   -- y starts with 1
local Xs = X:rows((function() local p = {} for i = 1, 20 do p[i] = (i % 20) + 1 end return p end)())
local m10 = ml.SVC{kernel = "linear"}:fit(Xs, first1)
local m01 = ml.SVC{kernel = "linear"}:fit(X, labels)
t.ok(maxdiff(m10:decision_function(X), m01:decision_function(X)) < 1e-4,
     "labels {0, 1}: the same decision values whichever class comes first")
t.ok(m01:decision_function(T{{2.8, 0}})[1] > 0, "labels {0, 1}: positive for 1")
local l37 = ml.LinearSVC():fit(X, y73)
t.ok(l37:decision_function(T{{2.8, 0}})[1] < 0 and l37:predict(T{{2.8, 0}})[1] == 3
     and l37:decision_function(T{{0, 0}})[1] > 0, "LinearSVC {7, 3}: positive for 7")
t.is(#m73.n_support_, 2, "n_support_ per class")

-- ---- probabilities -------------------------------------------------------------
local p3 = ml.SVC{probability = true, random_state = 0}:fit(T(sk.X), sk.y)
local P = p3:predict_proba(T(sk.X))
t.is(table.concat(P:shape(), ","), "36,3", "predict_proba (N, K)")
t.ok(P:min() >= 0 and P:max() <= 1, "probabilities in [0, 1]")
t.ok(maxdiff(P:sum(2), T.ones(36)) < 1e-5, "each row sums to 1")
local agree = 0
local pred = p3:predict(T(sk.X))
for i = 1, 36 do if P[i]:argmax() - 1 == pred[i] then agree = agree + 1 end end
t.ok(agree >= 33, "the most probable class is mostly the predicted one (" .. agree .. "/36)")
local P2 = ml.SVC{probability = true, random_state = 0}:fit(T(sk.X), sk.y):predict_proba(T(sk.X))
t.is(maxdiff(P, P2), 0, "the same random_state gives the same probabilities")
local pb = ml.SVC{probability = true, kernel = "linear"}:fit(X, labels):predict_proba(T{{0, 0}, {2.8, 0.5}})
t.ok(pb:get(1, 1) > 0.5 and pb:get(2, 2) > 0.5, "binary probabilities: columns in class order")

-- ---- save and load ---------------------------------------------------------------
local function round_trip(m, name, Xq)
  local path = tmp .. "/" .. name .. ".model"
  t.is(m:save(path), path, name .. ": save returns the path")
  local back = ml.load_model(path)
  t.is(maxdiff(back:decision_function(Xq), m:decision_function(Xq)), 0,
       name .. ": loaded model gives identical decision values")
  t.ok(same_list(back:predict(Xq):totable(), m:predict(Xq):totable()), name .. ": identical predictions")
  t.is(table.concat(back.classes_, ","), table.concat(m.classes_, ","), name .. ": classes kept")
  return back
end
local Xq = T(sk.X)
round_trip(ml.SVC{kernel = "rbf"}:fit(Xq, sk.y), "svc_rbf", Xq)
local bpoly = round_trip(ml.SVC{kernel = "poly", degree = 2, coef0 = 1}:fit(X, y37), "svc_poly", X)
t.ok(bpoly.kernel == "poly" and bpoly.degree == 2 and bpoly.coef0 == 1,
     "a loaded model knows its kernel, degree and coef0")
local bp = round_trip(p3, "svc_proba", Xq)
t.is(maxdiff(bp:predict_proba(Xq), P), 0, "svc_proba: identical probabilities")
local bl = round_trip(ml.LinearSVC():fit(Xq, sk.y), "linear3", Xq)
t.is(bl.name, "LinearSVC", "a liblinear file loads as a LinearSVC")
round_trip(l37, "linear2", X)
local ls = io.popen("ls " .. tmp):read("a")
t.ok(not ls:find("%.tmp"), "no temporary file left behind")

-- ---- scikit-learn's numbers --------------------------------------------------------
local s_rbf = ml.SVC():fit(Xq, sk.y)
t.near(s_rbf._gamma, sk.svc_rbf.gamma, 1e-6 * sk.svc_rbf.gamma,
     "gamma='scale' is 1 / (D * X.var())")
t.ok(maxdiff(s_rbf:decision_function(Xq), sk.svc_rbf.decision) < 2e-3,
     "SVC rbf: ovr decision_function as scikit-learn's (3 classes)")
t.ok(same_list(s_rbf:predict(Xq):totable(), sk.svc_rbf.predict),
     "SVC rbf: predictions as scikit-learn's")
t.ok(same_list(s_rbf.n_support_, sk.svc_rbf.n_support), "SVC rbf: n_support_ as scikit-learn's")
local two = {}
for i, v in ipairs(sk.y) do if v < 2 then two[#two + 1] = i end end
local X2, y2 = Xq:rows(two), {}
for i, p in ipairs(two) do y2[i] = sk.y[p] end
local s_lin = ml.SVC{kernel = "linear", C = 0.5}:fit(X2, y2)
t.ok(maxdiff(s_lin:decision_function(X2), sk.svc_linear.decision) < 2e-3,
     "SVC linear: decision_function as scikit-learn's (2 classes)")
local l2 = ml.LinearSVC{random_state = 0}:fit(X2, y2)
t.ok(maxdiff(l2.coef_, sk.lsvc.coef) < 1e-2 and math.abs(l2.intercept_[1] - sk.lsvc.intercept) < 1e-2,
     "LinearSVC: coef_ and intercept_ as scikit-learn's")
t.ok(maxdiff(l2:decision_function(X2), sk.lsvc.decision) < 2e-2,
     "LinearSVC: decision_function as scikit-learn's")
local l3 = ml.LinearSVC{random_state = 0}:fit(Xq, sk.y)
t.is(table.concat(l3.coef_:shape(), ","), "3,2", "LinearSVC 3 classes: coef_ (3, D), one-vs-rest")
t.ok(maxdiff(l3.coef_, sk.lsvc3.coef) < 2e-2 and maxdiff(l3.intercept_, sk.lsvc3.intercept) < 2e-2,
     "LinearSVC 3 classes: coef_ and intercept_ as scikit-learn's")
t.ok(same_list(l3:predict(Xq):totable(), sk.lsvc3.predict),
     "LinearSVC 3 classes: predictions as scikit-learn's")
t.is(table.concat(l3:decision_function(Xq):shape(), ","), "36,3", "LinearSVC 3 classes: decision (N, K)")
local ovo = ml.SVC{decision_function_shape = "ovo"}:fit(Xq, sk.y):decision_function(Xq)
t.is(table.concat(ovo:shape(), ","), "36,3", "decision_function_shape='ovo': (N, K(K-1)/2)")

-- ---- StandardScaler -------------------------------------------------------------------
local sc = ml.StandardScaler()
local Z = sc:fit_transform(T(sk.scaler.X))
t.ok(maxdiff(sc.mean_, sk.scaler.mean) < 1e-6, "StandardScaler mean_")
t.ok(maxdiff(sc.scale_, sk.scaler.scale) < 1e-6,
     "StandardScaler scale_ (population std; constant column -> 1)")
t.ok(maxdiff(Z, sk.scaler.transform) < 1e-5, "StandardScaler transform as scikit-learn's")
t.ok(maxdiff(sc:inverse_transform(Z), sk.scaler.X) < 1e-5, "inverse_transform undoes transform")
t.near(sc.var_[1], 2.5, 1e-6, "var_ of {1, 3, 4, 0} is 2.5 (population)")

-- ---- splits and folds ------------------------------------------------------------------
local function fold_tests(folds)
  local r = {}
  for i, f in ipairs(folds) do r[i] = f.test end
  return r
end
local skf = ml.StratifiedKFold{n_splits = 3}:split(T.zeros(#sk.folds.y, 1), sk.folds.y)
local ok_sk = #skf == 3
for i, f in ipairs(fold_tests(skf)) do ok_sk = ok_sk and same_list(f, sk.folds.stratified3[i]) end
t.ok(ok_sk, "StratifiedKFold: the same test folds as scikit-learn's")
local kf = ml.KFold{n_splits = 5}:split(T.zeros(13, 1))
local ok_kf = true
for i, f in ipairs(fold_tests(kf)) do ok_kf = ok_kf and same_list(f, sk.folds.kfold5_13[i]) end
t.ok(ok_kf, "KFold: the same folds as scikit-learn's")

-- 50 / 30 / 20 samples of three classes, shuffled
T.seed(5)
local yl = {}
for i = 1, 100 do yl[i] = i <= 50 and 0 or i <= 80 and 1 or 2 end
local perm = T.randperm(100):totable()
local ys = {}
for i = 1, 100 do ys[i] = yl[perm[i]] end
for _, shuffle in ipairs {false, true} do
  local folds = ml.StratifiedKFold{n_splits = 5, shuffle = shuffle, random_state = shuffle and 3 or nil}
                  :split(T.zeros(100, 1), ys)
  local seen, props, disjoint = {}, true, true
  for _, fd in ipairs(folds) do
    local c = {[0] = 0, 0, 0}
    for _, i in ipairs(fd.test) do seen[i] = (seen[i] or 0) + 1; c[ys[i]] = c[ys[i]] + 1 end
    props = props and c[0] == 10 and c[1] == 6 and c[2] == 4
    local inte = {}
    for _, i in ipairs(fd.test) do inte[i] = true end
    for _, i in ipairs(fd.train) do disjoint = disjoint and not inte[i] end
    disjoint = disjoint and #fd.train + #fd.test == 100
  end
  local once = true
  for i = 1, 100 do once = once and seen[i] == 1 end
  local tag = shuffle and " (shuffled)" or ""
  t.ok(props, "stratified folds keep the class proportions (10/6/4 per fold)" .. tag)
  t.ok(once, "every sample is tested exactly once" .. tag)
  t.ok(disjoint, "train and test are disjoint and cover all samples" .. tag)
end

local Xa = T.arange(100):reshape(100, 1)
local Xtr, Xte, ytr, yte, itr, ite = ml.train_test_split(Xa, ys, {random_state = 42, stratify = ys})
t.is(Xte:shape()[1], 25, "train_test_split: test_size 0.25 of 100 -> 25")
t.is(Xtr:shape()[1], 75, "train_test_split: 75 for training")
local c = {[0] = 0, 0, 0}
for _, v in ipairs(yte) do c[v] = c[v] + 1 end
t.ok(c[0] == 12 or c[0] == 13, "stratify: the test set keeps the class proportions (" ..
     c[0] .. "/" .. c[1] .. "/" .. c[2] .. ")")
t.ok(type(ytr) == "table" and #ytr == 75, "labels given as a table come back as tables")
t.ok(Xte[1][1] == ite[1] - 1 and ytr[1] == ys[itr[1]],
     "rows and labels follow the returned positions")
local _, Xte2 = ml.train_test_split(Xa, T(ys), {random_state = 42, stratify = ys})
t.is(maxdiff(Xte, Xte2), 0, "the same random_state gives the same split")
local _, Xte3 = ml.train_test_split(Xa, ys, {random_state = 7})
t.ok(maxdiff(Xte, Xte3) > 0, "another random_state, another split")
local _, _, _, yte4 = ml.train_test_split(Xa, T(ys), {test_size = 10, shuffle = false})
t.ok(T.is_tensor(yte4) and yte4:shape()[1] == 10 and yte4[1] == ys[91],
     "shuffle=false: the last 10 for testing")

-- ---- cross-validation and grid search ---------------------------------------------------
local cvs = ml.cross_val_score(ml.SVC(), Xq, sk.y, {cv = 5})
t.is(#cvs, 5, "cross_val_score: one score per fold")
t.ok(maxdiff(cvs, sk.cross_val) < 1e-12,
     "cross_val_score: scikit-learn's fold scores " .. tostring(cvs))
local cvf = ml.cross_val_score(function() return ml.SVC() end, Xq, sk.y)
t.ok(maxdiff(cvf, sk.cross_val) < 1e-12, "a factory function works as well as an estimator")
t.near(cvs:mean(), (function() local s = 0 for _, v in ipairs(sk.cross_val) do s = s + v end return s / 5 end)(),
       1e-12, "scores:mean()")

local gs = ml.GridSearchCV(ml.SVC(), {C = {0.1, 1, 10}, gamma = {0.1, 1, 10}}, {cv = 5}):fit(Xq, sk.y)
t.ok(gs.best_params_.C == sk.grid.best_C and gs.best_params_.gamma == sk.grid.best_gamma,
     "GridSearchCV: scikit-learn's best C and gamma")
t.near(gs.best_score_, sk.grid.best_score, 1e-12, "GridSearchCV: best_score_")
t.ok(maxdiff(gs.cv_results_.mean_test_score, sk.grid.mean) < 1e-12,
     "GridSearchCV: every mean_test_score")
t.ok(same_list(gs.cv_results_.rank_test_score, sk.grid.rank), "GridSearchCV: rank_test_score")
t.ok(same_list(gs.cv_results_.param_C, sk.grid.C),
     "GridSearchCV: candidates in ParameterGrid order")
t.ok(same_list(gs:predict(Xq):totable(), ml.SVC{C = sk.grid.best_C, gamma = sk.grid.best_gamma}
                 :fit(Xq, sk.y):predict(Xq):totable()), "GridSearchCV: predict through the refitted best")
t.is(tostring(gs.best_estimator_), "SVC(C=10, gamma=0.1)", "best_estimator_ prints its parameters")

-- a tiny C buys the widest margin at any price: every point ends inside
-- it and f(x) is about -1 everywhere, so 40 vs 20 samples give the
-- majority class everywhere (2/3); C = 1 and C = 100 separate perfectly
-- and the first of the tie wins, as in scikit-learn
local gr, gl = {}, {}
for i = 0, 39 do gr[#gr + 1] = {i % 8 * 0.25, i // 8 * 0.25}; gl[#gl + 1] = 0 end
for i = 0, 19 do gr[#gr + 1] = {4 + i % 4 * 0.25, i // 4 * 0.25}; gl[#gl + 1] = 1 end
local g2 = ml.GridSearchCV(function(p) return ml.SVC{gamma = 1, C = p.C} end,
                           {C = {0.001, 0.01, 1, 100}}, {cv = 5}):fit(T(gr), gl)
t.is(g2.best_params_.C, 1, "GridSearchCV picks C = 1 on the constructed case")
t.ok(maxdiff(g2.cv_results_.mean_test_score, {2 / 3, 2 / 3, 1, 1}) < 1e-12,
     "C too small scores the majority share 2/3; C = 1 and 100 score 1")
t.ok(same_list(g2.cv_results_.rank_test_score, {3, 3, 1, 1}), "ties share a rank")

-- ---- metrics ---------------------------------------------------------------------------
local M = ml.metrics
local yt = {1, 1, 0, 1, 0, 0, 1, 0}
local yp = {1, 0, 0, 1, 1, 0, 1, 0}
-- tp 3, fp 1, fn 1, tn 3
t.is(M.accuracy_score(yt, yp), 0.75, "accuracy 6/8")
t.is(M.accuracy_score(T(yt), T(yp), {normalize = false}), 6, "accuracy count, tensors")
t.is(M.precision_score(yt, yp), 0.75, "precision tp/(tp+fp) = 3/4")
t.is(M.recall_score(yt, yp), 0.75, "recall tp/(tp+fn) = 3/4")
t.near(M.f1_score(yt, {1, 0, 0, 0, 1, 0, 1, 0}), 2 * (2 / 3 * 0.5) / (2 / 3 + 0.5), 1e-12,
       "f1 = 2PR/(P+R) with P = 2/3, R = 1/2")
t.is(M.precision_score(yt, yp, {pos_label = 0}), 0.75, "pos_label = 0")
t.is(M.precision_score({0, 1}, {0, 0}), 0, "no positive prediction: precision 0 (zero_division)")
local pr = sk.prf
for _, avg in ipairs {"macro", "micro", "weighted"} do
  local got = {M.precision_score(pr.y_true, pr.y_pred, {average = avg}),
               M.recall_score(pr.y_true, pr.y_pred, {average = avg}),
               M.f1_score(pr.y_true, pr.y_pred, {average = avg})}
  t.ok(maxdiff(got, pr[avg]) < 1e-12,
       "precision/recall/f1 average='" .. avg .. "' as scikit-learn's")
end
local cm, cl = M.confusion_matrix(pr.y_true, pr.y_pred)
t.ok(maxdiff(cm, pr.confusion) == 0 and same_list(cl, {0, 1, 2}),
     "confusion_matrix as scikit-learn's (rows true)")
local cm2 = M.confusion_matrix({3, 7, 7}, {7, 7, 3})
t.ok(maxdiff(cm2, {{0, 1}, {1, 1}}) == 0, "confusion_matrix with labels {3, 7}")

t.is(M.roc_auc_score({0, 0, 1, 1}, {0.1, 0.4, 0.35, 0.8}), 0.75,
     "roc_auc_score: the scikit-learn docs' example 0.75")
-- by hand: positives {0.9, 0.6, 0.6}, negatives {0.6, 0.2}; of the 6
-- (positive, negative) pairs 4 rank right and 2 tie (half each): 5/6
t.near(M.roc_auc_score({1, 1, 1, 0, 0}, {0.9, 0.6, 0.6, 0.6, 0.2}), 5 / 6, 1e-12,
       "roc_auc_score with ties counts half (5/6)")
local roc = sk.roc
local fpr, tpr, thr = M.roc_curve(roc.y_true, roc.score)
t.ok(maxdiff(fpr, roc.fpr) < 1e-7 and maxdiff(tpr, roc.tpr) < 1e-7 and maxdiff(thr, roc.thresholds) < 1e-6,
     "roc_curve (drop_intermediate) as scikit-learn 1.2's")
local fa, ta, ha = M.roc_curve(T(roc.y_true), T(roc.score), {drop_intermediate = false})
t.ok(maxdiff(fa, roc.fpr_all) < 1e-7 and maxdiff(ta, roc.tpr_all) < 1e-7 and maxdiff(ha, roc.thresholds_all) < 1e-6,
     "roc_curve with every threshold as scikit-learn's")
t.near(M.roc_auc_score(roc.y_true, roc.score), roc.auc, 1e-12, "roc_auc_score as scikit-learn's")
t.near(M.auc(fpr, tpr), roc.auc, 1e-6, "auc of the curve = roc_auc_score")
t.is(M.roc_auc_score({3, 3, 7, 7}, {0.1, 0.4, 0.35, 0.8}), 0.75,
     "roc_auc_score: the larger label is positive")

-- ---- non-maximum suppression ------------------------------------------------------------
local nms = ml.nms
t.ok(same_list(nms({{0, 0, 10, 10}, {0, 20, 10, 10}, {20, 0, 10, 10}}, {0.5, 0.9, 0.7}), {2, 3, 1}),
     "no overlap keeps all, by falling score")
t.ok(same_list(nms({{5, 5, 10, 10}, {5, 5, 10, 10}, {5, 5, 10, 10}}, {0.2, 0.9, 0.4}), {2}),
     "full overlap keeps the best")
-- a chain: A overlaps B, B overlaps C, A and C apart; A > B > C
local chain = T{{0, 0, 10, 10}, {0, 6, 10, 10}, {0, 12, 10, 10}}
t.ok(same_list(nms(chain, T{0.9, 0.8, 0.7}, {iou = 0.2}), {1, 3}),
     "chain: B goes with A, so C stays")
t.ok(same_list(nms(chain, T{0.7, 0.9, 0.8}, {iou = 0.2}), {2}), "chain with B best: B removes both")
t.ok(same_list(nms({{0, 0, 10, 10}, {0, 2, 10, 10}, {50, 50, 4, 4}}, {0.5, 0.5, 0.5}), {1, 3}),
     "equal scores: the lower position wins, deterministically")
-- IoU of {0,0,10,10} and {0,5,10,10}: 50 / 150 = 1/3
t.ok(same_list(nms({{0, 0, 10, 10}, {0, 5, 10, 10}}, {1, 0.5}, {iou = 0.34}), {1, 2}),
     "IoU 1/3 <= 0.34: kept")
t.ok(same_list(nms({{0, 0, 10, 10}, {0, 5, 10, 10}}, {1, 0.5}, {iou = 0.3}), {1}),
     "IoU 1/3 > 0.3: suppressed")
t.ok(same_list(nms({}, {}), {}), "no boxes, nothing kept")

-- ---- bad input: clear errors at the caller's line ------------------------------------------
t.raises(function() ml.SVC():fit(X, T.zeros(20)) end, "SVC.fit: y holds one class only %(label 0%)",
         "one class only")
t.raises(function() ml.LinearSVC():fit(X, T.ones(20)) end, "LinearSVC.fit: y holds one class only",
         "LinearSVC: one class only")
t.raises(function() ml.SVC():fit(X, {0, 1, 0}) end,
         "X has 20 rows but y has 3 labels", "X/y length mismatch")
local Xn = X:clone()
Xn:set(4, 2, 0 / 0)
t.raises(function() ml.SVC():fit(Xn, y) end, "X row 4, column 2 is NaN", "NaN features")
Xn:set(4, 2, math.huge)
t.raises(function() ml.LinearSVC():fit(Xn, y) end, "X row 4, column 2 is inf", "inf features")
t.raises(function() hard:predict(Xn) end, "SVC.predict: X row 4, column 2 is inf", "inf at predict")
t.raises(function() hard:predict(T.zeros(3, 5)) end,
         "SVC.predict: X has 5 features, the model was fitted on 2",
         "predict with the wrong number of features")
t.raises(function() lin:decision_function(T.zeros(3, 1)) end,
         "X has 1 features, the model was fitted on 2",
         "LinearSVC: wrong number of features")
t.raises(function() ml.SVC():predict(X) end,
         "SVC.predict: the model is not fitted yet", "predict before fit")
t.raises(function() ml.LinearSVC():save(tmp .. "/x") end, "not fitted yet", "save before fit")
t.raises(function() ml.SVC():fit(T.zeros(4, 2, 2), {0, 1, 0, 1}) end, "X must be 2%-D .*reshape",
         "images must be flattened first")
t.raises(function() ml.SVC():fit(X, relabel(labels, 0.5, 1)) end,
         "label 0.5 %(sample 1%) is not an integer",
         "labels must be integers")
t.raises(function() ml.SVC{kernel = "cubic"} end, "SVC: kernel must be one of", "unknown kernel")
t.raises(function() ml.SVC{C = -1} end, "SVC: C must be a number > 0", "C <= 0")
t.raises(function() ml.SVC{gamma = "big"} end,
         "gamma must be 'scale', 'auto' or a positive number", "bad gamma")
t.raises(function() ml.SVC{gama = 1} end,
         "SVC: unknown option 'gama' %(did you mean 'gamma'%?%)", "misspelt option")
t.raises(function() ml.SVC():set_params{Cc = 1} end,
         "SVC.set_params: unknown option 'Cc' %(did you mean 'C'%?%)", "unknown parameter")
t.raises(function() ml.LinearSVC{penalty = "l1", loss = "hinge"} end,
         "not supported", "LinearSVC bad combination")
t.raises(function() ml.LinearSVC{max_iter = 5000} end,
         "max_iter must be 1000", "LinearSVC max_iter")
t.raises(function() hard:predict_proba(X) end, "no probability estimates.*probability = true",
         "predict_proba needs probability = true")
t.raises(function() ml.StandardScaler():transform(X) end, "call fit", "scaler before fit")
t.raises(function() sc:transform(X) end,
         "X has 2 features, the scaler was fitted on 3", "scaler feature count")
t.raises(function() ml.train_test_split(Xa, {1, 2}) end,
         "X has 100 rows but y has 2 labels", "split length mismatch")
t.raises(function() ml.train_test_split(Xa, ys, {test_size = 1.5}) end,
         "test_size must be", "bad test_size")
t.raises(function() ml.StratifiedKFold{n_splits = 5}:split(T.zeros(6, 1), {0, 0, 0, 1, 1, 1}) end,
         "n_splits=5 cannot be greater than the number of members in each class", "too many folds")
t.raises(function() ml.cross_val_score(ml.SVC(), X, y, {cv = 5, scoring = "auc"}) end,
         "unknown scoring 'auc'",
         "unknown scoring")
t.raises(function() ml.GridSearchCV(ml.SVC(), {C = {}}) end,
         "parameter 'C' needs a non%-empty list", "empty grid")
t.raises(function() ml.GridSearchCV(ml.SVC(), {C = {1}}):predict(X) end,
         "call fit", "grid predict before fit")
t.raises(function() M.roc_auc_score({1, 1, 1}, {0.2, 0.3, 0.4}) end,
         "ROC AUC is not defined for one class",
         "roc_auc with one class")
t.raises(function() M.roc_curve({0, 1, 2}, {0.1, 0.2, 0.3}) end,
         "pos_label is not given", "roc_curve needs pos_label")
t.raises(function() M.f1_score({0, 1, 2}, {0, 1, 1}) end,
         "average='binary'", "binary average on 3 classes")
t.raises(function() M.accuracy_score({0, 1}, {0}) end,
         "y_true has 2 labels but y_pred has 1", "metric length mismatch")
t.raises(function() nms({{0, 0, -1, 4}}, {1}) end,
         "ml.nms: box 1 has a negative height", "NMS negative size")
t.raises(function() nms({{0, 0, 1, 4}}, {0 / 0}) end,
         "ml.nms: score 1 is not a finite number", "NMS NaN score")
t.raises(function() nms(T.zeros(2, 3), {1, 2}) end,
         "ml.nms: boxes must be %(N, 4%)", "NMS wrong shape")
t.raises(function() nms({{0, 0, 1, 1}}, {1}, {iou = 2}) end,
         "iou must be a number in 0..1", "NMS bad iou")

-- ---- corrupt model files ---------------------------------------------------------------------
local function write(name, text)
  local path = tmp .. "/" .. name
  local fh = assert(io.open(path, "wb"))
  fh:write(text)
  fh:close()
  return path
end
local function read(path)
  local fh = assert(io.open(path, "rb"))
  local s = fh:read("a")
  fh:close()
  return s
end
local good = read(tmp .. "/svc_rbf.model")
local good_lin = read(tmp .. "/linear3.model")
t.raises(function() ml.load_model(write("empty", "")) end,
         "ml.load_model: .*empty: not a model file %(empty%)",
         "empty file")
t.raises(function() ml.load_model(write("garbage", "\0\1\2garbage\255\254" .. ("x"):rep(100))) end,
         "not a model file", "garbage")
t.raises(function() ml.load_model(write("binary", "svm_type c_svc\n\0\0\0\0")) end,
         "corrupt libsvm model %(not a text file%)", "binary after a libsvm header")
t.raises(function() ml.load_model(write("trunc", good:sub(1, #good // 2))) end,
         "corrupt libsvm model %(.*truncated", "truncated libsvm model")
t.raises(function() ml.load_model(write("trunc_head", good:sub(1, 40))) end,
         "corrupt libsvm model", "libsvm model cut in the header")
t.raises(function() ml.load_model(write("huge", (good:gsub("total_sv %d+", "total_sv 2000000000")))) end,
         "corrupt libsvm model %(nr_sv adds up to", "absurd total_sv")
t.raises(function() ml.load_model(write("noclass", (good:gsub("nr_class 3\n", "")))) end,
         "corrupt libsvm model %(line %d+: rho comes before nr_class%)", "missing nr_class")
t.raises(function() ml.load_model(write("badnum", (good:gsub("rho [^\n]*", "rho 1 x 3")))) end,
         "rho value 'x' is not a finite number", "a word where a number belongs")
t.raises(function() ml.load_model(write("badidx", (good:gsub("2:", "0:", 1)))) end,
         "feature index 0 out of order or range", "feature index 0")
t.raises(function() ml.load_model(write("lin_cut", good_lin:sub(1, #good_lin - 30))) end,
         "corrupt liblinear model %(truncated: no newline at the end%)", "liblinear model cut mid-line")
t.raises(function() ml.load_model(write("lin_trunc", (good_lin:gsub("[^\n]*\n$", "")))) end,
         "corrupt liblinear model %(truncated: 2 of 3 weight rows%)", "liblinear model missing a row")
t.raises(function() ml.load_model(write("lin_feat", (good_lin:gsub("nr_feature 2", "nr_feature 99999999")))) end,
         "corrupt liblinear model", "liblinear nr_feature out of range")
t.raises(function() ml.load_model(tmp .. "/nope.model") end,
         "cannot open .*nope.model", "missing file")
t.raises(function() ml.load_model(tmp) end, "is not a regular file", "a folder")
-- every cut of a good file is refused with a message (never a crash,
-- never a different model)
local cut_ok = true
for n = 0, #good - 1, 3 do
  local okc, e = pcall(ml.load_model, write("prefix", good:sub(1, n)))
  cut_ok = cut_ok and not okc and
           tostring(e):find("^tests/lua/ml%.lua:%d+: ml%.load_model: ") ~= nil
end
t.ok(cut_ok, "every cut of a model file is refused with a message")

os.execute("rm -rf " .. tmp)
t.done()
