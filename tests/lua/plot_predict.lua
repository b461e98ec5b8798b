-- plot_predict.lua - the figures that show a model's predictions:
-- image_grid with predicted= (two-line captions, the wrong images'
-- caption and frame red, measured on the PNG's pixels), plot.prediction
-- (an image beside its class probabilities: predicted bar red when
-- wrong, blue when right), plot.history's best_epoch= mark and labels=;
-- bad input is an error at this script's line. Files go to a temporary
-- folder, removed at the end.
local t = require "tap"
local T = require "tensor"
local plot = require "plot"
local image = require "image"

local F = require("helpers.figures")(t, "plotpred")
local dir, path, count_color = F.dir, F.path, F.count_color

local RED, BLUE, GREEN = "#d62728", "#1f77b4", "#2ca02c"
local names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

-- image_grid with predicted labels ---------------------------------------
-- 4 grey images in 2 columns of 56 pixels; image 2 and 3 are wrong
T.seed(5)
local imgs = T.rand(4, 28, 28, 1)
local p = path("grid_pred.png")
t.is(plot.image_grid(imgs, p, {labels = {0, 1, 2, 3}, predicted = {0, 6, 4, 3},
                               class_names = names, cols = 2, box = 56}), p,
     "image_grid with predicted= returns the path")
local img = image.load(p)
local s = img:shape()
-- two caption lines of 20 pixels under each 56-pixel cell
t.ok(s[2] == 32 + 2 * 56 + 14 and s[1] == 32 + 2 * (56 + 40) + 10,
     ("two caption lines a cell: %dx%d"):format(s[2], s[1]))
-- cell i (1-based, 2 columns): its box and caption area
local function cell(i)
  local c, r = (i - 1) % 2, (i - 1) // 2
  local x0, y0 = 16 + c * (56 + 14), 16 + r * (56 + 40 + 10)
  return img:slice(1, y0 - 2, y0 + 56 + 40):slice(2, x0 - 3, x0 + 56 + 3)
end
local reds = {}
for i = 1, 4 do reds[i] = count_color(cell(i), RED, 0.08) end
t.ok(reds[1] == 0 and reds[4] == 0,
     ("right predictions carry no red (%d, %d red pixels)"):format(reds[1], reds[4]))
t.ok(reds[2] > 4 * 56 and reds[3] > 4 * 56,
     ("wrong predictions have a red frame and caption (%d, %d red pixels)")
       :format(reds[2], reds[3]))
-- the red is also under the image (the caption), not only the frame
local under = cell(2):slice(1, 56 + 6, 56 + 42)
t.ok(count_color(under, RED, 0.25) > 20, "the wrong image's caption is red")
t.is(count_color(cell(1):slice(1, 56 + 6, 56 + 42), RED, 0.25), 0,
     "the right image's caption is not red")

-- labels only: one caption line, as before
p = path("grid_plain.png")
plot.image_grid(imgs, p, {labels = {0, 1, 2, 3}, class_names = names,
                          cols = 2, box = 56})
img = image.load(p)
t.is(img:shape()[1], 32 + 2 * (56 + 20) + 10, "labels only: one caption line")
t.is(count_color(img, RED, 0.08), 0, "labels only: nothing red")

-- predicted as strings, and as a tensor of ids
p = path("grid_str.png")
plot.image_grid(imgs, p, {labels = {"cat", "dog", "cat", "dog"},
                          predicted = {"cat", "cat", "cat", "dog"}, cols = 4})
t.ok(count_color(image.load(p), RED, 0.08) > 100, "string labels: one wrong marked")
p = path("grid_tensor.png")
plot.image_grid(imgs, p, {labels = T{0, 1, 2, 3}, predicted = T{0, 1, 2, 3},
                          class_names = names})
t.is(count_color(image.load(p), RED, 0.08), 0, "tensor ids, all right: nothing red")

-- wrong_only: only images 2 and 3 (wrong), in a grid of up to 2x2
p = path("grid_wrong_only.png")
plot.image_grid(imgs, p, {labels = {0, 1, 2, 3}, predicted = T{0, 6, 4, 3},
                          class_names = names, cols = 2, rows = 2, box = 56,
                          wrong_only = true})
img = image.load(p)
t.is(img:shape()[1], 32 + (56 + 40), "wrong_only: the two wrong images fill one row")
reds = {}
for i = 1, 2 do reds[i] = count_color(cell(i), RED, 0.08) end
t.ok(reds[1] > 4 * 56 and reds[2] > 4 * 56, "wrong_only: both shown are marked")

-- plot.prediction ------------------------------------------------------------
local probs = {0.01, 0.02, 0.05, 0.01, 0.60, 0.01, 0.25, 0.02, 0.02, 0.01}
p = path("pred_wrong.png")
local got, id = plot.prediction(imgs:slice(1, 1, 1), probs, p,
                                {class_names = names, true_label = 6,
                                 title = "테스트 이미지"})
t.is(got, p, "prediction returns the path")
t.is(id, 4, "and the predicted id (the largest probability)")
img = image.load(p)
t.ok(img:shape()[1] == 360 and img:shape()[2] == 760, "760x360 by default")
local g = img:mean(3)
t.ok(g:gt(0.99):sum() / (360 * 760) < 0.97 and g:max() - g:min() > 0.5,
     "prediction is not blank")
local red, blue = count_color(img, RED), count_color(img, BLUE)
-- bar heights: 0.60 and 0.25 of the y axis; the red bar is the taller
t.ok(red > 1000 and blue > 300 and red > 2 * blue,
     ("wrong: predicted bar red (%d px), true bar blue (%d px)"):format(red, blue))

p = path("pred_right.png")
plot.prediction(imgs:select(1, 1), T(probs), p, {class_names = names,
                                                 true_label = 4})
img = image.load(p)
t.ok(count_color(img, RED, 0.08) == 0 and count_color(img, BLUE) > 1000,
     "right: the predicted bar blue, nothing red")

p = path("pred_plain.png")
local _, id2 = plot.prediction(T.rand(12, 10, 3), T(probs):reshape(1, 10), p)
t.is(id2, 4, "an RGB image, (1, K) probabilities, no names nor truth")

-- history's restored epoch -------------------------------------------------------
local hist = {history = {loss = {1, 0.8, 0.6, 0.65, 0.7},
                         val_loss = {1.1, 0.9, 0.7, 0.75, 0.8},
                         accuracy = {0.5, 0.6, 0.7, 0.72, 0.75},
                         val_accuracy = {0.5, 0.62, 0.69, 0.68, 0.67}}}
p = path("hist_plain.png")
plot.history(hist, p)
t.is(count_color(image.load(p), GREEN, 0.05), 0, "history: no mark by default")
p = path("hist_best.png")
plot.history(hist, p, {best_epoch = 3, labels = {epoch = "에포크", train = "훈련",
  validation = "검증", best = "복원된 에포크", loss = "손실"}})
img = image.load(p)
t.ok(count_color(img, GREEN, 0.05) > 150, "history: best_epoch drawn in green")
-- the mark is at epoch 3 of 5: the middle of each panel (560 wide)
local w = img:shape()[2]
local left = count_color(img:slice(2, 1, w // 2), GREEN, 0.05)
local right = count_color(img:slice(2, w // 2 + 1, w), GREEN, 0.05)
t.ok(left > 50 and right > 50, "a mark in each panel")

-- bad input -----------------------------------------------------------------------
local me = debug.getinfo(1, "S").short_src:gsub("%p", "%%%0")
local raises = t.raises
function t.raises(f, pattern, name)
  return raises(f, "^" .. me .. ":%d+: .-" .. pattern, name)
end
local good = path("never.png")
t.raises(function() plot.prediction(imgs:select(1, 1), {0.5, 0.5}, good,
                                    {class_names = names}) end,
         "plot.prediction: 2 probabilities but 10 class_names",
         "probabilities and class_names of different lengths")
t.raises(function() plot.prediction(T.rand(28, 28, 2), probs, good) end,
         "plot.prediction: image must be an %(H,W%).-got a 3%-d tensor %(28, 28, 2%)",
         "an image of two channels")
t.raises(function() plot.prediction(imgs, probs, good) end,
         "image must be .-got a 4%-d tensor %(4, 28, 28, 1%)", "a batch of four")
t.raises(function() plot.prediction(imgs:select(1, 1), T.rand(2, 10), good) end,
         "probabilities must be a list or a 1%-d tensor", "(2, K) probabilities")
t.raises(function() plot.prediction(imgs:select(1, 1), {0.5, 1.5}, good) end,
         "probabilities%[2%] is 1.5, expected a number in 0..1", "a probability over 1")
t.raises(function() plot.prediction(imgs:select(1, 1), probs, good,
                                    {class_names = names, true_label = 10}) end,
         "label 10 out of range 0..9", "true label beyond the classes")
t.raises(function() plot.prediction(imgs:select(1, 1), probs, good,
                                    {class_name = names}) end,
         "unknown option 'class_name' %(did you mean 'class_names'%?%)",
         "misspelt option")
t.raises(function() plot.image_grid(imgs, good, {predicted = {0, 1, 2, 3}}) end,
         "plot.image_grid: predicted given without labels", "predicted alone")
t.raises(function() plot.image_grid(imgs, good, {labels = {0, 1, 2, 3},
                                                 predicted = {0, 1}}) end,
         "4 images but 2 labels", "too few predicted labels")
t.raises(function() plot.image_grid(imgs, good, {labels = {0, 1, 2, 3},
  predicted = {0, 1, 2, 12}, class_names = names}) end,
         "label 12 out of range 0..9", "a predicted id beyond class_names")
t.raises(function() plot.image_grid(imgs, good, {labels = {0, 1, 2, 3},
  predicted = {0, 1, 2, 3}, wrong_only = true}) end,
         "wrong_only: no image has a wrong prediction", "wrong_only with none wrong")
t.raises(function() plot.image_grid(imgs, good, {labels = {0, 1, 2, 3},
  wrong_only = true}) end, "wrong_only needs predicted", "wrong_only without predictions")
t.raises(function() plot.history(hist, good, {best_epoch = 6}) end,
         "plot.history: option best_epoch must be in 1..5, got 6",
         "best_epoch beyond the history")
t.raises(function() plot.history(hist, good, {labels = {train = 5}}) end,
         "plot.history: labels must map words", "a label that is not a string")

F.finish("every file written was expected, no file for bad input")
t.raises = raises
t.done()
