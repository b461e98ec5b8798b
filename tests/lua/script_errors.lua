-- script_errors.lua - one error path: every public function of tensor,
-- image, ml, ml.metrics, data, plot, idx and h5 called with a wrong
-- argument fails with a message that leads with this script's
-- file:line (the line of the call), however deep in the runtime (C or
-- Lua) the mistake was found, and never with runtime/...
local t = require "tap"
local T = require "tensor"
local image = require "image"
local ml = require "ml"
local data = require "data"
local plot = require "plot"
local idx = require "idx"
local h5 = require "h5"

local png = os.tmpname() .. ".png"
local missing = "/nonexistent-dir/none"

-- f() must fail; its message must start with this file and the line f
-- was written on (one-line functions) and match pattern, if given. The
-- functions assign rather than return: `return g()` is a tail call,
-- which leaves no frame of f for the message to point at.
local function at_line(name, f, pattern)
  local line = debug.getinfo(f, "S").linedefined
  local ok, err = pcall(f)
  err = tostring(err)
  local at = err:match("^[^:\n]*script_errors%.lua:(%d+): ")
  local good = not ok and tonumber(at) == line and not err:find("runtime/", 1, true)
               and (pattern == nil or err:find(pattern) ~= nil)
  t.ok(good, name)
  if not good then
    t.diag(ok and "no error raised" or ("message: " .. err))
    t.diag(("want: script_errors.lua:%d: %s"):format(line, pattern or "..."))
  end
end

local a = T{{1, 2, 3}, {4, 5, 6}}
local img = T.rand(16, 16, 1)
local X = T{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 2}, {2, 3}, {3, 2}, {3, 3}}
local y = {0, 0, 0, 0, 1, 1, 1, 1}

-- tensor: module functions and methods
local tensor_cases = {
  {"tensor{}", function() local _ = T{{1, 2}, {3}} end, "ragged"},
  {"tensor.zeros", function() local _ = T.zeros(-1) end},
  {"tensor.ones", function() local _ = T.ones("x") end},
  {"tensor.full", function() local _ = T.full({2}, "x") end},
  {"tensor.arange", function() local _ = T.arange(1, 2, 0) end, "step must not be zero"},
  {"tensor.rand", function() local _ = T.rand(-2) end},
  {"tensor.randn", function() local _ = T.randn("x") end},
  {"tensor.seed", function() local _ = T.seed("x") end},
  {"tensor.randperm", function() local _ = T.randperm(-1) end, "non%-negative"},
  {"tensor.eye", function() local _ = T.eye(-1) end, "non%-negative"},
  {"tensor.load", function() local _ = T.load(missing) end, "cannot open"},
  {"tensor.save", function() local _ = T.save(a, missing .. "/x.npy") end, "cannot write"},
  {"tensor.frombytes", function() local _ = T.frombytes("abc", {2}) end, "bytes do not hold"},
  {"tensor.matmul", function() local _ = T.matmul(a, a) end, "inner sizes"},
  {"tensor.exp", function() local _ = T.exp("x") end},
  {"tensor.clamp", function() local _ = T.clamp(a, 2, 1) end, "above upper"},
  {"tensor.maximum", function() local _ = T.maximum(a, T.zeros(4)) end, "broadcast"},
  {"tensor.sum", function() local _ = T.sum(a, 3) end, "axis 3 out of range"},
  {"tensor.argmax", function() local _ = T.zeros(0):argmax() end, "empty"},
  {"a:get", function() local _ = a:get(3, 1) end, "out of range"},
  {"a:set", function() local _ = a:set(1, 1) end, "indices given"},
  {"a:select", function() local _ = a:select(1, 9) end, "out of range"},
  {"a:slice", function() local _ = a:slice(2, 2, 5) end, "out of range"},
  {"a:reshape", function() local _ = a:reshape(4, 2) end, "cannot reshape"},
  {"a:permute", function() local _ = a:permute(1, 1) end, "repeated"},
  {"a:transpose", function() local _ = T.zeros(2, 2, 2):transpose() end, "two axes"},
  {"a:copy", function() local _ = a:copy(T.zeros(4)) end, "copy"},
  {"a:fill", function() local _ = a:fill("x") end},
  {"a:item", function() local _ = a:item() end, "6 elements"},
  {"a:rows", function() local _ = a:rows({5}) end, "out of range"},
  {"a + b", function() local _ = a + T.zeros(4) end, "do not broadcast"},
  {"a[i]", function() local _ = a[7] end, "out of range"},
  {"a.x = 1", function() a.x = 1 end, "no field"},
  {"a.sum()", function() local _ = a.sum() end},
}

-- image
local image_cases = {
  {"image.load", function() local _ = image.load(missing) end},
  {"image.save", function() local _ = image.save(img, nil) end, "file name"},
  {"image.to_gray", function() local _ = image.to_gray("x") end},
  {"image.resize", function() local _ = image.resize(img, -1, 2) end, "positive"},
  {"image.crop", function() local _ = image.crop(img, 0, 0, 4, 4) end, "not inside"},
  {"image.pad", function() local _ = image.pad(img, "x") end},
  {"image.filter", function() local _ = image.filter(img, "x") end},
  {"image.max_pool", function() local _ = image.max_pool(img, 0) end},
  {"image.avg_pool", function() local _ = image.avg_pool(img, 0) end},
  {"image.montage", function() local _ = image.montage("x") end, "expected a table"},
  {"image.hog", function() local _ = image.hog(T.zeros(0, 24)) end, "empty"},
  {"image.kernels.box", function() local _ = image.kernels.box(-1) end},
  {"image.kernels.gaussian", function() local _ = image.kernels.gaussian(3, -1) end, "sigma"},
}

-- ml, ml.metrics
local clf = ml.SVC():fit(X, y)
local lin = ml.LinearSVC():fit(X, y)
local scaler = ml.StandardScaler():fit(X)
local ml_cases = {
  {"ml.SVC", function() local _ = ml.SVC{C = -1} end, "C must be"},
  {"ml.LinearSVC", function() local _ = ml.LinearSVC{loss = "x"} end, "loss must be"},
  {"ml.load_model", function() local _ = ml.load_model(missing) end, "cannot open"},
  {"ml.StandardScaler", function() local _ = ml.StandardScaler("x") end, "options must be a table"},
  {"ml.nms", function() local _ = ml.nms("x", {}) end, "boxes must be"},
  {"ml.sliding_windows", function() local _ = ml.sliding_windows("x") end, "gray image"},
  {"ml.train_test_split", function() local _ = ml.train_test_split(X, {1, 2}) end, "8 rows but y has 2"},
  {"ml.StratifiedKFold", function() local _ = ml.StratifiedKFold{n_splits = 1} end, "n_splits"},
  {"ml.KFold", function() local _ = ml.KFold{n_splits = 1} end, "n_splits"},
  {"ml.cross_val_score", function() local _ = ml.cross_val_score("x", X, y) end, "expected an estimator"},
  {"ml.GridSearchCV", function() local _ = ml.GridSearchCV("x", {}) end, "expected an estimator"},
  {"SVC:fit (X)", function() local _ = ml.SVC():fit("x", y) end, "X must be"},
  {"SVC:fit (NaN, found in C)", function() local _ = ml.SVC():fit(T{{0 / 0, 1}, {1, 1}}, {0, 1}) end, "finite"},
  {"SVC:fit (one class, found in C)", function() local _ = ml.SVC():fit(X, {1, 1, 1, 1, 1, 1, 1, 1}) end, "one class"},
  {"SVC:predict (unfitted)", function() local _ = ml.SVC():predict(X) end, "not fitted"},
  {"SVC:predict (features, found in C)", function() local _ = clf:predict(T.zeros(2, 3)) end, "3 features"},
  {"SVC:decision_function", function() local _ = clf:decision_function("x") end, "X must be"},
  {"SVC:predict_proba", function() local _ = clf:predict_proba(X) end, "no probability"},
  {"SVC:score", function() local _ = clf:score(X, {1}) end},
  {"SVC:save", function() local _ = clf:save(missing .. "/m.txt") end},
  {"SVC:set_params", function() local _ = clf:set_params("x") end, "expected a table"},
  {"LinearSVC:predict (features, found in C)", function() local _ = lin:predict(T.zeros(2, 5)) end, "5 features"},
  {"LinearSVC:predict_proba", function() local _ = lin:predict_proba(X) end, "no probabilities"},
  {"StandardScaler:transform", function() local _ = scaler:transform(T.zeros(2, 3)) end, "3 features"},
  {"StandardScaler:inverse_transform", function() local _ = ml.StandardScaler():inverse_transform(X) end, "fit"},
  {"KFold:split", function() local _ = ml.KFold{n_splits = 9}:split(X) end, "greater than"},
  {"GridSearchCV:predict", function() local _ = ml.GridSearchCV(ml.SVC(), {C = {1}}):predict(X) end, "fit"},
  {"accuracy_score", function() local _ = ml.metrics.accuracy_score({1}, {1, 2}) end},
  {"confusion_matrix", function() local _ = ml.metrics.confusion_matrix("x", y) end},
  {"precision_score", function() local _ = ml.metrics.precision_score(y, y, {average = "x"}) end, "average must be"},
  {"recall_score", function() local _ = ml.metrics.recall_score({0, 1, 2}, {0, 1, 2}) end, "3 classes"},
  {"f1_score", function() local _ = ml.metrics.f1_score(y, "x") end},
  {"roc_curve", function() local _ = ml.metrics.roc_curve(y, {1}) end},
  {"auc", function() local _ = ml.metrics.auc("x", {}) end},
  {"roc_auc_score", function() local _ = ml.metrics.roc_auc_score("x", {}) end},
}

-- data, plot, idx, h5
local other_cases = {
  {"data.path", function() local _ = data.path("no/such/file.png") end, "not found"},
  {"data.path (nil)", function() local _ = data.path() end, "expected a file name"},
  {"data.fashion_mnist", function() local _ = data.fashion_mnist{dir = missing} end, "not found"},
  {"data.faces", function() local _ = data.faces{path = missing} end},
  {"data.patches", function() local _ = data.patches("x", 1) end, "image"},
  {"data.patches (n)", function() local _ = data.patches(img, 0) end, "positive integer"},
  {"data.face_dataset", function() local _ = data.face_dataset{per_photo = 0} end, "at least 1"},
  {"plot.history", function() local _ = plot.history("x", png) end, "plot.history"},
  {"plot.image_grid", function() local _ = plot.image_grid("x", png) end, "plot.image_grid"},
  {"plot.filters", function() local _ = plot.filters("x", png) end, "plot.filters"},
  {"plot.feature_maps", function() local _ = plot.feature_maps("x", png) end, "plot.feature_maps"},
  {"plot.confusion_matrix", function() local _ = plot.confusion_matrix({0}, {0, 1}, png) end, "plot.confusion_matrix"},
  {"plot.lines", function() local _ = plot.lines("x", png) end, "plot.lines"},
  {"plot.lines (unwritable, found in C)", function() local _ = plot.lines({{y = {1, 2}}}, missing .. "/p.png") end, "plot.lines"},
  {"plot.detections", function() local _ = plot.detections("x", {}, png) end, "plot.detections"},
  {"plot.prediction", function() local _ = plot.prediction("x", {1}, png) end, "plot.prediction"},
  {"plot.prediction (unwritable, found in C)", function() local _ = plot.prediction(T.zeros(4, 4), {0.5, 0.5}, missing .. "/p.png") end, "plot.prediction"},
  {"idx.load", function() local _ = idx.load(missing) end},
  {"idx.load (nil)", function() local _ = idx.load() end},
  {"h5.read_keras_weights", function() local _ = h5.read_keras_weights(missing) end},
  {"h5.is_hdf5", function() local _ = h5.is_hdf5() end},
  {"h5.write_keras_weights", function() local _ = h5.write_keras_weights(png, {1}) end, "layer 1"},
}

for _, group in ipairs {tensor_cases, image_cases, ml_cases, other_cases} do
  for _, c in ipairs(group) do at_line(c[1], c[2], c[3]) end
end

-- an error inside a function the script defines, called through the
-- runtime (an estimator factory), names the script's line: the factory's
-- own frame is gone (a tail call), so the line is the one that called
-- the runtime
at_line("error in a factory called by the runtime",
        function() local _ = ml.cross_val_score(function() return ml.SVC{C = 0} end, X, y, {cv = 2}) end,
        "C must be")

os.remove(png)
t.done()
