-- tsne.lua - speed of ml.TSNE (Barnes-Hut) beside scikit-learn's in the
-- same run (bench/tsne_sklearn.py, Debian's python3-sklearn): the first
-- N (5,000) Fashion-MNIST training images reduced to 50 dimensions by
-- PCA (an SVD of the centred pixels, here), handed to scikit-learn as
-- .npy, both started from the same init array (PCA start computed here,
-- so both run the same schedule from the same points). Target (issue
-- 13): at least 2x scikit-learn with 2 threads. Prints seconds, the KL
-- divergence and the trustworthiness side by side; asserts nothing.
--   ./workbook run bench/tsne.lua [--n N]
local T, ml, data, sys = require "tensor", require "ml", require "data", require "sys"
local linalg = require "linalg"

local n = 5000
if arg[1] == "--n" then n = math.tointeger(tonumber(arg[2])) end
local here = arg[0]:match("(.*/)") or "./"

local fm = data.fashion_mnist()
local X = fm.train.x:reshape(60000, 784):slice(1, 1, n):contiguous()
X = X - X:mean(1)
local U, S = linalg.svd(X, {full_matrices = false})
local X50 = (U:slice(2, 1, 50) * S:slice(1, 1, 50)):contiguous()
local init = (require "ml_tsne.core").pca_init(X50, 2):float()

local dir = os.tmpname()
os.remove(dir)
os.execute("mkdir -p " .. dir)
T.save(X50, dir .. "/x.npy")
T.save(init, dir .. "/init.npy")

local ours = {}
local t0, c0 = sys.clock(), os.clock()
local ts = ml.TSNE{init = init, random_state = 0}:fit(X50)
ours.fit, ours.fit_cpu = sys.clock() - t0, os.clock() - c0
ours.kl, ours.n_iter = ts.kl_divergence_, ts.n_iter_
t0 = sys.clock()
ours.trust = ml.trustworthiness(X50, ts.embedding_)
ours.trust_time = sys.clock() - t0

local theirs = {}
local py = io.popen(("/usr/bin/python3 %stsne_sklearn.py %s 2>/dev/null"):format(here, dir))
for line in py:lines() do
  local k, v = line:match("^(%S+) (%S+)$")
  if k then theirs[k] = tonumber(v) end
end
py:close()
os.execute("rm -rf " .. dir)

local function f(v, fmt) return v and fmt:format(v) or "-" end
print(("%-46s %12s %12s %8s"):format(("t-SNE, %d Fashion-MNIST images, PCA-50 (noisy timings)"):format(n),
      "workbook", "sklearn", "speedup"))
print(("%-46s %10.2f s %12s %8s"):format("TSNE barnes_hut fit (wall)", ours.fit,
      f(theirs.fit, "%.2f s"), theirs.fit and ("%.2fx"):format(theirs.fit / ours.fit) or "-"))
print(("%-46s %10.2f s %12s %8s"):format("  CPU seconds (all threads)", ours.fit_cpu,
      f(theirs.fit_cpu, "%.2f s"), theirs.fit_cpu and ("%.2fx"):format(theirs.fit_cpu / ours.fit_cpu) or "-"))
print(("%-46s %12.4f %12s"):format("  kl_divergence_", ours.kl, f(theirs.kl, "%.4f")))
print(("%-46s %12d %12s"):format("  n_iter_", ours.n_iter, f(theirs.n_iter, "%d")))
print(("%-46s %12.4f %12s"):format("  trustworthiness (k=5)", ours.trust, f(theirs.trust, "%.4f")))
print(("%-46s %10.2f s %12s %8s"):format("trustworthiness (k=5)", ours.trust_time,
      f(theirs.trust_time, "%.2f s"), theirs.trust_time and ("%.2fx"):format(theirs.trust_time / ours.trust_time) or "-"))
if not next(theirs) then print("scikit-learn: not measured (needs Debian's python3-sklearn)") end
