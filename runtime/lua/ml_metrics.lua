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

-- ---- regression metrics, log loss, the classification report ---------------

-- y as columns of numbers: a list of T lists (a 1-D y is one column)
local function columns(y, what, name)
  if T.is_tensor(y) and y:dim() == 2 then
    local n, t = y:shape()[1], y:shape()[2]
    local flat, cols = y:contiguous():flatten():totable(), {}
    for c = 1, t do
      local col = {}
      for i = 1, n do col[i] = flat[(i - 1) * t + c] end
      cols[c] = col
    end
    return cols
  end
  return {number_list(y, what, name)}
end

local function paired_columns(y_true, y_pred, what)
  local a, b = columns(y_true, what, "y_true"), columns(y_pred, what, "y_pred")
  if #a ~= #b or #a[1] ~= #b[1] then
    fail("%s: y_true has %d rows x %d outputs but y_pred has %d x %d", what,
         #a[1], #a, #b[1], #b)
  end
  if #a[1] == 0 then fail("%s: no values", what) end
  return a, b
end

-- per output f(a_col, b_col), then averaged ('uniform_average') or
-- returned as a list ('raw_values')
local function per_output(y_true, y_pred, opts, what, f, extra)
  local spec = {multioutput = "string"}
  for k, v in pairs(extra or {}) do spec[k] = v end
  local o = check_options(opts, spec, what)
  local mo = o.multioutput or "uniform_average"
  if mo ~= "uniform_average" and mo ~= "raw_values" then
    fail("%s: multioutput must be 'uniform_average' or 'raw_values', got %s", what,
         describe(mo))
  end
  local a, b = paired_columns(y_true, y_pred, what)
  local vals, sum = {}, 0
  for c = 1, #a do
    vals[c] = f(a[c], b[c], o)
    sum = sum + vals[c]
  end
  if mo == "raw_values" then return vals end
  return sum / #a
end

function metrics.mean_squared_error(y_true, y_pred, opts)
  return per_output(y_true, y_pred, opts, "mean_squared_error", function(a, b, o)
    local s = 0
    for i = 1, #a do s = s + (a[i] - b[i]) ^ 2 end
    s = s / #a
    return o.squared == false and math.sqrt(s) or s
  end, {squared = "boolean"})
end

function metrics.mean_absolute_error(y_true, y_pred, opts)
  return per_output(y_true, y_pred, opts, "mean_absolute_error", function(a, b)
    local s = 0
    for i = 1, #a do s = s + math.abs(a[i] - b[i]) end
    return s / #a
  end)
end

-- 1 - SS_res / SS_tot per output (ml_util's r2)
function metrics.r2_score(y_true, y_pred, opts)
  return per_output(y_true, y_pred, opts, "r2_score", U.r2)
end

-- mean cross-entropy of the true classes under y_prob: an (N, K) tensor
-- (or list of rows) with columns for the sorted labels, or N
-- probabilities of the larger of two labels; clipped to [eps, 1 - eps]
-- and rows renormalised, as scikit-learn does
function metrics.log_loss(y_true, y_prob, opts)
  local what = "log_loss"
  local o = check_options(opts, {eps = "number", labels = "table|tensor"}, what)
  local eps = o.eps or 2.220446049250313e-16
  local a = number_list(y_true, what, "y_true")
  local labels = o.labels and sorted_unique(number_list(o.labels, what, "labels"))
                 or sorted_unique(a)
  if #labels < 2 then
    fail("%s: y_true holds one label only (%s); give the labels with {labels = ...}",
         what, fmt_value(labels[1]))
  end
  local rows
  if T.is_tensor(y_prob) and y_prob:dim() == 2 then
    rows = y_prob:totable()
  elseif type(y_prob) == "table" and type(y_prob[1]) == "table" then
    rows = y_prob
  else
    local p = number_list(y_prob, what, "y_prob")
    rows = {}
    for i, v in ipairs(p) do rows[i] = {1 - v, v} end
  end
  if #rows ~= #a then
    fail("%s: y_true has %d labels but y_prob has %d rows", what, #a, #rows)
  end
  local col = {}
  for i, l in ipairs(labels) do col[l] = i end
  local s = 0
  for i, r in ipairs(rows) do
    if #r ~= #labels then
      fail("%s: y_prob has %d columns but there are %d labels (%s)", what, #r,
           #labels, table.concat(labels, ", "))
    end
    local c = col[a[i]]
    if not c then fail("%s: y_true[%d] = %s is not one of the labels", what, i, fmt_value(a[i])) end
    local sum = 0
    for j = 1, #r do sum = sum + math.min(math.max(r[j], eps), 1 - eps) end
    s = s - math.log(math.min(math.max(r[c], eps), 1 - eps) / sum)
  end
  return s / #a
end

-- scikit-learn's text report: precision, recall, F1 and support per
-- class, then accuracy, the macro and the weighted averages.
-- opts: target_names, digits = 2, labels, output_dict = false
function metrics.classification_report(y_true, y_pred, opts)
  local what = "classification_report"
  local o = check_options(opts, {target_names = "table", digits = "integer",
                                labels = "table|tensor", output_dict = "boolean"}, what)
  local digits = o.digits or 2
  local a, b = pair_lists(y_true, y_pred, what)
  local all = {}
  for i = 1, #a do all[#all + 1] = a[i]; all[#all + 1] = b[i] end
  local present = sorted_unique(all)
  local labels = o.labels and number_list(o.labels, what, "labels") or present
  local names = {}
  for i, l in ipairs(labels) do
    names[i] = o.target_names and tostring(o.target_names[i]) or fmt_value(l)
  end
  if o.target_names and #o.target_names ~= #labels then
    fail("%s: %d target_names for %d labels", what, #o.target_names, #labels)
  end
  local tp, pred, act = class_counts(a, b, labels)
  local rows, total = {}, 0
  for i, l in ipairs(labels) do
    rows[i] = {names[i], prf(tp, pred, act, l, "precision"),
               prf(tp, pred, act, l, "recall"), prf(tp, pred, act, l, "f1"), act[l]}
    total = total + act[l]
  end
  local function avg(weighted)
    local p, r, f, w = 0, 0, 0, 0
    for _, row in ipairs(rows) do
      local k = weighted and row[5] or 1
      p, r, f, w = p + k * row[2], r + k * row[3], f + k * row[4], w + k
    end
    return ratio(p, w), ratio(r, w), ratio(f, w)
  end
  local micro_is_accuracy = #labels == #present
  if o.labels then
    local set = {}
    for _, l in ipairs(labels) do set[l] = true end
    for _, l in ipairs(present) do micro_is_accuracy = micro_is_accuracy and set[l] end
  end
  local t, pp, aa = 0, 0, 0
  for _, l in ipairs(labels) do t, pp, aa = t + tp[l], pp + pred[l], aa + act[l] end
  local mp, mr = ratio(t, pp), ratio(t, aa)
  local mf = ratio(2 * mp * mr, mp + mr)
  if o.output_dict then
    local d = {}
    for _, row in ipairs(rows) do
      d[row[1]] = {precision = row[2], recall = row[3], ["f1-score"] = row[4], support = row[5]}
    end
    if micro_is_accuracy then d.accuracy = mf
    else d["micro avg"] = {precision = mp, recall = mr, ["f1-score"] = mf, support = total} end
    local p, r, f = avg(false)
    d["macro avg"] = {precision = p, recall = r, ["f1-score"] = f, support = total}
    p, r, f = avg(true)
    d["weighted avg"] = {precision = p, recall = r, ["f1-score"] = f, support = total}
    return d
  end
  local width = #"weighted avg"
  for _, n in ipairs(names) do width = math.max(width, utf8.len(n) or #n) end
  width = math.max(width, digits)
  local function pad(s) return (" "):rep(width - (utf8.len(s) or #s)) .. s end
  local num = "%9." .. digits .. "f"
  local out = {pad("") .. " " .. (" %9s"):rep(4):format("precision", "recall",
               "f1-score", "support"), ""}
  local function line(name, p, r, f, s)
    out[#out + 1] = pad(name) .. " " .. (" " .. num):rep(3):format(p, r, f) ..
                    (" %9d"):format(s)
  end
  for _, row in ipairs(rows) do line(row[1], row[2], row[3], row[4], row[5]) end
  out[#out + 1] = ""
  if micro_is_accuracy then
    out[#out + 1] = pad("accuracy") .. " " .. (" %9s"):rep(2):format("", "") ..
                    (" " .. num):format(mf) .. (" %9d"):format(total)
  else
    line("micro avg", mp, mr, mf, total)
  end
  local p, r, f = avg(false)
  line("macro avg", p, r, f, total)
  p, r, f = avg(true)
  line("weighted avg", p, r, f, total)
  return table.concat(out, "\n") .. "\n"
end

-- ---- information theory ----------------------------------------------------------

-- scipy.stats.entropy: pk (and qk) normalised to sum 1; H = -sum p log p,
-- or the KL divergence sum p log(p / q) when qk is given; natural log
-- unless base
function metrics.entropy(pk, qk, opts)
  local what = "entropy"
  if type(qk) == "table" and not T.is_tensor(qk) and #qk == 0 and next(qk) then
    opts, qk = qk, nil
  end
  local o = check_options(opts, {base = "number"}, what)
  local p = number_list(pk, what, "pk")
  local function normalised(v, name)
    local s = 0
    for i, x in ipairs(v) do
      if x < 0 or x ~= x then fail("%s: %s[%d] = %s is negative or NaN", what, name, i, fmt_value(x)) end
      s = s + x
    end
    if s <= 0 then fail("%s: %s sums to 0", what, name) end
    local out = {}
    for i, x in ipairs(v) do out[i] = x / s end
    return out
  end
  p = normalised(p, "pk")
  local q = qk and normalised(number_list(qk, what, "qk"), "qk")
  if q and #q ~= #p then fail("%s: pk has %d values but qk has %d", what, #p, #q) end
  local h = 0
  for i, x in ipairs(p) do
    if x > 0 then
      if q then
        h = q[i] > 0 and h + x * math.log(x / q[i]) or math.huge
      else
        h = h - x * math.log(x)
      end
    end
  end
  if o.base then h = h / math.log(o.base) end
  return h
end

-- the impurity of a list of labels: 'entropy' (base 2 unless given) or
-- 'gini'
function metrics.impurity(labels, opts)
  local what = "impurity"
  local o = check_options(opts, {criterion = "string", base = "number"}, what)
  local l = number_list(labels, what, "labels")
  if #l == 0 then return 0 end
  local counts = {}
  for _, v in ipairs(l) do counts[v] = (counts[v] or 0) + 1 end
  local crit = o.criterion or "entropy"
  if crit == "gini" then
    local g = 1
    for _, c in pairs(counts) do g = g - (c / #l) ^ 2 end
    return g
  elseif crit == "entropy" or crit == "log_loss" then
    local h = 0
    for _, c in pairs(counts) do h = h - c / #l * math.log(c / #l) end
    return h / math.log(o.base or 2)
  end
  fail("%s: criterion must be 'entropy' or 'gini', got %s", what, describe(crit))
end

-- impurity(parent) - sum_i |child_i| / |parent| impurity(child_i)
function metrics.information_gain(parent, children, opts)
  local what = "information_gain"
  local p = number_list(parent, what, "parent")
  if type(children) ~= "table" or #children == 0 then
    fail("%s: children must be a list of label lists, got %s", what, describe(children))
  end
  local g, n = metrics.impurity(p, opts), 0
  for i, c in ipairs(children) do
    local l = number_list(c, what, "children[" .. i .. "]")
    n = n + #l
    g = g - #l / #p * metrics.impurity(l, opts)
  end
  if n ~= #p then
    fail("%s: the children hold %d labels, the parent %d", what, n, #p)
  end
  return g
end

SCORERS.r2 = function(e, X, y) return metrics.r2_score(y, e:predict(X)) end
SCORERS.neg_mean_squared_error = function(e, X, y)
  return -metrics.mean_squared_error(y, e:predict(X))
end
SCORERS.neg_mean_absolute_error = function(e, X, y)
  return -metrics.mean_absolute_error(y, e:predict(X))
end
SCORERS.neg_log_loss = function(e, X, y)
  return -metrics.log_loss(y, e:predict_proba(X))
end

return metrics
