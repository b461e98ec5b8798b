-- nn_weights.lua - a model's weight files: the workbook's own format
-- (.wbw, any name not ending in .h5/.hdf5) and Keras 2's HDF5 layout
-- (keras_h5.lua). Files are written through sys.atomic_write, so an
-- error or an interrupt never leaves half a file behind.
--
--   W.save(model, path [, {save_format = "h5" | "wbw"}])
--   W.load(model, path [, {by_name = true}])  (.h5: match layers by name)
--   W.h5_layers(model) -> the layers as keras_h5 matches them
local T = require "tensor"
local B = require "nn_base"
local sys = require "sys"

local fail, shape_str = B.fail, B.shape_str

local W = {}

local MAGIC, VERSION = "WBWEIGHT", 1

local function is_h5(path) return path:match("%.h5$") or path:match("%.hdf5$") end

-- The layers as keras_h5 matches them: a nested model is one entry
-- holding all its weights, each marked trainable as training sees it.
function W.h5_layers(model)
  local out = {}
  for _, l in ipairs(model.layers) do
    if l.is_model then
      local ws = {}
      for _, w in ipairs(l:weights()) do
        ws[#ws + 1] = {name = w.name, value = w.value, trainable = false}
      end
      for _, w in ipairs(l:weights(true)) do
        for _, e in ipairs(ws) do if e.value == w.value then e.trainable = true end end
      end
      out[#out + 1] = {name = l.name, weights = ws, trainable = true}
    else
      out[#out + 1] = l
    end
  end
  return out
end

-- File: magic, version (u32), count (u32); per weight: name (s4),
-- ndim (u32), sizes (i64 each), float32 data.
local function wbw_bytes(model)
  local ws = model:weights()
  local parts = {MAGIC, string.pack("<I4I4", VERSION, #ws)}
  for _, w in ipairs(ws) do
    local s = w.value:shape()
    parts[#parts + 1] = string.pack("<s4I4", w.name, #s)
    for _, d in ipairs(s) do parts[#parts + 1] = string.pack("<i8", d) end
    parts[#parts + 1] = w.value:tobytes()
  end
  return table.concat(parts)
end

local SAVE = {save_format = "string"}

function W.save(model, path, o)
  o = B.check("save_weights", o, SAVE)
  if type(path) ~= "string" then fail("save_weights: a file path is required") end
  -- an interrupt meanwhile names the save (after what was going on)
  local prev = sys.doing()
  sys.doing((prev and prev .. ", " or "") .. "save_weights to " .. path)
  local _ <close> = setmetatable({}, {__close = function() sys.doing(prev) end})
  local format = o.save_format or (is_h5(path) and "h5" or "wbw")
  if format ~= "h5" and format ~= "wbw" then
    fail("save_weights: save_format must be 'h5' or 'wbw', got '%s'", tostring(format))
  end
  if format == "h5" then
    -- Keras 2's layout, which Keras (and load_weights here) reads back
    if not model.built then fail("save_weights: build the model first (give input_shape)") end
    require("keras_h5").save_from(W.h5_layers(model), path)
    return
  end
  local data = wbw_bytes(model)
  sys.atomic_write(path, function(tmp)
    local f, err = io.open(tmp, "wb")
    if not f then fail("save_weights: cannot write %s: %s", path, err) end
    local ok, werr = f:write(data)
    local closed, cerr = f:close()
    if not ok or not closed then
      fail("save_weights: cannot write %s: %s", path, tostring(werr or cerr))
    end
  end)
end

-- the values of a .wbw file, checked against the model's weights ws
local function read_wbw(path, data, ws)
  if data:sub(1, #MAGIC) ~= MAGIC then
    fail("load_weights: %s is not a workbook weights file", path)
  end
  local pos = #MAGIC + 1
  local function need(n, what)
    if pos + n - 1 > #data then fail("load_weights: %s is truncated (in %s)", path, what) end
  end
  need(8, "the header")
  local version, count
  version, count, pos = string.unpack("<I4I4", data, pos)
  if version ~= VERSION then
    fail("load_weights: %s has format version %d, this workbook reads %d", path, version, VERSION)
  end
  if count ~= #ws then
    fail("load_weights: %s holds %d weight tensors, the model has %d", path, count, #ws)
  end
  local vals = {}
  for i = 1, count do
    need(4, "weight " .. i)
    local namelen = string.unpack("<I4", data, pos)
    need(8 + namelen, "weight " .. i)
    local name, nd
    name, nd, pos = string.unpack("<s4I4", data, pos)
    need(8 * nd, name)
    local shape, numel = {}, 1
    for d = 1, nd do shape[d], pos = string.unpack("<i8", data, pos); numel = numel * shape[d] end
    local want = ws[i].value:shape()
    if table.concat(shape, ",") ~= table.concat(want, ",") then
      fail("load_weights: weight %d (%s) has shape %s in the file, the model's %s is %s",
           i, name, shape_str(shape), ws[i].name, shape_str(want))
    end
    need(4 * numel, name)
    vals[i] = T.frombytes(data:sub(pos, pos + 4 * numel - 1), shape)
    pos = pos + 4 * numel
  end
  if pos <= #data then fail("load_weights: %s has unexpected data after the last weight", path) end
  return vals
end

function W.load(model, path, o)
  o = B.check("load_weights", o, {by_name = "boolean"}) or {}
  if type(path) ~= "string" then fail("load_weights: a file path is required") end
  if is_h5(path) then
    -- a Keras 2 weights file, matched layer by layer as Keras does
    if not model.built then fail("load_weights: build the model first (give input_shape)") end
    require("keras_h5").load_into(W.h5_layers(model), path, o.by_name)
    return
  end
  if o.by_name then fail("load_weights: by_name needs a Keras .h5 file, got %s", path) end
  local f, err = io.open(path, "rb")
  if not f then fail("load_weights: cannot open %s", err) end
  local data, rerr = f:read("a")
  f:close()
  -- a directory opens but does not read
  if not data then fail("load_weights: cannot read %s: %s", path, rerr or "not a file") end
  local ws = model:weights()
  local vals = read_wbw(path, data, ws)
  for i, w in ipairs(ws) do w.value:copy(vals[i]) end
end

return W
