-- ml_select.lua - model selection with scikit-learn's names and
-- algorithms: train_test_split (stratified too), KFold and
-- StratifiedKFold, cross_val_score, GridSearchCV, learning_curve. The ml module
-- re-exports all of it; estimators are anything with fit / predict
-- (and clone / set_params / score when they have them).
local T = require "tensor"
local fail = require "script_error"
local U = require "ml_util"
local metrics = require "ml_metrics"
local call, describe, is_int, as_tensor, n_rows, label_list, take =
  U.call, U.describe, U.is_int, U.as_tensor, U.n_rows, U.label_list, U.take
local sorted_unique, check_options, reseed, permutation, fmt_value =
  U.sorted_unique, U.check_options, U.reseed, U.permutation, U.fmt_value

local M = {}

-- ---- splitting -----------------------------------------------------------------

-- scikit-learn's _approximate_mode: split n_draws over the classes in
-- proportion to counts, the remainders going to the largest fractional
-- parts (ties broken at random)
local function approximate_mode(counts, n_draws)
  local total = 0
  for _, c in ipairs(counts) do total = total + c end
  local floored, rem, need = {}, {}, n_draws
  for i, c in ipairs(counts) do
    local x = c / total * n_draws
    floored[i] = math.floor(x)
    rem[i] = x - floored[i]
    need = need - floored[i]
  end
  local values = sorted_unique(rem)
  for v = #values, 1, -1 do
    if need <= 0 then break end
    local inds = {}
    for i, r in ipairs(rem) do if r == values[v] then inds[#inds + 1] = i end end
    local p = permutation(#inds)
    for j = 1, math.min(#inds, need) do floored[inds[p[j]]] = floored[inds[p[j]]] + 1 end
    need = need - math.min(#inds, need)
  end
  return floored
end

-- classes ascending, and each class's positions (ascending)
local function class_positions(labels)
  local classes = sorted_unique(labels)
  local at, pos = {}, {}
  for i, c in ipairs(classes) do at[c] = i; pos[i] = {} end
  for i, l in ipairs(labels) do local p = pos[at[l]]; p[#p + 1] = i end
  return classes, pos
end

local function stratified_split(labels, n_train, n_test, what)
  local classes, pos = class_positions(labels)
  local counts = {}
  for i, p in ipairs(pos) do
    counts[i] = #p
    if #p < 2 then
      fail("%s: class %s has only 1 member, too few to stratify (each class needs 2)",
           what, fmt_value(classes[i]))
    end
  end
  if n_train < #classes or n_test < #classes then
    fail("%s: the train and test sets must each hold at least one sample " ..
         "of each of the %d classes (got %d and %d samples)", what, #classes, n_train, n_test)
  end
  local n_i = approximate_mode(counts, n_train)
  local left = {}
  for i, c in ipairs(counts) do left[i] = c - n_i[i] end
  local t_i = approximate_mode(left, n_test)
  local train, test = {}, {}
  for i, p in ipairs(pos) do
    local perm = permutation(#p)
    for j = 1, n_i[i] do train[#train + 1] = p[perm[j]] end
    for j = n_i[i] + 1, n_i[i] + t_i[i] do test[#test + 1] = p[perm[j]] end
  end
  local a, b = permutation(#train), permutation(#test)
  local tr, te = {}, {}
  for i = 1, #train do tr[i] = train[a[i]] end
  for i = 1, #test do te[i] = test[b[i]] end
  return tr, te
end

local function split_size(v, n, name, what)
  if v == nil then return nil end
  if type(v) == "number" and v > 0 and v < 1 then return v end
  if is_int(v) and v >= 1 and v < n then return math.tointeger(v) end
  fail("%s: %s must be a fraction in (0, 1) or a count in 1..%d, got %s", what, name,
       n - 1, describe(v))
end

-- scikit-learn's sizes: a test fraction rounds up, a train fraction down
local function split_sizes(o, n, what)
  local te = split_size(o.test_size, n, "test_size", what)
  local tr = split_size(o.train_size, n, "train_size", what)
  if te == nil and tr == nil then te = 0.25 end
  local n_test = te and (math.type(te) == "integer" and te or math.ceil(te * n))
  local n_train = tr and (math.type(tr) == "integer" and tr or math.floor(tr * n))
  n_test = n_test or n - n_train
  n_train = n_train or n - n_test
  if n_train < 1 or n_test < 1 or n_train + n_test > n then
    fail("%s: %d samples cannot give %d for training and %d for testing",
         what, n, n_train, n_test)
  end
  return n_train, n_test
end

local SPLIT_OPTS = {"test_size", "train_size", "random_state", "shuffle",
                    "stratify"}

function M.train_test_split(X, y, opts)
  local what = "ml.train_test_split"
  X = T.is_tensor(X) and X or as_tensor(X, what)
  local o = check_options(opts, SPLIT_OPTS, what)
  local n = n_rows(X)
  local labels = label_list(y, what, n)
  if n < 2 then fail("%s: need at least 2 samples, got %d", what, n) end
  local n_train, n_test = split_sizes(o, n, what)
  reseed(o.random_state, what)
  local train, test = {}, {}
  if o.shuffle == false then
    if o.stratify then fail("%s: stratify needs shuffle = true", what) end
    for i = 1, n_train do train[i] = i end
    for i = 1, n_test do test[i] = n_train + i end
  elseif o.stratify then
    local strat = o.stratify == true and labels
                  or label_list(o.stratify, what .. " (stratify)", n)
    train, test = stratified_split(strat, n_train, n_test, what)
  else
    local p = permutation(n)
    for i = 1, n_test do test[i] = p[i] end
    for i = 1, n_train do train[i] = p[n_test + i] end
  end
  return take(X, train), take(X, test), take(y, train), take(y, test), train, test
end

-- K-fold splitters -------------------------------------------------------------

local Splitter = {}
Splitter.__index = Splitter

local function new_splitter(kind, opts)
  local what = "ml." .. kind
  local o = check_options(opts, {"n_splits", "shuffle", "random_state"}, what)
  local s = setmetatable({kind = kind, n_splits = o.n_splits or 5,
                          shuffle = o.shuffle or false,
                          random_state = o.random_state}, Splitter)
  if not is_int(s.n_splits) or s.n_splits < 2 then
    fail("%s: n_splits must be an integer >= 2, got %s", what, describe(s.n_splits))
  end
  if type(s.shuffle) ~= "boolean" then
    fail("%s: shuffle must be true or false, got %s", what, describe(s.shuffle))
  end
  if s.random_state ~= nil and not s.shuffle then
    fail("%s: random_state has no effect without shuffle = true", what)
  end
  s.n_splits = math.tointeger(s.n_splits)
  return s
end

function M.StratifiedKFold(opts) return new_splitter("StratifiedKFold", opts) end
function M.KFold(opts) return new_splitter("KFold", opts) end

function Splitter:get_n_splits() return self.n_splits end

-- folds from each sample's fold number (1..k): test ascending, train
-- the rest ascending, as scikit-learn's index arrays
local function folds_from(fold_of, k)
  local folds = {}
  for f = 1, k do folds[f] = {train = {}, test = {}} end
  for i, f in ipairs(fold_of) do
    for g = 1, k do
      local t = g == f and folds[g].test or folds[g].train
      t[#t + 1] = i
    end
  end
  return folds
end

-- scikit-learn's StratifiedKFold._make_test_folds: classes numbered by
-- first appearance, a round-robin allocation over the sorted labels,
-- then each class's samples handed to the folds in blocks, in order
local function stratified_folds(labels, k, shuffle, what)
  local code, first, counts = {}, {}, {}
  for i, l in ipairs(labels) do
    if not first[l] then
      counts[#counts + 1] = 0
      first[l] = #counts
    end
    code[i] = first[l]
    counts[code[i]] = counts[code[i]] + 1
  end
  local fits = false
  for _, c in ipairs(counts) do fits = fits or c >= k end
  if not fits then
    fail("%s: n_splits=%d cannot be greater than the number of members in each class",
         what, k)
  end
  local order = {}
  for c, n in ipairs(counts) do for _ = 1, n do order[#order + 1] = c end end
  local alloc = {}   -- alloc[f][c]: samples of class c in test fold f
  for f = 1, k do
    alloc[f] = {}
    for c = 1, #counts do alloc[f][c] = 0 end
    for i = f, #order, k do alloc[f][order[i]] = alloc[f][order[i]] + 1 end
  end
  local fold_of, next_of = {}, {}
  for c = 1, #counts do
    local list = {}
    for f = 1, k do for _ = 1, alloc[f][c] do list[#list + 1] = f end end
    if shuffle then
      local p, l2 = permutation(#list), {}
      for i = 1, #list do l2[i] = list[p[i]] end
      list = l2
    end
    next_of[c] = {list = list, at = 0}
  end
  for i, c in ipairs(code) do
    local q = next_of[c]
    q.at = q.at + 1
    fold_of[i] = q.list[q.at]
  end
  return folds_from(fold_of, k)
end

-- scikit-learn's KFold: the first n % k folds one larger, in order
local function plain_folds(n, k, shuffle, what)
  if k > n then
    fail("%s: cannot have n_splits=%d greater than the number of samples %d", what, k, n)
  end
  local idx = shuffle and permutation(n) or nil
  local fold_of, at = {}, 0
  for f = 1, k do
    local size = n // k + (f <= n % k and 1 or 0)
    for _ = 1, size do
      at = at + 1
      fold_of[idx and idx[at] or at] = f
    end
  end
  return folds_from(fold_of, k)
end

function Splitter:split(X, y)
  local what = "ml." .. self.kind .. ".split"
  local n = n_rows(X)
  reseed(self.random_state, what)
  if self.kind == "KFold" then return plain_folds(n, self.n_splits, self.shuffle, what) end
  local labels = label_list(y, what, n)
  return stratified_folds(labels, self.n_splits, self.shuffle, what)
end

-- the folds for cv = k | a splitter | a list of {train=, test=}; k
-- folds are stratified unless the estimator is a regressor (as
-- scikit-learn's check_cv)
local function cv_folds(cv, X, y, what, est)
  cv = cv or 5
  if is_int(cv) then
    if cv < 2 then fail("%s: cv must be at least 2, got %s", what, describe(cv)) end
    if type(est) == "table" and est._estimator_type == "regressor" then
      return M.KFold{n_splits = math.tointeger(cv)}:split(X, y)
    end
    return M.StratifiedKFold{n_splits = math.tointeger(cv)}:split(X, y)
  end
  if type(cv) == "table" and type(cv.split) == "function" then return cv:split(X, y) end
  if type(cv) == "table" and #cv > 0 and type(cv[1]) == "table" and cv[1].train then
    return cv
  end
  fail("%s: cv must be a number of folds, a splitter (ml.StratifiedKFold) or " ..
       "a list of {train=, test=}, got %s", what, describe(cv))
end

-- ---- cross-validation ------------------------------------------------------------

local Scores = {}
Scores.__index = Scores

function Scores:mean()
  local s = 0
  for _, v in ipairs(self) do s = s + v end
  return s / #self
end

-- population standard deviation, as NumPy's std()
function Scores:std()
  local m, s = self:mean(), 0
  for _, v in ipairs(self) do s = s + (v - m) ^ 2 end
  return math.sqrt(s / #self)
end

function Scores:__tostring()
  local t = {}
  for i, v in ipairs(self) do t[i] = ("%.4f"):format(v) end
  return "{" .. table.concat(t, ", ") .. "}"
end

local function is_estimator(e)
  return type(e) == "table" and type(e.fit) == "function" and type(e.predict) == "function"
end

-- a fresh, unfitted estimator: factory(params) or a clone; params set
local function make_estimator(base, params, what)
  local e
  if type(base) == "function" then
    e = base(params)
    if not is_estimator(e) then
      fail("%s: the factory must return an estimator (with fit and predict), got %s",
           what, describe(e))
    end
  elseif is_estimator(base) and type(base.clone) == "function" then
    e = base:clone()
  else
    fail("%s: expected an estimator (e.g. ml.SVC{}) or a function returning one, got %s",
         what, describe(base))
  end
  if params and next(params) and type(e.set_params) == "function" then
    e:set_params(params)
  end
  return e
end

local SCORERS = metrics.scorers

local function scorer(scoring, what)
  if scoring == nil then
    return function(e, X, y)
      if type(e.score) == "function" then return e:score(X, y) end
      return metrics.accuracy_score(y, e:predict(X))
    end
  end
  if type(scoring) == "function" then return scoring end
  local s = SCORERS[scoring]
  if not s then
    local names = {}
    for k in pairs(SCORERS) do names[#names + 1] = k end
    table.sort(names)
    fail("%s: unknown scoring '%s' (%s, or a function(estimator, X, y))", what,
         tostring(scoring), table.concat(names, ", "))
  end
  return s
end

local function fold_scores(base, params, X, y, folds, score, what)
  local scores = setmetatable({}, Scores)
  for f, fold in ipairs(folds) do
    local e = make_estimator(base, params, what)
    e:fit(take(X, fold.train), take(y, fold.train))
    scores[f] = score(e, take(X, fold.test), take(y, fold.test))
  end
  return scores
end

local CV_OPTS = {"cv", "scoring"}

-- the checks cross_val_score and learning_curve share: X as a tensor
-- and the folds
local function cv_input(estimator, X, y, cv, what)
  if not (type(estimator) == "function" or is_estimator(estimator)) then
    fail("%s: expected an estimator (e.g. ml.SVC{}) or a function returning one, got %s",
         what, describe(estimator))
  end
  X = as_tensor(X, what)
  label_list(y, what, n_rows(X))
  return X, cv_folds(cv, X, y, what, estimator)
end

function M.cross_val_score(estimator, X, y, opts)
  local what = "ml.cross_val_score"
  local o = check_options(opts, CV_OPTS, what)
  local folds
  X, folds = cv_input(estimator, X, y, o.cv, what)
  return fold_scores(estimator, nil, X, y, folds, scorer(o.scoring, what), what)
end

-- ---- grid search ---------------------------------------------------------------------

-- every combination, as scikit-learn's ParameterGrid: names sorted, the
-- last name varying fastest; a list of grids is searched one by one
local function expand_grid(grid, what)
  if type(grid) ~= "table" then
    fail("%s: the parameter grid must be a table such as {C = {1, 10}}, got %s", what,
         describe(grid))
  end
  local grids = #grid > 0 and grid or {grid}
  local out = {}
  for _, g in ipairs(grids) do
    local names = {}
    for k, v in pairs(g) do
      if type(k) ~= "string" then fail("%s: parameter names must be strings", what) end
      if type(v) ~= "table" or #v == 0 then
        fail("%s: parameter '%s' needs a non-empty list of values, got %s", what, k,
             describe(v))
      end
      names[#names + 1] = k
    end
    table.sort(names)
    local function rec(i, cur)
      if i > #names then
        local p = {}
        for k, v in pairs(cur) do p[k] = v end
        out[#out + 1] = p
        return
      end
      for _, v in ipairs(g[names[i]]) do
        cur[names[i]] = v
        rec(i + 1, cur)
      end
      cur[names[i]] = nil
    end
    rec(1, {})
  end
  return out
end

local Grid = {}
Grid.__index = Grid

function M.GridSearchCV(estimator, param_grid, opts)
  local what = "ml.GridSearchCV"
  local o = check_options(opts, {cv = "any", scoring = "any", refit = "boolean"},
                          what)
  if not (type(estimator) == "function" or is_estimator(estimator)) then
    fail("%s: expected an estimator (e.g. ml.SVC{}) or a function returning one, got %s",
         what, describe(estimator))
  end
  local g = setmetatable({estimator = estimator, candidates = expand_grid(param_grid, what),
                          cv = o.cv, scoring = o.scoring, refit = o.refit ~= false}, Grid)
  scorer(g.scoring, what)
  return g
end

local function ranks(means)
  local r = {}
  for i, m in ipairs(means) do
    local k = 1
    for _, m2 in ipairs(means) do if m2 > m then k = k + 1 end end
    r[i] = k
  end
  return r
end

function Grid:fit(X, y)
  local what = "GridSearchCV.fit"
  X = as_tensor(X, what)
  label_list(y, what, n_rows(X))
  local folds = cv_folds(self.cv, X, y, what, self.estimator)
  local score = scorer(self.scoring, what)
  local res = {params = {}, mean_test_score = {}, std_test_score = {}}
  for f = 1, #folds do res["split" .. (f - 1) .. "_test_score"] = {} end
  for i, p in ipairs(self.candidates) do
    local s = fold_scores(self.estimator, p, X, y, folds, score, what)
    res.params[i], res.mean_test_score[i], res.std_test_score[i] = p, s:mean(), s:std()
    for f = 1, #folds do res["split" .. (f - 1) .. "_test_score"][i] = s[f] end
    for k, v in pairs(p) do
      res["param_" .. k] = res["param_" .. k] or {}
      res["param_" .. k][i] = v
    end
  end
  res.rank_test_score = ranks(res.mean_test_score)
  local best = 1
  for i, m in ipairs(res.mean_test_score) do
    if m > res.mean_test_score[best] then best = i end
  end
  self.cv_results_, self.best_index_ = res, best
  self.best_params_, self.best_score_ = res.params[best], res.mean_test_score[best]
  self.n_splits_ = #folds
  if self.refit then
    self.best_estimator_ = make_estimator(self.estimator, self.best_params_, what)
    self.best_estimator_:fit(X, y)
    self.classes_ = self.best_estimator_.classes_
  end
  return self
end

for _, m in ipairs {"predict", "decision_function", "predict_proba", "score"} do
  Grid[m] = function(self, ...)
    if not self.best_estimator_ then
      fail("GridSearchCV.%s: call fit(X, y) first (with refit = true)", m)
    end
    return self.best_estimator_[m](self.best_estimator_, ...)
  end
end

-- ---- learning curve ----------------------------------------------------------------

-- scikit-learn's learning_curve: for each fold of cv and each training
-- size, the estimator (a fresh clone) fitted on the first n rows of the
-- fold's training part, scored on those rows and on the fold's test
-- part. train_sizes: fractions of the largest training part (floats in
-- (0, 1]) or row counts (integers); default {0.1, 0.325, 0.55, 0.775, 1.0}.
-- shuffle = true shuffles each training part first (runtime RNG,
-- random_state re-seeds it). Returns the sizes (a list), then train
-- and test scores as (sizes, folds) tensors.
function M.learning_curve(estimator, X, y, opts)
  local what = "ml.learning_curve"
  local o = check_options(opts, {"train_sizes", "cv", "scoring", "shuffle",
                                 "random_state"}, what)
  local folds
  X, folds = cv_input(estimator, X, y, o.cv, what)
  local n_max = #folds[1].train
  local sizes = o.train_sizes or {0.1, 0.325, 0.55, 0.775, 1.0}
  if type(sizes) ~= "table" or #sizes == 0 then
    fail("%s: train_sizes must be a list of fractions or row counts, got %s", what,
         describe(sizes))
  end
  local fractions = false
  for _, v in ipairs(sizes) do fractions = fractions or math.type(v) == "float" end
  local abs, seen = {}, {}
  for i, v in ipairs(sizes) do
    local n
    if fractions then
      if type(v) ~= "number" or not (v > 0 and v <= 1) then
        fail("%s: train_sizes[%d] = %s; fractions must be in (0, 1]", what, i, describe(v))
      end
      n = math.max(1, math.min(n_max, math.floor(v * n_max)))
    else
      if not (is_int(v) and v >= 1 and v <= n_max) then
        fail("%s: train_sizes[%d] = %s; row counts must be in 1..%d (the largest " ..
             "training part)", what, i, describe(v), n_max)
      end
      n = math.tointeger(v)
    end
    if not seen[n] then seen[n] = true; abs[#abs + 1] = n end
  end
  table.sort(abs)
  if o.shuffle then reseed(o.random_state, what) end
  local score = scorer(o.scoring, what)
  local train_s, test_s = T.zeros(#abs, #folds), T.zeros(#abs, #folds)
  for f, fold in ipairs(folds) do
    local tr = fold.train
    if o.shuffle then
      local p, s = permutation(#tr), {}
      for i = 1, #tr do s[i] = tr[p[i]] end
      tr = s
    end
    local Xte, yte = take(X, fold.test), take(y, fold.test)
    for i, n in ipairs(abs) do
      local part = {}
      for k = 1, n do part[k] = tr[k] end
      local Xtr, ytr = take(X, part), take(y, part)
      local e = make_estimator(estimator, nil, what)
      e:fit(Xtr, ytr)
      train_s[i][f] = score(e, Xtr, ytr)
      test_s[i][f] = score(e, Xte, yte)
    end
  end
  return abs, train_s, test_s
end

-- obj.split(X, y) instead of obj:split(X, y) says so
U.dot_guard(Splitter, function(v) return getmetatable(v) == Splitter end, "cv")
U.dot_guard(Grid, function(v) return getmetatable(v) == Grid end, "grid")
U.dot_guard(Scores, function(v) return getmetatable(v) == Scores end, "scores")

return M
