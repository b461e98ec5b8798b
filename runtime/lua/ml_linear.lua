-- ml_linear.lua - linear models, polynomial features, MinMaxScaler,
-- Normalizer and Pipeline for ml.lua, with scikit-learn 1.2's names and
-- defaults. The fitting is C (ml_est: runtime/ml/linear.c on LAPACK,
-- liblinear and liblbfgs); this file checks arguments and keeps the
-- fitted numbers.
--
--   ml.LinearRegression{fit_intercept=true}            lstsq (gelsd)
--   ml.Ridge{alpha=1, fit_intercept=true}              Cholesky
--   ml.Lasso{alpha=1, fit_intercept=true, max_iter=1000, tol=1e-4}
--   ml.ElasticNet{alpha=1, l1_ratio=0.5, ...}          coordinate descent
--   ml.SGDRegressor{loss='squared_error', penalty='l2', alpha=1e-4,
--          max_iter=1000, tol=1e-3, shuffle=true, epsilon=0.1,
--          learning_rate='invscaling', eta0=0.01, power_t=0.25,
--          n_iter_no_change=5, fit_intercept=true, random_state=}
--     regressors: :fit(X, y) (y (N) or (N, T)), :predict(X), :score = R^2;
--     coef_ (D) or (T, D), intercept_ (a number or (T)), n_features_in_;
--     LinearRegression rank_, singular_; Lasso/ElasticNet n_iter_,
--     dual_gap_; SGDRegressor n_iter_, t_
--   ml.LogisticRegression{penalty='l2'|'none', C=1, tol=1e-4,
--          fit_intercept=true, intercept_scaling=1, solver='lbfgs'|
--          'liblinear', max_iter=100, multi_class='auto'|'ovr'|
--          'multinomial', random_state=}
--   ml.SGDClassifier{loss='hinge'|'log_loss'|'modified_huber'|
--          'squared_hinge'|'perceptron', penalty='l2', alpha=1e-4,
--          learning_rate='optimal', eta0=0, ... as SGDRegressor}
--   ml.Perceptron{penalty=nil, alpha=1e-4, eta0=1, max_iter=1000,
--          tol=1e-3, shuffle=true, n_iter_no_change=5, random_state=0}
--     classifiers: :fit(X, y), :predict, :decision_function,
--     :predict_proba (LogisticRegression; SGDClassifier with log_loss or
--     modified_huber), :score = accuracy; classes_, coef_ (1, D) for two
--     classes else (K, D), intercept_, n_iter_
--   ml.PolynomialFeatures{degree=2, interaction_only=false,
--          include_bias=true}  :fit, :transform, :fit_transform,
--          :get_feature_names_out(names); powers_, n_output_features_
--   ml.MinMaxScaler{feature_range={0, 1}, clip=false}   data_min_,
--          data_max_, data_range_, scale_, min_; :inverse_transform
--   ml.Normalizer{norm='l2'|'l1'|'max'}, ml.normalize(X, {norm, axis})
--   ml.Pipeline({{'name', step}, ...}), ml.make_pipeline(step, ...)
--
-- SGD's epochs visit the rows in an order drawn from the runtime's RNG
-- (random_state re-seeds it), so with shuffle = true the numbers differ
-- from scikit-learn's; with shuffle = false they are the same. liblinear
-- (Debian's 2.3) caps its own iterations; max_iter limits L-BFGS only,
-- and n_iter_ is given for L-BFGS only. Penalties 'l1' / 'elasticnet'
-- of the SGD models and LogisticRegression are not offered.
local T = require "tensor"
local K = require "ml_est"
local fail = require "script_error"
local U = require "ml_util"
local call, describe, is_int, as_matrix = U.call, U.describe, U.is_int, U.as_matrix

return function(ml, S)
local estimator_class, new_estimator = S.estimator_class, S.new_estimator
local check_number, check_choice, check_bool = S.check_number, S.check_choice,
  S.check_bool

local function check_int(e, k, lo)
  local v = e[k]
  if not is_int(v) or v < lo then
    fail("%s: %s must be an integer >= %d, got %s", e.name, k, lo, describe(v))
  end
end

local function check_tol(e)
  if e.tol ~= nil then check_number(e, "tol", 0) end
end

-- ---- shared parts ------------------------------------------------------

-- X for fitting: a finite 2-D tensor (the C side checks NaN / inf)
local function fit_x(X, what)
  return call(what, K.check_x, as_matrix(X, what))
end

-- X for predicting: also the feature count seen by fit
local function predict_x(e, X, method)
  local what = e.name .. "." .. method
  if e.n_features_in_ == nil then
    fail("%s: the model is not fitted yet; call fit(%s) first", what, e._fit_args or "X, y")
  end
  X = fit_x(X, what)
  if X:shape()[2] ~= e.n_features_in_ then
    fail("%s: X has %d features, but %s was fitted with %d", what,
         X:shape()[2], e.name, e.n_features_in_)
  end
  return X
end

-- regression targets as a float tensor (N) or (N, T)
local function targets(y, n, what)
  if type(y) == "table" and not T.is_tensor(y) then
    y = T(U.number_list(y, what))
  end
  if not T.is_tensor(y) or y:dim() < 1 or y:dim() > 2 then
    fail("%s: y must be a tensor (N) or (N, T) of numbers, got %s", what, describe(y))
  end
  if y:shape()[1] ~= n then
    fail("%s: X has %d rows but y has %d", what, n, y:shape()[1])
  end
  return y
end

-- class labels: the list, the sorted classes and each row's 0-based class
local function encode(y, n, what, min_classes)
  local labels = U.label_list(y, what, n)
  local classes = U.sorted_unique(labels)
  if #classes < (min_classes or 2) then
    fail("%s: y holds one class only (%s); a classifier needs at least two",
         what, tostring(classes[1]))
  end
  local pos = {}
  for i, c in ipairs(classes) do pos[c] = i - 1 end
  local ids = {}
  for i, v in ipairs(labels) do ids[i] = pos[v] end
  return classes, ids
end

local function class_tensor(classes, idx)
  -- idx: a tensor of 1-based positions into classes
  local out = idx:clone()
  local flat = idx:contiguous():flatten():totable()
  local v = {}
  for i, p in ipairs(flat) do v[i] = classes[math.tointeger(p)] end
  return T(v):reshape(table.unpack(out:shape()))
end

-- X coef' + intercept
local function linear_out(X, coef, intercept)
  local out = X:matmul(coef:transpose(1, 2))
  return out + intercept
end

local function r2(e, X, y)
  return ml.metrics.r2_score(y, e:predict(X))
end

-- ---- regressors -------------------------------------------------------------

local Regressor = {}

-- store coef (T, D) and intercept (T) as scikit-learn shapes them
local function set_coef(e, coef, intercept, y)
  if y:dim() == 1 then
    e.coef_ = coef:reshape(coef:shape()[2])
    e.intercept_ = intercept[1]
  else
    e.coef_, e.intercept_ = coef, intercept
  end
  e.n_targets_ = y:dim() == 1 and 1 or y:shape()[2]
  e._coef2, e._b2 = coef, intercept
end

local function reg_predict(self, X)
  X = predict_x(self, X, "predict")
  local out = linear_out(X, self._coef2, self._b2)
  if self.n_targets_ == 1 and self.coef_:dim() == 1 then
    return out:reshape(out:shape()[1])
  end
  return out
end

local LinearRegression = estimator_class("LinearRegression",
  {fit_intercept = true}, {"fit_intercept", "copy_X", "n_jobs", "positive"})
function LinearRegression.check(e)
  check_bool(e, "fit_intercept")
  if e.positive then fail("LinearRegression: positive = true is not offered") end
end
function ml.LinearRegression(o) return new_estimator(LinearRegression, o) end

-- check X and y, solve(X, y, what) -> coef (T, D), intercept (T), ...;
-- keep the fit; the rest of solve's results are returned
local function fit_regression(self, X, y, solve)
  local what = self.name .. ".fit"
  X = fit_x(X, what)
  y = targets(y, X:shape()[1], what)
  local r = table.pack(solve(X, y, what))
  set_coef(self, r[1], r[2], y)
  self.n_features_in_, self.model_ = X:shape()[2], true
  return table.unpack(r, 3, r.n)
end

function LinearRegression:fit(X, y)
  self.rank_, self.singular_ = fit_regression(self, X, y, function(X, y, what)
    return call(what, K.lstsq, X, y, self.fit_intercept)
  end)
  return self
end
LinearRegression.predict, LinearRegression.score = reg_predict, r2

local Ridge = estimator_class("Ridge", {alpha = 1.0, fit_intercept = true,
  solver = "auto"}, {"alpha", "fit_intercept", "solver", "copy_X", "max_iter",
  "tol", "positive", "random_state"})
function Ridge.check(e)
  check_number(e, "alpha", 0)
  check_bool(e, "fit_intercept")
  check_choice(e, "solver", {"auto", "cholesky"})
end
function ml.Ridge(o) return new_estimator(Ridge, o) end

function Ridge:fit(X, y)
  fit_regression(self, X, y, function(X, y, what)
    if self.alpha == 0 then return call(what, K.lstsq, X, y, self.fit_intercept) end
    return call(what, K.ridge, X, y, self.alpha, self.fit_intercept)
  end)
  return self
end
Ridge.predict, Ridge.score = reg_predict, r2

local function enet_class(name, defaults, order)
  local c = estimator_class(name, defaults, order)
  function c.check(e)
    check_number(e, "alpha", 0)
    if e.l1_ratio ~= nil then
      check_number(e, "l1_ratio", 0)
      if e.l1_ratio > 1 then fail("%s: l1_ratio must be in 0..1, got %s", name, describe(e.l1_ratio)) end
    end
    check_bool(e, "fit_intercept")
    check_int(e, "max_iter", 1)
    check_number(e, "tol", 0)
    check_choice(e, "selection", {"cyclic"})
    if e.positive then fail("%s: positive = true is not offered", name) end
  end
  function c:fit(X, y)
    local iters, gaps = fit_regression(self, X, y, function(X, y, what)
      -- one target at a time, as scikit-learn
      local y2 = y:dim() == 1 and y:reshape(y:shape()[1], 1) or y
      local nt = y2:shape()[2]
      local coef, b, its, gs = T.zeros(nt, X:shape()[2]), T.zeros(nt), {}, {}
      for t = 1, nt do
        local col = y2:slice(2, t, t):contiguous():flatten()
        local w, bt, it, gap = call(what, K.enet, X, col, self.alpha,
          self.l1_ratio or 1, self.fit_intercept, self.max_iter, self.tol)
        coef[t], b[t], its[t], gs[t] = w, bt, it, gap
      end
      return coef, b, its, gs
    end)
    if #iters == 1 then
      self.n_iter_, self.dual_gap_ = iters[1], gaps[1]
    else
      self.n_iter_, self.dual_gap_ = iters, T(gaps)
    end
    return self
  end
  c.predict, c.score = reg_predict, r2
  return c
end

local Lasso = enet_class("Lasso", {alpha = 1.0, fit_intercept = true,
  max_iter = 1000, tol = 1e-4, selection = "cyclic"},
  {"alpha", "fit_intercept", "precompute", "copy_X", "max_iter", "tol",
   "warm_start", "positive", "random_state", "selection"})
function ml.Lasso(o) return new_estimator(Lasso, o) end

local ElasticNet = enet_class("ElasticNet", {alpha = 1.0, l1_ratio = 0.5,
  fit_intercept = true, max_iter = 1000, tol = 1e-4, selection = "cyclic"},
  {"alpha", "l1_ratio", "fit_intercept", "precompute", "max_iter", "copy_X",
   "tol", "warm_start", "positive", "random_state", "selection"})
function ml.ElasticNet(o) return new_estimator(ElasticNet, o) end

-- ---- SGD ------------------------------------------------------------------------

local SGD_ORDER = {"loss", "penalty", "alpha", "l1_ratio", "fit_intercept",
  "max_iter", "tol", "shuffle", "verbose", "epsilon", "random_state",
  "learning_rate", "eta0", "power_t", "early_stopping", "validation_fraction",
  "n_iter_no_change", "warm_start", "average", "n_jobs", "class_weight"}

local function sgd_check(e, losses)
  check_choice(e, "loss", losses)
  if e.penalty ~= nil and e.penalty ~= "l2" then
    fail("%s: penalty must be 'l2' or nil (none); 'l1' and 'elasticnet' are " ..
         "not offered, got %s", e.name, describe(e.penalty))
  end
  check_number(e, "alpha", 0)
  check_bool(e, "fit_intercept")
  check_int(e, "max_iter", 1)
  check_tol(e)
  check_bool(e, "shuffle")
  check_number(e, "epsilon", 0)
  S.check_random_state(e)
  check_choice(e, "learning_rate", {"constant", "optimal", "invscaling", "adaptive"})
  check_number(e, "eta0", 0)
  check_number(e, "power_t")
  check_int(e, "n_iter_no_change", 1)
  if e.early_stopping then fail("%s: early_stopping is not offered", e.name) end
  if e.average then fail("%s: average is not offered", e.name) end
  if e.learning_rate ~= "optimal" and e.eta0 <= 0 then
    fail("%s: eta0 must be > 0 with learning_rate = '%s'", e.name, e.learning_rate)
  end
  if e.learning_rate == "optimal" and e.alpha == 0 then
    fail("%s: alpha must be > 0 with learning_rate = 'optimal'", e.name)
  end
end

local function sgd_opts(e, loss)
  return {loss = loss or e.loss, epsilon = e.epsilon, l2 = e.penalty == "l2",
          alpha = e.alpha, learning_rate = e.learning_rate, eta0 = e.eta0,
          power_t = e.power_t, fit_intercept = e.fit_intercept,
          max_iter = e.max_iter, tol = e.tol or -1,
          n_iter_no_change = e.n_iter_no_change, shuffle = e.shuffle}
end

-- the defaults both SGD models share, with the ones that differ
local function sgd_defaults(own)
  local d = {penalty = "l2", alpha = 1e-4, l1_ratio = 0.15, fit_intercept = true,
             max_iter = 1000, tol = 1e-3, shuffle = true, epsilon = 0.1,
             early_stopping = false, n_iter_no_change = 5, average = false}
  for k, v in pairs(own) do d[k] = v end
  return d
end

local SGDRegressor = estimator_class("SGDRegressor", sgd_defaults{
  loss = "squared_error", learning_rate = "invscaling", eta0 = 0.01,
  power_t = 0.25}, SGD_ORDER)
function SGDRegressor.check(e)
  sgd_check(e, {"squared_error", "huber", "epsilon_insensitive"})
end
function ml.SGDRegressor(o) return new_estimator(SGDRegressor, o) end

function SGDRegressor:fit(X, y)
  local what = "SGDRegressor.fit"
  X = fit_x(X, what)
  y = targets(y, X:shape()[1], what)
  if y:dim() ~= 1 then fail("%s: y must be 1-D, got %s", what, describe(y)) end
  U.reseed(self.random_state, what)
  local w, b, it, t = call(what, K.sgd, X, y, sgd_opts(self))
  self.coef_, self.intercept_, self.n_iter_, self.t_ = w, b, it, t
  self._coef2, self._b2 = w:reshape(1, w:shape()[1]), T{b}
  self.n_targets_, self.n_features_in_, self.model_ = 1, X:shape()[2], true
  return self
end
SGDRegressor.predict, SGDRegressor.score = reg_predict, r2

-- ---- classifiers ----------------------------------------------------------------------

local function scores(self, X, method)
  X = predict_x(self, X, method)
  local out = linear_out(X, self.coef_, self.intercept_)
  if out:shape()[2] == 1 then return out:reshape(out:shape()[1]) end
  return out
end

local function decision(self, X) return scores(self, X, "decision_function") end

local function clf_predict(self, X)
  local s = scores(self, X, "predict")
  if s:dim() == 1 then
    return class_tensor(self.classes_, s:gt(0) + 1)
  end
  return class_tensor(self.classes_, s:argmax(2))
end

local function softmax(z)
  local e = (z - z:max(2, true)):exp()
  return e / e:sum(2, true)
end

-- one-vs-rest probabilities: sigmoids, rows normalised (two classes:
-- 1 - p, p)
local function ovr_proba(s)
  if s:dim() == 1 then
    local p = s:sigmoid():reshape(s:shape()[1], 1)
    return T.concat({1 - p, p}, 2)
  end
  local p = s:sigmoid()
  return p / p:sum(2, true)
end

-- fit one binary SGD per class (one for two classes), as scikit-learn
local function sgd_fit_classes(self, X, ids, k, what, loss)
  local n, d = X:shape()[1], X:shape()[2]
  local rows = k == 2 and 1 or k
  local coef, b, iters, t = T.zeros(rows, d), T.zeros(rows), 0, 0
  local opts = sgd_opts(self, loss)
  for r = 1, rows do
    local pos = k == 2 and 1 or r - 1
    local yy = {}
    for i = 1, n do yy[i] = ids[i] == pos and 1 or -1 end
    local w, bb, it, tt = call(what, K.sgd, X, T(yy), opts)
    coef[r], b[r] = w, bb
    iters, t = math.max(iters, it), tt
  end
  return coef, b, iters, t
end

local function sgd_clf_fit(self, X, y, loss)
  local what = self.name .. ".fit"
  X = fit_x(X, what)
  local classes, ids = encode(y, X:shape()[1], what)
  U.reseed(self.random_state, what)
  self.coef_, self.intercept_, self.n_iter_, self.t_ =
    sgd_fit_classes(self, X, ids, #classes, what, loss)
  self.classes_, self.n_features_in_, self.model_ = classes, X:shape()[2], true
  return self
end

local SGDClassifier = estimator_class("SGDClassifier", sgd_defaults{
  loss = "hinge", learning_rate = "optimal", eta0 = 0.0, power_t = 0.5},
  SGD_ORDER)
function SGDClassifier.check(e)
  sgd_check(e, {"hinge", "log_loss", "modified_huber", "squared_hinge", "perceptron"})
end
function ml.SGDClassifier(o) return new_estimator(SGDClassifier, o) end
function SGDClassifier:fit(X, y) return sgd_clf_fit(self, X, y) end
SGDClassifier.decision_function, SGDClassifier.predict = decision, clf_predict

function SGDClassifier:predict_proba(X)
  if self.loss == "log_loss" then return ovr_proba(scores(self, X, "predict_proba")) end
  if self.loss ~= "modified_huber" then
    fail("SGDClassifier.predict_proba: probability estimates need loss = " ..
         "'log_loss' or 'modified_huber', not '%s'", self.loss)
  end
  -- modified Huber: (clip(f, -1, 1) + 1) / 2, rows normalised (all zero:
  -- uniform), as scikit-learn
  local s = scores(self, X, "predict_proba")
  local p = (s:clamp(-1, 1) + 1) / 2
  if s:dim() == 1 then
    p = p:reshape(s:shape()[1], 1)
    return T.concat({1 - p, p}, 2)
  end
  local sum = p:sum(2, true)
  local k = p:shape()[2]
  return (p + sum:eq(0) * (1 / k)) / (sum + sum:eq(0))
end

local Perceptron = estimator_class("Perceptron", {alpha = 1e-4,
  l1_ratio = 0.15, fit_intercept = true, max_iter = 1000, tol = 1e-3,
  shuffle = true, eta0 = 1.0, n_iter_no_change = 5, random_state = 0,
  early_stopping = false}, {"penalty", "alpha", "l1_ratio", "fit_intercept",
  "max_iter", "tol", "shuffle", "verbose", "eta0", "n_jobs", "random_state",
  "early_stopping", "validation_fraction", "n_iter_no_change", "class_weight",
  "warm_start"})
function Perceptron.check(e)
  e.loss, e.learning_rate, e.epsilon, e.power_t = "perceptron", "constant", 0.1, 0.5
  sgd_check(e, {"perceptron"})
end
function ml.Perceptron(o) return new_estimator(Perceptron, o) end
function Perceptron:fit(X, y) return sgd_clf_fit(self, X, y, "perceptron") end
Perceptron.decision_function, Perceptron.predict = decision, clf_predict

-- ---- LogisticRegression ---------------------------------------------------------------------

local LogisticRegression = estimator_class("LogisticRegression", {
  penalty = "l2", dual = false, tol = 1e-4, C = 1.0, fit_intercept = true,
  intercept_scaling = 1, solver = "lbfgs", max_iter = 100,
  multi_class = "auto"}, {"penalty", "dual", "tol", "C", "fit_intercept",
  "intercept_scaling", "class_weight", "random_state", "solver", "max_iter",
  "multi_class", "verbose", "warm_start", "n_jobs", "l1_ratio"})

function LogisticRegression.check(e)
  check_choice(e, "penalty", {"l2", "none"})
  check_number(e, "tol", 0, true)
  check_number(e, "C", 0, true)
  check_bool(e, "fit_intercept")
  check_number(e, "intercept_scaling", 0, true)
  check_choice(e, "solver", {"lbfgs", "liblinear"})
  check_int(e, "max_iter", 1)
  check_choice(e, "multi_class", {"auto", "ovr", "multinomial"})
  S.check_random_state(e)
  if e.dual then fail("LogisticRegression: dual = true is not offered") end
  if e.class_weight ~= nil then fail("LogisticRegression: class_weight is not offered") end
  if e.solver == "liblinear" and e.multi_class == "multinomial" then
    fail("LogisticRegression: solver 'liblinear' does not support a multinomial " ..
         "backend; use solver = 'lbfgs'")
  end
  if e.solver == "liblinear" and e.penalty == "none" then
    fail("LogisticRegression: penalty 'none' is not supported for the liblinear solver")
  end
end
function ml.LogisticRegression(o) return new_estimator(LogisticRegression, o) end

function LogisticRegression:fit(X, y)
  local what = "LogisticRegression.fit"
  X = fit_x(X, what)
  local classes, ids = encode(y, X:shape()[1], what)
  local k, n, d = #classes, X:shape()[1], X:shape()[2]
  local mc = self.multi_class
  if mc == "auto" then
    mc = (self.solver == "liblinear" or k == 2) and "ovr" or "multinomial"
  end
  local C = self.penalty == "none" and math.huge or self.C
  local coef, b, n_iter
  if mc == "multinomial" then
    local w, bb, it = call(what, K.logreg_lbfgs, X, ids, k, C, self.fit_intercept,
                           self.max_iter, self.tol)
    if k == 2 then   -- scikit-learn keeps the second row only
      w, bb = w:slice(1, 2, 2):contiguous(), T{bb[2]}
    end
    coef, b, n_iter = w, bb, {it}
  else
    local rows = k == 2 and 1 or k
    coef, b, n_iter = T.zeros(rows, d), T.zeros(rows), {}
    for r = 1, rows do
      local pos = k == 2 and 1 or r - 1
      local yy = {}
      for i = 1, n do yy[i] = ids[i] == pos and 1 or 0 end
      if self.solver == "liblinear" then
        local w, bb = call(what, K.logreg_liblinear, X, yy, C, self.tol,
          self.fit_intercept and self.intercept_scaling or -1,
          U.seed_of(self.random_state))
        coef[r], b[r] = w, bb
        n_iter = nil
      else
        local w, bb, it = call(what, K.logreg_lbfgs, X, yy, 1, C,
          self.fit_intercept, self.max_iter, self.tol)
        coef[r], b[r] = w:reshape(d), bb[1]
        n_iter[r] = it
      end
    end
  end
  self.coef_, self.intercept_, self.n_iter_ = coef, b, n_iter
  self._multinomial = mc == "multinomial"
  self.classes_, self.n_features_in_, self.model_ = classes, d, true
  return self
end
LogisticRegression.decision_function, LogisticRegression.predict = decision, clf_predict

function LogisticRegression:predict_proba(X)
  local s = scores(self, X, "predict_proba")
  if not self._multinomial then return ovr_proba(s) end
  if s:dim() == 1 then
    s = s:reshape(s:shape()[1], 1)
    s = T.concat({-s, s}, 2)
  end
  return softmax(s)
end

function LogisticRegression:predict_log_proba(X)
  return self:predict_proba(X):log()
end

-- ---- PolynomialFeatures ------------------------------------------------------------

local Poly = estimator_class("PolynomialFeatures", {degree = 2,
  interaction_only = false, include_bias = true, order = "C"},
  {"degree", "interaction_only", "include_bias", "order"})
function Poly.check(e)
  check_int(e, "degree", 0)
  check_bool(e, "interaction_only")
  check_bool(e, "include_bias")
end
function ml.PolynomialFeatures(o) return new_estimator(Poly, o) end

-- every combination with replacement of the d features, by degree, in
-- scikit-learn's order (itertools.combinations_with_replacement)
local function combos(d, deg, interaction, bias)
  local out = {}
  if bias then out[1] = {} end
  local function rec(start, left, cur)
    if left == 0 then
      out[#out + 1] = {table.unpack(cur)}
      return
    end
    for j = start, d do
      cur[#cur + 1] = j
      rec(interaction and j + 1 or j, left - 1, cur)
      cur[#cur] = nil
    end
  end
  for k = 1, deg do rec(1, k, {}) end
  return out
end

function Poly:fit(X)
  local what = "PolynomialFeatures.fit"
  X = fit_x(X, what)
  local d = X:shape()[2]
  local cs = combos(d, self.degree, self.interaction_only, self.include_bias)
  if #cs == 0 then fail("%s: no output features (degree 0 without include_bias)", what) end
  local p = T.zeros(#cs, d)
  for i, c in ipairs(cs) do
    for _, j in ipairs(c) do p[i][j] = p[i][j] + 1 end
  end
  self.powers_, self.n_output_features_ = p, #cs
  self.n_features_in_, self.model_ = d, true
  return self
end

function Poly:transform(X)
  X = predict_x(self, X, "transform")
  return call("PolynomialFeatures.transform", K.poly, X, self.powers_)
end

function Poly:fit_transform(X) return self:fit(X):transform(X) end

function Poly:get_feature_names_out(names)
  local what = "PolynomialFeatures.get_feature_names_out"
  self:check_fitted("get_feature_names_out")
  local d = self.n_features_in_
  if names ~= nil and (type(names) ~= "table" or #names ~= d) then
    fail("%s: expected a list of %d feature names, got %s", what, d, describe(names))
  end
  local out = {}
  for i = 1, self.n_output_features_ do
    local parts = {}
    for j = 1, d do
      local e = math.tointeger(self.powers_[i][j])
      local nm = names and tostring(names[j]) or ("x" .. (j - 1))
      if e == 1 then parts[#parts + 1] = nm
      elseif e > 1 then parts[#parts + 1] = nm .. "^" .. e end
    end
    out[i] = #parts == 0 and "1" or table.concat(parts, " ")
  end
  return out
end

function Poly:predict()
  fail("PolynomialFeatures.predict: a transformer has no predict; use transform(X)")
end

-- ---- MinMaxScaler, Normalizer ----------------------------------------------------------------

local MinMax = estimator_class("MinMaxScaler", {clip = false},
  {"feature_range", "copy", "clip"})
function MinMax.check(e)
  local r = e.feature_range or {0, 1}
  if type(r) ~= "table" or type(r[1]) ~= "number" or type(r[2]) ~= "number"
     or not (r[1] < r[2]) then
    fail("MinMaxScaler: feature_range must be {min, max} with min < max, got %s",
         describe(e.feature_range))
  end
  check_bool(e, "clip")
end
function ml.MinMaxScaler(o) return new_estimator(MinMax, o) end

function MinMax:fit(X)
  local what = "MinMaxScaler.fit"
  X = fit_x(X, what)
  local r = self.feature_range or {0, 1}
  local lo, hi = X:min(1), X:max(1)
  local range = hi - lo
  self.data_min_, self.data_max_, self.data_range_ = lo, hi, range
  self.scale_ = (r[2] - r[1]) / (range + range:eq(0))  -- constant: scale 1
  self.min_ = r[1] - lo * self.scale_
  self.n_samples_seen_, self.n_features_in_ = X:shape()[1], X:shape()[2]
  self.model_ = true
  return self
end

function MinMax:transform(X)
  X = predict_x(self, X, "transform")
  local out = X * self.scale_ + self.min_
  if self.clip then
    local r = self.feature_range or {0, 1}
    out = out:clamp(r[1], r[2])
  end
  return out
end

function MinMax:inverse_transform(X)
  X = predict_x(self, X, "inverse_transform")
  return (X - self.min_) / self.scale_
end
function MinMax:fit_transform(X) return self:fit(X):transform(X) end

local function normalize_rows(X, norm)
  local n
  if norm == "l2" then n = X:square():sum(2, true):sqrt()
  elseif norm == "l1" then n = X:abs():sum(2, true)
  else n = X:abs():max(2, true) end
  return X / (n + n:eq(0))
end

function ml.normalize(X, opts)
  local what = "ml.normalize"
  local o = U.check_options(opts, {"norm", "axis"}, what)
  local norm, axis = o.norm or "l2", o.axis or 1
  if norm ~= "l1" and norm ~= "l2" and norm ~= "max" then
    fail("%s: norm must be 'l1', 'l2' or 'max', got %s", what, describe(norm))
  end
  if axis ~= 0 and axis ~= 1 then
    fail("%s: axis must be 1 (each sample, scikit-learn's default) or 0 " ..
         "(each feature), got %s", what, describe(axis))
  end
  X = fit_x(X, what)
  if axis == 0 then return normalize_rows(X:transpose(1, 2), norm):transpose(1, 2):contiguous() end
  return normalize_rows(X, norm)
end

local Normalizer = estimator_class("Normalizer", {norm = "l2"}, {"norm", "copy"})
function Normalizer.check(e) check_choice(e, "norm", {"l2", "l1", "max"}) end
function ml.Normalizer(o) return new_estimator(Normalizer, o) end
function Normalizer:fit(X)
  X = fit_x(X, "Normalizer.fit")
  self.n_features_in_, self.model_ = X:shape()[2], true
  return self
end
function Normalizer:transform(X)
  return normalize_rows(predict_x(self, X, "transform"), self.norm)
end
function Normalizer:fit_transform(X) return self:fit(X):transform(X) end

-- ---- Pipeline ---------------------------------------------------------------------------------

local Pipeline = {name = "Pipeline"}
Pipeline.__index = Pipeline

local function is_pipeline(v) return getmetatable(v) == Pipeline end

local function step_clone(s, what)
  if type(s.clone) ~= "function" then
    fail("%s: step %s cannot be cloned (it has no clone method)", what, tostring(s))
  end
  return s:clone()
end

function ml.Pipeline(steps, opts)
  local what = "ml.Pipeline"
  U.check_options(opts, {"memory", "verbose"}, what)
  if type(steps) ~= "table" or #steps == 0 then
    fail("%s: expected a list of {name, estimator} steps, got %s", what, describe(steps))
  end
  local p = setmetatable({steps = {}, named_steps = {}}, Pipeline)
  for i, s in ipairs(steps) do
    if type(s) ~= "table" or type(s[1]) ~= "string" or type(s[2]) ~= "table" then
      fail("%s: step %d must be {name, estimator}, got %s", what, i, describe(s))
    end
    local name, est = s[1], s[2]
    if p.named_steps[name] then fail("%s: step name '%s' is used twice", what, name) end
    if name:find("__", 1, true) then
      fail("%s: step name '%s' must not contain '__'", what, name)
    end
    if i < #steps and type(est.transform) ~= "function" then
      fail("%s: step %d ('%s') must be a transformer (with fit and transform)",
           what, i, name)
    end
    p.steps[i] = {name, est}
    p.named_steps[name] = est
  end
  p._estimator_type = steps[#steps][2]._estimator_type
  return p
end

function ml.make_pipeline(...)
  local steps, count = {}, {}
  for i, est in ipairs {...} do
    local mt = type(est) == "table" and getmetatable(est)
    local base = (mt and mt.name) or (mt == getmetatable(ml.StandardScaler())
                                      and "StandardScaler") or "step"
    local name = base:lower()
    count[name] = (count[name] or 0) + 1
    steps[i] = {name, est}
  end
  -- repeated types get -1, -2, ... as in scikit-learn
  local seen = {}
  for _, s in ipairs(steps) do
    if count[s[1]] > 1 then
      seen[s[1]] = (seen[s[1]] or 0) + 1
      s[1] = s[1] .. "-" .. seen[s[1]]
    end
  end
  return ml.Pipeline(steps)
end

-- X through every step but the last
local function through(self, X, fitting, y)
  for i = 1, #self.steps - 1 do
    local s = self.steps[i][2]
    if fitting then
      X = type(s.fit_transform) == "function" and s:fit_transform(X, y)
          or s:fit(X, y):transform(X)
    else
      X = s:transform(X)
    end
  end
  return X
end

local function last(self) return self.steps[#self.steps][2] end

function Pipeline:fit(X, y)
  last(self):fit(through(self, X, true, y), y)
  return self
end

for _, m in ipairs {"predict", "predict_proba", "decision_function",
                    "predict_log_proba"} do
  Pipeline[m] = function(self, X)
    local e = last(self)
    if type(e[m]) ~= "function" then
      fail("Pipeline.%s: the last step has no %s", m, m)
    end
    return e[m](e, through(self, X))
  end
end

function Pipeline:score(X, y)
  return last(self):score(through(self, X), y)
end

function Pipeline:transform(X)
  local e = last(self)
  return e:transform(through(self, X))
end

function Pipeline:fit_transform(X, y)
  local Xt = through(self, X, true, y)
  local e = last(self)
  if type(e.fit_transform) == "function" then return e:fit_transform(Xt, y) end
  return e:fit(Xt, y):transform(Xt)
end

function Pipeline:get_params()
  local p = {}
  for _, s in ipairs(self.steps) do
    if type(s[2].get_params) == "function" then
      for k, v in pairs(s[2]:get_params()) do p[s[1] .. "__" .. k] = v end
    end
  end
  return p
end

function Pipeline:set_params(params)
  if type(params) ~= "table" then
    fail("Pipeline.set_params: expected a table, got %s", describe(params))
  end
  local by = {}
  for k, v in pairs(params) do
    local step, key = tostring(k):match("^(.-)__(.+)$")
    if not step or not self.named_steps[step] then
      local names = {}
      for _, s in ipairs(self.steps) do names[#names + 1] = s[1] end
      fail("Pipeline.set_params: '%s' must be step__parameter with a step of " ..
           "%s", tostring(k), table.concat(names, ", "))
    end
    by[step] = by[step] or {}
    by[step][key] = v
  end
  for step, ps in pairs(by) do self.named_steps[step]:set_params(ps) end
  return self
end

function Pipeline:clone()
  local steps = {}
  for i, s in ipairs(self.steps) do steps[i] = {s[1], step_clone(s[2], "Pipeline.clone")} end
  return ml.Pipeline(steps)
end

function Pipeline:__tostring()
  local parts = {}
  for _, s in ipairs(self.steps) do parts[#parts + 1] = s[1] .. "=" .. tostring(s[2]) end
  return "Pipeline(" .. table.concat(parts, ", ") .. ")"
end

for _, c in ipairs {LinearRegression, Ridge, Lasso, ElasticNet, SGDRegressor} do
  c._estimator_type = "regressor"
end
-- Estimator:save writes libsvm / liblinear files; these models have none
local function no_save(self)
  fail("%s.save: only SVC and LinearSVC have a model file; keep the fitted " ..
       "attributes (coef_, intercept_ ...) with tensor.save instead", self.name)
end
for _, c in ipairs {LinearRegression, Ridge, Lasso, ElasticNet, SGDRegressor,
                    SGDClassifier, Perceptron, LogisticRegression, Poly, MinMax,
                    Normalizer} do
  c.save = no_save
end
for _, c in ipairs {LinearRegression, Ridge, Lasso, ElasticNet, SGDRegressor,
                    SGDClassifier, Perceptron, LogisticRegression, Poly, MinMax,
                    Normalizer} do
  U.dot_guard(c, S.is_estimator, "model", {check = true})
end
U.dot_guard(Pipeline, is_pipeline, "pipe")

ml.entropy = ml.metrics.entropy
ml.impurity = ml.metrics.impurity
ml.information_gain = ml.metrics.information_gain

S.linear = {predict_x = predict_x, fit_x = fit_x, targets = targets,
              encode = encode, class_tensor = class_tensor, r2 = r2,
              no_save = no_save}
end
