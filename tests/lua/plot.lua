-- plot.lua - the plot module end to end: every function writes a PNG of
-- the expected size into a temporary folder; confusion-matrix counts;
-- Korean titles; and every bad input is an error naming this script's
-- line. The folder is removed at the end.
local t = require "tap"
local T = require "tensor"
local plot = require "plot"
local sys = require "sys"

local F = require("helpers.figures")(t, "plot")
local dir, path, png_size, is_png = F.dir, F.path, F.png_size, F.is_png
local listing = F.listing

t.is(plot.font(), "NanumGothic", "Korean-capable font in use")

-- layout constants the sizes below follow (runtime/plot/*.c)
local TITLE = 44                     -- suptitle band: ceil(18 * 2.4)
local function grid_size(n, cols, box, captions, title)
  local rows = (n + cols - 1) // cols
  local ch = box + (captions and 20 or 0)
  return 32 + cols * box + (cols - 1) * 14,
         32 + (title and TITLE or 0) + rows * ch + (rows - 1) * 10
end

-- history --------------------------------------------------------------
local hist = {history = {loss = {0.50, 0.37, 0.33, 0.31, 0.29},
  accuracy = {0.82, 0.87, 0.88, 0.89, 0.89},
  val_loss = {0.40, 0.36, 0.35, 0.34, 0.34},
  val_accuracy = {0.86, 0.87, 0.87, 0.88, 0.88}}}
local p = path("history.png")
t.is(plot.history(hist, p), p, "history returns the path")
is_png(p, "history: two 560x420 panels", 1120, 420)
p = path("history_ko.png")
plot.history(hist, p, {title = "LAB 9-2 학습 곡선"})
is_png(p, "history with a Korean title", 1120, 420 + TITLE)
p = path("history3.png")
plot.history({history = {loss = {1, 0.5}, accuracy = {0.5, 0.7},
  precision = {0.4, 0.6}}}, p)
is_png(p, "a third metric gets a third panel, no val_ needed",
       1680, 420)
p = path("history1.png")
plot.history({loss = {0.7}}, p)
is_png(p, "one epoch, a bare history table", 560, 420)

-- image grids ----------------------------------------------------------
T.seed(7)
local imgs = T.rand(30, 28, 28, 1)
local labels = {}
for i = 1, 30 do labels[i] = (i * 7) % 10 end
local names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
p = path("grid.png")
t.is(plot.image_grid(imgs, p, {labels = labels, class_names = names}), p,
     "image_grid returns the path")
is_png(p, "5x5 grid of the first 25",
       grid_size(25, 5, 140, true))
p = path("grid_t.png")
plot.image_grid(imgs:reshape(30, 28, 28), p, {labels = T(labels),
  class_names = names, title = "처음 25개 훈련 이미지", cmap = "binary"})
is_png(p, "(N,H,W) and tensor labels",
       grid_size(25, 5, 140, true, true))
p = path("grid_rgb.png")
plot.image_grid(T.rand(3, 10, 12, 3), p, {labels = {"고양이", "dog", "bird"}})
is_png(p, "3 RGB images, string labels, a row",
       grid_size(3, 3, 132, true))   -- 12 px grown 11x
p = path("grid_list.png")
plot.image_grid({T.rand(28, 28), T.rand(28, 28, 1)}, p,
                {cols = 1, normalize = true})
is_png(p, "a list of tensors, no captions",
       grid_size(2, 1, 140, false))

local fm_path = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
if sys.exists(fm_path) then
  local idx = require "idx"
  local x = idx.load(fm_path, 1 / 255)
  local y = idx.load(fm_path:gsub("images%-idx3", "labels-idx1"))
  p = path("fashion.png")
  plot.image_grid(x, p, {labels = y, class_names = names})
  is_png(p, "the first 25 Fashion-MNIST images",
       grid_size(25, 5, 140, true))
else
  t.ok(true, "# SKIP Fashion-MNIST not installed")
end

-- confusion matrix -------------------------------------------------------
local yt, yp = {0, 1, 2, 2, 1, 0, 2}, {0, 2, 2, 2, 1, 1, 0}
p = path("cm.png")
local m, mp = plot.confusion_matrix(yt, yp, p)
t.allclose(m, {{1, 1, 0}, {0, 1, 1}, {1, 0, 2}}, 0,
           "counts: rows true, columns predicted")
t.is(mp, p, "the path comes second")
t.ok(png_size(p) ~= nil, "confusion matrix PNG written")
p = path("cm_norm.png")
m = plot.confusion_matrix(T(yt), T(yp), p, {normalize = true,
  class_names = {"고양이", "개", "새"}, title = "혼동 행렬"})
t.allclose(m, {{0.5, 0.5, 0}, {0, 0.5, 0.5}, {1 / 3, 0, 2 / 3}}, 1e-6,
           "normalize=true: rows sum to 1")
m = plot.confusion_matrix(yt, yp, path("cm_pred.png"), {normalize = "pred"})
t.allclose(m:sum(1), {1, 1, 1}, 1e-6, "normalize='pred': columns sum to 1")
local scores = T{{0.9, 0.05, 0.05}, {0.1, 0.2, 0.7}, {0.2, 0.5, 0.3}}
m = plot.confusion_matrix({0, 2, 2}, scores, path("cm_scores.png"))
t.allclose(m, {{1, 0, 0}, {0, 0, 0}, {0, 1, 1}}, 0,
           "(N,K) scores are turned into ids by argmax")
m = plot.confusion_matrix({1}, {1}, path("cm_names.png"), {class_names = names})
t.is(m:shape()[1], 10, "class_names sets the number of classes")

-- filters and feature maps -------------------------------------------------
local k = T.randn(3, 3, 1, 32)
p = path("filters.png")
t.is(plot.filters(k, p, {title = "첫 번째 합성곱 층의 필터"}), p,
     "filters returns the path")
is_png(p, "32 3x3 filters, 8 a row, 21x each",
       grid_size(32, 8, 63, true, true))
p = path("filters_rgb.png")
plot.filters(T.randn(5, 5, 3, 6), p)
is_png(p, "RGB filters for 3 input channels",
       grid_size(6, 6, 60, true))
plot.filters(T.randn(3, 3, 16, 4), path("filters_mean.png"))
t.ok(png_size(dir .. "/filters_mean.png"), "16 input channels: their mean")
plot.filters(T.randn(3, 3, 16, 4), path("filters_ch.png"), {channel = 16})
t.ok(png_size(dir .. "/filters_ch.png"), "one input channel by position")
p = path("maps.png")
plot.feature_maps(T.rand(1, 28, 28, 16), p, {title = "특성 맵"})
is_png(p, "16 feature maps of 28x28",
       grid_size(16, 8, 84, true, true))
p = path("maps3.png")
plot.feature_maps(T.rand(7, 7, 3):relu(), p, {cols = 3})
is_png(p, "(H,W,C) maps, 7x7 grown 13x",
       grid_size(3, 3, 91, true))

-- lines ---------------------------------------------------------------------
local fpr, tpr = {}, {}
for i = 0, 20 do fpr[#fpr + 1] = i / 20; tpr[#tpr + 1] = (i / 20) ^ 0.4 end
p = path("roc.png")
t.is(plot.lines({{x = fpr, y = tpr, label = "ROC"},
                 {x = {0, 1}, y = {0, 1}, label = "우연", style = "--",
                  color = "gray"}}, p,
                {title = "ROC 곡선", xlabel = "FPR", ylabel = "TPR"}), p,
     "lines returns the path")
is_png(p, "a 640x480 line chart", 640, 480)
p = path("line1.png")
plot.lines({y = T{3, 1, 2}, marker = "o"}, p, {width = 300, height = 200,
           ylim = {0, 4}})
is_png(p, "one series alone, y a tensor, x implied", 300, 200)

-- detections: a photo with labelled boxes, the box drawn where it belongs
do
  local img = T.full({40, 60, 3}, 1)      -- white, 40 high, 60 wide
  local p = path("det.png")
  plot.detections(img, {{10, 20, 15, 25}}, p, {labels = {"0.93"}, side = 120})
  is_png(p, "detections figure: the image at twice its size plus margins",
         120 + 32, 80 + 32)
  local p2 = path("det_empty.png")
  plot.detections(img, T.zeros(0, 4), p2)
  t.ok(png_size(p2) ~= nil, "detections with no boxes")
end

-- bad input ---------------------------------------------------------------
-- tap.raises checks the message names "plot.lua:LINE", which the module
-- runtime/lua/plot.lua would match too: pin it to this script's name.
local me = debug.getinfo(1, "S").short_src:gsub("%p", "%%%0")
local raises = t.raises
function t.raises(f, pattern, name)
  return raises(f, "^" .. me .. ":%d+: .-" .. pattern, name)
end
local good = path("never.png")
t.raises(function() plot.detections(T.zeros(8, 8), {{1, 2, 3}}, good) end,
         "plot.detections: box 1 must be {top, left, height, width}", "a box with 3 numbers")
t.raises(function() plot.detections(T.zeros(8, 8), {{1, 2, 3, 4}}, good, {labels = {}}) end,
         "labels must be a list of 1 strings", "labels count")
t.raises(function() plot.history(42, good) end,
         "plot.history: expected the history model:fit returns, got a number",
         "history of a number")
t.raises(function() plot.history({history = {}}, good) end,
         "the history is empty", "empty history")
t.raises(function() plot.history({history = {loss = {}}}, good) end,
         "history.loss is empty", "empty metric list")
t.raises(function() plot.history({history = {loss = {1, "x"}}}, good) end,
         "history.loss%[2%] is a string", "non-number in a history")
t.raises(function()
  plot.history({history = {loss = {1, 2, 3}, val_loss = {1, 2}}}, good)
end, "has %d values but history%.[%w_]+ has %d", "mismatched epoch counts")
t.raises(function() plot.history(hist, nil) end,
         "expected a file name for the PNG, got nil", "missing path")
t.raises(function() plot.history(hist, good, {titel = "x"}) end,
         "plot.history: unknown option 'titel' %(did you mean 'title'%?%)", "misspelt option")
t.raises(function() plot.history(hist, good, "title") end,
         "options must be a table", "options not a table")

t.raises(function() plot.image_grid(T.rand(28, 28), good) end,
         "plot.image_grid: expected images as an %(N,H,W%).-" ..
         "got a 2%-d tensor %(28, 28%)",
         "a single image is not a batch")
t.raises(function() plot.image_grid(T.rand(2, 8, 8, 2), good) end,
         "got a 4%-d tensor %(2, 8, 8, 2%)", "2 channels")
t.raises(function() plot.image_grid(T.rand(0, 8, 8), good) end,
         "no images", "empty batch")
t.raises(function() plot.image_grid({}, good) end, "no images", "empty list")
t.raises(function() plot.image_grid({T.rand(8, 8), 5}, good) end,
         "images%[2%] must be an %(H,W%)", "a number in the list")
t.raises(function() plot.image_grid(imgs, good, {labels = {1, 2}}) end,
         "30 images but 2 labels", "too few labels")
t.raises(function()
  plot.image_grid(imgs, good, {labels = T.full({30}, 10), class_names = names})
end,
         "label 10 out of range 0..9", "label beyond class_names")
t.raises(function()
  plot.image_grid(imgs, good, {labels = T.full({30}, 1.5)})
end, "labels%[1%] is a number %(1.5%), expected a class id",
   "fractional label")
t.raises(function() plot.image_grid(imgs, good, {class_names = names}) end,
         "class_names given without labels", "names without labels")
t.raises(function() plot.image_grid(imgs, good, {cols = 0}) end,
         "option cols must be in 1..100, got 0", "0 columns")
t.raises(function() plot.image_grid(imgs, good, {cmap = "jet"}) end,
         "cmap must be \"gray\" or \"binary\"", "unknown cmap")

t.raises(function() plot.confusion_matrix({0, 1}, {0}, good) end,
         "y_true has 2 labels but y_pred has 1", "mismatched lengths")
t.raises(function() plot.confusion_matrix({}, {}, good) end,
         "y_true is empty", "no labels")
t.raises(function() plot.confusion_matrix({0, -1}, {0, 0}, good) end,
         "y_true%[2%] is a number %(%-1%)", "negative id")
t.raises(function()
  plot.confusion_matrix({0, 3}, {0, 0}, good, {class_names = {"a", "b"}})
end,
         "label 3 out of range 0..1", "id beyond class_names")
t.raises(function()
  plot.confusion_matrix({0}, {0}, good, {normalize = "rows"})
end,
         "option normalize must be", "bad normalize")
t.raises(function() plot.confusion_matrix(T.rand(2, 2, 2), {0, 1}, good) end,
         "y_true must be a list or a 1%-d tensor, got a 3%-d tensor",
         "3-d labels")

t.raises(function() plot.filters(T.rand(3, 3), good) end,
         "plot.filters: expected a Conv2D kernel %(kh, kw, in, out%), " ..
         "got a 2%-d tensor %(3, 3%)",
         "a kernel of the wrong rank")
t.raises(function() plot.filters("kernel", good) end,
         "got a string %(kernel%)", "a kernel that is a string")
t.raises(function() plot.filters(T.rand(3, 3, 1, 0), good) end,
         "is empty", "no filters")
t.raises(function() plot.filters(k, good, {channel = 2}) end,
         "option channel must be in 1..1, got 2", "channel out of range")
t.raises(function() plot.feature_maps(T.rand(2, 8, 8, 4), good) end,
         "expected the activations of one image.-maps:slice%(1, i, i%)",
         "a batch of two images")
t.raises(function() plot.feature_maps(T.rand(8, 8), good) end,
         "got a 2%-d tensor %(8, 8%)", "2-d maps")

t.raises(function() plot.lines({}, good) end, "no series to draw", "no series")
t.raises(function() plot.lines({{x = {1, 2}, y = {1, 2, 3}}}, good) end,
         "series 1: x has 2 values but y has 3", "x and y lengths differ")
t.raises(function() plot.lines({{x = {1}}}, good) end,
         "series 1 has no y values", "no y")
t.raises(function() plot.lines({{y = {1, 2}, colour = "red"}}, good) end,
         "plot.lines: series 1: unknown option 'colour' %(did you mean 'color'%?%)",
         "misspelt series field")
t.raises(function() plot.lines({{y = {1, 2}, color = "rouge"}}, good) end,
         "series 1: color must be a name", "unknown colour")
t.raises(function() plot.lines({{y = {1, 2}, marker = "*"}}, good) end,
         "marker must be one of \"o\", \"s\", \"%^\", \"D\", \"x\" or \"%+\"",
         "unknown marker")
t.raises(function() plot.lines({{y = {1, 2}}}, good, {xlim = {2, 1}}) end,
         "option xlim must be {lo, hi} with lo < hi", "reversed limits")

-- unwritable paths: an error, and no file half-written
t.raises(function() plot.history(hist, dir .. "/missing/h.png") end,
         "plot.history: cannot write .-missing/h.png: No such file",
         "a folder that does not exist")
local sub = dir .. "/adir"
sys.mkdir_p(sub)
local before = listing(dir)
t.raises(function() plot.image_grid(imgs, sub) end,
         "plot.image_grid: cannot write .-adir", "a folder in the way")
t.is(listing(dir), before, "nothing left behind")
t.ok(png_size(good) == nil, "no failed call wrote its file")
os.remove(sub)

F.finish("every file written was expected")
t.raises = raises
t.done()
