-- kmeans_knn.lua - speed of ml.KMeans and ml.KNeighborsClassifier on
-- Fashion-MNIST (784 pixels in [0, 1]) beside scikit-learn in the same
-- run (bench/kmeans_knn_sklearn.py, Debian's python3-sklearn):
--   KMeans(n_clusters=10, n_init=1) on the 60,000 training images, from
--     the same explicit init (the first 10 images) on both sides, and
--     from k-means++ (different seeds: time per iteration compared);
--   KNeighborsClassifier(n_neighbors=5) (brute force) fitted on the
--     60,000 training images, predicting the 10,000 test images.
-- Targets (issue 11): KMeans at least 2x scikit-learn; kNN at least as
-- fast as its brute force. Prints seconds, iterations, inertia and
-- accuracy side by side; asserts nothing.
--   ./workbook run bench/kmeans_knn.lua [--queries N]
local T, ml, data, sys = require "tensor", require "ml", require "data", require "sys"

local queries = 10000
if arg[1] == "--queries" then queries = tonumber(arg[2]) end
local here = arg[0]:match("(.*/)") or "./"

local fm = data.fashion_mnist()
local X = fm.train.x:reshape(60000, 784):contiguous()
local y = fm.train.y
local Xq = fm.test.x:reshape(10000, 784):slice(1, 1, queries):contiguous()
local yq = fm.test.y:slice(1, 1, queries)

local ours = {}
-- wall seconds, and CPU seconds of all threads (os.clock), which the
-- other jobs on a shared machine disturb less
local function timed(name, f)
  local t0, c0 = sys.clock(), os.clock()
  local r = table.pack(f())
  ours[name], ours[name .. "_cpu"] = sys.clock() - t0, os.clock() - c0
  return table.unpack(r, 1, r.n)
end

local init = X:slice(1, 1, 10):contiguous()
local km = timed("kmeans_init", function()
  return ml.KMeans{n_clusters = 10, init = init, n_init = 1}:fit(X)
end)
ours.kmeans_init_iter, ours.kmeans_init_inertia = km.n_iter_, km.inertia_
local kpp = timed("kmeans_pp", function()
  return ml.KMeans{n_clusters = 10, n_init = 1, random_state = 0}:fit(X)
end)
ours.kmeans_pp_iter, ours.kmeans_pp_inertia = kpp.n_iter_, kpp.inertia_
local knn = ml.KNeighborsClassifier{n_neighbors = 5}:fit(X, y)
local pred = timed("knn", function() return knn:predict(Xq) end)
ours.knn_acc = ml.metrics.accuracy_score(yq, pred)

local theirs = {}
local py = io.popen(("/usr/bin/python3 %skmeans_knn_sklearn.py %d 2>/dev/null"):format(here, queries))
for line in py:lines() do
  local k, v = line:match("^(%S+) (%S+)$")
  if k then theirs[k] = tonumber(v) end
end
py:close()

local function f(v, fmt) return v and fmt:format(v) or "-" end
print(("%-44s %12s %12s %8s"):format("Fashion-MNIST (timings noisy on a shared machine)",
      "workbook", "sklearn", "speedup"))
local function row(label, key)
  for _, k in ipairs {key, key .. "_cpu"} do
    local o, p = ours[k], theirs[k]
    print(("%-44s %10.2f s %12s %8s"):format(k == key and label or "  CPU seconds (all threads)",
          o, f(p, "%.2f s"), p and ("%.2fx"):format(p / o) or "-"))
  end
end
row("KMeans k=10, explicit init: fit", "kmeans_init")
print(("%-44s %12d %12s"):format("  iterations", ours.kmeans_init_iter,
      f(theirs.kmeans_init_iter, "%d")))
print(("%-44s %12.1f %12s"):format("  inertia", ours.kmeans_init_inertia,
      f(theirs.kmeans_init_inertia, "%.1f")))
row("KMeans k=10, k-means++: fit", "kmeans_pp")
local pi, ti = ours.kmeans_pp / ours.kmeans_pp_iter,
  theirs.kmeans_pp and theirs.kmeans_pp / theirs.kmeans_pp_iter
print(("%-44s %10.3f s %12s %8s"):format(("  per iteration (%d vs %s iterations)"):format(
      ours.kmeans_pp_iter, f(theirs.kmeans_pp_iter, "%d")), pi, f(ti, "%.3f s"),
      ti and ("%.2fx"):format(ti / pi) or "-"))
row(("kNN k=5 brute: predict %d from 60000"):format(queries), "knn")
print(("%-44s %12.4f %12s"):format("  accuracy", ours.knn_acc, f(theirs.knn_acc, "%.4f")))
if not next(theirs) then print("scikit-learn: not measured (needs Debian's python3-sklearn)") end
