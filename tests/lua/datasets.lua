-- datasets.lua - scikit-learn's small data sets (from data/fetched/, taken
-- out of Debian's python3-sklearn at set-up) against scikit-learn's own
-- loaders (tests/fixtures/datasets/sklearn.lua, by make_datasets_fixtures.py),
-- and the generators' shapes, labels, geometry and seeding.
package.path = arg[0]:match("(.*/)") .. "?.lua;" .. package.path
local t = require "tap"
local T, D = require "tensor", require "datasets"
local ref = dofile(arg[0]:match("(.*/)") .. "../fixtures/datasets/sklearn.lua")

local function shape(x) return table.concat(x:shape(), "x") end
local function same_list(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do if a[i] ~= b[i] then return false end end
  return true
end

for _, name in ipairs {"iris", "wine", "breast_cancer", "digits", "diabetes"} do
  local r = ref[name]
  local b = D["load_" .. name]()
  t.is(shape(b.data), r.shape, name .. ": data shape as scikit-learn's")
  t.ok(same_list(b.feature_names, r.feature_names), name .. ": feature_names as scikit-learn's")
  if r.target_names then
    t.ok(same_list(b.target_names, r.target_names), name .. ": target_names as scikit-learn's")
  end
  t.near(b.target:sum(), r.target_sum, 1e-3 * math.max(1, math.abs(r.target_sum)), name .. ": target sum")
  -- column sums in float32 against scikit-learn's float64
  local sums = b.data:sum(1):totable()
  local worst = 0
  for j = 1, #sums do
    worst = math.max(worst, math.abs(sums[j] - r.col_sums[j]) / math.max(1, math.abs(r.col_sums[j])))
  end
  t.ok(worst < 1e-5, name .. ": column sums as scikit-learn's (worst relative error " .. worst .. ")")
  local first = b.data[1]:totable()
  local fw = 0
  for j = 1, #first do fw = math.max(fw, math.abs(first[j] - r.first_row[j]) / math.max(1, math.abs(r.first_row[j]))) end
  t.ok(fw < 1e-6, name .. ": first row as scikit-learn's")
  t.ok(type(b.DESCR) == "string" and #b.DESCR > 100, name .. ": DESCR")
end
local data = require "data"
t.ok(data.iris().data:shape()[1] == 150 and data.load_digits ~= nil and data.make_moons ~= nil,
     "data publishes the loaders (data.iris, data.load_digits) and the generators")
local X, y = D.load_iris{return_X_y = true}
t.ok(shape(X) == "150x4" and shape(y) == "150", "return_X_y gives data, target")
t.is(shape(D.load_digits().images), "1797x8x8", "digits: images")
t.is(D.load_digits{n_class = 3}.data:shape()[1], ref.digits.n_class3, "digits: n_class = 3 as scikit-learn's")
local raw = D.load_diabetes{scaled = false}.data
t.near(raw:get(1, 1), 59, 0, "diabetes: scaled = false gives the raw age")
t.raises(function() D.load_iris{as_fram = true} end, "data.iris: unknown option 'as_fram' %(did you mean 'as_frame'%?%)")
t.raises(function() D.load_digits{n_class = 11} end, "data.digits: n_class must be 1..10")

-- the frame sets, as pandas reads them
for name, r in pairs(ref.frames) do
  local df = data[name]()
  local na = 0
  for _, c in ipairs(df.columns) do na = na + df:col(c):isnull():sum() end
  t.ok(df.shape[1] == r.rows and df.shape[2] == r.cols and same_list(df.columns, r.columns),
       ("data.%s(): %dx%d with pandas's columns"):format(name, r.rows, r.cols))
  t.is(na, r.missing, ("data.%s(): %d missing values, as pandas"):format(name, r.missing))
  t.near(df:col(r.first_numeric):mean(), r.first_numeric_mean, 1e-9 * math.abs(r.first_numeric_mean),
         ("data.%s(): mean of %s"):format(name, r.first_numeric))
end
t.raises(function() data.penguins{as_frame = true} end, "data.penguins: unknown option 'as_frame' %(it takes no options%)")

-- generators
local function counts(y)
  local c = {}
  for _, v in ipairs(y:totable()) do c[v] = (c[v] or 0) + 1 end
  return c
end

X, y = D.make_moons{n_samples = 101, random_state = 3}
t.is(shape(X), "101x2", "moons: shape")
local c = counts(y)
t.ok(c[0] == 50 and c[1] == 51, "moons: n // 2 outer, the rest inner")
-- without noise every point lies on its half circle
local ok_geom = true
for i, p in ipairs(X:totable()) do
  local lab = y:get(i)
  local cx, cy = lab == 0 and 0 or 1, lab == 0 and 0 or 0.5
  local r = math.sqrt((p[1] - cx) ^ 2 + (p[2] - cy) ^ 2)
  if math.abs(r - 1) > 1e-5 then ok_geom = false end
end
t.ok(ok_geom, "moons: points on unit half circles without noise")
local X2 = D.make_moons{n_samples = 101, random_state = 3}
t.is((X - X2):abs():max(), 0.0, "moons: the same random_state gives the same points")
local Xn = D.make_moons{n_samples = 2000, noise = 0.2, random_state = 1}
local Xc = D.make_moons{n_samples = 2000, shuffle = true, random_state = 1}
local resid = (Xn - Xc):totable()
local ss = 0
for _, r in ipairs(resid) do ss = ss + r[1] ^ 2 + r[2] ^ 2 end
t.near(math.sqrt(ss / 4000), 0.2, 0.02, "moons: noise is Gaussian with sd = noise")

X, y = D.make_circles{n_samples = 100, factor = 0.3, shuffle = false}
local radii = (X * X):sum(2):sqrt()
t.near(radii:get(1), 1, 1e-6, "circles: outer radius 1")
t.near(radii:get(100), 0.3, 1e-6, "circles: inner radius factor")
t.is(y:sum(), 50.0, "circles: 50 inner points")
t.raises(function() D.make_circles{factor = 1} end, "factor must be in %[0, 1%)")

X, y = D.make_blobs{n_samples = 3000, centers = {{0, 0}, {10, 10}, {-10, 5}}, cluster_std = {1, 2, 0.5}, random_state = 0}
t.is(shape(X), "3000x2", "blobs: shape")
c = counts(y)
t.ok(c[0] == 1000 and c[1] == 1000 and c[2] == 1000, "blobs: even split")
local rows = X:totable()
local sx, n2 = 0, 0
for i, p in ipairs(rows) do if y:get(i) == 1 then sx = sx + (p[1] - 10) ^ 2; n2 = n2 + 1 end end
t.near(math.sqrt(sx / n2), 2, 0.15, "blobs: cluster_std per centre")
local _, _, centers = D.make_blobs{n_samples = 10, centers = 4, n_features = 3, return_centers = true, random_state = 2}
t.is(shape(centers), "4x3", "blobs: random centres returned")
t.ok(centers:max() <= 10 and centers:min() >= -10, "blobs: centres inside center_box")
t.raises(function() D.make_blobs{n_samples = {5, 5}, centers = {{0, 0}}} end, "2 sample counts for 1 centres")

X, y = D.make_swiss_roll{n_samples = 500, random_state = 0}
t.is(shape(X), "500x3", "swiss roll: shape")
local tt, xx = y:totable(), X:totable()
local geom = true
for i = 1, 500 do
  if math.abs(xx[i][1] - tt[i] * math.cos(tt[i])) > 1e-3 or tt[i] < 1.5 * math.pi - 1e-4 or tt[i] > 4.5 * math.pi + 1e-4 then geom = false end
end
t.ok(geom, "swiss roll: x = t cos t, t in [1.5 pi, 4.5 pi]")

local Xr, yr, w = D.make_regression{n_samples = 50, n_features = 8, n_informative = 3, coef = true, random_state = 0}
t.is(shape(Xr), "50x8", "regression: shape")
t.is(w:ne(0):sum(), 3.0, "regression: n_informative non-zero coefficients")
t.ok((Xr:matmul(w:reshape(8, 1)):reshape(50) - yr):abs():max() < 1e-3, "regression: y = X w without noise")
local Xl = D.make_regression{n_samples = 60, n_features = 20, effective_rank = 3, random_state = 0}
local sv = require("linalg").svd(Xl, {compute_uv = false}):totable()
local profile = 0
for i = 0, 9 do
  local want = 0.5 * math.exp(-(i / 3) ^ 2) + 0.5 * math.exp(-0.1 * i / 3)
  profile = math.max(profile, math.abs(sv[i + 1] - want))
end
t.ok(profile < 1e-4, "regression: effective_rank gives scikit-learn's singular-value profile")

X, y = D.make_classification{n_samples = 200, n_features = 6, n_informative = 3, n_redundant = 1, flip_y = 0, random_state = 0}
t.is(shape(X), "200x6", "classification: shape")
c = counts(y)
t.ok(c[0] == 100 and c[1] == 100, "classification: balanced classes")
t.is(require("linalg").matrix_rank(X, {tol = 1e-3}), 5, "classification: a redundant feature is a combination of the informative ones")
t.raises(function() D.make_classification{n_features = 3, n_informative = 2, n_redundant = 2} end,
         "must be at most n_features")

X, y = D.make_sine_windows{n_samples = 5, seq_len = 3, step = 0.5}
t.is(shape(X), "5x3x1", "sine windows: X shape")
t.near(y:get(2, 1), math.sin(0.5 * 4), 1e-6, "sine windows: y is the value after the window")
t.near(X:get(3, 1, 1), math.sin(0.5 * 2), 1e-6, "sine windows: windows slide by one")

t.done()
