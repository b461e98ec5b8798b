-- data_faces.lua - data.faces (scikit-image's LFW subset, fetched by
-- scripts/fetch_faces.sh): shapes, classes, known pixel values, the
-- missing-file error; data.patches: shapes, gray conversion, crops at
-- scale 1 that are real crops, determinism for a seed, errors.
local t = require "tap"
local T = require "tensor"
local data = require "data"
local image = require "image"

local f = data.faces()
t.is(table.concat(f.x:shape(), ","), "200,25,25,1", "faces x (200, 25, 25, 1)")
t.is(table.concat(f.y:shape(), ","), "200", "faces y (200)")
t.ok(f.y:slice(1, 1, 100):min() == 1 and f.y:slice(1, 101, 200):max() == 0,
     "the first 100 are faces (1), the last 100 not (0)")
t.ok(f.x:min() >= 0 and f.x:max() <= 1, "pixels in [0, 1]")
-- NumPy on lfw_subset.npy (as float32): mean 0.3771059, faces 0.4542346
t.near(f.x:mean(), 0.3771059, 1e-6, "mean pixel as NumPy's")
t.near(f.x:slice(1, 1, 100):mean(), 0.4542346, 1e-6, "faces are brighter on average (0.454)")
t.near(f.x:get(1, 13, 13, 1), 0.63660127, 1e-7, "pixel [0, 12, 12] as in the file")
t.near(f.x:get(151, 4, 8, 1), 0.05490196, 1e-7, "pixel [150, 3, 7] as in the file")
t.is(f.class_names[1 + 1], "face", "class_names[y + 1]")
t.ok(data.faces() ~= f, "a fresh table each call")

local tmp = os.tmpname()
os.remove(tmp)
t.raises(function() data.faces{path = tmp .. ".npy"} end,
         "data.faces: lfw_subset.npy not found .*sh scripts/fetch_faces.sh", "missing file says what to run")
T.save(T.zeros(10, 25, 25), tmp .. ".npy")
t.raises(function() data.faces{path = tmp .. ".npy"} end, "holds shape %(10, 25, 25%), expected",
         "a file of the wrong shape")
os.remove(tmp .. ".npy")

-- ---- patches ------------------------------------------------------------
local coffee = image.load(data.path("images/coffee.png"))
local p = data.patches(coffee, 30, {seed = 3})
t.is(table.concat(p:shape(), ","), "30,25,25,1", "patches (n, 25, 25, 1) by default")
t.ok(p:min() >= 0 and p:max() <= 1, "patch values in [0, 1]")
t.is((p - data.patches(coffee, 30, {seed = 3})):abs():max(), 0,
     "the same seed gives the same patches")
t.ok((p - data.patches(coffee, 30, {seed = 4})):abs():max() > 0, "another seed, other patches")
local g = data.patches(image.to_gray(coffee), 30, {seed = 3})
t.is((p - g):abs():max(), 0, "a colour photo is cut as its gray version")
local q = data.patches(image.load(data.path("images/camera.png")), 7, {size = {20, 16}, scales = {1, 1.5}})
t.is(table.concat(q:shape(), ","), "7,20,16,1", "size = {h, w}, several scales")

-- scale 1 cuts real crops: on a ramp whose value says where it is, every
-- patch must equal the crop at the place its first pixel names
local H, W = 40, 50
local ramp = T.zeros(H, W)
for r = 1, H do for c = 1, W do ramp:set(r, c, ((r - 1) * W + (c - 1)) / (H * W)) end end
local pr = data.patches(ramp, 12, {size = 8, scales = {1}, seed = 9})
local crops_ok = true
for i = 1, 12 do
  local v = math.floor(pr:get(i, 1, 1, 1) * H * W + 0.5)
  local top, left = v // W + 1, v % W + 1
  local crop = image.crop(ramp, top, left, 8, 8):reshape(8, 8, 1)
  crops_ok = crops_ok and (pr[i] - crop):abs():max() == 0
end
t.ok(crops_ok, "scale 1: each patch is an exact crop of the photo (HxW input)")
-- scale 2 on a flat image stays flat (the blur and the resize keep a constant)
local flat = data.patches(T.full({60, 60}, 0.25), 5, {size = 10, scales = {2}})
t.ok(math.abs(flat:max() - 0.25) < 1e-6 and math.abs(flat:min() - 0.25) < 1e-6,
     "scale 2 keeps a flat image flat")

t.raises(function() data.patches(coffee, 0) end, "n must be a positive integer", "n = 0")
t.raises(function() data.patches("coffee.png", 3) end,
         "expected an HxW or HxWxC image tensor", "not an image")
t.raises(function() data.patches(ramp, 3, {scales = {6}}) end,
         "at scale 6 a patch covers 150x150 pixels, more than the 40x50 image", "patch larger than the photo")
t.raises(function() data.patches(ramp, 3, {size = {0, 3}}) end,
         "size must hold positive integers", "bad size")
t.raises(function() data.patches(ramp, 3, {scales = {-1}}) end,
         "scales must be positive", "bad scale")
t.done()
