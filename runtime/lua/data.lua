-- data.lua - where the data lives. data.path("images/x.png") is
-- <home>/data/images/x.png, home being the folder of the workbook binary
-- or $WORKBOOK_HOME, so labs find their files from any folder; and the
-- data sets installed by Debian packages, such as Fashion-MNIST, or
-- taken out of one (the LFW face subset, data.faces), and random patches
-- of photos (data.patches).
local sys = require "sys"
local fail = require "script_error"
local check = require("options").check

local data = {}

function data.path(rel)
  if type(rel) ~= "string" or rel == "" then
    fail("data.path: expected a file name under data/, got %s", tostring(rel))
  end
  local dir = sys.home() .. "/data"
  local path = dir .. "/" .. rel
  if not sys.exists(path) then
    fail("data.path: %s not found (looked in %s/; WORKBOOK_HOME sets "
         .. "the folder that holds data/)", rel, dir)
  end
  return path
end

-- ---- Fashion-MNIST ---------------------------------------------------------

data.FASHION_CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

-- Folders that may hold the IDX files: each entry of $WORKBOOK_DATA
-- (colon-separated; the files directly in it or in fashion-mnist/ under
-- it), then Debian's dataset-fashion-mnist.
local function fashion_dirs()
  local dirs = {}
  for d in (os.getenv("WORKBOOK_DATA") or ""):gmatch("[^:]+") do
    dirs[#dirs + 1] = d
    dirs[#dirs + 1] = d .. "/fashion-mnist"
  end
  dirs[#dirs + 1] = "/usr/share/datasets/fashion-mnist"
  return dirs
end

local function find_file(dirs, name)
  for _, d in ipairs(dirs) do
    for _, f in ipairs({name .. ".gz", name}) do
      if sys.exists(d .. "/" .. f) == "file" then return d .. "/" .. f end
    end
  end
  fail("data.fashion_mnist: %s.gz not found (looked in %s); install it with " ..
       "'sudo apt-get install dataset-fashion-mnist' or set WORKBOOK_DATA " ..
       "to a folder that holds it", name, table.concat(dirs, ", "))
end

local function load_split(dirs, images, labels)
  local idx = require "idx"
  local ipath, lpath = find_file(dirs, images), find_file(dirs, labels)
  local ok, x = pcall(idx.load, ipath, {divide = 255})
  if not ok then fail("data.fashion_mnist: %s", x:gsub("^[^:]*:%d+: ", "")) end
  local ok2, y = pcall(idx.load, lpath)
  if not ok2 then fail("data.fashion_mnist: %s", y:gsub("^[^:]*:%d+: ", "")) end
  local xs, ys = x:shape(), y:shape()
  if #xs ~= 3 or xs[2] ~= 28 or xs[3] ~= 28 then
    fail("data.fashion_mnist: %s holds %s images, expected 28x28", ipath,
         table.concat(xs, "x"))
  end
  if #ys ~= 1 or ys[1] ~= xs[1] then
    fail("data.fashion_mnist: %s has %d labels for the %d images of %s", lpath,
         ys[1] or 0, xs[1], ipath)
  end
  if ys[1] > 0 and y:max() > 9 then
    fail("data.fashion_mnist: %s holds label %d, expected 0..9", lpath, y:max())
  end
  return {x = x:reshape(xs[1], 28, 28, 1), y = y}
end

local fashion_cache = {}

-- Fashion-MNIST as the course's Keras code has it: train.x (60000, 28,
-- 28, 1) and test.x (10000, 28, 28, 1) floats in [0, 1]; train.y and
-- test.y the 0-based class ids; class_names[id + 1] names a class.
-- opts.dir reads from that folder only. Loaded once per run.
function data.fashion_mnist(opts)
  local dir = check("data.fashion_mnist", opts, {dir = "string"}).dir
  local key = dir or ""
  if not fashion_cache[key] then
    local dirs = dir and {dir} or fashion_dirs()
    fashion_cache[key] = {
      train = load_split(dirs, "train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
      test = load_split(dirs, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
      class_names = data.FASHION_CLASSES,
    }
  end
  return fashion_cache[key]
end

-- ---- faces (scikit-image's LFW subset) -------------------------------------

data.FACE_CLASSES = {"not face", "face"}

-- Where lfw_subset.npy may be: opts.path, each $WORKBOOK_DATA folder,
-- then data/fetched/ (scripts/fetch_faces.sh puts it there).
local function faces_file(opts)
  if opts.path then return opts.path, {opts.path} end
  local tried = {}
  for d in (os.getenv("WORKBOOK_DATA") or ""):gmatch("[^:]+") do
    tried[#tried + 1] = d .. "/lfw_subset.npy"
  end
  tried[#tried + 1] = sys.home() .. "/data/fetched/lfw_subset.npy"
  for _, f in ipairs(tried) do
    if sys.exists(f) == "file" then return f, tried end
  end
  return nil, tried
end

-- The face / not-face set of scikit-image (skimage.data.lfw_subset()):
-- x (200, 25, 25, 1) gray floats in [0, 1]; y (200) with 1 = face,
-- 0 = not face: the first 100 are faces from Labeled Faces in the Wild,
-- the last 100 patches of other photos. class_names[y + 1] names a class.
-- opts.path reads that file instead. A fresh table each call.
function data.faces(opts)
  opts = check("data.faces", opts, {path = "string"})
  local path, tried = faces_file(opts)
  if not path or sys.exists(path) ~= "file" then
    fail("data.faces: lfw_subset.npy not found (looked for %s); run " ..
         "'sh scripts/fetch_faces.sh' (make deps does) to extract it from " ..
         "Debian's python3-skimage package", table.concat(tried, ", "))
  end
  local T = require "tensor"
  local ok, x = pcall(T.load, path, {dtype = "float32"})   -- the file is <f8
  if not ok then fail("data.faces: %s", (x:gsub("^[^:]*:%d+: ", ""))) end
  local s = x:shape()
  if #s ~= 3 or s[1] ~= 200 or s[2] ~= 25 or s[3] ~= 25 then
    fail("data.faces: %s holds shape (%s), expected scikit-image's (200, 25, 25)",
         path, table.concat(s, ", "))
  end
  local y = T.zeros(200)
  y:slice(1, 1, 100):fill(1)
  return {x = x:reshape(200, 25, 25, 1), y = y, class_names = data.FACE_CLASSES}
end

-- ---- random patches ---------------------------------------------------------

local function is_count(v)
  return type(v) == "number" and v == math.floor(v) and v >= 1 and v < 2 ^ 31
end

local function patch_size(v)
  if v == nil then return 25, 25 end
  if type(v) == "number" then v = {v, v} end
  if type(v) ~= "table" or #v ~= 2 then
    fail("data.patches: size must be a number or {h, w}, got %s", tostring(v))
  end
  for _, k in ipairs(v) do
    if not is_count(k) then
      fail("data.patches: size must hold positive integers, got %s", tostring(k))
    end
  end
  return math.tointeger(v[1]), math.tointeger(v[2])
end

local function patch_scales(v)
  if v == nil then return {0.5, 1, 2} end
  if type(v) == "number" then v = {v} end
  if type(v) ~= "table" or #v == 0 then
    fail("data.patches: scales must be a non-empty list of numbers, got %s", tostring(v))
  end
  for _, s in ipairs(v) do
    if type(s) ~= "number" or not (s > 0 and s < math.huge) then
      fail("data.patches: scales must be positive numbers, got %s", tostring(s))
    end
  end
  return v
end

-- the photo as (H, W, 1) gray
local function gray_image(img)
  local T, image = require "tensor", require "image"
  if not T.is_tensor(img) or (img:dim() ~= 2 and img:dim() ~= 3) then
    fail("data.patches: expected an HxW or HxWxC image tensor, got %s",
         T.is_tensor(img) and ("shape (" .. table.concat(img:shape(), ", ") .. ")")
         or type(img))
  end
  local s = img:shape()
  if img:dim() == 2 then return img:reshape(s[1], s[2], 1) end
  if s[3] == 1 then return img end
  if s[3] > 4 then fail("data.patches: an image has 1 to 4 channels, got %d", s[3]) end
  return image.to_gray(img)
end

-- The photo seen at 1/scale of its size: patches of h x w pixels cut
-- from it cover scale*h x scale*w pixels of the photo. Shrinking blurs
-- first (sigma (scale - 1) / 2, as skimage.transform.resize's
-- anti-aliasing) so fine texture does not alias.
local function rescaled(gray, scale, h, w)
  local image = require "image"
  local s = gray:shape()
  local H, W = math.floor(s[1] / scale + 0.5), math.floor(s[2] / scale + 0.5)
  if H < h or W < w then
    fail("data.patches: at scale %g a patch covers %gx%g pixels, more than the %dx%d image",
         scale, scale * h, scale * w, s[1], s[2])
  end
  if scale == 1 then return gray end
  if scale > 1 then
    local sigma = (scale - 1) / 2
    local k = image.kernels.gaussian(2 * math.ceil(4 * sigma) + 1, sigma)
    gray = image.filter(gray, k, {padding = "same", border = "reflect"})
  end
  return image.resize(gray, H, W)
end

-- n random patches of a photo, for negatives as the Python Data Science
-- Handbook's face pipeline cuts them (PatchExtractor at several scales):
-- an (n, h, w, 1) gray tensor. opts.size = {h, w} (25x25), opts.scales
-- (default {0.5, 1, 2}: a patch covers scale*h x scale*w pixels of the
-- photo; the n patches are shared out over the scales in turn, the first
-- scales getting the remainder), opts.seed re-seeds the runtime's RNG
-- (tensor.seed) so the same seed gives the same patches.
function data.patches(img, n, opts)
  local T, image = require "tensor", require "image"
  opts = check("data.patches", opts, {size = "number|table",
                                      scales = "number|table", seed = "number"})
  if not is_count(n) then
    fail("data.patches: n must be a positive integer, got %s", tostring(n))
  end
  n = math.tointeger(n)
  local h, w = patch_size(opts.size)
  local scales = patch_scales(opts.scales)
  local gray = gray_image(img)
  if opts.seed ~= nil then
    if math.type(opts.seed) ~= "integer" then
      fail("data.patches: seed must be an integer, got %s", tostring(opts.seed))
    end
    T.seed(opts.seed)
  end
  local out, k = T.zeros(n, h, w, 1), 0
  for i, scale in ipairs(scales) do
    local count = n // #scales + (i <= n % #scales and 1 or 0)
    local src = rescaled(gray, scale, h, w)
    local H, W = src:shape()[1], src:shape()[2]
    local ut, ul = T.rand(math.max(count, 1)), T.rand(math.max(count, 1))
    for j = 1, count do
      local top = math.floor(ut[j] * (H - h + 1)) + 1
      local left = math.floor(ul[j] * (W - w + 1)) + 1
      k = k + 1
      out[k] = image.crop(src, math.min(top, H - h + 1), math.min(left, W - w + 1), h, w)
    end
  end
  return out
end

-- ---- the face project's data set (mini project B1) --------------------------

-- Face-free photos the negatives are cut from, as in the Python Data
-- Science Handbook's face pipeline (data/README.md has their sources).
data.NEGATIVE_PHOTOS = {"camera", "text", "coins", "clock_motion", "ihc",
                        "chelsea", "coffee", "hubble_deep_field", "brick",
                        "grass", "gravel"}

-- The B1 data set both face labs share, so they work on the same split:
-- scikit-image's LFW subset (100 faces, 100 non-faces) plus per_photo
-- random patches from each negative photo (scales 0.5, 1 and 2, seeded).
-- x (N, 25, 25, 1) in [0, 1]; y (N,) with 1 = face, 0 = not a face.
function data.face_dataset(opts)
  opts = check("data.face_dataset", opts, {per_photo = "integer"})
  local per = math.tointeger(opts.per_photo or 30)
  if per < 1 then
    fail("data.face_dataset: per_photo must be at least 1, got %d", per)
  end
  local T, image = require "tensor", require "image"
  local faces = data.faces()
  local parts, total = {faces.x}, faces.x:size(1)
  for i, name in ipairs(data.NEGATIVE_PHOTOS) do
    local img = image.load(data.path("images/" .. name .. ".png"))
    parts[#parts + 1] = data.patches(img, per, {size = {25, 25},
                                                scales = {0.5, 1, 2}, seed = i})
    total = total + per
  end
  local x, y = T.zeros(total, 25, 25, 1), T.zeros(total)
  local at = 0
  for _, p in ipairs(parts) do
    x:slice(1, at + 1, at + p:size(1)):copy(p)
    at = at + p:size(1)
  end
  y:slice(1, 1, faces.y:size(1)):copy(faces.y)
  return {x = x, y = y, class_names = {"not a face", "face"}}
end

-- ---- scikit-learn's small sets and sample generators (datasets.lua) -------
-- data.iris(), data.load_iris() (scikit-learn's name) and the same for
-- wine, breast_cancer, digits, diabetes; data.make_moons{...} and the
-- other generators.
do
  local sets = require "datasets"
  for name, f in pairs(sets) do
    data[name] = f
    local short = name:match("^load_(.*)$")
    if short then data[short] = f end
  end
end

return data
