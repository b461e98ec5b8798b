-- plot_ml.lua - the machine-learning figures: scatter, hist, bar,
-- heatmap, contour, decision_regions and subplots each write a PNG of
-- the expected size whose pixels show what was drawn (class colours,
-- colour-map ends, not a blank page); bad input is an error at this
-- script's line. Files go to a temporary folder, removed at the end.
local t = require "tap"
local T = require "tensor"
local plot = require "plot"
local image = require "image"

local F = require("helpers.figures")(t, "plotml")
local dir, path, png_size, is_png = F.dir, F.path, F.png_size, F.is_png
local count_color = F.count_color

-- a figure with real content: many distinct grey levels, not all white
local function not_blank(img, name)
  local g = img:mean(3)
  local white = g:gt(0.99):sum() / (g:shape()[1] * g:shape()[2])
  local r = t.ok(white < 0.97 and g:max() - g:min() > 0.5, name)
  if not r then t.diag(("white fraction %.3f"):format(white)) end
  return r
end

local TAB = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"}

-- three clusters in two features, class ids 0..2
T.seed(11)
local N = 90
local X = T.randn(N, 2)
local y = {}
for i = 1, N do
  y[i] = (i - 1) % 3
  X:set(i, 1, X:get(i, 1) + 3 * y[i])
end
local names = {"setosa", "versicolor", "virginica"}

-- scatter -------------------------------------------------------------
local p = path("scatter_class.png")
t.is(plot.scatter(X, p, {classes = y, class_names = names,
  title = "붓꽃 산점도", xlabel = "꽃잎 길이", ylabel = "꽃잎 너비"}), p,
  "scatter returns the path")
is_png(p, "scatter: 640x480 by default", 640, 480)
local img = image.load(p)
not_blank(img, "scatter is not blank")
for k = 1, 3 do
  t.ok(count_color(img, TAB[k]) > 40, ("class %d drawn in tab10 colour %d")
       :format(k - 1, k))
end
t.ok(count_color(img, TAB[4]) == 0, "no fourth class colour")

p = path("scatter_xy.png")
local v = {}
for i = 1, N do v[i] = X:get(i, 1) end
plot.scatter(X:select(2, 1), X:select(2, 2), p, {values = v,
  colorbar_label = "x", width = 500, height = 400})
is_png(p, "scatter(x, y) by value, 500x400", 500, 400)
img = image.load(p)
t.ok(count_color(img, "#440154", 0.06) > 20, "viridis's dark end appears")
t.ok(count_color(img, "#fde725", 0.06) > 20, "viridis's yellow end appears")

p = path("scatter_centroids.png")
local C = T{{0, 0}, {3, 0}, {6, 0}}
plot.scatter(X, p, {classes = y, overlay = {{X = C, marker = "x",
  size = 9, label = "centroids"}}})
img = image.load(p)
t.ok(count_color(img, "#000000", 0.05) > 60, "centroids as black x's")
plot.scatter(X, path("scatter_markers.png"), {marker = "D", overlay = {
  {x = {0, 3}, y = {1, 1}, marker = "+", color = "red"}}})
t.ok(png_size(dir .. "/scatter_markers.png"), "diamonds and pluses")

p = path("scatter_fit.png")
plot.scatter({1, 2, 3, 4}, {1.1, 1.9, 3.2, 3.9}, p, {lines = {x = {0, 5},
  y = {0, 5}, label = "y = x"}, label = "data"})
img = image.load(p)
t.ok(count_color(img, TAB[4], 0.03) > 300, "a fitted line drawn in red")

p = path("scatter_plain.png")
plot.scatter({1, 2, 3}, {3, 1, 2}, p, {color = "red", size = 6})
t.ok(count_color(image.load(p), "#d62728") > 50, "one colour, as asked")

-- hist ----------------------------------------------------------------
p = path("hist.png")
local data = {0, 0.5, 1, 1, 1.5, 2, 2, 2, 3, 4}
local rp, counts, edges = plot.hist(data, p, {bins = 4, title = "히스토그램",
                                    xlabel = "값"})
t.is(rp, p, "hist returns the path first")
t.allclose(counts, {2, 3, 3, 2}, 0, "counts per bin, the last bin closed")
t.allclose(edges, {0, 1, 2, 3, 4}, 1e-6, "4 equal bins over the range")
is_png(p, "hist: 640x480", 640, 480)
img = image.load(p)
not_blank(img, "hist is not blank")
t.ok(count_color(img, TAB[1]) > 5000, "bars in the first colour")
local _, dens = plot.hist(data, path("hist_d.png"), {bins = 4,
                          density = true})
t.near(dens:sum(), 1, 1e-6, "density: the bars' area is 1 (unit bins)")
local _, two = plot.hist({T.randn(200), T.randn(200) + 3}, path("hist2.png"),
                         {bins = {-4, -2, 0, 2, 4, 6, 8}, labels = {"A", "B"}})
t.is(#two, 2, "two data sets: two count tensors")
t.is(two[1]:sum() + two[2]:sum() <= 400, true, "counts within the data")

-- frame Series as data ------------------------------------------------
-- a column of read_csv with empty cells (NaN) goes straight to hist, the
-- NaNs left out as pandas/matplotlib do; numbers from
-- tests/fixtures/make_plot_fixtures.py (dropna, then np.histogram)
local frame = require "frame"
local FIXP = (arg[0]:match("(.*/)") or "./") .. "../fixtures/plot/"
local NA = dofile(FIXP .. "hist_na.lua")
local df = frame.read_csv(FIXP .. "hist_na.csv")
local ok, sc, se = pcall(function()
  local _, c, e = plot.hist(df.a, path("hist_series.png"), {bins = 8})
  return c, e
end)
t.ok(ok, "hist takes a frame Series with missing values")
if not ok then t.diag(tostring(sc)) end
if ok then
  t.allclose(sc, NA.a.counts, 0, "Series hist: numpy's counts, NaN dropped")
  t.allclose(se, NA.a.edges, 1e-9, "Series hist: numpy's edges")
  t.is(sc:sum(), NA.a.n, "the three missing values are not counted")
end
ok, sc = pcall(function()
  local _, c = plot.hist(df.b, path("hist_series_d.png"), {bins = 8,
                         density = true})
  return c
end)
t.ok(ok and T.is_tensor(sc), "density hist of a Series")
if ok then
  t.allclose(sc, NA.b.density, 1e-9, "Series density: numpy's, over present values")
end
ok, sc = pcall(function()
  local _, c = plot.hist({df.a, df.b}, path("hist_series2.png"),
                         {labels = {"a", "b"}})
  return c
end)
t.ok(ok and #sc == 2, "a list of two Series: two histograms")
local plain_a = {}
for _, v in ipairs(df.a:tolist()) do if v == v then plain_a[#plain_a + 1] = v end end
local _, lc = plot.hist(plain_a, path("hist_list.png"), {bins = 8})
t.allclose(lc, NA.a.counts, 0, "the same values as a Lua list agree")
local _, nc = plot.hist({1, 0 / 0, 2, 3}, path("hist_nan.png"), {bins = 3})
t.allclose(nc, {1, 1, 1}, 0, "NaN in a Lua list is left out too")
t.raises(function() plot.hist({0 / 0, 0 / 0}, path("never_h.png")) end,
         "data holds only missing values", "all missing")
t.raises(function() plot.hist({1, math.huge}, path("never_h.png")) end,
         "data%[2%] is inf: values must be finite", "infinity is still an error")
-- the other functions that take data accept Series too
local days = frame.DataFrame({kind = {"sun", "rain", "fog"},
                              n = {5, 3, 1}})
ok, sc = pcall(plot.bar, days.kind, days.n, path("bar_series.png"))
t.ok(ok, "bar takes Series for names and heights")
if not ok then t.diag(tostring(sc)) end
ok, sc = pcall(plot.line, df.b:fillna(0), df.a:fillna(0), path("line_series.png"))
t.ok(ok, "line takes Series for x and y")
if not ok then t.diag(tostring(sc)) end
local full = df:dropna()
ok, sc = pcall(plot.scatter, full.a, full.b, path("scatter_series.png"),
               {values = full.a})
t.ok(ok, "scatter takes Series for x, y and values")
ok, sc = pcall(plot.heatmap, full:corr(), path("heatmap_frame.png"))
t.ok(ok, "heatmap takes a frame (df:corr()), names from its columns")
if not ok then t.diag(tostring(sc)) end

-- colour-bar label clear of the bar's numbers ---------------------------
-- the same figure with the label and with a blank label (which keeps the
-- layout): the pixels that differ are the label's; no column they touch
-- holds ink in the blank-label figure (the numbers, the bar), and they
-- lie inside the image. In a panel of subplots and in a whole figure.
local function cb_label_figure(label, name, panel)
  local q = path(name)
  local cx, cy, cv = {}, {}, {}
  for i = 1, 150 do
    cx[i], cy[i], cv[i] = math.sin(i) * 10, math.cos(i * 1.3) * 5, 3000 + i * 15
  end
  local o = {values = cv, colorbar_label = label, title = "값으로 색칠"}
  if panel then
    local f = plot.subplots{cols = 2, width = 500, height = 420}
    plot.scatter(cx, cy, f, {title = "왼쪽"})
    plot.scatter(cx, cy, f, o)
    f:save(q)
  else
    plot.scatter(cx, cy, q, o)
  end
  return image.load(q)
end
for _, case in ipairs {{"subplots panel", true}, {"whole figure", false}} do
  local tag = case[2] and "panel" or "whole"
  local la = cb_label_figure("부리 길이 (mm)", "cb_" .. tag .. "_label.png", case[2])
  local lb = cb_label_figure(" ", "cb_" .. tag .. "_blank.png", case[2])
  local label_cols = (la - lb):abs():max(3):gt(0.1):sum(1):gt(0)
  local ink_cols = lb:min(3):lt(0.9):sum(1):gt(0)
  local w = label_cols:shape()[1]
  t.ok(label_cols:sum() >= 10, case[1] .. ": the label is drawn")
  local clash = (label_cols * ink_cols):sum()
  t.is(clash, 0, case[1] .. ": the label shares no column with the colour bar's numbers")
  t.is(label_cols:get(w) + label_cols:get(w - 1), 0,
       case[1] .. ": the label ends inside the figure")
end

-- bar -----------------------------------------------------------------
p = path("bar.png")
t.is(plot.bar({"사과", "배", "포도"}, {3, 5, 2}, p, {values = true,
  title = "판매량", ylabel = "개수"}), p, "bar returns the path")
is_png(p, "bar: 640x480", 640, 480)
img = image.load(p)
not_blank(img, "bar is not blank")
t.ok(count_color(img, TAB[1]) > 10000, "bars drawn")
p = path("bar_groups.png")
plot.bar({1, 2, 3, 4}, {{3, 5, 2, 7}, {4, 1, 6, 3}}, p,
         {labels = {"2023", "2024"}})
local long = {}
for i = 1, 13 do long[i] = ("a_long_feature_name_%d"):format(i) end
plot.bar(long, T.rand(13), path("bar_slant.png"), {xlabel = "특성"})
t.ok(png_size(dir .. "/bar_slant.png"), "13 long category names slant")
img = image.load(p)
t.ok(count_color(img, TAB[1]) > 3000 and count_color(img, TAB[2]) > 3000,
     "grouped bars in two colours")

-- heatmap -------------------------------------------------------------
p = path("corr.png")
local corr = T{{1, 0.8, -0.4}, {0.8, 1, -0.6}, {-0.4, -0.6, 1}}
t.is(plot.heatmap(corr, p, {labels = {"a", "b", "c"}, cmap = "coolwarm",
  vmin = -1, vmax = 1, title = "상관 행렬"}), p, "heatmap returns the path")
local w, h = png_size(p)
t.ok(w and w > 200 and w < 700 and h > 200 and h < 700,
     "heatmap size fits its cells")
img = image.load(p)
not_blank(img, "heatmap is not blank")
t.ok(count_color(img, "#b40426", 0.04) > 1000, "1.0 cells in coolwarm red")
plot.heatmap({{1, 2}, {3, 4}}, path("heat_rows.png"), {annotate = false,
  row_labels = {"r1", "r2"}, col_labels = {"c1", "c2"}})
t.ok(png_size(dir .. "/heat_rows.png"), "a table of rows, no numbers")

-- contour -------------------------------------------------------------
local steps = {x = {}, y = {}}
local a, b = -1.8, 1.6
for i = 1, 12 do
  steps.x[i], steps.y[i] = a, b
  a, b = a - 0.1 * 2 * a, b - 0.1 * 10 * b
end
p = path("contour.png")
t.is(plot.contour(function(x, yy) return x * x + 5 * yy * yy end, p,
  {xlim = {-2, 2}, ylim = {-2, 2}, paths = {steps}, title = "경사 하강법",
   xlabel = "w₁", ylabel = "w₂"}), p, "contour returns the path")
is_png(p, "contour: 640x520", 640, 520)
img = image.load(p)
not_blank(img, "contour is not blank")
t.ok(count_color(img, "#440154", 0.03) > 2000, "the lowest band is dark")
t.ok(count_color(img, TAB[4], 0.05) > 30, "the path is drawn in red")
p = path("contour_lines.png")
plot.contour(T{{0, 1, 2}, {1, 2, 3}, {2, 3, 4}}, p, {filled = false,
  levels = {1, 2, 3}, xlim = {0, 1}, ylim = {0, 1}})
img = image.load(p)
t.ok(count_color(img, "#ffffff", 0.01) > 100000, "lines only: white ground")
not_blank(img, "contour lines drawn")

-- decision regions ------------------------------------------------------
-- a linear rule on the first feature, as a fitted classifier would give
local rule = {predict = function(self, G)
  local out = {}
  for i = 1, G:shape()[1] do
    local x = G:get(i, 1)
    out[i] = x < 1.5 and 0 or (x < 4.5 and 1 or 2)
  end
  return T(out)
end}
p = path("regions.png")
t.is(plot.decision_regions(rule, X, T(y), p, {class_names = names,
  title = "결정 경계"}), p, "decision_regions returns the path")
is_png(p, "decision regions: 640x480", 640, 480)
img = image.load(p)
not_blank(img, "decision regions are not blank")
local function light(hex)        -- a tab10 colour lightened as the regions
  local r, g, bb = hex:match("#(%x%x)(%x%x)(%x%x)")
  local function l(c) return tonumber(c, 16) / 255 * 0.35 + 0.65 end
  return ("#%02x%02x%02x"):format(math.floor(l(r) * 255 + 0.5),
    math.floor(l(g) * 255 + 0.5), math.floor(l(bb) * 255 + 0.5))
end
for k = 1, 3 do
  t.ok(count_color(img, light(TAB[k]), 0.02) > 5000,
       ("region of class %d in light tab10 colour %d"):format(k - 1, k))
  t.ok(count_color(img, TAB[k], 0.03) > 40,
       ("points of class %d on top"):format(k - 1))
end
local table_model = {predict = function(self, G)
  local out = {}
  for i = 1, G:shape()[1] do out[i] = G:get(i, 2) > 0 and 1 or 0 end
  return out
end}
plot.decision_regions(table_model, X, y, path("regions_t.png"),
                      {resolution = 50})
t.ok(png_size(dir .. "/regions_t.png"), "predict may return a Lua list")
local seen_lo, seen_hi = math.huge, -math.huge
local spy = {predict = function(self, G)
  for i = 1, G:shape()[1] do
    seen_lo = math.min(seen_lo, G:get(i, 1))
    seen_hi = math.max(seen_hi, G:get(i, 1))
  end
  return T.zeros(G:shape()[1])
end}
plot.decision_regions(spy, X, y, path("regions_lim.png"),
                      {resolution = 20, xlim = {-10, 10}})
t.ok(math.abs(seen_lo + 10) < 1e-5 and math.abs(seen_hi - 10) < 1e-5,
     "xlim sets the grid's x range")

-- subplots ------------------------------------------------------------
local fig = plot.subplots{cols = 2, title = "네 그림", width = 400,
                          height = 300}
t.is(plot.scatter(X, fig, {classes = y}), fig, "a panel added to a figure")
plot.hist(v, fig)
plot.bar({"a", "b"}, {1, 2}, fig)
plot.decision_regions(rule, X, y, fig, {resolution = 60})
p = path("subplots.png")
t.is(fig:save(p), p, "fig:save returns the path")
is_png(p, "2x2 panels of 400x300 under a title", 800, 600 + 44)
not_blank(image.load(p), "subplots are not blank")

-- line, arrows, scatter3d -------------------------------------------------
p = path("line.png")
local sx, sa, sb = {}, {}, {}
for i = 1, 20 do sx[i] = i; sa[i] = math.sin(i / 3); sb[i] = math.cos(i / 3) end
t.is(plot.line(sx, {sa, sb}, p, {labels = {"sin", "cos"}, marker = true,
  title = "선 그래프"}), p, "line returns the path")
is_png(p, "line: 640x480", 640, 480)
img = image.load(p)
t.ok(count_color(img, TAB[1]) > 500 and count_color(img, TAB[2]) > 500,
     "two series in two colours")
plot.line(nil, T.randn(10, 3), path("line_cols.png"), {marker = "s"})
t.ok(png_size(dir .. "/line_cols.png"), "an (N, K) tensor: K series")

p = path("arrows.png")
t.is(plot.arrows({0, 0}, T{{1, 0.8}, {-0.2, 0.3}}, p, {points = X,
  classes = y, labels = {"PC1", "PC2"}, title = "주성분"}), p,
  "arrows returns the path")
img = image.load(p)
t.ok(count_color(img, TAB[4], 0.03) > 100, "arrows in red")
t.ok(count_color(img, TAB[1], 0.03) > 30, "points behind them by class")

local R = T.randn(300, 3)
local rv = {}
for i = 1, 300 do rv[i] = R:get(i, 3) end
p = path("scatter3d.png")
t.is(plot.scatter3d(R, p, {values = rv, title = "3차원", zlabel = "높이"}),
     p, "scatter3d returns the path")
is_png(p, "scatter3d: 640x560", 640, 560)
img = image.load(p)
not_blank(img, "scatter3d is not blank")
t.ok(count_color(img, "#440154", 0.08) > 20 and
     count_color(img, "#fde725", 0.08) > 20, "coloured by value")
local ry = {}
for i = 1, 300 do ry[i] = R:get(i, 1) > 0 and 1 or 0 end
p = path("scatter3d_c.png")
plot.scatter3d(R, p, {classes = ry, class_names = {"음", "양"}, elev = 10,
                      azim = 45})
img = image.load(p)
t.ok(count_color(img, TAB[1]) > 200 and count_color(img, TAB[2]) > 200,
     "coloured by class, another view")

fig = plot.subplots{cols = 3, width = 300, height = 260}
plot.lines({{y = {1, 2, 3}}}, fig)
plot.line(nil, {3, 2, 1}, fig)
plot.scatter3d(R, fig)
p = path("subplots_row.png")
fig:save(p)
is_png(p, "three panels in a row, no title", 900, 260)

-- pairplot ------------------------------------------------------------
p = path("pairplot.png")
local X3 = T.randn(60, 3)
local y3 = {}
for i = 1, 60 do y3[i] = i % 2 end
t.is(plot.pairplot(X3, p, {classes = y3, class_names = {"a", "b"},
  feature_names = {"길이", "너비", "높이"}, title = "pairplot"}), p,
  "pairplot returns the path")
is_png(p, "3x3 panels of 260 under a title", 780, 780 + 44)
img = image.load(p)
t.ok(count_color(img, TAB[1]) > 100 and count_color(img, TAB[2]) > 100,
     "both classes drawn")
p = path("pairplot_cols.png")
plot.pairplot({a = {1, 2, 3, 4}, b = T{2, 1, 4, 3}, kind = {"x", "y", "x", "y"}},
              p, {columns = {"a", "b"}, hue = "kind"})
is_png(p, "a table of columns, hue by a column of names", 520, 520)
-- a data frame: its own column order, every column but the hue
p = path("pairplot_frame.png")
local df = require("frame").DataFrame({a = {1, 2, 3, 4}, b = {2, 1, 4, 3}, kind = {"x", "y", "x", "y"}},
                                      {columns = {"a", "b", "kind"}})
plot.pairplot(df, p, {hue = "kind"})
is_png(p, "a data frame, columns in the frame's order", 520, 520)

-- bad input -------------------------------------------------------------
local me = debug.getinfo(1, "S").short_src:gsub("%p", "%%%0")
local raises = t.raises
function t.raises(f, pattern, name)
  return raises(f, "^" .. me .. ":%d+: .-" .. pattern, name)
end
local good = path("never.png")
t.raises(function() plot.scatter(X, good, {classes = y, colour = "red"}) end,
         "plot.scatter: unknown option 'colour' %(did you mean 'color'%?%)",
         "misspelt scatter option")
t.raises(function() plot.scatter(T.randn(5, 3), good) end,
         "X must be an %(N, 2%) tensor, got a 2%-d tensor %(5, 3%)",
         "three features")
t.raises(function() plot.scatter({1, 2}, {1}, good) end,
         "x has 2 values but y has 1", "x and y lengths")
-- a missing value (NaN) drops its point, as matplotlib does, with its
-- class; the caller's options table is left alone
do
  local o = {classes = {0, 1, 1}}
  t.ok(pcall(plot.scatter, {1, 0 / 0, 3}, {1, 2, 3}, path("nan_dropped.png"), o),
       "NaN in x: the point is dropped")
  t.is(#o.classes, 3, "the caller's classes list is unchanged")
  t.ok(pcall(plot.scatter, T{{1, 2}, {3, 0 / 0}, {2, 2}}, path("nan_dropped2.png")),
       "NaN in an (N, 2) X: dropped")
end
t.raises(function() plot.scatter({0 / 0, 0 / 0}, {1, 2}, good) end,
         "every point has a missing value %(NaN%) in x or y", "all NaN")
t.raises(function() plot.scatter({1, 0 / 0, 3}, {1, 2, 3}, good, {values = {1, 2}}) end,
         "3 points but 2 values", "values shorter than the points, with a NaN")
t.raises(function() plot.scatter({1, 2}, {1, math.huge}, good) end,
         "y%[2%] is inf", "infinity")
t.raises(function() plot.scatter(X, good, {classes = {0, 1}}) end,
         "90 points but 2 classes", "too few classes")
t.raises(function() plot.scatter(X, good, {classes = y, class_names = {"a"}}) end,
         "label 1 out of range 0..0", "class beyond the names")
t.raises(function() plot.scatter(X, good, {classes = y, values = v}) end,
         "not both", "classes and values")
t.raises(function() plot.scatter(X, good, {overlay = {{X = C, colr = 1}}}) end,
         "overlay%[1%]: unknown option 'colr' %(did you mean 'color'%?%)",
         "misspelt overlay field")
t.raises(function() plot.scatter(X, good, {lines = {{x = {1}, y = {1, 2}}}}) end,
         "series 1: x has 1 values but y has 2", "a line of mismatched lengths")
t.raises(function() plot.scatter(X, good, {marker = "*"}) end,
         "option marker must be one of", "unknown marker")
t.raises(function() plot.scatter(X, good, {values = v, cmap = "jet"}) end,
         "option cmap must be", "unknown colour map")
t.raises(function() plot.hist({}, good) end, "expected numbers", "no data")
t.raises(function() plot.hist({1, 2}, good, {bins = 0}) end,
         "option bins must be in 1..1000, got 0", "no bins")
t.raises(function() plot.hist({1, 2}, good, {bins = {0, 2, 1}}) end,
         "bins must increase", "edges out of order")
t.raises(function() plot.hist({1, 2}, good, {bnis = 3}) end,
         "did you mean 'bins'", "misspelt hist option")
t.raises(function() plot.bar({"a", "b"}, {1}, good) end,
         "2 bars but 1 heights", "heights count")
t.raises(function() plot.bar({"a"}, {1}, good, {labels = {"x", "y"}}) end,
         "labels must be a list of 1 names", "labels count")
t.raises(function() plot.heatmap(T.randn(3), good) end,
         "matrix must be a 2%-d tensor or a table of rows", "1-d matrix")
t.raises(function() plot.heatmap({{1, 2}, {3}}, good) end,
         "matrix%[2%] has 1 values but row 1 has 2", "ragged rows")
t.raises(function() plot.heatmap(corr, good, {labels = {"a", "b"}}) end,
         "option labels must be a list of 3 names", "labels count")
t.raises(function() plot.heatmap(corr, good, {vmin = 1, vmax = 0}) end,
         "vmin 1 must be below vmax 0", "reversed range")
t.raises(function() plot.contour(function(x) return x end, good) end,
         "a function needs options xlim", "no limits")
t.raises(function()
  plot.contour(function() return 0 / 0 end, good, {xlim = {0, 1},
               ylim = {0, 1}})
end, "f%(0, 0%) returned .-nan.-: expected a finite number", "f gives NaN")
t.raises(function() plot.contour(corr, good, {levles = 3}) end,
         "did you mean 'levels'", "misspelt contour option")
t.raises(function()
  plot.contour(corr, good, {filled = false, lines = false})
end, "filled and lines are both false", "nothing to draw")
t.raises(function() plot.decision_regions({}, X, y, good) end,
         "expected a fitted classifier with a predict method", "no predict")
t.raises(function() plot.decision_regions(rule, T.randn(4, 3), y, good) end,
         "X must be an %(N, 2%) tensor", "three features")
t.raises(function() plot.decision_regions(rule, X, {0, 1}, good) end,
         "90 points but 2 y", "y count")
t.raises(function()
  plot.decision_regions(rule, X, y, good, {class_names = {"a", "b"}})
end, "label 2 out of range 0..1", "y beyond the names")
t.raises(function()
  plot.decision_regions({predict = function() return {-1} end}, X, y, good,
                        {resolution = 10})
end, "100 points but 1 predictions", "predict returns too few")
t.raises(function() plot.subplots{cols = 0} end,
         "option cols must be in 1..16", "no columns")
t.raises(function() plot.subplots{}:save(good) end,
         "the figure has no panels", "an empty figure")
t.raises(function() local f = plot.subplots{}; f.save(good) end,
         "fig:save%(path%), with a colon", "save called with a dot")
t.raises(function() plot.line({1, 2}, {1, 2, 3}, good) end,
         "x has 2 values but y has 3", "line lengths")
t.raises(function() plot.line(nil, {{1}, {2}}, good, {labels = {"a"}}) end,
         "labels must be a list of 2 names", "line labels")
t.raises(function() plot.line(nil, {1, 2}, good, {marker = "*"}) end,
         "option marker must be true", "line marker")
t.raises(function() plot.arrows({0, 0}, T.randn(2, 3), good) end,
         "vectors must be an %(N, 2%) tensor", "3-d vectors")
t.raises(function() plot.arrows(T.zeros(3, 2), T.ones(2, 2), good) end,
         "3 origins but 2 vectors", "origins count")
t.raises(function() plot.arrows({0, 0}, T.ones(1, 2), good, {classes = y}) end,
         "give points too", "classes without points")
t.raises(function() plot.scatter3d(T.randn(5, 2), good) end,
         "X must be an %(N, 3%) tensor, got a 2%-d tensor %(5, 2%)",
         "two columns")
t.raises(function() plot.scatter3d(R, good, {classes = {1}}) end,
         "300 points but 1 classes", "classes count")
t.raises(function() plot.scatter3d(R, good, {xlim = {0, 1}}) end,
         "a 3%-d view has no xlim or ylim", "limits on a 3-d view")
t.raises(function() plot.scatter3d(R, good, {elv = 3}) end,
         "did you mean 'elev'", "misspelt scatter3d option")
t.raises(function() plot.pairplot({a = {1, 2}}, good) end,
         "needs option columns", "columns missing")
t.raises(function() plot.pairplot({a = {1, 2}}, good, {columns = {"b"}}) end,
         "no column 'b'", "a column that is not there")
t.raises(function()
  plot.pairplot({a = {1, 2}, b = {1}}, good, {columns = {"a", "b"}})
end, "column b has 1 values, column a has 2", "ragged columns")
t.raises(function() plot.pairplot(X3, good, {feature_names = {"a"}}) end,
         "feature_names must be a list of 3 names", "names count")
t.raises(function() plot.heatmap(corr, plot.subplots{}) end,
         "a heat map is a figure of its own", "heatmap in subplots")
t.ok(png_size(good) == nil, "no failed call wrote its file")

-- plot.feature_importances hands caption= and label= on to the bar chart
-- it draws, so the book sees them (they were lost on the way)
do
  local bin = os.getenv("WORKBOOK") or "./workbook"
  local script, log, png = path("imp.lua"), path("imp.log"), path("imp.png")
  local f = assert(io.open(script, "w"))
  f:write(("require('plot').feature_importances({0.7, 0.3}, %q, " ..
           "{caption = '중요도', label = 'fig-imp'})\n"):format(png))
  f:close()
  local p = io.popen(("WORKBOOK_READS='%s' %s run '%s' 2>&1; echo rc=$?"):format(log, bin, script))
  local s = p:read("a")
  p:close()
  t.ok(s:find("rc=0", 1, true), "feature_importances with caption= and label= runs")
  local fh = io.open(log)
  local l = fh and fh:read("a") or ""
  if fh then fh:close() end
  t.ok(l:find("imp.png\tfig-imp\t중요도\n", 1, true),
       "feature_importances: its caption and label reach the book's log")
end

F.finish("every file written was expected")
t.raises = raises
t.done()
