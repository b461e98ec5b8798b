-- ml_metrics.lua - ml.metrics: scikit-learn's classification metrics
-- over lists or tensors of labels and scores (accuracy, precision,
-- recall, F1 with their averages, confusion matrix, ROC curve and AUC),
-- and the scorers cross-validation knows by name (metrics.scorers).
local T = require "tensor"
local fail = require "script_error"
local U = require "ml_util"
local describe, number_list, sorted_unique, check_options, fmt_value =
  U.describe, U.number_list, U.sorted_unique, U.check_options, U.fmt_value

local metrics = {}

local function pair_lists(y_true, y_pred, what)
  local a = number_list(y_true, what, "y_true")
  local b = number_list(y_pred, what, "y_pred")
  if #a ~= #b then
    fail("%s: y_true has %d labels but y_pred has %d", what, #a, #b)
  end
  if #a == 0 then fail("%s: no labels", what) end
  return a, b
end

function metrics.accuracy_score(y_true, y_pred, opts)
  local what = "accuracy_score"
  local o = check_options(opts, {normalize = "boolean"}, what)
  local a, b = pair_lists(y_true, y_pred, what)
  local hit = 0
  for i = 1, #a do if a[i] == b[i] then hit = hit + 1 end end
  return o.normalize == false and hit or hit / #a
end

-- rows: true class, columns: predicted, both over the sorted union of
-- the labels (or opts.labels in that order); returns the (K, K) counts
-- and the labels
function metrics.confusion_matrix(y_true, y_pred, opts)
  local what = "confusion_matrix"
  local o = check_options(opts, {labels = "table|tensor"}, what)
  local a, b = pair_lists(y_true, y_pred, what)
  local labels = o.labels and number_list(o.labels, what, "labels") or nil
  if not labels then
    local all = {}
    for i = 1, #a do all[#all + 1] = a[i]; all[#all + 1] = b[i] end
    labels = sorted_unique(all)
  end
  local at = {}
  for i, l in ipairs(labels) do at[l] = i end
  local m = T.zeros(#labels, #labels)
  local counts = {}
  for i = 1, #a do
    local r, c = at[a[i]], at[b[i]]
    if r and c then
      local k = (r - 1) * #labels + c
      counts[k] = (counts[k] or 0) + 1
    end
  end
  for k, v in pairs(counts) do
    m:set((k - 1) // #labels + 1, (k - 1) % #labels + 1, v)
  end
  return m, labels
end

-- per-class true positives, predicted and actual counts
local function class_counts(a, b, labels)
  local tp, pred, act = {}, {}, {}
  for _, l in ipairs(labels) do tp[l], pred[l], act[l] = 0, 0, 0 end
  for i = 1, #a do
    if act[a[i]] then act[a[i]] = act[a[i]] + 1 end
    if pred[b[i]] then pred[b[i]] = pred[b[i]] + 1 end
    if a[i] == b[i] and tp[a[i]] then tp[a[i]] = tp[a[i]] + 1 end
  end
  return tp, pred, act
end

local function ratio(x, y) return y > 0 and x / y or 0 end

local function prf(tp, pred, act, l, which)
  local p, r = ratio(tp[l], pred[l]), ratio(tp[l], act[l])
  if which == "precision" then return p end
  if which == "recall" then return r end
  return ratio(2 * p * r, p + r)
end

local AVERAGES = {binary = true, macro = true, micro = true, weighted = true, none = true}

-- scikit-learn's precision/recall/F1: 'binary' reports pos_label's class
-- (y may hold at most two labels), 'macro' the unweighted mean over the
-- classes, 'weighted' the mean weighted by support, 'micro' the global
-- counts, 'none' a list per class (sorted). A class never predicted (or
-- absent) scores 0, sklearn's zero_division default.
local function prf_score(which, y_true, y_pred, opts)
  local what = which .. "_score"
  local o = check_options(opts, {average = "string", pos_label = "any",
                                labels = "table|tensor"}, what)
  local avg = o.average or "binary"
  if not AVERAGES[avg] then
    fail("%s: average must be 'binary', 'macro', 'micro', 'weighted' or 'none', got %s",
         what, describe(avg))
  end
  local a, b = pair_lists(y_true, y_pred, what)
  local all = {}
  for i = 1, #a do all[#all + 1] = a[i]; all[#all + 1] = b[i] end
  local labels = o.labels and number_list(o.labels, what, "labels") or sorted_unique(all)
  local tp, pred, act = class_counts(a, b, labels)
  if avg == "binary" then
    local pos = o.pos_label == nil and 1 or o.pos_label
    local present = sorted_unique(all)
    if #present > 2 then
      fail("%s: y holds %d classes but average='binary'; choose average='macro', " ..
           "'micro' or 'weighted'", what, #present)
    end
    local found = false
    for _, l in ipairs(present) do found = found or l == pos end
    if not found and #present == 2 then
      fail("%s: pos_label=%s is not a valid label; it should be one of %s", what,
           fmt_value(pos), fmt_value(present[1]) .. ", " .. fmt_value(present[2]))
    end
    if not tp[pos] then tp[pos], pred[pos], act[pos] = 0, 0, 0 end
    return prf(tp, pred, act, pos, which)
  end
  if avg == "micro" then
    local t, p, r = 0, 0, 0
    for _, l in ipairs(labels) do t, p, r = t + tp[l], p + pred[l], r + act[l] end
    return prf({t}, {p}, {r}, 1, which)
  end
  local per, sum, wsum, w = {}, 0, 0, 0
  for i, l in ipairs(labels) do
    per[i] = prf(tp, pred, act, l, which)
    sum, wsum, w = sum + per[i], wsum + per[i] * act[l], w + act[l]
  end
  if avg == "none" then return per end
  if avg == "weighted" then return ratio(wsum, w) end
  return sum / #labels
end

function metrics.precision_score(y_true, y_pred, opts)
  return prf_score("precision", y_true, y_pred, opts)
end
function metrics.recall_score(y_true, y_pred, opts)
  return prf_score("recall", y_true, y_pred, opts)
end
function metrics.f1_score(y_true, y_pred, opts)
  return prf_score("f1", y_true, y_pred, opts)
end

-- the positive label: given, or 1 when the labels are {0, 1}, {-1, 1}
-- or a subset (scikit-learn's rule)
local function positive_label(labels, pos, what)
  if pos ~= nil then return pos end
  local u = sorted_unique(labels)
  local ok = #u <= 2
  for _, l in ipairs(u) do ok = ok and (l == 0 or l == 1 or l == -1) end
  if not ok then
    local t = {}
    for i, l in ipairs(u) do t[i] = fmt_value(l) end
    fail("%s: y_true takes values in {%s} and pos_label is not given; pass " ..
         "{pos_label = ...}", what, table.concat(t, ", "))
  end
  return 1
end

-- false and true positive counts at each distinct score, falling
-- (scikit-learn's _binary_clf_curve)
local function clf_curve(truth, score, pos)
  local order = {}
  for i = 1, #score do order[i] = i end
  table.sort(order, function(i, j)
    if score[i] ~= score[j] then return score[i] > score[j] end
    return i < j
  end)
  local fps, tps, th = {}, {}, {}
  local tp = 0
  for k, i in ipairs(order) do
    if truth[i] == pos then tp = tp + 1 end
    local nxt = order[k + 1]
    if not nxt or score[nxt] ~= score[i] then
      tps[#tps + 1], fps[#fps + 1], th[#th + 1] = tp, k - tp, score[i]
    end
  end
  return fps, tps, th
end

local function roc_points(y_true, y_score, opts, what)
  local o = check_options(opts, {pos_label = "any",
                                drop_intermediate = "boolean"}, what)
  local truth = number_list(y_true, what, "y_true")
  local score = number_list(y_score, what, "y_score")
  if #truth ~= #score then
    fail("%s: y_true has %d labels but y_score has %d scores", what, #truth, #score)
  end
  if #truth == 0 then fail("%s: no samples", what) end
  for i, s in ipairs(score) do
    if s ~= s or s == math.huge or s == -math.huge then
      fail("%s: y_score[%d] is not a finite number", what, i)
    end
  end
  local pos = positive_label(truth, o.pos_label, what)
  local fps, tps, th = clf_curve(truth, score, pos)
  if o.drop_intermediate ~= false and #fps > 2 then
    local f2, t2, h2 = {fps[1]}, {tps[1]}, {th[1]}
    for i = 2, #fps - 1 do
      -- keep the corners: points where the curve changes direction
      local bend_f = fps[i + 1] - 2 * fps[i] + fps[i - 1]
      local bend_t = tps[i + 1] - 2 * tps[i] + tps[i - 1]
      if bend_f ~= 0 or bend_t ~= 0 then
        f2[#f2 + 1], t2[#t2 + 1], h2[#h2 + 1] = fps[i], tps[i], th[i]
      end
    end
    f2[#f2 + 1], t2[#t2 + 1], h2[#h2 + 1] = fps[#fps], tps[#tps], th[#th]
    fps, tps, th = f2, t2, h2
  end
  table.insert(fps, 1, 0)
  table.insert(tps, 1, 0)
  table.insert(th, 1, th[1] + 1)   -- scikit-learn 1.2: max score + 1
  local nf, nt = fps[#fps], tps[#tps]
  if nf == 0 then
    fail("%s: no negative samples in y_true; the false positive rate is undefined", what)
  end
  if nt == 0 then
    fail("%s: no positive samples in y_true; the true positive rate is undefined", what)
  end
  local fpr, tpr = {}, {}
  for i = 1, #fps do fpr[i], tpr[i] = fps[i] / nf, tps[i] / nt end
  return fpr, tpr, th
end

-- fpr, tpr, thresholds as (M) tensors, as scikit-learn 1.2's roc_curve
-- (drop_intermediate = true; thresholds[1] = highest score + 1)
function metrics.roc_curve(y_true, y_score, opts)
  local fpr, tpr, th = roc_points(y_true, y_score, opts, "roc_curve")
  return T(fpr), T(tpr), T(th)
end

-- area under a curve by the trapezoidal rule (x monotonic)
function metrics.auc(x, y)
  local what = "auc"
  local a, b = number_list(x, what, "x"), number_list(y, what, "y")
  if #a ~= #b or #a < 2 then
    fail("%s: x and y need the same length, at least 2 (got %d and %d)", what, #a, #b)
  end
  local area = 0
  for i = 2, #a do area = area + (a[i] - a[i - 1]) * (b[i] + b[i - 1]) / 2 end
  local dir = a[#a] >= a[1] and 1 or -1
  for i = 2, #a do
    if (a[i] - a[i - 1]) * dir < 0 then fail("%s: x is not monotonic", what) end
  end
  return area * dir
end

-- binary ROC AUC; the positive class is the larger label
function metrics.roc_auc_score(y_true, y_score)
  local what = "roc_auc_score"
  local truth = number_list(y_true, what, "y_true")
  local u = sorted_unique(truth)
  if #u ~= 2 then
    fail("%s: y_true must hold exactly two classes, got %d%s", what, #u,
         #u == 1 and " (ROC AUC is not defined for one class)" or "")
  end
  local fpr, tpr = roc_points(truth, y_score, {pos_label = u[2]}, what)
  local area = 0
  for i = 2, #fpr do area = area + (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2 end
  return area
end

-- the scorers cross_val_score and GridSearchCV know by name
local SCORERS = {}
metrics.scorers = SCORERS
SCORERS.accuracy = function(e, X, y) return metrics.accuracy_score(y, e:predict(X)) end
for _, m in ipairs {"precision", "recall", "f1"} do
  SCORERS[m] = function(e, X, y) return metrics[m .. "_score"](y, e:predict(X)) end
  SCORERS[m .. "_macro"] = function(e, X, y)
    return metrics[m .. "_score"](y, e:predict(X), {average = "macro"})
  end
end
SCORERS.roc_auc = function(e, X, y)
  return metrics.roc_auc_score(y, e:decision_function(X))
end

return metrics
