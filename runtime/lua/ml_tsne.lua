-- ml_tsne.lua - t-SNE and trustworthiness for ml.lua with scikit-learn
-- 1.2's names, defaults and fitted attributes; the numerical work is C
-- (ml_tsne.core: runtime/ml/tsne.c, on the worker pool).
--
--   ml.TSNE{n_components=2, perplexity=30, early_exaggeration=12,
--          learning_rate='auto'|x, n_iter=1000, n_iter_without_progress=300,
--          min_grad_norm=1e-7, metric='euclidean', init='pca'|'random'|
--          (N, n_components) tensor, verbose=0, random_state=,
--          method='barnes_hut'|'exact', angle=0.5, n_jobs=}
--     :fit(X) -> self, :fit_transform(X) -> embedding_
--     embedding_ (N, n_components), kl_divergence_, n_iter_ (the last
--     iteration's 0-based number, as scikit-learn), learning_rate_
--     ('auto': max(N / early_exaggeration / 4, 50)), n_features_in_
--   ml.trustworthiness(X, X_embedded, {n_neighbors=5, metric='euclidean'})
--
-- As scikit-learn: conditional probabilities at the perplexity by a
-- binary search per row (Barnes-Hut: over the 3 * perplexity + 1 nearest
-- neighbours), symmetrised; 250 steps with P multiplied by
-- early_exaggeration and momentum 0.5, then momentum 0.8 up to n_iter,
-- progress checked every 50 steps (the KL divergence is computed then);
-- init='pca' is the first principal components scaled to standard
-- deviation 1e-4 in the first; 'random' draws N(0, 1e-4^2) from the
-- runtime's RNG (random_state re-seeds it). The PCA here is exact where
-- scikit-learn's is randomized (the same components up to rounding).
-- n_jobs is accepted and ignored: the pool's size is WORKBOOK_THREADS.
-- On a terminal a progress bar shows the iterations; verbose >= 1 prints
-- scikit-learn's [t-SNE] lines, verbose >= 2 every check.
local T = require "tensor"
local K = require "ml_tsne.core"
local fail = require "script_error"
local U = require "ml_util"
local sys = require "sys"
local text = require "nn_text"
local call, describe, is_int = U.call, U.describe, U.is_int

local EXPLORATION, CHECK_EVERY = 250, 50
local DBL_MAX = 1.7976931348623157e308
local DOING_DONE = setmetatable({}, {__close = function() sys.doing(nil) end})

return function(ml, S)

local TSNE = S.estimator_class("TSNE", {n_components = 2, perplexity = 30.0,
  early_exaggeration = 12.0, learning_rate = "auto", n_iter = 1000,
  n_iter_without_progress = 300, min_grad_norm = 1e-7, metric = "euclidean",
  init = "pca", verbose = 0, method = "barnes_hut", angle = 0.5},
  {"n_components", "perplexity", "early_exaggeration", "learning_rate",
   "n_iter", "n_iter_without_progress", "min_grad_norm", "metric", "init",
   "verbose", "random_state", "method", "angle", "n_jobs"})

local function check_int(e, k, lo)
  if not is_int(e[k]) or e[k] < lo then
    fail("TSNE: %s must be an integer >= %d, got %s", k, lo, describe(e[k]))
  end
end

function TSNE.check(e)
  check_int(e, "n_components", 1)
  S.check_number(e, "perplexity", 0, true)
  S.check_number(e, "early_exaggeration", 1)
  if e.learning_rate ~= "auto" and not (type(e.learning_rate) == "number"
     and e.learning_rate > 0 and e.learning_rate < math.huge) then
    fail("TSNE: learning_rate must be 'auto' or a positive number, got %s",
         describe(e.learning_rate))
  end
  check_int(e, "n_iter", 250)
  check_int(e, "n_iter_without_progress", -1)
  S.check_number(e, "min_grad_norm", 0)
  if e.metric ~= "euclidean" then
    fail("TSNE: metric must be 'euclidean' (the only metric supported here), got %s",
         describe(e.metric))
  end
  if not T.is_tensor(e.init) and e.init ~= "pca" and e.init ~= "random" then
    fail("TSNE: init must be 'pca', 'random' or an (n_samples, n_components) " ..
         "tensor, got %s", describe(e.init))
  end
  if not (e.verbose == true or e.verbose == false or (is_int(e.verbose) and e.verbose >= 0)) then
    fail("TSNE: verbose must be a non-negative integer, got %s", describe(e.verbose))
  end
  S.check_choice(e, "method", {"barnes_hut", "exact"})
  S.check_number(e, "angle", 0)
  if e.angle > 1 then fail("TSNE: angle must be in 0..1, got %s", describe(e.angle)) end
  S.check_random_state(e)
  if e.n_jobs ~= nil and not is_int(e.n_jobs) then
    fail("TSNE: n_jobs must be an integer or nil, got %s", describe(e.n_jobs))
  end
end

function ml.TSNE(o) return S.new_estimator(TSNE, o) end

local function verbosity(e)
  if e.verbose == true then return 1 end
  return e.verbose == false and 0 or e.verbose
end

-- scikit-learn's _gradient_descent from iteration `it` up to n_iter:
-- fresh update and gains, runs of steps up to each check, the check on
-- the error and the gradient norm. Returns the last error and the last
-- iteration's number.
local function descend(e, st, it, n_iter, momentum, lr, patience, ex, bar, what)
  call(what, st.reset, st)
  local v = verbosity(e)
  -- scikit-learn starts from the largest double (what a stage with no
  -- step left, n_iter = 250, reports as its KL divergence)
  local err, best, best_iter, last = DBL_MAX, DBL_MAX, it, it
  local i = it
  local clock = sys.clock()
  while i < n_iter do
    local stop = math.min((i // CHECK_EVERY + 1) * CHECK_EVERY - 1, n_iter - 1)
    sys.doing(("%s: iteration %d/%d"):format(what, stop + 1, e.n_iter))
    local check = (stop + 1) % CHECK_EVERY == 0
    local er, gnorm = call(what, st.run, st, stop - i + 1, momentum, lr, ex,
                           check or stop == n_iter - 1)
    err, last = er, stop
    if bar then bar:update(stop + 1, {{"kl_divergence", err}}) end
    if check then
      if v >= 2 then
        local now = sys.clock()
        print(("[t-SNE] Iteration %d: error = %.7f, gradient norm = %.7f " ..
               "(%d iterations in %.3fs)"):format(stop + 1, err, gnorm,
               CHECK_EVERY, now - clock))
        clock = now
      end
      if err < best then
        best, best_iter = err, stop
      elseif stop - best_iter > patience then
        if v >= 2 then
          print(("[t-SNE] Iteration %d: did not make any progress during the " ..
                 "last %d episodes. Finished."):format(stop + 1, patience))
        end
        break
      end
      if gnorm <= e.min_grad_norm then
        if v >= 2 then
          print(("[t-SNE] Iteration %d: gradient norm %f. Finished."):format(stop + 1, gnorm))
        end
        break
      end
    end
    i = stop + 1
  end
  return err, last
end

local function initial(e, X, n, what)
  local nc = math.tointeger(e.n_components)
  if T.is_tensor(e.init) then
    local s = e.init:shape()
    if #s ~= 2 or s[1] ~= n or s[2] ~= nc then
      fail("%s: init must be an (n_samples, n_components) = (%d, %d) tensor, got %s",
           what, n, nc, describe(e.init))
    end
    return e.init
  elseif e.init == "pca" then
    return call(what, K.pca_init, X, nc)
  end
  return T.randn(n, nc) * 1e-4
end

function TSNE:fit(X)
  local what = "TSNE.fit"
  X = U.as_matrix(X, what)
  local n, d = X:shape()[1], X:shape()[2]
  local nc = math.tointeger(self.n_components)
  if self.perplexity >= n then
    fail("%s: perplexity must be less than n_samples (perplexity = %s, n_samples = %d)",
         what, U.fmt_value(self.perplexity), n)
  end
  if n < 2 then fail("%s: t-SNE needs at least 2 samples, got %d", what, n) end
  if self.method == "barnes_hut" and nc > 3 then
    fail("%s: n_components should be at most 3 for the barnes_hut method " ..
         "(a quad tree or an oct tree), got %d; use method = 'exact'", what, nc)
  end
  local v = verbosity(self)
  local lr = self.learning_rate
  if lr == "auto" then lr = math.max(n / self.early_exaggeration / 4, 50) end
  self.learning_rate_ = lr
  U.reseed(self.random_state, what)
  local _ <close> = DOING_DONE
  sys.doing(what .. ": probabilities")
  local init = initial(self, X, n, what)
  if v >= 1 then
    if self.method == "exact" then
      print("[t-SNE] Computing pairwise distances...")
    else
      print(("[t-SNE] Computing %d nearest neighbors..."):format(
            math.min(n - 1, math.floor(3 * self.perplexity + 1))))
    end
  end
  local st, beta_sum = call(what, K.new, X, init, self.method, self.perplexity,
                            self.angle)
  if v >= 1 then
    print(("[t-SNE] Computed conditional probabilities for sample %d / %d"):format(n, n))
    print(("[t-SNE] Mean sigma: %f"):format(math.sqrt(n / beta_sum)))
  end
  local bar = sys.isatty(1) and text.progbar(self.n_iter) or nil
  local kl, it = descend(self, st, 0, EXPLORATION, 0.5, lr, EXPLORATION,
                         self.early_exaggeration, bar, what)
  if v >= 1 then
    print(("[t-SNE] KL divergence after %d iterations with early exaggeration: %f")
          :format(it + 1, kl))
  end
  kl, it = descend(self, st, it + 1, self.n_iter, 0.8, lr,
                   self.n_iter_without_progress, 1.0, bar, what)
  if bar then   -- an early stop ends the bar where it stopped
    bar.target = math.min(it + 1, self.n_iter)
    bar:finish({{"kl_divergence", kl}})
  end
  if v >= 1 then
    print(("[t-SNE] KL divergence after %d iterations: %f"):format(it + 1, kl))
  end
  self.embedding_ = call(what, st.embedding, st, n, nc)
  self.kl_divergence_, self.n_iter_ = kl, it
  self.n_features_in_, self.model_ = d, true
  return self
end

function TSNE:fit_transform(X) return self:fit(X).embedding_ end

function TSNE:transform()
  fail("TSNE.transform: t-SNE has no transform for new points (as in " ..
       "scikit-learn); use fit_transform(X) on all the points")
end

TSNE.save = function()
  fail("TSNE.save: a t-SNE model cannot be saved; save its embedding_ " ..
       "tensor instead")
end
U.dot_guard(TSNE, S.is_estimator, "tsne", {check = true})

-- scikit-learn's trustworthiness: 1 - 2 / (n k (2n - 3k - 1)) times the
-- sum, over each point's k nearest neighbours in X_embedded, of how far
-- beyond k their rank among its neighbours in X is
function ml.trustworthiness(X, Y, opts)
  local what = "ml.trustworthiness"
  local o = U.check_options(opts, {n_neighbors = "number", metric = "string"}, what)
  local k = o.n_neighbors == nil and 5 or o.n_neighbors
  if not is_int(k) or k < 1 then
    fail("%s: n_neighbors must be a positive integer, got %s", what, describe(k))
  end
  if o.metric ~= nil and o.metric ~= "euclidean" then
    fail("%s: metric must be 'euclidean' (the only metric supported here), got %s",
         what, describe(o.metric))
  end
  X = U.as_matrix(X, what)
  Y = U.as_tensor(Y, what)
  if Y:dim() ~= 2 then
    fail("%s: X_embedded must be 2-D (samples, components), got %s", what, describe(Y))
  end
  return call(what, K.trustworthiness, X, Y, math.tointeger(k))
end

end
