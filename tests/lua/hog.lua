-- hog.lua - image.hog end to end: against scikit-image 0.19's
-- skimage.feature.hog on the fixtures in tests/fixtures/hog (made by
-- make_hog_fixtures.py: sizes that do not tile into cells, 2x2 and 3x3
-- blocks, 4x4 / 6x5 / 3x11 cells, every norm, transform_sqrt, RGB,
-- feature_vector = false, the picture), layouts and option forms; then
-- the bad-input suite, each error naming this file's line.
local image, tensor = require "image", require "tensor"
local t = require "tap"

local root = arg[0]:match("^(.*)/tests/lua/[^/]*$") or "."
local dir = root .. "/tests/fixtures/hog/"
local function load(name) return tensor.load(dir .. name .. ".npy") end
local function dims(x) return table.concat(x:shape(), "x") end

-- ---- against scikit-image ------------------------------------------
-- Float32 rounding is the contract; in practice every value is equal.
-- Picture values are sums of histogram values, so relative there.
local worst = 0
for _, c in ipairs(dofile(dir .. "cases.lua")) do
  local x = load("in_" .. c.input)
  local f, pic = image.hog(x, c.opts)
  local want = load(c.name .. "_out")
  local same = dims(f) == dims(want)
  local d = same and (f - want):abs():max() or math.huge
  worst = math.max(worst, d)
  t.ok(same and d <= 1e-6, ("%s: %s features, max |diff| %g"):format(
    c.name, dims(want), d))
  if c.opts.visualize then
    local wp = load(c.name .. "_pic")
    local pd = pic and (pic:reshape(wp:shape()) - wp):abs():max() or math.huge
    local scale = math.max(1, wp:abs():max())
    t.ok(pd <= 1e-6 * scale, ("%s: %s picture, max |diff| %g"):format(
      c.name, dims(wp), pd))
  else
    t.ok(pic == nil, c.name .. ": no picture unless visualize")
  end
end
t.diag("largest difference from skimage over all fixtures: " .. worst)

-- ---- layouts and option forms --------------------------------------
local face = load("in_face")
t.is(dims(face), "25x25", "the face fixture is 25x25")
local f = image.hog(face)
t.is(dims(f), "81", "defaults: 3x3 cells of 8, one 3x3 block, 81 features")
t.allclose(image.hog(face, {orientations = 9, pixels_per_cell = {8, 8},
                            cells_per_block = {3, 3}, block_norm = "L2-Hys",
                            transform_sqrt = false, feature_vector = true,
                            visualize = false}), f, 0,
           "the defaults spelled out give the same")
t.allclose(image.hog(face, {pixels_per_cell = 8, cells_per_block = 3}), f, 0,
           "a number n means {n, n}")
t.allclose(image.hog(face:reshape(25, 25, 1)), f, 0, "HxWx1 is HxW")
local grid = image.hog(face, {feature_vector = false})
t.is(dims(grid), "1x1x3x3x9", "feature_vector = false: (blocks, blocks, "
     .. "cells, cells, bins)")
t.allclose(grid:reshape(81), f, 0, "which flattens to the feature vector")
local _, pic = image.hog(face, {visualize = true})
t.is(dims(pic), "25x25", "the picture has the image's size and layout")
local _, pic1 = image.hog(face:reshape(25, 25, 1), {visualize = true})
t.is(dims(pic1), "25x25x1", "HxWx1 in, HxWx1 picture out")
local big = load("in_big")
local view = big:slice(1, 3, 27):slice(2, 5, 29)
t.ok(not view:is_contiguous(), "a strided view ...")
t.allclose(image.hog(view), image.hog(view:contiguous()), 0,
           "... gives what its copy gives")
local rgb = load("in_rgb")
t.is(dims(image.hog(rgb)), "324", "HxWx3 takes the strongest channel "
     .. "per pixel (skimage's channel_axis=-1)")
t.ok(image.hog(tensor.zeros(24, 24)):max() == 0,
     "a flat image has no gradients and all-zero features")

-- ---- bad input -----------------------------------------------------
t.raises(function() image.hog(tensor.rand(20, 30)) end,
         "image.hog: the 20x30 image is smaller than one block: 3x3 cells "
         .. "of 8x8 pixels need 24x24", "smaller than one block")
t.raises(function()
  image.hog(tensor.rand(30, 30), {pixels_per_cell = {4, 16},
                                  cells_per_block = 2})
end, "the 30x30 image is smaller than one block: 2x2 cells of 4x16 "
     .. "pixels need 8x32", "too narrow for its block")
t.raises(function() image.hog(tensor.rand(64)) end,
         "image.hog: expected an HxW or HxWxC image, got a 1%-d tensor %(64,%)",
         "a vector is not an image")
t.raises(function() image.hog(tensor.rand(2, 32, 32, 1)) end,
         "expected an HxW or HxWxC image, got a 4%-d tensor", "nor is a batch")
t.raises(function() image.hog("face.png") end,
         "expected an HxW or HxWxC image, got string", "nor a file name")
t.raises(function() image.hog(tensor.zeros(0, 24)) end,
         "image.hog: the image is empty", "an empty image")
t.raises(function() image.hog(face, {orientation = 8}) end,
         "image.hog: unknown option 'orientation' %(did you mean 'orientations'%?%)",
         "a misspelt option is named, with the nearest valid one")
t.raises(function() image.hog(face, {channel_axis = -1}) end,
         "unknown option 'channel_axis'", "channel_axis is not an option")
t.raises(function() image.hog(face, "L1") end,
         "image.hog: options must be a table, got string", "options table")
t.raises(function() image.hog(face, {orientations = 0}) end,
         "image.hog: orientations must be positive, got 0", "0 bins")
t.raises(function() image.hog(face, {orientations = 4.5}) end,
         "orientations must be an integer, got 4.5", "4.5 bins")
t.raises(function() image.hog(face, {orientations = "9"}) end,
         "orientations must be an integer, got string", "'9' bins")
t.raises(function() image.hog(face, {orientations = 1 << 21}) end,
         "orientations must be at most 1048576, got 2097152", "too many bins")
t.raises(function() image.hog(face, {pixels_per_cell = {8}}) end,
         "pixels_per_cell must be a number or a table of 2 numbers, got a "
         .. "table of 1", "a 1-number cell")
t.raises(function() image.hog(face, {pixels_per_cell = {8, 0}}) end,
         "pixels_per_cell must be positive, got 0", "a 0-pixel cell")
t.raises(function() image.hog(face, {cells_per_block = {3, -1}}) end,
         "cells_per_block must be positive, got %-1", "a negative block")
t.raises(function() image.hog(face, {block_norm = "l2"}) end,
         "image.hog: block_norm must be 'L1', 'L1%-sqrt', 'L2' or 'L2%-Hys', "
         .. "got 'l2'", "norm names are skimage's, case and all")
t.raises(function() image.hog(face, {block_norm = 2}) end,
         "block_norm must be .* got number", "a norm is a string")
t.raises(function() image.hog(face, {transform_sqrt = 1}) end,
         "option transform_sqrt must be true or false, got number",
         "transform_sqrt is a boolean")
t.raises(function() image.hog(face, {feature_vector = "no"}) end,
         "option feature_vector must be true or false, got string",
         "feature_vector is a boolean")
t.raises(function() image.hog(face, {visualize = 0}) end,
         "option visualize must be true or false, got number",
         "visualize is a boolean")
local nan = face:clone()
nan:set(3, 4, 0 / 0)
t.raises(function() image.hog(nan) end,
         "image.hog: pixel %(row 3, column 4%) is NaN", "NaN pixels")
local inf = face:clone()
inf:set(25, 1, math.huge)
t.raises(function() image.hog(inf) end,
         "pixel %(row 25, column 1%) is infinite", "infinite pixels")
local neg = face - 0.5
t.raises(function() image.hog(neg, {transform_sqrt = true}) end,
         "pixel %(row 1, column %d+%) is negative; transform_sqrt needs "
         .. "pixels >= 0", "sqrt of negative pixels")
t.ok(pcall(image.hog, neg), "negative pixels are fine without the sqrt")
local rgb_nan = rgb:clone()
rgb_nan:set(2, 5, 3, 0 / 0)
t.raises(function() image.hog(rgb_nan) end,
         "pixel %(row 2, column 5, channel 3%) is NaN", "NaN in a channel")

t.done()
