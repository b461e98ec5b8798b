-- pca.lua - speed of ml.PCA{n_components = 50} on the 60,000 Fashion-MNIST
-- training images (784 pixels in [0, 1]) beside scikit-learn in the same
-- run (bench/pca_sklearn.py, Debian's python3-sklearn), for svd_solver
-- 'auto' (both sides take 'randomized' here), 'randomized' and 'full'
-- (ours: eigenvectors of the covariance accumulated in double; theirs:
-- an SVD of the 60000 x 784 data). Target (issue 13): at least as fast
-- as scikit-learn, aim 2x. Prints seconds (wall and CPU of all threads)
-- and the summed explained variance ratio of the 50 components (the
-- two solvers agree with each other and with scikit-learn); asserts
-- nothing. Timings are noisy on a shared machine.
--   ./workbook run bench/pca.lua [--no-full]   (skip scikit-learn's slow 'full')
local ml, data, sys = require "ml", require "data", require "sys"

local skip_full = arg[1] == "--no-full"
local here = arg[0]:match("(.*/)") or "./"
local X = data.fashion_mnist().train.x:reshape(60000, 784):contiguous()

local ours, solvers = {}, {"auto", "randomized", "full"}
for _, s in ipairs(solvers) do
  local t0, c0 = sys.clock(), os.clock()
  local m = ml.PCA{n_components = 50, svd_solver = s, random_state = 0}:fit(X)
  ours[s], ours[s .. "_cpu"] = sys.clock() - t0, os.clock() - c0
  ours[s .. "_ratio"] = m.explained_variance_ratio_:sum()
end

local theirs = {}
local py = io.popen(("/usr/bin/python3 %spca_sklearn.py %s 2>/dev/null"):format(
  here, skip_full and "--no-full" or ""))
for line in py:lines() do
  local k, v = line:match("^(%S+) (%S+)$")
  if k then theirs[k] = tonumber(v) end
end
py:close()

local function f(v, fmt) return v and fmt:format(v) or "-" end
print(("%-46s %12s %12s %8s"):format("PCA(n_components=50), Fashion-MNIST 60000x784",
      "workbook", "sklearn", "speedup"))
for _, s in ipairs(solvers) do
  for _, k in ipairs {s, s .. "_cpu"} do
    local o, p = ours[k], theirs[k]
    print(("%-46s %10.2f s %12s %8s"):format(k == s and ("svd_solver='%s': fit"):format(s)
          or "  CPU seconds (all threads)", o, f(p, "%.2f s"),
          p and ("%.2fx"):format(p / o) or "-"))
  end
  print(("%-46s %12.6f %12s"):format("  explained variance ratio, 50 components",
        ours[s .. "_ratio"], f(theirs[s .. "_ratio"], "%.6f")))
end
if not next(theirs) then print("scikit-learn: not measured (needs Debian's python3-sklearn)") end
