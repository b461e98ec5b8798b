-- image_augment.lua - image.affine_transform and nn.ImageDataGenerator:
--   the warp against scipy.ndimage.affine_transform(order=1) in every
--   mode (tests/fixtures/augment, made by make_augment.py with SciPy
--   1.10), batched with per-image matrices, offsets and flips;
--   apply_transform for given parameters against Keras 2.6's
--   apply_affine_transform + flips (the same fixtures) within 1e-5;
--   random parameters reproducible with a seed and inside their ranges;
--   flow covers every sample once per epoch, in a new order each epoch;
--   model:fit on a flow trains a tiny model; bad input as errors at the
--   script's line.
local T = require "tensor"
local image = require "image"
local nn = require "nn"
local t = require "tap"

local root = arg[0]:match("^(.*)/tests/lua/[^/]*$") or "."
local F = root .. "/tests/fixtures/augment/"
local E = dofile(F .. "expected.lua")
local img, warp = T.load(F .. "img.npy"), T.load(F .. "warp.npy")
local kimg, keras = T.load(F .. "kimg.npy"), T.load(F .. "keras.npy")

-- ---- the warp against SciPy ------------------------------------------
for a, mode in ipairs(E.modes) do
  local worst = 0
  for b, c in ipairs(E.cases) do
    local out = image.affine_transform(img, c[1], {offset = c[2], mode = mode, cval = -0.25})
    worst = math.max(worst, (out - warp[a][b]):abs():max())
  end
  t.ok(worst <= 1e-5, ("affine_transform %s: %d warps of 7x9x2 as scipy.ndimage (max |diff| %g)")
       :format(mode, #E.cases, worst))
end

-- a batch with one matrix and offset per image; 2x3 and 3x3 matrices
do
  local n = #E.cases
  local batch = T.zeros(n, 7, 9, 2)
  local mats, offs, m23 = {}, {}, {}
  for b, c in ipairs(E.cases) do
    batch[b]:copy(img)
    mats[b], offs[b] = c[1], c[2]
    m23[b] = {{c[1][1][1], c[1][1][2], c[2][1]}, {c[1][2][1], c[1][2][2], c[2][2]}}
  end
  local out = image.affine_transform(batch, mats, {offset = offs, mode = "reflect", cval = -0.25})
  local out23 = image.affine_transform(batch, T(m23), {mode = "reflect", cval = -0.25})
  t.ok((out - warp[3]):abs():max() <= 1e-5 and (out23 - warp[3]):abs():max() <= 1e-5,
       "a batch with per-image matrices and offsets (2x2 + offset, 2x3) equals the single warps")
  local c = E.cases[6]
  local m33 = {{c[1][1][1], c[1][1][2], c[2][1]}, {c[1][2][1], c[1][2][2], c[2][2]}, {0, 0, 1}}
  t.ok((image.affine_transform(img, m33, {mode = "wrap", cval = -0.25}) - warp[4][6]):abs():max() <= 1e-5,
       "a 3x3 homogeneous matrix carries the offset")
  local gray = image.affine_transform(img:slice(3, 1, 1):reshape(7, 9), c[1], {offset = c[2], mode = "nearest", cval = -0.25})
  t.ok(#gray:shape() == 2 and (gray - warp[2][6]:slice(3, 1, 1):reshape(7, 9)):abs():max() <= 1e-5,
       "an HxW image stays HxW")
  local fl = image.affine_transform(img, c[1], {offset = c[2], mode = "nearest", flip = {true, false}})
  local plain = image.affine_transform(img, c[1], {offset = c[2], mode = "nearest"})
  t.ok((fl - plain:flip(1)):abs():max() == 0, "flip = {true, false} reverses the rows of the result")
end

-- ---- Keras's transforms for given parameters --------------------------
do
  local worst = 0
  for i, p in ipairs(E.params) do
    local gen = nn.ImageDataGenerator{fill_mode = p.fill_mode or "nearest", cval = p.cval or 0}
    local out = gen:apply_transform(kimg, {theta = p.theta, tx = p.tx, ty = p.ty, shear = p.shear,
                                           zx = p.zx, zy = p.zy, flip_horizontal = p.flip_h,
                                           flip_vertical = p.flip_v})
    local d = (out - keras[i]):abs():max()
    worst = math.max(worst, d)
    if d > 1e-5 then t.diag(("parameter set %d: max |diff| %g"):format(i, d)) end
  end
  t.ok(worst <= 1e-5, ("apply_transform: %d parameter sets on 12x10x3 as Keras's apply_affine_transform (max |diff| %g)")
       :format(#E.params, worst))
  local gen = nn.ImageDataGenerator{}
  t.ok((gen:apply_transform(kimg, {}) - kimg):abs():max() == 0, "no parameters: the image unchanged")
end

-- ---- random parameters -----------------------------------------------
do
  local gen = nn.ImageDataGenerator{rotation_range = 30, width_shift_range = 0.2,
                                    height_shift_range = 3.0, shear_range = 10,
                                    zoom_range = 0.25, horizontal_flip = true}
  local a, b = gen:get_random_transform({28, 32, 1}, 7), gen:get_random_transform({28, 32, 1}, 7)
  local same = true
  for k, v in pairs(a) do same = same and b[k] == v end
  t.ok(same, "get_random_transform with a seed gives the same parameters twice")
  local c = gen:get_random_transform({28, 32, 1}, 8)
  t.ok(c.theta ~= a.theta, "another seed gives other parameters")
  local inside, hflips, vflips, zxy = true, 0, 0, true
  local N = 400
  for s = 1, N do
    local p = gen:get_random_transform({28, 32, 1})
    inside = inside and math.abs(p.theta) <= 30 and math.abs(p.shear) <= 10
      and math.abs(p.ty) <= 0.2 * 32 and math.abs(p.tx) <= 3
      and p.zx >= 0.75 and p.zx <= 1.25 and p.zy >= 0.75 and p.zy <= 1.25
    zxy = zxy and p.zx ~= p.zy
    if p.flip_horizontal then hflips = hflips + 1 end
    if p.flip_vertical then vflips = vflips + 1 end
  end
  t.ok(inside, "400 draws inside their ranges (width shift as a fraction of the width, height shift in pixels)")
  t.ok(zxy, "zoom drawn independently for x and y")
  t.ok(hflips > 150 and hflips < 250 and vflips == 0,
       ("horizontal flips about half the time (%d of %d), vertical never"):format(hflips, N))
  -- an integer range picks whole pixels below it with a random sign
  local gi = nn.ImageDataGenerator{width_shift_range = 2, seed = 1}
  local seen = {}
  for _ = 1, 100 do seen[gi:get_random_transform({8, 8, 1}).ty] = true end
  t.ok(seen[-1] and seen[0] and seen[1] and not seen[2] and not seen[-2],
       "width_shift_range = 2 (an integer) gives -1, 0, +1 pixels, as Keras")
  local gl = nn.ImageDataGenerator{height_shift_range = {-0.5, 0.25}, seed = 1}
  local okl = true
  for _ = 1, 50 do
    local v = gl:get_random_transform({8, 8, 1}).tx
    okl = okl and (math.abs(math.abs(v) - 4) < 1e-12 or math.abs(math.abs(v) - 2) < 1e-12)
  end
  t.ok(okl, "a list of fractions: a pick times a random sign, times the height")
  -- random_transform with a seed = apply_transform of those parameters
  local x = kimg
  local r1 = gen:random_transform(x, 11)
  local r2 = gen:apply_transform(x, gen:get_random_transform(x:shape(), 11))
  t.ok((r1 - r2):abs():max() == 0, "random_transform(x, seed) = apply_transform(x, get_random_transform(shape, seed))")
  -- the same generator seed: the same sequence
  local g1 = nn.ImageDataGenerator{rotation_range = 30, seed = 5}
  local g2 = nn.ImageDataGenerator{rotation_range = 30, seed = 5}
  t.ok((g1:random_transform(x) - g2:random_transform(x)):abs():max() == 0,
       "two generators with one seed give the same transforms")
end

-- ---- flow --------------------------------------------------------------
do
  local n = 23
  local x = T.zeros(n, 4, 4, 1)
  for i = 1, n do x[i]:fill(i) end
  local y = T.arange(1, n + 1)
  local gen = nn.ImageDataGenerator{horizontal_flip = true, rescale = 0.5}
  local it = gen:flow(x, y, {batch_size = 5, seed = 3})
  t.is(#it, 5, "#flow = number of batches (23 samples, batch_size 5)")
  local orders = {}
  local all_ok = true
  for epoch = 1, 3 do
    local count, order = {}, {}
    for b = 1, #it do
      local xb, yb = it:next()
      all_ok = all_ok and xb:size(1) == (b < 5 and 5 or 3)
      for i = 1, yb:size(1) do
        local id = math.tointeger(yb[i])
        count[id] = (count[id] or 0) + 1
        order[#order + 1] = id
        -- x travels with its y, rescaled (flips do not change a constant image)
        all_ok = all_ok and math.abs(xb[i]:mean() - id * 0.5) < 1e-6
      end
    end
    local once = true
    for i = 1, n do once = once and count[i] == 1 end
    t.ok(once and all_ok, ("epoch %d: every sample exactly once, x with its y, rescaled"):format(epoch))
    orders[epoch] = table.concat(order, ",")
  end
  t.ok(orders[1] ~= orders[2] and orders[2] ~= orders[3], "a new order every epoch")
  local it2 = gen:flow(x, y, {batch_size = 5, seed = 3})
  local function ids(v)
    local out = {}
    for i, e in ipairs(v:totable()) do out[i] = math.tointeger(e) end
    return table.concat(out, ",")
  end
  local _, yb = it2:next()
  t.is(ids(yb), orders[1]:match("^([^,]+,[^,]+,[^,]+,[^,]+,[^,]+)"),
       "the same seed gives the same first batch")
  local it3 = gen:flow(x, y, {batch_size = 5, shuffle = false})
  _, yb = it3:next()
  t.is(ids(yb), "1,2,3,4,5", "shuffle = false keeps the order")
  local xo = gen:flow(x, {batch_size = 30}):next()
  t.is(xo:size(1), 23, "flow(x) without y gives x batches only")
end

-- ---- fit on a flow -----------------------------------------------------
do
  T.seed(4)
  local n = 96
  -- class 1: a bright left half, class 0: a bright right half; flips
  -- would swap them, so this generator only rotates and shifts
  local x = T.rand(n, 8, 8, 1) * 0.2
  local y = T.zeros(n)
  for i = 1, n do
    local cls = i % 2
    y[i] = cls
    local half = x[i]:slice(2, cls == 1 and 1 or 5, cls == 1 and 4 or 8)
    half:copy(half + 0.8)
  end
  local gen = nn.ImageDataGenerator{rotation_range = 10, width_shift_range = 0.1, seed = 2}
  local it = gen:flow(x, y, {batch_size = 16, seed = 1})
  local m = nn.Sequential{nn.Flatten(), nn.Dense(16, {activation = "relu"}),
                          nn.Dense(1, {activation = "sigmoid"})}
  m:compile{optimizer = nn.optimizers.Adam{learning_rate = 0.01}, loss = "binary_crossentropy",
            metrics = {"accuracy"}}
  local h = m:fit(it, {epochs = 8, verbose = 0, validation_data = {x, y}})
  local loss = h.history.loss
  t.ok(#loss == 8 and loss[8] < 0.5 * loss[1],
       ("fit(flow): the loss falls from %.3f to %.3f in 8 epochs"):format(loss[1], loss[8]))
  t.ok(h.history.val_accuracy[8] >= 0.9, ("validation accuracy %.2f"):format(h.history.val_accuracy[8]))
  h = m:fit(it, {epochs = 1, steps_per_epoch = 2, verbose = 0})
  t.is(h.params.steps, 2, "steps_per_epoch sets the steps of an epoch")
  t.raises(function() m:fit(it, {epochs = 1, batch_size = 4}) end, "unknown option 'batch_size'",
           "fit(flow, {batch_size}): batch_size belongs to flow")
  t.raises(function() m:fit(gen:flow(x, {batch_size = 8}), {epochs = 1, verbose = 0}) end,
           "gives no targets", "fit on a flow without y")
  -- any table with next: an autoencoder-style wrapper (input = target)
  local fx = gen:flow(x, {batch_size = 16, seed = 1})
  local seen = 0
  local wrap = {next = function() local xb = fx:next(); seen = seen + 1; return xb, xb:reshape(xb:size(1), 64) end}
  local ae = nn.Sequential{nn.Flatten(), nn.Dense(64)}
  ae:compile{optimizer = "adam", loss = "mse"}
  h = ae:fit(wrap, {epochs = 2, steps_per_epoch = 3, verbose = 0})
  t.ok(seen == 6 and #h.history.loss == 2, "fit on a table with next: steps_per_epoch batches per epoch")
  t.raises(function() ae:fit(wrap, {epochs = 1, verbose = 0}) end, "give steps_per_epoch",
           "a generator without a length needs steps_per_epoch")
end

-- ---- bad input ----------------------------------------------------------
do
  t.raises(function() nn.ImageDataGenerator{rotation_rang = 3} end, "did you mean 'rotation_range'",
           "a misspelt option")
  t.raises(function() nn.ImageDataGenerator{fill_mode = "reflct"} end, "did you mean 'reflect'",
           "a misspelt fill mode")
  t.raises(function() nn.ImageDataGenerator{zoom_range = {1.2, 0.8}} end, "0 < lower <= upper",
           "zoom_range upside down")
  t.raises(function() nn.ImageDataGenerator{rotation_range = -5} end, ">= 0", "a negative range")
  local gen = nn.ImageDataGenerator{rotation_range = 5}
  t.raises(function() gen:random_transform(T.rand(8, 8)) end, "needs a channel axis", "an HxW image")
  t.raises(function() gen:random_transform(T.rand(8, 8, 1):double()) end, "float32", "a float64 image")
  t.raises(function() gen:flow(T.rand(4, 8, 8)) end, "batch of images", "flow of rank 3")
  t.raises(function() gen:flow(T.rand(4, 8, 8, 1), T.zeros(3)) end, "4 samples but y has 3",
           "x and y of different lengths")
  t.raises(function() gen:flow(T.rand(4, 8, 8, 1), nil, {batchsize = 2}) end, "did you mean 'batch_size'",
           "a misspelt flow option")
  t.raises(function() gen:apply_transform(T.rand(8, 8, 1), {thetta = 3}) end, "did you mean 'theta'",
           "a misspelt transform parameter")
  t.raises(function() gen.random_transform(T.rand(8, 8, 1)) end, "gen:random_transform",
           "called with a dot")
  t.raises(function() image.affine_transform(T.rand(5, 5), {{1, 0}, {0, 1}}, {mode = "grid-wrap"}) end,
           "mode must be", "an unknown mode")
  t.raises(function() image.affine_transform(T.rand(5, 5), {{1, 0}, {0, 1}}, {order = 3}) end,
           "only order = 1", "order 3")
  t.raises(function() image.affine_transform(T.rand(5, 5), {{1, 0}, {0, 0 / 0}}) end,
           "must be finite", "a NaN matrix")
  t.raises(function() image.affine_transform(T.rand(5, 5), {1, 2, 3}) end, "2x2, 2x3 or 3x3",
           "a matrix of the wrong shape")
  t.raises(function() image.affine_transform(T.rand(5, 5), {{1, 0}, {0, 1}}, {ofset = 1}) end,
           "did you mean 'offset'", "a misspelt warp option")
  t.raises(function() image.affine_transform(T.rand(2, 5, 5, 1), {{1, 0}, {0, 1}}, {offset = {{1, 2}}}) end,
           "offset must be", "offsets for the wrong number of images")
  t.raises(function() image.affine_transform(T.rand(5), {{1, 0}, {0, 1}}) end,
           "HxW, HxWxC or NxHxWxC", "a 1-d tensor")
end

t.done()
