-- image_augment.lua - Keras 2.6's ImageDataGenerator (keras_preprocessing
-- 1.1.2): random rotations, shifts, shears, zooms and flips of images,
-- and an iterator over augmented batches that model:fit accepts.
-- Public as nn.preprocessing.image.ImageDataGenerator, nn.ImageDataGenerator
-- and image.ImageDataGenerator.
--
--   local gen = nn.ImageDataGenerator{rotation_range = 20, zoom_range = 0.1,
--                                     horizontal_flip = true}
--   local params = gen:get_random_transform({28, 28, 1}, seed)
--   local y = gen:apply_transform(img, params)      -- img (H, W, C)
--   local y = gen:random_transform(img[, seed])
--   local it = gen:flow(x, y, {batch_size = 32, shuffle = true, seed = 1})
--   local xb, yb = it:next()                        -- #it batches per epoch
--   model:fit(it, {epochs = 5, steps_per_epoch = #it})
--
-- The warp is image.affine_transform (runtime/image/affine.c), the same
-- order-1 interpolation and edge modes as scipy.ndimage.affine_transform,
-- which Keras calls. The transform matrix is composed as Keras's
-- apply_affine_transform does: rotation, then shift, then shear, then
-- zoom, centred at (h/2 + 0.5, w/2 + 0.5); the flips come after the warp.
-- Random draws come from a generator of this file (splitmix64), so the
-- numbers differ from NumPy's, but a seed gives the same draws every
-- run; without a seed the draws start from the runtime's RNG (tensor.seed).
local T = require "tensor"
local image = require "image"
local options = require "options"
local fail = require "script_error"

local M = {}

-- ---- random numbers ----------------------------------------------------

-- splitmix64 (Steele, Lea, Flood 2014): uniform doubles in [0, 1)
local Rng = {}
Rng.__index = Rng

local function new_rng(seed)
  return setmetatable({s = math.tointeger(seed) or 0}, Rng)
end

function Rng:random()
  local s = self.s + 0x9E3779B97F4A7C15
  self.s = s
  local z = s
  z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
  z = (z ~ (z >> 27)) * 0x94D049BB133111EB
  z = z ~ (z >> 31)
  return (z >> 11) * 2.0 ^ -53
end

function Rng:uniform(lo, hi) return lo + (hi - lo) * self:random() end
function Rng:choice(list) return list[math.floor(self:random() * #list) + 1] end

-- a seed from the runtime's RNG (tensor.seed makes it reproducible)
local function global_seed()
  local r = T.rand({2}, {dtype = "float64"}):totable()
  return (math.floor(r[1] * 2 ^ 31) << 31) | math.floor(r[2] * 2 ^ 31)
end

local function check_seed(fn, seed)
  if seed ~= nil and math.type(seed) ~= "integer" then
    if type(seed) == "number" and seed % 1 == 0 then return math.tointeger(seed) end
    fail("%s: seed must be an integer, got %s", fn, tostring(seed))
  end
  return seed
end

-- ---- the generator -----------------------------------------------------

local IDG = {}
IDG.__index = IDG
IDG.__name = "ImageDataGenerator"

local SPEC = {rotation_range = "number", width_shift_range = "number|table",
              height_shift_range = "number|table", shear_range = "number",
              zoom_range = "number|table", horizontal_flip = "boolean",
              vertical_flip = "boolean", fill_mode = "string", cval = "number",
              rescale = "number", seed = "integer"}
local FILL_MODES = {constant = true, nearest = true, reflect = true, wrap = true}

local function nonneg(fn, what, v)
  if v ~= v or v < 0 or v == math.huge then
    fail("%s: %s must be a finite number >= 0, got %s", fn, what, tostring(v))
  end
  return v
end

-- a shift range: a number (float: uniform in [-r, r); integer: Keras's
-- whole pixels 0..r-1 with a random sign) or a list of values to pick from
local function check_shift(fn, what, v)
  if v == nil then return 0 end
  if type(v) == "table" then
    if #v == 0 then fail("%s: %s must not be an empty list", fn, what) end
    for i, e in ipairs(v) do
      if type(e) ~= "number" or e ~= e or math.abs(e) == math.huge then
        fail("%s: %s entry %d must be a finite number, got %s", fn, what, i, tostring(e))
      end
    end
    return v
  end
  return nonneg(fn, what, v)
end

function M.ImageDataGenerator(o)
  local fn = "ImageDataGenerator"
  o = options.check(fn, o, SPEC)
  local self = setmetatable({}, IDG)
  self.rotation_range = nonneg(fn, "rotation_range", o.rotation_range or 0)
  self.width_shift_range = check_shift(fn, "width_shift_range", o.width_shift_range)
  self.height_shift_range = check_shift(fn, "height_shift_range", o.height_shift_range)
  self.shear_range = nonneg(fn, "shear_range", o.shear_range or 0)
  local z = o.zoom_range or 0
  if type(z) == "number" then
    nonneg(fn, "zoom_range", z)
    self.zoom_range = {1 - z, 1 + z}
  else
    if #z ~= 2 or type(z[1]) ~= "number" or type(z[2]) ~= "number" then
      fail("%s: zoom_range must be a number or a pair {lower, upper}, got a list of %d", fn, #z)
    end
    self.zoom_range = {z[1], z[2]}
  end
  if not (self.zoom_range[1] > 0 and self.zoom_range[2] >= self.zoom_range[1]) then
    fail("%s: zoom_range must give 0 < lower <= upper, got [%g, %g]", fn,
         self.zoom_range[1], self.zoom_range[2])
  end
  self.horizontal_flip = o.horizontal_flip or false
  self.vertical_flip = o.vertical_flip or false
  self.fill_mode = o.fill_mode or "nearest"
  if not FILL_MODES[self.fill_mode] then
    local near = options.nearest(self.fill_mode, {"constant", "nearest", "reflect", "wrap"})
    fail("%s: fill_mode must be 'constant', 'nearest', 'reflect' or 'wrap', got '%s'%s",
         fn, self.fill_mode, near and (" (did you mean '" .. near .. "'?)") or "")
  end
  self.cval = o.cval or 0
  self.rescale = o.rescale
  self.rng = new_rng(o.seed or global_seed())
  return self
end

-- a method called with a dot (gen.flow(x)) or on something else
local function method_check(self, mt, name, how)
  if getmetatable(self) ~= mt then fail("%s: call it as %s:%s(...) on %s", name, how[1], name, how[2]) end
end
local function self_check(self, name) method_check(self, IDG, name, {"gen", "an ImageDataGenerator"}) end

-- the shape as (h, w, c) numbers from a table or a tensor
local function hw_of(fn, shape)
  if T.is_tensor(shape) then shape = shape:shape() end
  if type(shape) ~= "table" or #shape ~= 3 then
    fail("%s: img_shape must be {height, width, channels}, got %s", fn,
         type(shape) == "table" and ("a list of " .. #shape) or type(shape))
  end
  return shape[1], shape[2]
end

local function shift(rng, range, size)
  if range == 0 then return 0 end
  local v
  if type(range) == "table" then
    v = rng:choice(range) * rng:choice({-1, 1})
  elseif math.type(range) == "integer" then
    v = math.floor(rng:random() * range) * rng:choice({-1, 1})
  else
    v = rng:uniform(-range, range)
  end
  local hi = range
  if type(range) == "table" then hi = math.max(table.unpack(range)) end
  if hi < 1 then v = v * size end
  return v
end

-- Keras's draw order: theta, tx (rows), ty (columns), shear, zx and zy,
-- then the two flips (always drawn)
local function draw(self, rng, h, w)
  local p = {}
  p.theta = self.rotation_range ~= 0 and rng:uniform(-self.rotation_range, self.rotation_range) or 0
  p.tx = shift(rng, self.height_shift_range, h)
  p.ty = shift(rng, self.width_shift_range, w)
  p.shear = self.shear_range ~= 0 and rng:uniform(-self.shear_range, self.shear_range) or 0
  local z = self.zoom_range
  if z[1] == 1 and z[2] == 1 then
    p.zx, p.zy = 1, 1
  else
    p.zx, p.zy = rng:uniform(z[1], z[2]), rng:uniform(z[1], z[2])
  end
  p.flip_horizontal = rng:random() < 0.5 and self.horizontal_flip
  p.flip_vertical = rng:random() < 0.5 and self.vertical_flip
  return p
end

function IDG:get_random_transform(img_shape, seed)
  self_check(self, "get_random_transform")
  local h, w = hw_of("get_random_transform", img_shape)
  seed = check_seed("get_random_transform", seed)
  return draw(self, seed and new_rng(seed) or self.rng, h, w)
end

-- 3x3 products
local function mul(a, b)
  local c = {}
  for i = 1, 3 do
    c[i] = {}
    for j = 1, 3 do c[i][j] = a[i][1] * b[1][j] + a[i][2] * b[2][j] + a[i][3] * b[3][j] end
  end
  return c
end

-- the centred 2x2 matrix and offset of apply_affine_transform, or nil
-- when the parameters ask for no warp
function M.affine_matrix(p, h, w)
  local m
  local function comp(k) m = m and mul(m, k) or k end
  local theta, tx, ty = p.theta or 0, p.tx or 0, p.ty or 0
  local shear, zx, zy = p.shear or 0, p.zx or 1, p.zy or 1
  if theta ~= 0 then
    local t = math.rad(theta)
    comp({{math.cos(t), -math.sin(t), 0}, {math.sin(t), math.cos(t), 0}, {0, 0, 1}})
  end
  if tx ~= 0 or ty ~= 0 then comp({{1, 0, tx}, {0, 1, ty}, {0, 0, 1}}) end
  if shear ~= 0 then
    local s = math.rad(shear)
    comp({{1, -math.sin(s), 0}, {0, math.cos(s), 0}, {0, 0, 1}})
  end
  if zx ~= 1 or zy ~= 1 then comp({{zx, 0, 0}, {0, zy, 0}, {0, 0, 1}}) end
  if not m then return nil end
  local ox, oy = h / 2 + 0.5, w / 2 + 0.5
  m = mul(mul({{1, 0, ox}, {0, 1, oy}, {0, 0, 1}}, m), {{1, 0, -ox}, {0, 1, -oy}, {0, 0, 1}})
  return {{m[1][1], m[1][2]}, {m[2][1], m[2][2]}}, {m[1][3], m[2][3]}
end

local IDENTITY, ZERO = {{1, 0}, {0, 1}}, {0, 0}

local function check_params(fn, p)
  if type(p) ~= "table" then fail("%s: transform_parameters must be a table, got %s", fn, type(p)) end
  options.check(fn, p, {theta = "number", tx = "number", ty = "number", shear = "number",
                        zx = "number", zy = "number", flip_horizontal = "boolean",
                        flip_vertical = "boolean"})
end

local function check_image(fn, x, rank)
  if not T.is_tensor(x) then fail("%s: expected a tensor, got %s", fn, type(x)) end
  if x:dim() ~= rank then
    local s = table.concat(x:shape(), ", ")
    if rank == 3 then
      fail("%s: expected one (height, width, channels) image, got shape (%s)%s", fn, s,
           x:dim() == 2 and "; a gray image needs a channel axis: img:reshape(h, w, 1)" or "")
    end
    fail("%s: expected a batch of images (N, height, width, channels), got shape (%s)%s", fn, s,
         x:dim() == 3 and "; a gray batch needs a channel axis: x:reshape(n, h, w, 1)" or "")
  end
  if x.dtype ~= "float32" then
    fail("%s: expected a float32 tensor, got %s (use x:float())", fn, x.dtype)
  end
end

function IDG:apply_transform(x, params)
  self_check(self, "apply_transform")
  check_image("apply_transform", x, 3)
  check_params("apply_transform", params)
  local s = x:shape()
  local m, off = M.affine_matrix(params, s[1], s[2])
  local fv, fh = params.flip_vertical or false, params.flip_horizontal or false
  if not m and not fv and not fh then return x:clone() end
  return image.affine_transform(x, m or IDENTITY, {offset = off or ZERO, mode = self.fill_mode,
                                                   cval = self.cval, flip = {fv, fh}})
end

function IDG:random_transform(x, seed)
  self_check(self, "random_transform")
  check_image("random_transform", x, 3)
  return self:apply_transform(x, self:get_random_transform(x:shape(), seed))
end

-- transformed and rescaled copies of the batch xb (N, H, W, C), one
-- random draw per image from rng
function M.augment_batch(self, xb, rng)
  local s = xb:shape()
  local n, h, w = s[1], s[2], s[3]
  local mats, offs, flips, any = {}, {}, {}, false
  for i = 1, n do
    local p = draw(self, rng, h, w)
    local m, off = M.affine_matrix(p, h, w)
    mats[i], offs[i] = m or IDENTITY, off or ZERO
    flips[i] = {p.flip_vertical, p.flip_horizontal}
    any = any or m ~= nil or p.flip_vertical or p.flip_horizontal
  end
  local out = any and image.affine_transform(xb, mats, {offset = offs, mode = self.fill_mode,
                                                        cval = self.cval, flip = flips})
              or xb:clone()
  if self.rescale and self.rescale ~= 0 then out = out * self.rescale end
  return out
end

-- ---- flow: batches over (x, y) -----------------------------------------

local Flow = {}
Flow.__index = Flow
Flow.__name = "NumpyArrayIterator"
Flow.__len = function(self) return self.num_batches end

local FLOW = {batch_size = "integer", shuffle = "boolean", seed = "integer"}

function IDG:flow(x, y, o)
  self_check(self, "flow")
  if o == nil and type(y) == "table" and not T.is_tensor(y) and next(y) ~= nil and #y == 0 then
    y, o = nil, y   -- flow(x, {batch_size = ...})
  end
  o = options.check("flow", o, FLOW)
  check_image("flow", x, 4)
  local n = x:size(1)
  if y ~= nil then
    if type(y) == "table" and not T.is_tensor(y) then y = T(y) end
    if not T.is_tensor(y) then fail("flow: y must be a tensor, got %s", type(y)) end
    if y:dim() == 0 or y:size(1) ~= n then
      fail("flow: x has %d samples but y has %d", n, y:dim() == 0 and 0 or y:size(1))
    end
  end
  local bs = o.batch_size or 32
  if bs < 1 then fail("flow: batch_size must be a positive integer, got %d", bs) end
  if n == 0 then fail("flow: x has no samples") end
  local it = setmetatable({gen = self, x = x, y = y, n = n, batch_size = bs,
                           shuffle = o.shuffle ~= false,
                           rng = new_rng(o.seed or global_seed()),
                           num_batches = (n + bs - 1) // bs,
                           batch_index = 0, total_batches_seen = 0, epoch = 0}, Flow)
  return it
end

local function flow_check(self, name)
  method_check(self, Flow, name, {"it", "the iterator gen:flow(...) returned"})
end

-- a new order at the start of every epoch (shuffle) or 1..n
local function start_epoch(self)
  local idx = {}
  for i = 1, self.n do idx[i] = i end
  if self.shuffle then
    for i = self.n, 2, -1 do
      local j = math.floor(self.rng:random() * i) + 1
      idx[i], idx[j] = idx[j], idx[i]
    end
  end
  self.index_array = idx
  self.epoch = self.epoch + 1
end

-- the next batch: augmented x (and y as given); endless, epoch after epoch
function Flow:next()
  flow_check(self, "next")
  if self.batch_index == 0 then start_epoch(self) end
  local lo = self.batch_index * self.batch_size + 1
  local hi = math.min(lo + self.batch_size - 1, self.n)
  local rows = table.move(self.index_array, lo, hi, 1, {})
  self.batch_index = hi >= self.n and 0 or self.batch_index + 1
  self.total_batches_seen = self.total_batches_seen + 1
  local xb = M.augment_batch(self.gen, self.x:rows(rows), self.rng)
  if self.y then return xb, self.y:rows(rows) end
  return xb
end

-- start the next call of next() at a fresh epoch
function Flow:reset()
  flow_check(self, "reset")
  self.batch_index = 0
end

function Flow:__tostring()
  return ("NumpyArrayIterator(%d samples, batch_size %d, %d batches per epoch)"):format(
    self.n, self.batch_size, self.num_batches)
end

M.Flow = Flow
-- what model:fit takes for a generator: a flow, or any table (not a
-- tensor) with a next method (g:next() -> xb, yb), its length (#g) the
-- batches per epoch unless fit gets steps_per_epoch
function M.is_flow(v)
  return getmetatable(v) == Flow or
    (type(v) == "table" and not T.is_tensor(v) and type(v.next) == "function")
end

return M
