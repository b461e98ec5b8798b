-- prelude.lua - run before every script: the globals labs rely on.
local sys = require "sys"

-- One error path: an error that a script catches with pcall/xpcall reads
-- as it would at the top level, leading with the script's line even when
-- it was raised deep inside the runtime (options.relocate, bind/lutil.c).
-- The runtime's own pcalls (which add their own context to a message)
-- get the plain functions.
do
  local relocate = require("options").relocate
  local pcall_, xpcall_, getinfo = pcall, xpcall, debug.getinfo
  local function from_runtime()
    return getinfo(3, "S").source:sub(1, 9) == "@runtime/"
  end
  function pcall(f, ...)
    if from_runtime() then return pcall_(f, ...) end
    return xpcall_(f, relocate, ...)
  end
  function xpcall(f, handler, ...)
    if from_runtime() then return xpcall_(f, handler, ...) end
    return xpcall_(f, function(m) return handler(relocate(m)) end, ...)
  end
end

-- out(name): a path for a file the running lab writes, under
-- $WORKBOOK_OUT (default out/) / <chapter> / <lab>/, folders created.
-- For chapters/ch9/lab1.lua that is out/ch9/lab1/NAME.
function out(name)
  if type(name) ~= "string" or name == "" or name:find("%.%.") or name:sub(1, 1) == "/" then
    error("out: expected a relative file name, got " .. tostring(name), 2)
  end
  local script = (arg and arg[0]) or "repl"
  local dir = script:match("([^/]+)/[^/]+$")
  local stem = script:match("([^/]+)$"):gsub("%.lua$", "")
  local base = os.getenv("WORKBOOK_OUT")
  if base == nil or base == "" then base = "out" end
  -- out/ch9/lab1/NAME for chapters/ch9/lab1.lua; out/repl/NAME in the
  -- REPL and out/STEM/NAME for a script given without a folder
  local path = base .. "/" .. (dir and dir .. "/" or "") .. stem .. "/" .. name
  sys.mkdir_p(path:match("^(.*)/[^/]*$"))
  return path
end

-- Read tracking for the book builder (`workbook book`). When it runs a
-- lab it sets WORKBOOK_READS to a log file; every file the lab opens for
-- reading goes there as "R path", every out() name as "W path", so the
-- builder can key its cache on the content of everything the lab read.
-- Reads are seen through io.open/io.lines/dofile/loadfile, require's
-- searchers, and any module function whose first argument names an
-- existing file (image.load, tensor.load, idx.load, ...).
local reads = os.getenv("WORKBOOK_READS")
if reads and reads ~= "" then
  local open, exists = io.open, sys.exists   -- the originals: see wrap_module
  local log = assert(open(reads, "a"))
  log:setvbuf("line")
  io.stdout:setvbuf("line")   -- keep printed lines and error text in order
  local function note(kind, path)
    if type(path) == "string" then log:write(kind, " ", path, "\n") end
  end
  local function note_file(path)
    if type(path) == "string" and #path < 4096 and not path:find("\n")
       and exists(path) == "file" then
      note("R", path)
    end
  end
  function io.open(path, mode, ...)
    if not (mode or "r"):find("[wa]") then note_file(path) end
    return open(path, mode, ...)
  end
  for _, name in ipairs {"lines", "input"} do
    local f = io[name]
    io[name] = function(path, ...)
      note_file(path)
      return f(path, ...)
    end
  end
  for _, name in ipairs {"dofile", "loadfile"} do
    local f = _G[name]
    _G[name] = function(path, ...)
      note_file(path)
      return f(path, ...)
    end
  end
  for i = 2, #package.searchers do
    local search = package.searchers[i]
    package.searchers[i] = function(name)
      local loader, file = search(name)
      if type(loader) == "function" then note_file(file) end
      return loader, file
    end
  end
  -- module functions: wrapped once per module table, on first require
  local wrapped = setmetatable({}, {__mode = "k"})
  local function wrap_module(m)
    if type(m) ~= "table" or wrapped[m] then return end
    wrapped[m] = true
    for k, f in pairs(m) do
      if type(f) == "function" then
        pcall(rawset, m, k, function(...)
          note_file((...))
          return f(...)   -- the same arguments, count included
        end)
      end
    end
  end
  local require_ = require
  function require(name, ...)
    local m, extra = require_(name, ...)
    wrap_module(m)
    return m, extra
  end
  local out_ = out
  function out(name)
    local path = out_(name)
    note("W", path)
    return path
  end
end
