-- nn_pool_fast.lua - the max pooling binding without index tensors (what
-- MaxPooling2D and GlobalMaxPooling2D run): maxpool2d_forward(x, {idx =
-- false}) gives the maxima alone, maxpool2d_backward(x, nil, dy) finds
-- the winners again in x; both against the torch fixtures and the index
-- path, ties resolved the same way, the layers' gradients against torch's
-- through the index path, and the errors for a bad call.
local tap = require "tap"
local T = require "tensor"
local nn = package.preload["nn.core"] and require "nn.core" or require "nn"

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local fixtures = here .. "../fixtures/nn/"
local function fx(...) return T.load(fixtures .. table.concat({...}, "_") .. ".npy") end

for _, c in ipairs {{"p2s2valid", 2, 2, "valid"}, {"p3s2same", 3, 2, "same"}} do
  local name = c[1]
  local o = {pool_size = c[2], strides = c[3], padding = c[4]}
  local x, dy = fx("pool", name, "x"), fx("pool", name, "dy")
  local what = " = torch (" .. name .. ")"
  local y = nn.maxpool2d_forward(x, {pool_size = c[2], strides = c[3], padding = c[4], idx = false})
  tap.allclose(y, fx("pool", name, "max"), 0, "maxpool2d, idx = false" .. what)
  tap.allclose(nn.maxpool2d_backward(x, nil, dy, o), fx("pool", name, "dmax"), 1e-6,
               "maxpool2d dx, winners found again in x" .. what)
end

-- ties: a few distinct values, so windows hold equal maxima; the index
-- path and the path without indices must route dy to the same cells
T.seed(3)
for _, c in ipairs {{2, 2, "valid"}, {3, 2, "same"}, {2, 1, "valid"}, {3, 3, "same"}} do
  local o = {pool_size = c[1], strides = c[2], padding = c[3]}
  local x = (T.rand(2, 9, 7, 5) * 3):floor()
  local y, idx = nn.maxpool2d_forward(x, o)
  local dy = T.randn(table.unpack(y:shape()))
  local o2 = {pool_size = c[1], strides = c[2], padding = c[3], idx = false}
  local name = ("pool %d stride %d %s"):format(c[1], c[2], c[3])
  tap.allclose(nn.maxpool2d_forward(x, o2), y, 0, "ties: maxima without indices (" .. name .. ")")
  tap.allclose(nn.maxpool2d_backward(x, nil, dy, o), nn.maxpool2d_backward(x, idx, dy, o), 0,
               "ties: dx from x = dx from idx (" .. name .. ")")
end

-- idx = true is the default: y and idx
local y, idx = nn.maxpool2d_forward(T.rand(1, 4, 4, 2), {idx = true})
tap.ok(idx ~= nil and idx:size(2) == 2, "idx = true returns the index tensor")

-- the layers: MaxPooling2D and GlobalMaxPooling2D gradients = the index path
do
  local NN = require "nn"
  local x = (T.rand(3, 6, 6, 4) * 4):floor()
  for _, mk in ipairs {
    {"MaxPooling2D", NN.MaxPooling2D{pool_size = 2, input_shape = {6, 6, 4}}, {pool_size = 2}},
    {"GlobalMaxPooling2D", NN.GlobalMaxPooling2D{input_shape = {6, 6, 4}},
     {pool_size = {6, 6}, strides = {6, 6}}},
  } do
    local m = NN.Sequential{mk[2]}
    local l = m.layers[1]
    local out = l:forward(x, true)
    local dy = T.randn(table.unpack(out:shape()))
    local dx = l:backward(dy)
    local yi, ii = nn.maxpool2d_forward(x, mk[3])
    local want = nn.maxpool2d_backward(x, ii, dy:reshape(table.unpack(yi:shape())), mk[3])
    tap.allclose(out:reshape(table.unpack(yi:shape())), yi, 0, mk[1] .. " forward = index path")
    tap.allclose(dx, want, 0, mk[1] .. " backward = index path (first maximum wins)")
  end
end

-- errors
tap.raises(function() nn.maxpool2d_backward(T.zeros(1, 4, 4, 1), nil, T.zeros(1, 3, 3, 1)) end,
           "dy", "nil idx: dy of the wrong shape is an error")
tap.raises(function() nn.maxpool2d_forward(T.zeros(1, 4, 4, 1), {idx = "no"}) end,
           "idx", "idx must be a tensor or a boolean")

tap.done()
