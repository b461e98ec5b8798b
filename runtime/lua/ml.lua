-- ml.lua - classic machine learning with scikit-learn's names. The
-- models are libsvm and liblinear (ml.core, runtime/lml.c); splits,
-- cross-validation, grid search, scaling and metrics are Lua over
-- tensors and lists.
--
--   ml.SVC{C=1, kernel='rbf'|'linear'|'poly'|'sigmoid', gamma='scale'|
--          'auto'|x, degree=3, coef0=0, probability=false, tol=1e-3,
--          cache_size=200, shrinking=true, random_state=,
--          decision_function_shape='ovr'|'ovo'}
--   ml.LinearSVC{C=1, loss='squared_hinge'|'hinge', penalty='l2'|'l1',
--          dual=true, tol=1e-4, max_iter=1000, fit_intercept=true,
--          intercept_scaling=1, random_state=}
--     :fit(X, y) -> self     X (N, D) tensor (or rows as tables); y the
--                            integer class ids, a tensor or a table
--     :predict(X)            (N) labels
--     :decision_function(X)  (N) for two classes, positive for the
--                            larger label (sklearn); else (N, K)
--     :predict_proba(X)      (N, K), classes ascending (SVC with
--                            probability = true: libsvm's Platt scaling)
--     :score(X, y)           accuracy
--     :save(path)            libsvm's / liblinear's own model file
--     :get_params(), :set_params(t), :clone()
--     fitted: classes_, n_features_in_; SVC: n_support_, support_,
--       support_vectors_; LinearSVC: coef_, intercept_
--   ml.load_model(path)      an SVC or LinearSVC, ready to predict
--   ml.train_test_split(X, y, {test_size=0.25, train_size=,
--          random_state=, shuffle=true, stratify=})
--       -> X_train, X_test, y_train, y_test, train_idx, test_idx
--   ml.StratifiedKFold{n_splits=5, shuffle=false, random_state=},
--   ml.KFold{...}            :split(X, y) -> {{train=, test=}, ...}
--   ml.cross_val_score(est_or_factory, X, y, {cv=5, scoring=})
--       -> the fold scores (a list with :mean() and :std())
--   ml.GridSearchCV(est_or_factory, {C={...}, gamma={...}}, {cv=5,
--          scoring=, refit=true}) :fit(X, y); best_params_, best_score_,
--          best_index_, best_estimator_, cv_results_, :predict(X) ...
--   ml.StandardScaler{with_mean=true, with_std=true}
--       :fit(X), :transform(X), :fit_transform(X), :inverse_transform(X);
--       mean_, var_, scale_
--   ml.metrics.accuracy_score, precision_score, recall_score, f1_score,
--       confusion_matrix, roc_curve, roc_auc_score, auc
--   ml.nms(boxes, scores, {iou=0.3}) -> kept positions (1-based)
--
-- Randomness (shuffles, libsvm's internal folds for probabilities,
-- liblinear's coordinate order) comes from the runtime's seeded RNG
-- (tensor.seed); random_state re-seeds it first. Positions are 1-based
-- as everywhere in Lua; class ids are whatever integers y holds.
local T = require "tensor"
local K = require "ml.core"
local fail = require "script_error"
local U = require "ml_util"
local call, describe, is_int, as_tensor, as_matrix, number_list =
  U.call, U.describe, U.is_int, U.as_tensor, U.as_matrix, U.number_list
local check_options, seed_of, fmt_value =
  U.check_options, U.seed_of, U.fmt_value

local ml = {}
ml.metrics = require "ml_metrics"
for k, v in pairs(require "ml_select") do ml[k] = v end

-- ---- estimators: shared parts -----------------------------------------
-- An estimator class has: name, defaults (the parameters and their
-- defaults), order (for printing), check(self) validating them, and
-- the methods below.

local Estimator = {}
Estimator.__index = Estimator

local function estimator_class(name, defaults, order)
  local known = {}
  for _, k in ipairs(order) do known[k] = true end
  local c = setmetatable({name = name, defaults = defaults, order = order,
                          known = known}, {__index = Estimator})
  c.__index = c
  c.__tostring = Estimator.__tostring
  return c
end

local function new_estimator(cls, opts)
  local what = cls.name
  opts = check_options(opts, cls.order, what)
  local e = setmetatable({}, cls)
  for k, v in pairs(cls.defaults) do e[k] = v end
  for k, v in pairs(opts) do e[k] = v end
  cls.check(e)
  return e
end

function Estimator:get_params()
  local p = {}
  for _, k in ipairs(self.order) do p[k] = self[k] end
  return p
end

function Estimator:set_params(params)
  if type(params) ~= "table" then
    fail("%s.set_params: expected a table of parameters, got %s", self.name,
         describe(params))
  end
  check_options(params, self.order, self.name .. ".set_params")
  for k, v in pairs(params) do self[k] = v end
  self.check(self)
  return self
end

function Estimator:clone()
  return new_estimator(getmetatable(self), self:get_params())
end

-- SVC(C=10, gamma=0.01): the parameters that differ from the defaults
function Estimator:__tostring()
  local parts = {}
  for _, k in ipairs(self.order) do
    if self[k] ~= self.defaults[k] then
      parts[#parts + 1] = k .. "=" .. fmt_value(self[k])
    end
  end
  return self.name .. "(" .. table.concat(parts, ", ") .. ")"
end

function Estimator:check_fitted(method)
  if not self.model_ then
    fail("%s.%s: the model is not fitted yet; call fit(X, y) first", self.name, method)
  end
end

function Estimator:predict(X)
  local what = self.name .. ".predict"
  self:check_fitted("predict")
  return call(what, self.model_.predict, self.model_, as_matrix(X, what))
end

function Estimator:score(X, y)
  return ml.metrics.accuracy_score(y, self:predict(X))
end

function Estimator:save(path)
  local what = self.name .. ".save"
  self:check_fitted("save")
  if type(path) ~= "string" or path == "" then
    fail("%s: expected a file name, got %s", what, describe(path))
  end
  call(what, self.model_.save, self.model_, path)
  return path
end

local function check_number(e, k, lo, strict)
  local v = e[k]
  if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge
     or (lo and (strict and v <= lo or v < lo)) then
    fail("%s: %s must be a%s number%s, got %s", e.name, k, lo and "" or " finite",
         lo and ((strict and " > " or " >= ") .. lo) or "", describe(v))
  end
end

local function check_choice(e, k, choices)
  for _, c in ipairs(choices) do
    if e[k] == c then return end
  end
  fail("%s: %s must be one of '%s', got %s", e.name, k,
       table.concat(choices, "', '"), describe(e[k]))
end

local function check_bool(e, k)
  if type(e[k]) ~= "boolean" then
    fail("%s: %s must be true or false, got %s", e.name, k, describe(e[k]))
  end
end

local function check_random_state(e)
  local r = e.random_state
  if r ~= nil and (not is_int(r) or r < 0) then
    fail("%s: random_state must be a non-negative integer, got %s", e.name, describe(r))
  end
end

-- ---- SVC (libsvm) ----------------------------------------------------------

local SVC = estimator_class("SVC", {
  C = 1.0, kernel = "rbf", degree = 3, gamma = "scale", coef0 = 0.0,
  shrinking = true, probability = false, tol = 1e-3, cache_size = 200,
  decision_function_shape = "ovr",
}, {"C", "kernel", "degree", "gamma", "coef0", "shrinking", "probability",
    "tol", "cache_size", "decision_function_shape", "random_state"})

function SVC.check(e)
  check_number(e, "C", 0, true)
  check_choice(e, "kernel", {"linear", "poly", "rbf", "sigmoid"})
  if not (e.gamma == "scale" or e.gamma == "auto" or
          (type(e.gamma) == "number" and e.gamma > 0 and e.gamma < math.huge)) then
    fail("SVC: gamma must be 'scale', 'auto' or a positive number, got %s",
         describe(e.gamma))
  end
  if not is_int(e.degree) or e.degree < 0 or e.degree > 100 then
    fail("SVC: degree must be an integer in 0..100, got %s", describe(e.degree))
  end
  check_number(e, "coef0")
  check_bool(e, "shrinking")
  check_bool(e, "probability")
  check_number(e, "tol", 0, true)
  check_number(e, "cache_size", 0, true)
  check_choice(e, "decision_function_shape", {"ovr", "ovo"})
  check_random_state(e)
end

function ml.SVC(opts) return new_estimator(SVC, opts) end

-- gamma='scale': 1 / (n_features * X.var()), as scikit-learn (1 when X
-- is constant); 'auto': 1 / n_features
local function gamma_value(e, X, what)
  local d = X:shape()[2]
  if e.gamma == "auto" then return 1 / d end
  if e.gamma ~= "scale" then return e.gamma end
  local _, var = call(what, K.stats, X)
  if var ~= var then return 1 end     -- NaN in X: the fit reports it
  return var > 0 and 1 / (d * var) or 1
end

-- the fitted attributes, from the model itself
local function svc_fitted(e)
  local info = e.model_:info()
  e.classes_, e.n_features_in_, e.n_support_ = info.classes, info.n_features, info.n_support
  e._gamma = info.gamma
  e.support_vectors_, e.support_ = e.model_:support()
  e.fit_probability_ = info.probability
end

function SVC:fit(X, y)
  local what = "SVC.fit"
  X = as_matrix(X, what)
  local o = {kernel = self.kernel, C = self.C, degree = self.degree,
             gamma = gamma_value(self, X, what), coef0 = self.coef0,
             tol = self.tol, cache_size = self.cache_size,
             shrinking = self.shrinking, probability = self.probability,
             seed = self.probability and seed_of(self.random_state) or 0}
  self.model_ = call(what, K.svm_train, X, y, o)
  svc_fitted(self)
  return self
end

function SVC:decision_function(X)
  local what = "SVC.decision_function"
  self:check_fitted("decision_function")
  X = as_matrix(X, what)
  local shape = self.decision_function_shape == "ovo" and "ovo" or nil
  return call(what, self.model_.decision, self.model_, X, shape)
end

function SVC:predict_proba(X)
  local what = "SVC.predict_proba"
  self:check_fitted("predict_proba")
  if not self.fit_probability_ then
    fail("%s: the model has no probability estimates; create it with " ..
         "ml.SVC{probability = true} and fit again", what)
  end
  return call(what, self.model_.proba, self.model_, as_matrix(X, what))
end

-- ---- LinearSVC (liblinear) -------------------------------------------------

local LinearSVC = estimator_class("LinearSVC", {
  C = 1.0, loss = "squared_hinge", penalty = "l2", dual = true, tol = 1e-4,
  max_iter = 1000, fit_intercept = true, intercept_scaling = 1,
}, {"C", "loss", "penalty", "dual", "tol", "max_iter", "fit_intercept",
    "intercept_scaling", "random_state"})

-- scikit-learn's choice of liblinear solver
local SOLVERS = {
  ["l2 squared_hinge true"] = "L2R_L2LOSS_SVC_DUAL",
  ["l2 squared_hinge false"] = "L2R_L2LOSS_SVC",
  ["l2 hinge true"] = "L2R_L1LOSS_SVC_DUAL",
  ["l1 squared_hinge false"] = "L1R_L2LOSS_SVC",
}

function LinearSVC.check(e)
  check_number(e, "C", 0, true)
  check_choice(e, "loss", {"squared_hinge", "hinge"})
  check_choice(e, "penalty", {"l2", "l1"})
  check_bool(e, "dual")
  check_number(e, "tol", 0, true)
  check_bool(e, "fit_intercept")
  check_number(e, "intercept_scaling", 0, true)
  check_random_state(e)
  if e.max_iter ~= 1000 then
    fail("LinearSVC: max_iter must be 1000: Debian's liblinear 2.3 stops " ..
         "its solvers after 1000 iterations and takes no other limit, got %s",
         describe(e.max_iter))
  end
  if not SOLVERS[e.penalty .. " " .. e.loss .. " " .. tostring(e.dual)] then
    fail("LinearSVC: penalty='%s' with loss='%s' and dual=%s is not supported " ..
         "(as in scikit-learn); use penalty='l2', or penalty='l1' with " ..
         "loss='squared_hinge' and dual=false", e.penalty, e.loss, tostring(e.dual))
  end
end

function ml.LinearSVC(opts) return new_estimator(LinearSVC, opts) end

local function linear_fitted(e)
  local info = e.model_:info()
  e.classes_, e.n_features_in_ = info.classes, info.n_features
  e.coef_, e.intercept_ = e.model_:coef()
end

function LinearSVC:fit(X, y)
  local what = "LinearSVC.fit"
  X = as_matrix(X, what)
  local key = self.penalty .. " " .. self.loss .. " " .. tostring(self.dual)
  local o = {solver = SOLVERS[key],
             C = self.C, tol = self.tol, seed = seed_of(self.random_state),
             bias = self.fit_intercept and self.intercept_scaling or -1}
  self.model_ = call(what, K.linear_train, X, y, o)
  linear_fitted(self)
  return self
end

function LinearSVC:decision_function(X)
  local what = "LinearSVC.decision_function"
  self:check_fitted("decision_function")
  return call(what, self.model_.decision, self.model_, as_matrix(X, what))
end

function LinearSVC:predict_proba()
  fail("LinearSVC.predict_proba: a linear SVM gives no probabilities; " ..
       "use ml.SVC{kernel = 'linear', probability = true}")
end

-- ---- model files -------------------------------------------------------------

-- A fitted SVC or LinearSVC from a file written by :save (or by libsvm's
-- or liblinear's own tools). The training settings that the file does
-- not keep (C, tol, ...) are left at their defaults.
function ml.load_model(path)
  local what = "ml.load_model"
  if type(path) ~= "string" or path == "" then
    fail("%s: expected a file name, got %s", what, describe(path))
  end
  local model, kind = call(what, K.load, path)
  if kind == "svc" then
    local info = model:info()
    local k = info.kernel
    local e = ml.SVC{kernel = k, gamma = k == "linear" and "scale" or info.gamma,
                     degree = k == "poly" and info.degree or 3,
                     coef0 = (k == "poly" or k == "sigmoid") and info.coef0 or 0}
    e.model_ = model
    svc_fitted(e)
    e.probability = info.probability
    return e
  end
  local e = ml.LinearSVC()
  e.model_ = model
  linear_fitted(e)
  return e
end

-- ---- StandardScaler ------------------------------------------------------------------

local Scaler = {}
Scaler.__index = Scaler

function ml.StandardScaler(opts)
  local what = "ml.StandardScaler"
  local o = check_options(opts, {with_mean = "boolean", with_std = "boolean"},
                          what)
  return setmetatable({with_mean = o.with_mean ~= false,
                       with_std = o.with_std ~= false}, Scaler)
end

-- mean and population variance per feature (in double precision);
-- features of zero variance get scale 1, as scikit-learn does
function Scaler:fit(X)
  local what = "StandardScaler.fit"
  X = as_matrix(X, what)
  local mean, var = call(what, K.col_stats, X)
  self.n_samples_seen_, self.n_features_in_ = X:shape()[1], X:shape()[2]
  self.mean_, self.var_ = mean, var
  self.scale_ = var:sqrt() + var:eq(0)
  return self
end

local function scaler_input(self, X, what)
  if not self.mean_ then fail("%s: call fit(X) first", what) end
  X = as_matrix(X, what)
  if X:shape()[2] ~= self.n_features_in_ then
    fail("%s: X has %d features, the scaler was fitted on %d", what, X:shape()[2],
         self.n_features_in_)
  end
  return X
end

function Scaler:transform(X)
  X = scaler_input(self, X, "StandardScaler.transform")
  if not (self.with_mean or self.with_std) then return X:clone() end
  if self.with_mean then X = X - self.mean_ end
  if self.with_std then X = X / self.scale_ end
  return X
end

function Scaler:inverse_transform(X)
  X = scaler_input(self, X, "StandardScaler.inverse_transform")
  if not (self.with_mean or self.with_std) then return X:clone() end
  if self.with_std then X = X * self.scale_ end
  if self.with_mean then X = X + self.mean_ end
  return X
end

function Scaler:fit_transform(X)
  return self:fit(X):transform(X)
end

function Scaler:get_params()
  return {with_mean = self.with_mean, with_std = self.with_std}
end

function Scaler:set_params(params)
  local o = check_options(params, {with_mean = "boolean", with_std = "boolean"},
                          "StandardScaler.set_params")
  for k, v in pairs(o) do self[k] = v end
  return self
end

function Scaler:clone() return ml.StandardScaler(self:get_params()) end

function Scaler:__tostring()
  local p = {}
  if not self.with_mean then p[#p + 1] = "with_mean=false" end
  if not self.with_std then p[#p + 1] = "with_std=false" end
  return "StandardScaler(" .. table.concat(p, ", ") .. ")"
end

-- ---- non-maximum suppression ---------------------------------------------------------

-- boxes: an (N, 4) tensor or a list of {top, left, height, width}
-- (pixels; a box covers rows top .. top + height); scores: N numbers.
-- Greedy: the best-scoring box is kept, every box overlapping it with
-- intersection over union above iou is dropped, and so on down. Returns
-- the kept positions (1-based) by falling score; equal scores keep the
-- lower position first.
function ml.nms(boxes, scores, opts)
  local what = "ml.nms"
  local o = check_options(opts, {"iou"}, what)
  local iou = o.iou == nil and 0.3 or o.iou
  if type(iou) ~= "number" or not (iou >= 0 and iou <= 1) then
    fail("%s: iou must be a number in 0..1, got %s", what, describe(iou))
  end
  local s = number_list(scores, what, "scores")
  if type(boxes) == "table" and not T.is_tensor(boxes) then
    if #boxes == 0 and #s == 0 then return {} end
    for i, b in ipairs(boxes) do
      if type(b) ~= "table" or #b ~= 4 then
        fail("%s: box %d must be {top, left, height, width}, got %s", what, i, describe(b))
      end
    end
    boxes = as_tensor(boxes, what)
  elseif not T.is_tensor(boxes) then
    fail("%s: boxes must be an (N, 4) tensor or a list of {top, left, height, " ..
         "width}, got %s", what, describe(boxes))
  end
  if #s == 0 and boxes:numel() == 0 then return {} end
  return call(what, K.nms, boxes, T(s), iou)
end

-- ml.sliding_windows(img, {size = {h, w}, step = 2, scales = {1}}): every
-- h x w window of a gray image (H, W) or (H, W, 1) rescaled by each scale,
-- as (N, h, w, 1) patches, plus their boxes (N, 4) {top, left, height,
-- width} in the original image's pixels (top/left 0-based offsets).
function ml.sliding_windows(img, opts)
  local image = require "image"
  local what = "ml.sliding_windows"
  opts = check_options(opts, {size = "table", step = "integer",
                              scales = "table"}, what)
  local size = opts.size or {25, 25}
  local h, w = size[1], size[2]
  if not (is_int(h) and is_int(w) and h >= 1 and w >= 1) then
    fail("%s: size must be {h, w} of positive integers, got {%s, %s}", what,
         describe(h), describe(w))
  end
  local step = math.tointeger(opts.step or 2)
  if step < 1 then fail("%s: step must be at least 1, got %d", what, step) end
  if not T.is_tensor(img) or (img:dim() ~= 2 and not (img:dim() == 3 and img:size(3) == 1)) then
    fail("%s: expected a gray image (H, W) or (H, W, 1), got %s", what,
         describe(img))
  end
  if img:dim() == 2 then img = img:reshape(img:size(1), img:size(2), 1) end
  local wins, boxes = {}, {}
  for i, s in ipairs(opts.scales or {1}) do
    if type(s) ~= "number" or not (s > 0 and s < math.huge) then
      fail("%s: scales[%d] must be a positive number, got %s", what, i, describe(s))
    end
    local H, W = math.floor(img:size(1) * s + 0.5), math.floor(img:size(2) * s + 0.5)
    if H >= h and W >= w then
      local scaled = s == 1 and img or image.resize(img, H, W)
      for r = 0, H - h, step do
        for c = 0, W - w, step do
          wins[#wins + 1] = scaled:slice(1, r + 1, r + h):slice(2, c + 1, c + w)
          boxes[#boxes + 1] = {r / s, c / s, h / s, w / s}
        end
      end
    end
  end
  local x = T.zeros(#wins, h, w, 1)
  for i, v in ipairs(wins) do x[i] = v end
  return x, #boxes > 0 and T(boxes) or T.zeros(0, 4)
end

-- trees and ensembles (ml_tree.lua, ml_ensemble.lua) on the same base
do
  local base = {class = estimator_class, new = new_estimator, number = check_number,
                choice = check_choice, bool = check_bool,
                random_state = check_random_state}
  require("ml_tree").install(ml, base)
  require("ml_ensemble").install(ml, base)
end

-- obj.fit(X, y) instead of obj:fit(X, y) says so
local function is_estimator(v)
  if type(v) ~= "table" then return false end
  local mt = getmetatable(v)
  local base = type(mt) == "table" and getmetatable(mt)
  return type(base) == "table" and base.__index == Estimator
end
local skip = {check = true}
U.dot_guard(Estimator, is_estimator, "clf", skip)
U.dot_guard(SVC, is_estimator, "clf", skip)
U.dot_guard(LinearSVC, is_estimator, "clf", skip)
U.dot_guard(Scaler, function(v) return getmetatable(v) == Scaler end, "scaler")

-- estimators defined in other files get ml and the shared parts
local shared = {
  Estimator = Estimator, estimator_class = estimator_class,
  new_estimator = new_estimator, is_estimator = is_estimator,
  check_number = check_number, check_choice = check_choice,
  check_bool = check_bool, check_random_state = check_random_state,
}
for _, name in ipairs {"ml_linear", "ml_neighbors", "ml_cluster", "ml_tsne"} do
  require(name)(ml, shared)
end
-- PCA, kernel PCA, LLE, Isomap, MDS (ml_decomp.lua)
require("ml_decomp")(ml, shared)

return ml
