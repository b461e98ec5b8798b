-- frame_json.lua - the JSON reader behind frame.read_json: decode(text,
-- path) gives strings, numbers, true/false, nil for null, arrays as
-- {arr = {...}, n = count} and objects as {obj = {...}, keys = {...}} with
-- the keys in the file's order (pandas keeps column order). Errors name
-- the file and line.
local raise = require "script_error"

-- arrays and objects nest at most this deep (a hostile file of a million
-- '[' is then an error at its line, not a Lua stack overflow)
local MAX_DEPTH = 1000

local function json_decode(s, path)
  local pos = 1
  local function err(what)
    local line = 1
    for _ in s:sub(1, pos):gmatch("\n") do line = line + 1 end
    raise("read_json: %s:%d: %s", path, line, what)
  end
  local function ws() pos = s:find("[^ \t\r\n]", pos) or #s + 1 end
  local value
  local escapes = {['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t"}
  local function str()
    pos = pos + 1
    local parts = {}
    while true do
      local a, b = s:find('["\\]', pos)
      if not a then err("unterminated string") end
      parts[#parts + 1] = s:sub(pos, a - 1)
      if s:sub(a, a) == '"' then pos = a + 1; break end
      local e = s:sub(a + 1, a + 1)
      if e == "u" then
        local hex = s:sub(a + 2, a + 5)
        if not hex:match("^%x%x%x%x$") then err("bad \\u escape") end
        local cp = tonumber(hex, 16)
        pos = a + 6
        local lo = s:match("^\\u([dD][c-fC-F]%x%x)", pos)
        if cp >= 0xD800 and cp <= 0xDBFF and lo then
          -- a surrogate pair is one character past U+FFFF (as Python reads it)
          cp = 0x10000 + (cp - 0xD800) * 0x400 + (tonumber(lo, 16) - 0xDC00)
          pos = pos + 6
        elseif cp >= 0xD800 and cp <= 0xDFFF then
          cp = 0xFFFD   -- a lone surrogate has no UTF-8 form
        end
        parts[#parts + 1] = utf8.char(cp)
      elseif escapes[e] then
        parts[#parts + 1] = escapes[e]
        pos = a + 2
      else
        err("bad escape")
      end
    end
    return table.concat(parts)
  end
  function value(depth)
    ws()
    local c = s:sub(pos, pos)
    if (c == "{" or c == "[") and depth >= MAX_DEPTH then
      err("nested deeper than " .. MAX_DEPTH .. " levels")
    end
    if c == "{" then
      local obj, keys = {}, {}
      pos = pos + 1; ws()
      if s:sub(pos, pos) == "}" then pos = pos + 1; return {obj = obj, keys = keys} end
      while true do
        ws()
        if s:sub(pos, pos) ~= '"' then err("expected a key") end
        local k = str(); ws()
        if s:sub(pos, pos) ~= ":" then err("expected ':'") end
        pos = pos + 1
        local v = value(depth + 1)
        if obj[k] == nil and not keys[k] then keys[#keys + 1] = k; keys[k] = true end
        obj[k] = v
        ws()
        local d = s:sub(pos, pos); pos = pos + 1
        if d == "}" then break elseif d ~= "," then err("expected ',' or '}'") end
      end
      return {obj = obj, keys = keys}
    elseif c == "[" then
      local arr = {}
      pos = pos + 1; ws()
      if s:sub(pos, pos) == "]" then pos = pos + 1; return {arr = arr, n = 0} end
      local n = 0
      while true do
        n = n + 1
        arr[n] = value(depth + 1); ws()
        local d = s:sub(pos, pos); pos = pos + 1
        if d == "]" then break elseif d ~= "," then err("expected ',' or ']'") end
      end
      return {arr = arr, n = n}
    elseif c == '"' then
      return str()
    elseif s:sub(pos, pos + 3) == "null" then pos = pos + 4; return nil
    elseif s:sub(pos, pos + 3) == "true" then pos = pos + 4; return true
    elseif s:sub(pos, pos + 4) == "false" then pos = pos + 5; return false
    else
      local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
      if not num or not tonumber(num) then err("unexpected '" .. c .. "'") end
      pos = pos + #num
      return tonumber(num)
    end
  end
  local v = value(0)
  ws()
  if pos <= #s then err("extra text after the value") end
  return v
end

return json_decode
