-- prelude.lua - run before every script: the globals labs rely on.
local sys = require "sys"

-- out(name): a path for a file the running lab writes, under
-- $WORKBOOK_OUT (default out/) / <chapter> / <lab>/, folders created.
-- For chapters/ch9/lab1.lua that is out/ch9/lab1/NAME.
function out(name)
  if type(name) ~= "string" or name == "" or name:find("%.%.") or name:sub(1, 1) == "/" then
    error("out: expected a relative file name, got " .. tostring(name), 2)
  end
  local script = (arg and arg[0]) or "repl"
  local dir = script:match("([^/]+)/[^/]+$") or "."
  local stem = script:match("([^/]+)$"):gsub("%.lua$", "")
  local base = os.getenv("WORKBOOK_OUT")
  if base == nil or base == "" then base = "out" end
  local path = base .. "/" .. dir .. "/" .. stem .. "/" .. name
  sys.mkdir_p(path:match("^(.*)/[^/]*$"))
  return path
end
