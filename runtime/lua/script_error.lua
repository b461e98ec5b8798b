-- script_error.lua - raise an error at the user's script line. The
-- runtime's Lua half calls this so that a mistake in a lab points at the
-- lab's line (lab2.lua:14: ...), however deep inside the runtime it was
-- found: the position is that of the nearest frame that is neither C nor
-- an embedded runtime file.
--
-- debug.getinfo(n) walks n call records, so trying every level of a deep
-- stack would take quadratic time (an error 100,000 levels down in a
-- recursive reader): the 64 innermost levels are tried, then the 64
-- outermost, where the script's call into the runtime is (the same rule
-- as script_frame in bind/lutil.c).
local getinfo = debug.getinfo
local SCAN = 64

-- Levels below are counted from the error function (1: it, 2: its
-- caller); getinfo is called two calls further down (script_frame, then
-- script_info or deepest), hence the + 2.

-- the info of level when it is a script frame, false if not, nil if
-- there is no such level
local function script_info(level)
  local info = getinfo(level + 2, "Sl")
  if not info then return nil end
  return info.what ~= "C" and not info.source:find("^@runtime/lua/") and info
end

-- the deepest level there is
local function deepest()
  local lo, hi = 1, 2
  while getinfo(hi + 2, "l") do lo, hi = hi, hi * 2 end
  while hi - lo > 1 do
    local mid = (lo + hi) // 2
    if getinfo(mid + 2, "l") then lo = mid else hi = mid end
  end
  return lo
end

local function script_frame(first)
  local level = first
  while level < first + SCAN do
    local info = script_info(level)
    if info ~= false then return info end
    level = level + 1
  end
  local last = deepest()
  for l = math.max(level, last - SCAN + 1), last do
    local info = script_info(l)
    if info ~= false then return info end
  end
end

return function(fmt, ...)
  local msg = select("#", ...) > 0 and fmt:format(...) or fmt
  local info = script_frame(2)
  if info and info.currentline and info.currentline > 0 then
    msg = info.short_src .. ":" .. info.currentline .. ": " .. msg
  end
  error(msg, 0)
end
