-- repl.lua - the Lua half of `workbook repl` (the loop, line editing and
-- history are in runtime/main.c):
--   repl.setup()          the course's modules as globals (tensor/T, nn,
--                         ml, data, plot, image, frame, linalg, sys, book),
--                         help()
--   repl.rewrite(code)    top-level `local` declarations become globals,
--                         so `local x = 1` on one line is there on the next
--   repl.show(...)        print values readably: tables as Lua literals
--                         (nested, shortened), tensors, frames and objects
--                         through their __tostring
local M = {}

local MODULES = {
  {"tensor", "tensor"}, {"T", "tensor"}, {"nn", "nn"}, {"ml", "ml"},
  {"data", "data"}, {"plot", "plot"}, {"image", "image"}, {"frame", "frame"},
  {"linalg", "linalg"}, {"sys", "sys"},
}

function M.setup()
  local names = {}
  for _, m in ipairs(MODULES) do
    local ok, mod = pcall(require, m[2])
    if ok then
      _G[m[1]] = mod
      if m[1] ~= "T" then names[#names + 1] = m[1] end
    end
  end
  _G.help = M.help
  return table.concat(names, ", ")
end

---------------------------------------------------------------- rewrite

-- Lua's tokens, as far as block structure and `local` need them: names
-- and keywords, strings and comments skipped whole, everything else one
-- character at a time. Returns a list of {kind, text, start, stop}.
local function tokens(code)
  local out, i, n = {}, 1, #code
  while i <= n do
    local c = code:sub(i, i)
    if c:match("%s") then
      i = i + 1
    elseif code:sub(i, i + 1) == "--" then
      local eq = code:match("^%[(=*)%[", i + 2)
      if eq then
        local _, e = code:find("]" .. eq .. "]", i + 4 + #eq, true)
        i = (e or n) + 1
      else
        local e = code:find("\n", i, true)
        i = (e or n) + 1
      end
    elseif c == "[" and code:match("^%[=*%[", i) then
      local eq = code:match("^%[(=*)%[", i)
      local _, e = code:find("]" .. eq .. "]", i + 2 + #eq, true)
      out[#out + 1] = {"string", nil, i, e or n}
      i = (e or n) + 1
    elseif c == '"' or c == "'" then
      local j = i + 1
      while j <= n do
        local d = code:sub(j, j)
        if d == "\\" then j = j + 2
        elseif d == c or d == "\n" then break
        else j = j + 1 end
      end
      out[#out + 1] = {"string", nil, i, j}
      i = j + 1
    elseif c:match("[%a_]") then
      local s, e = code:find("^[%w_]+", i)
      out[#out + 1] = {"name", code:sub(s, e), s, e}
      i = e + 1
    elseif c:match("%d") then
      local s, e = code:find("^[%w_.]+", i)   -- numbers, 0x.., 1e10
      out[#out + 1] = {"number", nil, s, e}
      i = e + 1
    else
      out[#out + 1] = {"op", c, i, i}
      i = i + 1
    end
  end
  return out
end

-- `local a, b <const> = 1, 2` at the top level becomes `a, b = 1, 2`;
-- `local function f` becomes `function f`; `local x` alone becomes
-- `x = nil`. Inside functions and blocks `local` stays local.
function M.rewrite(code)
  local toks = tokens(code)
  local depth, expect_do = 0, 0
  local edits = {}        -- {start, stop, replacement}, in order
  local i = 1
  while i <= #toks do
    local k, w = toks[i][1], toks[i][2]
    if k == "name" then
      if w == "function" or w == "if" or w == "repeat" then
        depth = depth + 1
      elseif w == "while" or w == "for" then
        depth, expect_do = depth + 1, expect_do + 1
      elseif w == "do" then
        if expect_do > 0 then expect_do = expect_do - 1 else depth = depth + 1 end
      elseif w == "end" or w == "until" then
        depth = depth - 1
      elseif w == "local" and depth == 0 then
        local nxt = toks[i + 1]
        if nxt and nxt[2] == "function" then
          edits[#edits + 1] = {toks[i][3], nxt[3] - 1, ""}
        elseif nxt and nxt[1] == "name" then
          -- the name list, with <attrib>s dropped
          local j = i + 1
          edits[#edits + 1] = {toks[i][3], toks[j][3] - 1, ""}
          while true do
            local a = toks[j + 1]
            if a and a[2] == "<" and toks[j + 2] and toks[j + 3] and toks[j + 3][2] == ">" then
              edits[#edits + 1] = {a[3], toks[j + 3][4], ""}
              j = j + 3
            end
            local comma = toks[j + 1]
            if comma and comma[2] == "," and toks[j + 2] and toks[j + 2][1] == "name" then
              j = j + 2
            else
              break
            end
          end
          local after = toks[j + 1]
          if not (after and after[2] == "=") then
            -- `local a, b` declares nils: assign them
            local names, m = {}, i + 1
            while m <= j do
              if toks[m][1] == "name" then names[#names + 1] = toks[m][2] end
              m = m + 1
            end
            -- skip attribs' names (const/close) counted above
            local clean = {}
            for _, nm in ipairs(names) do
              if nm ~= "const" and nm ~= "close" then clean[#clean + 1] = nm end
            end
            local nils = {}
            for q = 1, #clean do nils[q] = "nil" end
            edits[#edits + 1] = {toks[j][4] + 1, toks[j][4],
                                 " = " .. table.concat(nils, ", ")}
          end
          i = j
        end
      end
    end
    i = i + 1
  end
  if #edits == 0 then return code end
  table.sort(edits, function(a, b) return a[1] < b[1] end)
  local parts, pos = {}, 1
  for _, e in ipairs(edits) do
    parts[#parts + 1] = code:sub(pos, e[1] - 1)
    parts[#parts + 1] = e[3]
    pos = e[2] + 1
  end
  parts[#parts + 1] = code:sub(pos)
  return table.concat(parts)
end

---------------------------------------------------------------- show

local MAX_ITEMS, MAX_DEPTH, MAX_WIDTH = 12, 3, 100

local function is_ident(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
end

local function has_tostring(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__tostring ~= nil
end

local function scalar(v)
  local t = type(v)
  if t == "string" then return ("%q"):format(v):gsub("\\\n", "\\n") end
  if math.type(v) == "float" then
    if v ~= v then return "nan" end
    if v == math.huge then return "inf" end
    if v == -math.huge then return "-inf" end
    return tostring(v)   -- Lua's own form: 4.0, 0.1
  end
  return tostring(v)
end

local render

local function render_table(v, depth, seen)
  if seen[v] then return "{...}" end
  if depth > MAX_DEPTH then return "{...}" end
  seen[v] = true
  local parts, n = {}, #v
  for i = 1, math.min(n, MAX_ITEMS) do parts[#parts + 1] = render(v[i], depth + 1, seen) end
  if n > MAX_ITEMS then parts[#parts + 1] = ("... (%d items)"):format(n) end
  local keys = {}
  for k in pairs(v) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    if ta == "string" or ta == "number" then return a < b end
    return tostring(a) < tostring(b)
  end)
  local shown = 0
  for _, k in ipairs(keys) do
    shown = shown + 1
    if shown > MAX_ITEMS then
      parts[#parts + 1] = ("... (%d more keys)"):format(#keys - MAX_ITEMS)
      break
    end
    local key = is_ident(k) and k or "[" .. scalar(k) .. "]"
    parts[#parts + 1] = key .. " = " .. render(v[k], depth + 1, seen)
  end
  seen[v] = nil
  local one = "{" .. table.concat(parts, ", ") .. "}"
  if #one <= MAX_WIDTH or depth > 1 then return one end
  local ind = ("  "):rep(depth)
  return "{\n" .. ind .. "  " .. table.concat(parts, ",\n" .. ind .. "  ") .. "\n" .. ind .. "}"
end

function render(v, depth, seen)
  local t = type(v)
  if t == "table" and not has_tostring(v) then return render_table(v, depth, seen) end
  if t == "string" then return depth == 0 and v or scalar(v) end
  if t == "number" then return scalar(v) end
  if (t == "table" or t == "userdata") and has_tostring(v) then
    local s = tostring(v)
    if depth > 0 and s:find("\n") then
      return "<" .. (s:match("^[^\n]*") or "") .. " ...>"
    end
    return s
  end
  if t == "function" then
    local d = M.describe(v)
    return d and ("function: " .. d) or tostring(v)
  end
  return tostring(v)
end

-- Each value on its own line (several results: separated by tabs as
-- print does, when they are short).
function M.show(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = render((select(i, ...)), 0, {}) end
  print(table.concat(parts, "\t"))
end

M.render = function(v) return render(v, 0, {}) end

---------------------------------------------------------------- help

-- The modules' public functions by value and by name, and the tables
-- that hold them (modules, their sub-tables, the classes' methods), from
-- help_docs (its walk and its one-line descriptions). Built on first use.
M.modules = MODULES
local index

local function help_index()
  if index then return index end
  local H = require "help_docs"
  index = {docs = H.docs, by_fn = {}, names = {}, tables = {}, classes = {}}
  -- several names for one function (data.iris, data.load_iris): a module's
  -- name before a method's, then the shorter, then the first
  local function better(a, b)
    local ca, cb = a:find(":") ~= nil, b:find(":") ~= nil
    if ca ~= cb then return cb end
    if #a ~= #b then return #a < #b end
    return a < b
  end
  for _, e in ipairs(H.walk(MODULES)) do
    local name, fn = e[1], e[2]
    index.names[#index.names + 1] = name
    local old = index.by_fn[fn]
    if not old or better(name, old) then index.by_fn[fn] = name end
    -- the tables on the way: nn.optimizers -> "nn.optimizers"
    local prefix = name:match("^(.*)%.[^.:]+$")
    if prefix and not name:find(":") then
      local t
      for part in prefix:gmatch("[^.]+") do
        if t == nil then t = package.loaded[part] else t = type(t) == "table" and rawget(t, part) or nil end
      end
      if type(t) == "table" then index.tables[t] = prefix end
    end
  end
  for _, c in ipairs(H.classes()) do
    index.tables[c[2]] = c[1]
    index.classes[c[3]] = c[1]
  end
  return index
end

-- "nn.Dense(units, ...): a fully connected layer" -> signature, sentence
local function split_doc(d)
  local sig, text = d:match("^(.-): (.*)$")
  return sig or d, text or ""
end

-- A function's name and where it is defined, when it can be found among
-- the loaded modules.
local function find_name(fn)
  local ok, ix = pcall(help_index)
  if ok and ix.by_fn[fn] then return ix.by_fn[fn] end
  for _, m in ipairs(MODULES) do
    local mod = package.loaded[m[2]]
    if type(mod) == "table" then
      for k, v in pairs(mod) do
        if v == fn then return m[1] .. "." .. k end
      end
    end
  end
end

function M.describe(fn)
  local name = find_name(fn)
  local info = debug.getinfo(fn, "S")
  local where = info and info.what ~= "C" and info.short_src .. ":" .. info.linedefined or nil
  if name and where then return name .. " (" .. where .. ")" end
  return name or where
end

-- The comment block just above a Lua function's definition, first line.
local function doc_comment(fn)
  local info = debug.getinfo(fn, "S")
  if not info or info.what == "C" or info.linedefined < 2 then return nil end
  local src = info.source
  local lines = {}
  if src:sub(1, 1) == "@" then
    -- runtime files are named from the workbook's home (runtime/lua/x.lua)
    local path = src:sub(2)
    local f = io.open(path) or io.open(require("sys").home() .. "/" .. path)
    if f then
      for l in f:lines() do lines[#lines + 1] = l end
      f:close()
    end
  end
  local i = info.linedefined - 1
  local block = {}
  while i >= 1 and lines[i] and lines[i]:match("^%s*%-%-") do
    table.insert(block, 1, (lines[i]:gsub("^%s*%-%-+%s?", "")))
    i = i - 1
  end
  if #block == 0 then return nil end
  return table.concat(block, " "):gsub("%s+", " ")
end

-- one entry in full: name, where, signature, sentence
local function show_entry(name, fn)
  local ix = help_index()
  local where = "a C function"
  if fn then
    local info = debug.getinfo(fn, "S")
    if info and info.what ~= "C" then where = info.short_src .. ":" .. info.linedefined end
  end
  print(name .. "  (" .. where .. ")")
  local sig, text = split_doc(ix.docs[name])
  print("  " .. sig)
  if text ~= "" then print("  " .. text) end
end

-- a table's entries, one line each: functions with their sentence, the
-- sub-tables with how to list them
local function list_table(x, prefix)
  local ix = help_index()
  local sep = prefix:find("%.") == nil and prefix:match("^%u") and ":" or "."
  local keys = {}
  for k, v in pairs(x) do
    if type(k) == "string" and k:sub(1, 1) ~= "_" and
       (type(v) == "function" or (type(v) == "table" and ix.tables[v])) then
      keys[#keys + 1] = k
    end
  end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local v = x[k]
    if type(v) == "table" then
      print(("  %-24s (help(%s) lists them)"):format(k, ix.tables[v] == "Tensor" and "tensor.methods" or ix.tables[v]))
    elseif not require("help_docs").internal[prefix .. sep .. k] then
      local d = ix.docs[prefix .. sep .. k]
      local _, text = split_doc(d or "")
      print(("  %-24s %s"):format(k, d and text or (doc_comment(v) or "function")))
    end
  end
end

-- help()            what the REPL offers
-- help(module)      its functions, one line each (also nn.optimizers,
--                   tensor.methods, and an object: help(t), help(df))
-- help(fn)          its signature, what it does and where it is defined
-- help("dense")     the functions whose names contain the word
function M.help(x)
  if x == nil then
    print("modules: tensor (also T), nn, ml, data, plot, image, frame, linalg, sys")
    print("help(nn) lists a module's functions; help(nn.Dense) describes one;")
    print("help(t) lists a tensor's (or data frame's, model's) methods; help(\"dense\") searches names;")
    print("out \"x.png\" is a path under out/repl/; Ctrl-C stops a running line,")
    print("Ctrl-D quits; the Up arrow brings back earlier lines.")
    return
  end
  local ix = help_index()
  if type(x) == "string" then
    if ix.docs[x] then
      local fn
      for _, e in ipairs(require("help_docs").walk(MODULES)) do if e[1] == x then fn = e[2] end end
      return show_entry(x, fn)
    end
    local want, hits = x:lower(), {}
    for _, name in ipairs(ix.names) do
      if name:lower():find(want, 1, true) then hits[#hits + 1] = name end
    end
    if #hits == 0 then
      print(("no function's name contains '%s'; help() lists the modules"):format(x))
      return
    end
    for _, name in ipairs(hits) do
      print(("  %-32s %s"):format(name, (select(2, split_doc(ix.docs[name] or "")))))
    end
    return
  end
  local mt = getmetatable(x)
  if (type(x) == "table" or type(x) == "userdata") and ix.classes[mt] then
    local class = ix.classes[mt]
    for _, c in ipairs(require("help_docs").classes()) do
      if c[1] == class then
        print(class .. " methods:")
        list_table(c[2], class)
      end
    end
    return
  end
  if type(x) == "table" and ix.tables[x] then
    list_table(x, ix.tables[x])
    return
  end
  if type(x) == "table" and not has_tostring(x) then
    local keys = {}
    for k, v in pairs(x) do
      if type(k) == "string" and k:sub(1, 1) ~= "_" then keys[#keys + 1] = k end
    end
    table.sort(keys)
    for _, k in ipairs(keys) do
      local v = x[k]
      local d = type(v) == "function" and doc_comment(v) or nil
      if d and #d > 70 then d = d:sub(1, 67):gsub("[\128-\191]*$", "") .. "..." end
      print(("  %-24s %s"):format(k, d or type(v)))
    end
    return
  end
  if type(x) == "function" then
    local name = ix.by_fn[x]
    if name and ix.docs[name] then return show_entry(name, x) end
    print(M.describe(x) or tostring(x))
    local d = doc_comment(x)
    print(d or "no description (not one of the modules' functions)")
    return
  end
  print(("%s is a %s, not a function or module; help() lists the modules"):format(render(x, 0, {}), type(x)))
end

---------------------------------------------------------------- list

-- `workbook list [chN]`: each chapter's runnable scripts (lab*.lua,
-- project*.lua, train*.lua) with the first line of their leading comment.
-- Chapters come from ./chapters when it exists, else the workbook home's.
function M.list(which, extra)
  local proc, sys = require "proc", require "sys"
  if extra ~= nil then
    io.stderr:write("workbook: list: expected at most one chapter (such as ch9)\n")
    return 2
  end
  local root = sys.exists("chapters") and "chapters" or sys.home() .. "/chapters"
  local ok, entries = pcall(proc.list_dir, root)
  if not ok then
    io.stderr:write("workbook: list: no chapters/ folder here or in the workbook home\n")
    return 1
  end
  local chapters = {}
  for _, e in ipairs(entries) do
    if e:match("^ch[%w_-]+$") and sys.exists(root .. "/" .. e .. "/index.md") then
      chapters[#chapters + 1] = {tonumber(e:match("^ch(%d+)$")) or math.huge, e}
    end
  end
  table.sort(chapters, function(a, b)
    if a[1] ~= b[1] then return a[1] < b[1] end
    return a[2] < b[2]
  end)
  if which ~= nil then
    local want = which:match("^%d+$") and "ch" .. which or which
    local kept = {}
    for _, c in ipairs(chapters) do if c[2] == want then kept[1] = c end end
    if #kept == 0 then
      io.stderr:write(("workbook: list: no chapter '%s' (chapters: "):format(which))
      local names = {}
      for _, c in ipairs(chapters) do names[#names + 1] = c[2] end
      io.stderr:write(table.concat(names, ", "), ")\n")
      return 1
    end
    chapters = kept
  end
  for _, c in ipairs(chapters) do
    local dir = root .. "/" .. c[2]
    local title
    local f = io.open(dir .. "/index.md")
    if f then
      for l in f:lines() do
        title = l:match("^#%s+(.+)")
        if title then break end
      end
      f:close()
    end
    print(title or c[2])
    local okf, files = pcall(proc.list_dir, dir)
    local scripts = {}
    for _, name in ipairs(okf and files or {}) do
      if name:match("^lab.*%.lua$") or name:match("^project.*%.lua$")
         or name:match("^train.*%.lua$") then
        scripts[#scripts + 1] = name
      end
    end
    -- lab1, lab2, ..., lab10 in number order, then the projects
    table.sort(scripts, function(a, b)
      local na, nb = tonumber(a:match("^lab(%d+)")), tonumber(b:match("^lab(%d+)"))
      if na and nb then return na < nb end
      if na or nb then return na ~= nil end
      return a < b
    end)
    for _, name in ipairs(scripts) do
      local desc = ""
      local g = io.open(dir .. "/" .. name)
      if g then
        local first = g:read("l") or ""
        g:close()
        desc = first:match("^%-%-+%s*(.-)%s*$") or ""
        desc = desc:gsub("^[%w_]+%.lua%s+%-%s+", "")   -- "name.lua - ..." headers
      end
      print(("  %-32s %s"):format(c[2] .. "/" .. name, desc))
    end
  end
  return 0
end

return M
