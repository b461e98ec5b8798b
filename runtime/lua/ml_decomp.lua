-- ml_decomp.lua - dimensionality reduction and manifold learning for
-- ml.lua with scikit-learn 1.2's names, defaults and fitted attributes;
-- the numerical work is C (ml_decomp: runtime/ml/decomp.c, manifold.c on
-- OpenBLAS / LAPACKE).
--
--   ml.PCA{n_components=nil (all) | k | fraction in (0, 1), whiten=false,
--          svd_solver='auto'|'full'|'randomized', iterated_power='auto',
--          n_oversamples=10, power_iteration_normalizer='auto'|'LU'|'QR'|
--          'none', random_state=}
--     components_ (k, D), explained_variance_, explained_variance_ratio_,
--     singular_values_, mean_, n_components_, noise_variance_,
--     n_samples_, n_features_in_; :fit, :transform, :fit_transform,
--     :inverse_transform
--   ml.IncrementalPCA{n_components=nil, whiten=false, batch_size=nil
--          (5 x features)}  :fit, :partial_fit, the same attributes and
--     var_, n_samples_seen_, batch_size_
--   ml.KernelPCA{n_components=nil, kernel='linear'|'poly'|'rbf'|'sigmoid'|
--          'cosine'|'precomputed', gamma=nil (1 / features), degree=3,
--          coef0=1, alpha=1, fit_inverse_transform=false,
--          eigen_solver='auto'|'dense', remove_zero_eig=false}
--     eigenvalues_, eigenvectors_, X_fit_, dual_coef_, X_transformed_fit_;
--     :fit, :transform, :fit_transform, :inverse_transform
--   ml.LocallyLinearEmbedding{n_neighbors=5, n_components=2, reg=1e-3,
--          method='standard', eigen_solver='auto'|'dense'}
--     embedding_, reconstruction_error_; :fit, :fit_transform
--   ml.Isomap{n_neighbors=5, n_components=2, eigen_solver='auto'|'dense',
--          path_method='auto'|'D', progress=nil|true|false}
--     embedding_, dist_matrix_, kernel_pca_ (eigenvalues_, eigenvectors_);
--     :fit, :fit_transform, :transform
--   ml.MDS{n_components=2, metric=true, n_init=4, max_iter=300, eps=1e-3,
--          random_state=, dissimilarity='euclidean'|'precomputed',
--          verbose=0 (1: scikit-learn's "breaking at iteration" line,
--          2: also "it: k, stress s" every iteration), progress=nil|true|false}
--     embedding_, stress_, n_iter_;
--     :fit(X, {init=}), :fit_transform(X, {init=})
--
-- The exact PCA ('full') takes the eigenvectors of the covariance (or,
-- with fewer samples than features, the Gram) matrix accumulated in
-- double precision instead of an SVD of the data: the same components
-- and singular values, signs by scikit-learn's svd_flip. 'randomized' is
-- randomized_svd (power iterations normalised by power_iteration_normalizer,
-- float32 products) with
-- draws from the runtime's RNG, so it agrees with scikit-learn as far as
-- both converge. 'auto' chooses as scikit-learn does, except that it
-- keeps the exact solver where that costs no more than the randomized
-- one would (min(n, d) <= 16 (n_components + n_oversamples): e.g. 50
-- components of 784 pixels), giving the exact components there. The eigenproblems
-- are always dense (LAPACK's dsyevr); 'arpack' is not offered. Isomap
-- finds its paths by Dijkstra on the worker pool (path_method 'FW' gives
-- the same distances that way) and stops with an error when the kNN graph
-- falls apart (scikit-learn 1.2 joins the pieces with a warning). MDS is
-- metric only (metric = false is not offered).
local T = require "tensor"
local K = require "ml_decomp.core"
local fail = require "script_error"
local U = require "ml_util"
local call, describe, is_int = U.call, U.describe, U.is_int

return function(ml, S)
local L = S.linear

-- X: a finite 2-D tensor (float64 is taken as float32); for transform
-- also the feature count seen by fit
local fit_x, predict_x = L.fit_x, L.predict_x

local function check_int(e, k, lo, optional)
  local v = e[k]
  if optional and v == nil then return end
  if not is_int(v) or v < lo then
    fail("%s: %s must be an integer >= %d, got %s", e.name, k, lo, describe(v))
  end
  e[k] = math.tointeger(v)
end

local function cols(t, a, b) return t:slice(2, a, b):contiguous() end

-- ---- PCA -------------------------------------------------------------------

local PCA = S.estimator_class("PCA", {whiten = false, svd_solver = "auto",
  copy = true, tol = 0, iterated_power = "auto", n_oversamples = 10,
  power_iteration_normalizer = "auto"},
  {"n_components", "copy", "whiten", "svd_solver", "tol", "iterated_power",
   "n_oversamples", "power_iteration_normalizer", "random_state"})

function PCA.check(e)
  local k = e.n_components
  if k ~= nil and not (is_int(k) and k >= 1) and
     not (type(k) == "number" and k > 0 and k < 1) then
    fail("PCA: n_components must be nil, an integer >= 1 or a fraction in (0, 1), got %s",
         describe(k))
  end
  if e.svd_solver == "arpack" then
    fail("PCA: svd_solver 'arpack' is not offered; take 'full' or 'randomized'")
  end
  S.check_choice(e, "svd_solver", {"auto", "full", "randomized"})
  S.check_bool(e, "whiten")
  if e.iterated_power ~= "auto" then check_int(e, "iterated_power", 0) end
  check_int(e, "n_oversamples", 1)
  S.check_choice(e, "power_iteration_normalizer", {"auto", "QR", "LU", "none"})
  S.check_random_state(e)
end
function ml.PCA(o) return S.new_estimator(PCA, o) end

local function set_variances(self, sv, n, total)
  local ev = sv * sv / (n - 1)
  self.singular_values_, self.explained_variance_ = sv, ev
  self.explained_variance_ratio_ = ev / total
end

function PCA:fit(X)
  local what = "PCA.fit"
  X = fit_x(X, what)
  local n, d = X:shape()[1], X:shape()[2]
  local r = math.min(n, d)
  local k = self.n_components
  if n < 2 then fail("%s: PCA needs at least 2 samples, got %d", what, n) end
  if is_int(k) and k > r then
    fail("%s: n_components = %d must be between 1 and min(n_samples, n_features) = %d",
         what, k, r)
  end
  local frac = k ~= nil and not is_int(k)
  k = k and (frac and k or math.tointeger(k)) or r
  local solver = self.svd_solver
  if solver == "auto" then
    solver = (math.max(n, d) <= 500 or frac or k >= 0.8 * r) and "full" or "randomized"
    -- the exact solver costs max(n, d) r^2, the randomized one about
    -- 16 x 2 max(n, d) r (k + 10) in float32 (and the exact answer is
    -- what it approximates): take the exact one when it is no dearer
    if solver == "randomized" and r <= 16 * (k + self.n_oversamples) then
      solver = "full"
    end
  end
  if solver == "randomized" and frac then
    fail("%s: a fraction n_components needs svd_solver = 'full'", what)
  end
  self._fit_svd_solver = solver
  if solver == "full" then
    local mean, comp, sv, total = call(what, K.pca, X, frac and r or k, false)
    local ev_all = sv * sv / (n - 1)
    local ratio = (ev_all / total):totable()
    if frac then
      local cum, cnt = 0, 0
      for i = 1, r do
        cum = cum + ratio[i]
        if cum <= k then cnt = i end
      end
      k = math.min(cnt + 1, r)
      comp = comp:slice(1, 1, k):contiguous()
    end
    local evs = ev_all:totable()
    local rest = 0
    for i = k + 1, r do rest = rest + evs[i] end
    self.noise_variance_ = k < r and rest / (r - k) or 0.0
    self.mean_, self.components_ = mean, comp
    set_variances(self, sv:slice(1, 1, k):contiguous(), n, total)
  else
    U.reseed(self.random_state, what)
    local it = self.iterated_power
    if it == "auto" then it = k < 0.1 * r and 7 or 4 end
    local mean, comp, sv, total = call(what, K.pca, X, k, true, it, self.n_oversamples,
                                    self.power_iteration_normalizer)
    self.mean_, self.components_ = mean, comp
    set_variances(self, sv, n, total)
    local kept = self.explained_variance_:sum()
    self.noise_variance_ = k < r and (total - kept) / (r - k) or 0.0
  end
  self.n_components_, self.n_samples_, self.n_features_in_ = k, n, d
  return self
end

local function pca_transform(self, X)
  X = predict_x(self, X, "transform")
  local Z = (X - self.mean_):matmul(self.components_:transpose(1, 2))
  if self.whiten then Z = Z / self.explained_variance_:sqrt() end
  return Z
end
PCA.transform = pca_transform

function PCA:fit_transform(X) return self:fit(X):transform(X) end

local function pca_inverse(self, Z)
  local what = self.name .. ".inverse_transform"
  if self.components_ == nil then
    fail("%s: the model is not fitted yet; call fit(X) first", what)
  end
  Z = fit_x(Z, what)
  if Z:shape()[2] ~= self.n_components_ then
    fail("%s: X has %d columns, the model has %d components", what,
         Z:shape()[2], self.n_components_)
  end
  local C = self.components_
  if self.whiten then
    C = C * self.explained_variance_:sqrt():reshape(self.n_components_, 1)
  end
  return Z:matmul(C) + self.mean_
end
PCA.inverse_transform = pca_inverse

-- ---- IncrementalPCA ----------------------------------------------------------

local IPCA = S.estimator_class("IncrementalPCA", {whiten = false, copy = true},
  {"n_components", "whiten", "copy", "batch_size"})

function IPCA.check(e)
  check_int(e, "n_components", 1, true)
  check_int(e, "batch_size", 1, true)
  S.check_bool(e, "whiten")
end
function ml.IncrementalPCA(o) return S.new_estimator(IPCA, o) end

function IPCA:partial_fit(X)
  local what = "IncrementalPCA.partial_fit"
  X = fit_x(X, what)
  local n, d = X:shape()[1], X:shape()[2]
  if self.n_features_in_ and d ~= self.n_features_in_ then
    fail("%s: X has %d features, but IncrementalPCA was fitted with %d", what, d,
         self.n_features_in_)
  end
  local k = self.n_components_ or self.n_components or math.min(n, d)
  if k > d then
    fail("%s: n_components = %d must be <= n_features = %d", what, k, d)
  end
  if (self.n_samples_seen_ or 0) == 0 and k > n then
    fail("%s: n_components = %d must be <= the batch's number of samples %d",
         what, k, n)
  end
  local st = self._state or {seen = 0}
  local comp, sv, mean, var, seen, all = call(what, K.ipca_step, X, k, st.seen,
                                              st.comp, st.sv, st.mean, st.var)
  self._state = {comp = comp, sv = sv, mean = mean, var = var, seen = seen}
  self.n_components_, self.n_features_in_, self.n_samples_seen_ = k, d, seen
  self.components_, self.singular_values_ = comp:float(), sv:float()
  self.mean_, self.var_ = mean:float(), var:float()
  local ev_all = all * all / (seen - 1)
  local total = (var * seen):sum()
  self.explained_variance_ = ev_all:slice(1, 1, k):float()
  self.explained_variance_ratio_ = (all * all / total):slice(1, 1, k):float()
  local m = all:shape()[1]
  if k ~= n and k ~= d and m > k then
    self.noise_variance_ = ev_all:slice(1, k + 1, m):mean()
  else
    self.noise_variance_ = 0.0
  end
  return self
end

function IPCA:fit(X)
  local what = "IncrementalPCA.fit"
  X = fit_x(X, what)
  local n, d = X:shape()[1], X:shape()[2]
  self._state, self.n_components_, self.n_features_in_ = nil, nil, nil
  self.n_samples_seen_ = 0
  local bs = self.batch_size or 5 * d
  self.batch_size_ = bs
  -- gen_batches with min_batch_size = n_components: a short tail joins
  -- the batch before it
  local minb = self.n_components or 0
  local start = 1
  for _ = 1, n // bs do
    local stop = start + bs - 1
    if stop + minb <= n then
      self:partial_fit(X:slice(1, start, stop):contiguous())
      start = stop + 1
    end
  end
  if start <= n then self:partial_fit(X:slice(1, start, n):contiguous()) end
  return self
end

IPCA.transform = pca_transform
IPCA.inverse_transform = pca_inverse
function IPCA:fit_transform(X) return self:fit(X):transform(X) end

-- ---- KernelPCA ---------------------------------------------------------------

local KPCA = S.estimator_class("KernelPCA", {kernel = "linear", degree = 3,
  coef0 = 1, alpha = 1.0, fit_inverse_transform = false, eigen_solver = "auto",
  tol = 0, remove_zero_eig = false, copy_X = true},
  {"n_components", "kernel", "gamma", "degree", "coef0", "kernel_params",
   "alpha", "fit_inverse_transform", "eigen_solver", "tol", "max_iter",
   "iterated_power", "remove_zero_eig", "random_state", "copy_X", "n_jobs"})

function KPCA.check(e)
  check_int(e, "n_components", 1, true)
  S.check_choice(e, "kernel", {"linear", "poly", "rbf", "sigmoid", "cosine", "precomputed"})
  if e.gamma ~= nil then S.check_number(e, "gamma") end
  S.check_number(e, "degree", 0)
  S.check_number(e, "coef0")
  S.check_number(e, "alpha", 0)
  S.check_bool(e, "fit_inverse_transform")
  S.check_bool(e, "remove_zero_eig")
  if e.eigen_solver == "arpack" or e.eigen_solver == "randomized" then
    fail("KernelPCA: eigen_solver '%s' is not offered; the dense solver gives " ..
         "the same eigenvectors", e.eigen_solver)
  end
  S.check_choice(e, "eigen_solver", {"auto", "dense"})
  if e.kernel_params ~= nil then fail("KernelPCA: kernel_params is not offered") end
  if e.fit_inverse_transform and e.kernel == "precomputed" then
    fail("KernelPCA: fit_inverse_transform needs a kernel other than 'precomputed'")
  end
end
function ml.KernelPCA(o) return S.new_estimator(KPCA, o) end

local function kargs(self, ncols)
  return self.gamma or 1 / ncols, self.degree, self.coef0
end

function KPCA:fit(X)
  local what = "KernelPCA.fit"
  X = fit_x(X, what)
  local n, d = X:shape()[1], X:shape()[2]
  if self.kernel == "precomputed" and n ~= d then
    fail("%s: a precomputed kernel must be square (n_samples, n_samples), got %s",
         what, describe(X))
  end
  local k = math.min(n, self.n_components or n)
  local ev, vec, cm, all = call(what, K.kpca_fit, self.kernel, X, k, kargs(self, d))
  if self.remove_zero_eig or self.n_components == nil then
    local keep = {}
    for i, v in ipairs(ev:totable()) do if v > 0 then keep[#keep + 1] = i end end
    if #keep == 0 then fail("%s: the centred kernel has no positive eigenvalue", what) end
    if #keep < k then
      ev = T(ev:totable()):rows(keep)
      vec = vec:transpose(1, 2):rows(keep):transpose(1, 2):contiguous()
    end
  end
  self.eigenvalues_, self.eigenvectors_ = ev, vec
  self._colmean, self._allmean = cm, all
  self.X_fit_, self.n_features_in_ = X, d
  if self.fit_inverse_transform then
    local Xt = vec * ev:sqrt()
    self.dual_coef_ = call(what, K.kpca_inverse_fit, self.kernel, Xt, X, self.alpha,
                           kargs(self, Xt:shape()[2]))
    self.X_transformed_fit_ = Xt
  end
  return self
end

function KPCA:fit_transform(X)
  self:fit(X)
  return self.eigenvectors_ * self.eigenvalues_:sqrt()
end

function KPCA:transform(X)
  local what = "KernelPCA.transform"
  if self.kernel == "precomputed" then
    if self.eigenvectors_ == nil then
      fail("%s: the model is not fitted yet; call fit(X) first", what)
    end
    X = fit_x(X, what)
  else
    X = predict_x(self, X, "transform")
  end
  return call(what, K.kpca_transform, self.kernel, X, self.X_fit_, self.eigenvectors_,
              self.eigenvalues_, self._colmean, self._allmean, kargs(self, X:shape()[2]))
end

function KPCA:inverse_transform(Z)
  local what = "KernelPCA.inverse_transform"
  if not self.fit_inverse_transform then
    fail("%s: the inverse transform is not available; set fit_inverse_transform = true", what)
  end
  if self.dual_coef_ == nil then
    fail("%s: the model is not fitted yet; call fit(X) first", what)
  end
  Z = fit_x(Z, what)
  local p = self.X_transformed_fit_:shape()[2]
  if Z:shape()[2] ~= p then
    fail("%s: X has %d columns, the model has %d components", what, Z:shape()[2], p)
  end
  local Kz = call(what, K.kernel, self.kernel, Z, self.X_transformed_fit_, kargs(self, p))
  return Kz:matmul(self.dual_coef_)
end

-- ---- LocallyLinearEmbedding ----------------------------------------------------

local LLE = S.estimator_class("LocallyLinearEmbedding", {n_neighbors = 5,
  n_components = 2, reg = 1e-3, eigen_solver = "auto", tol = 1e-6,
  max_iter = 100, method = "standard", hessian_tol = 1e-4, modified_tol = 1e-12,
  neighbors_algorithm = "auto"},
  {"n_neighbors", "n_components", "reg", "eigen_solver", "tol", "max_iter",
   "method", "hessian_tol", "modified_tol", "neighbors_algorithm",
   "random_state", "n_jobs"})

function LLE.check(e)
  check_int(e, "n_neighbors", 1)
  check_int(e, "n_components", 1)
  S.check_number(e, "reg", 0)
  if e.method ~= "standard" then
    fail("LocallyLinearEmbedding: only method = 'standard' is offered, got %s",
         describe(e.method))
  end
  if e.eigen_solver == "arpack" then
    fail("LocallyLinearEmbedding: eigen_solver 'arpack' is not offered; 'dense' is")
  end
  S.check_choice(e, "eigen_solver", {"auto", "dense"})
end
function ml.LocallyLinearEmbedding(o) return S.new_estimator(LLE, o) end

local function check_sizes(self, n, what)
  if self.n_neighbors >= n then
    fail("%s: n_neighbors = %d must be less than n_samples = %d", what,
         self.n_neighbors, n)
  end
  if self.n_components >= n then
    fail("%s: n_components = %d must be less than n_samples = %d", what,
         self.n_components, n)
  end
end

function LLE:fit(X)
  local what = "LocallyLinearEmbedding.fit"
  X = fit_x(X, what)
  local n, d = X:shape()[1], X:shape()[2]
  check_sizes(self, n, what)
  if self.n_components > d then
    fail("%s: n_components = %d must be <= n_features = %d", what, self.n_components, d)
  end
  self.embedding_, self.reconstruction_error_ = call(what, K.lle, X,
    self.n_neighbors, self.n_components, self.reg)
  self.n_features_in_ = d
  return self
end

function LLE:fit_transform(X) return self:fit(X).embedding_ end

-- fit's progress bar (nn_text.progbar: redrawn on a terminal, nil
-- otherwise, so never in a pipe or a test's output) of target steps, for
-- a fit on 1000+ points or progress = true; progress = false turns it off
local function long_bar(n, on, title, target)
  if on == false or (on == nil and n < 1000) then return nil end
  local bar = require("nn_text").progbar(target)
  if not bar.tty then return nil end
  io.write(title, "\n")
  return bar
end

local function check_progress(e, what)
  if e.progress ~= nil and type(e.progress) ~= "boolean" then
    fail("%s: progress must be true or false, got %s", what, describe(e.progress))
  end
end

-- Python's repr of a float, as scikit-learn's verbose lines print numbers
local function float_repr(x) return require("frame_text").float_repr(x) end

-- ---- Isomap ------------------------------------------------------------------

local Isomap = S.estimator_class("Isomap", {n_neighbors = 5, n_components = 2,
  eigen_solver = "auto", tol = 0, path_method = "auto",
  neighbors_algorithm = "auto", p = 2, metric = "minkowski"},
  {"n_neighbors", "radius", "n_components", "eigen_solver", "tol", "max_iter",
   "path_method", "neighbors_algorithm", "n_jobs", "metric", "p",
   "metric_params", "progress"})

function Isomap.check(e)
  check_int(e, "n_neighbors", 1)
  check_int(e, "n_components", 1)
  if e.radius ~= nil then fail("Isomap: radius neighbourhoods are not offered; give n_neighbors") end
  if e.eigen_solver == "arpack" then
    fail("Isomap: eigen_solver 'arpack' is not offered; 'dense' is")
  end
  S.check_choice(e, "eigen_solver", {"auto", "dense"})
  S.check_choice(e, "path_method", {"auto", "D", "FW"})
  S.check_choice(e, "metric", {"minkowski", "euclidean"})
  if e.p ~= 2 then fail("Isomap: only p = 2 (the euclidean distance) is offered") end
  check_progress(e, "Isomap")
end
function ml.Isomap(o) return S.new_estimator(Isomap, o) end

-- Isomap's bar over the shortest-path searches
local function path_bar(n, on)
  local bar = long_bar(n, on, "Isomap: shortest paths from every point", n)
  return bar and function(done, total)
    if done < total then bar:update(done) else bar:finish() end
  end
end

function Isomap:fit(X)
  local what = "Isomap.fit"
  X = fit_x(X, what)
  local n, d = X:shape()[1], X:shape()[2]
  check_sizes(self, n, what)
  local emb, D, vec, ev, cm, all = call(what, K.isomap, X, self.n_neighbors,
    self.n_components, path_bar(n, self.progress))
  self.embedding_, self.dist_matrix_ = emb, D
  self.kernel_pca_ = {eigenvalues_ = ev, eigenvectors_ = vec}
  self._colmean, self._allmean, self._fit_X = cm, all, X
  self.n_features_in_ = d
  return self
end

function Isomap:fit_transform(X) return self:fit(X).embedding_ end

function Isomap:transform(X)
  local what = "Isomap.transform"
  X = predict_x(self, X, "transform")
  return call(what, K.isomap_transform, self._fit_X, X, self.n_neighbors,
              self.dist_matrix_, self.kernel_pca_.eigenvectors_,
              self.kernel_pca_.eigenvalues_, self._colmean, self._allmean)
end

-- ---- MDS -------------------------------------------------------------------

local MDS = S.estimator_class("MDS", {n_components = 2, metric = true, n_init = 4,
  max_iter = 300, eps = 1e-3, dissimilarity = "euclidean", verbose = 0,
  normalized_stress = "warn"},
  {"n_components", "metric", "n_init", "max_iter", "verbose", "eps", "n_jobs",
   "random_state", "dissimilarity", "normalized_stress", "progress"})

function MDS.check(e)
  check_int(e, "n_components", 1)
  check_int(e, "n_init", 1)
  check_int(e, "max_iter", 1)
  S.check_number(e, "eps", 0)
  S.check_bool(e, "metric")
  if not e.metric then fail("MDS: only metric = true is offered") end
  if e.normalized_stress == true then
    fail("MDS: normalized_stress needs metric = false, which is not offered")
  end
  S.check_choice(e, "dissimilarity", {"euclidean", "precomputed"})
  S.check_random_state(e)
  if not (type(e.verbose) == "boolean" or (is_int(e.verbose) and e.verbose >= 0)) then
    fail("MDS: verbose must be a non-negative integer, got %s", describe(e.verbose))
  end
  check_progress(e, "MDS")
end
function ml.MDS(o) return S.new_estimator(MDS, o) end

function MDS:fit(X, opts)
  local what = "MDS.fit"
  opts = U.check_options(opts or {}, {init = true}, what)
  X = fit_x(X, what)
  local n, d = X:shape()[1], X:shape()[2]
  local pre = self.dissimilarity == "precomputed"
  if pre and n ~= d then
    fail("%s: precomputed dissimilarities must be square (n_samples, n_samples), got %s",
         what, describe(X))
  end
  local init, runs = opts.init, self.n_init
  if init ~= nil then
    init = fit_x(init, what .. " init")
    if init:shape()[1] ~= n then
      fail("%s: init has %d rows, X has %d", what, init:shape()[1], n)
    end
    runs = 1
  end
  U.reseed(self.random_state, what)
  local p = init and init:shape()[2] or self.n_components
  local verbose = self.verbose == true and 1 or self.verbose == false and 0 or self.verbose
  local mi = self.max_iter
  -- a bar over every run's iterations on a terminal for a long fit; the
  -- printed lines of verbose >= 2 instead of it
  local bar = verbose < 2 and long_bar(n, self.progress,
    ("MDS: SMACOF, %d run%s of at most %d iterations"):format(runs, runs > 1 and "s" or "", mi),
    runs * mi) or nil
  local best
  for r = 1, runs do
    local start = init or T.rand(n, p)
    local step
    if bar or verbose >= 2 then
      step = function(it, stress)
        if verbose >= 2 then print(("it: %d, stress %s"):format(it, float_repr(stress))) end
        if bar then bar:update((r - 1) * mi + it + 1) end
      end
    end
    local emb, stress, it = call(what, K.smacof, X, pre, start, mi, self.eps, step)
    if verbose >= 1 and it < mi then
      print(("breaking at iteration %d with stress %s"):format(it - 1, float_repr(stress)))
    end
    if not best or stress < best.stress then
      best = {emb = emb, stress = stress, it = it}
    end
  end
  if bar then bar:finish() end
  self.embedding_, self.stress_, self.n_iter_ = best.emb, best.stress, best.it
  self.n_features_in_ = d
  return self
end

function MDS:fit_transform(X, opts) return self:fit(X, opts).embedding_ end

-- the sample generators of data (datasets.lua) under ml's names too
local sets = require "datasets"
for _, g in ipairs {"make_swiss_roll", "make_s_curve", "make_moons",
                    "make_circles", "make_blobs"} do
  if ml[g] == nil then ml[g] = sets[g] end
end

for _, c in ipairs {PCA, IPCA, KPCA, LLE, Isomap, MDS} do
  c.save, c._fit_args = L.no_save, "X"
  U.dot_guard(c, S.is_estimator, "model", {check = true})
end
end
