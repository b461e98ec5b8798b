-- plot.lua - the `plot` module: the figures of the course's Keras labs
-- as PNG files, drawn with cairo by plot.core (runtime/lplot.c).
--
--   plot.history(hist, path, {title=, width=, height=})
--       what model:fit returns (or its .history): one panel a metric
--       (loss first, then accuracy, then the rest), train and val_ lines
--       over epochs 1..n
--   plot.image_grid(images, path, {labels=, class_names=, cols=5, rows=5,
--                   title=, cmap="gray"|"binary", normalize=, box=})
--       the first cols*rows of an (N,H,W), (N,H,W,1) or (N,H,W,3) tensor
--       or of a list of (H,W[,C]) tensors, values 0..1 (normalize: each
--       image's min..max); labels: 0-based class ids (tensor or table)
--       named by class_names[id + 1], or strings
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
--       series: {{x=, y=, label=, color=, marker="o"|"s"|"^",
--       style="-"|"--"}, ...} (x defaults to 1..#y)
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

local function public(name, f)
  M[name] = function(...)
    local outer = current
    current = "plot." .. name
    local r = table.pack(pcall(f, ...))
    current = outer
    if r[1] then return table.unpack(r, 2, r.n) end
    if getmetatable(r[2]) == Failure then
      script_error("plot.%s: %s", name, r[2].msg)
    end
    error(r[2], 0)
  end
end

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
  if not ok then
    fail("%s", (tostring(e):gsub("^[^\n]-:%d+: ", "", 1)))
  end
end

---------------------------------------------------------------- options

-- the one options checker, naming the public function running
local function options(opts, known)
  return check(current, opts, known)
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

-- a list of numbers from a table or a 1-d (or (N,1)) tensor
local function numbers(v, what)
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

local function history_panel(base, lists, n)
  local x, mark = range(n), n <= 30
  local train, val = lists[base], lists["val_" .. base]
  local series = {}
  if train then
    series[#series + 1] = {x = x, y = train, label = "train",
                           color = "#1f77b4", marker = mark and "o" or nil}
  end
  if val then
    series[#series + 1] = {x = x, y = val, label = "validation",
                           color = "#ff7f0e", marker = mark and "s" or nil}
  end
  return {title = base, xlabel = "epoch", ylabel = base, integer_x = true,
          series = series}
end

public("history", function(hist, path, opts)
  opts = options(opts, set("title", "width", "height"))
  local lists, n = history_table(hist)
  check_path(path)
  local bases, seen = {}, {}
  for k in pairs(lists) do
    local b = k:match("^val_(.+)$") or k
    if not seen[b] then seen[b] = true; bases[#bases + 1] = b end
  end
  table.sort(bases, metric_order)
  local panels = {}
  for i, b in ipairs(bases) do panels[i] = history_panel(b, lists, n) end
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

public("image_grid", function(images, path, opts)
  opts = options(opts, typed("labels", "class_names", "cols", "rows", "title",
                             "normalize:boolean", "cmap", "box"))
  local cols = opt_int(opts, "cols", 5, 1, 100)
  local rows = opt_int(opts, "rows", 5, 1, 100)
  local list, total = image_list(images, cols * rows)
  local caps = captions(opts.labels, opts.class_names, total, #list)
  check_path(path)
  draw(core.images, path, {images = list, captions = caps,
       cols = math.min(cols, #list), title = opt_string(opts, "title"),
       box = opt_int(opts, "box", auto_box(list, 140), 8, 1024),
       normalize = opts.normalize and true or false,
       cmap = cmap_opt(opts)})
  return path
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
  opts = options(opts, set("class_names", "normalize", "title", "cell"))
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
       xlabel = "Predicted label", ylabel = "True label",
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
  if m ~= nil and m ~= "o" and m ~= "s" and m ~= "^" and m ~= "" then
    fail("series %d: marker must be \"o\", \"s\" or \"^\", got %s", i,
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

M.font = core.font    -- the font family the figures use

return M
