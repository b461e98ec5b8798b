-- data.lua - where the shipped data lives. data.path("images/x.png")
-- is <home>/data/images/x.png, home being the folder of the workbook
-- binary or $WORKBOOK_HOME, so labs find their files from any folder.
local sys = require "sys"

local data = {}

function data.path(rel)
  if type(rel) ~= "string" or rel == "" then
    error("data.path: expected a file name under data/, got "
          .. tostring(rel), 2)
  end
  local dir = sys.home() .. "/data"
  local path = dir .. "/" .. rel
  if not sys.exists(path) then
    error(("data.path: %s not found (looked in %s/; WORKBOOK_HOME sets "
           .. "the folder that holds data/)"):format(rel, dir), 2)
  end
  return path
end

return data
