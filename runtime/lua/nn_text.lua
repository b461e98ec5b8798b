-- nn_text.lua - the text a Keras 2.6 user sees: model:summary() and the
-- fit progress bar, reproduced character for character so a student can
-- hold our output beside the course's Colab output.
local sys = require "sys"

local M = {}

-- 1234567 -> "1,234,567" (Python's '{:,}')
function M.commas(n)
  local s = tostring(math.floor(n))
  local sign, digits = s:match("^(-?)(%d+)$")
  digits = digits:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
  return sign .. digits
end

-- (None, 28, 28, 32), as Python prints a tuple with None for the batch
function M.shape_str(shape)
  local parts = {"None"}
  for _, s in ipairs(shape) do parts[#parts + 1] = tostring(s) end
  return "(" .. table.concat(parts, ", ") .. ")"
end

-- Keras's print_row: each field is cut at its column's end, and every
-- field after the first overwrites the previous column's last character
-- with a space (so names show at most 28 of their 29 columns).
function M.row(fields, positions)
  local line = ""
  for i, f in ipairs(fields) do
    if i > 1 then line = line:sub(1, -2) .. " " end
    line = (line .. tostring(f)):sub(1, positions[i])
    line = line .. string.rep(" ", positions[i] - #line)
  end
  return line
end

-- rows: {name, type, shape, params}; counts: trainable, non-trainable
function M.summary(model_name, rows, trainable, non_trainable, print_fn)
  print_fn = print_fn or print
  local width = 65
  local pos = {math.floor(width * 0.45), math.floor(width * 0.85), width}
  print_fn(('Model: "%s"'):format(model_name))
  print_fn(string.rep("_", width))
  print_fn(M.row({"Layer (type)", "Output Shape", "Param #"}, pos))
  print_fn(string.rep("=", width))
  for i, r in ipairs(rows) do
    print_fn(M.row({r.name .. " (" .. r.type .. ")", r.shape_text or M.shape_str(r.shape),
                    tostring(r.params)}, pos))
    print_fn(string.rep(i == #rows and "=" or "_", width))
  end
  M.totals(rows, width, trainable, non_trainable, print_fn)
end

function M.totals(rows, width, trainable, non_trainable, print_fn)
  if #rows == 0 then print_fn(string.rep("=", width)) end
  print_fn("Total params: " .. M.commas(trainable + non_trainable))
  print_fn("Trainable params: " .. M.commas(trainable))
  print_fn("Non-trainable params: " .. M.commas(non_trainable))
  print_fn(string.rep("_", width))
end

-- A graph that is not a chain: 98 columns, positions .33/.55/.67/1 of
-- them, and a "Connected to" column naming each input as
-- layer[node][tensor]; a layer with several inputs continues on extra
-- lines that hold only the next connection. rows: {name, type,
-- shape_text, params, connected = {...}}
function M.summary_functional(model_name, rows, trainable, non_trainable, print_fn)
  print_fn = print_fn or print
  local width = 98
  local pos = {}
  for i, p in ipairs({0.33, 0.55, 0.67, 1.0}) do pos[i] = math.floor(width * p) end
  print_fn(('Model: "%s"'):format(model_name))
  print_fn(string.rep("_", width))
  print_fn(M.row({"Layer (type)", "Output Shape", "Param #", "Connected to"}, pos))
  print_fn(string.rep("=", width))
  for i, r in ipairs(rows) do
    local c = r.connected
    print_fn(M.row({r.name .. " (" .. r.type .. ")", r.shape_text, tostring(r.params),
                    c[1] or ""}, pos))
    for k = 2, #c do print_fn(M.row({"", "", "", c[k]}, pos)) end
    print_fn(string.rep(i == #rows and "=" or "_", width))
  end
  M.totals(rows, width, trainable, non_trainable, print_fn)
end

-- Keras's number format in progress lines
local function metric_value(v)
  if math.abs(v) > 1e-3 then return ("%.4f"):format(v) end
  return ("%.4e"):format(v)
end

local function eta_str(eta)
  if eta > 3600 then
    return ("%d:%02d:%02d"):format(eta // 3600, (eta % 3600) // 60, eta % 60)
  elseif eta > 60 then
    return ("%d:%02d"):format(eta // 60, eta % 60)
  end
  return ("%ds"):format(math.floor(eta))
end

local function per_step(t)
  if t >= 1 or t == 0 then return ("%.0fs/step"):format(t) end
  if t >= 1e-3 then return ("%.0fms/step"):format(t * 1e3) end
  return ("%.0fus/step"):format(t * 1e6)
end

-- A progress bar for one epoch of `target` steps. On a terminal it is
-- redrawn in place (at most every 50 ms); otherwise only the final line
-- is written. update(step, metrics) takes {{name, value}, ...}.
local Progbar = {}
Progbar.__index = Progbar

function M.progbar(target, opts)
  opts = opts or {}
  local tty = opts.tty
  if tty == nil then tty = sys.isatty(1) end
  return setmetatable({target = target, start = sys.clock(), last = 0,
                       tty = tty, width = 30, prev_len = 0,
                       write = opts.write or io.write}, Progbar)
end

function Progbar:line(current, metrics, final)
  local nd = #tostring(self.target)
  local bar = ("%" .. nd .. "d/%d ["):format(current, self.target)
  local w = math.floor(self.width * current / self.target)
  if w > 0 then
    bar = bar .. string.rep("=", w - 1) .. (current < self.target and ">" or "=")
  end
  bar = bar .. string.rep(".", self.width - w) .. "]"
  local now = sys.clock()
  local tps = current > 0 and (now - self.start) / current or 0
  local info
  if final then
    info = (" - %.0fs %s"):format(now - self.start, per_step(tps))
  else
    info = " - ETA: " .. eta_str(tps * (self.target - current))
  end
  for _, m in ipairs(metrics or {}) do
    info = info .. " - " .. m[1] .. ": " .. metric_value(m[2])
  end
  return bar .. info
end

function Progbar:update(current, metrics)
  if not self.tty then return end
  local now = sys.clock()
  if current < self.target and now - self.last < 0.05 then return end
  self.last = now
  local s = self:line(current, metrics, false)
  local pad = self.prev_len > #s and string.rep(" ", self.prev_len - #s) or ""
  self.write("\r" .. s .. pad)
  self.prev_len = #s
  io.stdout:flush()
end

-- the epoch's last line (metrics may include the validation ones)
function Progbar:finish(metrics)
  local s = self:line(self.target, metrics, true)
  local pad = self.prev_len > #s and string.rep(" ", self.prev_len - #s) or ""
  self.write((self.tty and "\r" or "") .. s .. pad .. "\n")
  io.stdout:flush()
end

return M
