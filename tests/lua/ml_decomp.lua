-- ml_decomp.lua - PCA, IncrementalPCA, KernelPCA, LLE, Isomap and MDS
-- (runtime/lua/ml_decomp.lua) against scikit-learn 1.2's numbers in
-- tests/fixtures/decomp/ (make_decomp.py), and the errors for bad input.
-- Tolerances are the issue's: PCA 1e-4 (signs included), KernelPCA and
-- Isomap 1e-3 up to each column's sign, LLE a Procrustes disparity below
-- 1e-3; MDS runs from sklearn's init, so the SMACOF iterations are the
-- same (the same n_iter_) and the stress, computed in double from the
-- float32 data, agrees within 1e-6 relative.
local t = require "tap"
local T = require "tensor"
local ml = require "ml"
local data = require "data"
local DIR = "tests/fixtures/decomp/"
local sk = dofile(DIR .. "answers.lua")
local function load(name) return T.load(DIR .. name .. ".npy") end

-- largest |a - b| / max(|b|, 1) over the elements
local function err(a, b)
  a = T.is_tensor(a) and a or T(a)
  b = T.is_tensor(b) and b or T(b)
  a, b = t.flat(a), t.flat(b)
  if #a ~= #b then return math.huge end
  local m = 0
  for i = 1, #a do m = math.max(m, math.abs(a[i] - b[i]) / math.max(math.abs(b[i]), 1)) end
  return m
end

local function close(a, b, tol, name)
  local e = err(a, b)
  if not t.ok(e <= tol, name) then t.diag(("error %g > %g"):format(e, tol)) end
end

-- a with each column's sign chosen to agree with b's
local function match_signs(a, b)
  a = a:clone()
  b = T.is_tensor(b) and b or T(b)
  local n, p = a:shape()[1], a:shape()[2]
  for c = 1, p do
    local dot = (a:slice(2, c, c) * b:slice(2, c, c)):sum()
    if dot < 0 then a:slice(2, c, c):copy(a:slice(2, c, c) * -1) end
  end
  return a
end

-- scipy.spatial.procrustes' disparity for two (n, 2) configurations
local function disparity(a, b)
  local function standard(m)
    m = m - m:mean(1)
    return m / math.sqrt((m * m):sum())
  end
  a, b = standard(a), standard(b)
  local M = a:transpose(1, 2):matmul(b):totable()
  local fro = M[1][1] ^ 2 + M[1][2] ^ 2 + M[2][1] ^ 2 + M[2][2] ^ 2
  local det = M[1][1] * M[2][2] - M[1][2] * M[2][1]
  local nuc = math.sqrt(fro + 2 * math.abs(det))   -- sum of singular values
  return 1 - nuc * nuc
end

-- ---- PCA ---------------------------------------------------------------------
local tall, tq = load("pca_tall"), load("pca_tall_q")
for _, case in ipairs {{"pca3", {n_components = 3}}, {"pca_all", {}},
                       {"pca_frac", {n_components = 0.9}},
                       {"pca_white", {n_components = 3, whiten = true}}} do
  local name, want = case[1], sk[case[1]]
  local opts = case[2]
  opts.svd_solver = "full"
  local m = ml.PCA(opts):fit(tall)
  t.is(m.n_components_, want.k, name .. " n_components_")
  close(m.components_, want.components, 1e-4, name .. " components_ (signs too)")
  close(m.explained_variance_, want.ev, 1e-4, name .. " explained_variance_")
  close(m.explained_variance_ratio_, want.ratio, 1e-4, name .. " explained_variance_ratio_")
  close(m.singular_values_, want.sv, 1e-4, name .. " singular_values_")
  close(m.mean_, want.mean, 1e-4, name .. " mean_")
  t.near(m.noise_variance_, want.noise, 1e-4 * math.max(1, math.abs(want.noise)),
         name .. " noise_variance_")
  local Z = m:transform(tq)
  close(Z, want.Z, 1e-4, name .. " transform")
  close(m:inverse_transform(Z), want.back, 1e-4, name .. " inverse_transform")
end
do
  local m = ml.PCA{n_components = 3}
  close(m:fit_transform(tall), ml.PCA{n_components = 3}:fit(tall):transform(tall), 1e-6,
        "fit_transform = fit then transform")
  t.is(m._fit_svd_solver, "full", "auto takes 'full' for small data, as scikit-learn")
end

do
  local big, want = load("pca_big"), sk.pca_big
  local m = ml.PCA{n_components = 2, svd_solver = "full"}:fit(big)
  close(m.components_, want.components, 1e-4, "PCA on 2500 rows (two blocks) components_")
  close(m.explained_variance_ratio_, want.ratio, 1e-4, "... explained_variance_ratio_")
  close(m.singular_values_, want.sv, 1e-4, "... singular_values_")
  t.near(m.noise_variance_, want.noise, 1e-4 * math.max(1, want.noise), "... noise_variance_")
  close(m:transform(big:slice(1, 1, 3)), want.Z, 1e-4, "... transform")
  local d = ml.PCA{n_components = 3, svd_solver = "full"}:fit(tall:double())
  close(d.components_, sk.pca3.components, 1e-4, "PCA takes a float64 X (as float32)")
end

local wide = load("pca_wide")
do
  local m, want = ml.PCA{n_components = 5, svd_solver = "full"}:fit(wide), sk.pca_wide
  close(m.components_, want.components, 1e-4, "wide PCA components_ (Gram path)")
  close(m.explained_variance_ratio_, want.ratio, 1e-4, "wide PCA explained_variance_ratio_")
  close(m.singular_values_, want.sv, 1e-4, "wide PCA singular_values_")
  t.near(m.noise_variance_, want.noise, 1e-4 * math.abs(want.noise), "wide PCA noise_variance_")
  close(m:transform(wide:slice(1, 1, 3)), want.Z, 1e-4, "wide PCA transform")
  local all = ml.PCA{svd_solver = "full"}:fit(wide)
  local C = all.components_
  close(C:matmul(C:transpose(1, 2)), T.eye(10), 1e-4,
        "wide PCA with all components: orthonormal rows (the null direction completed)")
end

local rnd = load("pca_rnd")
for _, case in ipairs {{"pca_rnd", rnd}, {"pca_rnd_wide", rnd:transpose(1, 2):contiguous()}} do
  local name, X, want = case[1], case[2], sk[case[1]]
  local m = ml.PCA{n_components = 5, svd_solver = "randomized", random_state = 0}:fit(X)
  close(m.components_, want.components, 1e-4, name .. " components_ (randomized)")
  close(m.explained_variance_, want.ev, 1e-4, name .. " explained_variance_")
  close(m.explained_variance_ratio_, want.ratio, 1e-4, name .. " explained_variance_ratio_")
  close(m.singular_values_, want.sv, 1e-4, name .. " singular_values_")
  t.near(m.noise_variance_, want.noise, 1e-4 * math.max(1, math.abs(want.noise)),
         name .. " noise_variance_")
  close(m:transform(X:slice(1, 1, 4)), want.Z, 1e-4, name .. " transform")
  for _, norm in ipairs {"QR"} do
    local q = ml.PCA{n_components = 5, svd_solver = "randomized", random_state = 1,
                     power_iteration_normalizer = norm}:fit(X)
    close(q.components_, want.components, 1e-4, name .. " components_ with " .. norm ..
          " power_iteration_normalizer")
  end
  local f = ml.PCA{n_components = 5, svd_solver = "full"}:fit(X)
  close(f.components_, want.components, 1e-4, name .. " full solver gives the same components")
end

-- ---- IncrementalPCA ----------------------------------------------------------
local ip = load("ipca")
do
  local m, want = ml.IncrementalPCA{n_components = 3, batch_size = 20}:fit(ip), sk.ipca
  t.is(m.n_samples_seen_, want.seen, "IncrementalPCA n_samples_seen_")
  close(m.components_, want.components, 1e-4, "IncrementalPCA components_")
  close(m.explained_variance_, want.ev, 1e-4, "IncrementalPCA explained_variance_")
  close(m.explained_variance_ratio_, want.ratio, 1e-4, "IncrementalPCA explained_variance_ratio_")
  close(m.singular_values_, want.sv, 1e-4, "IncrementalPCA singular_values_")
  close(m.mean_, want.mean, 1e-4, "IncrementalPCA mean_")
  close(m.var_, want.var, 1e-4, "IncrementalPCA var_")
  t.near(m.noise_variance_, want.noise, 1e-4 * math.max(1, want.noise), "IncrementalPCA noise_variance_")
  close(m:transform(ip:slice(1, 1, 4)), want.Z, 1e-4, "IncrementalPCA transform")
  local p = ml.IncrementalPCA{n_components = 3}
  p:partial_fit(ip:slice(1, 1, 50)):partial_fit(ip:slice(1, 51, 103))
  want = sk.ipca_partial
  t.is(p.n_samples_seen_, want.seen, "partial_fit n_samples_seen_")
  close(p.components_, want.components, 1e-4, "partial_fit components_")
  close(p.singular_values_, want.sv, 1e-4, "partial_fit singular_values_")
  close(p.mean_, want.mean, 1e-4, "partial_fit mean_")
  close(p.var_, want.var, 1e-4, "partial_fit var_")
end

-- ---- KernelPCA ----------------------------------------------------------------
local kx, kq = load("kpca"), load("kpca_q")
for _, case in ipairs {{"linear", {}}, {"poly", {}}, {"rbf", {gamma = 0.5}},
                       {"rbf_default", {}}, {"sigmoid", {gamma = 0.05, coef0 = 0.2}},
                       {"cosine", {}}} do
  local name, want = case[1], sk.kpca[case[1]]
  local opts = case[2]
  opts.kernel, opts.n_components = name:match("^[a-z]+"), 2
  local m = ml.KernelPCA(opts)
  local Z = m:fit_transform(kx)
  close(m.eigenvalues_, want.eig, 1e-3, "KernelPCA " .. name .. " eigenvalues_")
  close(m.eigenvectors_, want.vec, 1e-3, "KernelPCA " .. name .. " eigenvectors_ (svd_flip signs)")
  close(match_signs(Z, want.Z), want.Z, 1e-3, "KernelPCA " .. name .. " fit_transform")
  close(match_signs(m:transform(kq), want.Zq), want.Zq, 1e-3, "KernelPCA " .. name .. " transform")
end
do
  local m = ml.KernelPCA{n_components = 2, kernel = "rbf", gamma = 0.5,
                         fit_inverse_transform = true, alpha = 0.1}:fit(kx)
  close(m:inverse_transform(m:transform(kq)), sk.kpca.inverse.back, 1e-3,
        "KernelPCA inverse_transform (kernel ridge pre-image)")
  local Kfit = T.exp((kx:reshape(60, 1, 3) - kx:reshape(1, 60, 3)):square():sum(3) * -0.5)
  local Kq = T.exp((kq:reshape(5, 1, 3) - kx:reshape(1, 60, 3)):square():sum(3) * -0.5)
  local p = ml.KernelPCA{n_components = 3, kernel = "precomputed"}:fit(Kfit)
  close(p.eigenvalues_, sk.kpca.precomputed.eig, 1e-3, "KernelPCA precomputed eigenvalues_")
  close(match_signs(p:transform(Kq), sk.kpca.precomputed.Zq), sk.kpca.precomputed.Zq,
        1e-3, "KernelPCA precomputed transform")
  local a = ml.KernelPCA{kernel = "rbf", gamma = 0.5}:fit(kx)
  t.is(a.eigenvalues_:shape()[1], sk.kpca.all.n,
       "KernelPCA n_components = nil keeps the positive eigenvalues")
  close(a.eigenvalues_:slice(1, 1, 4), sk.kpca.all.top, 1e-3, "... the largest ones equal")
end

-- ---- LLE, Isomap -------------------------------------------------------------
local roll, rq = load("roll"), load("roll_q")
t.near(disparity(load("lle_embedding"), load("procrustes_b")), sk.procrustes, 1e-6,
       "the Procrustes disparity here equals scipy's")
do
  local m = ml.LocallyLinearEmbedding{n_neighbors = 10, n_components = 2}
  local E = m:fit_transform(roll)
  local dis = disparity(E, load("lle_embedding"))
  if not t.ok(dis < 1e-3, "LLE embedding within a Procrustes disparity of 1e-3") then
    t.diag("disparity " .. dis)
  end
  t.near(m.reconstruction_error_, sk.lle.err, 1e-3 * math.abs(sk.lle.err) + 1e-9,
         "LLE reconstruction_error_")
end
do
  local m = ml.Isomap{n_neighbors = 8, n_components = 2}
  local E = m:fit_transform(roll)
  local want = load("isomap_embedding")
  close(match_signs(E, want), want, 1e-3, "Isomap embedding_ (up to sign)")
  close(m.dist_matrix_:slice(1, 1, 5):slice(2, 1, 8), sk.isomap.D5, 1e-4,
        "Isomap dist_matrix_ (geodesic distances)")
  close(m.kernel_pca_.eigenvalues_, sk.isomap.eig, 1e-3, "Isomap kernel_pca_ eigenvalues_")
  close(match_signs(m:transform(rq), sk.isomap.Zq), sk.isomap.Zq, 1e-3, "Isomap transform")
end

-- ---- MDS ---------------------------------------------------------------------
do
  local mx, init = load("mds"), load("mds_init")
  local m = ml.MDS{n_components = 2, n_init = 1}
  local E = m:fit_transform(mx, {init = init})
  t.is(m.n_iter_, sk.mds.n_iter, "MDS n_iter_ from the same init")
  t.near(m.stress_, sk.mds.stress, 1e-6 * sk.mds.stress, "MDS stress_ from the same init (1e-6 relative)")
  close(E, sk.mds.emb, 1e-3, "MDS embedding_ from the same init")
  local D = ((mx:reshape(30, 1, 4) - mx:reshape(1, 30, 4)):square():sum(3)):sqrt()
  local p = ml.MDS{dissimilarity = "precomputed", n_init = 1, max_iter = 50}:fit(D, {init = init})
  t.is(p.n_iter_, sk.mds_pre.n_iter, "MDS precomputed n_iter_")
  t.near(p.stress_, sk.mds_pre.stress, 1e-6 * sk.mds_pre.stress, "MDS precomputed stress_")
  local r = ml.MDS{random_state = 0}:fit(mx)
  t.ok(r.stress_ < 1.5 * sk.mds.stress, "MDS from random starts (best of 4) reaches a low stress")
end

-- ---- data generators ------------------------------------------------------------
do
  local X, tt = data.make_s_curve{n_samples = 50, random_state = 0}
  t.is(X:shape()[2], 3, "make_s_curve gives (n, 3)")
  local x, tv = X:totable(), tt:totable()
  local ok = true
  for i = 1, 50 do
    local s = tv[i] < 0 and -1 or 1
    ok = ok and math.abs(x[i][1] - math.sin(tv[i])) < 1e-5 and
         math.abs(x[i][3] - s * (math.cos(tv[i]) - 1)) < 1e-5 and x[i][2] >= 0 and x[i][2] <= 2
  end
  t.ok(ok, "make_s_curve: x = sin t, z = sign(t)(cos t - 1), y in [0, 2]")
  t.ok(ml.make_swiss_roll ~= nil and ml.make_moons ~= nil and ml.make_s_curve ~= nil,
       "the generators are reachable from ml too")
end

-- ---- bad input -------------------------------------------------------------------
local nan = tall:clone(); nan[3][2] = 0 / 0
t.raises(function() ml.PCA{n_components = 2}:fit(nan) end,
         "PCA.fit: X row 3, column 2 is NaN", "PCA: NaN names its place")
t.raises(function() ml.PCA{n_components = 7}:fit(tall) end,
         "n_components = 7 must be between 1 and min%(n_samples, n_features%) = 6",
         "PCA: n_components > features")
t.raises(function() ml.PCA{n_components = 2}:fit(tall):transform(T.zeros(3, 5)) end,
         "PCA.transform: X has 5 features, but PCA was fitted with 6",
         "PCA: transform with another feature count")
t.raises(function() ml.PCA{n_components = 2}:transform(tall) end,
         "PCA.transform: the model is not fitted yet; call fit%(X%) first",
         "PCA: transform before fit")
t.raises(function() ml.PCA{n_components = 2}:fit(tall):inverse_transform(T.zeros(2, 3)) end,
         "X has 3 columns, the model has 2 components", "PCA: inverse_transform with other columns")
t.raises(function() ml.MDS{dissimilarity = "precomputed"}:fit(T({{0, 1}, {2, 0}})) end,
         "must be symmetric %(row 1, column 2 differs%)", "MDS: asymmetric dissimilarities")
t.raises(function() ml.KernelPCA{kernel = "precomputed"}:fit(T.zeros(3, 4)) end,
         "must be square", "KernelPCA: a precomputed kernel that is not square")
t.raises(function() ml.PCA{n_component = 2} end, "n_components", "PCA: misspelt option")
t.raises(function() ml.PCA{svd_solver = "arpack"} end, "not offered", "PCA: arpack")
t.raises(function() ml.KernelPCA{kernel = "rbff"} end, "kernel", "KernelPCA: bad kernel")
t.raises(function() ml.KernelPCA{n_components = 2}:fit(kx):transform(T.zeros(2, 4)) end,
         "X has 4 features", "KernelPCA: transform with another feature count")
t.raises(function() ml.KernelPCA{n_components = 2}:fit(kx):inverse_transform(T.zeros(2, 2)) end,
         "fit_inverse_transform = true", "KernelPCA: inverse without fit_inverse_transform")
t.raises(function() ml.Isomap{n_neighbors = 300}:fit(roll) end,
         "n_neighbors = 300 must be less than n_samples = 300", "Isomap: n_neighbors >= samples")
t.raises(function() ml.LocallyLinearEmbedding{n_neighbors = 400}:fit(roll) end,
         "n_neighbors = 400 must be less than n_samples = 300", "LLE: n_neighbors >= samples")
t.raises(function() ml.LocallyLinearEmbedding{n_components = 4}:fit(roll) end,
         "n_components = 4 must be <= n_features = 3", "LLE: n_components > features")
t.raises(function() ml.Isomap{}:fit(roll):transform(T.zeros(2, 2)) end,
         "X has 2 features", "Isomap: transform with another feature count")
t.raises(function() ml.Isomap{n_neighbors = 1}:fit(roll) end, "not connected",
         "Isomap: a graph in pieces says to raise n_neighbors")
t.raises(function() ml.LocallyLinearEmbedding{method = "hessian"} end,
         "only method = 'standard'", "LLE: other methods")
t.raises(function() ml.MDS{metric = false} end, "metric = true", "MDS: non-metric")
t.raises(function() ml.MDS{}:fit(nan) end, "NaN", "MDS: NaN")
t.raises(function() ml.IncrementalPCA{n_components = 9}:fit(ip) end,
         "n_components = 9 must be <= n_features = 8", "IncrementalPCA: n_components > features")
t.raises(function() ml.IncrementalPCA{n_components = 3}:fit(ip):partial_fit(T.zeros(5, 4)) end,
         "X has 4 features", "IncrementalPCA: partial_fit with another feature count")

t.done()
