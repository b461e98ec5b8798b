-- ml_ensemble.lua - tree ensembles and voting with scikit-learn 1.2's
-- names, defaults and fitted attributes. The trees are grown in C
-- (runtime/ml/forest.c, boost.c through ml_tree.core) with scikit-learn's
-- own random draws, so a fixed random_state gives its forests.
--
--   ml.RandomForestClassifier{n_estimators=100, criterion='gini',
--          max_features='sqrt', bootstrap=true, oob_score=false,
--          n_jobs=nil, random_state=, max_samples=, + the tree options}
--   ml.RandomForestRegressor{criterion='squared_error', max_features=1.0, ...}
--   ml.ExtraTreesClassifier{... bootstrap=false} (random thresholds)
--   ml.ExtraTreesRegressor{...}
--       fitted: estimators_ (DecisionTree* objects), classes_,
--       n_classes_, feature_importances_, oob_score_,
--       oob_decision_function_ / oob_prediction_
--   ml.BaggingClassifier{estimator=nil (a DecisionTreeClassifier),
--          n_estimators=10, max_samples=1.0, bootstrap=true,
--          oob_score=false, n_jobs=, random_state=}
--   ml.AdaBoostClassifier{estimator=nil (a depth-1 tree),
--          n_estimators=50, learning_rate=1.0,
--          algorithm='SAMME.R'|'SAMME', random_state=}
--       estimator_weights_, estimator_errors_, decision_function
--   ml.GradientBoostingClassifier{loss='log_loss', learning_rate=0.1,
--          n_estimators=100, subsample=1.0, criterion='friedman_mse',
--          max_depth=3, ...}  ml.GradientBoostingRegressor{loss=
--          'squared_error', ...}: estimators_ (stages of trees),
--          train_score_, decision_function, predict_proba
--   ml.VotingClassifier{estimators={{"name", est}, ...},
--          voting='hard'|'soft', weights=}
-- n_jobs: trees grown at once on the workbook's thread pool (nil: 1,
-- -1: all its threads); the trees do not depend on it.
local T = require "tensor"
local K = require "ml_tree.core"
local fail = require "script_error"
local U = require "ml_util"
local TR = require "ml_tree"
local call, describe, is_int, as_matrix = U.call, U.describe, U.is_int, U.as_matrix
local seed_of = U.seed_of

local M = {}

local FOREST_TREE_OPTS = {"criterion", "max_depth", "min_samples_split",
                          "min_samples_leaf", "min_weight_fraction_leaf",
                          "max_features", "max_leaf_nodes",
                          "min_impurity_decrease"}

-- nil: one thread, as scikit-learn's n_jobs=None; -1: the whole pool
local function threads_for(n_jobs)
  return n_jobs == nil and 1 or math.tointeger(n_jobs)
end

-- estimators_ entries: tree estimator objects around fitted core trees
local function wrap_trees(cls, params, trees, d, classes)
  local list = {}
  for i, t in ipairs(trees) do
    local e = setmetatable({}, cls)
    for k, v in pairs(cls.defaults) do e[k] = v end
    for k, v in pairs(params) do e[k] = v end
    TR.tree_fitted(e, t, d)
    if classes then e.classes_, e.n_classes_ = classes, #classes end
    list[i] = e
  end
  return list
end

-- scikit-learn's forest importances: the mean of the trees' normalised
-- importances (trees with a split), normalised again
local function mean_importances(trees, d, weights)
  local acc, used, total = {}, 0, 0
  for j = 1, d do acc[j] = 0 end
  for i, t in ipairs(trees) do
    if t:info().node_count > 1 or weights then
      local w = weights and weights[i] or 1
      local imp = t:importances()
      for j = 1, d do acc[j] = acc[j] + w * imp[j] end
      used = used + w
    end
  end
  if used == 0 then return T.zeros(d) end
  for j = 1, d do acc[j] = acc[j] / used; total = total + acc[j] end
  if not weights and total > 0 then for j = 1, d do acc[j] = acc[j] / total end end
  return T(acc)
end

local function argmax_rows(v)
  local rows = v:totable()
  local best = {}
  for i, r in ipairs(rows) do
    local b = 1
    for k = 2, #r do if r[k] > r[b] then b = k end end
    best[i] = b - 1
  end
  return T(best)
end

-- obj.fit(X, y) instead of obj:fit(X, y) says so
function M.guard(cls)
  U.dot_guard(cls, function(v) return getmetatable(v) == cls end, "clf", {check = true})
end

function M.install(ml, base)
  local DTC, DTR = TR.DTC, TR.DTR

  -- ---- forests -----------------------------------------------------------------

  local function forest_class(name, classifier, defaults)
    local order = {"n_estimators"}
    for _, k in ipairs(FOREST_TREE_OPTS) do order[#order + 1] = k end
    for _, k in ipairs {"bootstrap", "oob_score", "n_jobs", "random_state",
                        "verbose", "warm_start", "class_weight", "ccp_alpha",
                        "max_samples"} do
      order[#order + 1] = k
    end
    local d = {n_estimators = 100, min_samples_split = 2, min_samples_leaf = 1,
               min_weight_fraction_leaf = 0.0, min_impurity_decrease = 0.0,
               bootstrap = true, oob_score = false, verbose = 0,
               warm_start = false, ccp_alpha = 0.0}
    for k, v in pairs(defaults) do d[k] = v end
    local cls = base.class(name, d, order)
    cls.classifier = classifier
    function cls.check(e)
      if not is_int(e.n_estimators) or e.n_estimators < 1 then
        fail("%s: n_estimators must be an integer >= 1, got %s", e.name,
             describe(e.n_estimators))
      end
      base.choice(e, "criterion", classifier and {"gini", "entropy", "log_loss"}
                  or {"squared_error", "friedman_mse"})
      TR.check_tree_params(e, base)
      base.bool(e, "bootstrap")
      base.bool(e, "oob_score")
      if e.oob_score and not e.bootstrap then
        fail("%s: out-of-bag estimation is only available if bootstrap=true", e.name)
      end
      if e.n_jobs ~= nil and (not is_int(e.n_jobs) or e.n_jobs == 0) then
        fail("%s: n_jobs must be nil, -1 or a positive integer, got %s", e.name,
             describe(e.n_jobs))
      end
      if e.warm_start then fail("%s: warm_start is not supported by the workbook", e.name) end
      local ms = e.max_samples
      if ms ~= nil and not ((is_int(ms) and ms >= 1) or
                            (math.type(ms) == "float" and ms > 0 and ms <= 1)) then
        fail("%s: max_samples must be nil, a count >= 1 or a fraction in (0, 1], got %s",
             e.name, describe(ms))
      end
    end
    return cls
  end

  local function forest_fit(self, X, y, scheme, tree_params)
    local what = self.name .. ".fit"
    local n, d, o, yy
    X, n, d, o, yy = TR.fit_input(self, X, y, what)
    local ms = self.max_samples
    if ms == nil then ms = n
    elseif math.type(ms) == "float" then
      ms = scheme == "bagging" and math.floor(ms * n) or math.max(1, math.floor(n * ms + 0.5))
    end
    if ms > n and scheme ~= "bagging" then
      fail("%s: max_samples=%d is larger than the number of samples %d", what, ms, n)
    end
    o.max_samples = math.tointeger(ms)
    o.splitter = self.splitter_kind or "best"
    o.n_estimators = math.tointeger(self.n_estimators)
    o.bootstrap = self.bootstrap
    o.scheme = scheme
    o.n_jobs = threads_for(self.n_jobs)
    o.oob = self.oob_score
    o.random_state = math.tointeger(seed_of(self.random_state))
    local trees, oob, oob_best = call(what, K.forest, X, yy, o)
    self.model_ = trees
    self.n_features_in_, self.n_outputs_ = d, 1
    local params = {}
    for k, v in pairs(tree_params) do params[k] = v end
    self.estimators_ = wrap_trees(self.classifier and DTC or DTR, params, trees, d,
                                  self.classes_)
    self.feature_importances_ = mean_importances(trees, d)
    if self.oob_score then
      if self.classifier then
        self.oob_decision_function_ = oob
        local hit = 0
        for i = 1, n do if oob_best[i] == yy[i] then hit = hit + 1 end end
        self.oob_score_ = hit / n
      else
        self.oob_prediction_ = oob:reshape(n)
        self.oob_score_ = TR.r2(yy, oob_best, what)
      end
    end
    return self
  end

  local function forest_output(self, X, what)
    self:check_fitted(what)
    return call(self.name .. "." .. what, K.combine, self.model_,
                as_matrix(X, self.name .. "." .. what), {mode = "mean"})
  end

  local function add_forest_methods(cls)
    if cls.classifier then
      function cls:predict_proba(X) return (forest_output(self, X, "predict_proba")) end
      function cls:predict(X)
        local _, best = forest_output(self, X, "predict")
        return TR.take_classes(self.classes_, best)
      end
    else
      function cls:predict(X)
        local v = forest_output(self, X, "predict")
        return v:reshape(v:shape()[1])
      end
      function cls:score(X, y) return TR.r2(y, self:predict(X), self.name .. ".score") end
    end
  end

  local function tree_params_of(e, splitter)
    local p = {}
    for _, k in ipairs(FOREST_TREE_OPTS) do p[k] = e[k] end
    p.splitter = splitter
    return p
  end

  local function make_forest(name, classifier, splitter, defaults)
    local cls = forest_class(name, classifier, defaults)
    cls.splitter_kind = splitter
    function cls:fit(X, y)
      return forest_fit(self, X, y, "forest", tree_params_of(self, splitter))
    end
    add_forest_methods(cls)
    M.guard(cls)
    ml[name] = function(opts) return base.new(cls, opts) end
    return cls
  end

  make_forest("RandomForestClassifier", true, "best",
              {criterion = "gini", max_features = "sqrt"})
  make_forest("RandomForestRegressor", false, "best",
              {criterion = "squared_error", max_features = 1.0})
  make_forest("ExtraTreesClassifier", true, "random",
              {criterion = "gini", max_features = "sqrt", bootstrap = false})
  make_forest("ExtraTreesRegressor", false, "random",
              {criterion = "squared_error", max_features = 1.0, bootstrap = false})

  -- ---- bagging -------------------------------------------------------------------

  local Bag = base.class("BaggingClassifier", {
    n_estimators = 10, max_samples = 1.0, max_features = 1.0, bootstrap = true,
    bootstrap_features = false, oob_score = false, warm_start = false, verbose = 0,
  }, {"estimator", "n_estimators", "max_samples", "max_features", "bootstrap",
      "bootstrap_features", "oob_score", "warm_start", "n_jobs", "random_state",
      "verbose"})
  Bag.classifier = true

  function Bag.check(e)
    if e.estimator ~= nil and getmetatable(e.estimator) ~= DTC then
      fail("BaggingClassifier: estimator must be nil or an ml.DecisionTreeClassifier " ..
           "(the workbook bags trees), got %s", describe(e.estimator))
    end
    if not is_int(e.n_estimators) or e.n_estimators < 1 then
      fail("BaggingClassifier: n_estimators must be an integer >= 1, got %s",
           describe(e.n_estimators))
    end
    local ms = e.max_samples
    if not ((is_int(ms) and ms >= 1) or (math.type(ms) == "float" and ms > 0 and ms <= 1)) then
      fail("BaggingClassifier: max_samples must be a count >= 1 or a fraction in (0, 1], got %s",
           describe(ms))
    end
    if e.max_features ~= 1.0 then
      fail("BaggingClassifier: max_features must be 1.0 (every feature); the workbook " ..
           "does not draw feature subsets, got %s", describe(e.max_features))
    end
    if e.bootstrap_features then
      fail("BaggingClassifier: bootstrap_features is not supported by the workbook")
    end
    base.bool(e, "bootstrap")
    base.bool(e, "oob_score")
    if e.oob_score and not e.bootstrap then
      fail("BaggingClassifier: out-of-bag estimation is only available if bootstrap=true")
    end
    if e.warm_start then fail("BaggingClassifier: warm_start is not supported by the workbook") end
    base.random_state(e)
  end

  function Bag:fit(X, y)
    local tree = self.estimator or ml.DecisionTreeClassifier()
    -- the tree's own options; the bagging ones on top
    local view = setmetatable({}, {__index = tree})
    view.name, view.classifier = self.name, true
    view.max_samples, view.n_estimators = self.max_samples, self.n_estimators
    view.bootstrap, view.oob_score, view.n_jobs = self.bootstrap, self.oob_score, self.n_jobs
    view.random_state = self.random_state
    view.splitter_kind = tree.splitter
    view.check_fitted = function() end
    local p = tree:get_params()
    forest_fit(view, X, y, "bagging", p)
    for _, k in ipairs {"model_", "n_features_in_", "n_outputs_", "classes_",
                        "n_classes_", "estimators_", "oob_score_",
                        "oob_decision_function_"} do
      self[k] = rawget(view, k)
    end
    return self
  end
  add_forest_methods(Bag)
  function ml.BaggingClassifier(opts) return base.new(Bag, opts) end

  -- ---- AdaBoost --------------------------------------------------------------------

  local Ada = base.class("AdaBoostClassifier", {
    n_estimators = 50, learning_rate = 1.0, algorithm = "SAMME.R",
  }, {"estimator", "n_estimators", "learning_rate", "algorithm", "random_state"})

  function Ada.check(e)
    if e.estimator ~= nil and getmetatable(e.estimator) ~= DTC then
      fail("AdaBoostClassifier: estimator must be nil or an ml.DecisionTreeClassifier, got %s",
           describe(e.estimator))
    end
    if not is_int(e.n_estimators) or e.n_estimators < 1 then
      fail("AdaBoostClassifier: n_estimators must be an integer >= 1, got %s",
           describe(e.n_estimators))
    end
    base.number(e, "learning_rate", 0, true)
    base.choice(e, "algorithm", {"SAMME.R", "SAMME"})
    base.random_state(e)
  end

  function Ada:fit(X, y)
    local what = "AdaBoostClassifier.fit"
    X = as_matrix(X, what)
    local n, d = X:shape()[1], X:shape()[2]
    local tree = self.estimator or ml.DecisionTreeClassifier{max_depth = 1}
    local crit = tree.criterion == "log_loss" and "entropy" or tree.criterion
    local o = TR.core_options(tree, n, d, true, crit)
    local yy
    self.classes_, yy = TR.encode_classes(y, what, n)
    self.n_classes_ = #self.classes_
    o.n_classes = #self.classes_
    o.n_estimators = math.tointeger(self.n_estimators)
    o.learning_rate = self.learning_rate + 0.0
    o.algorithm = self.algorithm
    o.random_state = math.tointeger(seed_of(self.random_state))
    local trees, weights, errors = call(what, K.adaboost, X, yy, o)
    self.model_ = trees
    self.n_features_in_ = d
    self.estimator_weights_, self.estimator_errors_ = T(weights), T(errors)
    self._weights = {}
    for i = 1, #trees do self._weights[i] = weights[i] end
    self.estimators_ = wrap_trees(DTC, tree:get_params(), trees, d, self.classes_)
    -- scikit-learn: the estimator-weighted mean of the trees' importances
    self.feature_importances_ = mean_importances(trees, d, self._weights)
    return self
  end

  function Ada:decision_function(X)
    local what = "AdaBoostClassifier.decision_function"
    self:check_fitted("decision_function")
    local mode = self.algorithm == "SAMME.R" and "samme_r" or "samme"
    local v = call(what, K.combine, self.model_, as_matrix(X, what),
                   {mode = mode, weights = self._weights})
    if self.n_classes_ == 2 then
      return v:select(2, 2) - v:select(2, 1)
    end
    return v
  end

  function Ada:predict(X)
    local dec = self:decision_function(X)
    if self.n_classes_ == 2 then
      local out = {}
      for i, v in ipairs(dec:totable()) do
        out[i] = self.classes_[v > 0 and 2 or 1]
      end
      return T(out)
    end
    return TR.take_classes(self.classes_, argmax_rows(dec))
  end

  local function softmax_rows(v)
    local m = v:max(2, true)
    local e = (v - m):exp()
    return e / e:sum(2, true)
  end

  function Ada:predict_proba(X)
    local dec = self:decision_function(X)
    if self.n_classes_ == 2 then
      local n = dec:shape()[1]
      local two = T.zeros(n, 2)
      two:select(2, 1):copy(-dec / 2)
      two:select(2, 2):copy(dec / 2)
      return softmax_rows(two)
    end
    return softmax_rows(dec / (self.n_classes_ - 1))
  end
  function ml.AdaBoostClassifier(opts) return base.new(Ada, opts) end

  -- ---- gradient boosting -------------------------------------------------------------

  local GB_ORDER = {"loss", "learning_rate", "n_estimators", "subsample", "criterion",
                    "min_samples_split", "min_samples_leaf", "min_weight_fraction_leaf",
                    "max_depth", "min_impurity_decrease", "init", "random_state",
                    "max_features", "alpha", "verbose", "max_leaf_nodes", "warm_start",
                    "validation_fraction", "n_iter_no_change", "tol", "ccp_alpha"}

  local function gb_class(name, classifier)
    local cls = base.class(name, {
      loss = classifier and "log_loss" or "squared_error", learning_rate = 0.1,
      n_estimators = 100, subsample = 1.0, criterion = "friedman_mse",
      min_samples_split = 2, min_samples_leaf = 1, min_weight_fraction_leaf = 0.0,
      max_depth = 3, min_impurity_decrease = 0.0, verbose = 0, warm_start = false,
      validation_fraction = 0.1, tol = 1e-4, ccp_alpha = 0.0,
      alpha = (not classifier) and 0.9 or nil,
    }, GB_ORDER)
    cls.classifier = classifier
    function cls.check(e)
      base.choice(e, "loss", classifier and {"log_loss"} or {"squared_error"})
      base.number(e, "learning_rate", 0, true)
      if not is_int(e.n_estimators) or e.n_estimators < 1 then
        fail("%s: n_estimators must be an integer >= 1, got %s", e.name,
             describe(e.n_estimators))
      end
      if e.subsample ~= 1.0 then
        fail("%s: subsample must be 1.0; the workbook does not subsample " ..
             "(stochastic gradient boosting), got %s", e.name, describe(e.subsample))
      end
      base.choice(e, "criterion", {"friedman_mse", "squared_error"})
      for _, k in ipairs {"init", "n_iter_no_change"} do
        if e[k] ~= nil then fail("%s: %s is not supported by the workbook", e.name, k) end
      end
      if e.warm_start then fail("%s: warm_start is not supported by the workbook", e.name) end
      TR.check_tree_params(e, base)
    end
    return cls
  end

  local GBC = gb_class("GradientBoostingClassifier", true)
  local GBR = gb_class("GradientBoostingRegressor", false)

  local function gb_fit(self, X, y)
    local what = self.name .. ".fit"
    X = as_matrix(X, what)
    local n, d = X:shape()[1], X:shape()[2]
    local o = TR.core_options(self, n, d, false, self.criterion)
    local yy
    if self.classifier then
      self.classes_, yy = TR.encode_classes(y, what, n)
      self.n_classes_ = #self.classes_
      o.n_classes = #self.classes_
      o.loss = "log_loss"
    else
      yy = TR.targets(y, what, n)
      o.n_classes = 0
      o.loss = "squared_error"
    end
    o.n_estimators = math.tointeger(self.n_estimators)
    o.learning_rate = self.learning_rate + 0.0
    o.random_state = math.tointeger(seed_of(self.random_state))
    local trees, init, train = call(what, K.gboost, X, yy, o)
    local R = #init
    self.model_, self._init, self._R = trees, init, R
    self.n_features_in_, self.n_estimators_ = d, math.tointeger(self.n_estimators)
    self.train_score_ = T(train)
    local params = {criterion = self.criterion, max_depth = self.max_depth,
                    min_samples_split = self.min_samples_split,
                    min_samples_leaf = self.min_samples_leaf,
                    min_weight_fraction_leaf = self.min_weight_fraction_leaf,
                    min_impurity_decrease = self.min_impurity_decrease,
                    max_features = self.max_features}
    local flat = wrap_trees(DTR, params, trees, d)
    local stages = {}
    for s = 1, #flat // R do
      local st = {}
      for r = 1, R do st[r] = flat[(s - 1) * R + r] end
      stages[s] = st
    end
    self.estimators_ = stages
    -- scikit-learn: the mean of the trees' unnormalised importances
    local acc, used = {}, 0
    for j = 1, d do acc[j] = 0 end
    for _, t in ipairs(trees) do
      if t:info().node_count > 1 then
        local imp = t:importances(false)
        for j = 1, d do acc[j] = acc[j] + imp[j] end
        used = used + 1
      end
    end
    local total = 0
    for j = 1, d do acc[j] = used > 0 and acc[j] / used or 0; total = total + acc[j] end
    for j = 1, d do acc[j] = total > 0 and acc[j] / total or 0 end
    self.feature_importances_ = T(acc)
    return self
  end
  GBC.fit, GBR.fit = gb_fit, gb_fit

  local function gb_raw(self, X, what)
    self:check_fitted(what)
    local full = self.name .. "." .. what
    return call(full, K.combine, self.model_, as_matrix(X, full),
                {mode = "raw", init = self._init, R = self._R,
                 learning_rate = self.learning_rate + 0.0})
  end

  function GBC:decision_function(X)
    local v = gb_raw(self, X, "decision_function")
    if self._R == 1 then return v:reshape(v:shape()[1]) end
    return v
  end
  function GBC:predict_proba(X)
    local v = gb_raw(self, X, "predict_proba")
    if self._R == 1 then
      local p = v:sigmoid()
      local n = v:shape()[1]
      local two = T.zeros(n, 2)
      two:select(2, 1):copy((1 - p):reshape(n))
      two:select(2, 2):copy(p:reshape(n))
      return two
    end
    return softmax_rows(v)
  end
  function GBC:predict(X)
    local v, best = gb_raw(self, X, "predict")
    if self._R == 1 then
      local out = {}
      for i, r in ipairs(v:reshape(v:shape()[1]):totable()) do
        out[i] = self.classes_[r > 0 and 2 or 1]
      end
      return T(out)
    end
    return TR.take_classes(self.classes_, best)
  end
  function GBR:predict(X)
    local v = gb_raw(self, X, "predict")
    return v:reshape(v:shape()[1])
  end
  function GBR:score(X, y) return TR.r2(y, self:predict(X), self.name .. ".score") end
  function ml.GradientBoostingClassifier(opts) return base.new(GBC, opts) end
  function ml.GradientBoostingRegressor(opts) return base.new(GBR, opts) end

  -- ---- voting ------------------------------------------------------------------------

  local Vote = base.class("VotingClassifier", {voting = "hard", flatten_transform = true,
                                               verbose = false},
                          {"estimators", "voting", "weights", "n_jobs",
                           "flatten_transform", "verbose"})

  function Vote.check(e)
    local list = e.estimators
    if type(list) ~= "table" or #list == 0 then
      fail("VotingClassifier: estimators must be a list of {name, estimator} pairs, got %s",
           describe(list))
    end
    local seen = {}
    for i, p in ipairs(list) do
      if type(p) ~= "table" or type(p[1]) ~= "string" or type(p[2]) ~= "table"
         or type(p[2].fit) ~= "function" then
        fail("VotingClassifier: estimators[%d] must be {name, estimator}, got %s", i,
             describe(p))
      end
      if seen[p[1]] then fail("VotingClassifier: the name '%s' is used twice", p[1]) end
      seen[p[1]] = true
    end
    base.choice(e, "voting", {"hard", "soft"})
    if e.weights ~= nil then
      if type(e.weights) ~= "table" or #e.weights ~= #list then
        fail("VotingClassifier: weights must be a list of %d numbers, got %s", #list,
             describe(e.weights))
      end
      for i, w in ipairs(e.weights) do
        if type(w) ~= "number" then
          fail("VotingClassifier: weights[%d] must be a number, got %s", i, describe(w))
        end
      end
    end
  end

  function Vote:fit(X, y)
    local what = "VotingClassifier.fit"
    X = as_matrix(X, what)
    local n = X:shape()[1]
    self.classes_ = TR.encode_classes(y, what, n)
    self.estimators_, self.named_estimators_ = {}, {}
    for i, p in ipairs(self.estimators) do
      local est = p[2]
      if type(est.clone) == "function" then est = est:clone() end
      if self.voting == "soft" and type(est.predict_proba) ~= "function" then
        fail("%s: estimator '%s' has no predict_proba; soft voting needs it", what, p[1])
      end
      est:fit(X, y)
      self.estimators_[i] = est
      self.named_estimators_[p[1]] = est
    end
    self.model_ = true
    self.n_features_in_ = X:shape()[2]
    return self
  end

  local function weight(self, i) return self.weights and self.weights[i] or 1 end

  function Vote:predict_proba(X)
    local what = "VotingClassifier.predict_proba"
    self:check_fitted("predict_proba")
    if self.voting ~= "soft" then
      fail("%s: predict_proba is not available when voting='hard'", what)
    end
    local acc, total = nil, 0
    for i, est in ipairs(self.estimators_) do
      local p = est:predict_proba(X) * weight(self, i)
      acc = acc and acc + p or p
      total = total + weight(self, i)
    end
    return acc / total
  end

  function Vote:predict(X)
    self:check_fitted("predict")
    if self.voting == "soft" then
      return TR.take_classes(self.classes_, argmax_rows(self:predict_proba(X)))
    end
    local at = {}
    for i, c in ipairs(self.classes_) do at[c] = i end
    local votes
    for i, est in ipairs(self.estimators_) do
      local pred = U.number_list(est:predict(X), "VotingClassifier.predict")
      votes = votes or {}
      for r, c in ipairs(pred) do
        votes[r] = votes[r] or {}
        local k = at[c]
        votes[r][k] = (votes[r][k] or 0) + weight(self, i)
      end
    end
    local out = {}
    for r, v in ipairs(votes) do
      local best = nil
      for k = 1, #self.classes_ do
        if v[k] and (best == nil or v[k] > v[best]) then best = k end
      end
      out[r] = self.classes_[best]
    end
    return T(out)
  end

  function Vote:transform(X)
    self:check_fitted("transform")
    if self.voting == "soft" then
      local parts = {}
      for i, est in ipairs(self.estimators_) do parts[i] = est:predict_proba(X) end
      return T.concat(parts, 2)
    end
    local cols = {}
    for i, est in ipairs(self.estimators_) do
      cols[i] = est:predict(X):reshape(U.n_rows(X), 1)
    end
    return T.concat(cols, 2)
  end
  function ml.VotingClassifier(opts) return base.new(Vote, opts) end

  for _, cls in ipairs {Bag, Ada, GBC, GBR, Vote} do M.guard(cls) end
end

return M
