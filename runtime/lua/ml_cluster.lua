-- ml_cluster.lua - k-means for ml.lua with scikit-learn 1.2's names and
-- defaults; Lloyd's iterations and the k-means++ seeding are C
-- (ml_est.kmeans, kmeans_pp: runtime/ml/neighbors.c).
--
--   ml.KMeans{n_clusters=8, init='k-means++'|'random'|(k, D) tensor,
--          n_init=10|'auto', max_iter=300, tol=1e-4, random_state=,
--          algorithm='lloyd'|'elkan'}
--     :fit(X), :predict(X), :fit_predict(X), :transform(X) (distances
--     to the centres), :fit_transform(X), :score(X) (-inertia)
--     cluster_centers_ (k, D), labels_ (N), inertia_, n_iter_,
--     n_features_in_
--
-- labels_ and predict give cluster numbers 0 .. k-1 as scikit-learn
-- does (cluster c's centre is cluster_centers_[c + 1]). tol is relative
-- to the mean variance of X's features, as in scikit-learn. With an
-- explicit init array one run is made (n_init is taken as 1). 'elkan'
-- runs Lloyd's iterations too (it reaches the same centres). The random
-- draws come from the runtime's RNG (random_state re-seeds it), so
-- k-means++ picks other seeds than scikit-learn would.
local T = require "tensor"
local K = require "ml_est"
local fail = require "script_error"
local U = require "ml_util"
local call, describe, is_int = U.call, U.describe, U.is_int

return function(ml, S)
local L = S.linear   -- helpers from ml_linear.lua (loaded first)

local KMeans = S.estimator_class("KMeans", {n_clusters = 8, init = "k-means++",
  n_init = 10, max_iter = 300, tol = 1e-4, algorithm = "lloyd"},
  {"n_clusters", "init", "n_init", "max_iter", "tol", "verbose",
   "random_state", "copy_x", "algorithm"})

function KMeans.check(e)
  if not is_int(e.n_clusters) or e.n_clusters < 1 then
    fail("KMeans: n_clusters must be a positive integer, got %s", describe(e.n_clusters))
  end
  if T.is_tensor(e.init) then
    local s = e.init:shape()
    if #s ~= 2 or s[1] ~= e.n_clusters then
      fail("KMeans: init must be an (n_clusters, n_features) = (%d, D) tensor, got %s",
           e.n_clusters, describe(e.init))
    end
  elseif e.init ~= "k-means++" and e.init ~= "random" then
    fail("KMeans: init must be 'k-means++', 'random' or an (n_clusters, D) tensor, got %s",
         describe(e.init))
  end
  if e.n_init ~= "auto" and (not is_int(e.n_init) or e.n_init < 1) then
    fail("KMeans: n_init must be a positive integer or 'auto', got %s", describe(e.n_init))
  end
  if not is_int(e.max_iter) or e.max_iter < 1 then
    fail("KMeans: max_iter must be a positive integer, got %s", describe(e.max_iter))
  end
  S.check_number(e, "tol", 0)
  S.check_choice(e, "algorithm", {"lloyd", "elkan", "auto", "full"})
  S.check_random_state(e)
end
function ml.KMeans(o) return S.new_estimator(KMeans, o) end

local function n_runs(e)
  if T.is_tensor(e.init) then return 1 end
  if e.n_init == "auto" then return e.init == "random" and 10 or 1 end
  return e.n_init
end

function KMeans:fit(X)
  local what = "KMeans.fit"
  X = L.fit_x(X, what)
  local n, d = X:shape()[1], X:shape()[2]
  local k = math.tointeger(self.n_clusters)
  if k > n then
    fail("%s: n_samples = %d should be >= n_clusters = %d", what, n, k)
  end
  if T.is_tensor(self.init) and self.init:shape()[2] ~= d then
    fail("%s: init has %d features, X has %d", what, self.init:shape()[2], d)
  end
  U.reseed(self.random_state, what)
  -- scikit-learn's tol: relative to the mean feature variance
  local _, var = call(what, require("ml.core").col_stats, X)
  local tol = self.tol * var:mean()
  local best
  for _ = 1, n_runs(self) do
    local init
    if T.is_tensor(self.init) then
      init = self.init
    elseif self.init == "random" then
      local p = U.permutation(n)
      local rows = {}
      for i = 1, k do rows[i] = p[i] end
      init = X:rows(rows)
    else
      init = call(what, K.kmeans_pp, X, k)
    end
    local c, labels, inertia, it = call(what, K.kmeans, X, init,
                                        math.tointeger(self.max_iter), tol)
    if not best or inertia < best.inertia then
      best = {c = c, labels = labels, inertia = inertia, it = it}
    end
  end
  self.cluster_centers_, self.labels_ = best.c, best.labels
  self.inertia_, self.n_iter_ = best.inertia, best.it
  self.n_features_in_, self.model_ = d, true
  return self
end

function KMeans:predict(X)
  X = L.predict_x(self, X, "predict")
  return (call("KMeans.predict", K.kmeans_assign, X, self.cluster_centers_, false))
end

function KMeans:fit_predict(X) return self:fit(X).labels_ end

function KMeans:transform(X)
  X = L.predict_x(self, X, "transform")
  local _, d2 = call("KMeans.transform", K.kmeans_assign, X, self.cluster_centers_, true)
  return d2:sqrt()
end

function KMeans:fit_transform(X) return self:fit(X):transform(X) end

-- minus the sum of squared distances of X's rows to their nearest centre
function KMeans:score(X)
  X = L.predict_x(self, X, "score")
  local _, d2 = call("KMeans.score", K.kmeans_assign, X, self.cluster_centers_, true)
  return -d2:min(2):sum()
end

KMeans.save = L.no_save
U.dot_guard(KMeans, S.is_estimator, "km", {check = true})
end
