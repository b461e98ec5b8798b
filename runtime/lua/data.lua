-- data.lua - where the data lives. data.path("images/x.png") is
-- <home>/data/images/x.png, home being the folder of the workbook binary
-- or $WORKBOOK_HOME, so labs find their files from any folder; and the
-- data sets installed by Debian packages, such as Fashion-MNIST.
local sys = require "sys"
local fail = require "script_error"

local data = {}

function data.path(rel)
  if type(rel) ~= "string" or rel == "" then
    error("data.path: expected a file name under data/, got "
          .. tostring(rel), 2)
  end
  local dir = sys.home() .. "/data"
  local path = dir .. "/" .. rel
  if not sys.exists(path) then
    error(("data.path: %s not found (looked in %s/; WORKBOOK_HOME sets "
           .. "the folder that holds data/)"):format(rel, dir), 2)
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
  local ok, x = pcall(idx.load, ipath, 1 / 255)
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
  local dir = type(opts) == "table" and opts.dir or nil
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

return data
