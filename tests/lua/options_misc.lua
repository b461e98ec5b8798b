-- options_misc.lua - the one options checker in the modules outside nn:
-- every function of ml, ml.metrics, data, plot, image and h5 that takes
-- an options table, called with a misspelt key, names itself, the key
-- and the nearest valid key, at this file's line; values of the wrong
-- type name the expected type; scikit-learn's keyword names still work;
-- methods called with '.' instead of ':' say so.
local t = require "tap"
local T = require "tensor"
local ml = require "ml"
local data = require "data"
local plot = require "plot"
local image = require "image"
local h5 = require "h5"

local png = os.tmpname() .. ".png"

-- f() must fail with a message that starts with this file's name and
-- the line f was written on (one-line functions), contains want
-- (plain text), and never mentions runtime/.
local function fails_at(f, want, name)
  local line = debug.getinfo(f, "S").linedefined
  local ok, err = pcall(f)
  err = tostring(err)
  local at = err:match("^[^:\n]*options_misc%.lua:(%d+): ")
  local good = not ok and tonumber(at) == line and err:find(want, 1, true) ~= nil
               and not err:find("runtime/", 1, true)
  t.ok(good, name)
  if not good then
    t.diag(ok and "no error raised" or ("message: " .. err))
    t.diag(("want at line %d: %s"):format(line, want))
  end
end

local X = T{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 2}, {2, 3}, {3, 2}, {3, 3}}
local y = {0, 0, 0, 0, 1, 1, 1, 1}
local img = T.rand(16, 16, 1)
local hist = {history = {loss = {1, 0.5}, val_loss = {1.2, 0.7}}}

-- {function name, call with a misspelt key, the key, the nearest}
local misspelt = {
  {"SVC", function() ml.SVC{kernal = "rbf"} end, "kernal", "kernel"},
  {"SVC", function() ml.SVC{gama = 1} end, "gama", "gamma"},
  {"SVC", function() ml.SVC{probabilty = true} end, "probabilty", "probability"},
  {"SVC", function() ml.SVC{random_sate = 1} end, "random_sate", "random_state"},
  {"LinearSVC", function() ml.LinearSVC{penality = "l2"} end, "penality", "penalty"},
  {"LinearSVC", function() ml.LinearSVC{fit_intercpt = true} end, "fit_intercpt", "fit_intercept"},
  {"SVC.set_params", function() ml.SVC():set_params{degre = 2} end, "degre", "degree"},
  {"ml.StandardScaler", function() ml.StandardScaler{with_means = true} end, "with_means", "with_mean"},
  {"ml.nms", function() ml.nms(T{{0, 0, 2, 2}}, {1}, {iuo = 0.5}) end, "iuo", "iou"},
  {"ml.sliding_windows", function() ml.sliding_windows(img, {stpe = 2}) end, "stpe", "step"},
  {"ml.train_test_split", function() ml.train_test_split(X, y, {test_szie = 0.5}) end, "test_szie", "test_size"},
  {"ml.train_test_split", function() ml.train_test_split(X, y, {stratfy = true}) end, "stratfy", "stratify"},
  {"ml.StratifiedKFold", function() ml.StratifiedKFold{n_split = 2} end, "n_split", "n_splits"},
  {"ml.KFold", function() ml.KFold{shufle = true} end, "shufle", "shuffle"},
  {"ml.cross_val_score", function() ml.cross_val_score(ml.SVC(), X, y, {scorring = "accuracy"}) end, "scorring", "scoring"},
  {"ml.GridSearchCV", function() ml.GridSearchCV(ml.SVC(), {C = {1}}, {refitt = true}) end, "refitt", "refit"},
  {"accuracy_score", function() ml.metrics.accuracy_score(y, y, {normalise = false}) end, "normalise", "normalize"},
  {"confusion_matrix", function() ml.metrics.confusion_matrix(y, y, {label = {0, 1}}) end, "label", "labels"},
  {"precision_score", function() ml.metrics.precision_score(y, y, {averge = "macro"}) end, "averge", "average"},
  {"recall_score", function() ml.metrics.recall_score(y, y, {pos_lable = 1}) end, "pos_lable", "pos_label"},
  {"f1_score", function() ml.metrics.f1_score(y, y, {averag = "macro"}) end, "averag", "average"},
  {"roc_curve", function() ml.metrics.roc_curve(y, y, {drop_intermediat = false}) end, "drop_intermediat", "drop_intermediate"},
  {"data.fashion_mnist", function() data.fashion_mnist{dirr = "/nonexistent"} end, "dirr", "dir"},
  {"data.faces", function() data.faces{pth = "/nonexistent"} end, "pth", "path"},
  {"data.patches", function() data.patches(img, 2, {sise = 4}) end, "sise", "size"},
  {"data.patches", function() data.patches(img, 2, {sede = 4}) end, "sede", "seed"},
  {"data.face_dataset", function() data.face_dataset{per_foto = 1} end, "per_foto", "per_photo"},
  {"plot.history", function() plot.history(hist, png, {titel = "x"}) end, "titel", "title"},
  {"plot.image_grid", function() plot.image_grid(T.rand(4, 8, 8), png, {colls = 2}) end, "colls", "cols"},
  {"plot.filters", function() plot.filters(T.rand(3, 3, 1, 4), png, {chanel = 1}) end, "chanel", "channel"},
  {"plot.feature_maps", function() plot.feature_maps(T.rand(1, 8, 8, 4), png, {cmapp = "gray"}) end, "cmapp", "cmap"},
  {"plot.confusion_matrix", function() plot.confusion_matrix(y, y, png, {class_name = {"a", "b"}}) end, "class_name", "class_names"},
  {"plot.lines", function() plot.lines({{y = {1, 2}}}, png, {xlable = "x"}) end, "xlable", "xlabel"},
  {"plot.lines: series 1", function() plot.lines({{y = {1, 2}, colr = "red"}}, png) end, "colr", "color"},
  {"plot.detections", function() plot.detections(img, {}, png, {sied = 100}) end, "sied", "side"},
  {"image.load", function() image.load(png, {grey = true}) end, "grey", "gray"},
  {"image.save", function() image.save(img, png, {normalise = true}) end, "normalise", "normalize"},
  {"image.pad", function() image.pad(img, 1, {boarder = "zero"}) end, "boarder", "border"},
  {"image.filter", function() image.filter(img, image.kernels.laplacian(), {pading = "same"}) end, "pading", "padding"},
  {"image.filter", function() image.filter(img, image.kernels.laplacian(), {strid = 2}) end, "strid", "stride"},
  {"image.montage", function() image.montage{img, img, colums = 2} end, "colums", "cols"},
  {"image.hog", function() image.hog(T.rand(32, 32), {pixels_per_cel = {8, 8}}) end, "pixels_per_cel", "pixels_per_cell"},
  {"image.hog", function() image.hog(T.rand(32, 32), {block_nrom = "L1"}) end, "block_nrom", "block_norm"},
  {"h5.write_keras_weights", function() h5.write_keras_weights(png, {}, {backnd = "x"}) end, "backnd", "backend"},
}

for _, row in ipairs(misspelt) do
  local fn, f, key, near = row[1], row[2], row[3], row[4]
  fails_at(f, ("%s: unknown option '%s' (did you mean '%s'?)"):format(fn, key, near),
           ("%s: misspelt '%s' suggests '%s'"):format(fn, key, near))
end

-- a key far from every valid one lists them instead
fails_at(function() ml.KFold{zzzzzzzz = 1} end,
         "ml.KFold: unknown option 'zzzzzzzz' (valid options: n_splits, random_state, shuffle)",
         "a key near nothing lists the valid options")
fails_at(function() plot.history(hist, png, "title") end,
         "plot.history: options must be a table, got string", "options not a table")
fails_at(function() ml.SVC{[1] = "rbf"} end,
         "SVC: options are name = value pairs", "a list where options belong")

-- values of the wrong type name the expected type
local wrong_type = {
  {function() ml.StandardScaler{with_mean = "no"} end,
   "ml.StandardScaler: option 'with_mean' must be true or false, got string"},
  {function() ml.metrics.confusion_matrix(y, y, {labels = "01"}) end,
   "confusion_matrix: option 'labels' must be a table or a tensor, got string"},
  {function() ml.metrics.precision_score(y, y, {average = 2}) end,
   "precision_score: option 'average' must be a string, got number"},
  {function() ml.GridSearchCV(ml.SVC(), {C = {1}}, {refit = "yes"}) end,
   "ml.GridSearchCV: option 'refit' must be true or false, got string"},
  {function() ml.sliding_windows(img, {step = 1.5}) end,
   "ml.sliding_windows: option 'step' must be an integer, got number"},
  {function() data.faces{path = 7} end,
   "data.faces: option 'path' must be a string, got number"},
  {function() data.face_dataset{per_photo = "many"} end,
   "data.face_dataset: option 'per_photo' must be an integer, got string"},
  {function() plot.lines({{y = {1, 2}}}, png, {legend = "no"}) end,
   "plot.lines: option 'legend' must be true or false, got string"},
  {function() plot.image_grid(T.rand(4, 8, 8), png, {normalize = 1}) end,
   "plot.image_grid: option 'normalize' must be true or false, got number"},
  {function() plot.detections(img, {}, png, {normalize = "yes"}) end,
   "plot.detections: option 'normalize' must be true or false, got string"},
  {function() h5.write_keras_weights(png, {}, {backend = 1}) end,
   "h5.write_keras_weights: option 'backend' must be a string, got number"},
}
for i, row in ipairs(wrong_type) do
  fails_at(row[1], row[2], "wrong type " .. i .. ": " .. row[2]:match("'(.-)'"))
end

-- scikit-learn's keyword names keep working
local okc = pcall(function()
  local clf = ml.SVC{C = 10, kernel = "rbf", gamma = "scale", degree = 3, coef0 = 0,
                     shrinking = true, probability = false, tol = 1e-3, cache_size = 200,
                     decision_function_shape = "ovr", random_state = 0}
  clf:fit(X, y)
  ml.LinearSVC{C = 1, loss = "squared_hinge", penalty = "l2", dual = true, tol = 1e-4,
               max_iter = 1000, fit_intercept = true, intercept_scaling = 1,
               random_state = 0}:fit(X, y)
  ml.StandardScaler{with_mean = true, with_std = false}:fit_transform(X)
  ml.train_test_split(X, y, {test_size = 0.5, train_size = 0.5, random_state = 1,
                             shuffle = true, stratify = y})
  ml.StratifiedKFold{n_splits = 2, shuffle = true, random_state = 1}:split(X, y)
  ml.cross_val_score(ml.SVC(), X, y, {cv = 2, scoring = "accuracy"})
  ml.GridSearchCV(ml.SVC(), {C = {1, 10}}, {cv = 2, scoring = "accuracy", refit = true}):fit(X, y)
  ml.metrics.accuracy_score(y, y, {normalize = false})
  ml.metrics.confusion_matrix(y, y, {labels = T{0, 1}})
  ml.metrics.f1_score(y, y, {average = "macro", labels = {0, 1}})
  ml.metrics.precision_score(y, y, {pos_label = 1})
  ml.metrics.roc_curve(y, y, {pos_label = 1, drop_intermediate = false})
end)
t.ok(okc, "scikit-learn's keyword names are all accepted")

-- methods called with '.' instead of ':'
local clf = ml.SVC()
fails_at(function() clf.fit(X, y) end,
         "fit: called with '.' instead of ':' (write clf:fit(...))", "clf.fit(X, y)")
clf:fit(X, y)
fails_at(function() clf.predict(X) end,
         "predict: called with '.' instead of ':' (write clf:predict(...))", "clf.predict(X)")
fails_at(function() clf.score(X, y) end,
         "score: called with '.' instead of ':'", "clf.score(X, y)")
fails_at(function() ml.LinearSVC().fit(X, y) end,
         "fit: called with '.' instead of ':'", "LinearSVC .fit")
fails_at(function() ml.SVC().set_params{C = 2} end,
         "set_params: called with '.' instead of ':'", ".set_params")
fails_at(function() ml.StandardScaler().fit(X) end,
         "fit: called with '.' instead of ':' (write scaler:fit(...))", "scaler.fit(X)")
fails_at(function() ml.KFold{n_splits = 2}.split(X, y) end,
         "split: called with '.' instead of ':' (write cv:split(...))", "cv.split(X, y)")
fails_at(function() ml.GridSearchCV(ml.SVC(), {C = {1}}).fit(X, y) end,
         "fit: called with '.' instead of ':' (write grid:fit(...))", "grid.fit(X, y)")
fails_at(function() local b = X.reshape(2, 8) end,
         "reshape: called with '.' instead of ':' (write t:reshape(...))", "tensor a.reshape(...)")
fails_at(function() local b = X.transpose() end,
         "transpose: called with '.' instead of ':'", "tensor a.transpose()")
t.is(clf:predict(X):numel(), 8, "':' calls still work")
t.is(T.sum(X), 24, "tensor.sum(a), the module's own function, still works")

os.remove(png)
t.done()
