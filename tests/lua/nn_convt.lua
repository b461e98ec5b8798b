-- nn_convt.lua - Conv2DTranspose, UpSampling2D and Reshape: the kernels
-- against PyTorch (tests/fixtures/make_convt.py: conv_transpose2d and
-- interpolate, forward and backward), the fast path against the naive
-- loops, Keras's output sizes and parameter counts, the errors for bad
-- arguments, a save/load round trip and a small conv autoencoder whose
-- loss falls.
local T, nn, t = require "tensor", require "nn", require "tap"
local K = require "nn.core"
local json_decode = require "frame_json"

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local FX = here .. "../fixtures/convt/"
local function fx(name, what) return T.load(FX .. name .. "_" .. what .. ".npy") end
local cases = json_decode(t.read(FX .. "cases.json"), "cases.json")
local function arr(a) local o = {} for i = 1, a.n do o[i] = a.arr[i] end return o end
local function get(o, k) return o.obj[k] end
local function shape(x) return table.concat(x:shape(), "x") end

-- |got - want| <= 1e-5 * max(1, |want|) element-wise
local function close(got, want, what)
  if shape(got) ~= shape(want) then
    return t.ok(false, what .. ": shape " .. shape(got) .. " vs " .. shape(want))
  end
  local err = ((got - want):abs() / (want:abs():clamp(1, math.huge))):max()
  return t.ok(err <= 1e-5, ("%s (worst relative error %.2g)"):format(what, err))
end

-- ---- Conv2DTranspose against torch ------------------------------------------
for _, c in ipairs(arr(get(cases, "convt"))) do
  local name = get(c, "name")
  local op = get(c, "output_padding")
  local o = {strides = arr(get(c, "strides")), padding = get(c, "padding"),
             output_padding = type(op) == "table" and op.arr and arr(op) or nil}
  for i, v in ipairs(o.strides) do o.strides[i] = math.tointeger(v) end
  if o.output_padding then
    for i, v in ipairs(o.output_padding) do o.output_padding[i] = math.tointeger(v) end
  end
  local x, w, b, dy = fx(name, "x"), fx(name, "w"), fx(name, "b"), fx(name, "dy")
  local y = K.conv2d_transpose_forward(x, w, b, o)
  close(y, fx(name, "y"), name .. ": forward = torch")
  close(K.conv2d_transpose_forward_naive(x, w, b, o), fx(name, "y"), name .. ": naive forward = torch")
  local dx, dw, db = K.conv2d_transpose_backward(x, w, dy, o)
  close(dx, fx(name, "dx"), name .. ": dx = torch")
  close(dw, fx(name, "dw"), name .. ": dw = torch")
  close(db, fx(name, "db"), name .. ": db = torch")
  local ndx, ndw, ndb = K.conv2d_transpose_backward_naive(x, w, dy, o)
  close(ndx, fx(name, "dx"), name .. ": naive dx = torch")
  close(ndw, fx(name, "dw"), name .. ": naive dw = torch")
  -- the layer gives the size torch was cropped to (Keras's rule)
  local want = arr(get(c, "out"))
  local l = nn.Conv2DTranspose{filters = w:size(3), kernel_size = {w:size(1), w:size(2)},
                               strides = o.strides, padding = o.padding,
                               output_padding = o.output_padding,
                               input_shape = {x:size(2), x:size(3), x:size(4)}}
  local m = nn.Sequential{l}
  local s = m.output_shape
  t.ok(s[1] == want[1] and s[2] == want[2] and s[3] == w:size(3),
       name .. ": layer output shape is Keras's")
end

-- with a fused activation, fast = naive
do
  T.seed(3)
  local x, w, b = T.randn(2, 5, 4, 3), T.randn(3, 3, 2, 3), T.randn(2)
  local o = {strides = 2, padding = "same", activation = "elu"}
  local y = K.conv2d_transpose_forward(x, w, b, o)
  close(y, K.conv2d_transpose_forward_naive(x, w, b, o), "elu forward = naive")
  local dy = T.randn(table.unpack(y:shape()))
  local ob = {strides = 2, padding = "same", activation = "elu", y = y}
  local dx, dw, db = K.conv2d_transpose_backward(x, w, dy, ob)
  local ndx, ndw, ndb = K.conv2d_transpose_backward_naive(x, w, dy, ob)
  close(dx, ndx, "elu dx = naive")
  close(dw, ndw, "elu dw = naive")
  close(db, ndb, "elu db = naive")
end

-- ---- UpSampling2D against torch ------------------------------------------------
for _, c in ipairs(arr(get(cases, "upsample"))) do
  local name = get(c, "name")
  local size = arr(get(c, "size"))
  for i, v in ipairs(size) do size[i] = math.tointeger(v) end
  local o = {size = size, interpolation = get(c, "interpolation")}
  local x, dy = fx(name, "x"), fx(name, "dy")
  close(K.upsample2d_forward(x, o), fx(name, "y"), name .. ": forward = torch")
  close(K.upsample2d_backward(x, dy, o), fx(name, "dx"), name .. ": backward = torch")
  local m = nn.Sequential{nn.UpSampling2D{size = size, interpolation = o.interpolation,
                                          input_shape = {x:size(2), x:size(3), x:size(4)}}}
  close(m:predict(x), fx(name, "y"), name .. ": layer = torch")
end

-- ---- parameter counts (Keras's summary of LAB 12-3's decoder) --------------------
do
  local dec = nn.Sequential{
    nn.Dense(9216, {input_shape = {64}, activation = "elu"}),
    nn.Reshape{target_shape = {24, 24, 16}},
    nn.Conv2DTranspose{filters = 16, kernel_size = 3, activation = "elu"},
    nn.Conv2DTranspose{filters = 1, kernel_size = 3, activation = "elu"},
  }
  local counts = {}
  for i, l in ipairs(dec.layers) do counts[i] = l:count_params() end
  t.is(table.concat(counts, ","), "599040,0,2320,145", "decoder parameter counts = Keras's")
  t.is(table.concat(dec.output_shape, ","), "28,28,1", "decoder output 28x28x1")
  t.is(dec.layers[3].kernel.value:size(3), 16, "kernel (kh, kw, out, in)")
  local e = nn.Sequential{nn.Conv2DTranspose(3, 3, {strides = 3, input_shape = {19, 19, 8},
                                                     use_bias = false})}
  t.is(table.concat(e.output_shape, ","), "57,57,3", "strides 3 valid: 19 -> 57")
  t.is(e:count_params(), 3 * 3 * 3 * 8, "no bias: kernel only")
  local r = nn.Sequential{nn.Reshape({-1, 4}, {input_shape = {3, 8}})}
  t.is(table.concat(r.output_shape, ","), "6,4", "Reshape infers -1")
  local x = T.arange(48):reshape(2, 3, 8)
  t.ok(t.maxdiff(r:predict(x), x:reshape(2, 6, 4)) == 0, "Reshape keeps the order of values")
end

-- ---- errors -----------------------------------------------------------------------
local function err_like(f, pat, what)
  local ok, e = pcall(f)
  t.ok(not ok and tostring(e):find(pat), what .. (ok and " (no error)" or (": " .. tostring(e))))
end
err_like(function() nn.Sequential{nn.Reshape{target_shape = {24, 24, 15}, input_shape = {9216}}} end,
         "Reshape 'reshape[_%d]*': cannot reshape an input %(N, 9216%) %(9216 values per sample%) into %(24, 24, 15%)",
         "Reshape size mismatch names the layer")
err_like(function() nn.Sequential{nn.Reshape{-1, 7, input_shape = {10}}} end,
         "not a multiple of 7", "Reshape -1 that does not divide")
err_like(function() nn.Reshape{-1, -1} end, "only one size may be %-1", "two -1s")
err_like(function() nn.Reshape{0, 3} end, "positive integers", "zero size")
err_like(function() nn.Conv2DTranspose{filters = 2, kernel_size = 3, strides = 2, output_padding = 2} end,
         "output_padding {2, 2} must be smaller than the strides {2, 2}", "output_padding >= strides")
err_like(function() nn.Sequential{nn.Conv2DTranspose{filters = 1, kernel_size = 2, strides = 2,
  padding = "same", output_padding = 0, input_shape = {3, 3, 1}}} end,
         "gives a 4x4 output that a 2x2 kernel with strides {2, 2} and padding 'same' does not map back",
         "output_padding TensorFlow refuses")
err_like(function() K.conv2d_transpose_forward(T.zeros(1, 3, 3, 1), T.zeros(2, 2, 1, 1), nil,
  {strides = 2, padding = "same", output_padding = 0}) end,
         "output 4x4 does not map back to the 3x3 input", "kernel: same check")
err_like(function() nn.Conv2DTranspose{filters = 2, kernel_size = 3, paddin = "same"} end,
         "padding", "misspelt option suggests padding")
err_like(function() nn.Sequential{nn.Conv2DTranspose{filters = 2, kernel_size = 3, input_shape = {10}}} end,
         "expects images", "Conv2DTranspose on a flat input")
err_like(function() nn.UpSampling2D{interpolation = "bilinaer"} end, "did you mean 'bilinear'",
         "interpolation typo")
err_like(function() K.conv2d_transpose_forward(T.zeros(1, 4, 4, 3), T.zeros(3, 3, 2, 2)) end,
         "input has 3 channels", "kernel channels mismatch")
err_like(function() K.conv2d_transpose_backward(T.zeros(1, 4, 4, 2), T.zeros(3, 3, 2, 2),
                                                T.zeros(1, 5, 5, 2)) end,
         "dy has shape", "dy of the wrong shape")

-- ---- save / load round trip -------------------------------------------------------
do
  T.seed(11)
  local m = nn.Sequential{
    nn.Reshape({4, 4, 2}, {input_shape = {32}}),
    nn.Conv2DTranspose{filters = 3, kernel_size = 3, strides = 2, padding = "same",
                       output_padding = 1, activation = "relu"},
    nn.UpSampling2D{size = {2, 1}, interpolation = "bilinear"},
    nn.Conv2DTranspose(1, 2, {strides = 1}),
  }
  m:compile{optimizer = "adam", loss = "mse"}
  local x = T.randn(5, 32)
  local path = os.tmpname() .. ".h5"
  m:save(path)
  local m2 = nn.models.load_model(path)
  os.remove(path)
  local classes = {}
  for i, l in ipairs(m2.layers) do classes[i] = l.class end
  t.is(table.concat(classes, ","), "Reshape,Conv2DTranspose,UpSampling2D,Conv2DTranspose",
       "load_model rebuilds the layer classes")
  local l2 = m2.layers[2]
  t.is(table.concat(l2.output_padding, ",") .. " " .. l2.padding .. " " .. l2.activation,
       "1,1 same relu", "Conv2DTranspose config round trip")
  t.is(m2.layers[3].interpolation .. " " .. table.concat(m2.layers[3].size, ","),
       "bilinear 2,1", "UpSampling2D config round trip")
  t.ok(t.maxdiff(m:predict(x), m2:predict(x)) == 0, "same predictions after the round trip")
end

-- ---- a tiny conv autoencoder learns ----------------------------------------------
do
  T.seed(7)
  local n = 64
  -- blobs at random places on 12x12 images
  local x = T.zeros(n, 12, 12, 1)
  for i = 1, n do
    local r, c = math.random(2, 9), math.random(2, 9)
    x:slice(1, i, i):slice(2, r, r + 2):slice(3, c, c + 2):fill(1)
  end
  local ae = nn.Sequential{
    nn.Conv2D(8, 3, {strides = 2, padding = "same", activation = "relu", input_shape = {12, 12, 1}}),
    nn.Flatten(),
    nn.Dense(16, {activation = "relu"}),
    nn.Dense(6 * 6 * 8, {activation = "relu"}),
    nn.Reshape{6, 6, 8},
    nn.Conv2DTranspose{filters = 8, kernel_size = 3, strides = 2, padding = "same", activation = "relu"},
    nn.Conv2DTranspose{filters = 1, kernel_size = 3, padding = "same", activation = "sigmoid"},
  }
  ae:compile{optimizer = "adam", loss = "mse"}
  local h = ae:fit(x, x, {epochs = 30, batch_size = 16, verbose = 0})
  local l = h.history.loss
  t.ok(l[#l] < 0.6 * l[1], ("autoencoder loss falls (%.4f -> %.4f)"):format(l[1], l[#l]))
end

t.done()
