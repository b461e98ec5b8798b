-- face_pipeline.lua - what the B1 labs share: data.face_dataset (the
-- same patches, in the same order, every run) and ml.sliding_windows
-- (every window, with its box in the original image's pixels).
local t = require "tap"
local T = require "tensor"
local data = require "data"
local ml = require "ml"

local d = data.face_dataset()
local n = 200 + 30 * #data.NEGATIVE_PHOTOS
t.is(table.concat(d.x:shape(), ","), n .. ",25,25,1", "LFW subset plus 30 patches per photo")
t.is(d.y:sum(), 100, "100 faces")
t.is(d.y:slice(1, 1, 100):min(), 1, "the faces come first")
t.ok(d.x:min() >= 0 and d.x:max() <= 1, "pixels in [0, 1]")
local d2 = data.face_dataset()
t.is((d2.x - d.x):abs():max(), 0, "the same data set every time (seeded patches)")

-- windows of a 10x12 image, 4x5 windows, step 3, at scales 1 and 0.5
local img = T.arange(120):reshape(10, 12) / 120
local x, boxes = ml.sliding_windows(img, {size = {4, 5}, step = 3, scales = {1, 0.5}})
-- scale 1: rows 0,3,6 (3) x cols 0,3,6 (3) = 9; scale 0.5: 5x6 image,
-- rows 0 (1) x cols 0 (1) = 1
t.is(x:size(1), 10, "10 windows")
t.is(table.concat(boxes:shape(), ","), "10,4", "one box per window")
t.is(table.concat(boxes[5]:totable(), ","), "3.0,3.0,4.0,5.0", "box {top, left, height, width}")
t.is((x[5]:reshape(4, 5) - img:slice(1, 4, 7):slice(2, 4, 8)):abs():max(), 0,
     "the window holds the pixels its box covers")
t.is(table.concat(boxes[10]:totable(), ","), "0.0,0.0,8.0,10.0", "a half-size window covers twice the area")
t.raises(function() ml.sliding_windows(T.zeros(2, 3, 3)) end, "expected a gray image", "colour image rejected")
t.done()
