-- image.lua - the image module end to end: loading against
-- scikit-image's numbers (tests/fixtures/image, made by
-- make_image_fixtures.py), filters, pooling, resize, kernels, save and
-- montage; then the bad-input suite, each error naming this file's line.
local image, tensor, sys, data = require "image", require "tensor",
                                 require "sys", require "data"
local t = require "tap"
local K = image.kernels

local root = arg[0]:match("^(.*)/tests/lua/[^/]*$") or "."
local fixtures = root .. "/tests/fixtures/image/"
local photo_path = root .. "/data/images/astronaut.png"
local function fixture(name) return tensor.load(fixtures .. name .. ".npy") end
local function dims(x) return table.concat(x:shape(), "x") end

-- temporaries in a fresh folder under /tmp, removed at the end
local tmpdir = os.tmpname()
os.remove(tmpdir)
sys.mkdir_p(tmpdir)
local made = {}
local function tmp(name)
  made[#made + 1] = tmpdir .. "/" .. name
  return made[#made]
end
local function write(path, bytes)
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
end

-- ---- loading ---------------------------------------------------------
local photo = image.load(photo_path)
t.is(dims(photo), "512x512x3", "astronaut loads as 512x512x3")
t.ok(photo:min() >= 0 and photo:max() <= 1, "values in [0, 1]")
local crop = image.crop(photo, 201, 241, 32, 32)
t.allclose(crop, fixture("crop_rgb"), 1e-7,
           "pixels equal scikit-image's imread / 255")
local gray_photo = image.load(photo_path, {gray = true})
t.is(dims(gray_photo), "512x512x1", "gray = true gives one channel")
t.allclose(image.crop(gray_photo, 201, 241, 32, 32):reshape(32, 32),
           fixture("crop_gray"), 1e-6, "gray load equals skimage rgb2gray")

-- ---- gray, resize, crop, pad -----------------------------------------
local gray = image.to_gray(crop)
t.is(dims(gray), "32x32x1", "to_gray of HxWx3 is HxWx1")
t.allclose(gray:reshape(32, 32), fixture("crop_gray"), 1e-6,
           "to_gray equals rgb2gray")
local g2 = gray:reshape(32, 32)
t.is(dims(image.to_gray(g2)), "32x32", "to_gray keeps an HxW layout")
t.allclose(image.resize(crop, 20, 45), fixture("resize_20x45"), 1e-6,
           "resize equals skimage resize(order=1, mode='edge', "
           .. "anti_aliasing=False)")
local r = image.resize(g2, {50, 40})
t.is(dims(r), "50x40", "resize {h, w} keeps an HxW layout")
t.allclose(r, fixture("resize_50x40"), 1e-6, "upsampling equals skimage too")

local small = tensor{{1, 2, 3}, {4, 5, 6}}
t.allclose(image.crop(small, 1, 2, 2, 2), {{2, 3}, {5, 6}}, 0,
           "crop counts rows and columns from 1")
t.allclose(image.pad(tensor{{1, 2, 3}}, {0, 0, 2, 2}, {border = "reflect"}),
           {{3, 2, 1, 2, 3, 2, 1}}, 0, "pad reflect")
t.allclose(image.pad(tensor{{1, 2, 3}}, {0, 0, 2, 2}, {border = "replicate"}),
           {{1, 1, 1, 2, 3, 3, 3}}, 0, "pad replicate")
t.is(dims(image.pad(crop, 3)), "38x38x3", "pad n adds n on every side (zeros)")
t.is(image.pad(small, 1):sum(), 21, "zero padding adds nothing")

-- ---- filters ---------------------------------------------------------
for _, border in ipairs{"zero", "reflect", "replicate"} do
  local opts = {padding = "same", border = border}
  t.allclose(image.filter(g2, K.gaussian(5, 1), opts),
             fixture("gauss5_" .. border), 1e-6,
             "5x5 Gaussian, same/" .. border .. " = scipy.ndimage.correlate")
end
local sob = image.filter(g2, K.sobel_y() * 0.25, "same")
local function inner(x) return x:slice(1, 2, 31):slice(2, 2, 31) end
t.allclose(inner(sob), inner(fixture("sobel_h")), 1e-6,
           "sobel_y / 4 equals skimage sobel_h inside the border")

-- the kernel is not flipped: an off-centre 1 shifts the picture
local shift = tensor{{0, 0, 0}, {0, 0, 1}, {0, 0, 0}}
t.allclose(image.filter(small, shift, "same"), {{2, 3, 0}, {5, 6, 0}}, 0,
           "cross-correlation: a 1 right of centre reads the right neighbour")
t.allclose(image.filter(small, {{1, 10}}, "valid"), {{21, 32}, {54, 65}}, 0,
           "a nested table works as a kernel")

local function fshape(img, k, opts) return dims(image.filter(img, k, opts)) end
t.is(fshape(photo, K.box(5)), "508x508x3",
     "'valid' (the default) shrinks by k - 1")
t.is(fshape(photo, K.box(5), {padding = "same"}), "512x512x3",
     "'same' keeps the size")
t.is(fshape(photo, K.box(4), {padding = "same"}), "512x512x3",
     "'same' with an even kernel")
t.is(fshape(photo, K.box(5), {padding = "same", stride = 2}), "256x256x3",
     "'same' with stride 2 gives ceil(n / 2)")
t.is(fshape(photo, K.box(5), {stride = 2}), "254x254x3",
     "'valid' with stride 2 gives floor((n - k) / 2) + 1")
t.is(fshape(g2, K.box(3), {strides = {1, 2}}), "30x15", "strides {sy, sx}")
local strided = photo:slice(1, 1, 512, 2)
t.allclose(image.filter(strided, K.box(3)),
           image.filter(strided:contiguous(), K.box(3)), 0,
           "a strided view filters like its copy")

-- ---- pooling ---------------------------------------------------------
t.allclose(image.max_pool(g2, 2), fixture("max_pool2"), 1e-7,
           "max_pool 2 equals block_reduce max")
t.allclose(image.avg_pool(g2, 2), fixture("avg_pool2"), 1e-6,
           "avg_pool 2 equals block_reduce mean")
t.is(dims(image.max_pool(photo, 2)), "256x256x3", "pooling keeps channels")
t.is(dims(image.max_pool(g2, 3, 1)), "30x30", "pool 3 stride 1")
t.is(dims(image.avg_pool(g2, {2, 4})), "16x8", "pool {ph, pw}")
t.allclose(image.max_pool(tensor{{1, 5, 2}, {3, 4, 9}}, 2), {{5}}, 0,
           "'valid' drops the rest")

-- ---- kernels ---------------------------------------------------------
t.allclose(K.box(3), tensor.full({3, 3}, 1 / 9), 1e-7,
           "box(3) is 1/9 everywhere")
local gk = K.gaussian(5, 1)
t.near(gk:sum(), 1, 1e-6, "gaussian sums to 1")
t.ok(gk[3][3] == gk:max() and gk[1][1] == gk[5][5] and gk[1][2] == gk[2][1],
     "gaussian peaks in the centre and is symmetric")
t.near(K.gaussian(4, 1):sum(), 1, 1e-6, "an even gaussian sums to 1")
t.allclose(K.laplacian(), {{0, 1, 0}, {1, -4, 1}, {0, 1, 0}}, 0, "laplacian")
t.allclose(K.laplacian_neg(), -K.laplacian(), 0,
           "laplacian_neg is its negative")
t.allclose(K.laplacian8(), {{1, 1, 1}, {1, -8, 1}, {1, 1, 1}}, 0, "laplacian8")
local ramp = tensor.arange(0, 5):reshape(1, 5) + tensor.zeros(5, 5)
t.ok(image.filter(ramp, K.sobel_x()):min() > 0,
     "sobel_x is positive where it gets brighter to the right")
t.ok(image.filter(ramp:transpose(), K.sobel_y()):min() > 0,
     "sobel_y is positive where it gets brighter downwards")

-- ---- save and montage ------------------------------------------------
local p = image.save(g2, tmp("gray.png"))
t.is(p, tmpdir .. "/gray.png", "save returns the path")
local back = image.load(p)
t.is(dims(back), "32x32x1", "an HxW image saves as gray")
t.allclose(back:reshape(32, 32), g2, 0.5 / 255 + 1e-6,
           "8-bit round trip within half a step")
image.save(crop, tmp("rgb.png"))
t.allclose(image.load(tmpdir .. "/rgb.png"), crop, 1e-7,
           "an 8-bit photo round-trips exactly")
local lap = image.filter(g2, K.laplacian(), "same")
image.save(lap, tmp("lap.png"), {normalize = true})
local lb = image.load(tmpdir .. "/lap.png")
t.ok(lb:min() == 0 and lb:max() == 1, "normalize stretches min..max to 0..1")
local rgba = tensor.ones(4, 4, 4) * 0.5
image.save(rgba, tmp("rgba.png"))
t.is(dims(image.load(tmpdir .. "/rgba.png")), "4x4x4", "RGBA keeps its alpha")

local m = image.montage{g2, crop, lap, cols = 2, normalize = true,
                        captions = {"원본", "colour", "라플라시안"}}
t.is(#m:shape(), 3, "montage gives an HxWx3 picture")
t.ok(m:size(3) == 3 and m:size(1) > 64 and m:size(2) > 64,
     "two rows of two cells: " .. dims(m))
t.ok(m:min() >= 0 and m:max() <= 1, "montage values in [0, 1]")
t.ok(m[1][1][1] == 1, "white background")
image.save(m, tmp("montage.png"))
t.is(dims(image.montage{g2, g2}), dims(image.montage{g2, g2, cols = 2}),
     "default columns")

-- ---- data.path -------------------------------------------------------
if sys.exists(sys.home() .. "/data/images/astronaut.png") then
  t.is(data.path("images/astronaut.png"),
       sys.home() .. "/data/images/astronaut.png",
       "data.path finds the shipped photo")
else
  t.ok(true, "# SKIP no data/ beside this binary (" .. sys.home() .. ")")
end

-- ---- bad input: every one a Lua error naming this file's line ----------
write(tmp("text.png"), "hello, I am a text file wearing a .png name\n")
write(tmp("empty.png"), "")
local f = assert(io.open(photo_path, "rb"))
local bytes = f:read("a")
f:close()
write(tmp("half.png"), bytes:sub(1, #bytes // 2))
write(tmp("head.png"), bytes:sub(1, 30))
local four = tensor.zeros(1, 8, 8, 3)

t.raises(function() image.load(tmpdir .. "/no_such.png") end,
         "image.load: cannot open .*no_such%.png: No such file",
         "missing file")
t.raises(function() image.load(tmpdir .. "/half.png") end,
         "half%.png: truncated or corrupt PNG", "truncated PNG")
t.raises(function() image.load(tmpdir .. "/head.png") end,
         "head%.png: corrupt PNG header", "PNG cut in its header")
t.raises(function() image.load(tmpdir .. "/text.png") end,
         "text%.png is not a PNG file", "text file renamed .png")
t.raises(function() image.load(tmpdir .. "/empty.png") end,
         "empty%.png is empty", "empty file")
t.raises(function() image.load(tmpdir) end, "it is a folder", "a folder")
t.raises(function() image.load() end,
         "image.load: expected a file name, got nil", "no path")
t.raises(function() image.load(photo_path, {grey = true}) end,
         "image.load: unknown option 'grey' %(did you mean 'gray'%?%)", "misspelt option")
t.raises(function() image.load(photo_path, {gray = "yes"}) end,
         "gray must be true or false, got string", "option type")
t.raises(function() image.load(photo_path, true) end,
         "options must be a table, got boolean", "options not a table")

t.raises(function() image.filter(four, K.box(3)) end,
         "image.filter: expected an HxW or HxWxC image, "
         .. "got a 4%-d tensor %(1, 8, 8, 3%)", "4-d image")
t.raises(function() image.filter(tensor.zeros(5), K.box(3)) end,
         "got a 1%-d tensor %(5,%)", "1-d image")
t.raises(function() image.filter(nil, K.box(3)) end,
         "expected an HxW or HxWxC image, got nil", "nil image")
t.raises(function() image.filter({{1, 2}}, K.box(3)) end,
         "got table", "a table is not an image")
t.raises(function() image.filter(tensor.zeros(0, 5), K.box(3)) end,
         "the image is empty", "empty image")
t.raises(function() image.filter(g2, "box") end,
         "kernel must be a 2%-d tensor or a nested table, got string",
         "string kernel")
t.raises(function() image.filter(g2, tensor.ones(3, 3, 1)) end,
         "kernel must be 2%-d %(kh, kw%), got a 3%-d tensor %(3, 3, 1%)",
         "3-d kernel")
t.raises(function() image.filter(g2, {{1, 2}, {3}}) end,
         "ragged", "ragged table kernel")
t.raises(function() image.filter(g2, tensor.zeros(0, 3)) end,
         "kernel is empty", "empty kernel")
t.raises(function() image.filter(g2, K.box(33)) end,
         "33x33 kernel is larger than the 32x32 image",
         "kernel larger than the image, 'valid'")
t.raises(function() image.filter(g2, K.box(3), {stride = 0}) end,
         "stride must be positive, got 0", "stride 0")
t.raises(function() image.filter(g2, K.box(3), {stride = -2}) end,
         "stride must be positive, got %-2", "negative stride")
t.raises(function() image.filter(g2, K.box(3), {stride = 1.5}) end,
         "stride must be an integer, got 1%.5", "fractional stride")
t.raises(function() image.filter(g2, K.box(3), {stride = {1, 2, 3}}) end,
         "table of 3", "stride table of 3")
t.raises(function() image.filter(g2, K.box(3), {padding = "full"}) end,
         "padding must be 'valid' or 'same', got 'full'", "unknown padding")
t.raises(function()
  image.filter(g2, K.box(3), {padding = "same", border = "wrap"})
end,
         "border must be 'zero', 'reflect' or 'replicate', got 'wrap'",
         "unknown border")
t.raises(function() image.filter(g2, K.box(3), {pading = "same"}) end,
         "unknown option 'pading'", "misspelt option")
t.raises(function() image.filter(g2, K.box(3), 7) end,
         "options must be a table, got number", "options a number")

t.raises(function() image.resize(g2, 0, 10) end,
         "image.resize: height must be positive, got 0", "zero height")
t.raises(function() image.resize(g2, 10, -3) end,
         "width must be positive, got %-3", "negative width")
t.raises(function() image.resize(g2, 10) end,
         "width must be an integer, got nil", "missing width")
t.raises(function() image.resize(g2, {10, 2.5}) end,
         "size must be an integer, got 2%.5", "fractional size")
t.raises(function() image.resize(g2, "10", 10) end,
         "height must be an integer, got string", "string size")
t.raises(function() image.resize(g2, 1e6, 1e6) end, "too large", "huge size")
t.raises(function() image.crop(g2, 0, 1, 4, 4) end,
         "rows 0%.%.3, columns 1%.%.4 are not inside the 32x32 image",
         "crop top 0")
t.raises(function() image.crop(g2, 30, 1, 4, 4) end,
         "rows 30%.%.33", "crop past the bottom")
t.raises(function() image.crop(g2, 1, 1, 0, 4) end,
         "height must be positive, got 0", "crop zero height")
t.raises(function() image.pad(g2, -1) end,
         "padding must be between 0", "negative pad")
t.raises(function() image.pad(g2, {1, 2, 3}) end,
         "{top, bottom, left, right}, got a table of 3", "pad table of 3")
t.raises(function() image.pad(g2, 1, {border = "mirror"}) end,
         "border must be", "pad border")
t.raises(function() image.max_pool(g2, 0) end,
         "image.max_pool: pool size must be positive, got 0", "pool size 0")
t.raises(function() image.avg_pool(g2, 33) end,
         "33x33 pool window is larger than the 32x32 image",
         "pool larger than the image")
t.raises(function() image.avg_pool(g2, 2, 0) end,
         "stride must be positive, got 0", "pool stride 0")
t.raises(function() image.max_pool(g2, {2}) end,
         "table of 1", "pool size table of 1")
t.raises(function() image.max_pool(four, 2) end,
         "4%-d tensor", "pool a 4-d tensor")
t.raises(function() image.to_gray(tensor.zeros(4, 4, 5)) end,
         "image.to_gray: expected 1 to 4 channels", "to_gray of 5 channels")

t.raises(function() K.box(0) end,
         "image.kernels.box: size must be positive, got 0", "box(0)")
t.raises(function() K.box(-3) end, "size must be positive, got %-3", "box(-3)")
t.raises(function() K.box(2.5) end,
         "size must be an integer, got 2%.5", "box(2.5)")
t.raises(function() K.gaussian(5, 0) end,
         "sigma must be positive, got 0", "gaussian sigma 0")
t.raises(function() K.gaussian(5, -1) end,
         "sigma must be positive", "gaussian sigma < 0")
t.raises(function() K.gaussian(5, "wide") end,
         "sigma must be a number, got string", "gaussian sigma string")
t.raises(function() K.gaussian(0, 1) end,
         "size must be positive", "gaussian size 0")

t.raises(function()
  image.save(tensor.zeros(4, 4, 5), tmpdir .. "/five.png")
end,
         "image.save: expected 1 to 4 channels", "save 5 channels")
t.raises(function() image.save(g2, tmpdir .. "/no/such/folder/x.png") end,
         "cannot write .*x%.png", "save into a missing folder")
t.raises(function() image.save(g2, 42) end,
         "expected a file name, got number", "save to a number")
t.raises(function() image.save(four, tmpdir .. "/x.png") end,
         "4%-d tensor", "save a 4-d tensor")
t.raises(function() image.save(g2, tmpdir .. "/x.png", {normalise = true}) end,
         "unknown option 'normalise'", "save option")

t.raises(function() image.montage(g2) end,
         "image.montage: expected a table", "montage of a tensor")
t.raises(function() image.montage{} end,
         "no images given", "montage of nothing")
t.raises(function() image.montage{g2, "x"} end,
         "image 2: expected an HxW or HxWxC image, got string",
         "montage of a string")
t.raises(function() image.montage{g2, four} end,
         "image 2: .*4%-d tensor", "montage of a 4-d tensor")
t.raises(function() image.montage{tensor.zeros(3, 3, 5)} end,
         "image 1 has 5 channels", "montage of 5 channels")
t.raises(function() image.montage{g2, captions = {"a", "b"}} end,
         "2 captions for 1 images", "too many captions")
t.raises(function() image.montage{g2, captions = {42}} end,
         "caption 1 must be a string, got number", "caption a number")
t.raises(function() image.montage{g2, captions = {"\255\254"}} end,
         "caption 1 is not valid UTF%-8", "bad UTF-8")
t.raises(function() image.montage{g2, cols = 0} end,
         "cols must be positive, got 0", "cols 0")
t.raises(function() image.montage{g2, colums = 2} end,
         "unknown option 'colums'", "montage option")
t.raises(function() data.path("images/no_such.png") end,
         "data%.path: images/no_such%.png not found",
         "data.path of a missing file")
t.raises(function() data.path() end,
         "data%.path: expected a file name", "data.path of nothing")

-- no temporary file of a failed save is left behind
local leftovers = 0
for _, name in ipairs{"five.png", "x.png"} do
  if sys.exists(tmpdir .. "/" .. name) then leftovers = leftovers + 1 end
end
t.is(leftovers, 0, "failed saves leave no file")

for i = #made, 1, -1 do os.remove(made[i]) end
os.remove(tmpdir)
t.done()
