-- ml_tree.lua - decision trees with scikit-learn 1.2's names, defaults,
-- fitted attributes and results (runtime/ml/tree.c grows them through
-- ml_tree.core), and ml.export_text. ml.lua calls this module with
-- itself and the estimator base it shares.
--
--   ml.DecisionTreeClassifier{criterion='gini'|'entropy'|'log_loss',
--          splitter='best'|'random', max_depth=, min_samples_split=2,
--          min_samples_leaf=1, min_weight_fraction_leaf=0,
--          max_features=nil|'sqrt'|'log2'|int|fraction, random_state=,
--          min_impurity_decrease=0}
--   ml.DecisionTreeRegressor{criterion='squared_error'|'friedman_mse', ...}
--     :fit(X, y [, sample_weight]) -> self
--     :predict(X), :predict_proba(X) (classifier), :apply(X) (0-based
--     leaf ids), :score(X, y) (accuracy / R^2), :get_depth(),
--     :get_n_leaves()
--     fitted: classes_, n_classes_, n_features_in_, n_outputs_,
--       max_features_, feature_importances_ (a tensor), tree_ = {node_count,
--       max_depth, n_leaves, children_left, children_right, feature,
--       threshold, impurity, n_node_samples, weighted_n_node_samples,
--       value} -- lists over the nodes (position i is node i - 1; node
--       ids, features and classes stay 0-based as in scikit-learn; a leaf
--       has children -1 and feature / threshold -2; a classifier's value
--       is the weighted class counts, a regressor's the mean)
--   ml.export_text(tree, {feature_names=, class_names=, max_depth=10,
--          spacing=3, decimals=2, show_weights=false}) -> the text
--          scikit-learn's export_text prints
--
-- Not supported: max_leaf_nodes, class_weight, ccp_alpha (an error says
-- so when they are set), several outputs, absolute_error / poisson.
local T = require "tensor"
local K = require "ml_tree.core"
local fail = require "script_error"
local U = require "ml_util"
local call, describe, is_int, as_matrix, label_list, sorted_unique =
  U.call, U.describe, U.is_int, U.as_matrix, U.label_list, U.sorted_unique
local check_options, seed_of = U.check_options, U.seed_of

local M = {}

-- ---- options shared with the ensembles ------------------------------------

-- scikit-learn's max_features: nil (all), 'sqrt', 'log2', 'auto'
-- (deprecated: sqrt for classifiers, all for regressors), a count or a
-- fraction in (0, 1]
function M.max_features_of(e, d, classifier)
  local m = e.max_features
  if m == nil or m == 1.0 and math.type(m) == "float" then return d end
  if m == "sqrt" or (m == "auto" and classifier) then
    return math.max(1, math.floor(math.sqrt(d)))
  end
  if m == "auto" then return d end
  if m == "log2" then return math.max(1, math.floor(math.log(d, 2))) end
  if math.type(m) == "integer" then
    if m < 1 or m > d then
      fail("%s.fit: max_features=%d must be in 1..%d (the number of features)",
           e.name, m, d)
    end
    return m
  end
  return math.max(1, math.floor(m * d))
end

function M.check_max_features(e)
  local m = e.max_features
  if m == nil or m == "sqrt" or m == "log2" or m == "auto" then return end
  if math.type(m) == "integer" and m >= 1 then return end
  if math.type(m) == "float" and m > 0 and m <= 1 then return end
  fail("%s: max_features must be nil, 'sqrt', 'log2', a positive integer or " ..
       "a fraction in (0, 1], got %s", e.name, describe(m))
end

-- checks of the tree parameters (e: an estimator holding them)
function M.check_tree_params(e, base)
  if e.max_depth ~= nil and (not is_int(e.max_depth) or e.max_depth < 1) then
    fail("%s: max_depth must be nil or an integer >= 1, got %s", e.name,
         describe(e.max_depth))
  end
  local mss = e.min_samples_split
  if not ((is_int(mss) and mss >= 2) or
          (math.type(mss) == "float" and mss > 0 and mss <= 1)) then
    fail("%s: min_samples_split must be an integer >= 2 or a fraction in (0, 1], got %s",
         e.name, describe(mss))
  end
  local msl = e.min_samples_leaf
  if not ((is_int(msl) and msl >= 1) or
          (math.type(msl) == "float" and msl > 0 and msl < 1)) then
    fail("%s: min_samples_leaf must be an integer >= 1 or a fraction in (0, 1), got %s",
         e.name, describe(msl))
  end
  local f = e.min_weight_fraction_leaf
  if type(f) ~= "number" or not (f >= 0 and f <= 0.5) then
    fail("%s: min_weight_fraction_leaf must be a number in 0..0.5, got %s", e.name,
         describe(f))
  end
  base.number(e, "min_impurity_decrease", 0)
  M.check_max_features(e)
  base.random_state(e)
  for _, k in ipairs {"max_leaf_nodes", "class_weight"} do
    if e[k] ~= nil then
      fail("%s: %s is not supported by the workbook; leave it nil", e.name, k)
    end
  end
  if e.ccp_alpha ~= nil and e.ccp_alpha ~= 0 then
    fail("%s: ccp_alpha (pruning) is not supported by the workbook; leave it 0", e.name)
  end
end

-- the options ml_tree.core takes, for n samples of d features
function M.core_options(e, n, d, classifier, criterion)
  local mss, msl = e.min_samples_split, e.min_samples_leaf
  if math.type(mss) == "float" then mss = math.max(2, math.ceil(mss * n)) end
  if math.type(msl) == "float" then msl = math.ceil(msl * n) end
  return {
    criterion = criterion, splitter = e.splitter or "best",
    max_depth = e.max_depth and math.tointeger(e.max_depth) or -1,
    min_samples_split = math.tointeger(mss), min_samples_leaf = math.tointeger(msl),
    min_weight_leaf = e.min_weight_fraction_leaf * n,
    min_impurity_decrease = e.min_impurity_decrease + 0.0,
    max_features = M.max_features_of(e, d, classifier),
  }
end

-- classes ascending and y as 0-based class positions
function M.encode_classes(y, what, n, need_two)
  local labels = label_list(y, what, n)
  for i, v in ipairs(labels) do
    if not is_int(v) then
      fail("%s: y[%d] = %s is not an integer class id", what, i, describe(v))
    end
  end
  local classes = sorted_unique(labels)
  if need_two ~= false and #classes < 2 then
    fail("%s: y holds one class only (label %s); a classifier needs at least two",
         what, U.fmt_value(classes[1]))
  end
  local at, idx = {}, {}
  for i, c in ipairs(classes) do at[c] = i - 1 end
  for i, v in ipairs(labels) do idx[i] = at[v] end
  return classes, idx
end

-- numbers as a list of doubles (targets)
function M.targets(y, what, n)
  local v = U.number_list(y, what)
  if #v ~= n then fail("%s: X has %d rows but y has %d values", what, n, #v) end
  for i, x in ipairs(v) do
    if x ~= x or x == math.huge or x == -math.huge then
      fail("%s: y[%d] is %s; targets must be finite", what, i, tostring(x))
    end
  end
  return v
end

-- The start of every tree fit: X checked, the core options for it, and y
-- as class positions (classifiers: classes_, n_classes_ set) or targets.
function M.fit_input(e, X, y, what)
  X = as_matrix(X, what)
  local n, d = X:shape()[1], X:shape()[2]
  local crit = e.criterion == "log_loss" and "entropy" or e.criterion
  local o = M.core_options(e, n, d, e.classifier, crit)
  local yy
  if e.classifier then
    e.classes_, yy = M.encode_classes(y, what, n)
    e.n_classes_ = #e.classes_
    o.n_classes = #e.classes_
  else
    yy = M.targets(y, what, n)
    o.n_classes = 0
  end
  return X, n, d, o, yy
end

-- predicted class positions (a 0-based tensor) -> the classes' labels
function M.take_classes(classes, best)
  local out = {}
  local b = best:totable()
  for i, k in ipairs(b) do out[i] = classes[math.tointeger(k) + 1] end
  return T(out)
end

function M.r2(y, pred, what)
  return U.r2(U.number_list(y, what), U.number_list(pred, what))
end

-- ---- the estimators --------------------------------------------------------

local TREE_ORDER = {"criterion", "splitter", "max_depth", "min_samples_split",
                    "min_samples_leaf", "min_weight_fraction_leaf", "max_features",
                    "random_state", "max_leaf_nodes", "min_impurity_decrease",
                    "class_weight", "ccp_alpha"}

local function tree_defaults(criterion)
  return {criterion = criterion, splitter = "best", min_samples_split = 2,
          min_samples_leaf = 1, min_weight_fraction_leaf = 0.0,
          min_impurity_decrease = 0.0, ccp_alpha = 0.0}
end

-- the fitted attributes from a fitted core tree
-- (tree_ and feature_importances_ are made when first read: a forest's
-- hundred trees need not copy their arrays into Lua)
function M.tree_fitted(e, tree, d)
  e.model_ = tree
  e.n_features_in_, e.n_outputs_ = d, 1
  e.tree_, e.feature_importances_ = nil, nil
end

local function materialize(e)
  local tree = rawget(e, "model_")
  local a = tree:arrays()
  local info = tree:info()
  a.max_depth, a.n_leaves = info.max_depth, info.n_leaves
  a.n_features, a.n_classes = info.n_features, info.n_classes
  rawset(e, "tree_", a)
  rawset(e, "feature_importances_", T(tree:importances()))
end

local function lazy_index(cls)
  cls.__index = function(e, k)
    local v = cls[k]
    if v ~= nil then return v end
    if (k == "tree_" or k == "feature_importances_") and rawget(e, "model_") then
      materialize(e)
      return rawget(e, k)
    end
  end
end

function M.install(ml, base)
  local function new_tree_class(name, criterion, criteria, classifier)
    local cls = base.class(name, tree_defaults(criterion), TREE_ORDER)
    function cls.check(e)
      base.choice(e, "criterion", criteria)
      base.choice(e, "splitter", {"best", "random"})
      M.check_tree_params(e, base)
    end
    cls.classifier = classifier
    lazy_index(cls)
    return cls
  end

  local DTC = new_tree_class("DecisionTreeClassifier", "gini",
                             {"gini", "entropy", "log_loss"}, true)
  local DTR = new_tree_class("DecisionTreeRegressor", "squared_error",
                             {"squared_error", "friedman_mse"}, false)

  local function fit_tree(self, X, y, sample_weight)
    local what = self.name .. ".fit"
    local n, d, o, yy
    X, n, d, o, yy = M.fit_input(self, X, y, what)
    if sample_weight ~= nil then
      o.sample_weight = M.targets(sample_weight, what .. " (sample_weight)", n)
      local total = 0
      for _, w in ipairs(o.sample_weight) do total = total + w end
      o.min_weight_leaf = self.min_weight_fraction_leaf * total
    end
    o.random_state = math.tointeger(seed_of(self.random_state))
    self.max_features_ = o.max_features
    M.tree_fitted(self, call(what, K.fit, X, yy, o), d)
    return self
  end
  DTC.fit, DTR.fit = fit_tree, fit_tree

  local function output(self, X, what)
    self:check_fitted(what)
    local v, best = call(self.name .. "." .. what, K.combine, {self.model_},
                         as_matrix(X, self.name .. "." .. what), {mode = "mean"})
    return v, best
  end

  function DTC:predict_proba(X) return (output(self, X, "predict_proba")) end
  function DTC:predict_log_proba(X) return self:predict_proba(X):log() end
  function DTC:predict(X)
    local _, best = output(self, X, "predict")
    return M.take_classes(self.classes_, best)
  end
  function DTR:predict(X)
    local v = output(self, X, "predict")
    return v:reshape(v:shape()[1])
  end
  function DTR:score(X, y) return M.r2(y, self:predict(X), self.name .. ".score") end

  for _, cls in ipairs {DTC, DTR} do
    function cls:apply(X)
      self:check_fitted("apply")
      local what = self.name .. ".apply"
      return call(what, self.model_.apply, self.model_, as_matrix(X, what))
    end
    function cls:get_depth()
      self:check_fitted("get_depth")
      return self.tree_.max_depth
    end
    function cls:get_n_leaves()
      self:check_fitted("get_n_leaves")
      return self.tree_.n_leaves
    end
  end

  for _, cls in ipairs {DTC, DTR} do
    U.dot_guard(cls, function(v) return getmetatable(v) == cls end, "clf", {check = true})
  end
  function ml.DecisionTreeClassifier(opts) return base.new(DTC, opts) end
  function ml.DecisionTreeRegressor(opts) return base.new(DTR, opts) end
  M.DTC, M.DTR = DTC, DTR

  -- ---- export_text -------------------------------------------------------------

  function ml.export_text(tree, opts)
    local what = "ml.export_text"
    local o = check_options(opts, {feature_names = "table", class_names = "table",
                                   max_depth = "number", spacing = "number",
                                   decimals = "number", show_weights = "boolean"},
                            what)
    if type(tree) ~= "table" or type(tree.tree_) ~= "table" then
      fail("%s: expected a fitted DecisionTreeClassifier or DecisionTreeRegressor, got %s",
           what, describe(tree))
    end
    local t = tree.tree_
    local max_depth, spacing = o.max_depth or 10, o.spacing or 3
    local decimals = o.decimals or 2
    if not is_int(max_depth) or max_depth < 0 then
      fail("%s: max_depth must be an integer >= 0, got %s", what, describe(max_depth))
    end
    if not is_int(spacing) or spacing <= 0 then
      fail("%s: spacing must be an integer > 0, got %s", what, describe(spacing))
    end
    if not is_int(decimals) or decimals < 0 then
      fail("%s: decimals must be an integer >= 0, got %s", what, describe(decimals))
    end
    local names = o.feature_names
    if names and #names ~= t.n_features then
      fail("%s: feature_names must contain %d elements, got %d", what, t.n_features, #names)
    end
    local classifier = t.n_classes > 0
    if o.class_names and #o.class_names ~= t.n_classes then
      fail("%s: class_names must contain %d elements, got %d", what, t.n_classes,
           #o.class_names)
    end
    local out = {}
    local num = "%." .. math.tointeger(decimals) .. "f"
    local function fname(node)
      local f = t.feature[node + 1]
      return names and tostring(names[f + 1]) or ("feature_" .. f)
    end
    local function subtree_depth(node)
      local l, r = t.children_left[node + 1], t.children_right[node + 1]
      if l == -1 then return 1 end
      return 1 + math.max(subtree_depth(l), subtree_depth(r))
    end
    local function leaf(node, indent)
      local value = t.value[node + 1]
      local val = ""
      if o.show_weights or not classifier then
        local parts = {}
        for i, v in ipairs(value) do parts[i] = num:format(v) end
        val = "[" .. table.concat(parts, ", ") .. "]"
      end
      if classifier then
        local best = 1
        for k = 2, #value do if value[k] > value[best] then best = k end end
        local cname = o.class_names and o.class_names[best] or tree.classes_[best]
        val = val .. " class: " .. U.fmt_value(cname):gsub("^'(.*)'$", "%1")
        out[#out + 1] = indent .. (o.show_weights and " weights: " or "") .. val .. "\n"
      else
        out[#out + 1] = indent .. " value: " .. val .. "\n"
      end
    end
    local function rec(node, depth)
      local indent = ("|" .. (" "):rep(spacing)):rep(depth)
      indent = indent:sub(1, #indent - spacing) .. ("-"):rep(spacing)
      if depth <= max_depth + 1 then
        if t.feature[node + 1] ~= -2 then
          local name, thr = fname(node), num:format(t.threshold[node + 1])
          out[#out + 1] = indent .. " " .. name .. " <= " .. thr .. "\n"
          rec(t.children_left[node + 1], depth + 1)
          out[#out + 1] = indent .. " " .. name .. " >  " .. thr .. "\n"
          rec(t.children_right[node + 1], depth + 1)
        else
          leaf(node, indent)
        end
      else
        local sd = subtree_depth(node)
        if sd == 1 then leaf(node, indent)
        else out[#out + 1] = indent .. " truncated branch of depth " .. sd .. "\n" end
      end
    end
    rec(0, 1)
    return table.concat(out)
  end

  -- plot_tree's box texts and fill colours (plot.tree draws them)
  ml.tree_node_texts = M.node_texts
  ml.tree_node_colors = M.node_colors
end

-- ---- plot_tree's node texts and colours -------------------------------------------

-- Python's str(round(x, p)): the shortest decimals of the rounded value
local function pyround(x, p)
  local s = ("%." .. p .. "f"):format(x)
  if s:find("%.") then s = s:gsub("0+$", ""):gsub("%.$", ".0") end
  if s:match("^%-0%.0$") then return "-0.0" end
  return s
end

-- str() of a NumPy array of byte strings, as node_to_str cleans it up:
-- elements joined by ", ", wrapped before 75 columns (the wrapped line
-- loses its comma, as in scikit-learn)
local function numpy_list(words)
  local s, line = {}, " "
  for i, w in ipairs(words) do
    local word = "b'" .. w .. "'"
    if #line + #word > 74 and #line > 1 then
      s[#s + 1] = line:gsub("%s+$", "") .. "\n"
      line = " "
    end
    line = line .. word .. (i < #words and " " or "")
  end
  s[#s + 1] = line
  local text = "[" .. table.concat(s):sub(2) .. "]"
  text = text:gsub("b'", "'"):gsub("' '", ", "):gsub("'", ""):gsub("\n ", "\n")
  return text
end

local function tree_of(model, what)
  if type(model) ~= "table" or not rawget(model, "model_") or type(model.tree_) ~= "table" then
    fail("%s: expected a fitted DecisionTreeClassifier or DecisionTreeRegressor, got %s",
         what, describe(model))
  end
  return model.tree_
end

function M.node_texts(model, opts)
  local what = "ml.tree_node_texts"
  local o = check_options(opts, {feature_names = "table", class_names = "any",
                                 impurity = "boolean", precision = "number",
                                 proportion = "boolean"}, what)
  local t = tree_of(model, what)
  local p = math.tointeger(o.precision or 3)
  local names, cnames = o.feature_names, o.class_names
  if names and #names ~= t.n_features then
    fail("%s: feature_names must contain %d elements, got %d", what, t.n_features, #names)
  end
  if type(cnames) == "table" and #cnames < t.n_classes then
    fail("%s: class_names must contain %d elements, got %d", what, t.n_classes, #cnames)
  end
  local texts = {}
  for i = 1, t.node_count do
    local parts = {}
    if t.children_left[i] ~= -1 then
      local f = t.feature[i]
      local fname = names and tostring(names[f + 1]) or ("x[" .. f .. "]")
      parts[#parts + 1] = fname .. " <= " .. pyround(t.threshold[i], p)
    end
    if o.impurity ~= false then
      parts[#parts + 1] = model.criterion .. " = " .. pyround(t.impurity[i], p)
    end
    parts[#parts + 1] = "samples = " .. (o.proportion and
      pyround(100 * t.weighted_n_node_samples[i] / t.weighted_n_node_samples[1], 1) .. "%"
      or tostring(t.n_node_samples[i]))
    local value = t.value[i]
    local words = {}
    if t.n_classes == 0 then
      parts[#parts + 1] = "value = " .. pyround(value[1], p)
    else
      local ints = not o.proportion
      for _, v in ipairs(value) do ints = ints and v == math.floor(v) end
      for k, v in ipairs(value) do
        if o.proportion then v = v / t.weighted_n_node_samples[i] end
        words[k] = ints and ("%d"):format(v) or pyround(v, p)
      end
      parts[#parts + 1] = "value = " .. numpy_list(words)
      if cnames ~= nil then
        local best = 1
        for k = 2, #value do if value[k] > value[best] then best = k end end
        parts[#parts + 1] = "class = " .. (cnames == true and ("y[" .. (best - 1) .. "]")
                                            or tostring(cnames[best]))
      end
    end
    texts[i] = table.concat(parts, "\n")
  end
  return texts
end

-- scikit-learn's _color_brew(n): n hues at saturation 0.75, value 0.9
local function color_brew(n)
  local list = {}
  local s, v = 0.75, 0.9
  local c = s * v
  local m = v - c
  local h = 25.0
  while h < 385 do
    local hi = math.floor(h)
    local hb = hi / 60.0
    local x = c * (1 - math.abs((hb % 2) - 1))
    local rgb = ({{c, x, 0}, {x, c, 0}, {0, c, x}, {0, x, c}, {x, 0, c}, {c, 0, x},
                  {c, x, 0}})[math.floor(hb) + 1]
    list[#list + 1] = {math.floor(255 * (rgb[1] + m)), math.floor(255 * (rgb[2] + m)),
                       math.floor(255 * (rgb[3] + m))}
    h = h + 360.0 / n
    if #list == n then break end
  end
  return list
end

-- plot_tree's filled colours, "#rrggbb" per node: the majority class's
-- hue, as strong as its lead over the runner-up (regression: the value
-- between the smallest and largest)
function M.node_colors(model)
  local t = tree_of(model, "ml.tree_node_colors")
  local rgb = color_brew(math.max(t.n_classes, 1))
  local lo, hi = math.huge, -math.huge
  if t.n_classes == 0 then
    for i = 1, t.node_count do
      lo, hi = math.min(lo, t.value[i][1]), math.max(hi, t.value[i][1])
    end
  end
  local out = {}
  for i = 1, t.node_count do
    local color, alpha
    if t.n_classes > 0 then
      local v, w = {}, t.weighted_n_node_samples[i]
      for k, x in ipairs(t.value[i]) do v[k] = x / w end
      local best = 1
      for k = 2, #v do if v[k] > v[best] then best = k end end
      table.sort(v, function(a, b) return a > b end)
      color = rgb[best]
      alpha = #v == 1 and 0 or (v[1] - v[2]) / (1 - v[2])
    else
      color = rgb[1]
      alpha = hi > lo and (t.value[i][1] - lo) / (hi - lo) or 0
    end
    local c = {}
    for k = 1, 3 do
      local x = alpha * color[k] + (1 - alpha) * 255
      c[k] = math.floor(x + 0.5)
      if x - math.floor(x) == 0.5 and c[k] % 2 == 1 then c[k] = c[k] - 1 end
    end
    out[i] = ("#%02x%02x%02x"):format(c[1], c[2], c[3])
  end
  return out
end

return M
