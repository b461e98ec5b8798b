-- script_error.lua - raise an error at the user's script line. The
-- runtime's Lua half calls this so that a mistake in a lab points at the
-- lab's line (lab2.lua:14: ...), however deep inside the runtime it was
-- found: the position is that of the nearest frame that is neither C nor
-- an embedded runtime file.
return function(fmt, ...)
  local msg = select("#", ...) > 0 and fmt:format(...) or fmt
  local level = 2
  while true do
    local info = debug.getinfo(level, "Sl")
    if not info then break end
    if info.what ~= "C" and not info.source:find("^@runtime/lua/") then
      if info.currentline and info.currentline > 0 then
        msg = info.short_src .. ":" .. info.currentline .. ": " .. msg
      end
      break
    end
    level = level + 1
  end
  error(msg, 0)
end
