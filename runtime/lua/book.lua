-- book.lua - what a lab tells the course book (`local book = require
-- "book"`): values its prose quotes (`book.value`), and, for the runtime,
-- figure captions and the cell a lab is in. Everything here is a no-op
-- unless the book builder runs the lab: it sets WORKBOOK_READS to a log
-- file, and these functions add lines to that log:
--   V name<TAB>text          a published value, already formatted
--   F path<TAB>label<TAB>caption   a figure's caption and label
--   C k                      the lab reached its k-th `-- %%` line
-- The builder (book_build.lua) also reads "R path" / "W path" lines that
-- the prelude writes there. The builder module is book_build.
local M = {}

local log_path = os.getenv("WORKBOOK_READS")
if log_path == "" then log_path = nil end
local log

local function note(...)
  if not log_path then return end
  if not log then
    log = io.open(log_path, "a")
    if not log then log_path = nil; return end
    log:setvbuf("line")
  end
  local line = table.concat({...}, "\t"):gsub("[\r\n]", " ")
  log:write(line, "\n")
end

local function bad(fmt, ...)
  require("script_error")(fmt, ...)
end

local function plain(v)
  if type(v) == "table" or type(v) == "userdata" then
    local ok, n = pcall(function() return v:item() end)   -- a 1-element tensor
    if ok and type(n) == "number" then return n end
  end
  return v
end

-- book.value(name, value [, format]): publish value under name; the
-- chapter's prose writes {{LAB.name}} (LAB the lab file's base name).
-- format is a string.format pattern ("%.3f"); by default integers print
-- as they are, other numbers with 4 significant digits.
function M.value(name, value, format)
  if type(name) ~= "string" or not name:match("^[%a_][%w_]*$") then
    bad("book.value: the name must be a Lua identifier (letters, digits, _), got %s",
        type(name) == "string" and ("'" .. name .. "'") or type(name))
  end
  value = plain(value)
  local t = type(value)
  if t ~= "number" and t ~= "string" and t ~= "boolean" then
    bad("book.value: %s: expected a number, string or boolean, got a %s", name, t)
  end
  if format ~= nil and type(format) ~= "string" then
    bad("book.value: %s: the format must be a string such as '%%.3f', got a %s",
        name, type(format))
  end
  local text
  if format then
    local ok, s = pcall(string.format, format, value)
    if not ok then
      bad("book.value: %s: format '%s' does not fit %s", name, format, tostring(value))
    end
    text = s
  elseif math.type(value) == "integer" then
    text = tostring(value)
  elseif t == "number" then
    text = value == math.floor(value) and math.abs(value) < 1e15
           and ("%d"):format(value) or ("%.4g"):format(value)
  else
    text = tostring(value)
  end
  note("V " .. name, text)
  return value
end

-- The runtime's half: a figure written to path, with an optional caption
-- and label ("fig-..."), from plot.* and image.save.
function M._figure(path, caption, label)
  if caption == nil and label == nil then return end
  if label ~= nil and not tostring(label):match("^fig%-[%w_%-]+$") then
    bad("label must look like 'fig-name' (letters, digits, - and _), got '%s'",
        tostring(label))
  end
  note("F " .. path, label or "", caption or "")
end

-- Cells: a line starting with "-- %%" begins a cell (Jupytext's percent
-- format). M.is_marker is the one rule; bookinc.c follows the same one.
function M.is_marker(line)
  return line:match("^%-%- %%%%$") ~= nil or line:match("^%-%- %%%%%s") ~= nil
end

function M._cell(k)
  io.stdout:flush()
  io.stdout:write(("\30wb-cell:%d\30\n"):format(k))
  io.stdout:flush()
  note("C " .. k)
end

-- Load a lab for the book: each marker line becomes a call that tells
-- the builder the lab reached it (same line numbers, so errors and
-- tracebacks still name the lab's lines). A lab whose markers sit where
-- a statement cannot (inside a long string) loads unchanged.
function M.load_script(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local src = f:read("a")
  f:close()
  local lines, k, changed = {}, 0, false
  for line in (src .. "\n"):gmatch("([^\n]*)\n") do
    if M.is_marker((line:gsub("\r$", ""))) then
      k = k + 1
      line = ("__wb_cell(%d) %s"):format(k, line)
      changed = true
    end
    lines[#lines + 1] = line
  end
  if lines[#lines] == "" and src:sub(-1) == "\n" then lines[#lines] = nil end
  if changed then
    lines[1] = "local __wb_cell = require('book')._cell; " .. lines[1]
    local fn = load(table.concat(lines, "\n"), "@" .. path, "t")
    if fn then return fn end
  end
  return loadfile(path, "t")
end

return M
