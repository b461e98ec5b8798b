-- ml_tree.lua - decision trees and tree ensembles against scikit-learn
-- 1.2 (tests/fixtures/ml/tree.lua, made by make_ml_tree_fixtures.py):
-- the same trees (structure, thresholds, predictions, importances within
-- 1e-6), forests / extra trees / bagging with the same random draws,
-- AdaBoost (SAMME.R, SAMME), gradient boosting within 1e-4, voting,
-- export_text's text, cross-validated forests within 0.02, model
-- selection with trees, and errors for bad input at the script's line.
local t = require "tap"
local T = require "tensor"
local ml = require "ml"
local sk = dofile("tests/fixtures/ml/tree.lua")

local flat, maxdiff = t.flat, t.maxdiff

local function close(a, b, tol, name)
  local d = maxdiff(a, b)
  local r = t.ok(d <= tol, name)
  if not r then t.diag(("max abs difference %s > %g"):format(tostring(d), tol)) end
  return r
end

local function same(a, b, name) return close(a, b, 0, name) end

local C, B, R = sk.cls, sk.bin, sk.reg
local Xtr, ytr, Xte, yte = T(C.Xtr), C.ytr, T(C.Xte), C.yte
local Xb, yb = T(B.X), B.y
local Xr = T(R.X)
local Xr_tr, Xr_te = Xr:slice(1, 1, 110), Xr:slice(1, 111, 150)
local yr_tr = {}
for i = 1, 110 do yr_tr[i] = R.y[i] end

-- ---- decision trees ----------------------------------------------------------

for name, want in pairs(sk.dtc) do
  local o = {random_state = name == "sqrt" and 5 or name == "random" and 2 or 0}
  for k, v in pairs(want.opts) do o[k] = v end
  local m = ml.DecisionTreeClassifier(o):fit(Xtr, ytr)
  local tr = m.tree_
  t.is(tr.node_count, want.node_count, "DTC " .. name .. ": node count")
  t.ok(m:get_depth() == want.depth and m:get_n_leaves() == want.n_leaves,
       "DTC " .. name .. ": depth and leaves")
  same(tr.feature, want.feature, "DTC " .. name .. ": split features")
  close(tr.threshold, want.threshold, 1e-6, "DTC " .. name .. ": thresholds")
  close(tr.impurity, want.impurity, 1e-9, "DTC " .. name .. ": impurities")
  same(tr.n_node_samples, want.n_node_samples, "DTC " .. name .. ": samples per node")
  close(m.feature_importances_, want.importances, 1e-6, "DTC " .. name .. ": importances")
  same(m:predict(Xte), want.predict, "DTC " .. name .. ": predictions")
  close(m:predict_proba(Xte), want.proba, 1e-6, "DTC " .. name .. ": probabilities")
  same(m:apply(Xte:slice(1, 1, 20)), want.apply, "DTC " .. name .. ": apply")
end

for name, want in pairs(sk.dtr) do
  local o = {random_state = 0}
  for k, v in pairs(want.opts) do o[k] = v end
  local m = ml.DecisionTreeRegressor(o):fit(Xr_tr, yr_tr)
  t.is(m.tree_.node_count, want.node_count, "DTR " .. name .. ": node count")
  same(m.tree_.feature, want.feature, "DTR " .. name .. ": split features")
  close(m.tree_.threshold, want.threshold, 1e-6, "DTR " .. name .. ": thresholds")
  close(m.tree_.impurity, want.impurity, 1e-6, "DTR " .. name .. ": impurities")
  close(m.feature_importances_, want.importances, 1e-6, "DTR " .. name .. ": importances")
  close(m:predict(Xr_te), want.predict, 1e-5, "DTR " .. name .. ": predictions")
end

-- labels that are not 0..K-1 come back as they were
do
  local y2 = {}
  for i, v in ipairs(ytr) do y2[i] = v * 10 + 5 end
  local m = ml.DecisionTreeClassifier{random_state = 0}:fit(Xtr, y2)
  local want = {}
  for i, v in ipairs(sk.dtc.gini.predict) do want[i] = v * 10 + 5 end
  same(m:predict(Xte), want, "DTC: class labels 5, 15, 25 kept")
  t.ok(m.classes_[1] == 5 and m.classes_[3] == 25, "DTC: classes_ ascending")
end

-- sample weights: weight 2 = the sample twice
do
  local idx, w = {}, {}
  for i = 1, 60 do idx[i] = i; w[i] = (i % 3 == 0) and 2 or 1 end
  local Xs = Xtr:slice(1, 1, 60)
  local ys = {}
  for i = 1, 60 do ys[i] = ytr[i] end
  local Xd, yd = {}, {}
  for i = 1, 60 do
    for _ = 1, w[i] do Xd[#Xd + 1] = Xs[i]:totable(); yd[#yd + 1] = ys[i] end
  end
  local a = ml.DecisionTreeClassifier{random_state = 0}:fit(Xs, ys, w)
  local b = ml.DecisionTreeClassifier{random_state = 0}:fit(T(Xd), yd)
  close(a:predict_proba(Xte), b:predict_proba(Xte), 1e-6,
        "DTC: sample_weight 2 equals the sample repeated")
end

-- ---- export_text and plot_tree's texts -------------------------------------------

do
  local data = require "data"
  local iris = data.iris()
  local m = ml.DecisionTreeClassifier{random_state = 0}:fit(iris.data, iris.target)
  t.is(ml.export_text(m, {feature_names = iris.feature_names}), sk.iris.export,
       "export_text with feature names (iris)")
  t.is(ml.export_text(m, {max_depth = 2, decimals = 3, spacing = 2}),
       sk.iris.export_plain_d2, "export_text: max_depth, decimals, spacing")
  t.is(ml.export_text(m, {show_weights = true}), sk.iris.export_weights,
       "export_text: show_weights")
  local reg = ml.DecisionTreeRegressor{max_depth = 3, random_state = 0}:fit(Xr, R.y)
  t.is(ml.export_text(reg), sk.iris.export_reg, "export_text: a regression tree")
  local texts = ml.tree_node_texts(m, {feature_names = iris.feature_names,
                                        class_names = iris.target_names})
  t.is(#texts, #sk.iris.node_texts, "plot_tree texts: one per node")
  local all = true
  for i, s in ipairs(sk.iris.node_texts) do
    if texts[i] ~= s then
      all = false
      t.diag("node " .. (i - 1) .. ": got " .. texts[i]:gsub("\n", " | ") ..
             ", want " .. s:gsub("\n", " | "))
    end
  end
  t.ok(all, "plot_tree texts: split, gini, samples, value, class as scikit-learn")
  local rt = ml.tree_node_texts(reg)
  all = #rt == #sk.iris.node_texts_reg
  for i, s in ipairs(sk.iris.node_texts_reg) do
    if rt[i] ~= s then
      all = false
      t.diag("node " .. (i - 1) .. ": got " .. tostring(rt[i]):gsub("\n", " | ") ..
             ", want " .. s:gsub("\n", " | "))
    end
  end
  t.ok(all, "plot_tree texts: a regression tree")
  t.raises(function() ml.export_text(m, {feature_names = {"a"}}) end,
           "feature_names must contain 4 elements", "export_text: wrong name count")
  t.raises(function() ml.export_text(m, {decimal = 2}) end,
           "did you mean 'decimals'", "export_text: misspelt option")
end

-- ---- forests, extra trees, bagging: the same draws as scikit-learn ------------------

do
  local rf = ml.RandomForestClassifier{n_estimators = 25, random_state = 0,
                                       oob_score = true}:fit(Xtr, ytr)
  close(rf:predict_proba(Xte), sk.rf.proba, 1e-6, "RandomForestClassifier: probabilities")
  same(rf:predict(Xte), sk.rf.predict, "RandomForestClassifier: predictions")
  t.near(rf.oob_score_, sk.rf.oob_score, 1e-12, "RandomForestClassifier: oob_score_")
  close(rf.oob_decision_function_:slice(1, 1, 30), sk.rf.oob_decision, 1e-6,
        "RandomForestClassifier: oob_decision_function_")
  close(rf.feature_importances_, sk.rf.importances, 1e-6,
        "RandomForestClassifier: feature_importances_")
  t.is(#rf.estimators_, 25, "RandomForestClassifier: 25 estimators_")
  t.is(rf.estimators_[1].max_features, "sqrt", "estimators_ carry the tree options")
  t.ok(rf.estimators_[3].tree_.node_count > 1, "estimators_ are fitted trees")
  -- threads do not change the forest
  local rf2 = ml.RandomForestClassifier{n_estimators = 25, random_state = 0,
                                        n_jobs = -1}:fit(Xtr, ytr)
  close(rf2:predict_proba(Xte), sk.rf.proba, 1e-6, "RandomForestClassifier: n_jobs=-1 same")

  local rfr = ml.RandomForestRegressor{n_estimators = 15, random_state = 1,
                                       oob_score = true}:fit(Xr_tr, yr_tr)
  close(rfr:predict(Xr_te), sk.rfr.predict, 1e-5, "RandomForestRegressor: predictions")
  t.near(rfr.oob_score_, sk.rfr.oob_score, 1e-5, "RandomForestRegressor: oob_score_ (R^2)")
  close(rfr.feature_importances_, sk.rfr.importances, 1e-6,
        "RandomForestRegressor: importances")

  local et = ml.ExtraTreesClassifier{n_estimators = 20, random_state = 4}:fit(Xtr, ytr)
  close(et:predict_proba(Xte), sk.et.proba, 1e-6, "ExtraTreesClassifier: probabilities")
  close(et.feature_importances_, sk.et.importances, 1e-6, "ExtraTreesClassifier: importances")

  local bg = ml.BaggingClassifier{n_estimators = 12, random_state = 6,
                                  oob_score = true}:fit(Xtr, ytr)
  close(bg:predict_proba(Xte), sk.bag.proba, 1e-6, "BaggingClassifier: probabilities")
  t.near(bg.oob_score_, sk.bag.oob_score, 1e-12, "BaggingClassifier: oob_score_")
end

-- the issue's bar: cross-validated accuracy within 0.02 of scikit-learn's
do
  local X = T.concat({Xtr, Xte}, 1)
  local y = {}
  for _, v in ipairs(ytr) do y[#y + 1] = v end
  for _, v in ipairs(yte) do y[#y + 1] = v end
  local makers = {
    rf = function() return ml.RandomForestClassifier{n_estimators = 50, random_state = 0} end,
    et = function() return ml.ExtraTreesClassifier{n_estimators = 50, random_state = 0} end,
    bag = function() return ml.BaggingClassifier{n_estimators = 20, random_state = 0} end,
  }
  for name, make in pairs(makers) do
    local s = ml.cross_val_score(make(), X, y, {cv = 5}):mean()
    t.near(s, sk.cv[name], 0.02, name .. ": 5-fold accuracy within 0.02 of scikit-learn's")
  end
  local g = ml.GridSearchCV(ml.DecisionTreeClassifier{random_state = 0},
                            {max_depth = {1, 3, 5}}, {cv = 3}):fit(X, y)
  t.ok(g.best_params_.max_depth ~= nil and g.best_score_ > 0.5,
       "GridSearchCV over max_depth")
end

-- ---- AdaBoost ------------------------------------------------------------------------

for key, want in pairs(sk.ada) do
  if key ~= "depth2" then
    local alg = key:match("^SAMME_R") and "SAMME.R" or "SAMME"
    local binary = key:match("_bin$") ~= nil
    local X, y = binary and Xb or Xtr, binary and yb or ytr
    local Xe = binary and Xb or Xte
    local m = ml.AdaBoostClassifier{n_estimators = 30, algorithm = alg,
                                    random_state = 0}:fit(X, y)
    t.is(#m.estimators_, want.n, "AdaBoost " .. key .. ": estimators")
    close(m.estimator_weights_, want.weights, 1e-6, "AdaBoost " .. key .. ": estimator_weights_")
    close(m.estimator_errors_, want.errors, 1e-6, "AdaBoost " .. key .. ": estimator_errors_")
    close(m:decision_function(Xe), want.decision, 1e-5, "AdaBoost " .. key .. ": decision_function")
    close(m:predict_proba(Xe), want.proba, 1e-5, "AdaBoost " .. key .. ": predict_proba")
    same(m:predict(Xe), want.predict, "AdaBoost " .. key .. ": predictions")
    close(m.feature_importances_, want.importances, 1e-6, "AdaBoost " .. key .. ": importances")
  end
end
do
  local m = ml.AdaBoostClassifier{estimator = ml.DecisionTreeClassifier{max_depth = 2},
                                  n_estimators = 10, random_state = 1}:fit(Xtr, ytr)
  close(m:predict_proba(Xte), sk.ada.depth2.proba, 1e-5, "AdaBoost with a depth-2 tree")
end

-- ---- gradient boosting -----------------------------------------------------------

for _, key in ipairs {"bin", "cls"} do
  local want = sk.gb[key]
  local X, y, Xe = Xb, yb, Xb
  if key == "cls" then X, y, Xe = Xtr, ytr, Xte end
  local o = {n_estimators = 40, random_state = 0}
  for k, v in pairs(want.opts) do o[k] = v end
  local m = ml.GradientBoostingClassifier(o):fit(X, y)
  close(m:decision_function(Xe), want.decision, 1e-4, "GradientBoostingClassifier " .. key ..
        ": decision_function within 1e-4")
  close(m:predict_proba(Xe), want.proba, 1e-4, "GradientBoostingClassifier " .. key ..
        ": predict_proba within 1e-4")
  same(m:predict(Xe), want.predict, "GradientBoostingClassifier " .. key .. ": predictions")
  close(m.train_score_, want.train_score, 1e-4, "GradientBoostingClassifier " .. key ..
        ": train_score_")
  -- (equivalent splits of a few samples on different features tie up to
  -- the last bit; the credit may go to the other feature)
  close(m.feature_importances_, want.importances, 1e-3, "GradientBoostingClassifier " ..
        key .. ": importances within 1e-3")
end
do
  -- the defaults: exact ties of small nodes may go the other way (NumPy's
  -- exp differs from the C library's in the last bit), the fit does not
  local m = ml.GradientBoostingClassifier{n_estimators = 40, random_state = 0}:fit(Xtr, ytr)
  close(m.train_score_, sk.gb.cls_default.train_score, 1e-4,
        "GradientBoostingClassifier defaults, 3 classes: train_score_ within 1e-4")
  local hit = 0
  local p, w = flat(m:predict(Xte)), sk.gb.cls_default.predict
  for i = 1, #w do if p[i] == w[i] then hit = hit + 1 end end
  t.ok(hit >= #w - 2, "GradientBoostingClassifier defaults: test predictions agree (" ..
       hit .. " of " .. #w .. ")")
end
do
  local m = ml.GradientBoostingRegressor{n_estimators = 60, learning_rate = 0.2,
                                         random_state = 0}:fit(Xr_tr, yr_tr)
  close(m:predict(Xr_te), sk.gb.reg.predict, 1e-4, "GradientBoostingRegressor: predictions")
  close(m.train_score_, sk.gb.reg.train_score, 1e-4, "GradientBoostingRegressor: train_score_")
  close(m.feature_importances_, sk.gb.reg.importances, 1e-6,
        "GradientBoostingRegressor: importances")
  t.is(#m.estimators_, 60, "GradientBoostingRegressor: 60 stages")
  local m2 = ml.GradientBoostingRegressor{n_estimators = 30, criterion = "squared_error",
                                          min_samples_leaf = 4, random_state = 0}
  close(m2:fit(Xr_tr, yr_tr):predict(Xr_te), sk.gb.reg_sq.predict, 1e-4,
        "GradientBoostingRegressor: squared_error criterion, min_samples_leaf")
end

-- ---- voting ------------------------------------------------------------------------

do
  local soft = ml.VotingClassifier{estimators = {
      {"dt", ml.DecisionTreeClassifier{max_depth = 3, random_state = 0}},
      {"gb", ml.GradientBoostingClassifier{n_estimators = 20, min_samples_leaf = 5,
                                           random_state = 0}},
      {"ada", ml.AdaBoostClassifier{n_estimators = 10, random_state = 0}}},
    voting = "soft", weights = {1, 2, 1}}:fit(Xtr, ytr)
  close(soft:predict_proba(Xte), sk.vote.soft_proba, 1e-4, "VotingClassifier soft: probabilities")
  same(soft:predict(Xte), sk.vote.soft_predict, "VotingClassifier soft: predictions")
  t.ok(soft.named_estimators_.gb ~= nil, "VotingClassifier: named_estimators_")
  local hard = ml.VotingClassifier{estimators = {
      {"dt", ml.DecisionTreeClassifier{max_depth = 3, random_state = 0}},
      {"dt5", ml.DecisionTreeClassifier{max_depth = 5, random_state = 0}},
      {"ada", ml.AdaBoostClassifier{n_estimators = 10, random_state = 0}}}}:fit(Xtr, ytr)
  same(hard:predict(Xte), sk.vote.hard_predict, "VotingClassifier hard: predictions")
  t.raises(function() hard:predict_proba(Xte) end, "not available when voting='hard'",
           "hard voting has no predict_proba")
  t.raises(function() ml.VotingClassifier{estimators = {{"a"}}} end,
           "estimators%[1%] must be {name, estimator}", "voting: a malformed pair")
end

-- ---- determinism without random_state -----------------------------------------------

do
  T.seed(3)
  local a = ml.RandomForestClassifier{n_estimators = 5}:fit(Xtr, ytr):predict_proba(Xte)
  T.seed(3)
  local b = ml.RandomForestClassifier{n_estimators = 5}:fit(Xtr, ytr):predict_proba(Xte)
  same(a, b, "no random_state: the runtime's seed decides")
end

-- ---- figures ------------------------------------------------------------------------

do
  local plot = require "plot"
  local data = require "data"
  local iris = data.iris()
  local tmp = os.tmpname()
  os.remove(tmp)
  os.execute("mkdir -p " .. tmp)
  local function png(path)
    local f = io.open(path, "rb")
    local head = f and f:read(8)
    if f then f:close() end
    return head == "\137PNG\r\n\26\n"
  end
  local m = ml.DecisionTreeClassifier{random_state = 0}:fit(iris.data, iris.target)
  plot.tree(m, tmp .. "/tree.png", {feature_names = iris.feature_names,
                                    class_names = {"세토사", "버시컬러", "버지니카"},
                                    filled = true, title = "붓꽃 결정 트리"})
  t.ok(png(tmp .. "/tree.png"), "plot.tree writes a PNG")
  plot.tree(m, {path = tmp .. "/tree2.png", max_depth = 1})
  t.ok(png(tmp .. "/tree2.png"), "plot.tree: path in the options, max_depth")
  local reg = ml.DecisionTreeRegressor{max_depth = 3}:fit(Xr, R.y)
  plot.tree(reg, tmp .. "/reg.png", {filled = true})
  t.ok(png(tmp .. "/reg.png"), "plot.tree: a regression tree")
  plot.feature_importances(m, tmp .. "/imp.png", {feature_names = iris.feature_names})
  t.ok(png(tmp .. "/imp.png"), "plot.feature_importances writes a PNG")
  t.raises(function() plot.tree(ml.DecisionTreeClassifier(), tmp .. "/x.png") end,
           "plot.tree: expected a fitted", "plot.tree of an unfitted tree")
  t.raises(function() plot.tree(m, tmp .. "/x.png", {feature_names = {"a"}}) end,
           "feature_names must contain 4 elements", "plot.tree: wrong name count")
  t.raises(function() plot.tree(m, tmp .. "/x.png", {fill = true}) end,
           "did you mean 'filled'", "plot.tree: misspelt option")
  os.execute("rm -rf " .. tmp)
end

-- ---- bad input ------------------------------------------------------------------------

do
  local bad = Xtr:clone()
  bad:set(4, 2, 0 / 0)
  t.raises(function() ml.DecisionTreeClassifier():fit(bad, ytr) end,
           "DecisionTreeClassifier.fit: X row 4, column 2 is NaN", "NaN in X")
  t.raises(function() ml.RandomForestClassifier():fit(bad, ytr) end,
           "RandomForestClassifier.fit: X row 4, column 2 is NaN", "NaN in X (forest)")
  local short = {}
  for i = 1, 10 do short[i] = ytr[i] end
  t.raises(function() ml.DecisionTreeClassifier():fit(Xtr, short) end,
           "X has 180 rows but y has 10 labels", "y of the wrong length")
  t.raises(function() ml.GradientBoostingRegressor():fit(Xtr, short) end,
           "X has 180 rows but y has 10 values", "y of the wrong length (regressor)")
  local one = {}
  for i = 1, 180 do one[i] = 2 end
  t.raises(function() ml.AdaBoostClassifier():fit(Xtr, one) end,
           "y holds one class only %(label 2%)", "one class only")
  t.raises(function() ml.GradientBoostingClassifier():fit(Xtr, one) end,
           "y holds one class only", "one class only (boosting)")
  t.raises(function() ml.DecisionTreeClassifier():predict(Xte) end,
           "DecisionTreeClassifier.predict: the model is not fitted yet", "predict before fit")
  t.raises(function() ml.RandomForestRegressor():predict(Xte) end,
           "not fitted yet", "predict before fit (forest)")
  local m = ml.DecisionTreeClassifier{max_depth = 2}:fit(Xtr, ytr)
  t.raises(function() m:predict(Xte:slice(2, 1, 4)) end,
           "X has 4 features, the model was fitted on 6", "a feature count that differs")
  local f = ml.ExtraTreesClassifier{n_estimators = 3}:fit(Xtr, ytr)
  t.raises(function() f:predict_proba(Xte:slice(2, 1, 5)) end,
           "X has 5 features, the model was fitted on 6", "feature count (ensemble)")
  t.raises(function() ml.DecisionTreeClassifier{max_dept = 3} end,
           "did you mean 'max_depth'", "misspelt option")
  t.raises(function() ml.DecisionTreeClassifier{criterion = "gain"} end,
           "criterion must be one of 'gini', 'entropy', 'log_loss'", "unknown criterion")
  t.raises(function() ml.DecisionTreeRegressor{criterion = "gini"} end,
           "criterion must be one of 'squared_error'", "classifier criterion on a regressor")
  t.raises(function() ml.DecisionTreeClassifier{max_features = 0} end,
           "max_features must be", "max_features 0")
  t.raises(function() ml.DecisionTreeClassifier{max_features = 9}:fit(Xtr, ytr) end,
           "max_features=9 must be in 1..6", "max_features above the feature count")
  t.raises(function() ml.DecisionTreeClassifier{min_samples_split = 1} end,
           "min_samples_split must be", "min_samples_split 1")
  t.raises(function() ml.DecisionTreeClassifier{max_leaf_nodes = 8} end,
           "max_leaf_nodes is not supported", "unsupported option said so")
  t.raises(function() ml.RandomForestClassifier{bootstrap = false, oob_score = true} end,
           "only available if bootstrap=true", "oob without bootstrap")
  t.raises(function() ml.GradientBoostingClassifier{subsample = 0.5} end,
           "subsample must be 1.0", "subsample")
  t.raises(function() ml.AdaBoostClassifier{algorithm = "SAMME.S"} end,
           "algorithm must be one of", "unknown AdaBoost algorithm")
  t.raises(function() m.fit(Xtr, ytr) end, "instead of ':'", "fit called with a dot")
  t.raises(function() ml.DecisionTreeClassifier():fit(Xtr, {0.5, 1}) end,
           "X has 180 rows but y has 2 labels", "wrong length checked before labels")
  local yf = {}
  for i = 1, 180 do yf[i] = ytr[i] + 0.5 end
  t.raises(function() ml.DecisionTreeClassifier():fit(Xtr, yf) end,
           "is not an integer class id", "fractional class ids")
  local ninf = {}
  for i = 1, 180 do ninf[i] = i == 7 and math.huge or 1.0 end
  t.raises(function() ml.DecisionTreeRegressor():fit(Xtr, ninf) end,
           "y%[7%] is inf", "infinite regression target")
end

t.done()
