-- ml_neighbors.lua - k nearest neighbours for ml.lua, scikit-learn 1.2's
-- names and defaults; the search is brute force in C (ml_est.knn: one
-- sgemm per block of queries on the worker pool, exact distances for the
-- neighbours found).
--
--   ml.KNeighborsClassifier{n_neighbors=5, weights='uniform'|'distance',
--          algorithm='auto', leaf_size=30, p=2, metric='minkowski'}
--   ml.KNeighborsRegressor{...the same}
--     :fit(X, y)      y (N) labels / targets, or an (N, T) tensor for T
--                     outputs at once (multi-output)
--     :predict(X)     (N) or (N, T)
--     :predict_proba(X)  (N, K), classes ascending; a list of them for
--                     multi-output y (classifier)
--     :kneighbors(X, n_neighbors, return_distance=true) -> distances
--                     (N, k), positions (N, k) of the training rows
--                     (1-based), nearest first
--     :score(X, y)    accuracy (classifier, one output) or R^2
--     classes_ (a list, or a list of lists for multi-output),
--     n_features_in_, n_samples_fit_, outputs_2d_
--
-- Every algorithm ('auto', 'brute', 'kd_tree', 'ball_tree') searches by
-- brute force: the neighbours are the same. Only the euclidean metric
-- (minkowski with p = 2) is offered. Equal distances keep the training
-- row that comes first.
local T = require "tensor"
local K = require "ml_est"
local fail = require "script_error"
local U = require "ml_util"
local call, describe, is_int = U.call, U.describe, U.is_int

return function(ml, S)
local L = S.linear   -- helpers from ml_linear.lua (loaded first)

local ORDER = {"n_neighbors", "weights", "algorithm", "leaf_size", "p",
               "metric", "metric_params", "n_jobs"}
local DEFAULTS = {n_neighbors = 5, weights = "uniform", algorithm = "auto",
                  leaf_size = 30, p = 2, metric = "minkowski"}

local function check(e)
  if not is_int(e.n_neighbors) or e.n_neighbors < 1 then
    fail("%s: n_neighbors must be a positive integer, got %s", e.name,
         describe(e.n_neighbors))
  end
  S.check_choice(e, "weights", {"uniform", "distance"})
  S.check_choice(e, "algorithm", {"auto", "brute", "kd_tree", "ball_tree"})
  if not is_int(e.leaf_size) or e.leaf_size < 1 then
    fail("%s: leaf_size must be a positive integer, got %s", e.name, describe(e.leaf_size))
  end
  S.check_choice(e, "metric", {"minkowski", "euclidean"})
  if e.p ~= 2 then
    fail("%s: only p = 2 (the euclidean distance) is offered, got %s", e.name,
         describe(e.p))
  end
  if e.metric_params ~= nil then fail("%s: metric_params is not offered", e.name) end
end

local KNC = S.estimator_class("KNeighborsClassifier", DEFAULTS, ORDER)
local KNR = S.estimator_class("KNeighborsRegressor", DEFAULTS, ORDER)
KNC.check, KNR.check = check, check
function ml.KNeighborsClassifier(o) return S.new_estimator(KNC, o) end
function ml.KNeighborsRegressor(o) return S.new_estimator(KNR, o) end

local function store_x(self, X, n_y, what)
  X = L.fit_x(X, what)
  if n_y ~= X:shape()[1] then
    fail("%s: X has %d rows but y has %d", what, X:shape()[1], n_y)
  end
  if self.n_neighbors > X:shape()[1] then
    fail("%s: n_neighbors = %d, but there are only %d training samples", what,
         self.n_neighbors, X:shape()[1])
  end
  self._fit_X, self.n_samples_fit_, self.n_features_in_ = X, X:shape()[1], X:shape()[2]
  self.model_ = true
end

local function search(self, X, k, method)
  X = L.predict_x(self, X, method)
  return call(self.name .. "." .. method, K.knn, self._fit_X, X, k or self.n_neighbors)
end

local function kneighbors(self, X, n_neighbors, return_distance)
  local what = self.name .. ".kneighbors"
  if n_neighbors ~= nil and (not is_int(n_neighbors) or n_neighbors < 1) then
    fail("%s: n_neighbors must be a positive integer, got %s", what, describe(n_neighbors))
  end
  local dist, idx = search(self, X, n_neighbors and math.tointeger(n_neighbors), "kneighbors")
  if return_distance == false then return idx end
  return dist, idx
end
KNC.kneighbors, KNR.kneighbors = kneighbors, kneighbors

-- y as an (N, T) tensor and whether it had two dimensions
local function y_matrix(y, what)
  if type(y) == "table" and not T.is_tensor(y) then
    y = T(U.number_list(y, what))
  end
  if not T.is_tensor(y) or y:dim() < 1 or y:dim() > 2 then
    fail("%s: y must be a tensor (N) or (N, T), or a table of numbers, got %s",
         what, describe(y))
  end
  local n = y:shape()[1]
  if y:dim() == 1 then return y:reshape(n, 1):contiguous(), false end
  return y:contiguous(), true
end

function KNC:fit(X, y)
  local what = "KNeighborsClassifier.fit"
  local Y, two = y_matrix(y, what)
  store_x(self, X, Y:shape()[1], what)
  local n, t = Y:shape()[1], Y:shape()[2]
  local classes, ncls, direct = {}, {}, true
  for c = 1, t do
    local col = Y:slice(2, c, c)
    local u = col:unique():totable()
    for _, v in ipairs(u) do
      if v ~= v then fail("%s: y holds NaN", what) end
    end
    classes[c] = u
    -- small non-negative integer labels vote by value (no re-coding)
    direct = direct and u[1] >= 0 and u[#u] < 65536 and
      (function() for _, v in ipairs(u) do if v ~= math.floor(v) then return false end end
                  return true end)()
  end
  local codes = Y
  if direct then
    for c = 1, t do ncls[c] = math.tointeger(classes[c][#classes[c]]) + 1 end
  else
    codes = T.zeros(n, t)
    for c = 1, t do
      local pos = {}
      for i, v in ipairs(classes[c]) do pos[v] = i - 1 end
      local col = Y:slice(2, c, c):contiguous():flatten():totable()
      for i = 1, n do codes[i][c] = pos[col[i]] end
      ncls[c] = #classes[c]
    end
  end
  self._codes, self._ncls, self._direct = codes, ncls, direct
  self.outputs_2d_ = two
  self.classes_ = two and classes or classes[1]
  self._classes = classes
  return self
end

local function decode(self, pred)
  if not self._direct then
    local t = pred:shape()[2]
    local out = T.zeros(table.unpack(pred:shape()))
    for c = 1, t do
      out:slice(2, c, c):copy(L.class_tensor(self._classes[c],
        pred:slice(2, c, c):contiguous() + 1))
    end
    pred = out
  end
  if not self.outputs_2d_ then return pred:reshape(pred:shape()[1]) end
  return pred
end

function KNC:predict(X)
  local dist, idx = search(self, X, nil, "predict")
  local pred = call("KNeighborsClassifier.predict", K.knn_vote, idx, dist,
                    self._codes, self._ncls, self.weights == "distance", false)
  return decode(self, pred)
end

function KNC:predict_proba(X)
  local what = "KNeighborsClassifier.predict_proba"
  local dist, idx = search(self, X, nil, "predict_proba")
  local _, probas = call(what, K.knn_vote, idx, dist, self._codes, self._ncls,
                         self.weights == "distance", true)
  local out = {}
  for c, p in ipairs(probas) do
    if self._direct and #self._classes[c] ~= self._ncls[c] then
      local keep = {}
      for i, v in ipairs(self._classes[c]) do keep[i] = math.tointeger(v) + 1 end
      p = p:transpose(1, 2):rows(keep):transpose(1, 2):contiguous()
    end
    out[c] = p
  end
  return self.outputs_2d_ and out or out[1]
end

function KNC:score(X, y)
  if self.outputs_2d_ then
    fail("KNeighborsClassifier.score: accuracy is not defined for multi-output y " ..
         "(scikit-learn raises too); compare predict(X) with y yourself")
  end
  return ml.metrics.accuracy_score(y, self:predict(X))
end

function KNR:fit(X, y)
  local what = "KNeighborsRegressor.fit"
  local Y, two = y_matrix(y, what)
  store_x(self, X, Y:shape()[1], what)
  self._Y, self.outputs_2d_ = Y, two
  return self
end

function KNR:predict(X)
  local dist, idx = search(self, X, nil, "predict")
  local out = call("KNeighborsRegressor.predict", K.knn_mean, idx, dist,
                   self._Y, self.weights == "distance")
  if not self.outputs_2d_ then return out:reshape(out:shape()[1]) end
  return out
end

KNR.score = L.r2
KNR._estimator_type = "regressor"

KNC.save = L.no_save
KNR.save = L.no_save
U.dot_guard(KNC, S.is_estimator, "knn", {check = true})
U.dot_guard(KNR, S.is_estimator, "knn", {check = true})
end
