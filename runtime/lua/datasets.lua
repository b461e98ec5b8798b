-- datasets.lua - scikit-learn's small data sets and sample generators,
-- with scikit-learn 1.2's names, options and return values. `data`
-- publishes these functions (data.iris(), data.make_moons{...}); this
-- file is their implementation.
--
-- Loaders read the files scripts/fetch_datasets.sh took out of Debian's
-- python3-sklearn package into data/fetched/sklearn/, and return a table
-- with data (N, F) and target (N) tensors (class ids 0-based, as in
-- scikit-learn), feature_names, target_names, DESCR and filename;
-- {return_X_y = true} returns data, target instead.
--
-- Generators draw from the workbook's one seeded RNG (tensor.seed);
-- random_state re-seeds it first, so the same random_state gives the same
-- numbers. They follow scikit-learn's recipes, but the numbers differ from
-- scikit-learn's (another RNG).
local T = require "tensor"
local sys = require "sys"
local options = require "options"
local fail = require "script_error"

local M = {}

-- ---- files --------------------------------------------------------------

local function fetched(fn, rel, package)
  local path = sys.home() .. "/data/fetched/" .. rel
  if sys.exists(path) ~= "file" then
    fail("%s: %s is missing; run 'make deps' (scripts/fetch_datasets.sh takes it " ..
         "from Debian's %s package)", fn, "data/fetched/" .. rel, package)
  end
  return path
end

local function read_text(fn, rel, package)
  local path = fetched(fn, rel, package)
  if rel:find("%.gz$") then return require("gzip").read(path), path end
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s, path
end

-- rows of numbers: comma-separated (sep ",") or split by white space
-- (sep " "), from line first_line on
local function number_rows(fn, text, path, sep, first_line)
  local rows, lineno = {}, 0
  local pattern = sep == "," and "([^,]*)" or "(%S+)"
  for line in text:gmatch("[^\r\n]+") do
    lineno = lineno + 1
    if lineno >= first_line then
      local row = {}
      for field in line:gmatch(pattern) do
        local v = tonumber(field)
        if not v then fail("%s: %s line %d: '%s' is not a number", fn, path, lineno, field) end
        row[#row + 1] = v
      end
      rows[#rows + 1] = row
    end
  end
  return rows
end

local function descr(name)
  local path = sys.home() .. "/data/fetched/sklearn/descr/" .. name .. ".rst"
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local LOADER_OPTS = {return_X_y = "boolean", as_frame = "boolean"}

-- The loaded set in scikit-learn's shape. frame (as_frame) is built when
-- the frame module is there: a column per feature plus "target".
local function bunch(fn, opts, X, y, feature_names, target_names, name, path)
  local b = {data = T(X), target = T(y), feature_names = feature_names,
             target_names = target_names, DESCR = descr(name), filename = path}
  if opts.as_frame then
    local ok, frame = pcall(require, "frame")
    if not ok then fail("%s: as_frame needs the frame module", fn) end
    local cols, names = {}, {}
    for j, fname in ipairs(feature_names) do
      local col = {}
      for i = 1, #X do col[i] = X[i][j] end
      cols[fname], names[j] = col, fname
    end
    cols.target, names[#names + 1] = y, "target"
    b.frame = frame.DataFrame(cols, {columns = names})
  end
  return b
end

local function result(b, opts)
  if opts.return_X_y then return b.data, b.target end
  return b
end

-- scikit-learn's sets with their header line "n_samples,n_features,names..."
local function load_sklearn_csv(fn, file, opts, feature_names)
  opts = options.check(fn, opts, LOADER_OPTS)
  local text, path = read_text(fn, "sklearn/" .. file, "python3-sklearn")
  local header = text:match("^[^\r\n]*")
  local fields = {}
  for f in (header .. ","):gmatch("(.-),") do fields[#fields + 1] = f end
  local n, nf = tonumber(fields[1]), tonumber(fields[2])
  local target_names = {table.unpack(fields, 3)}
  local rows = number_rows(fn, text, path, ",", 2)
  if #rows ~= n or #feature_names ~= nf then
    fail("%s: %s holds %d rows of %d features, its header says %s x %s", fn, path,
         #rows, rows[1] and #rows[1] - 1 or 0, tostring(n), tostring(nf))
  end
  local X, y = {}, {}
  for i, r in ipairs(rows) do
    if #r ~= nf + 1 then fail("%s: %s line %d has %d fields, expected %d", fn, path, i + 1, #r, nf + 1) end
    y[i] = r[nf + 1]
    r[nf + 1] = nil
    X[i] = r
  end
  local name = file:gsub("%.csv$", "")
  return result(bunch(fn, opts, X, y, feature_names, target_names, name, path), opts)
end

function M.load_iris(opts)
  return load_sklearn_csv("data.iris", "iris.csv", opts,
    {"sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"})
end

function M.load_wine(opts)
  return load_sklearn_csv("data.wine", "wine_data.csv", opts,
    {"alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols",
     "flavanoids", "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue",
     "od280/od315_of_diluted_wines", "proline"})
end

function M.load_breast_cancer(opts)
  local names = {}
  local base = {"radius", "texture", "perimeter", "area", "smoothness", "compactness",
                "concavity", "concave points", "symmetry", "fractal dimension"}
  for _, prefix in ipairs {"mean %s", "%s error", "worst %s"} do
    for _, b in ipairs(base) do names[#names + 1] = prefix:format(b) end
  end
  return load_sklearn_csv("data.breast_cancer", "breast_cancer.csv", opts, names)
end

-- digits: 64 pixel values (0..16) and the digit; images (N, 8, 8) too.
-- n_class (1..10) keeps the digits below it, as scikit-learn does.
function M.load_digits(opts)
  local fn = "data.digits"
  opts = options.check(fn, opts, {n_class = "integer", return_X_y = "boolean",
                                  as_frame = "boolean"})
  local n_class = opts.n_class or 10
  if n_class < 1 or n_class > 10 then fail("%s: n_class must be 1..10, got %d", fn, n_class) end
  local text, path = read_text(fn, "sklearn/digits.csv.gz", "python3-sklearn")
  local rows = number_rows(fn, text, path, ",", 1)
  local X, y = {}, {}
  for i, r in ipairs(rows) do
    if #r ~= 65 then fail("%s: %s line %d has %d fields, expected 65", fn, path, i, #r) end
    if r[65] < n_class then
      y[#y + 1] = r[65]
      r[65] = nil
      X[#X + 1] = r
    end
  end
  local names, tn = {}, {}
  for a = 0, 7 do for b = 0, 7 do names[#names + 1] = ("pixel_%d_%d"):format(a, b) end end
  for d = 0, n_class - 1 do tn[#tn + 1] = tostring(d) end
  local b = bunch(fn, opts, X, y, names, tn, "digits", path)
  b.images = b.data:reshape(#X, 8, 8)
  return result(b, opts)
end

-- diabetes: scaled = true (scikit-learn's default) centres each column and
-- divides it by its standard deviation times sqrt(n_samples), so every
-- column has unit length; scaled = false gives the raw measurements.
function M.load_diabetes(opts)
  local fn = "data.diabetes"
  opts = options.check(fn, opts, {scaled = "boolean", return_X_y = "boolean",
                                  as_frame = "boolean"})
  local text, path = read_text(fn, "sklearn/diabetes_data_raw.csv.gz", "python3-sklearn")
  local ttext, tpath = read_text(fn, "sklearn/diabetes_target.csv.gz", "python3-sklearn")
  local X = number_rows(fn, text, path, " ", 1)
  local yrows = number_rows(fn, ttext, tpath, " ", 1)
  if #X ~= #yrows then fail("%s: %d rows of data but %d targets", fn, #X, #yrows) end
  local y = {}
  for i, r in ipairs(yrows) do y[i] = r[1] end
  if opts.scaled ~= false then
    local n = #X
    for j = 1, #X[1] do
      local mean = 0
      for i = 1, n do mean = mean + X[i][j] end
      mean = mean / n
      local ss = 0
      for i = 1, n do ss = ss + (X[i][j] - mean) ^ 2 end
      local sd = math.sqrt(ss / n)
      for i = 1, n do X[i][j] = (X[i][j] - mean) / sd / math.sqrt(n) end
    end
  end
  return result(bunch(fn, opts, X, y, {"age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4",
                                        "s5", "s6"}, nil, "diabetes", path), opts)
end

-- ---- frames: penguins, cars, Seattle weather, sunspots, CO2, Engel ----------
-- Read as they are in their packages, as pandas's read_csv / read_json
-- read them (missing values stay missing).

local FRAME_SETS = {
  penguins = {"penguins/penguins.csv", "r-cran-palmerpenguins"},
  cars = {"vega/cars.json", "python3-vega-datasets"},
  seattle_weather = {"vega/seattle-weather.csv", "python3-vega-datasets"},
  seattle_temps = {"vega/seattle-temps.csv", "python3-vega-datasets"},
  sunspots = {"statsmodels/sunspots.csv", "python3-statsmodels"},
  co2 = {"statsmodels/co2.csv", "python3-statsmodels"},
  engel = {"statsmodels/engel.csv", "python3-statsmodels"},
}

for name, src in pairs(FRAME_SETS) do
  M[name] = function(opts)
    local fn = "data." .. name
    options.check(fn, opts, {})
    local path = fetched(fn, src[1], src[2])
    local frame = require "frame"
    if path:find("%.json$") then return frame.read_json(path) end
    return frame.read_csv(path)
  end
end

-- ---- generators -----------------------------------------------------------

local function positive_int(fn, name, v, lo)
  if math.type(v) ~= "integer" and not (type(v) == "number" and v % 1 == 0) or v < (lo or 1) then
    fail("%s: %s must be an integer >= %d, got %s", fn, name, lo or 1, tostring(v))
  end
  return math.tointeger(v)
end

-- random_state (an integer, as options.check made sure) re-seeds the RNG
local function reseed(fn, opts)
  if opts.random_state ~= nil then
    T.seed(positive_int(fn, "random_state", opts.random_state, 0))
  end
end

local function normals(n) return n > 0 and T.randn(n):totable() or {} end
local function uniforms(n) return n > 0 and T.rand(n):totable() or {} end

-- shuffle rows of X (a list of rows) and y together
local function shuffle_rows(X, y)
  local n = #X
  if n < 2 then return X, y end
  local perm = T.randperm(n):totable()
  local X2, y2 = {}, {}
  for i = 1, n do
    local p = math.tointeger(perm[i])   -- randperm is 1-based
    X2[i], y2[i] = X[p], y[p]
  end
  return X2, y2
end

-- shuffle the columns of X (a list of rows) in place; returns X and the
-- permutation (new column j is old column cols[j])
local function shuffle_columns(X, f)
  local cols = T.randperm(f):totable()
  for j = 1, f do cols[j] = math.tointeger(cols[j]) end
  for i = 1, #X do
    local r, row = X[i], {}
    for j = 1, f do row[j] = r[cols[j]] end
    X[i] = row
  end
  return X, cols
end

local function add_noise(X, noise)
  if not noise or noise == 0 then return end
  local d = #X[1]
  local z = normals(#X * d)
  for i = 1, #X do for j = 1, d do X[i][j] = X[i][j] + noise * z[(i - 1) * d + j] end end
end

-- make_moons: two interleaving half circles; y = 0 for the upper one.
function M.make_moons(opts)
  local fn = "data.make_moons"
  opts = options.check(fn, opts, {n_samples = "integer|table", shuffle = "boolean",
                                  noise = "number", random_state = "integer"})
  local n = opts.n_samples or 100
  local n_out, n_in
  if type(n) == "table" then n_out, n_in = n[1], n[2]
  else n = positive_int(fn, "n_samples", n); n_out = n // 2; n_in = n - n_out end
  reseed(fn, opts)
  local X, y = {}, {}
  local function lin(k, i) return k > 1 and math.pi * (i - 1) / (k - 1) or 0 end
  for i = 1, n_out do local t = lin(n_out, i); X[#X + 1] = {math.cos(t), math.sin(t)}; y[#y + 1] = 0 end
  for i = 1, n_in do local t = lin(n_in, i); X[#X + 1] = {1 - math.cos(t), 1 - math.sin(t) - 0.5}; y[#y + 1] = 1 end
  if opts.shuffle ~= false then X, y = shuffle_rows(X, y) end
  add_noise(X, opts.noise)
  return T(X), T(y)
end

-- make_circles: a large circle holding a small one (radius factor); y = 0
-- for the outer one.
function M.make_circles(opts)
  local fn = "data.make_circles"
  opts = options.check(fn, opts, {n_samples = "integer|table", shuffle = "boolean",
                                  noise = "number", random_state = "integer",
                                  factor = "number"})
  local factor = opts.factor or 0.8
  if factor < 0 or factor >= 1 then fail("%s: factor must be in [0, 1), got %g", fn, factor) end
  local n = opts.n_samples or 100
  local n_out, n_in
  if type(n) == "table" then n_out, n_in = n[1], n[2]
  else n = positive_int(fn, "n_samples", n); n_out = n // 2; n_in = n - n_out end
  reseed(fn, opts)
  local X, y = {}, {}
  for i = 1, n_out do local t = 2 * math.pi * (i - 1) / n_out; X[#X + 1] = {math.cos(t), math.sin(t)}; y[#y + 1] = 0 end
  for i = 1, n_in do local t = 2 * math.pi * (i - 1) / n_in; X[#X + 1] = {factor * math.cos(t), factor * math.sin(t)}; y[#y + 1] = 1 end
  if opts.shuffle ~= false then X, y = shuffle_rows(X, y) end
  add_noise(X, opts.noise)
  return T(X), T(y)
end

-- make_blobs: Gaussian clusters. centers: a count (centres drawn
-- uniformly in center_box) or a list of points; cluster_std: one number
-- or one per centre. n_samples: a total (split as evenly as possible) or
-- a list of per-centre counts. Returns X, y (and the centres with
-- return_centers = true).
function M.make_blobs(opts)
  local fn = "data.make_blobs"
  opts = options.check(fn, opts, {n_samples = "integer|table", n_features = "integer",
                                  centers = "integer|table", cluster_std = "number|table",
                                  center_box = "table", shuffle = "boolean",
                                  random_state = "integer", return_centers = "boolean"})
  local nf = positive_int(fn, "n_features", opts.n_features or 2)
  reseed(fn, opts)
  local ns = opts.n_samples or 100
  local centers = opts.centers
  local box = opts.center_box or {-10.0, 10.0}
  if type(centers) ~= "table" then
    local k = type(ns) == "table" and #ns or positive_int(fn, "centers", centers or 3)
    local u = uniforms(k * nf)
    centers = {}
    for c = 1, k do
      centers[c] = {}
      for j = 1, nf do centers[c][j] = box[1] + (box[2] - box[1]) * u[(c - 1) * nf + j] end
    end
  else
    for c, p in ipairs(centers) do
      if type(p) ~= "table" or #p ~= nf then
        if opts.n_features == nil and type(p) == "table" then nf = #p
        else fail("%s: centre %d must have %d coordinates", fn, c, nf) end
      end
    end
  end
  local k = #centers
  local counts = {}
  if type(ns) == "table" then
    if #ns ~= k then fail("%s: %d sample counts for %d centres", fn, #ns, k) end
    for c = 1, k do counts[c] = positive_int(fn, "n_samples[" .. c .. "]", ns[c], 0) end
  else
    ns = positive_int(fn, "n_samples", ns)
    for c = 1, k do counts[c] = ns // k + (c <= ns % k and 1 or 0) end
  end
  local std = opts.cluster_std or 1.0
  if type(std) == "table" and #std ~= k then fail("%s: %d cluster_std values for %d centres", fn, #std, k) end
  local X, y = {}, {}
  for c = 1, k do
    local s = type(std) == "table" and std[c] or std
    local z = normals(counts[c] * nf)
    for i = 1, counts[c] do
      local row = {}
      for j = 1, nf do row[j] = centers[c][j] + s * z[(i - 1) * nf + j] end
      X[#X + 1], y[#y + 1] = row, c - 1
    end
  end
  if opts.shuffle ~= false then X, y = shuffle_rows(X, y) end
  if opts.return_centers then return T(X), T(y), T(centers) end
  return T(X), T(y)
end

-- make_swiss_roll: t = 1.5 pi (1 + 2 u), x = t cos t, y = 21 v, z = t sin t
-- (hole = true leaves out the middle of the sheet). Returns X (N, 3), t.
function M.make_swiss_roll(opts)
  local fn = "data.make_swiss_roll"
  opts = options.check(fn, opts, {n_samples = "integer", noise = "number",
                                  random_state = "integer", hole = "boolean"})
  local n = positive_int(fn, "n_samples", opts.n_samples or 100)
  reseed(fn, opts)
  local ts, hs = {}, {}
  if not opts.hole then
    local u, v = uniforms(n), uniforms(n)
    for i = 1, n do ts[i] = 1.5 * math.pi * (1 + 2 * u[i]); hs[i] = 21 * v[i] end
  else
    -- a 3 x 3 grid of patches with the centre one left out
    local corners = {}
    for a = 0, 2 do for b = 0, 2 do
      if not (a == 1 and b == 1) then corners[#corners + 1] = {a, b} end
    end end
    local pick, u, v = uniforms(n), uniforms(n), uniforms(n)
    for i = 1, n do
      local c = corners[math.min(8, math.floor(pick[i] * 8) + 1)]
      ts[i] = 1.5 * math.pi * (1 + 2 * (c[1] + u[i]) / 3)
      hs[i] = 21 * (c[2] + v[i]) / 3
    end
  end
  local X = {}
  for i = 1, n do X[i] = {ts[i] * math.cos(ts[i]), hs[i], ts[i] * math.sin(ts[i])} end
  add_noise(X, opts.noise)
  return T(X), T(ts)
end

-- make_s_curve: t = 3 pi (u - 1/2), x = sin t, y = 2 v,
-- z = sign(t) (cos t - 1). Returns X (N, 3), t.
function M.make_s_curve(opts)
  local fn = "data.make_s_curve"
  opts = options.check(fn, opts, {n_samples = "integer", noise = "number",
                                  random_state = "integer"})
  local n = positive_int(fn, "n_samples", opts.n_samples or 100)
  reseed(fn, opts)
  local u, v = uniforms(n), uniforms(n)
  local X, ts = {}, {}
  for i = 1, n do
    local t = 3 * math.pi * (u[i] - 0.5)
    local s = t > 0 and 1 or (t < 0 and -1 or 0)
    ts[i] = t
    X[i] = {math.sin(t), 2 * v[i], s * (math.cos(t) - 1)}
  end
  add_noise(X, opts.noise)
  return T(X), T(ts)
end

-- make_regression: y = X w + bias + noise, w non-zero (100 u) on
-- n_informative random features. effective_rank gives X a decaying
-- singular-value profile (make_low_rank_matrix). coef = true also returns w.
local function low_rank_matrix(n, f, rank, tail)
  local la = require "linalg"
  local k = math.min(n, f)
  local u = la.qr(T.randn(n, k))
  local v = la.qr(T.randn(f, k))
  local s = {}
  for i = 0, k - 1 do
    local low = (1 - tail) * math.exp(-1.0 * (i / rank) ^ 2)
    local tl = tail * math.exp(-0.1 * i / rank)
    s[i + 1] = low + tl
  end
  return (u * T(s)):matmul(v:transpose())
end

function M.make_regression(opts)
  local fn = "data.make_regression"
  opts = options.check(fn, opts, {n_samples = "integer", n_features = "integer",
                                  n_informative = "integer", n_targets = "integer",
                                  bias = "number", effective_rank = "integer",
                                  tail_strength = "number", noise = "number",
                                  shuffle = "boolean", coef = "boolean",
                                  random_state = "integer"})
  local n = positive_int(fn, "n_samples", opts.n_samples or 100)
  local f = positive_int(fn, "n_features", opts.n_features or 100)
  local inf = math.min(f, positive_int(fn, "n_informative", opts.n_informative or 10, 0))
  local nt = positive_int(fn, "n_targets", opts.n_targets or 1)
  reseed(fn, opts)
  local X
  if opts.effective_rank then
    X = low_rank_matrix(n, f, positive_int(fn, "effective_rank", opts.effective_rank),
                        opts.tail_strength or 0.5)
  else
    X = T.randn(n, f)
  end
  local w = T.zeros(f, nt)
  local u = uniforms(inf * nt)
  for i = 1, inf do for j = 1, nt do w:set(i, j, 100 * u[(i - 1) * nt + j]) end end
  local y = X:matmul(w) + (opts.bias or 0)
  if opts.noise and opts.noise > 0 then y = y + T.randn(n, nt) * opts.noise end
  if opts.shuffle ~= false then
    local rows, yl = shuffle_rows(X:totable(), y:totable())
    local cols
    rows, cols = shuffle_columns(rows, f)
    local wt, w2 = w:totable(), {}
    for j = 1, f do w2[j] = wt[cols[j]] end
    X, y, w = T(rows), T(yl), T(w2)
  end
  if nt == 1 then y = y:reshape(n); w = w:reshape(f) end
  if opts.coef then return X, y, w end
  return X, y
end

-- make_classification: n_informative features from Gaussian clusters on
-- the vertices of a hypercube of side 2 class_sep, n_redundant linear
-- combinations of them, n_repeated copies, the rest noise; flip_y of the
-- labels exchanged at random; then shift, scale and shuffle.
function M.make_classification(opts)
  local fn = "data.make_classification"
  opts = options.check(fn, opts, {n_samples = "integer", n_features = "integer",
                                  n_informative = "integer", n_redundant = "integer",
                                  n_repeated = "integer", n_classes = "integer",
                                  n_clusters_per_class = "integer", weights = "table",
                                  flip_y = "number", class_sep = "number",
                                  hypercube = "boolean", shift = "number|table",
                                  scale = "number|table", shuffle = "boolean",
                                  random_state = "integer"})
  local n = positive_int(fn, "n_samples", opts.n_samples or 100)
  local f = positive_int(fn, "n_features", opts.n_features or 20)
  local ni = positive_int(fn, "n_informative", opts.n_informative or 2)
  local nr = positive_int(fn, "n_redundant", opts.n_redundant or 2, 0)
  local nrep = positive_int(fn, "n_repeated", opts.n_repeated or 0, 0)
  local nc = positive_int(fn, "n_classes", opts.n_classes or 2)
  local ncl = positive_int(fn, "n_clusters_per_class", opts.n_clusters_per_class or 2)
  if ni + nr + nrep > f then
    fail("%s: n_informative + n_redundant + n_repeated (%d) must be at most n_features (%d)",
         fn, ni + nr + nrep, f)
  end
  if nc * ncl > 2 ^ ni then
    fail("%s: n_classes * n_clusters_per_class (%d) must be at most 2^n_informative (%d)",
         fn, nc * ncl, math.tointeger(2 ^ ni))
  end
  local sep = opts.class_sep or 1.0
  reseed(fn, opts)
  local k = nc * ncl
  -- samples per cluster, from the class weights
  local weights = opts.weights or {}
  if #weights > 0 and #weights ~= nc and #weights ~= nc - 1 then
    fail("%s: weights needs %d or %d values, got %d", fn, nc, nc - 1, #weights)
  end
  local wsum, w = 0, {}
  for c = 1, nc do w[c] = weights[c] or 0; wsum = wsum + w[c] end
  if #weights == 0 then for c = 1, nc do w[c] = 1 / nc end
  elseif #weights == nc - 1 then w[nc] = 1 - wsum end
  local per = {}
  local total = 0
  for c = 1, k do
    per[c] = math.floor(n * w[(c - 1) % nc + 1] / ncl)
    total = total + per[c]
  end
  for i = 1, n - total do per[(i - 1) % k + 1] = per[(i - 1) % k + 1] + 1 end
  -- cluster centroids: distinct hypercube vertices (random order)
  local nv = math.tointeger(2 ^ ni)
  local order = T.randperm(nv):totable()
  local X, y = {}, {}
  for c = 1, k do
    local v = math.tointeger(order[c]) - 1   -- a vertex number, 0-based
    local centroid = {}
    for j = 1, ni do
      local bit = (v >> (j - 1)) & 1
      centroid[j] = (2 * bit - 1) * sep
      if not (opts.hypercube ~= false) then centroid[j] = centroid[j] * T.rand(1):item() end
    end
    -- a random covariance: X_k = Z A + centroid, A uniform in [-1, 1)
    local A = T.rand(ni, ni) * 2 - 1
    local Z = T.randn(per[c], ni)
    local Xk = per[c] > 0 and Z:matmul(A):totable() or {}
    for i = 1, per[c] do
      local row = {}
      for j = 1, ni do row[j] = Xk[i][j] + centroid[j] end
      X[#X + 1], y[#y + 1] = row, (c - 1) % nc
    end
  end
  -- redundant: informative times a random (ni, nr) matrix in [-1, 1)
  if nr > 0 and #X > 0 then
    local B = (T.rand(ni, nr) * 2 - 1)
    local R = T(X):matmul(B):totable()
    for i = 1, #X do for j = 1, nr do X[i][ni + j] = R[i][j] end end
  end
  -- repeated: copies of random earlier columns
  if nrep > 0 then
    local u = uniforms(nrep)
    for r = 1, nrep do
      local src = math.floor(u[r] * (ni + nr)) + 1
      for i = 1, #X do X[i][ni + nr + r] = X[i][src] end
    end
  end
  -- the rest: noise
  local rest = f - ni - nr - nrep
  if rest > 0 then
    local z = normals(#X * rest)
    for i = 1, #X do for j = 1, rest do X[i][ni + nr + nrep + j] = z[(i - 1) * rest + j] end end
  end
  -- flip_y: that fraction of the labels replaced by random classes
  local flip = opts.flip_y or 0.01
  if flip > 0 then
    local u, c = uniforms(#X), uniforms(#X)
    for i = 1, #X do
      if u[i] < flip then y[i] = math.min(nc - 1, math.floor(c[i] * nc)) end
    end
  end
  -- shift and scale: a number, nil (random as scikit-learn), or a list
  local function per_feature(v, random)
    if type(v) == "table" then
      if #v ~= f then fail("%s: %d values for %d features", fn, #v, f) end
      return v
    end
    local out = {}
    local u = v == nil and uniforms(f) or nil
    for j = 1, f do out[j] = v or random(u[j]) end
    return out
  end
  local shift = per_feature(opts.shift == nil and 0.0 or opts.shift, function(u) return (2 * u - 1) * sep end)
  local scale = per_feature(opts.scale == nil and 1.0 or opts.scale, function(u) return 1 + 100 * u end)
  for i = 1, #X do for j = 1, f do X[i][j] = (X[i][j] + shift[j]) * scale[j] end end
  if opts.shuffle ~= false then
    X, y = shuffle_rows(X, y)
    shuffle_columns(X, f)
  end
  return T(X), T(y)
end

-- make_sine_windows: windows of a sine wave for sequence models: x_t =
-- sin(step * t) (+ noise), X (N, seq_len, 1) holds seq_len values and y
-- (N, 1) the value after them. start shifts t.
function M.make_sine_windows(opts)
  local fn = "data.make_sine_windows"
  opts = options.check(fn, opts, {n_samples = "integer", seq_len = "integer",
                                  step = "number", start = "number", noise = "number",
                                  random_state = "integer"})
  local n = positive_int(fn, "n_samples", opts.n_samples or 1000)
  local L = positive_int(fn, "seq_len", opts.seq_len or 10)
  local step = opts.step or 0.1
  local start = opts.start or 0
  if step <= 0 then fail("%s: step must be positive, got %g", fn, step) end
  reseed(fn, opts)
  local total = n + L
  local wave = {}
  local z = (opts.noise or 0) > 0 and normals(total) or nil
  for t = 1, total do
    wave[t] = math.sin(step * (start + t - 1)) + (z and opts.noise * z[t] or 0)
  end
  local X, y = {}, {}
  for i = 1, n do
    local win = {}
    for j = 1, L do win[j] = {wave[i + j - 1]} end
    X[i], y[i] = win, {wave[i + L]}
  end
  return T(X), T(y)
end

return M
