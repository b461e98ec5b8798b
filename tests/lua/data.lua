-- data.lua - the data sets: Fashion-MNIST from Debian's package (shapes,
-- values, the known first labels) and the errors for a missing, a
-- truncated and a corrupt file; data.path.
local t = require "tap"
local data = require "data"

local fm = data.fashion_mnist()
t.is(table.concat(fm.train.x:shape(), ","), "60000,28,28,1", "train x (60000, 28, 28, 1)")
t.is(table.concat(fm.test.x:shape(), ","), "10000,28,28,1", "test x (10000, 28, 28, 1)")
t.is(table.concat(fm.train.y:shape(), ","), "60000", "train y (60000,)")
t.ok(fm.train.x:min() == 0 and fm.train.x:max() == 1, "pixels scaled to [0, 1]")
t.near(fm.train.x:mean(), 0.2860, 1e-4, "mean pixel is Fashion-MNIST's 0.2860")
t.is(table.concat(fm.train.y:slice(1, 1, 6):totable(), ","), "9.0,0.0,0.0,3.0,0.0,2.0",
     "first labels 9 0 0 3 0 2 (0-based ids, as in the files)")
t.is(fm.class_names[9 + 1], "Ankle boot", "class_names[id + 1]")
t.ok(data.fashion_mnist() == fm, "loaded once per run")
-- pixels are byte / 255 in float32, as NumPy's x.astype(np.float32) / 255
-- (multiplying by 1/255 is one ulp off for 126 of the 256 byte values)
do
  local raw = require("idx").load("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
  local T = require "tensor"
  local want = raw / 255
  local got = fm.test.x:reshape(10000, 28, 28)
  t.ok(T.equal and T.equal(got, want) or (got - want):abs():max() == 0,
       "test pixels equal raw bytes / 255 exactly")
  t.raises(function() require("idx").load("x", {divde = 255}) end, "did you mean 'divide'",
           "idx.load: a misspelt option is named")
end
local counts = {}
for i = 1, 10000 do local c = fm.test.y[i]; counts[c] = (counts[c] or 0) + 1 end
t.ok(counts[0] == 1000 and counts[9] == 1000, "1,000 test images per class")

-- broken copies in a temp folder
local dir = os.tmpname()
os.remove(dir)
os.execute("mkdir -p " .. dir)
t.raises(function() data.fashion_mnist{dir = dir} end,
         "train%-images%-idx3%-ubyte.gz not found .*apt%-get install dataset%-fashion%-mnist",
         "missing files say how to install them")
local src = "/usr/share/datasets/fashion-mnist/"
for _, f in ipairs({"train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) do
  os.execute(("cp %s%s %s/"):format(src, f, dir))
end
-- the training images cut short: a truncated gzip stream
os.execute(("head -c 100000 %strain-images-idx3-ubyte.gz > %s/train-images-idx3-ubyte.gz"):format(src, dir))
t.raises(function() data.fashion_mnist{dir = dir} end,
         "train%-images%-idx3%-ubyte.gz: truncated file", "truncated file named")
-- garbage instead of gzip
local f = io.open(dir .. "/train-images-idx3-ubyte.gz", "wb")
f:write(("not an idx file at all "):rep(10))
f:close()
t.raises(function() data.fashion_mnist{dir = dir} end,
         "train%-images%-idx3%-ubyte.gz: not an IDX file", "corrupt file named")
os.execute("rm -rf " .. dir)

-- data.path
t.ok(data.path("images/astronaut.png"):find("data/images/astronaut.png$") ~= nil, "data.path finds a shipped file")
t.raises(function() data.path("images/nope.png") end, "images/nope.png not found", "data.path of a missing file")
t.done()
