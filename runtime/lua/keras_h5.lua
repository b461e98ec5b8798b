-- keras_h5.lua - load a Keras 2 HDF5 weight file into a model's layers,
-- matched as Keras's load_weights does for Sequential and functional
-- models (hdf5_format.load_weights_from_hdf5_group): by order, counting
-- only the layers that have weights, on both sides. Every count and
-- shape is checked before any value changes, so a failed load leaves
-- the model as it was.
--
--   keras_h5.load_into(layers, path [, by_name]) -> number of layers
--     loaded; by_name matches layers by name instead of by order
--   keras_h5.save_from(layers, path)  writes them as Keras's save_weights
--     does: every layer in order (those without weights too), each one's
--     weights in legacy order; through sys.atomic_write (a temporary
--     file renamed into place, removed on an error or an interrupt)
--
-- layers: the model's layers in Keras's order (model.layers), each with
-- .name and .weights, a list of {name = "dense/kernel:0", value = tensor,
-- trainable = ...}.
local h5 = require "h5"
local sys = require "sys"
local fail = require "script_error"

local M = {}

local function shape_str(s)
  return "(" .. table.concat(s, ", ") .. (#s == 1 and ",)" or ")")
end

-- a message without its leading "file:line: " (fail adds the script's)
local function unpositioned(msg)
  return (tostring(msg):gsub("^[^:\n ]*:%d+: ", "", 1))
end

local function plural(n, word)
  return ("%d %s%s"):format(n, word, n == 1 and "" or "s")
end

-- Keras saves and loads a layer's weights in its _legacy_weights order:
-- trainable ones first, then the rest, each group in layer order. For a
-- single layer that is its own order (BatchNormalization: gamma, beta,
-- moving_mean, moving_variance); it matters for a nested model.
local function legacy_order(layer)
  local first, rest = {}, {}
  for _, w in ipairs(layer.weights) do
    local trainable = layer.trainable ~= false and w.trainable ~= false
    local into = trainable and first or rest
    into[#into + 1] = w
  end
  table.move(rest, 1, #rest, #first + 1, first)
  return first
end

local function check_layers(layers)
  if type(layers) ~= "table" then
    fail("load_weights: a list of layers is required, got %s", type(layers))
  end
  for i, l in ipairs(layers) do
    if type(l) ~= "table" or type(l.weights) ~= "table" then
      fail("load_weights: layer %d has no weights list", i)
    end
  end
end

-- the layers that have weights, model side and file side
local function with_weights(layers, order)
  local out = {}
  for _, l in ipairs(layers) do
    if #l.weights > 0 then
      out[#out + 1] = {name = l.name,
                       weights = order and order(l) or l.weights}
    end
  end
  return out
end

local function read(path)
  local ok, file = pcall(h5.read_keras_weights, path)
  if not ok then
    fail("load_weights: %s", unpositioned(file))
  end
  -- Theano files hold flipped convolution kernels (Keras converts them);
  -- loading them as they are would give silently wrong answers
  if file.backend == "theano" then
    fail("load_weights: %s was saved with the Theano backend, whose " ..
         "convolution kernels are flipped; use the TensorFlow weights file",
         path)
  end
  return file
end

local function check_pair(path, k, fl, ml)
  if #fl.weights ~= #ml.weights then
    fail("load_weights: %s: layer #%d with weights, '%s' in the file, " ..
         "holds %s; the model's layer '%s' has %s", path, k, fl.name,
         plural(#fl.weights, "weight"), ml.name,
         plural(#ml.weights, "weight"))
  end
  for j, fw in ipairs(fl.weights) do
    local mw = ml.weights[j]
    local fs, ms = fw.value:shape(), mw.value:shape()
    if shape_str(fs) ~= shape_str(ms) then
      fail("load_weights: %s: layer '%s': weight '%s' has shape %s in the " ..
           "file, the model's layer '%s' expects %s for '%s'", path,
           fl.name, fw.name, shape_str(fs), ml.name, shape_str(ms), mw.name)
    end
  end
end

-- by_name (Keras's load_weights(by_name=True)): each of the model's
-- layers takes the file's layer of the same name; layers the file does
-- not name keep their weights. Counts and shapes are checked first.
local function load_by_name(path, fls, mls)
  local byname = {}
  for _, fl in ipairs(fls) do byname[fl.name] = fl end
  local pairs_, n = {}, 0
  for _, ml in ipairs(mls) do
    local fl = byname[ml.name]
    if fl then
      n = n + 1
      check_pair(path, n, fl, ml)
      pairs_[#pairs_ + 1] = {fl, ml}
    end
  end
  if n == 0 then
    fail("load_weights: %s: no layer name in the file matches the model's (by_name)", path)
  end
  for _, p in ipairs(pairs_) do
    for j, fw in ipairs(p[1].weights) do p[2].weights[j].value:copy(fw.value) end
  end
  return n
end

function M.load_into(layers, path, by_name)
  check_layers(layers)
  if type(path) ~= "string" then
    fail("load_weights: a file path is required, got %s", type(path))
  end
  return M.load_file(layers, read(path), path, by_name)
end

-- the same for a file read already (h5.read_keras_weights's list)
function M.load_file(layers, file, path, by_name)
  local fls, mls = with_weights(file), with_weights(layers, legacy_order)
  if by_name then return load_by_name(path, fls, mls) end
  if #fls ~= #mls then
    fail("load_weights: %s: the file holds weights for %s, the model has " ..
         "%s with weights", path, plural(#fls, "layer"),
         plural(#mls, "layer"))
  end
  for k = 1, #fls do check_pair(path, k, fls[k], mls[k]) end
  for k = 1, #fls do
    for j, fw in ipairs(fls[k].weights) do
      mls[k].weights[j].value:copy(fw.value)
    end
  end
  return #fls
end

M.legacy_order, M.unpositioned = legacy_order, unpositioned

function M.save_from(layers, path)
  check_layers(layers)
  if type(path) ~= "string" then
    fail("save_weights: a file path is required, got %s", type(path))
  end
  local out = {}
  for i, l in ipairs(layers) do
    local ws = {}
    for j, w in ipairs(legacy_order(l)) do
      ws[j] = {name = w.name, value = w.value}
    end
    out[i] = {name = l.name, weights = ws}
  end
  -- the writer fails with the h5 module's message, positioned at the
  -- script's line already; it is rephrased as save_weights'
  sys.atomic_write(path, function(tmp)
    local ok, err = pcall(h5.write_keras_weights, tmp, out)
    if not ok then fail("save_weights: %s", unpositioned(err)) end
  end)
end

return M
