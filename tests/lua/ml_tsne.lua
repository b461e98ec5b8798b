-- ml_tsne.lua - ml.TSNE and ml.trustworthiness against scikit-learn 1.2
-- (tests/fixtures/tsne/, made by tests/fixtures/make_tsne.py):
--   exact and Barnes-Hut t-SNE started from the same init arrays reach a
--   mean KL divergence within 2% of scikit-learn's and a mean
--   trustworthiness within 0.01, with the same n_iter_ and learning_rate_
--   (single runs, init='pca' among them, within 5%);
--   the stopping rules give scikit-learn's n_iter_; trustworthiness of a
--   given pair, the conditional probabilities, the joint probabilities
--   (exact and nearest-neighbour) and the PCA start within 1e-6 (relative
--   for the start); bad input as errors at the script's line.
-- The descent is chaotic: rounding differences grow until two runs
-- differ point by point, and scikit-learn itself lands up to 3% apart
-- from inits scaled by 1 + 1e-9 (or from a float32 and a float64 copy of
-- one init; the fixtures use float64 inits, as the embedding here is
-- double). So the main cases compare means over five such inits.
local t = require "tap"
local T = require "tensor"
local ml = require "ml"
local K = require "ml_tsne.core"

local F = "tests/fixtures/tsne/"
local sk = dofile(F .. "expected.lua")
local function load(name) return T.load(F .. name .. ".npy") end
local X, Y0 = load("X"), load("Y0")

local function maxdiff(a, b) return (a:double() - b:double()):abs():max() end

local function compare(name, opts, want, kl_tol)
  local ts = ml.TSNE(opts)
  local Y = ts:fit_transform(X)
  local kl = ts.kl_divergence_
  kl_tol = kl_tol or 0.02
  local ok = t.ok(math.abs(kl - want.kl) <= kl_tol * want.kl,
                  ("%s: KL divergence within %g%% of scikit-learn's"):format(name, kl_tol * 100))
  if not ok then t.diag(("KL %.6f, scikit-learn %.6f"):format(kl, want.kl)) end
  t.near(ml.trustworthiness(X, Y), want.trust, 0.01, name .. ": trustworthiness within 0.01")
  t.is(ts.n_iter_, want.n_iter, name .. ": n_iter_")
  t.near(ts.learning_rate_, want.learning_rate, 1e-12, name .. ": learning_rate_")
  return ts
end

-- ---- the optimisation against scikit-learn ---------------------------------------

-- the mean KL divergence and trustworthiness over the fixture's five
-- inits Y0 * (1 + 1e-9 k) against scikit-learn's means
local ENSEMBLE = 5
local function ensemble(name, opts, want)
  local kl, trust, last = 0, 0, nil
  for k = 0, ENSEMBLE - 1 do
    local o = {init = Y0:double() * (1 + 1e-9 * k)}
    for key, v in pairs(opts) do o[key] = v end
    last = ml.TSNE(o)
    local Y = last:fit_transform(X)
    kl = kl + last.kl_divergence_ / ENSEMBLE
    trust = trust + ml.trustworthiness(X, Y) / ENSEMBLE
    t.is(last.n_iter_, want.n_iter, ("%s, init %d: n_iter_"):format(name, k))
  end
  local ok = t.ok(math.abs(kl - want.kl) <= 0.02 * want.kl,
                  name .. ": mean KL divergence within 2% of scikit-learn's")
  t.diag(("%s: mean KL %.5f, scikit-learn %.5f (its range %.5f .. %.5f)"):format(
         name, kl, want.kl, want.kl_min, want.kl_max))
  if not ok then t.diag("failed") end
  t.near(trust, want.trust, 0.01, name .. ": mean trustworthiness within 0.01")
  t.near(last.learning_rate_, want.learning_rate, 1e-12, name .. ": learning_rate_")
  return last
end

local ex = ensemble("exact", {method = "exact"}, sk.exact)
t.ok(ex.embedding_:shape()[1] == 150 and ex.embedding_:shape()[2] == 2,
     "embedding_ is (n_samples, n_components)")
t.is(ex.n_features_in_, 10, "n_features_in_")
ensemble("barnes_hut", {}, sk.bh)
ensemble("exact, perplexity 10, learning_rate 100, early_exaggeration 4",
         {method = "exact", perplexity = 10, learning_rate = 100,
          early_exaggeration = 4}, sk.exact_p10)
-- single runs (within 5%: one run of a chaotic descent)
compare("barnes_hut, init='pca'", {init = "pca"}, sk.bh_pca, 0.05)
-- (after 100 steps the KL divergence still falls fast: within 5%)
compare("stop on the gradient norm", {method = "exact", init = Y0, min_grad_norm = 10},
        sk.stop, 0.05)
compare("n_iter = 300", {init = Y0, n_iter = 300}, sk.short, 0.05)

-- 3-D Barnes-Hut (dof 2) is still far from converged after 1000
-- iterations: scikit-learn reaches 0.83 from a float32 init and 1.23
-- from the same values in float64. Ours must be no worse than its.
do
  local ts = ml.TSNE{n_components = 3, init = load("Y0_3d")}:fit(X)
  t.ok(ts.kl_divergence_ <= sk.bh_3d.kl * 1.02, "3-D Barnes-Hut: KL no worse than scikit-learn's")
  t.ok(ml.trustworthiness(X, ts.embedding_) >= sk.bh_3d.trust - 0.01,
       "3-D Barnes-Hut: trustworthiness no worse than scikit-learn's")
  t.is(ts.embedding_:shape()[2], 3, "3-D embedding")
end

-- init = 'random': the runtime's RNG, random_state re-seeds it
do
  local a = ml.TSNE{init = "random", random_state = 3, n_iter = 250}:fit(X).embedding_
  local b = ml.TSNE{init = "random", random_state = 3, n_iter = 250}:fit(X).embedding_
  local c = ml.TSNE{init = "random", random_state = 4, n_iter = 250}:fit(X).embedding_
  t.ok(maxdiff(a, b) == 0, "init='random': the same random_state gives the same embedding")
  t.ok(maxdiff(a, c) > 0, "init='random': another random_state another one")
end

-- n_iter = 250 leaves the second stage no step: scikit-learn reports the
-- largest double as the KL divergence and 250 as n_iter_
do
  local ts = ml.TSNE{init = Y0, n_iter = 250}:fit(X)
  t.ok(ts.kl_divergence_ == sk.n250.kl and ts.n_iter_ == sk.n250.n_iter,
       "n_iter = 250: scikit-learn's kl_divergence_ and n_iter_")
end

-- ---- pieces against scikit-learn --------------------------------------------------

t.near(ml.trustworthiness(X, load("E")), sk.trust_pair.k5, 1e-6, "trustworthiness k=5")
t.near(ml.trustworthiness(X, load("E"), {n_neighbors = 12}), sk.trust_pair.k12, 1e-6,
       "trustworthiness k=12")
t.ok(maxdiff(K.conditional(load("D2"), 3.0), load("cond")) <= 1e-6,
     "conditional probabilities over all points (_binary_search_perplexity)")
t.ok(maxdiff(K.conditional(load("D2_knn"), 2.0), load("cond_knn")) <= 1e-6,
     "conditional probabilities over neighbours")
t.ok(maxdiff(K.joint(load("Xs"), 3.0, "exact"), load("joint")) <= 1e-6,
     "joint probabilities, exact (_joint_probabilities)")
t.ok(maxdiff(K.joint(load("Xs"), 2.0, "barnes_hut"), load("joint_nn")) <= 1e-6,
     "joint probabilities over neighbours (_joint_probabilities_nn)")
t.ok(maxdiff(K.pca_init(X, 2), load("pca_init")) <= 1e-10,
     "PCA start: scikit-learn's components, signs and scale (n >= d)")
t.ok(maxdiff(K.pca_init(load("Xw"), 2), load("pca_init_wide")) <= 1e-10,
     "PCA start: signs from v when n < d")

-- ---- errors at the script's line ---------------------------------------------------

local Xnan = X:clone()
Xnan[3][4] = 0 / 0
t.raises(function() ml.TSNE{init = Y0}:fit(Xnan) end,
         "TSNE.fit: X row 3, column 4 is NaN", "NaN in X")
t.raises(function() ml.TSNE{perplexity = 150}:fit(X) end,
         "perplexity must be less than n_samples", "perplexity >= n_samples")
t.raises(function() ml.TSNE{n_components = 4}:fit(X) end,
         "n_components should be at most 3 for the barnes_hut", "n_components 4 with barnes_hut")
t.raises(function() ml.TSNE{init = T.zeros(149, 2)}:fit(X) end,
         "init must be an %(n_samples, n_components%) = %(150, 2%) tensor", "init of the wrong shape")
t.raises(function() ml.TSNE{init = T.zeros(150, 3)}:fit(X) end,
         "init must be an", "init with the wrong number of columns")
t.raises(function() ml.TSNE{metric = "cosine"} end, "metric must be 'euclidean'", "unknown metric")
t.raises(function() ml.TSNE{method = "fast"} end, "method must be one of", "unknown method")
t.raises(function() ml.TSNE{perplexty = 5} end, "perplexity", "misspelt option names the right one")
t.raises(function() ml.TSNE{n_iter = 100} end, "n_iter must be an integer >= 250", "n_iter < 250")
t.raises(function() ml.TSNE{learning_rate = -1} end, "learning_rate must be 'auto' or a positive",
         "negative learning_rate")
t.raises(function() ml.TSNE{angle = 2} end, "angle must be in 0..1", "angle > 1")
t.raises(function() ml.TSNE{init = "spectral"} end, "init must be 'pca', 'random' or", "unknown init")
t.raises(function() ml.TSNE():fit(T.zeros(5)) end, "X must be 2%-D", "1-D X")
t.raises(function() ml.TSNE():transform(X) end, "no transform", "no transform for new points")
t.raises(function() ml.TSNE().fit(X) end, "instead of ':'", "fit with '.'")
t.raises(function() ml.trustworthiness(X, load("E"), {n_neighbors = 75}) end,
         "should be at least 1 and less than n_samples / 2", "trustworthiness n_neighbors too large")
t.raises(function() ml.trustworthiness(X, load("E"):slice(1, 1, 100)) end,
         "X has 150 samples but X_embedded has 100", "trustworthiness with unequal rows")
t.raises(function() ml.trustworthiness(X, load("E"), {n_neighbours = 3}) end,
         "n_neighbors", "trustworthiness misspelt option")

-- ---- output: nothing unless verbose (no bar when stdout is not a terminal) ---

do
  local bin = os.getenv("WORKBOOK") or "./workbook"
  local dir = os.tmpname()
  os.remove(dir)
  os.execute("mkdir -p " .. dir)
  local script = dir .. "/fit.lua"
  t.write(script, [[
local T, ml = require "tensor", require "ml"
local X = T.load("tests/fixtures/tsne/X.npy")
ml.TSNE{init = "random", random_state = 0, n_iter = 300, verbose = tonumber(arg[1])}:fit(X)
]])
  local quiet = t.sh(bin .. " run " .. script .. " 0 | cat")
  t.is(quiet, "", "verbose=0 into a pipe prints nothing")
  local loud = t.sh(bin .. " run " .. script .. " 2 | cat")
  t.has(loud, "[t-SNE] Computing 91 nearest neighbors...", "verbose: the neighbours line")
  t.has(loud, "[t-SNE] Iteration 50: error = ", "verbose=2: the checks")
  t.has(loud, "[t-SNE] KL divergence after 300 iterations:", "verbose: the final KL line")
  os.execute("rm -rf " .. dir)
end

t.done()
