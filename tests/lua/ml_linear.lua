-- ml_linear.lua - regression, classification and clustering estimators
-- (ml_linear, ml_neighbors, ml_cluster) against scikit-learn 1.2's
-- numbers in tests/fixtures/ml/linear.lua (make_ml_linear.py): linear
-- models, logistic regression, SGD, polynomial features, scalers,
-- pipelines, kNN, KMeans, the new metrics; and the errors for bad input.
local t = require "tap"
local T = require "tensor"
local ml = require "ml"
local sk = dofile("tests/fixtures/ml/linear.lua")

-- largest |a - b| / max(|b|, floor) over all elements
local function relerr(a, b, floor)
  if not T.is_tensor(b) then b = T(b) end
  a = T.is_tensor(a) and a or T(a)
  if a:numel() ~= b:numel() then return math.huge end
  a, b = a:contiguous():flatten():totable(), b:contiguous():flatten():totable()
  local m = 0
  for i = 1, #a do
    m = math.max(m, math.abs(a[i] - b[i]) / math.max(math.abs(b[i]), floor or 1e-3))
  end
  return m
end

local function close(a, b, tol, name, floor)
  local e = relerr(a, b, floor)
  local r = t.ok(e <= tol, name)
  if not r then t.diag("relative error " .. e .. " > " .. tol) end
  return r
end

local function same(a, b, name)
  a = T.is_tensor(a) and a:contiguous():flatten():totable() or a
  if type(b) == "table" and type(b[1]) == "table" then b = T(b) end
  b = T.is_tensor(b) and b:contiguous():flatten():totable() or b
  local ok = #a == #b
  for i = 1, #a do ok = ok and a[i] == b[i] end
  if not t.ok(ok, name) then
    t.diag("got  " .. table.concat(a, ",")); t.diag("want " .. table.concat(b, ","))
  end
end

local Xr, yr, Yr = T(sk.Xr), T(sk.yr), T(sk.Yr)

-- ---- least squares and ridge: coefficients within 1e-4 relative ---------------
local lin = ml.LinearRegression():fit(Xr, yr)
t.ok(lin:fit(Xr, yr) == lin, "fit returns the estimator")
close(lin.coef_, sk.lin.coef, 1e-4, "LinearRegression coef_")
close({lin.intercept_}, {sk.lin.intercept}, 1e-4, "LinearRegression intercept_")
t.is(lin.rank_, sk.lin.rank, "rank_")
close(lin.singular_, sk.lin.singular, 1e-4, "singular_")
t.near(lin:score(Xr, yr), sk.lin.score, 1e-6, "score is R^2")
local lin2 = ml.LinearRegression():fit(Xr, Yr)
close(lin2.coef_, sk.lin2.coef, 1e-4, "two targets: coef_ (2, 3)")
t.is(table.concat(lin2.coef_:shape(), ","), "2,3", "coef_ shape (T, D)")
close(lin2.intercept_, sk.lin2.intercept, 1e-4, "two targets: intercept_")
t.is(table.concat(lin2:predict(Xr):shape(), ","), "40,2", "predict (N, T)")
close(ml.LinearRegression{fit_intercept = false}:fit(Xr, yr).coef_, sk.lin0.coef, 1e-4,
      "fit_intercept = false")
local rid = ml.Ridge():fit(Xr, yr)
close(rid.coef_, sk.ridge.coef, 1e-4, "Ridge coef_")
close({rid.intercept_}, {sk.ridge.intercept}, 1e-4, "Ridge intercept_")
close(ml.Ridge{alpha = 0.5}:fit(Xr, Yr).coef_, sk.ridge2.coef, 1e-4, "Ridge two targets")
local rw = ml.Ridge{alpha = 0.3}:fit(T(sk.Xwide), T(sk.ywide))
close(rw.coef_, sk.ridge_wide.coef, 1e-4, "Ridge with more features than samples")
close({rw.intercept_}, {sk.ridge_wide.intercept}, 1e-4, "... its intercept")

-- ---- lasso / elastic net: same iterations and coefficients ----------------------
local las = ml.Lasso{alpha = 0.1}:fit(Xr, yr)
close(las.coef_, sk.lasso.coef, 1e-4, "Lasso coef_")
close({las.intercept_}, {sk.lasso.intercept}, 1e-4, "Lasso intercept_")
t.is(las.n_iter_, sk.lasso.n_iter, "Lasso n_iter_ as scikit-learn")
t.ok(las.dual_gap_ < 1e-4 * (yr - yr:mean()):square():sum() / 40, "dual_gap_ below tol")
local lb = ml.Lasso{alpha = 1.0}:fit(Xr, yr)
close(lb.coef_, sk.lasso_big.coef, 1e-4, "Lasso alpha = 1 (some weights 0)", 1e-2)
t.is(lb.n_iter_, sk.lasso_big.n_iter, "... n_iter_")
local en = ml.ElasticNet{alpha = 0.2, l1_ratio = 0.7}:fit(Xr, yr)
close(en.coef_, sk.enet.coef, 1e-4, "ElasticNet coef_")
t.is(en.n_iter_, sk.enet.n_iter, "ElasticNet n_iter_")

-- ---- SGD without shuffling follows scikit-learn step by step --------------------
local sgdr = ml.SGDRegressor{shuffle = false, random_state = 0}:fit(Xr, yr)
close(sgdr.coef_, sk.sgdr.coef, 1e-4, "SGDRegressor coef_ (shuffle = false)")
close({sgdr.intercept_}, {sk.sgdr.intercept}, 1e-4, "SGDRegressor intercept_")
t.is(sgdr.n_iter_, sk.sgdr.n_iter, "SGDRegressor n_iter_")
t.is(sgdr.t_, sk.sgdr.t, "SGDRegressor t_")
local sh = ml.SGDRegressor{random_state = 3}:fit(Xr, yr)
t.ok(sh:score(Xr, yr) > 0.99, "SGDRegressor with shuffling fits too")

local Xc, yc, Xt = T(sk.Xc), T(sk.yc), T(sk.Xt)
local sgdc = ml.SGDClassifier{shuffle = false}:fit(Xc, yc)
close(sgdc.coef_, sk.sgdc.coef, 1e-4, "SGDClassifier (hinge, OvR) coef_")
close(sgdc.intercept_, sk.sgdc.intercept, 1e-4, "SGDClassifier intercept_")
t.is(sgdc.n_iter_, sk.sgdc.n_iter, "SGDClassifier n_iter_")
same(sgdc:predict(Xt), sk.sgdc.predict, "SGDClassifier predictions")
local two = {}
for i = 1, 40 do two[i] = i end
local sl = ml.SGDClassifier{loss = "log_loss", shuffle = false}:fit(Xc:rows(two), yc:rows(two))
close(sl.coef_, sk.sgdc_log.coef, 1e-4, "SGDClassifier log_loss coef_")
t.allclose(sl:predict_proba(Xt), T(sk.sgdc_log.proba), 1e-4, "... predict_proba")
local per = ml.Perceptron{shuffle = false}:fit(Xc, yc)
close(per.coef_, sk.per.coef, 1e-4, "Perceptron coef_")
close(per.intercept_, sk.per.intercept, 1e-4, "Perceptron intercept_")
t.is(per.n_iter_, sk.per.n_iter, "Perceptron n_iter_")
same(per:predict(Xt), sk.per.predict, "Perceptron predictions")

-- ---- logistic regression: probabilities within 1e-3 --------------------------------
local function check_lr(m, want, name)
  t.allclose(m:predict_proba(Xt), T(want.proba), 1e-3, name .. ": predict_proba")
  same(m:predict(Xt), want.predict, name .. ": predict")
  local d = m:decision_function(Xt)
  t.allclose(d, T(want.decision), 5e-3, name .. ": decision_function")
end
local Xb, yb = Xc:rows(two), yc:rows(two)
local lrb = ml.LogisticRegression():fit(Xb, yb)
check_lr(lrb, sk.lr_bin, "lbfgs binary")
t.is(table.concat(lrb.coef_:shape(), ","), "1,2", "binary coef_ is (1, D)")
same(lrb.classes_, {0, 1}, "classes_")
local lrm = ml.LogisticRegression{C = 0.5}:fit(Xc, yc)
check_lr(lrm, sk.lr_multi, "lbfgs multinomial")
t.ok(math.abs(lrm.n_iter_[1] - sk.lr_multi_n_iter[1]) <= 5,
     "multinomial n_iter_ near scikit-learn's (" .. lrm.n_iter_[1] .. ")")
check_lr(ml.LogisticRegression{multi_class = "ovr"}:fit(Xc, yc), sk.lr_ovr, "lbfgs ovr")
check_lr(ml.LogisticRegression{multi_class = "multinomial"}:fit(Xb, yb), sk.lr_mn2,
         "lbfgs multinomial, two classes")
check_lr(ml.LogisticRegression{solver = "liblinear"}:fit(Xb, yb), sk.ll_bin, "liblinear binary")
check_lr(ml.LogisticRegression{solver = "liblinear", C = 2}:fit(Xc, yc), sk.ll_ovr,
         "liblinear one-vs-rest")
t.near(ml.metrics.log_loss(yc, lrm:predict_proba(Xc)),
       ml.metrics.log_loss(yc, lrm:predict_proba(Xc)), 0, "log_loss runs on probabilities")

-- ---- features and scalers ----------------------------------------------------------------
local Xp = T(sk.Xp)
local pf = ml.PolynomialFeatures{degree = 3}:fit(Xp)
same(pf:get_feature_names_out(), sk.poly3.names, "PolynomialFeatures names (sklearn's order)")
same(pf:get_feature_names_out({"a", "b"}), sk.poly3.names_ab, "... with input names")
t.allclose(pf:transform(Xp), T(sk.poly3.out), 1e-4, "PolynomialFeatures transform")
t.allclose(pf.powers_, T(sk.poly3.powers), 0, "powers_")
local pio = ml.PolynomialFeatures{degree = 2, interaction_only = true, include_bias = false}
same(pio:fit(T.zeros(2, 3)):get_feature_names_out(), sk.poly_io.names, "interaction_only names")
local Xm = T(sk.Xm)
local mm = ml.MinMaxScaler():fit(Xm)
t.allclose(mm:transform(Xm), T(sk.minmax.out), 1e-6, "MinMaxScaler (constant column -> 0)")
t.allclose(mm.min_, T(sk.minmax.min), 1e-6, "min_")
t.allclose(mm.scale_, T(sk.minmax.scale), 1e-6, "scale_")
t.allclose(mm:transform(T{{0, 8, 1}}), T(sk.minmax.new), 1e-6, "new data outside the range")
t.allclose(mm:inverse_transform(mm:transform(Xm)), Xm, 1e-5, "inverse_transform")
t.allclose(ml.MinMaxScaler{feature_range = {-1, 1}}:fit_transform(Xm), T(sk.minmax.out2), 1e-6,
           "feature_range")
local Xn = T(sk.Xn)
for _, norm in ipairs {"l2", "l1", "max"} do
  t.allclose(ml.Normalizer{norm = norm}:fit_transform(Xn), T(sk.normalizer[norm]), 1e-6,
             "Normalizer " .. norm .. " (zero row stays zero)")
end
t.allclose(ml.normalize(Xn), T(sk.normalizer.l2), 1e-6, "ml.normalize")

-- ---- pipelines ------------------------------------------------------------------------------
local pipe = ml.make_pipeline(ml.StandardScaler(), ml.LogisticRegression())
t.ok(pipe.named_steps.standardscaler and pipe.named_steps.logisticregression,
     "make_pipeline names the steps")
pipe:fit(Xc, yc)
local sc = ml.StandardScaler():fit(Xc)
local lr2 = ml.LogisticRegression():fit(sc:transform(Xc), yc)
t.allclose(pipe:predict_proba(Xt), lr2:predict_proba(sc:transform(Xt)), 1e-6,
           "pipeline = scaler then model")
pipe:set_params{logisticregression__C = 0.1, standardscaler__with_mean = false}
t.is(pipe.named_steps.standardscaler.with_mean, false, "set_params reaches the scaler")
pipe:set_params{standardscaler__with_mean = true}
t.is(pipe.named_steps.logisticregression.C, 0.1, "set_params step__param")
local cv = ml.cross_val_score(pipe, Xc, yc, {cv = 3})
t.ok(#cv == 3 and cv:mean() > 0.6, "cross_val_score clones the pipeline")
local g = ml.GridSearchCV(ml.make_pipeline(ml.PolynomialFeatures(), ml.Ridge()),
                          {ridge__alpha = {0.1, 10}}, {cv = 3, scoring = "r2"}):fit(Xr, yr)
t.is(g.best_params_.ridge__alpha, 0.1, "grid search over a pipeline parameter")

-- ---- learning curves ------------------------------------------------------------------
local sz, tr, te = ml.learning_curve(ml.LinearRegression(), Xr, yr, {cv = 4,
  train_sizes = {0.25, 0.5, 1.0}, scoring = "neg_mean_squared_error"})
same(sz, sk.lc_reg.sizes, "learning_curve sizes (fractions of the training part)")
t.allclose(tr, T(sk.lc_reg.train), 1e-4, "learning_curve train scores (KFold for a regressor)")
t.allclose(te, T(sk.lc_reg.test), 1e-4, "learning_curve test scores")
sz, tr, te = ml.learning_curve(ml.LogisticRegression(), Xc, yc, {cv = 3,
  train_sizes = {0.6, 1.0}})
same(sz, sk.lc_clf.sizes, "classifier learning_curve sizes")
t.allclose(tr, T(sk.lc_clf.train), 1e-6, "classifier train accuracy (stratified folds)")
t.allclose(te, T(sk.lc_clf.test), 1e-6, "classifier test accuracy")
t.raises(function() ml.learning_curve(ml.Ridge(), Xr, yr, {train_sizes = {0, 1.0}}) end,
         "fractions must be in", "learning_curve bad size")

-- ---- nearest neighbours: the same predictions ---------------------------------------------
local Xk, yk, Xkq = T(sk.Xk), T(sk.yk), T(sk.Xkq)
local knc = ml.KNeighborsClassifier():fit(Xk, yk)
same(knc:predict(Xkq), sk.knc.predict, "KNeighborsClassifier predictions")
t.allclose(knc:predict_proba(Xkq), T(sk.knc.proba), 1e-6, "predict_proba")
local dist, ind = knc:kneighbors(Xkq, 4)
t.allclose(dist, T(sk.knc.dist), 1e-4, "kneighbors distances")
t.allclose(ind, T(sk.knc.ind), 0, "kneighbors positions (1-based)")
local kd = ml.KNeighborsClassifier{n_neighbors = 4, weights = "distance"}:fit(Xk, yk)
same(kd:predict(Xkq), sk.knc_d.predict, "weights = 'distance' predictions")
t.allclose(kd:predict_proba(Xkq), T(sk.knc_d.proba), 1e-5, "... probabilities")
t.allclose(ml.KNeighborsRegressor{n_neighbors = 3}:fit(Xk, T(sk.yk_reg)):predict(Xkq),
           T(sk.knr.predict), 1e-5, "KNeighborsRegressor")
t.allclose(ml.KNeighborsRegressor{n_neighbors = 3, weights = "distance"}
             :fit(Xk, T(sk.Yk_reg2)):predict(Xkq), T(sk.knr_d.predict), 1e-4,
           "KNeighborsRegressor, distance weights, two outputs")
local km = ml.KNeighborsClassifier{n_neighbors = 3}:fit(Xk, T(sk.Yk_multi))
same(km:predict(Xkq), sk.knc_m.predict, "multi-output classifier")
same(km.classes_[2], {4, 5}, "classes_ per output")
t.is(#km:predict_proba(Xkq), 2, "predict_proba: one matrix per output")
t.is(ml.KNeighborsClassifier{n_neighbors = 1}:fit(Xk, yk):score(Xk, yk), 1.0,
     "k = 1 on its own training data: 100%")

-- ---- k-means from an explicit init ---------------------------------------------------------
for _, case in ipairs {{"Xkm", "km", 4}, {"Xkm5", "km5", 5}} do
  local X, want = T(sk[case[1]]), sk[case[2]]
  local init = X:rows({1, 2, 3, 4, 5}):slice(1, 1, case[3]):contiguous()
  local m = ml.KMeans{n_clusters = case[3], init = init, n_init = 1}:fit(X)
  same(m.labels_, want.labels, case[2] .. ": labels_ as scikit-learn")
  t.allclose(m.cluster_centers_, T(want.centers), 1e-4, case[2] .. ": cluster_centers_")
  t.near(m.inertia_, want.inertia, 1e-4 * want.inertia, case[2] .. ": inertia_")
  t.is(m.n_iter_, want.n_iter, case[2] .. ": n_iter_")
  same(m:predict(X), want.labels, case[2] .. ": predict = labels_")
  if want.transform then
    t.allclose(m:transform(X:rows({1, 2, 3, 4, 5})), T(want.transform), 1e-3, "transform")
    t.near(m:score(X), want.score, 1e-3 * math.abs(want.score), "score = -inertia")
  end
end
local Xkm = T(sk.Xkm)
local best = ml.KMeans{n_clusters = 4, random_state = 0}:fit(Xkm)
t.ok(best.inertia_ <= sk.km.inertia * 1.0001, "k-means++ with n_init = 10 finds the blobs")
local a = ml.KMeans{n_clusters = 4, random_state = 7}:fit(Xkm)
local b = ml.KMeans{n_clusters = 4, random_state = 7}:fit(Xkm)
t.allclose(a.cluster_centers_, b.cluster_centers_, 0, "random_state repeats the run")

-- ---- metrics -------------------------------------------------------------------------------
local M = sk.metrics
t.near(ml.metrics.mean_squared_error(M.mt, M.mp), M.mse, 1e-9, "mean_squared_error")
t.near(ml.metrics.mean_squared_error(M.mt, M.mp, {squared = false}), M.rmse, 1e-9, "RMSE")
t.near(ml.metrics.mean_absolute_error(T(M.mt), T(M.mp)), M.mae, 1e-6, "mean_absolute_error")
t.near(ml.metrics.r2_score(M.mt, M.mp), M.r2, 1e-9, "r2_score")
local raw = ml.metrics.r2_score(T(M.Mt), T(M.Mp), {multioutput = "raw_values"})
t.near(raw[1], M.r2_raw[1], 1e-6, "r2_score raw_values [1]")
t.near(raw[2], M.r2_raw[2], 1e-6, "r2_score raw_values [2]")
t.near(ml.metrics.r2_score(T(M.Mt), T(M.Mp)), M.r2_multi, 1e-6, "r2_score uniform_average")
t.near(ml.metrics.mean_squared_error(T(M.Mt), T(M.Mp)), M.mse_multi, 1e-6, "MSE, two outputs")
t.near(ml.metrics.log_loss(M.lt, T(M.lp)), M.log_loss, 1e-6, "log_loss")
t.near(ml.metrics.log_loss(M.bt, M.bp), M.log_loss_bin, 1e-6, "log_loss, one column")
t.is(ml.metrics.classification_report(M.ct, M.cp), M.report, "classification_report text")
t.is(ml.metrics.classification_report(M.ct, M.cp, {digits = 3,
       target_names = {"cat", "dog", "bird", "setosa-long"}}), M.report_names,
     "classification_report with names and digits")
local rep = ml.metrics.classification_report(M.ct, M.cp, {output_dict = true})
t.ok(rep["macro avg"] and rep.accuracy, "output_dict")
t.near(ml.entropy({0.5, 0.25, 0.25}), sk.entropy.h, 1e-12, "entropy")
t.near(ml.entropy({9, 5}, {base = 2}), sk.entropy.h2, 1e-12, "entropy base 2, counts")
t.near(ml.entropy({0.5, 0.5}, {0.9, 0.1}), sk.entropy.kl, 1e-12, "KL divergence")
t.near(ml.information_gain({1, 1, 0, 0}, {{1, 1}, {0, 0}}), 1, 1e-12, "a perfect split gains 1 bit")
t.near(ml.impurity({1, 0, 1, 0}, {criterion = "gini"}), 0.5, 1e-12, "gini")

-- ---- bad input: a clear error at the script line --------------------------------------------
local Xbad = Xr:clone()
Xbad[3][2] = 0 / 0
t.raises(function() ml.LinearRegression():fit(Xbad, yr) end,
         "LinearRegression.fit: X row 3, column 2 is NaN", "NaN in X")
t.raises(function() ml.KMeans{n_clusters = 2}:fit(Xbad) end, "KMeans.fit: X row 3", "NaN, KMeans")
t.raises(function() ml.KNeighborsClassifier():fit(Xk, yk):predict(Xbad) end,
         "predict: X row 3", "NaN at predict")
t.raises(function() ml.Ridge():fit(Xr, T.zeros(39)) end,
         "Ridge.fit: X has 40 rows but y has 39", "wrong length y (regression)")
t.raises(function() ml.LogisticRegression():fit(Xc, {0, 1}) end,
         "LogisticRegression.fit: X has 60 rows but y has 2 labels", "wrong length y")
t.raises(function() ml.KNeighborsClassifier():fit(Xk, T.zeros(5)) end,
         "X has 30 rows but y has 5", "wrong length y (kNN)")
t.raises(function() ml.LogisticRegression():fit(Xc, T.ones(60)) end,
         "y holds one class only", "one class")
t.raises(function() ml.Perceptron():fit(Xc, T.ones(60)) end, "one class only", "one class, Perceptron")
t.raises(function() ml.KMeans{n_clusters = 7}:fit(T.zeros(5, 2)) end,
         "n_samples = 5 should be >= n_clusters = 7", "more clusters than samples")
t.raises(function() ml.KNeighborsClassifier{n_neighbors = 50}:fit(Xk, yk) end,
         "n_neighbors = 50, but there are only 30", "more neighbours than samples")
for name, e in pairs {LinearRegression = ml.LinearRegression(), KMeans = ml.KMeans(),
                      KNeighborsRegressor = ml.KNeighborsRegressor(),
                      LogisticRegression = ml.LogisticRegression()} do
  t.raises(function() e:predict(Xr) end, name .. ".predict: the model is not fitted",
           "predict before fit: " .. name)
end
t.raises(function() lin:predict(T.zeros(3, 5)) end,
         "LinearRegression.predict: X has 5 features, but LinearRegression was fitted with 3",
         "wrong feature count")
t.raises(function() knc:predict(T.zeros(3, 2)) end, "X has 2 features", "wrong feature count, kNN")
t.raises(function() lrm:predict_proba(T.zeros(2, 5)) end, "X has 5 features",
         "wrong feature count, predict_proba")
t.raises(function() best:transform(T.zeros(1, 3)) end, "X has 3 features", "KMeans.transform")
t.raises(function() ml.Lasso{alpah = 1} end, "alpha", "misspelt option: did you mean")
t.raises(function() ml.LogisticRegression{solver = "liblinear", multi_class = "multinomial"} end,
         "does not support a multinomial", "liblinear + multinomial")
t.raises(function() ml.KNeighborsClassifier{p = 1} end, "only p = 2", "p = 1 not offered")
t.raises(function() lin:save("/tmp/x.model") end, "LinearRegression.save: only SVC",
         "save is for the libsvm models")
t.raises(function() lin.predict(Xr) end, "'%.' instead of ':'", "obj.predict(X)")
t.raises(function() ml.metrics.log_loss({1, 1}, {0.5, 0.6}) end, "one label only", "log_loss one label")

t.done()
