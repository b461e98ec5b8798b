-- plot.lua - the `plot` module: the figures of the course's Keras labs
-- as PNG files, drawn with cairo by plot.core (runtime/lplot.c).
--
--   plot.history(hist, path, {title=, width=, height=, labels=, best_epoch=})
--       what model:fit returns (or its .history): one panel a metric
--       (loss first, then accuracy, then the rest), train and val_ lines
--       over epochs 1..n; labels= {epoch=, train=, validation=, best=,
--       loss=, accuracy=, ...} replaces the words drawn; best_epoch= k
--       marks epoch k (EarlyStopping's best_epoch, whose weights it
--       restored) with a dashed line and a diamond
--   plot.image_grid(images, path, {labels=, class_names=, cols=5, rows=5,
--                   title=, cmap="gray"|"binary", normalize=, box=})
--       the first cols*rows of an (N,H,W), (N,H,W,1) or (N,H,W,3) tensor
--       or of a list of (H,W[,C]) tensors, values 0..1 (normalize: each
--       image's min..max); labels: 0-based class ids (tensor or table)
--       named by class_names[id + 1], or strings; predicted= ids (or
--       strings) as labels: captions "예측: X" / "정답: Y", the wrong
--       ones' caption and frame in red; wrong_only=true shows only the
--       images predicted wrong (the first cols*rows of them)
--   plot.prediction(image, probabilities, path, {class_names=,
--                   true_label=, title=, xlabel=, ylabel=, width=, height=})
--       one (H,W[,C]) image (or a batch of one) beside a bar chart of its
--       K class probabilities (a list or a (K,) or (1,K) tensor); the
--       predicted bar red when wrong, blue when right, the true one blue;
--       returns the path and the predicted id
--   plot.confusion_matrix(y_true, y_pred, path, {class_names=,
--                         normalize=false|true|"true"|"pred"|"all", title=})
--       ids as tables or tensors, (N,K) scores taken by argmax; returns
--       the matrix drawn (rows true, columns predicted; counts, or
--       fractions when normalized as sklearn does), then the path
--   plot.filters(kernel, path, {title=, cols=, channel=, box=})
--       a Conv2D kernel (kh, kw, in, out), one cell a filter, each
--       normalised: in = 1 that channel, in = 3 in colour, other in the
--       mean over input channels; channel = i shows input channel i
--   plot.feature_maps(maps, path, {title=, cols=, cmap=, box=})
--       activations (1,H,W,C) or (H,W,C), one normalised cell a channel
--   plot.lines(series, path, {title=, xlabel=, ylabel=, xlim=, ylim=,
--              width=, height=, legend=, grid=})
--       series: {{x=, y=, label=, color=, marker="o"|"s"|"^"|"D"|"x"|"+",
--       style="-"|"--"}, ...} (x defaults to 1..#y)
--
-- Figures of one panel. Each takes title=, xlabel=, ylabel=, width=,
-- height= (pixels, 640x480 unless said), xlim=/ylim= {lo, hi},
-- legend=, grid=; a figure from plot.subplots in place of path adds
-- the panel to it. Inputs are tensors or lists, checked finite.
--   plot.scatter(x, y, path, opts) / plot.scatter(X, path, opts)
--       X (N, 2); classes= 0-based ids (tab10, legend; class_names=) or
--       values= (cmap="viridis", vmin=, vmax=, colorbar=true,
--       colorbar_label=) or color=, label=; size= (radius px), alpha=,
--       marker=, edge=, equal=; lines= series drawn under the points,
--       overlay= {{X= or x=,y=, marker="x", color="black", size=7,
--       label=}} point sets on top
--   plot.hist(data, path, opts) -> path, counts, edges
--       numbers or a list of such (overlaid, labels=); bins=10 or a list
--       of edges, range= {lo, hi}, density=, color=, alpha=
--   plot.bar(x, heights, path, opts)
--       x category names or positions; heights numbers or a list of
--       lists (grouped, labels=); color=, bar_width=0.8, values= (the
--       numbers above the bars, decimals=), alpha=
--   plot.line(x, y, path, opts)
--       y numbers, a list of lists or an (N, K) tensor (K series); x nil
--       for 1..N; labels=, marker= (true cycles o s ^), style=, color=
--   plot.heatmap(matrix, path, opts)
--       a 2-d tensor or rows; labels= (both) or row_labels=,
--       col_labels=; cmap="viridis" (a correlation: "coolwarm" with
--       vmin=-1, vmax=1), decimals=2, annotate=true, cell=, colorbar=,
--       title=, xlabel=, ylabel=; a figure of its own (no subplots)
--   plot.contour(f, path, opts)
--       f(x, y) sampled n=100 a side over xlim x ylim, or a 2-d tensor z
--       (row 1 at ylim[1]); levels= a count (10) or a list; filled=true,
--       lines=true, line_color=, cmap=, colorbar=, colorbar_label=,
--       paths= {{x=, y=, label=, color=, marker=}} or (N, 2) tensors
--       drawn on top (gradient-descent steps), equal=; 640x520
--   plot.decision_regions(model, X, y, path, opts)
--       model:predict(grid) (ids, a list, or (N, K) scores) over a
--       resolution=200 grid covering X (padding= or xlim=/ylim=),
--       regions lightened (lighten=0.65), X's points by y on top;
--       class_names=, size=, alpha=
--   plot.arrows(origins, vectors, path, opts)
--       (N, 2) vectors from (N, 2) origins or one {x, y}; labels= at
--       the tips, color="red", arrow_width=, points= (N, 2) drawn behind
--       (classes=, class_names=, size=, alpha=), equal=true
--   plot.scatter3d(X, path, opts)
--       X (N, 3) seen from elev=30, azim=-60 (degrees) in its box, axes
--       named (xlabel=, ylabel=, zlabel=) and numbered; colours as
--       scatter (classes=, values=, ...); 640x560; no xlim/ylim
--   plot.pairplot(data, path, opts)
--       an (N, D) tensor (feature_names=) or a table of columns by name
--       (columns= the order, hue= the column that colours); classes=,
--       class_names=, bins=15, size=, panel_size=, title=
--   plot.subplots{cols=2, title=, width=480, height=400} -> fig; pass
--       fig in place of a path (scatter, hist, bar, line, lines,
--       contour, decision_regions, arrows, scatter3d), then
--       fig:save(path)
--
-- Class ids are 0-based (as in the data files and Keras). Filter and
-- channel numbers under the cells are 1-based positions, as
-- `kernel:select(4, i)` counts them. Every function returns the path
-- it wrote (confusion_matrix: the matrix, then the path).
local core = require "plot.core"
local tensor = require "tensor"
local check = require("options").check
local script_error = require "script_error"

local M = {}

-- Errors: helpers raise a Failure; public() re-raises it as
-- "plot.NAME: message" at the script's line. Anything else (the options
-- checker's errors, which name the function themselves) passes as it is.
local Failure = {}
local function fail(fmt, ...)
  error(setmetatable({msg = fmt:format(...)}, Failure), 0)
end

local current = "plot"     -- the public function running, for messages
local pending              -- {caption=, label=} of that call (options below)

local function wrapped(name, f)
  return function(...)
    local outer, outer_pending = current, pending
    current, pending = "plot." .. name, nil
    local r = table.pack(pcall(f, ...))
    current, pending = outer, outer_pending
    if r[1] then return table.unpack(r, 2, r.n) end
    if getmetatable(r[2]) == Failure then
      script_error("plot.%s: %s", name, r[2].msg)
    end
    error(r[2], 0)
  end
end

local function public(name, f) M[name] = wrapped(name, f) end

-- "a 2-d tensor (3, 3)", "a string (abc)", "nil"
local function describe(x)
  if tensor.is_tensor(x) then
    local s = x:shape()
    return ("a %d-d tensor (%s%s)"):format(#s, table.concat(s, ", "),
                                           #s == 1 and "," or "")
  end
  local t = type(x)
  if t == "nil" then return "nil" end
  if t == "number" or t == "string" or t == "boolean" then
    return ("a %s (%s)"):format(t, tostring(x))
  end
  return "a " .. t
end

-- core errors carry a position (the script's); public() puts it back
-- in front of "plot.NAME: "
local function draw(fn, path, spec)
  local ok, e = pcall(fn, path, spec)
  if ok and pending then
    require("book")._figure(path, pending.caption, pending.label)
  end
  if not ok then
    fail("%s", (tostring(e):gsub("^[^\n]-:%d+: ", "", 1)))
  end
end

-- a figure of several panels (plot.subplots)
local Figure = {}
Figure.__index = Figure

---------------------------------------------------------------- options

-- the one options checker, naming the public function running
-- Every function that writes a figure also takes caption= and label=
-- ("fig-..."; fig_label= where label= names a series): the course book
-- shows the caption under the figure and numbers it (book._figure; a
-- no-op outside the book build).
local function options(opts, known)
  local spec = {}
  if #known > 0 then
    for _, k in ipairs(known) do spec[k] = "any" end
  else
    for k, v in pairs(known) do spec[k] = v end
  end
  -- scatter and hist already take label= (a series' name): there the
  -- figure's label is fig_label=
  local key = spec.label and "fig_label" or "label"
  spec.caption, spec[key] = "string", "string"
  opts = check(current, opts, spec)
  pending = (opts.caption or opts[key]) and {caption = opts.caption, label = opts[key]}
  return opts
end

-- option names (any value; the function checks them itself)
local function set(...) return {...} end

-- option names with types for the options nothing else checks:
-- typed("legend:boolean", "title") -> {legend = "boolean", title = "any"}
local function typed(...)
  local m = {}
  for _, k in ipairs {...} do
    local name, ty = k:match("^([%w_]+):(.+)$")
    m[name or k] = ty or "any"
  end
  return m
end

local function opt_string(opts, k)
  local v = opts[k]
  if v ~= nil and type(v) ~= "string" then
    fail("option %s must be a string, got %s", k, describe(v))
  end
  return v
end

local function opt_int(opts, k, default, lo, hi)
  local v = opts[k]
  if v == nil then return default end
  if type(v) ~= "number" or v ~= math.floor(v) then
    fail("option %s must be a whole number, got %s", k, describe(v))
  end
  if v < lo or v > hi then
    fail("option %s must be in %d..%d, got %g", k, lo, hi, v)
  end
  return math.tointeger(v)
end

local function check_path(path)
  if type(path) ~= "string" or path == "" then
    fail("expected a file name for the PNG, got %s", describe(path))
  end
end

-- frame's Series as its plain list of values (numbers with NaN for
-- missing), anything else as it is. Every plot function that takes
-- data converts through here (numbers() below does it for lists of
-- numbers). frame is not required: a Series exists only once it is loaded.
local function plain(v)
  local frame = package.loaded.frame
  if frame and type(v) == "table" and frame.is_series(v) then
    return v:tolist()
  end
  return v
end

-- a list of numbers from a table, a frame Series or a 1-d (or (N,1)) tensor
local function numbers(v, what)
  v = plain(v)
  if tensor.is_tensor(v) then
    local s = v:shape()
    if not (#s == 1 or (#s == 2 and s[2] == 1)) then
      fail("%s must be a list or a 1-d tensor, got %s", what, describe(v))
    end
    v = v:flatten():totable()
  elseif type(v) ~= "table" then
    fail("%s must be a list of numbers, got %s", what, describe(v))
  end
  if #v == 0 then fail("%s is empty", what) end
  for i = 1, #v do
    if type(v[i]) ~= "number" then
      fail("%s[%d] is %s, expected a number", what, i, describe(v[i]))
    end
  end
  return v
end

local function range(n)
  local r = {}
  for i = 1, n do r[i] = i end
  return r
end

---------------------------------------------------------------- history

-- loss first, then accuracy, then the other metrics by name
local function metric_order(a, b)
  local rank = {loss = 1, accuracy = 2, acc = 2}
  local ra, rb = rank[a] or 3, rank[b] or 3
  if ra ~= rb then return ra < rb end
  return a < b
end

local function history_table(hist)
  if type(hist) ~= "table" then
    fail("expected the history model:fit returns, got %s", describe(hist))
  end
  local h = hist.history
  if h == nil then h = hist end
  if type(h) ~= "table" then
    fail("hist.history must be a table of metric lists, got %s", describe(h))
  end
  local lists, n, first = {}, nil, nil
  for k, v in pairs(h) do
    if type(k) ~= "string" then
      fail("history keys must be metric names, got %s", describe(k))
    end
    lists[k] = numbers(v, "history." .. k)
    if n and #lists[k] ~= n then
      fail("history.%s has %d values but history.%s has %d", k, #lists[k],
           first, n)
    end
    n, first = n or #lists[k], first or k
  end
  if not n then fail("the history is empty: no loss or metrics recorded") end
  return lists, n
end

-- the words history draws, each replaceable through labels= (a metric's
-- name maps to its panel title and y label)
local HISTORY_WORDS = {epoch = "epoch", train = "train",
                       validation = "validation", best = "restored epoch"}

local function history_panel(base, lists, n, words, best)
  local x, mark = range(n), n <= 30
  local train, val = lists[base], lists["val_" .. base]
  local series = {}
  if train then
    series[#series + 1] = {x = x, y = train, label = words.train,
                           color = "#1f77b4", marker = mark and "o" or nil}
  end
  if val then
    series[#series + 1] = {x = x, y = val, label = words.validation,
                           color = "#ff7f0e", marker = mark and "s" or nil}
  end
  local points
  if best then
    -- a dashed vertical line at the epoch, from the panel's lowest to
    -- its highest value, and a diamond on the validation curve there
    local lo, hi = math.huge, -math.huge
    for _, l in ipairs {train or {}, val or {}} do
      for _, v in ipairs(l) do
        if v == v then lo, hi = math.min(lo, v), math.max(hi, v) end
      end
    end
    if lo <= hi then
      series[#series + 1] = {x = {best, best}, y = {lo, hi},
                             label = ("%s (%d)"):format(words.best, best),
                             color = "#2ca02c", dashed = true}
      local on = val or train
      if on[best] == on[best] then
        points = {{x = {best}, y = {on[best]}, color = "#2ca02c",
                   marker = "D", size = 6}}
      end
    end
  end
  local name = words[base] or base
  return {title = name, xlabel = words.epoch, ylabel = name, integer_x = true,
          series = series, points = points}
end

public("history", function(hist, path, opts)
  opts = options(opts, typed("title", "width", "height", "labels:table",
                             "best_epoch"))
  local lists, n = history_table(hist)
  check_path(path)
  local words = {}
  for k, v in pairs(HISTORY_WORDS) do words[k] = v end
  for k, v in pairs(opts.labels or {}) do
    if type(k) ~= "string" or type(v) ~= "string" then
      fail("labels must map words (epoch, train, validation, best or a " ..
           "metric name) to strings, got %s = %s", describe(k), describe(v))
    end
    words[k] = v
  end
  local best = opts.best_epoch
  if best ~= nil then best = opt_int(opts, "best_epoch", nil, 1, n) end
  local bases, seen = {}, {}
  for k in pairs(lists) do
    local b = k:match("^val_(.+)$") or k
    if not seen[b] then seen[b] = true; bases[#bases + 1] = b end
  end
  table.sort(bases, metric_order)
  local panels = {}
  for i, b in ipairs(bases) do
    panels[i] = history_panel(b, lists, n, words, best)
  end
  draw(core.axes, path, {title = opt_string(opts, "title"), panels = panels,
       width = opt_int(opts, "width", 560, 200, 4000),
       height = opt_int(opts, "height", 420, 200, 4000)})
  return path
end)

---------------------------------------------------------------- images

local SHAPES = "an (N,H,W), (N,H,W,1) or (N,H,W,3) tensor or a list of " ..
               "(H,W), (H,W,1) or (H,W,3) tensors"

local function is_image(t)
  if not tensor.is_tensor(t) then return false end
  local s = t:shape()
  return #s == 2 or (#s == 3 and (s[3] == 1 or s[3] == 3))
end

-- the first k images as a list of (H,W[,C]) tensors, and how many
-- there are in all
local function image_list(images, k)
  local list = {}
  if tensor.is_tensor(images) then
    local s = images:shape()
    if not (#s == 3 or (#s == 4 and (s[4] == 1 or s[4] == 3))) then
      fail("expected images as %s, got %s", SHAPES, describe(images))
    end
    if s[1] == 0 then fail("no images: the tensor holds 0 of them") end
    for i = 1, math.min(k, s[1]) do list[i] = images:select(1, i) end
    return list, s[1]
  end
  if type(images) ~= "table" then
    fail("expected images as %s, got %s", SHAPES, describe(images))
  end
  if #images == 0 then fail("no images: the list is empty") end
  for i = 1, #images do
    local t = images[i]
    if not tensor.is_tensor(t) or not is_image(t) then
      fail("images[%d] must be an (H,W), (H,W,1) or (H,W,3) tensor, got %s",
           i, describe(t))
    end
    if i <= k then list[i] = t end
  end
  return list, #images
end

local function class_name_list(names)
  if names == nil then return nil end
  if type(names) ~= "table" or #names == 0 then
    fail("class_names must be a list of names, got %s", describe(names))
  end
  for i = 1, #names do
    if type(names[i]) ~= "string" then
      fail("class_names[%d] is %s, expected a string", i, describe(names[i]))
    end
  end
  return names
end

-- a 0-based class id from v, checked against the names if any
local function class_id(v, what, names)
  if type(v) ~= "number" or v ~= math.floor(v) or v < 0 or v >= 2^31 then
    fail("%s is %s, expected a class id (a whole number >= 0)", what,
         describe(v))
  end
  v = math.tointeger(v)
  if names and v >= #names then
    fail("label %d out of range 0..%d (%s; class_names has %d names)", v,
         #names - 1, what, #names)
  end
  return v
end

-- captions for the first k of total images
local function captions(labels, names, total, k)
  names = class_name_list(names)
  if labels == nil then
    if names then fail("class_names given without labels") end
    return nil
  end
  if tensor.is_tensor(labels) then labels = numbers(labels, "labels") end
  if type(labels) ~= "table" then
    fail("labels must be a list or a tensor of class ids, got %s",
         describe(labels))
  end
  if #labels ~= total then
    fail("%d images but %d labels", total, #labels)
  end
  local caps = {}
  for i = 1, k do
    local l = labels[i]
    if type(l) == "string" then caps[i] = l
    else
      local id = class_id(l, ("labels[%d]"):format(i), names)
      caps[i] = names and names[id + 1] or tostring(id)
    end
  end
  return caps
end

-- a cell size near target pixels: small images grow by a whole factor
local function auto_box(list, target)
  local m = 1
  for _, t in ipairs(list) do
    local s = t:shape()
    m = math.max(m, s[1], s[2])
  end
  if m >= target then return math.min(m, 2 * target) end
  return m * (target // m)
end

local function cmap_opt(opts)
  local c = opt_string(opts, "cmap")
  if c ~= nil and c ~= "gray" and c ~= "binary" then
    fail("option cmap must be \"gray\" or \"binary\", got \"%s\"", c)
  end
  return c
end

local WRONG, RIGHT = "#d62728", "#1f77b4"   -- tab10 red and blue

-- captions "예측: X" / "정답: Y" on two lines, and marks: the wrong ones red
local function prediction_captions(labels, predicted, names, total, k)
  local truth = captions(labels, names, total, k)
  if not truth then fail("predicted given without labels (the true ones)") end
  local guess = captions(predicted, names, total, k)
  local caps, marks = {}, {}
  for i = 1, k do
    caps[i] = ("예측: %s\n정답: %s"):format(guess[i], truth[i])
    marks[i] = guess[i] ~= truth[i] and WRONG or false
  end
  return caps, marks
end

-- the images (and their labels) whose predicted label differs from the
-- true one, in order: at most k of them
local function wrong_ones(images, labels, predicted, names, k)
  local _, total = image_list(images, 0)
  local truth = captions(labels, names, total, total)
  if not truth then fail("wrong_only needs labels and predicted") end
  local guess = captions(predicted, names, total, total)
  local list, l, p = {}, {}, {}
  labels, predicted = plain(labels), plain(predicted)
  if tensor.is_tensor(labels) then labels = numbers(labels, "labels") end
  if tensor.is_tensor(predicted) then predicted = numbers(predicted, "predicted") end
  for i = 1, total do
    if truth[i] ~= guess[i] and #list < k then
      list[#list + 1] = tensor.is_tensor(images) and images:select(1, i) or images[i]
      l[#l + 1], p[#p + 1] = labels[i], predicted[i]
    end
  end
  if #list == 0 then fail("wrong_only: no image has a wrong prediction") end
  return list, l, p
end

public("image_grid", function(images, path, opts)
  opts = options(opts, typed("labels", "predicted", "class_names", "cols",
                             "rows", "title", "normalize:boolean", "cmap",
                             "box", "wrong_only:boolean"))
  local cols = opt_int(opts, "cols", 5, 1, 100)
  local rows = opt_int(opts, "rows", 5, 1, 100)
  local labels, predicted = opts.labels, opts.predicted
  if opts.wrong_only then
    if predicted == nil then fail("wrong_only needs predicted (and labels)") end
    images, labels, predicted = wrong_ones(images, labels, predicted,
                                           opts.class_names, cols * rows)
  end
  local list, total = image_list(images, cols * rows)
  local caps, marks
  if predicted ~= nil then
    caps, marks = prediction_captions(labels, predicted, opts.class_names,
                                      total, #list)
  else
    caps = captions(labels, opts.class_names, total, #list)
  end
  check_path(path)
  draw(core.images, path, {images = list, captions = caps, marks = marks,
       cols = math.min(cols, #list), title = opt_string(opts, "title"),
       box = opt_int(opts, "box", auto_box(list, 140), 8, 1024),
       normalize = opts.normalize and true or false,
       cmap = cmap_opt(opts)})
  return path
end)

-- one image: (H,W), (H,W,1), (H,W,3), or a batch of one (1,H,W[,C])
local function one_image(image)
  if tensor.is_tensor(image) then
    local s = image:shape()
    if (#s == 3 and s[1] == 1 and s[3] ~= 1 and s[3] ~= 3) or
       (#s == 4 and s[1] == 1 and (s[4] == 1 or s[4] == 3)) then
      image = image:select(1, 1)
    end
  end
  if not is_image(image) then
    fail("image must be an (H,W), (H,W,1) or (H,W,3) tensor (or a batch " ..
         "of one such), got %s", describe(image))
  end
  return image
end

public("prediction", function(image, probabilities, path, opts)
  opts = options(opts, typed("class_names", "true_label", "title", "width",
                             "height", "xlabel", "ylabel", "normalize:boolean",
                             "cmap"))
  image = one_image(image)
  if tensor.is_tensor(probabilities) then
    local s = probabilities:shape()
    if #s == 2 and s[1] == 1 then probabilities = probabilities:select(1, 1) end
    if #probabilities:shape() ~= 1 then
      fail("probabilities must be a list or a 1-d tensor (or (1, K)), got %s",
           describe(probabilities))
    end
  end
  local p = numbers(probabilities, "probabilities")
  for i, v in ipairs(p) do
    if not (v >= 0 and v <= 1) then
      fail("probabilities[%d] is %s, expected a number in 0..1", i, tostring(v))
    end
  end
  local k = #p
  local names = class_name_list(opts.class_names)
  if names and #names ~= k then
    fail("%d probabilities but %d class_names", k, #names)
  end
  if not names then
    names = {}
    for i = 1, k do names[i] = tostring(i - 1) end
  end
  local truth = opts.true_label
  if truth ~= nil then
    if tensor.is_tensor(truth) then truth = numbers(truth, "true_label")[1] end
    truth = class_id(truth, "true_label", names)
  end
  check_path(path)
  local guess = 1
  for i = 2, k do if p[i] > p[guess] then guess = i end end
  guess = guess - 1
  local caption = ("예측: %s %.1f%%"):format(names[guess + 1], 100 * p[guess + 1])
  local mark
  if truth then
    caption = caption .. ("\n정답: %s"):format(names[truth + 1])
    mark = truth == guess and RIGHT or WRONG
  end
  -- the bars: all grey, the predicted one red (wrong) or blue (right),
  -- the true one blue
  local function rect(ids)
    local r = {}
    for _, id in ipairs(ids) do
      for _, v in ipairs {id - 0.4, id + 0.4, 0, p[id + 1]} do r[#r + 1] = v end
    end
    return r
  end
  local others = {}
  for i = 0, k - 1 do
    if i ~= guess and i ~= truth then others[#others + 1] = i end
  end
  local bars = {}
  if #others > 0 then bars[1] = {rect = rect(others), color = "#9a9a9a"} end
  if truth == nil then
    bars[#bars + 1] = {rect = rect {guess}, color = RIGHT, label = "예측 (predicted)",
                       values = {p[guess + 1]}, decimals = 2}
  elseif truth == guess then
    bars[#bars + 1] = {rect = rect {guess}, color = RIGHT,
                       label = "예측 = 정답 (correct)", values = {p[guess + 1]},
                       decimals = 2}
  else
    bars[#bars + 1] = {rect = rect {guess}, color = WRONG,
                       label = "예측 (predicted)", values = {p[guess + 1]},
                       decimals = 2}
    bars[#bars + 1] = {rect = rect {truth}, color = RIGHT,
                       label = "정답 (true)", values = {p[truth + 1]},
                       decimals = 2}
  end
  local ticks = {}
  for i = 1, k do ticks[i] = i - 1 end
  draw(core.image_panel, path, {image = image, caption = caption, mark = mark,
       title = opt_string(opts, "title"),
       width = opt_int(opts, "width", 760, 240, 4000),
       height = opt_int(opts, "height", 360, 160, 4000),
       normalize = opts.normalize and true or false, cmap = cmap_opt(opts),
       panel = {bars = bars, xticks = ticks, xticklabels = names,
                xlim = {-0.6, k - 0.4}, ylim = {0, 1.12},
                xlabel = opt_string(opts, "xlabel") or "클래스 (class)",
                ylabel = opt_string(opts, "ylabel") or "확률 (probability)",
                grid = false}})
  return path, guess
end)

---------------------------------------------------------------- filters

-- filter o of kernel (kh,kw,in,out) as an image: RGB when in is 3,
-- else input channel `channel`, else the mean over input channels
local function filter_image(kernel, o, nin, channel)
  local f = kernel:select(4, o)                   -- (kh, kw, in)
  if channel then return f:select(3, channel) end
  if nin == 1 then return f:select(3, 1) end
  if nin == 3 then return f end
  return f:mean(3)
end

public("filters", function(kernel, path, opts)
  opts = options(opts, set("title", "cols", "channel", "box"))
  if not tensor.is_tensor(kernel) or #kernel:shape() ~= 4 then
    fail("expected a Conv2D kernel (kh, kw, in, out), got %s",
         describe(kernel))
  end
  local kh, kw, nin, nout = table.unpack(kernel:shape())
  if kh == 0 or kw == 0 or nin == 0 or nout == 0 then
    fail("the kernel %s is empty", describe(kernel))
  end
  if nout > 1024 then
    fail("%d filters are too many to draw (at most 1024)", nout)
  end
  local channel = opts.channel ~= nil and opt_int(opts, "channel", 1, 1, nin)
  check_path(path)
  local list, caps = {}, {}
  for o = 1, nout do
    list[o] = filter_image(kernel, o, nin, channel or nil)
    caps[o] = tostring(o)
  end
  draw(core.images, path, {images = list, captions = caps,
       cols = opt_int(opts, "cols", math.min(nout, 8), 1, 100),
       box = opt_int(opts, "box", auto_box(list, 64), 8, 1024),
       title = opt_string(opts, "title"), normalize = true})
  return path
end)

public("feature_maps", function(maps, path, opts)
  opts = options(opts, set("title", "cols", "box", "cmap"))
  local s = tensor.is_tensor(maps) and maps:shape()
  if not s or not (#s == 3 or (#s == 4 and s[1] == 1)) then
    fail("expected the activations of one image, (1,H,W,C) or (H,W,C), " ..
         "got %s%s", describe(maps), s and #s == 4
         and "; pick one image with maps:slice(1, i, i)" or "")
  end
  if #s == 4 then maps = maps:select(1, 1) end
  local h, w, c = table.unpack(maps:shape())
  if h == 0 or w == 0 or c == 0 then
    fail("the activations %s are empty", describe(maps))
  end
  if c > 1024 then
    fail("%d channels are too many to draw (at most 1024)", c)
  end
  check_path(path)
  local list, caps = {}, {}
  for i = 1, c do list[i] = maps:select(3, i); caps[i] = tostring(i) end
  draw(core.images, path, {images = list, captions = caps,
       cols = opt_int(opts, "cols", math.min(c, 8), 1, 100),
       box = opt_int(opts, "box", auto_box(list, 96), 8, 1024),
       title = opt_string(opts, "title"), normalize = true,
       cmap = cmap_opt(opts)})
  return path
end)

------------------------------------------------------- confusion matrix

-- class ids from a table, a 1-d or (N,1) tensor, or (N,K) scores
-- (one-hot labels or predicted probabilities: the argmax is the class)
local function id_list(y, what)
  if tensor.is_tensor(y) then
    local s = y:shape()
    if #s == 2 and s[2] > 1 then
      if s[1] == 0 then fail("%s is empty", what) end
      y = (y:argmax(2) - 1)                       -- 1-based -> class ids
    end
  end
  return numbers(y, what)
end

local function count_matrix(yt, yp, names)
  local k = names and #names or 0
  for i = 1, #yt do
    k = math.max(k, class_id(yt[i], ("y_true[%d]"):format(i), names) + 1,
                 class_id(yp[i], ("y_pred[%d]"):format(i), names) + 1)
  end
  if k > 1000 then fail("%d classes are too many to draw (at most 1000)", k) end
  local m = {}
  for i = 1, k do m[i] = {}; for j = 1, k do m[i][j] = 0 end end
  for i = 1, #yt do
    local r, c = math.tointeger(yt[i]) + 1, math.tointeger(yp[i]) + 1
    m[r][c] = m[r][c] + 1
  end
  return m, k
end

-- sklearn's normalize: "true" rows, "pred" columns, "all" the total
local function normalized(m, k, how)
  local function total(i, j)
    local s = 0
    for a = 1, k do
      for b = 1, k do
        if (how == "true" and a == i) or (how == "pred" and b == j)
           or how == "all" then s = s + m[a][b] end
      end
    end
    return s
  end
  local out = {}
  for i = 1, k do
    out[i] = {}
    for j = 1, k do
      local s = total(i, j)
      out[i][j] = s > 0 and m[i][j] / s or 0
    end
  end
  return out
end

public("confusion_matrix", function(y_true, y_pred, path, opts)
  opts = options(opts, set("class_names", "normalize", "title", "cell",
                           "xlabel", "ylabel"))
  local names = class_name_list(opts.class_names)
  local yt, yp = id_list(y_true, "y_true"), id_list(y_pred, "y_pred")
  if #yt ~= #yp then
    fail("y_true has %d labels but y_pred has %d", #yt, #yp)
  end
  local how = opts.normalize
  if how == true then how = "true" end
  if how ~= nil and how ~= false and how ~= "true" and how ~= "pred"
     and how ~= "all" then
    fail("option normalize must be false, true, \"true\", \"pred\" or " ..
         "\"all\", got %s", describe(how))
  end
  check_path(path)
  local m, k = count_matrix(yt, yp, names)
  if how then m = normalized(m, k, how) end
  local matrix = tensor.new(m)
  local cell = math.max(14, math.min(90, 520 // k))
  draw(core.heatmap, path, {matrix = matrix, row_labels = names,
       col_labels = names,
       title = opt_string(opts, "title") or "Confusion matrix",
       xlabel = opt_string(opts, "xlabel") or "Predicted label",
       ylabel = opt_string(opts, "ylabel") or "True label",
       decimals = how and 2 or 0, cell = opt_int(opts, "cell", cell, 4, 200)})
  return matrix, path
end)

---------------------------------------------------------------- lines

local COLORS = {blue = "#1f77b4", orange = "#ff7f0e", green = "#2ca02c",
  red = "#d62728", purple = "#9467bd", brown = "#8c564b", pink = "#e377c2",
  gray = "#7f7f7f", grey = "#7f7f7f", olive = "#bcbd22", cyan = "#17becf",
  black = "#000000"}
local CYCLE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
               "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"}

local function color_of(c, i)
  if c == nil then return CYCLE[(i - 1) % 10 + 1] end
  if type(c) == "string" then
    local n = c:match("^C(%d)$")
    if n then return CYCLE[tonumber(n) + 1] end
    if COLORS[c] then return COLORS[c] end
    if c:match("^#%x%x%x%x%x%x$") then return c end
  end
  fail("series %d: color must be a name (blue, orange, ...), \"C0\"..\"C9\" " ..
       "or \"#rrggbb\", got %s", i, describe(c))
end

local MARKER_OK = {o = true, s = true, ["^"] = true, D = true, x = true,
                   ["+"] = true}
local MARKER_NAMES = '"o", "s", "^", "D", "x" or "+"'

local SERIES_KEYS = set("x", "y", "label", "color", "marker", "style",
                        "dashed")

local function one_series(s, i)
  if type(s) ~= "table" then
    fail("series %d must be a table {x=, y=, label=}, got %s", i, describe(s))
  end
  check(("%s: series %d"):format(current, i), s, SERIES_KEYS)
  if s.y == nil then fail("series %d has no y values", i) end
  local y = numbers(s.y, ("series %d: y"):format(i))
  local x = s.x == nil and range(#y) or numbers(s.x, ("series %d: x"):format(i))
  if #x ~= #y then
    fail("series %d: x has %d values but y has %d", i, #x, #y)
  end
  if s.label ~= nil and type(s.label) ~= "string" then
    fail("series %d: label must be a string, got %s", i, describe(s.label))
  end
  local m = s.marker
  if m ~= nil and m ~= "" and not MARKER_OK[m] then
    fail("series %d: marker must be one of %s, got %s", i, MARKER_NAMES,
         describe(m))
  end
  if s.style ~= nil and s.style ~= "-" and s.style ~= "--" then
    fail("series %d: style must be \"-\" or \"--\", got %s", i,
         describe(s.style))
  end
  return {x = x, y = y, label = s.label, color = color_of(s.color, i),
          marker = m, dashed = s.style == "--" or s.dashed == true}
end

local function lim_opt(opts, k)
  local v = opts[k]
  if v == nil then return nil end
  if type(v) ~= "table" or type(v[1]) ~= "number" or
     type(v[2]) ~= "number" or not (v[1] < v[2]) then
    fail("option %s must be {lo, hi} with lo < hi, got %s", k, describe(v))
  end
  return v
end

public("lines", function(series, path, opts)
  opts = options(opts, typed("title", "xlabel", "ylabel", "xlim", "ylim",
                             "width", "height", "legend:boolean", "grid:boolean"))
  if type(series) ~= "table" then
    fail("expected a list of series {x=, y=, label=}, got %s",
         describe(series))
  end
  if series.y ~= nil then series = {series} end  -- one series alone
  if #series == 0 then fail("no series to draw") end
  if #series > 64 then fail("%d series are too many (at most 64)", #series) end
  local list = {}
  for i = 1, #series do list[i] = one_series(series[i], i) end
  if getmetatable(path) == Figure then        -- a panel of plot.subplots
    path.panels[#path.panels + 1] = {title = opt_string(opts, "title"),
      xlabel = opt_string(opts, "xlabel"), ylabel = opt_string(opts, "ylabel"),
      xlim = lim_opt(opts, "xlim"), ylim = lim_opt(opts, "ylim"),
      legend = opts.legend ~= false, grid = opts.grid ~= false, series = list}
    return path
  end
  check_path(path)
  local panel = {title = opt_string(opts, "title"),
    xlabel = opt_string(opts, "xlabel"), ylabel = opt_string(opts, "ylabel"),
    xlim = lim_opt(opts, "xlim"), ylim = lim_opt(opts, "ylim"),
    legend = opts.legend ~= false, grid = opts.grid ~= false, series = list}
  draw(core.axes, path, {panels = {panel},
       width = opt_int(opts, "width", 640, 200, 4000),
       height = opt_int(opts, "height", 480, 200, 4000)})
  return path
end)

-- plot.detections(img, boxes, path, {labels=, title=, side=, normalize=})
-- The photo (H,W), (H,W,1) or (H,W,3) with boxes drawn on it: boxes an
-- (N,4) tensor or a list of {top, left, height, width} in the image's
-- pixels (top/left 0-based offsets from the image's corner, as a
-- sliding window counts them), labels a list of N strings (e.g. scores).
public("detections", function(img, boxes, path, opts)
  opts = options(opts, typed("labels", "title", "side", "normalize:boolean"))
  if not is_image(img) then
    fail("expected an image (H,W), (H,W,1) or (H,W,3), got %s", describe(img))
  end
  if type(boxes) == "table" and not tensor.is_tensor(boxes) then
    for i, b in ipairs(boxes) do
      if type(b) ~= "table" or #b ~= 4 then
        fail("box %d must be {top, left, height, width}, got %s", i, describe(b))
      end
    end
    boxes = #boxes > 0 and tensor(boxes) or tensor.zeros(0, 4)
  end
  if not tensor.is_tensor(boxes) or boxes:dim() ~= 2 or boxes:size(2) ~= 4 then
    fail("boxes must be an (N, 4) tensor or a list of {top, left, height, width}, got %s",
         describe(boxes))
  end
  local labels = opts.labels
  if labels ~= nil then
    if type(labels) ~= "table" or #labels ~= boxes:size(1) then
      fail("labels must be a list of %d strings, one per box", boxes:size(1))
    end
    for i, l in ipairs(labels) do labels[i] = tostring(l) end
  end
  check_path(path)
  draw(core.detections, path, {image = img, boxes = boxes, labels = labels,
       title = opt_string(opts, "title"), side = opt_int(opts, "side", 640, 16, 4000),
       normalize = opts.normalize == true})
  return path
end)

---------------------------------------------------------------- figures
-- The machine-learning figures below share one panel description
-- (plot.core.axes) and one set of options: title, xlabel, ylabel, width,
-- height, xlim, ylim, legend, grid. Passing a figure from plot.subplots
-- in place of the path adds the panel to that figure instead.

local function is_figure(p) return getmetatable(p) == Figure end

local AXIS_OPTS = {"title", "xlabel", "ylabel", "width", "height", "xlim",
                   "ylim", "legend:boolean", "grid:boolean"}

-- the options of a figure: the shared ones plus these
local function fig_options(opts, ...)
  local names = {}
  for _, k in ipairs(AXIS_OPTS) do names[#names + 1] = k end
  for _, k in ipairs {...} do names[#names + 1] = k end
  return options(opts, typed(table.unpack(names)))
end


-- the panel's titles, limits and switches from the shared options
local function base_panel(opts, defaults)
  defaults = defaults or {}
  return {title = opt_string(opts, "title") or defaults.title,
    xlabel = opt_string(opts, "xlabel") or defaults.xlabel,
    ylabel = opt_string(opts, "ylabel") or defaults.ylabel,
    xlim = lim_opt(opts, "xlim"), ylim = lim_opt(opts, "ylim"),
    legend = opts.legend ~= false, grid = opts.grid ~= false}
end

-- draw one panel to path, or add it to a figure from plot.subplots
local function emit(path, panel, opts, w, h)
  if is_figure(path) then
    path.panels[#path.panels + 1] = panel
    return path
  end
  check_path(path)
  draw(core.axes, path, {panels = {panel},
       width = opt_int(opts, "width", w or 640, 200, 4000),
       height = opt_int(opts, "height", h or 480, 200, 4000)})
  return path
end

local function check_target(path)
  if not is_figure(path) then check_path(path) end
end

-- numbers (a list or a 1-d tensor), every one finite
local function finite(v, what)
  v = numbers(v, what)
  for i = 1, #v do
    if v[i] ~= v[i] or v[i] == math.huge or v[i] == -math.huge then
      fail("%s[%d] is %s: values must be finite", what, i, tostring(v[i]))
    end
  end
  return v
end

-- 0-based class ids, one a point
local function ids_of(v, what, n, names)
  if tensor.is_tensor(v) then
    local s = v:shape()
    if #s == 2 and s[2] > 1 then v = v:argmax(2) - 1 end
  end
  v = numbers(v, what)
  if n and #v ~= n then fail("%d points but %d %s", n, #v, what) end
  local ids, k = {}, names and #names or 0
  for i = 1, #v do
    ids[i] = class_id(v[i], ("%s[%d]"):format(what, i), names)
    k = math.max(k, ids[i] + 1)
  end
  if k > 64 then fail("%d classes are too many to draw (at most 64)", k) end
  return ids, k
end

-- x and y of (N,2) points: a tensor or a list of {x, y} pairs
local function xy_of(X, what, raw)
  if tensor.is_tensor(X) then
    local s = X:shape()
    if #s ~= 2 or s[2] ~= 2 then
      fail("%s must be an (N, 2) tensor, got %s", what, describe(X))
    end
    if s[1] == 0 then fail("%s is empty", what) end
    if raw then return numbers(X:select(2, 1), what .. "[:, 1]"), numbers(X:select(2, 2), what .. "[:, 2]") end
    return finite(X:select(2, 1), what .. "[:, 1]"),
           finite(X:select(2, 2), what .. "[:, 2]")
  end
  if type(X) ~= "table" or #X == 0 then
    fail("%s must be an (N, 2) tensor or a list of {x, y}, got %s", what,
         describe(X))
  end
  local x, y = {}, {}
  for i, p in ipairs(X) do
    if type(p) ~= "table" or type(p[1]) ~= "number" or
       type(p[2]) ~= "number" then
      fail("%s[%d] must be {x, y}, got %s", what, i, describe(p))
    end
    x[i], y[i] = p[1], p[2]
  end
  if raw then return x, y end
  return finite(x, what .. " x"), finite(y, what .. " y")
end

-- scatter drops the points whose x or y is missing (NaN), as matplotlib
-- does, with their entries of the per-point options classes and values;
-- an infinity stays an error
local function drop_missing(x, y, opts)
  if #x ~= #y then fail("x has %d values but y has %d", #x, #y) end
  local keep, n = {}, #x
  for i = 1, n do
    if x[i] == x[i] and y[i] == y[i] then keep[#keep + 1] = i end
  end
  if #keep == n then return x, y, opts end
  if #keep == 0 then fail("every point has a missing value (NaN) in x or y") end
  local copy = {}   -- the caller's table stays as it was
  for k, v in pairs(opts) do copy[k] = v end
  opts = copy
  local function pick(v)
    local r = {}
    for j, i in ipairs(keep) do r[j] = v[i] end
    return r
  end
  for _, k in ipairs {"classes", "values"} do
    local v = opts[k]
    if v ~= nil then
      if k == "classes" and tensor.is_tensor(v) then
        local s = v:shape()
        if #s == 2 and s[2] > 1 then v = v:argmax(2) - 1 end
      end
      v = numbers(v, k)
      if #v ~= n then fail("%d points but %d %s", n, #v, k) end
      opts[k] = pick(v)
    end
  end
  return pick(x), pick(y), opts
end

local CMAPS = {gray = true, binary = true, Blues = true, viridis = true,
               coolwarm = true, RdBu = true}

local function cmap_name(opts, default)
  local c = opts.cmap
  if c == nil then return default end
  if type(c) ~= "string" or not CMAPS[c] then
    fail("option cmap must be \"viridis\", \"coolwarm\", \"RdBu\", " ..
         "\"Blues\", \"gray\" or \"binary\", got %s", describe(c))
  end
  return c
end

local function opt_number(opts, k, default)
  local v = opts[k]
  if v == nil then return default end
  if type(v) ~= "number" or v ~= v or math.abs(v) == math.huge then
    fail("option %s must be a finite number, got %s", k, describe(v))
  end
  return v
end

local function min_max(v)
  local lo, hi = math.huge, -math.huge
  for i = 1, #v do lo = math.min(lo, v[i]); hi = math.max(hi, v[i]) end
  return lo, hi
end


-- class k's colour: tab10, as matplotlib's default cycle
local function class_color(k) return color_of(nil, k + 1) end

local function class_label(k, names)
  return names and names[k + 1] or tostring(k)
end

-- points coloured by class (one layer a class, for the legend) or by
-- value (one layer and a colour bar) or all alike
local function scatter_layers(x, y, opts, panel)
  local n = #x
  local size = opt_number(opts, "size", 3.5)
  local alpha = opt_number(opts, "alpha", 1)
  local marker = opts.marker
  if marker ~= nil and not MARKER_OK[marker] then
    fail("option marker must be one of %s, got %s", MARKER_NAMES,
         describe(marker))
  end
  local names = class_name_list(opts.class_names)
  if opts.classes ~= nil and opts.values ~= nil then
    fail("give classes (colour by class) or values (colour by value), " ..
         "not both")
  end
  if opts.classes ~= nil then
    local ids, k = ids_of(opts.classes, "classes", n, names)
    local layers = {}
    for c = 0, k - 1 do
      local px, py = {}, {}
      for i = 1, n do
        if ids[i] == c then px[#px + 1] = x[i]; py[#py + 1] = y[i] end
      end
      if #px > 0 then
        layers[#layers + 1] = {x = px, y = py, color = class_color(c),
          label = class_label(c, names), size = size, alpha = alpha,
          marker = marker, edge = opts.edge == true}
      end
    end
    panel.points = layers
    return
  end
  if names then fail("class_names given without classes") end
  if opts.values ~= nil then
    local v = finite(opts.values, "values")
    if #v ~= n then fail("%d points but %d values", n, #v) end
    local lo, hi = min_max(v)
    lo, hi = opt_number(opts, "vmin", lo), opt_number(opts, "vmax", hi)
    if lo == hi then lo, hi = lo - 0.5, hi + 0.5 end
    if not (lo < hi) then fail("vmin %g is above vmax %g", lo, hi) end
    local cmap = cmap_name(opts, "viridis")
    panel.points = {{x = x, y = y, values = v, cmap = cmap, vmin = lo,
      vmax = hi, size = size, alpha = alpha, marker = marker,
      edge = opts.edge == true, label = opt_string(opts, "label")}}
    if opts.colorbar ~= false then
      panel.colorbar = {cmap = cmap, vmin = lo, vmax = hi,
                        label = opt_string(opts, "colorbar_label")}
    end
    return
  end
  panel.points = {{x = x, y = y, color = color_of(opts.color, 1),
    size = size, alpha = alpha, marker = marker, edge = opts.edge == true,
    label = opt_string(opts, "label")}}
end

---------------------------------------------------------------- scatter

-- plot.scatter(x, y, path, opts) or plot.scatter(X, path, opts), X (N, 2)
public("scatter", function(a, b, c, d)
  local x, y, path, opts
  if tensor.is_tensor(a) and (type(b) == "string" or is_figure(b)) then
    x, y = xy_of(a, "X", true)
    path, opts = b, c
  else
    x, y, path, opts = a, b, c, d
  end
  opts = fig_options(opts, "classes", "class_names", "values", "cmap",
                     "vmin", "vmax", "colorbar:boolean", "colorbar_label",
                     "color", "label", "size", "alpha", "marker",
                     "edge:boolean", "equal:boolean", "overlay", "lines")
  if y == nil then
    fail("expected x and y (lists or 1-d tensors) or an (N, 2) tensor X")
  end
  x, y, opts = drop_missing(numbers(x, "x"), numbers(y, "y"), opts)
  x, y = finite(x, "x"), finite(y, "y")
  check_target(path)
  local panel = base_panel(opts)
  panel.equal = opts.equal == true
  scatter_layers(x, y, opts, panel)
  -- lines under the points (a fitted regression line)
  local lines = opts.lines
  if lines ~= nil then
    if type(lines) ~= "table" then
      fail("option lines must be a list of series {x=, y=, label=}, got %s",
           describe(lines))
    end
    if lines.y ~= nil then lines = {lines} end
    panel.series = {}
    for i, l in ipairs(lines) do
      local se = one_series(l, i)
      if l.color == nil then se.color = color_of(i == 1 and "red" or nil, i) end
      panel.series[i] = se
    end
  end
  -- more point sets on top (k-means centroids as big black x's)
  local over = opts.overlay
  if over ~= nil then
    if type(over) ~= "table" then
      fail("option overlay must be a list of point sets, got %s",
           describe(over))
    end
    if over.X ~= nil or over.x ~= nil then over = {over} end
    for i, o in ipairs(over) do
      local what = ("overlay[%d]"):format(i)
      if type(o) ~= "table" then
        fail("%s must be a table {X=, marker=, color=, size=, label=}", what)
      end
      check(("%s: %s"):format(current, what), o,
            set("X", "x", "y", "marker", "color", "size", "label"))
      local ox, oy
      if o.X ~= nil then ox, oy = xy_of(o.X, what .. ".X")
      else
        ox, oy = finite(o.x, what .. ".x"), finite(o.y, what .. ".y")
        if #ox ~= #oy then
          fail("%s: x has %d values but y has %d", what, #ox, #oy)
        end
      end
      if o.marker ~= nil and not MARKER_OK[o.marker] then
        fail("%s: marker must be one of %s, got %s", what, MARKER_NAMES,
             describe(o.marker))
      end
      local sz = o.size == nil and 7 or o.size
      if type(sz) ~= "number" or not (sz > 0 and sz < 100) then
        fail("%s: size must be a number of pixels, got %s", what,
             describe(o.size))
      end
      panel.points[#panel.points + 1] = {x = ox, y = oy,
        marker = o.marker or "x", color = color_of(o.color or "black", i),
        size = sz, label = o.label ~= nil and tostring(o.label) or nil}
    end
  end
  return emit(path, panel, opts)
end)

---------------------------------------------------------------- hist

-- bin edges: `bins` equal bins over range (numpy.histogram's), or the
-- edges given
local function bin_edges(opts, lo, hi)
  local bins = opts.bins
  if type(bins) == "table" or tensor.is_tensor(bins) then
    local e = finite(bins, "bins")
    if #e < 2 then fail("bins needs at least 2 edges, got %d", #e) end
    for i = 2, #e do
      if not (e[i] > e[i - 1]) then
        fail("bins must increase, got %g after %g", e[i], e[i - 1])
      end
    end
    return e
  end
  local n = opt_int(opts, "bins", 10, 1, 1000)
  local r = lim_opt(opts, "range")
  if r then lo, hi = r[1], r[2] end
  if lo == hi then lo, hi = lo - 0.5, hi + 0.5 end
  local e = {}
  for i = 0, n do e[i + 1] = lo + (hi - lo) * i / n end
  return e
end

-- counts of v in the bins (the last bin closed, as numpy's)
local function bin_counts(v, e)
  local c, n = {}, #e - 1
  for i = 1, n do c[i] = 0 end
  for _, x in ipairs(v) do
    if x >= e[1] and x <= e[n + 1] then
      local lo, hi = 1, n          -- the bin with e[k] <= x < e[k + 1]
      while lo < hi do
        local mid = (lo + hi + 1) // 2
        if e[mid] <= x then lo = mid else hi = mid - 1 end
      end
      c[lo] = c[lo] + 1
    end
  end
  return c
end

-- the values that are not NaN (missing), in order
local function without_nan(v)
  local out = {}
  for i = 1, #v do
    if v[i] == v[i] then out[#out + 1] = v[i] end
  end
  return out
end

-- plot.hist(data, path, opts) -> path, counts, edges
-- data: numbers (a list, a 1-d tensor or a frame Series) or a list of
-- such (one histogram each, overlaid and labelled). Missing values (NaN,
-- a Series's NA) are left out, as matplotlib's and pandas's hist do:
-- the counts, and the density's total, are over the values present.
public("hist", function(data, path, opts)
  opts = fig_options(opts, "bins", "range", "density:boolean", "labels",
                     "color", "alpha")
  if not tensor.is_tensor(data) and (type(data) ~= "table" or #data == 0)
  then
    fail("expected numbers or a list of lists of numbers, got %s",
         describe(data))
  end
  local sets = plain(data)
  if tensor.is_tensor(sets) or (type(sets[1]) ~= "table" and
                                 not tensor.is_tensor(sets[1])) then
    sets = {sets}
  else
    sets = table.move(sets, 1, #sets, 1, {})
  end
  local lo, hi = math.huge, -math.huge
  for i, s in ipairs(sets) do
    local what = #sets > 1 and ("data[%d]"):format(i) or "data"
    local v = without_nan(numbers(s, what))
    if #v == 0 then fail("%s holds only missing values (NaN)", what) end
    sets[i] = finite(v, what)
    local a, b = min_max(sets[i])
    lo, hi = math.min(lo, a), math.max(hi, b)
  end
  local labels = opts.labels
  if labels ~= nil and (type(labels) ~= "table" or #labels ~= #sets) then
    fail("option labels must be a list of %d names, one a data set", #sets)
  end
  check_target(path)
  local e = bin_edges(opts, lo, hi)
  local panel = base_panel(opts, {ylabel = opts.density and "density" or
                                           "count"})
  panel.integer_y = not opts.density
  panel.bars = {}
  local all = {}
  for i, s in ipairs(sets) do
    local c = bin_counts(s, e)
    if opts.density then
      for k = 1, #c do c[k] = c[k] / (#s * (e[k + 1] - e[k])) end
    end
    local rect = {}
    for k = 1, #c do
      rect[#rect + 1], rect[#rect + 2] = e[k], e[k + 1]
      rect[#rect + 1], rect[#rect + 2] = 0, c[k]
    end
    panel.bars[i] = {rect = rect, label = labels and tostring(labels[i]),
      color = color_of(#sets == 1 and opts.color or nil, i),
      alpha = opt_number(opts, "alpha", #sets > 1 and 0.6 or 1)}
    all[i] = tensor.new(c)
  end
  emit(path, panel, opts)
  return path, #sets == 1 and all[1] or all, tensor.new(e)
end)

---------------------------------------------------------------- bar

-- plot.bar(x, heights, path, opts)
-- x: category names (strings) or positions; heights: numbers, or a list
-- of lists for grouped bars (one colour a list, named by labels)
public("bar", function(x, heights, path, opts)
  opts = fig_options(opts, "labels", "color", "bar_width", "values:boolean",
                     "decimals", "alpha")
  x = plain(x)
  if type(x) ~= "table" and not tensor.is_tensor(x) then
    fail("expected categories (a list of names) or positions, got %s",
         describe(x))
  end
  local names
  if type(x) == "table" and type(x[1]) == "string" then
    names = {}
    for i, s in ipairs(x) do
      if type(s) ~= "string" then
        fail("x[%d] is %s, expected a category name", i, describe(s))
      end
      names[i] = s
    end
    x = range(#names)
    if #x > 32 then fail("%d categories are too many (at most 32)", #x) end
  else
    x = finite(x, "x")
  end
  local groups = heights
  if tensor.is_tensor(heights) or (type(heights) == "table" and
                                   type(heights[1]) ~= "table" and
                                   not tensor.is_tensor(heights[1])) then
    groups = {heights}
  end
  if type(groups) ~= "table" or #groups == 0 then
    fail("expected heights as numbers or a list of lists, got %s",
         describe(heights))
  end
  for i, g in ipairs(groups) do
    groups[i] = finite(g, #groups > 1 and ("heights[%d]"):format(i)
                                         or "heights")
    if #groups[i] ~= #x then
      fail("%d bars but %d heights%s", #x, #groups[i],
           #groups > 1 and (" in heights[%d]"):format(i) or "")
    end
  end
  local labels = opts.labels
  if labels ~= nil and (type(labels) ~= "table" or #labels ~= #groups) then
    fail("option labels must be a list of %d names, one a group", #groups)
  end
  check_target(path)
  -- the gap between neighbouring positions sets the bars' width
  local gap = math.huge
  local sorted = table.move(x, 1, #x, 1, {})
  table.sort(sorted)
  for i = 2, #sorted do
    if sorted[i] > sorted[i - 1] then gap = math.min(gap, sorted[i] - sorted[i - 1]) end
  end
  if gap == math.huge then gap = 1 end
  local bw = opt_number(opts, "bar_width", 0.8) * gap
  local each = bw / #groups
  local panel = base_panel(opts)
  panel.bars = {}
  for gi, h in ipairs(groups) do
    local rect = {}
    for k = 1, #x do
      local left = x[k] - bw / 2 + (gi - 1) * each
      rect[#rect + 1], rect[#rect + 2] = left, left + each
      rect[#rect + 1], rect[#rect + 2] = 0, h[k]
    end
    panel.bars[gi] = {rect = rect, label = labels and tostring(labels[gi]),
      color = color_of(#groups == 1 and opts.color or nil, gi),
      alpha = opt_number(opts, "alpha", 1),
      values = opts.values and h or nil,
      decimals = opt_int(opts, "decimals", 0, 0, 12)}
  end
  if names then panel.xticks, panel.xticklabels = x, names end
  if opts.values and not panel.ylim then     -- room for the numbers
    local lo, hi = 0, 0
    for _, h in ipairs(groups) do
      local a, b = min_max(h)
      lo, hi = math.min(lo, a), math.max(hi, b)
    end
    local pad = (hi - lo) * 0.1
    panel.ylim = {lo < 0 and lo - pad or 0, hi > 0 and hi + pad or 0}
    if panel.ylim[1] == panel.ylim[2] then panel.ylim = nil end
  end
  return emit(path, panel, opts)
end)

---------------------------------------------------------------- heatmap

-- rows of numbers from a 2-d tensor or a table of rows, all finite
local function matrix_of(m, what)
  if tensor.is_tensor(m) then
    if #m:shape() ~= 2 then
      fail("%s must be a 2-d tensor or a table of rows, got %s", what,
           describe(m))
    end
    m = m:totable()
  end
  if type(m) ~= "table" or #m == 0 or type(m[1]) ~= "table" then
    fail("%s must be a 2-d tensor or a table of rows, got %s", what,
         describe(m))
  end
  local cols = #m[1]
  for i, row in ipairs(m) do
    finite(row, ("%s[%d]"):format(what, i))
    if #row ~= cols then
      fail("%s[%d] has %d values but row 1 has %d", what, i, #row, cols)
    end
  end
  return m, #m, cols
end

local function labels_opt(opts, k, n)
  local v = opts[k]
  if v == nil then return nil end
  if type(v) ~= "table" or #v ~= n then
    fail("option %s must be a list of %d names, got %s", k, n, describe(v))
  end
  local out = {}
  for i = 1, n do out[i] = tostring(v[i]) end
  return out
end

-- plot.heatmap(matrix, path, opts): annotated cells (a correlation
-- matrix: {cmap = "coolwarm", vmin = -1, vmax = 1}); matrix a 2-d
-- tensor, a table of rows or a frame (df:corr(), its index and columns
-- naming the rows and columns unless the options name them)
public("heatmap", function(m, path, opts)
  opts = options(opts, typed("row_labels", "col_labels", "labels", "cmap",
    "vmin", "vmax", "decimals", "annotate:boolean", "title", "xlabel",
    "ylabel", "cell", "colorbar:boolean"))
  local frame, named = package.loaded.frame, nil
  if frame and frame.is_frame(m) then    -- df:corr(): names from the frame
    named = {row_labels = m.index, col_labels = m.columns}
    m = m:to_tensor()
  end
  local rows, nr, nc = matrix_of(m, "matrix")
  if nr > 100 or nc > 100 then
    fail("a %dx%d matrix is too big to draw (at most 100x100)", nr, nc)
  end
  local rl = labels_opt(opts, "row_labels", nr)
  local cl = labels_opt(opts, "col_labels", nc)
  if opts.labels ~= nil then
    if nr ~= nc then
      fail("option labels names rows and columns alike: the matrix must " ..
           "be square, got %dx%d", nr, nc)
    end
    rl = rl or labels_opt(opts, "labels", nr)
    cl = cl or labels_opt(opts, "labels", nc)
  end
  if named then
    rl = rl or labels_opt(named, "row_labels", nr)
    cl = cl or labels_opt(named, "col_labels", nc)
  end
  local vmin, vmax = opt_number(opts, "vmin"), opt_number(opts, "vmax")
  if vmin and vmax and not (vmin < vmax) then
    fail("vmin %g must be below vmax %g", vmin, vmax)
  end
  if is_figure(path) then
    fail("a heat map is a figure of its own: give it a file name, not " ..
         "a figure from plot.subplots")
  end
  check_path(path)
  local cell = math.max(14, math.min(64, 560 // math.max(nr, nc)))
  draw(core.heatmap, path, {matrix = tensor.new(rows), row_labels = rl,
    col_labels = cl, title = opt_string(opts, "title"),
    xlabel = opt_string(opts, "xlabel"), ylabel = opt_string(opts, "ylabel"),
    decimals = opts.annotate == false and -1
               or opt_int(opts, "decimals", 2, 0, 12),
    cell = opt_int(opts, "cell", cell, 4, 200),
    colorbar = opts.colorbar ~= false,
    cmap = cmap_name(opts, "viridis"), vmin = vmin, vmax = vmax})
  return path
end)

---------------------------------------------------------------- contour

-- a path drawn over a contour plot: a table {x=, y=, label=, color=,
-- marker=} or an (N, 2) tensor / list of {x, y}
local function path_series(p, i)
  local what = ("paths[%d]"):format(i)
  local s = {marker = "o"}
  if type(p) == "table" and not tensor.is_tensor(p) and
     (p.x ~= nil or p.y ~= nil) then
    check(("%s: %s"):format(current, what), p,
          set("x", "y", "label", "color", "marker", "style"))
    s.x, s.y = finite(p.x, what .. ".x"), finite(p.y, what .. ".y")
    if #s.x ~= #s.y then
      fail("%s: x has %d values but y has %d", what, #s.x, #s.y)
    end
    s.label = p.label ~= nil and tostring(p.label) or nil
    s.color = p.color
    if p.marker ~= nil then s.marker = p.marker end
    s.style = p.style
  else
    s.x, s.y = xy_of(p, what)
  end
  local out = one_series({x = s.x, y = s.y, label = s.label,
    color = s.color or (i == 1 and "red" or nil), marker = s.marker,
    style = s.style}, i)
  return out
end

-- the grid: f(x, y) sampled n x n over xlim x ylim, or a (rows, cols)
-- tensor of z (row 1 at ylim[1])
local function contour_grid(f, opts)
  local xl, yl = lim_opt(opts, "xlim"), lim_opt(opts, "ylim")
  if type(f) == "function" then
    if not xl or not yl then
      fail("a function needs options xlim = {lo, hi} and ylim = {lo, hi}")
    end
    local n = opt_int(opts, "n", 100, 2, 1000)
    local rows = {}
    for i = 1, n do
      local y = yl[1] + (yl[2] - yl[1]) * (i - 1) / (n - 1)
      local row = {}
      for j = 1, n do
        local x = xl[1] + (xl[2] - xl[1]) * (j - 1) / (n - 1)
        local z = f(x, y)
        if tensor.is_tensor(z) then z = z:item() end
        if type(z) ~= "number" or z ~= z or math.abs(z) == math.huge then
          fail("f(%g, %g) returned %s: expected a finite number", x, y,
               describe(z))
        end
        row[j] = z
      end
      rows[i] = row
    end
    return tensor.new(rows), xl, yl
  end
  if tensor.is_tensor(f) then
    local s = f:shape()
    if #s ~= 2 or s[1] < 2 or s[2] < 2 then
      fail("expected f(x, y) or a 2-d tensor of z (at least 2x2), got %s",
           describe(f))
    end
    matrix_of(f, "z")                         -- finite values
    return f, xl or {1, s[2]}, yl or {1, s[1]}
  end
  fail("expected a function f(x, y) or a 2-d tensor of z, got %s",
       describe(f))
end

-- plot.contour(f, path, opts): filled bands and/or lines of f(x, y)
public("contour", function(f, path, opts)
  opts = fig_options(opts, "n", "levels", "filled:boolean", "lines:boolean",
                     "cmap", "colorbar:boolean", "colorbar_label", "paths",
                     "equal:boolean", "line_color")
  local z, xl, yl = contour_grid(f, opts)
  local paths = opts.paths
  if paths ~= nil then
    if type(paths) ~= "table" then
      fail("option paths must be a list of paths, got %s", describe(paths))
    end
    if tensor.is_tensor(paths) or paths.x ~= nil or
       type(paths[1]) == "table" and type(paths[1][1]) == "number" then
      paths = {paths}                       -- one path alone
    end
  end
  check_target(path)
  local lo, hi = z:min(), z:max()
  local levels = opts.levels
  if levels == nil or type(levels) == "number" then
    local n = levels == nil and 10 or opt_int(opts, "levels", 10, 2, 30)
    levels = core.contour_levels(lo, hi, n)
  else
    levels = finite(levels, "levels")
    for i = 2, #levels do
      if not (levels[i] > levels[i - 1]) then
        fail("levels must increase, got %g after %g", levels[i], levels[i - 1])
      end
    end
  end
  local filled, lines = opts.filled ~= false, opts.lines ~= false
  if not filled and not lines then fail("filled and lines are both false") end
  local cmap = cmap_name(opts, "viridis")
  local panel = base_panel(opts)
  panel.equal = opts.equal == true
  panel.xlim, panel.ylim = nil, nil
  local vlo, vhi = levels[1], levels[#levels]
  if vlo == vhi then vlo, vhi = vlo - 1, vhi + 1 end
  panel.raster = {v = z, x0 = xl[1], x1 = xl[2], y0 = yl[1], y1 = yl[2],
    smooth = true, cmap = cmap, vmin = vlo, vmax = vhi,
    levels = filled and #levels >= 2 and levels or nil}
  if not filled then panel.raster.paint = false end   -- lines on white
  if lines then
    local lc = opts.line_color
    if lc == nil and filled then lc = "#000000" end
    panel.contour = {levels = levels, cmap = cmap, vmin = vlo, vmax = vhi,
      color = lc and color_of(lc, 1) or nil, width = filled and 0.8 or 1.5}
  end
  if opts.colorbar ~= false then
    panel.colorbar = {cmap = cmap, vmin = vlo, vmax = vhi,
      levels = filled and levels or nil,
      label = opt_string(opts, "colorbar_label")}
  end
  if paths then
    panel.series = {}
    for i, p in ipairs(paths) do panel.series[i] = path_series(p, i) end
  end
  return emit(path, panel, opts, 640, 520)
end)

---------------------------------------------------------------- line

local MARKERS = {"o", "s", "^"}

-- plot.line(x, y, path, opts): y numbers, a list of lists or an (N, K)
-- tensor (one series a column); x numbers or nil (1..N)
public("line", function(x, y, path, opts)
  opts = fig_options(opts, "labels", "marker", "style", "color")
  local ys = y
  if tensor.is_tensor(y) then
    local s = y:shape()
    if #s == 2 and s[2] > 1 then
      ys = {}
      for k = 1, s[2] do ys[k] = y:select(2, k) end
    else
      ys = {y}
    end
  elseif type(y) ~= "table" or #y == 0 then
    fail("expected y as numbers, a list of lists or an (N, K) tensor, " ..
         "got %s", describe(y))
  elseif type(y[1]) ~= "table" and not tensor.is_tensor(y[1]) then
    ys = {y}
  end
  if #ys > 64 then fail("%d series are too many (at most 64)", #ys) end
  local labels = opts.labels
  if labels ~= nil and (type(labels) ~= "table" or #labels ~= #ys) then
    fail("option labels must be a list of %d names, one a series", #ys)
  end
  local m = opts.marker
  if m ~= nil and m ~= true and m ~= false and not MARKER_OK[m] then
    fail("option marker must be true or one of %s, got %s", MARKER_NAMES,
         describe(m))
  end
  check_target(path)
  local panel = base_panel(opts)
  panel.series = {}
  for i, yy in ipairs(ys) do
    yy = numbers(yy, #ys > 1 and ("y[%d]"):format(i) or "y")
    local xx = x == nil and range(#yy) or numbers(x, "x")
    if #xx ~= #yy then
      fail("x has %d values but y%s has %d", #xx,
           #ys > 1 and ("[%d]"):format(i) or "", #yy)
    end
    panel.series[i] = one_series({x = xx, y = yy,
      label = labels and tostring(labels[i]) or nil,
      color = #ys == 1 and opts.color or nil,
      marker = m == true and MARKERS[(i - 1) % 3 + 1] or
               (m ~= false and m or nil),
      style = opts.style}, i)
  end
  return emit(path, panel, opts)
end)

---------------------------------------------------------------- arrows

-- (N, 2) rows of a tensor or list of pairs, one pair broadcast to n
local function pairs_of(v, what, n)
  if type(v) == "table" and not tensor.is_tensor(v) and
     type(v[1]) == "number" then
    if type(v[2]) ~= "number" then fail("%s must be {x, y}", what) end
    local x, y = {}, {}
    for i = 1, n or 1 do x[i], y[i] = v[1], v[2] end
    return x, y
  end
  return xy_of(v, what)
end

-- plot.arrows(origins, vectors, path, opts): arrows from each origin
-- along its vector (matplotlib's quiver with scale 1), e.g. principal
-- components over the data (opts.points, coloured by opts.classes)
public("arrows", function(origins, vectors, path, opts)
  opts = fig_options(opts, "labels", "color", "arrow_width", "points",
                     "classes", "class_names", "size", "alpha",
                     "equal:boolean")
  local vx, vy = xy_of(vectors, "vectors")
  local ox, oy = pairs_of(origins, "origins", #vx)
  if #ox ~= #vx then
    fail("%d origins but %d vectors", #ox, #vx)
  end
  local labels = opts.labels
  if labels ~= nil and (type(labels) ~= "table" or #labels ~= #vx) then
    fail("option labels must be a list of %d names, one an arrow", #vx)
  end
  check_target(path)
  local panel = base_panel(opts)
  panel.equal = opts.equal ~= false
  if opts.points ~= nil then
    local px, py = xy_of(opts.points, "points")
    scatter_layers(px, py, {classes = opts.classes,
      class_names = opts.class_names, size = opts.size,
      alpha = opts.alpha or (opts.classes and 1 or 0.5), color = "gray"},
      panel)
  elseif opts.classes ~= nil then
    fail("classes colour the points: give points too")
  end
  local seg = {}
  for i = 1, #vx do
    seg[#seg + 1], seg[#seg + 2] = ox[i], oy[i]
    seg[#seg + 1], seg[#seg + 2] = ox[i] + vx[i], oy[i] + vy[i]
  end
  panel.arrows = {{seg = seg, color = color_of(opts.color or "red", 1),
                   width = opt_number(opts, "arrow_width", 2.2)}}
  if labels then
    local tx, ty, tt = {}, {}, {}
    for i = 1, #vx do
      -- a little beyond the tip, along the arrow
      tx[i], ty[i] = ox[i] + vx[i] * 1.12, oy[i] + vy[i] * 1.12
      tt[i] = tostring(labels[i])
    end
    panel.texts = {{x = tx, y = ty, text = tt, size = 13}}
  end
  return emit(path, panel, opts)
end)

---------------------------------------------------------------- scatter3d

local function fmt3(v)
  local s = ("%.3g"):format(v)
  return s == "-0" and "0" or s
end

-- plot.scatter3d(X, path, opts): (N, 3) points seen from a fixed
-- direction (elev, azim in degrees, matplotlib's 30 and -60), inside
-- their bounding box with the axes named and numbered at both ends
public("scatter3d", function(X, path, opts)
  opts = fig_options(opts, "zlabel", "elev", "azim", "classes",
                     "class_names", "values", "cmap", "vmin", "vmax",
                     "colorbar:boolean", "colorbar_label", "color", "size",
                     "alpha")
  if not tensor.is_tensor(X) or #X:shape() ~= 2 or X:shape()[2] ~= 3 then
    fail("X must be an (N, 3) tensor, got %s", describe(X))
  end
  local n = X:shape()[1]
  if n == 0 then fail("X is empty") end
  if opts.xlim ~= nil or opts.ylim ~= nil then
    fail("a 3-d view has no xlim or ylim: it always shows the whole box")
  end
  local c = {}
  for k = 1, 3 do c[k] = finite(X:select(2, k), ("X[:, %d]"):format(k)) end
  check_target(path)
  local lo, hi = {}, {}
  for k = 1, 3 do
    lo[k], hi[k] = min_max(c[k])
    if lo[k] == hi[k] then lo[k], hi[k] = lo[k] - 0.5, hi[k] + 0.5 end
  end
  local el = math.rad(opt_number(opts, "elev", 30))
  local az = math.rad(opt_number(opts, "azim", -60))
  local right = {-math.sin(az), math.cos(az), 0}
  local up = {-math.sin(el) * math.cos(az), -math.sin(el) * math.sin(az),
              math.cos(el)}
  local toward = {math.cos(el) * math.cos(az), math.cos(el) * math.sin(az),
                  math.sin(el)}
  local function dot(a, b) return a[1] * b[1] + a[2] * b[2] + a[3] * b[3] end
  local function unit(p)        -- data -> the box [-1, 1]^3
    local q = {}
    for k = 1, 3 do q[k] = 2 * (p[k] - lo[k]) / (hi[k] - lo[k]) - 1 end
    return q
  end
  -- points, far ones first so near ones cover them
  local order, depth, sx, sy = {}, {}, {}, {}
  for i = 1, n do
    local q = unit({c[1][i], c[2][i], c[3][i]})
    sx[i], sy[i], depth[i] = dot(q, right), dot(q, up), dot(q, toward)
    order[i] = i
  end
  table.sort(order, function(a, b) return depth[a] < depth[b] end)
  local panel = base_panel(opts)
  panel.equal, panel.noaxis, panel.grid = true, true, false
  local px, py = {}, {}
  for j, i in ipairs(order) do px[j], py[j] = sx[i], sy[i] end
  local popts = {classes = opts.classes, class_names = opts.class_names,
    values = opts.values, cmap = opts.cmap, vmin = opts.vmin,
    vmax = opts.vmax, colorbar = opts.colorbar,
    colorbar_label = opts.colorbar_label, color = opts.color,
    size = opts.size, alpha = opts.alpha}
  local function reorder(v, what)
    if v == nil then return nil end
    v = numbers(v, what)
    if #v ~= n then fail("%d points but %d %s", n, #v, what) end
    local out = {}
    for j, i in ipairs(order) do out[j] = v[i] end
    return out
  end
  popts.values = reorder(opts.values, "values")
  if opts.classes ~= nil then
    -- one layer of every point in depth order, coloured by class, and
    -- legend-only layers (no drawable point) naming the classes
    local names = class_name_list(opts.class_names)
    local ids, k = ids_of(opts.classes, "classes", n, names)
    local cols = {}
    for j, i in ipairs(order) do cols[j] = class_color(ids[i]) end
    panel.points = {{x = px, y = py, colors = cols,
      size = opt_number(opts, "size", 3.5),
      alpha = opt_number(opts, "alpha", 1)}}
    for cl = 0, k - 1 do
      panel.points[#panel.points + 1] = {x = {0 / 0}, y = {0 / 0},
        color = class_color(cl), label = class_label(cl, names)}
    end
  else
    scatter_layers(px, py, popts, panel)
  end
  -- the box: its 12 edges, the hidden ones dashed
  local corners = {}
  for a = -1, 1, 2 do for b = -1, 1, 2 do for d = -1, 1, 2 do
    corners[#corners + 1] = {a, b, d}
  end end end
  local far = 1                   -- the corner farthest from the viewer
  for i = 2, 8 do
    if dot(corners[i], toward) < dot(corners[far], toward) then far = i end
  end
  local front, back = {x = {}, y = {}}, {x = {}, y = {}}
  for i = 1, 8 do
    for j = i + 1, 8 do
      local a, b, diff = corners[i], corners[j], 0
      for k = 1, 3 do if a[k] ~= b[k] then diff = diff + 1 end end
      if diff == 1 then
        local s = (i == far or j == far) and back or front
        for _, p in ipairs {a, b} do
          s.x[#s.x + 1], s.y[#s.y + 1] = dot(p, right), dot(p, up)
        end
        s.x[#s.x + 1], s.y[#s.y + 1] = 0 / 0, 0 / 0
      end
    end
  end
  local series = {{x = front.x, y = front.y, color = "#b0b0b0"},
                  {x = back.x, y = back.y, color = "#d0d0d0", style = "--"}}
  panel.series = {}
  for i, s in ipairs(series) do panel.series[i] = one_series(s, i) end
  -- each axis along a bottom edge nearest the viewer (z: a side edge on
  -- the left), named at its middle, numbered at its ends
  local axis_names = {opt_string(opts, "xlabel") or "x",
                      opt_string(opts, "ylabel") or "y",
                      opt_string(opts, "zlabel") or "z"}
  panel.xlabel, panel.ylabel = nil, nil
  local near = {toward[1] >= 0 and 1 or -1, toward[2] >= 0 and 1 or -1}
  local edges = {{nil, near[2], -1}, {near[1], nil, -1}}
  local best, bx = nil, math.huge            -- z: the leftmost side edge
  for a = -1, 1, 2 do for b = -1, 1, 2 do
    local sxp = dot({a, b, 0}, right)
    if sxp < bx - 1e-9 then best, bx = {a, b, nil}, sxp end
  end end
  edges[3] = best
  local tx, ty, tt, lx, ly, lt = {}, {}, {}, {}, {}, {}
  for k = 1, 3 do
    local e = edges[k]
    local function at(v)
      local p = {e[1], e[2], e[3]}
      p[k] = v
      return dot(p, right), dot(p, up)
    end
    local mx, my = at(0)
    local len = math.sqrt(mx * mx + my * my)
    local ox, oy = mx / len * 0.22, my / len * 0.22     -- outward
    lx[k], ly[k], lt[k] = mx + ox * 1.6, my + oy * 1.6, axis_names[k]
    for _, v in ipairs {-1, 1} do
      local ex, ey = at(v * 0.8)     -- inside the corners two axes share
      tx[#tx + 1], ty[#ty + 1] = ex + ox * 0.7, ey + oy * 0.7
      tt[#tt + 1] = fmt3(v < 0 and lo[k] or hi[k])
    end
  end
  panel.texts = {{x = tx, y = ty, text = tt, size = 11, color = "#404040"},
                 {x = lx, y = ly, text = lt, size = 13}}
  return emit(path, panel, opts, 640, 560)
end)

---------------------------------------------------------------- pairplot

-- a column of numbers from a tensor or list
local function column_of(v, what)
  if tensor.is_tensor(v) then return finite(v, what) end
  if type(v) == "table" then return finite(v, what) end
  fail("%s must be numbers (a list or a 1-d tensor), got %s", what,
       describe(v))
end

-- hue values (ids, or names of the classes) -> 0-based ids and names
local function hue_ids(v, n)
  v = plain(v)
  if tensor.is_tensor(v) then v = numbers(v, "hue") end
  if type(v) ~= "table" or #v ~= n then
    fail("the hue column must hold %d values, got %s", n, describe(v))
  end
  if type(v[1]) ~= "string" then return v, nil end
  local ids, names, seen = {}, {}, {}
  for i = 1, n do
    local s = tostring(v[i])
    if not seen[s] then names[#names + 1] = s; seen[s] = #names - 1 end
    ids[i] = seen[s]
  end
  return ids, names
end

-- plot.pairplot(data, path, opts): every pair of features as a scatter
-- panel, each feature's histogram on the diagonal (seaborn's pairplot).
-- data: an (N, D) tensor (names in feature_names), or a table of
-- columns by name (a frame) with opts.columns the order and opts.hue
-- the name of the column that colours the points
public("pairplot", function(data, path, opts)
  opts = options(opts, typed("feature_names", "columns", "hue", "classes",
    "class_names", "bins", "title", "size", "panel_size"))
  local cols, names = {}, {}
  local n
  if tensor.is_tensor(data) then
    local s = data:shape()
    if #s ~= 2 or s[1] == 0 then
      fail("expected an (N, D) tensor or a table of columns, got %s",
           describe(data))
    end
    for k = 1, s[2] do
      cols[k] = finite(data:select(2, k), ("data[:, %d]"):format(k))
    end
    n = s[1]
    local fn = opts.feature_names
    if fn ~= nil and (type(fn) ~= "table" or #fn ~= s[2]) then
      fail("option feature_names must be a list of %d names", s[2])
    end
    for k = 1, s[2] do names[k] = fn and tostring(fn[k]) or ("x%d"):format(k) end
  elseif type(data) == "table" or type(data) == "userdata" then
    local order = opts.columns
    -- a data frame knows its column order: every column but the hue
    local okc, fcols = pcall(function() return data.columns end)
    if order == nil and okc and type(fcols) == "table" and #fcols > 0 then
      order = {}
      for _, c in ipairs(fcols) do if c ~= opts.hue then order[#order + 1] = c end end
    end
    if type(order) ~= "table" or #order == 0 then
      fail("a table of columns needs option columns = {names...}")
    end
    for k, name in ipairs(order) do
      local ok, v = pcall(function() return data[name] end)
      if not ok or v == nil then fail("no column '%s'", tostring(name)) end
      cols[k] = column_of(v, ("column %s"):format(tostring(name)))
      names[k] = tostring(name)
      n = n or #cols[k]
      if #cols[k] ~= n then
        fail("column %s has %d values, column %s has %d", names[k],
             #cols[k], names[1], n)
      end
    end
  else
    fail("expected an (N, D) tensor or a table of columns, got %s",
         describe(data))
  end
  local d = #cols
  if d > 8 then fail("%d features are too many for a pair plot (at most 8)", d) end
  local classes, cnames = opts.classes, opts.class_names
  if opts.hue ~= nil then
    if tensor.is_tensor(data) then fail("hue names a column of a table") end
    local ok, v = pcall(function() return data[opts.hue] end)
    if not ok or v == nil then
      fail("no hue column '%s'", tostring(opts.hue))
    end
    local hn
    classes, hn = hue_ids(v, n)
    cnames = cnames or hn
  end
  cnames = class_name_list(cnames)
  local ids, k
  if classes ~= nil then ids, k = ids_of(classes, "classes", n, cnames) end
  if is_figure(path) then
    fail("a pair plot is a figure of its own: give it a file name, not " ..
         "a figure from plot.subplots")
  end
  check_path(path)
  local side = opt_int(opts, "panel_size", d <= 3 and 260 or 200, 120, 600)
  local fig = setmetatable({panels = {}, cols = d,
    title = opt_string(opts, "title"), width = side, height = side}, Figure)
  local bins = opt_int(opts, "bins", 15, 1, 200)
  for r = 1, d do
    for c = 1, d do
      local panel = {xlabel = r == d and names[c] or nil,
                     ylabel = c == 1 and names[r] or nil, grid = true,
                     legend = r == 1 and c == d}
      if r == c then
        local lo, hi = min_max(cols[c])
        local e = bin_edges({bins = bins}, lo, hi)
        panel.bars = {}
        for cl = 0, (k or 1) - 1 do
          local sub = {}
          for i = 1, n do
            if not ids or ids[i] == cl then sub[#sub + 1] = cols[c][i] end
          end
          local cnt = bin_counts(sub, e)
          local rect = {}
          for b = 1, #cnt do
            rect[#rect + 1], rect[#rect + 2] = e[b], e[b + 1]
            rect[#rect + 1], rect[#rect + 2] = 0, cnt[b]
          end
          panel.bars[#panel.bars + 1] = {rect = rect,
            color = class_color(cl), alpha = ids and 0.55 or 1,
            label = ids and class_label(cl, cnames) or nil}
        end
        panel.integer_y = true
      else
        scatter_layers(cols[c], cols[r], {classes = ids,
          class_names = cnames, size = opt_number(opts, "size", 2.5)},
          panel)
        if ids then
          -- the legend sits on the top-right panel only
          if not panel.legend then
            for _, l in ipairs(panel.points) do l.label = nil end
          end
        end
      end
      if panel.bars and not panel.legend then
        for _, b in ipairs(panel.bars) do b.label = nil end
      end
      fig.panels[#fig.panels + 1] = panel
    end
  end
  draw(core.axes, path, {panels = fig.panels, title = fig.title,
       cols = d, width = side, height = side})
  return path
end)

------------------------------------------------------- decision regions

-- plot.decision_regions(model, X, y, path, opts): the classes model
-- predicts over a grid covering X's two features, X's points on top
-- coloured by y
public("decision_regions", function(model, X, y, path, opts)
  opts = fig_options(opts, "class_names", "resolution", "padding", "size",
                     "alpha", "lighten")
  local mt = type(model)
  if (mt ~= "table" and mt ~= "userdata") or model.predict == nil then
    fail("expected a fitted classifier with a predict method, got %s",
         describe(model))
  end
  local x1, x2 = xy_of(X, "X")
  local names = class_name_list(opts.class_names)
  local ids, k = ids_of(y, "y", #x1, names)
  check_target(path)
  local res = opt_int(opts, "resolution", 200, 10, 1000)
  local function span(v, lim)       -- xlim/ylim, else X's range padded
    if lim then return lim[1], lim[2] end
    local lo, hi = min_max(v)
    local pad = opt_number(opts, "padding", nil) or
                math.max((hi - lo) * 0.1, 1e-9)
    if hi == lo then pad = math.max(pad, 0.5) end
    return lo - pad, hi + pad
  end
  local ax, bx = span(x1, lim_opt(opts, "xlim"))
  local ay, by = span(x2, lim_opt(opts, "ylim"))
  local grid = {}
  for i = 1, res do
    local gy = ay + (by - ay) * (i - 1) / (res - 1)
    for j = 1, res do
      grid[#grid + 1] = {ax + (bx - ax) * (j - 1) / (res - 1), gy}
    end
  end
  local pred = model:predict(tensor.new(grid))
  local pids, pk = ids_of(pred, "predictions", res * res, nil)
  if names and pk > #names then
    fail("the model predicts class %d but class_names has %d names",
         pk - 1, #names)
  end
  k = math.max(k, pk)
  local rows = {}
  for i = 1, res do
    local row = {}
    for j = 1, res do row[j] = pids[(i - 1) * res + j] end
    rows[i] = row
  end
  local classes = {}
  for c = 0, k - 1 do classes[c + 1] = class_color(c) end
  local panel = base_panel(opts)
  panel.xlim, panel.ylim = nil, nil
  panel.raster = {v = tensor.new(rows), x0 = ax, x1 = bx, y0 = ay, y1 = by,
    smooth = true, classes = classes,
    lighten = opt_number(opts, "lighten", 0.65)}
  local popts = {classes = ids, class_names = names,
                 size = opt_number(opts, "size", 4),
                 alpha = opt_number(opts, "alpha", 1), edge = true}
  scatter_layers(x1, x2, popts, panel)
  return emit(path, panel, opts)
end)

---------------------------------------------------------------- subplots

-- plot.subplots{cols=, title=, width=, height=} -> a figure: pass it to
-- scatter, hist, bar, contour, decision_regions, line, arrows or
-- scatter3d in place of a path to add a panel, then fig:save(path)
public("subplots", function(opts)
  opts = options(opts, typed("cols", "title", "width", "height"))
  return setmetatable({panels = {}, cols = opt_int(opts, "cols", 2, 1, 16),
    title = opt_string(opts, "title"),
    width = opt_int(opts, "width", 480, 200, 4000),
    height = opt_int(opts, "height", 400, 200, 4000)}, Figure)
end)

Figure.save = wrapped("subplots", function(self, path, opts)
  if not is_figure(self) then
    fail("call fig:save(path), with a colon")
  end
  options(opts, {})
  check_path(path)
  if #self.panels == 0 then
    fail("the figure has no panels: pass it to plot.scatter and the " ..
         "others in place of a path first")
  end
  draw(core.axes, path, {panels = self.panels, title = self.title,
       cols = math.min(self.cols, #self.panels), width = self.width,
       height = self.height})
  return path
end)

---------------------------------------------------------------- surface

-- plot.surface(f | Z, path, {xlim, ylim, n, elev=30, azim=-60, cmap,
-- title, xlabel, ylabel, zlabel, path, width, height}): the 3-d surface
-- z = f(x, y) over an n x n grid (or a (rows, cols) tensor Z over xlim
-- x ylim), as matplotlib's plot_surface; path: points {x, y, z} (a list
-- or an (N, 3) tensor) drawn on top, e.g. gradient descent's steps on an
-- error surface. A whole figure (not a panel of plot.subplots).
public("surface", function(f, path, opts)
  opts = options(opts, typed("xlim", "ylim", "n", "elev", "azim", "cmap",
                             "title", "xlabel", "ylabel", "zlabel", "path",
                             "width", "height"))
  if opts.n == nil and type(f) == "function" then opts.n = 40 end
  local z, xl, yl = contour_grid(f, opts)
  check_path(path)
  local pts = opts.path
  if pts ~= nil then
    if type(pts) == "table" and not tensor.is_tensor(pts) then
      for i, p in ipairs(pts) do
        if type(p) ~= "table" or #p ~= 3 then
          fail("path point %d must be {x, y, z}, got %s", i, describe(p))
        end
      end
      pts = #pts > 0 and tensor.new(pts) or nil
    end
    if pts ~= nil and (not tensor.is_tensor(pts) or #pts:shape() ~= 2 or
                       pts:shape()[2] ~= 3) then
      fail("option path must be a list of {x, y, z} or an (N, 3) tensor, got %s",
           describe(opts.path))
    end
    if pts then finite(pts:contiguous():flatten(), "path") end
  end
  draw(require("plot_surface").save, path, {x0 = xl[1], x1 = xl[2],
    y0 = yl[1], y1 = yl[2], elev = opt_number(opts, "elev", 30),
    azim = opt_number(opts, "azim", -60), cmap = cmap_name(opts, "viridis"),
    title = opt_string(opts, "title"), xlabel = opt_string(opts, "xlabel"),
    ylabel = opt_string(opts, "ylabel"), zlabel = opt_string(opts, "zlabel"),
    path = pts, width = opt_int(opts, "width", 640, 200, 4000),
    height = opt_int(opts, "height", 520, 200, 4000), z = z})
  return path
end)

---------------------------------------------------------------- trees

-- plot.tree(model, path, opts) or plot.tree(model, {path=, ...}): a
-- fitted DecisionTreeClassifier / Regressor as sklearn.tree.plot_tree
-- draws it -- a box a node with its split, impurity, samples, value
-- (and class with class_names=), filled= colours the majority class (a
-- regressor: the value), max_depth= cuts deeper branches to "(...)";
-- feature_names=, impurity=, proportion=, precision=3, fontsize=12,
-- title=, yes="True", no="False" (the root's arrows).
public("tree", function(model, path, opts)
  if type(path) == "table" and opts == nil then opts, path = path, path.path end
  opts = options(opts, typed("path", "feature_names:table", "class_names",
                             "filled:boolean", "impurity:boolean",
                             "proportion:boolean", "precision:number",
                             "max_depth:number", "fontsize:number", "title",
                             "yes", "no", "width:number", "height:number"))
  check_path(path)
  local ml = require "ml"
  if type(model) ~= "table" or type(model.tree_) ~= "table" then
    fail("expected a fitted ml.DecisionTreeClassifier or DecisionTreeRegressor, got %s",
         describe(model))
  end
  local cn = opts.class_names
  if cn ~= nil and cn ~= true and type(cn) ~= "table" then
    fail("class_names must be a list of names or true, got %s", describe(cn))
  end
  local ok, texts = pcall(ml.tree_node_texts, model, {
    feature_names = opts.feature_names, class_names = cn,
    impurity = opts.impurity, proportion = opts.proportion,
    precision = opt_int(opts, "precision", 3, 0, 10)})
  if not ok then fail("%s", (tostring(texts):gsub("^[^\n]-:%d+: ml%.tree_node_texts: ", ""))) end
  local colors = opts.filled and ml.tree_node_colors(model) or nil
  local t = model.tree_
  local max_depth = opt_int(opts, "max_depth", 1000, 0, 1000)
  local nodes, leaf = {}, 0
  -- leaves side by side, a parent over the middle of its children
  local function place(id, depth, parent)
    local k = #nodes + 1
    nodes[k] = {depth = depth, parent = parent}
    local l, r = t.children_left[id + 1], t.children_right[id + 1]
    if depth > max_depth then
      nodes[k].text, nodes[k].x = "(...)", leaf
      leaf = leaf + 1
      return nodes[k].x
    end
    nodes[k].text = texts[id + 1]
    nodes[k].fill = colors and colors[id + 1] or nil
    if l == -1 then
      nodes[k].x = leaf
      leaf = leaf + 1
    else
      local a = place(l, depth + 1, k)
      local b = place(r, depth + 1, k)
      nodes[k].x = (a + b) / 2
    end
    return nodes[k].x
  end
  place(0, 0, 0)
  draw(core.tree, path, {nodes = nodes, title = opt_string(opts, "title"),
                         yes = opts.yes or "True", no = opts.no or "False",
                         font = opts.fontsize, width = opts.width, height = opts.height})
  return path
end)

-- plot.feature_importances(model, path, opts): model.feature_importances_
-- (or a list of numbers) as bars, largest first; feature_names=, top=
-- (how many, at most 32), title= (Korean by default), color=, values=
public("feature_importances", function(model, path, opts)
  opts = options(opts, typed("feature_names:table", "top:number", "title", "color",
                             "values:boolean", "decimals:number", "xlabel", "ylabel",
                             "width:number", "height:number"))
  local imp = model
  if type(model) == "table" and model.feature_importances_ ~= nil then
    imp = model.feature_importances_
  end
  imp = numbers(imp, "feature_importances_")
  local names = opts.feature_names
  if names and #names ~= #imp then
    fail("feature_names has %d names for %d importances", #names, #imp)
  end
  local order = range(#imp)
  table.sort(order, function(a, b)
    if imp[a] ~= imp[b] then return imp[a] > imp[b] end
    return a < b
  end)
  local top = opt_int(opts, "top", math.min(#imp, 20), 1, 32)
  local xs, hs = {}, {}
  for i = 1, math.min(top, #imp) do
    local j = order[i]
    xs[i] = names and tostring(names[j]) or ("x[" .. (j - 1) .. "]")
    hs[i] = imp[j]
  end
  return M.bar(xs, hs, path, {title = opts.title or "특성 중요도 (feature importance)",
                              xlabel = opts.xlabel or "특성 (feature)",
                              ylabel = opts.ylabel or "중요도 (importance)",
                              color = opts.color, values = opts.values,
                              decimals = opts.decimals or 3,
                              width = opts.width, height = opts.height,
                              caption = opts.caption, label = opts.label})
end)

M.font = core.font    -- the font family the figures use

return M
