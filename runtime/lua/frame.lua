-- frame.lua - data frames with pandas 1.5's names and results for what the
-- course uses: read_csv / read_json, head, describe, info, columns as
-- Series, masks, isnull / dropna / fillna, sort_values, value_counts,
-- corr, groupby, pivot_table, merge, concat, to_tensor, to_csv, and
-- printing laid out as pandas prints in a script (80 columns wide).
--
-- Representation: a Series is {values, n, dtype, name, index}; values is
-- a Lua list of n values, numbers as doubles with NaN for missing,
-- strings and booleans with nil for missing. dtype is pandas's name:
-- "float64", "int64", "bool" or "object". The index holds row labels
-- (0-based integers after read_csv, as pandas's RangeIndex; group keys,
-- column names or statistic names elsewhere). Labels are pandas's; Lua
-- positions are 1-based: s[1] is the first value, df:slice(1, 10) the
-- first ten rows, df:iloc(1) the first row.
local core = require "frame.core"
local options = require "options"
local raise = require "script_error"

local M = {}
local Series, DataFrame, GroupBy = {}, {}, {}
local NaN = 0 / 0

local function isnan(v) return v ~= v end
local function is_series(x) return getmetatable(x) == Series end
local function is_frame(x) return getmetatable(x) == DataFrame end
local function numeric(dtype) return dtype == "float64" or dtype == "int64" end
local function missing(v) return v == nil or v ~= v end

local function range_index(n)
  local ix = {}
  for i = 1, n do ix[i] = i - 1 end
  ix.range = true
  return ix
end

local function copy_index(ix, rows)
  local out = {name = ix.name, names = ix.names}
  if rows then
    for i, r in ipairs(rows) do out[i] = ix[r] end
  else
    for i = 1, #ix do out[i] = ix[i] end
    out.range = ix.range
  end
  return out
end

-- the dtype pandas would give a list of Lua values
local function infer_dtype(values, n)
  local kind, all_int, has_missing = nil, true, false
  for i = 1, n do
    local v = values[i]
    local t = type(v)
    if v == nil or (t == "number" and v ~= v) then
      has_missing = true
    elseif t == "number" then
      if kind == nil then kind = "number" elseif kind ~= "number" then return "object" end
      if math.type(v) == "float" then all_int = false end
    elseif t == "boolean" then
      if kind == nil then kind = "bool" elseif kind ~= "bool" then return "object" end
    else
      return "object"
    end
  end
  if kind == "number" or kind == nil then
    return (kind == "number" and all_int and not has_missing) and "int64" or "float64"
  end
  if kind == "bool" then return has_missing and "object" or "bool" end
  return "object"
end

-- Numbers stored as Lua floats (pandas keeps doubles); strings as they are.
local function normalise(values, n, dtype)
  if numeric(dtype) then
    for i = 1, n do
      local v = values[i]
      if v == nil then values[i] = NaN else values[i] = v + 0.0 end
    end
  end
  return values
end

local function new_series(values, n, dtype, name, index)
  dtype = dtype or infer_dtype(values, n)
  return setmetatable({values = normalise(values, n, dtype), n = n, dtype = dtype,
                       name = name, index = index or range_index(n)}, Series)
end

-- Series(values[, {name, index, dtype}]) from a Lua list
function M.Series(values, opts)
  opts = options.check("Series", opts, {name = "any", index = "table", dtype = "string"})
  if type(values) ~= "table" then raise("Series: values must be a list, got %s", type(values)) end
  local n = 0
  for k in pairs(values) do if math.type(k) == "integer" and k > n then n = k end end
  local vals = {}
  for i = 1, n do vals[i] = values[i] end
  local index = opts.index and copy_index(opts.index) or nil
  if index and #index ~= n then raise("Series: index has %d labels for %d values", #index, n) end
  return new_series(vals, n, opts.dtype, opts.name, index)
end

-- ---- DataFrame construction -------------------------------------------

local function new_frame(names, cols, n, index)
  local df = {_names = names, _cols = cols, _n = n, _index = index or range_index(n)}
  return setmetatable(df, DataFrame)
end

-- A frame from columns given as Series (same length) under names.
local function frame_of(names, series, n, index)
  local cols = {}
  for i, name in ipairs(names) do
    local s = series[i]
    cols[name] = {values = s.values, dtype = s.dtype}
  end
  return new_frame(names, cols, n, index)
end

-- DataFrame{col = {...}, ...} or DataFrame({...}, {columns = order})
function M.DataFrame(data, opts)
  opts = options.check("DataFrame", opts, {columns = "table", index = "table"})
  if type(data) ~= "table" then raise("DataFrame: data must be a table of columns, got %s", type(data)) end
  local names = {}
  if opts.columns then
    for i, c in ipairs(opts.columns) do names[i] = c end
  else
    for k in pairs(data) do
      if type(k) ~= "string" then raise("DataFrame: column names must be strings") end
      names[#names + 1] = k
    end
    table.sort(names)
  end
  local n, cols = nil, {}
  for _, name in ipairs(names) do
    local c = data[name]
    if c == nil then raise("DataFrame: no data for column '%s'", tostring(name)) end
    local vals, len, dtype
    if is_series(c) then
      vals, len, dtype = table.move(c.values, 1, c.n, 1, {}), c.n, c.dtype
    elseif type(c) == "table" then
      len = #c
      vals = table.move(c, 1, len, 1, {})
    else
      raise("DataFrame: column '%s' must be a list or a Series", name)
    end
    if n and n ~= len then raise("DataFrame: column '%s' has %d values, others %d", name, len, n) end
    n = len
    dtype = dtype or infer_dtype(vals, len)
    cols[name] = {values = normalise(vals, len, dtype), dtype = dtype}
  end
  n = n or 0
  local index = opts.index and copy_index(opts.index) or nil
  if index and #index ~= n then raise("DataFrame: index has %d labels for %d rows", #index, n) end
  return new_frame(names, cols, n, index)
end

local read_csv_options = {sep = "string", quote = "string|boolean", header = "boolean",
                          na_values = "table", keep_default_na = "boolean",
                          usecols = "table", index_col = "string|integer",
                          skiprows = "integer", nrows = "integer", names = "table"}

local function from_columns(t)
  local names, cols = {}, {}
  for j, name in ipairs(t.names) do
    names[j] = name
    cols[name] = {values = t.columns[j], dtype = t.dtypes[j]}
  end
  return new_frame(names, cols, t.nrows)
end

-- frame.read_csv(path[, {sep, quote, header, na_values, keep_default_na,
-- usecols, index_col}])
function M.read_csv(path, opts)
  if type(path) ~= "string" then raise("read_csv: path must be a string, got %s", type(path)) end
  opts = options.check("read_csv", opts, read_csv_options)
  local header = opts.header
  if header == nil and opts.names then header = false end   -- as pandas
  local copts = {sep = opts.sep, quote = opts.quote, header = header,
                 na_values = opts.na_values, keep_default_na = opts.keep_default_na,
                 skiprows = opts.skiprows, nrows = opts.nrows}
  local t = core.read_csv(path, copts)
  if opts.names then
    if #opts.names ~= #t.names then
      raise("read_csv: %d names for %d columns in %s", #opts.names, #t.names, path)
    end
    for j, name in ipairs(opts.names) do
      if type(name) ~= "string" then raise("read_csv: names[%d] must be a string", j) end
      t.names[j] = name
    end
  end
  local df = from_columns(t)
  if opts.usecols then df = df:select(opts.usecols) end
  if opts.index_col ~= nil then
    local name = opts.index_col
    if math.type(name) == "integer" then name = df._names[name + 1] end
    df = df:set_index(name)
  end
  return df
end

-- ---- JSON (records) ----------------------------------------------------

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
        parts[#parts + 1] = utf8.char(tonumber(hex, 16))
        pos = a + 6
      elseif escapes[e] then
        parts[#parts + 1] = escapes[e]
        pos = a + 2
      else
        err("bad escape")
      end
    end
    return table.concat(parts)
  end
  function value()
    ws()
    local c = s:sub(pos, pos)
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
        local v = value()
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
        arr[n] = value(); ws()
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
  local v = value()
  ws()
  if pos <= #s then err("extra text after the value") end
  return v
end

-- frame.read_json(path): a list of records ({"a": 1, "b": "x"}, ...), as
-- pandas.read_json(path) reads one; columns in order of first appearance
function M.read_json(path, opts)
  if type(path) ~= "string" then raise("read_json: path must be a string, got %s", type(path)) end
  opts = options.check("read_json", opts, {orient = "string"})
  if opts.orient and opts.orient ~= "records" then raise("read_json: only orient = 'records' is supported") end
  local f, e = io.open(path, "rb")
  if not f then raise("read_json: %s", e) end
  local s = f:read("a")
  f:close()
  local v = json_decode(s, path)
  if type(v) ~= "table" or not v.arr then raise("read_json: %s: expected a list of records", path) end
  local names, seen, cols = {}, {}, {}
  for i = 1, v.n do
    local rec = v.arr[i]
    if type(rec) ~= "table" or not rec.obj then raise("read_json: %s: record %d is not an object", path, i) end
    for _, k in ipairs(rec.keys) do
      if not seen[k] then seen[k] = true; names[#names + 1] = k; cols[k] = {} end
    end
  end
  local data = {}
  for _, k in ipairs(names) do
    local vals = cols[k]
    for i = 1, v.n do
      local x = v.arr[i].obj[k]
      if type(x) == "table" then raise("read_json: %s: nested value in column '%s'", path, k) end
      vals[i] = x
    end
    local dtype = infer_dtype(vals, v.n)
    data[k] = {values = normalise(vals, v.n, dtype), dtype = dtype}
  end
  return new_frame(names, data, v.n)
end

-- ---- number and label formatting, as pandas prints ----------------------

-- Python's repr of a float: the shortest text that reads back the same
local function float_repr(v)
  if v ~= v then return "nan" end
  if v == math.huge then return "inf" elseif v == -math.huge then return "-inf" end
  local s
  for prec = 1, 17 do
    s = ("%." .. prec .. "g"):format(v)
    if tonumber(s) == v then break end
  end
  local mant, exp = s:match("^([^e]*)e([-+]%d+)$")
  if mant then
    local e = tonumber(exp)
    if e >= -5 and e < 16 then
      s = ("%." .. math.max(0, #mant:gsub("[-.]", "") - 1 - e) .. "f"):format(v)
    else
      return mant .. "e" .. (e < 0 and "-" or "+") .. ("%02d"):format(math.abs(e))
    end
  end
  if not s:find("[.e]") then s = s .. ".0" end
  return s
end
M.float_repr = float_repr

local function label_str(v)
  if v == nil then return "NaN" end
  if type(v) == "number" then
    if v ~= v then return "NaN" end
    if math.type(v) == "integer" then return tostring(v) end
    return float_repr(v)
  end
  if type(v) == "boolean" then return v and "True" or "False" end
  return tostring(v)
end

-- pandas's _trim_zeros_float: drop trailing zeros common to every number
local function trim_zeros(strs)
  local function isnum(x) return x:match("^%s*[-+]?%d+%.%d*$") ~= nil end
  while true do
    local any, all = false, true
    for _, x in ipairs(strs) do
      if isnum(x) then
        any = true
        if x:sub(-1) ~= "0" then all = false; break end
      end
    end
    if not (any and all) then break end
    for i, x in ipairs(strs) do if isnum(x) then strs[i] = x:sub(1, -2) end end
  end
  for i, x in ipairs(strs) do
    if isnum(x) and x:sub(-1) == "." then strs[i] = x .. "0" end
  end
  return strs
end

-- Format a float column's values (list) as pandas's FloatArrayFormatter
-- does with display.precision 6 and a sign slot.
local function format_floats(vals)
  local function with(fmt)
    local out = {}
    for i, v in ipairs(vals) do
      if v ~= v then out[i] = "NaN"
      elseif v == math.huge then out[i] = " inf"
      elseif v == -math.huge then out[i] = "-inf"
      else out[i] = fmt:format(v) end
    end
    return trim_zeros(out)
  end
  local out = with("% .6f")
  local maxlen, large, small = 0, false, false
  for i, v in ipairs(vals) do
    maxlen = math.max(maxlen, #out[i])
    local a = math.abs(v)
    if a == a and a ~= math.huge then
      if a > 1e6 then large = true end
      if a < 1e-6 and a > 0 then small = true end
    end
  end
  if small or (maxlen > 12 and large) then out = with("% .6e") end
  return out
end

local function format_values(vals, dtype, n)
  if dtype == "float64" then return format_floats(vals) end
  local out = {}
  for i = 1, n do
    local v = vals[i]
    if dtype == "int64" then
      out[i] = ("% d"):format(math.tointeger(v) or 0)
    elseif v == nil or (type(v) == "number" and v ~= v) then
      out[i] = " NaN"
    elseif type(v) == "number" then
      out[i] = " " .. label_str(v)
    elseif type(v) == "boolean" then
      out[i] = v and " True" or " False"
    else
      local s = tostring(v)
      -- display.max_colwidth 50, counting the leading space
      if utf8.len(s) and utf8.len(s) > 49 then s = s:sub(1, utf8.offset(s, 47) - 1) .. "..." end
      out[i] = " " .. s
    end
  end
  return out
end

-- display width: East Asian wide characters are not counted twice, as
-- pandas does not either (display.unicode.east_asian_width is off)
local function width(s) return utf8.len(s) or #s end
local function rjust(s, w) return (" "):rep(w - width(s)) .. s end
local function ljust(s, w) return s .. (" "):rep(w - width(s)) end

local MAX_ROWS, MIN_ROWS, LINE_WIDTH = 60, 10, 80
local function first_rows_n(n) local r = {} for i = 1, n do r[i] = i end return r end

-- the shown labels of an index: floats as a float column prints them
-- (common decimals) with the sign slot trimmed off the front, as pandas's
-- Float64Index.format; everything else as its text
local index_labels
-- the text of an index for the shown rows: the name line (or nil) and
-- one string per row. Several levels (a MultiIndex) are laid out as
-- columns sep apart, each left-justified, a label left blank where it
-- and every level to its left repeat the row above (pandas's sparsify).
local function index_strings(ix, rows, sep)
  if not ix.names then
    return ix.name ~= nil and label_str(ix.name) or nil, index_labels(ix, rows)
  end
  local nl = #ix.names
  local levels, widths = {}, {}
  for l = 1, nl do
    local lv = {}
    for i, r in ipairs(rows) do lv[i] = ix[r][l] end
    local fake = {}
    for i = 1, #rows do fake[i] = lv[i] end
    levels[l] = index_labels(fake, first_rows_n(#rows))
    widths[l] = width(label_str(ix.names[l]))
  end
  -- sparsify: blank a label equal to the row above's when all the
  -- levels to its left are equal too
  for i = #rows, 2, -1 do
    local same = true
    for l = 1, nl - 1 do
      if same and ix[rows[i]][l] == ix[rows[i - 1]][l] then levels[l][i] = "" else same = false end
    end
  end
  for l = 1, nl do for _, x in ipairs(levels[l]) do widths[l] = math.max(widths[l], width(x)) end end
  local names = {}
  for l = 1, nl do names[l] = ljust(label_str(ix.names[l]), widths[l]) end
  local out = {}
  for i = 1, #rows do
    local parts = {}
    for l = 1, nl do parts[l] = ljust(levels[l][i], widths[l]) end
    out[i] = table.concat(parts, sep)
  end
  return table.concat(names, sep), out
end

function index_labels(ix, rows)
  local out, floats = {}, #rows > 0
  for i, r in ipairs(rows) do
    local v = ix[r]
    if not (math.type(v) == "float") then floats = false end
    out[i] = label_str(v)
  end
  if floats then
    local vals = {}
    for i, r in ipairs(rows) do vals[i] = ix[r] end
    out = format_floats(vals)
    -- left-justified float formatting gives NaN the sign slot too
    for i, x in ipairs(out) do if x == "NaN" then out[i] = " NaN" end end
    local lead = math.huge
    for _, x in ipairs(out) do lead = math.min(lead, #x:match("^ *")) end
    for i, x in ipairs(out) do out[i] = x:sub(lead + 1) end
  end
  return out
end

-- the rows shown: all, or the first and last MIN_ROWS/2 with a gap
local function shown_rows(n)
  if n <= MAX_ROWS then
    local rows = {}
    for i = 1, n do rows[i] = i end
    return rows, nil
  end
  local rows, half = {}, MIN_ROWS // 2
  for i = 1, half do rows[#rows + 1] = i end
  for i = n - half + 1, n do rows[#rows + 1] = i end
  return rows, half
end

-- ---- Series -----------------------------------------------------------

Series.__index = function(s, k)
  local m = Series[k]
  if m ~= nil and type(k) == "string" and k:sub(1, 2) ~= "__" then return m end
  if math.type(k) == "integer" then
    if k < 1 or k > s.n then raise("Series: position %d out of range 1..%d", k, s.n) end
    return s.values[k]
  end
  if k == "name" or k == "dtype" or k == "index" then return nil end
  if k == "shape" then return {s.n} end
  if k == "size" then return s.n end
  if type(k) == "string" then
    for i = 1, s.n do if s.index[i] == k then return s.values[i] end end
    raise("Series: no label '%s'", k)
  end
  if is_series(k) then return s:_mask(k) end
  return nil
end

Series.__len = function(s) return s.n end

local function series_string(s)
  local rows, gap = shown_rows(s.n)
  local vals, labels = {}, {}
  for i, r in ipairs(rows) do vals[i] = s.values[r] end
  local name_line
  name_line, labels = index_strings(s.index, rows, "  ")
  local fmt = format_values(vals, s.dtype, #rows)
  local vw, iw = 0, 0
  for i = 1, #rows do vw = math.max(vw, width(fmt[i])); iw = math.max(iw, width(labels[i])) end
  local lines = {}
  if name_line then lines[1] = name_line end
  for i = 1, #rows do
    lines[#lines + 1] = ljust(labels[i], iw) .. "   " .. rjust(fmt[i], vw)
    if gap and i == gap then
      -- pandas: an empty index cell and "..." centred as Python's str.center
      local marg = vw - 3
      local left = marg // 2 + (marg & vw & 1)
      lines[#lines + 1] = (" "):rep(iw) .. "   " .. (" "):rep(left) .. "..." .. (" "):rep(math.max(0, marg - left))
    end
  end
  if s.n == 0 then
    lines = {("Series([], %sdtype: %s)"):format(s.name and ("Name: " .. tostring(s.name) .. ", ") or "", s.dtype)}
    return lines[1]
  end
  local foot = {}
  if s.name ~= nil then foot[#foot + 1] = "Name: " .. label_str(s.name) end
  if gap then foot[#foot + 1] = "Length: " .. s.n end
  foot[#foot + 1] = "dtype: " .. s.dtype
  -- pandas strips trailing spaces off the lines of a Series only at the end
  return table.concat(lines, "\n") .. "\n" .. table.concat(foot, ", ")
end
Series.__tostring = series_string

-- s:head(n), s:tail(n)
local function take_series(s, rows)
  local vals = {}
  for i, r in ipairs(rows) do vals[i] = s.values[r] end
  return setmetatable({values = vals, n = #rows, dtype = s.dtype, name = s.name,
                       index = copy_index(s.index, rows)}, Series)
end

local function first_rows(n, k) local r = {} for i = 1, math.min(n, k) do r[i] = i end return r end
local function last_rows(n, k) local r = {} for i = math.max(1, n - k + 1), n do r[#r + 1] = i end return r end

local function check_count(fn, k)
  if k == nil then return 5 end
  if math.type(k) ~= "integer" then raise("%s: n must be an integer, got %s", fn, tostring(k)) end
  return k
end

-- values first..last, 1-based and inclusive (s.iloc[first-1:last])
function Series:slice(first, last)
  if math.type(first) ~= "integer" then raise("slice: first must be an integer (1-based)") end
  last = last or self.n
  if math.type(last) ~= "integer" then raise("slice: last must be an integer (1-based)") end
  if first < 0 then first = self.n + first + 1 end
  if last < 0 then last = self.n + last + 1 end
  local rows = {}
  for i = math.max(1, first), math.min(self.n, last) do rows[#rows + 1] = i end
  return take_series(self, rows)
end

function Series:head(k) return take_series(self, first_rows(self.n, check_count("head", k))) end
function Series:tail(k) return take_series(self, last_rows(self.n, check_count("tail", k))) end

function Series:_mask(mask)
  if not is_series(mask) or mask.dtype ~= "bool" then raise("a mask must be a boolean Series") end
  if mask.n ~= self.n then raise("mask has %d values for %d rows", mask.n, self.n) end
  local rows = {}
  for i = 1, self.n do if mask.values[i] then rows[#rows + 1] = i end end
  return take_series(self, rows)
end

-- the values of x as a list aligned with s (a Series of the same length
-- or a scalar)
local function operand(s, x, op)
  if is_series(x) then
    if x.n ~= s.n then raise("Series %s: lengths differ (%d and %d)", op, s.n, x.n) end
    return x.values, x.dtype
  end
  if type(x) == "number" or type(x) == "string" or type(x) == "boolean" then return nil, x end
  raise("Series %s: cannot combine with a %s", op, type(x))
end

local function arith(op, f, keep_int)
  return function(a, b)
    local s, other, swapped = a, b, false
    if not is_series(a) then s, other, swapped = b, a, true end
    local vals, odt = operand(s, other, op)
    if not numeric(s.dtype) and s.dtype ~= "bool" then raise("Series %s: column of %s, not numbers", op, s.dtype) end
    local out = {}
    for i = 1, s.n do
      local x = s.values[i]
      local y = vals and vals[i] or odt
      if type(x) == "boolean" then x = x and 1.0 or 0.0 end
      if type(y) == "boolean" then y = y and 1.0 or 0.0 end
      if type(y) ~= "number" then raise("Series %s: cannot combine numbers with %s", op, type(y)) end
      if swapped then x, y = y, x end
      out[i] = f(x + 0.0, y + 0.0)
    end
    local int = keep_int and s.dtype == "int64" and
      ((vals and odt == "int64") or (not vals and math.type(odt) == "integer"))
    local name = s.name
    if is_series(other) and other.name ~= s.name then name = nil end
    local dtype = int and "int64" or "float64"
    if int then for i = 1, s.n do if out[i] ~= out[i] or out[i] == math.huge or out[i] == -math.huge then dtype = "float64" end end end
    return setmetatable({values = out, n = s.n, dtype = dtype, name = name, index = copy_index(s.index)}, Series)
  end
end

Series.__add = arith("+", function(x, y) return x + y end, true)
Series.__sub = arith("-", function(x, y) return x - y end, true)
Series.__mul = arith("*", function(x, y) return x * y end, true)
Series.__div = arith("/", function(x, y) return x / y end, false)
Series.__pow = arith("^", function(x, y) return x ^ y end, true)
Series.__mod = arith("%", function(x, y)
  if y == 0 then return NaN end
  return x - math.floor(x / y) * y
end, true)
Series.__idiv = arith("//", function(x, y) return math.floor(x / y) end, true)
Series.__unm = function(s) return arith("-", function(x, y) return y - x end, true)(s, 0) end

-- comparisons give boolean masks; a missing value compares false (true
-- for ne), as pandas
local function compare(op, f)
  return function(s, x)
    if not is_series(s) then raise("Series:%s: call it on a Series", op) end
    local vals, scalar = operand(s, x, op)
    local out = {}
    for i = 1, s.n do
      local a, b = s.values[i], vals and vals[i] or scalar
      if missing(a) or missing(b) then
        out[i] = op == "ne"
      elseif op == "eq" then out[i] = a == b
      elseif op == "ne" then out[i] = a ~= b
      else
        if type(a) ~= type(b) then raise("Series:%s: cannot compare %s with %s", op, type(a), type(b)) end
        out[i] = f(a, b)
      end
    end
    return setmetatable({values = out, n = s.n, dtype = "bool", name = s.name, index = copy_index(s.index)}, Series)
  end
end
Series.eq = compare("eq")
Series.ne = compare("ne")
Series.lt = compare("lt", function(a, b) return a < b end)
Series.le = compare("le", function(a, b) return a <= b end)
Series.gt = compare("gt", function(a, b) return a > b end)
Series.ge = compare("ge", function(a, b) return a >= b end)

local function logical(op, f)
  return function(a, b)
    if not is_series(a) or a.dtype ~= "bool" then raise("%s needs boolean Series", op) end
    local vals = is_series(b) and b.values
    if vals and b.n ~= a.n then raise("%s: lengths differ (%d and %d)", op, a.n, b.n) end
    if not vals and type(b) ~= "boolean" then raise("%s needs boolean Series", op) end
    local out = {}
    for i = 1, a.n do
      local y = vals and vals[i]
      if not vals then y = b end
      out[i] = f(a.values[i] == true, y == true)
    end
    return setmetatable({values = out, n = a.n, dtype = "bool", name = nil, index = copy_index(a.index)}, Series)
  end
end
Series.__band = logical("&", function(x, y) return x and y end)
Series.__bor = logical("|", function(x, y) return x or y end)
Series.__bxor = logical("~", function(x, y) return x ~= y end)
Series.__bnot = function(a)
  if a.dtype ~= "bool" then raise("~ needs a boolean Series") end
  local out = {}
  for i = 1, a.n do out[i] = not a.values[i] end
  return setmetatable({values = out, n = a.n, dtype = "bool", name = a.name, index = copy_index(a.index)}, Series)
end

function Series:isin(list)
  if type(list) ~= "table" then raise("isin: expected a list, got %s", type(list)) end
  local set = {}
  for _, v in ipairs(list) do set[v] = true end
  local out = {}
  for i = 1, self.n do local v = self.values[i]; out[i] = v ~= nil and set[v] == true end
  return setmetatable({values = out, n = self.n, dtype = "bool", name = self.name, index = copy_index(self.index)}, Series)
end

function Series:isnull()
  local out = {}
  for i = 1, self.n do out[i] = missing(self.values[i]) end
  return setmetatable({values = out, n = self.n, dtype = "bool", name = self.name, index = copy_index(self.index)}, Series)
end
Series.isna = Series.isnull
function Series:notnull() return ~self:isnull() end
Series.notna = Series.notnull

-- missing values carried forward (ffill) or backward (bfill)
local function fill_direction(s, method)
  local out = {}
  local first, last, step = 1, s.n, 1
  if method == "bfill" or method == "backfill" then first, last, step = s.n, 1, -1 end
  local carry
  for i = first, last, step do
    local v = s.values[i]
    if missing(v) then out[i] = carry else out[i] = v; carry = v end
  end
  if numeric(s.dtype) then for i = 1, s.n do if out[i] == nil then out[i] = NaN end end end
  return setmetatable({values = out, n = s.n, dtype = s.dtype, name = s.name, index = copy_index(s.index)}, Series)
end

function Series:ffill() return fill_direction(self, "ffill") end
function Series:bfill() return fill_direction(self, "bfill") end

-- linear interpolation over positions, as pandas's interpolate():
-- leading missing values stay, trailing ones take the last value
function Series:interpolate(opts)
  opts = options.check("interpolate", opts, {method = "string"})
  if opts.method and opts.method ~= "linear" then raise("interpolate: only method = 'linear' is supported") end
  if not numeric(self.dtype) then raise("interpolate: column '%s' holds %s, not numbers", tostring(self.name), self.dtype) end
  local out, prev = {}, nil
  for i = 1, self.n do out[i] = self.values[i] end
  for i = 1, self.n do
    local v = out[i]
    if v == v then
      if prev and i - prev > 1 then
        local a, b = out[prev], v
        for k = prev + 1, i - 1 do out[k] = a + (b - a) * (k - prev) / (i - prev) end
      end
      prev = i
    end
  end
  if prev then for k = prev + 1, self.n do out[k] = out[prev] end end
  return setmetatable({values = out, n = self.n, dtype = "float64", name = self.name,
                       index = copy_index(self.index)}, Series)
end

-- fillna(value) or fillna{method = "ffill" | "bfill"}
function Series:fillna(value)
  if value == nil then raise("fillna: a value is needed") end
  if type(value) == "table" and not is_series(value) then
    local opts = options.check("fillna", value, {method = "string"})
    local m = opts.method
    if m ~= "ffill" and m ~= "pad" and m ~= "bfill" and m ~= "backfill" then
      raise("fillna: method must be 'ffill' or 'bfill', got '%s'", tostring(m))
    end
    return fill_direction(self, m)
  end
  if is_series(value) then raise("fillna: a Series value fills a DataFrame (df:fillna(df:mean()))") end
  local out = {}
  for i = 1, self.n do
    local v = self.values[i]
    if missing(v) then v = value end
    out[i] = v
  end
  local dtype = self.dtype
  if numeric(dtype) and type(value) == "number" then
    dtype = self.dtype
  else
    dtype = infer_dtype(out, self.n)
  end
  return new_series(out, self.n, dtype, self.name, copy_index(self.index))
end

function Series:dropna()
  local rows = {}
  for i = 1, self.n do if not missing(self.values[i]) then rows[#rows + 1] = i end end
  return take_series(self, rows)
end

-- the non-missing numbers (booleans count as 0/1)
local function numbers(s, fn)
  if not numeric(s.dtype) and s.dtype ~= "bool" then
    raise("%s: column '%s' holds %s, not numbers", fn, tostring(s.name), s.dtype)
  end
  local out = {}
  for i = 1, s.n do
    local v = s.values[i]
    if type(v) == "boolean" then v = v and 1.0 or 0.0 end
    if v ~= nil and v == v then out[#out + 1] = v end
  end
  return out
end

local function mean_of(xs)
  local n = #xs
  if n == 0 then return NaN end
  local sum = 0.0
  for i = 1, n do sum = sum + xs[i] end
  return sum / n
end

local function var_of(xs, ddof)
  local n = #xs
  if n - ddof <= 0 then return NaN end
  local m, ss = mean_of(xs), 0.0
  for i = 1, n do local d = xs[i] - m; ss = ss + d * d end
  return ss / (n - ddof)
end

-- linear interpolation between order statistics, as pandas's quantile
local function quantile_sorted(xs, q)
  local n = #xs
  if n == 0 then return NaN end
  local pos = (n - 1) * q
  local lo = math.floor(pos)
  local frac = pos - lo
  local a = xs[lo + 1]
  if frac == 0 then return a end
  return a + (xs[lo + 2] - a) * frac
end

local function as_result(v, dtype)
  if dtype == "int64" or dtype == "bool" then return math.tointeger(v) or v end
  return v
end

function Series:sum() local s = 0.0 for _, v in ipairs(numbers(self, "sum")) do s = s + v end return as_result(s, self.dtype) end
function Series:mean() return mean_of(numbers(self, "mean")) end
function Series:var(ddof) return var_of(numbers(self, "var"), ddof or 1) end
function Series:std(ddof) return math.sqrt(var_of(numbers(self, "std"), ddof or 1)) end
function Series:count()
  local c = 0
  for i = 1, self.n do if not missing(self.values[i]) then c = c + 1 end end
  return c
end
local function extreme(s, fn, better)
  local best
  for i = 1, s.n do
    local v = s.values[i]
    if not missing(v) then
      if type(v) == "boolean" then v = v and 1 or 0 end
      if best == nil or better(v, best) then best = v end
    end
  end
  if best == nil then return NaN end
  return type(best) == "number" and as_result(best, s.dtype) or best
end
function Series:min() return extreme(self, "min", function(a, b) return a < b end) end
function Series:max() return extreme(self, "max", function(a, b) return a > b end) end
function Series:quantile(q)
  q = q or 0.5
  if type(q) ~= "number" or q < 0 or q > 1 then raise("quantile: q must be a number in [0, 1]") end
  local xs = numbers(self, "quantile")
  table.sort(xs)
  return quantile_sorted(xs, q)
end
function Series:median() return self:quantile(0.5) end

-- values in order of first appearance; missing once, as NaN (nil for
-- strings) at its place
function Series:unique()
  local seen, out, nan_seen = {}, {}, false
  for i = 1, self.n do
    local v = self.values[i]
    if missing(v) then
      if not nan_seen then nan_seen = true; out[#out + 1] = numeric(self.dtype) and NaN or false end
    elseif not seen[v] then
      seen[v] = true
      out[#out + 1] = v
    end
  end
  if not numeric(self.dtype) then for i, v in ipairs(out) do if v == false and self.dtype ~= "bool" then out[i] = nil end end end
  return out
end
function Series:nunique()
  local seen, c = {}, 0
  for i = 1, self.n do
    local v = self.values[i]
    if not missing(v) and not seen[v] then seen[v] = true; c = c + 1 end
  end
  return c
end

-- a stable sort of positions by value, missing last (pandas's
-- na_position = "last")
local function order(vals, rows, ascending)
  local pos = {}
  for i, r in ipairs(rows) do pos[r] = i end
  table.sort(rows, function(a, b)
    local x, y = vals[a], vals[b]
    local mx, my = missing(x), missing(y)
    if mx or my then
      if mx and my then return pos[a] < pos[b] end
      return my
    end
    if x == y then return pos[a] < pos[b] end
    if type(x) ~= type(y) then x, y = tostring(x), tostring(y) end
    if type(x) == "boolean" then x, y = x and 1 or 0, y and 1 or 0 end
    if ascending then return x < y else return x > y end
  end)
  return rows
end

-- NumPy 1.24's argsort(kind = "quicksort") (npysort/quicksort.cpp,
-- aquicksort_): median-of-three introsort with insertion sort below 16
-- elements. pandas sorts one column and value_counts with it, so ties
-- come out in NumPy's order, which this reproduces. idx: positions to
-- sort (permuted in place), less(a, b) on positions.
local function np_heapsort(idx, lo, n, less)
  -- heapsort of idx[lo .. lo+n-1] as npysort's aheapsort_ (1-based a)
  local function a(i) return idx[lo + i - 2] end
  local function seta(i, v) idx[lo + i - 2] = v end
  for l = n >> 1, 1, -1 do
    local tmp = a(l)
    local i, j = l, l << 1
    while j <= n do
      if j < n and less(a(j), a(j + 1)) then j = j + 1 end
      if less(tmp, a(j)) then seta(i, a(j)); i = j; j = j + j else break end
    end
    seta(i, tmp)
  end
  for m = n, 2, -1 do
    local tmp = a(m)
    seta(m, a(1))
    local i, j = 1, 2
    local nn = m - 1
    while j <= nn do
      if j < nn and less(a(j), a(j + 1)) then j = j + 1 end
      if less(tmp, a(j)) then seta(i, a(j)); i = j; j = j + j else break end
    end
    seta(i, tmp)
  end
end

local function np_argsort(idx, less)
  local num = #idx
  if num < 2 then return idx end
  local pl, pr = 1, num
  local stack, depth = {}, {}
  local msb = 0
  local x = num
  while x > 1 do x = x >> 1; msb = msb + 1 end
  local cdepth = msb * 2
  while true do
    local skip = false
    if cdepth < 0 then
      np_heapsort(idx, pl, pr - pl + 1, less)
      skip = true
    end
    if not skip then
      while pr - pl > 15 do
        local pm = pl + ((pr - pl) >> 1)
        if less(idx[pm], idx[pl]) then idx[pm], idx[pl] = idx[pl], idx[pm] end
        if less(idx[pr], idx[pm]) then idx[pr], idx[pm] = idx[pm], idx[pr] end
        if less(idx[pm], idx[pl]) then idx[pm], idx[pl] = idx[pl], idx[pm] end
        local vp = idx[pm]
        local pi, pj = pl, pr - 1
        idx[pm], idx[pj] = idx[pj], idx[pm]
        while true do
          repeat pi = pi + 1 until not less(idx[pi], vp)
          repeat pj = pj - 1 until not less(vp, idx[pj])
          if pi >= pj then break end
          idx[pi], idx[pj] = idx[pj], idx[pi]
        end
        local pk = pr - 1
        idx[pi], idx[pk] = idx[pk], idx[pi]
        if pi - pl < pr - pi then
          stack[#stack + 1] = pi + 1; stack[#stack + 1] = pr
          pr = pi - 1
        else
          stack[#stack + 1] = pl; stack[#stack + 1] = pi - 1
          pl = pi + 1
        end
        cdepth = cdepth - 1
        depth[#depth + 1] = cdepth
      end
      for pi = pl + 1, pr do
        local vp = idx[pi]
        local pj = pi
        while pj > pl and less(vp, idx[pj - 1]) do
          idx[pj] = idx[pj - 1]
          pj = pj - 1
        end
        idx[pj] = vp
      end
    end
    if #stack == 0 then break end
    pr = table.remove(stack)
    pl = table.remove(stack)
    cdepth = table.remove(depth)
  end
  return idx
end

local function value_less(x, y)
  if type(x) ~= type(y) then return tostring(x) < tostring(y) end
  if type(x) == "boolean" then return (not x) and y end
  return x < y
end

-- pandas's nargsort: positions of vals sorted by NumPy's quicksort,
-- descending through the reversal pandas uses, missing values last
local function nargsort(vals, n, ascending)
  local good, nans = {}, {}
  for i = 1, n do
    if missing(vals[i]) then nans[#nans + 1] = i else good[#good + 1] = i end
  end
  if not ascending then
    local m = #good
    for i = 1, m // 2 do good[i], good[m - i + 1] = good[m - i + 1], good[i] end
  end
  -- argsort sorts positions into the list; ties compare as equal
  local pos = {}
  for k = 1, #good do pos[k] = k end
  np_argsort(pos, function(a, b) return value_less(vals[good[a]], vals[good[b]]) end)
  local out = {}
  for k = 1, #pos do out[k] = good[pos[k]] end
  if not ascending then
    local m = #out
    for i = 1, m // 2 do out[i], out[m - i + 1] = out[m - i + 1], out[i] end
  end
  for _, i in ipairs(nans) do out[#out + 1] = i end
  return out
end

-- sort_values{ascending = true, kind = "quicksort" | "stable"}: NumPy's
-- quicksort order for ties by default, as pandas; "stable" keeps ties in
-- row order
function Series:sort_values(opts)
  opts = options.check("sort_values", opts, {ascending = "boolean", kind = "string"})
  local kind = opts.kind or "quicksort"
  if kind ~= "quicksort" and kind ~= "stable" and kind ~= "mergesort" then
    raise("sort_values: kind must be 'quicksort' or 'stable', got '%s'", kind)
  end
  local rows
  if kind == "quicksort" then
    rows = nargsort(self.values, self.n, opts.ascending ~= false)
  else
    rows = {}
    for i = 1, self.n do rows[i] = i end
    order(self.values, rows, opts.ascending ~= false)
  end
  return take_series(self, rows)
end

-- counts of each value, largest first (ties in order of appearance), as
-- pandas's value_counts; missing values are left out
function Series:value_counts(opts)
  opts = options.check("value_counts", opts, {normalize = "boolean", ascending = "boolean", dropna = "boolean"})
  local counts, keys = {}, {}
  local nan_count = 0
  for i = 1, self.n do
    local v = self.values[i]
    if missing(v) then nan_count = nan_count + 1
    else
      if self.dtype == "int64" then v = math.tointeger(v) or v end
      if not counts[v] then counts[v] = 0; keys[#keys + 1] = v end
      counts[v] = counts[v] + 1
    end
  end
  local vals = {}
  for i, k in ipairs(keys) do vals[i] = counts[k] + 0.0 end
  if opts.dropna == false and nan_count > 0 then
    keys[#keys + 1] = numeric(self.dtype) and NaN or "NaN"
    vals[#vals + 1] = nan_count + 0.0
  end
  local rows = nargsort(vals, #vals, opts.ascending == true)
  local total = 0
  for _, c in ipairs(vals) do total = total + c end
  local out, ix = {}, {}
  for i, r in ipairs(rows) do
    out[i] = opts.normalize and vals[r] / total or vals[r]
    ix[i] = keys[r]
  end
  return setmetatable({values = out, n = #out, dtype = opts.normalize and "float64" or "int64",
                       name = self.name, index = ix}, Series)
end

function Series:map(f)
  if type(f) ~= "function" and type(f) ~= "table" then raise("map: expected a function or a table, got %s", type(f)) end
  local out = {}
  for i = 1, self.n do
    local v = self.values[i]
    if type(f) == "table" then out[i] = f[v] else out[i] = f(v) end
  end
  return new_series(out, self.n, nil, self.name, copy_index(self.index))
end
Series.apply = Series.map

function Series:astype(dtype)
  local out = {}
  for i = 1, self.n do
    local v = self.values[i]
    if dtype == "float64" or dtype == "int64" then
      if type(v) == "boolean" then v = v and 1 or 0 end
      local x = tonumber(v)
      if v ~= nil and x == nil then raise("astype: cannot convert '%s' to a number", tostring(v)) end
      if dtype == "int64" then
        if x == nil or x ~= x then raise("astype: cannot convert a missing value to int64") end
        x = x >= 0 and math.floor(x) or math.ceil(x)
      end
      out[i] = x
    elseif dtype == "object" or dtype == "str" then
      out[i] = v ~= nil and (dtype == "str" and label_str(v) or v) or nil
    elseif dtype == "bool" then
      out[i] = not (v == nil or v == false or v == 0 or v ~= v)
    else
      raise("astype: unknown dtype '%s' (float64, int64, bool, object, str)", tostring(dtype))
    end
  end
  if dtype == "str" then dtype = "object" end
  return new_series(out, self.n, dtype, self.name, copy_index(self.index))
end

function Series:tolist()
  return table.move(self.values, 1, self.n, 1, {})
end

function Series:to_tensor()
  return core.to_tensor({numbers(self, "to_tensor") and self.values}, self.n):reshape(self.n)
end

function Series:rename(name) local c = take_series(self, first_rows(self.n, self.n)); c.name = name; return c end

-- ---- DataFrame --------------------------------------------------------

local function column(df, name)
  local c = df._cols[name]
  if not c then
    local near = options.nearest(tostring(name), df._names)
    raise("no column '%s'%s", tostring(name), near and (" (did you mean '" .. near .. "'?)") or "")
  end
  return setmetatable({values = c.values, n = df._n, dtype = c.dtype, name = name,
                       index = df._index}, Series)
end

DataFrame.__index = function(df, k)
  local m = DataFrame[k]
  if m ~= nil and type(k) == "string" and k:sub(1, 2) ~= "__" then return m end
  if k == "shape" then return {df._n, #df._names} end
  if k == "columns" then return table.move(df._names, 1, #df._names, 1, {}) end
  if k == "index" then return copy_index(df._index) end
  if k == "dtypes" then
    local vals = {}
    for i, name in ipairs(df._names) do vals[i] = df._cols[name].dtype end
    local ix = table.move(df._names, 1, #df._names, 1, {})
    return setmetatable({values = vals, n = #vals, dtype = "object", index = ix}, Series)
  end
  if k == "size" then return df._n * #df._names end
  if type(k) == "string" then
    if k:sub(1, 1) == "_" and not df._cols[k] then return nil end
    return column(df, k)
  end
  if is_series(k) then return df:_mask(k) end
  if type(k) == "table" then return df:select(k) end
  raise("DataFrame: cannot index with a %s", type(k))
end

DataFrame.__len = function(df) return df._n end

-- df.name = Series | list | scalar: a new or replaced column
DataFrame.__newindex = function(df, k, v)
  if type(k) ~= "string" then raise("DataFrame: column names must be strings") end
  local vals, dtype
  if is_series(v) then
    if v.n ~= df._n then raise("column '%s': %d values for %d rows", k, v.n, df._n) end
    vals, dtype = table.move(v.values, 1, v.n, 1, {}), v.dtype
  elseif type(v) == "table" then
    local n = #v
    if n ~= df._n then raise("column '%s': %d values for %d rows", k, n, df._n) end
    vals = table.move(v, 1, n, 1, {})
    dtype = infer_dtype(vals, n)
  elseif type(v) == "number" or type(v) == "string" or type(v) == "boolean" then
    vals = {}
    for i = 1, df._n do vals[i] = v end
    dtype = infer_dtype(vals, df._n)
  elseif v == nil then
    return df:_drop_in_place(k)
  else
    raise("column '%s': cannot make a column of a %s", k, type(v))
  end
  if not df._cols[k] then df._names[#df._names + 1] = k end
  df._cols[k] = {values = normalise(vals, df._n, dtype), dtype = dtype}
end

function DataFrame:_drop_in_place(k)
  if not self._cols[k] then return end
  self._cols[k] = nil
  for i, name in ipairs(self._names) do if name == k then table.remove(self._names, i) break end end
end

-- a new frame with the given rows (positions), columns shared by value
local function take(df, rows, names)
  names = names or df._names
  local cols = {}
  for _, name in ipairs(names) do
    local c = df._cols[name]
    local vals, src = {}, c.values
    for i, r in ipairs(rows) do vals[i] = src[r] end
    cols[name] = {values = vals, dtype = c.dtype}
  end
  local index = copy_index(df._index, rows)
  return new_frame(table.move(names, 1, #names, 1, {}), cols, #rows, index)
end

function DataFrame:head(k) return take(self, first_rows(self._n, check_count("head", k))) end
function DataFrame:tail(k) return take(self, last_rows(self._n, check_count("tail", k))) end

-- for label, row in df:iterrows(): each row as a Series (df:iloc(i)),
-- with its index label, as pandas's iterrows
function DataFrame:iterrows()
  local i = 0
  return function()
    i = i + 1
    if i > self._n then return nil end
    return self._index[i], self:iloc(i)
  end
end

-- rows first..last, 1-based and inclusive (pandas's df.iloc[first-1:last])
function DataFrame:slice(first, last)
  if math.type(first) ~= "integer" then raise("slice: first must be an integer (1-based)") end
  last = last or self._n
  if math.type(last) ~= "integer" then raise("slice: last must be an integer (1-based)") end
  if first < 0 then first = self._n + first + 1 end
  if last < 0 then last = self._n + last + 1 end
  local rows = {}
  for i = math.max(1, first), math.min(self._n, last) do rows[#rows + 1] = i end
  return take(self, rows)
end

-- row i (1-based) as a Series indexed by column names, as df.iloc[i-1]
function DataFrame:iloc(i)
  if math.type(i) ~= "integer" then raise("iloc: position must be an integer (1-based)") end
  if i < 0 then i = self._n + i + 1 end
  if i < 1 or i > self._n then raise("iloc: position %d out of range 1..%d", i, self._n) end
  local vals, dtypes = {}, {}
  for j, name in ipairs(self._names) do
    vals[j] = self._cols[name].values[i]
    dtypes[self._cols[name].dtype] = true
  end
  local dtype = "object"
  if not dtypes.object and not dtypes.bool then dtype = dtypes.float64 and "float64" or "int64" end
  if next(dtypes) == "bool" and not next(dtypes, "bool") then dtype = "bool" end
  if dtype == "object" then
    for j, name in ipairs(self._names) do
      if self._cols[name].dtype == "int64" then vals[j] = math.tointeger(vals[j]) or vals[j] end
    end
  end
  return setmetatable({values = vals, n = #vals, dtype = dtype, name = self._index[i],
                       index = table.move(self._names, 1, #self._names, 1, {})}, Series)
end

function DataFrame:_mask(mask)
  if mask.dtype ~= "bool" then raise("a row mask must be a boolean Series, got %s", mask.dtype) end
  if mask.n ~= self._n then raise("mask has %d values for %d rows", mask.n, self._n) end
  local rows = {}
  for i = 1, self._n do if mask.values[i] then rows[#rows + 1] = i end end
  return take(self, rows)
end
-- df:filter(mask) is df[mask]
function DataFrame:filter(mask)
  if not is_series(mask) then raise("filter: expected a boolean Series") end
  return self:_mask(mask)
end

local function check_names(df, fn, names)
  if type(names) == "string" then names = {names} end
  if type(names) ~= "table" then raise("%s: expected a list of column names, got %s", fn, type(names)) end
  for _, name in ipairs(names) do
    if not df._cols[name] then
      local near = options.nearest(tostring(name), df._names)
      raise("%s: no column '%s'%s", fn, tostring(name), near and (" (did you mean '" .. near .. "'?)") or "")
    end
  end
  return names
end

-- drop_duplicates{subset = {...}}: the first row of each combination
-- of values (of every column, or of subset); labels kept
function DataFrame:drop_duplicates(opts)
  opts = options.check("drop_duplicates", opts, {subset = "table|string", keep = "string"})
  local names = opts.subset and check_names(self, "drop_duplicates", opts.subset) or self._names
  if opts.keep and opts.keep ~= "first" then raise("drop_duplicates: only keep = 'first' is supported") end
  local seen, rows = {}, {}
  for i = 1, self._n do
    local parts = {}
    for j, name in ipairs(names) do
      local v = self._cols[name].values[i]
      parts[j] = missing(v) and "\1NaN" or (type(v) .. ":" .. label_str(v))
    end
    local k = table.concat(parts, "\0")
    if not seen[k] then seen[k] = true; rows[#rows + 1] = i end
  end
  return take(self, rows)
end

-- the row whose index label is label, as a Series (pandas's df.loc[label]
-- for one row); an error when no row has it
function DataFrame:loc(label)
  for i = 1, self._n do
    if self._index[i] == label then return self:iloc(i) end
  end
  raise("loc: no row labelled %s", label_str(label))
end

-- df:select{"a", "b"} is pandas's df[["a", "b"]]
function DataFrame:select(names)
  names = check_names(self, "select", names)
  local cols = {}
  for _, name in ipairs(names) do cols[name] = self._cols[name] end
  return new_frame(table.move(names, 1, #names, 1, {}), cols, self._n, copy_index(self._index))
end

function DataFrame:drop(names)
  names = check_names(self, "drop", names)
  local gone, keep = {}, {}
  for _, n in ipairs(names) do gone[n] = true end
  for _, n in ipairs(self._names) do if not gone[n] then keep[#keep + 1] = n end end
  return self:select(keep)
end

function DataFrame:rename(map)
  if type(map) ~= "table" then raise("rename: expected a table old = new") end
  local names, cols = {}, {}
  for old in pairs(map) do check_names(self, "rename", {old}) end
  for i, name in ipairs(self._names) do
    local new = map[name] or name
    names[i] = new
    cols[new] = self._cols[name]
  end
  return new_frame(names, cols, self._n, copy_index(self._index))
end

function DataFrame:copy()
  local rows = first_rows(self._n, self._n)
  local c = take(self, rows)
  c._index = copy_index(self._index)
  return c
end

function DataFrame:set_index(name)
  check_names(self, "set_index", {name})
  local c = self._cols[name]
  local ix = {name = name}
  for i = 1, self._n do ix[i] = c.values[i] end
  local df = self:drop({name})
  df._index = ix
  return df
end

function DataFrame:reset_index(opts)
  opts = options.check("reset_index", opts, {drop = "boolean"})
  local df = self:copy()
  local ix = self._index
  df._index = range_index(self._n)
  if not opts.drop then
    local levels = ix.names or {ix.name or "index"}
    for l = #levels, 1, -1 do
      local name = levels[l]
      local vals = {}
      for i = 1, self._n do if ix.names then vals[i] = ix[i][l] else vals[i] = ix[i] end end
      table.insert(df._names, 1, name)
      local dtype = infer_dtype(vals, self._n)
      df._cols[name] = {values = normalise(vals, self._n, dtype), dtype = dtype}
    end
  end
  return df
end

-- ---- printing ---------------------------------------------------------

-- the columns of text pandas's DataFrameFormatter builds: the index
-- column, then one per data column, every entry padded to its width
local function strcols(df, rows, gap, colnames)
  local name_line, labels = index_strings(df._index, rows, " ")
  local has_ixname = name_line ~= nil
  local nhead = has_ixname and 2 or 1
  local out = {}
  local ix = {}
  local head1 = df._columns_name and tostring(df._columns_name) or ""
  ix[1] = head1
  if has_ixname then ix[2] = name_line end
  for _, l in ipairs(labels) do ix[#ix + 1] = l end
  local iw = 0
  for _, s in ipairs(ix) do iw = math.max(iw, width(s)) end
  for i, s in ipairs(ix) do ix[i] = ljust(s, iw) end
  out[1] = ix
  for pos, name in ipairs(colnames) do
    local c = df._cols[name]
    -- pandas 1.5 pairs the shown columns' labels with the whole frame's
    -- dtypes by position to decide the numeric header's leading space
    -- (so after truncation, the right-hand columns take the dtypes of
    -- columns further left); reproduced, as its output is the reference
    local lead = df._cols[df._names[pos]].dtype
    local vals = {}
    for i, r in ipairs(rows) do vals[i] = c.values[r] end
    local fmt = format_values(vals, c.dtype, #rows)
    local header = ((numeric(lead) or lead == "bool") and " " or "") .. label_str(name)
    local w = width(header)
    for _, s in ipairs(fmt) do w = math.max(w, width(s)) end
    local col = {rjust(header, w)}
    if has_ixname then col[2] = (" "):rep(w) end
    for _, s in ipairs(fmt) do col[#col + 1] = rjust(s, w) end
    out[#out + 1] = col
  end
  -- the row of dots where rows were left out
  if gap then
    for ci, col in ipairs(out) do
      local cw = width(col[nhead + 1] or col[1])
      local dots = cw > 3 and "..." or ".."
      if col.dotcol then dots = "..." end
      local s = ci == 1 and ljust(dots, cw) or rjust(dots, cw)
      table.insert(col, nhead + gap + 1, s)
    end
  end
  return out
end

local function adjoin(cols)
  local lines = {}
  for i = 1, #cols[1] do
    local parts = {}
    for j, col in ipairs(cols) do parts[j] = col[i] end
    lines[i] = table.concat(parts, " ")
  end
  return lines
end

local function frame_string(df)
  local ncols = #df._names
  if ncols == 0 or df._n == 0 then
    local cols = {}
    for i, n in ipairs(df._names) do cols[i] = label_str(n) end
    return ("Empty DataFrame\nColumns: [%s]\nIndex: []"):format(table.concat(cols, ", "))
  end
  local rows, gap = shown_rows(df._n)
  local cols = strcols(df, rows, gap, df._names)
  -- pandas's _fit_strcols_to_terminal_width: drop middle columns until
  -- the lines fit in 80 characters, then show half from each end
  local maxlen = 0
  for _, l in ipairs(adjoin(cols)) do maxlen = math.max(maxlen, width(l)) end
  local dif = maxlen - LINE_WIDTH + 1
  local lens = {}
  for j, col in ipairs(cols) do
    local w = 0
    for _, s in ipairs(col) do w = math.max(w, width(s)) end
    lens[j] = w
  end
  local truncated_cols = false
  if dif > 0 then
    local keep = {}
    for j = 1, #lens do keep[j] = j end
    while dif > 0 and #keep > 1 do
      local half = #keep / 2
      local mid = math.floor(half + 0.5)
      if half - math.floor(half) == 0.5 and mid % 2 == 1 then mid = mid - 1 end  -- Python rounds half to even
      dif = dif - lens[keep[mid + 1]] - 1
      table.remove(keep, mid + 1)
    end
    local fitted = math.max(#keep - 1, 2)
    if ncols > fitted then
      truncated_cols = true
      local half = fitted // 2
      local names = {}
      for j = 1, half do names[#names + 1] = df._names[j] end
      for j = ncols - half + 1, ncols do names[#names + 1] = df._names[j] end
      cols = strcols(df, rows, nil, names)
      local nlines = #cols[1]
      local dotcol = {dotcol = true}
      for i = 1, nlines do dotcol[i] = " ..." end
      table.insert(cols, half + 2, dotcol)
      if gap then
        local nhead = (df._index.name ~= nil or df._index.names ~= nil) and 2 or 1
        for ci, col in ipairs(cols) do
          local cw = width(col[nhead + 1] or col[1])
          local dots
          if col.dotcol then dots = "..."; cw = 4
          else dots = cw > 3 and "..." or ".." end
          table.insert(col, nhead + gap + 1, ci == 1 and ljust(dots, cw) or rjust(dots, cw))
        end
      end
    end
  end
  local text = table.concat(adjoin(cols), "\n")
  if gap or truncated_cols then
    text = text .. ("\n\n[%d rows x %d columns]"):format(df._n, ncols)
  end
  return text
end
DataFrame.__tostring = frame_string

-- ---- summaries ----------------------------------------------------------

local STATS = {"count", "mean", "std", "min", "25%", "50%", "75%", "max"}

-- count, mean, std, min, quartiles, max of the numeric columns
function DataFrame:describe()
  local names, cols = {}, {}
  for _, name in ipairs(self._names) do
    local c = self._cols[name]
    if numeric(c.dtype) then
      local xs = numbers(column(self, name), "describe")
      table.sort(xs)
      local vals = {#xs + 0.0, mean_of(xs), math.sqrt(var_of(xs, 1)),
                    xs[1] or NaN, quantile_sorted(xs, 0.25), quantile_sorted(xs, 0.5),
                    quantile_sorted(xs, 0.75), xs[#xs] or NaN}
      names[#names + 1] = name
      cols[name] = {values = vals, dtype = "float64"}
    end
  end
  if #names == 0 then raise("describe: no numeric columns") end
  local ix = table.move(STATS, 1, #STATS, 1, {})
  return new_frame(names, cols, #STATS, ix)
end

function Series:describe()
  if not numeric(self.dtype) then raise("describe: column '%s' is not numeric", tostring(self.name)) end
  local df = new_frame({"x"}, {x = {values = self.values, dtype = self.dtype}}, self.n):describe()
  local s = column(df, "x")
  s.name = self.name
  return s
end

local function memory_text(bytes, plus)
  local units = {"bytes", "KB", "MB", "GB", "TB"}
  local num = bytes
  for _, u in ipairs(units) do
    if num < 1024.0 then return ("%3.1f%s %s"):format(num, plus and "+" or "", u) end
    num = num / 1024.0
  end
  return ("%3.1f%s PB"):format(num, plus and "+" or "")
end

-- df:info() prints what pandas's DataFrame.info() prints
function DataFrame:info(opts)
  opts = options.check("info", opts, {buf = "boolean"})
  local lines = {"<class 'pandas.core.frame.DataFrame'>"}
  local ix = self._index
  if ix.range then
    lines[#lines + 1] = ("RangeIndex: %d entries, %s to %s"):format(self._n,
      self._n > 0 and "0" or "0", self._n > 0 and tostring(self._n - 1) or "-1")
    if self._n == 0 then lines[#lines] = "RangeIndex: 0 entries" end
  else
    local kind = "Index"
    local ints, floats = self._n > 0, self._n > 0
    for i = 1, self._n do
      if math.type(ix[i]) ~= "integer" then ints = false end
      if math.type(ix[i]) ~= "float" then floats = false end
    end
    if ints then kind = "Int64Index" elseif floats then kind = "Float64Index" end
    if self._n == 0 then
      lines[#lines + 1] = kind .. ": 0 entries"
    else
      lines[#lines + 1] = ("%s: %d entries, %s to %s"):format(kind, self._n,
        label_str(ix[1]), label_str(ix[self._n]))
    end
  end
  local nc = #self._names
  lines[#lines + 1] = ("Data columns (total %d columns):"):format(nc)
  local heads = {" # ", "Column", "Non-Null Count", "Dtype"}
  local body = {}
  local counts = {}
  for j, name in ipairs(self._names) do
    local c = self._cols[name]
    local k = column(self, name):count()
    body[j] = {" " .. (j - 1), label_str(name), k .. " non-null", c.dtype}
    counts[c.dtype] = (counts[c.dtype] or 0) + 1
  end
  local w = {}
  for i, h in ipairs(heads) do
    w[i] = #h
    for _, row in ipairs(body) do w[i] = math.max(w[i], width(row[i])) end
  end
  local function line(cells)
    local parts = {}
    for i, s in ipairs(cells) do parts[i] = ljust(s, w[i]) end
    return table.concat(parts, "  ")
  end
  lines[#lines + 1] = line(heads)
  lines[#lines + 1] = line({"---", "------", "--------------", "-----"})
  for _, row in ipairs(body) do lines[#lines + 1] = line(row) end
  local kinds = {}
  for k in pairs(counts) do kinds[#kinds + 1] = k end
  table.sort(kinds)
  local parts = {}
  for i, k in ipairs(kinds) do parts[i] = ("%s(%d)"):format(k, counts[k]) end
  lines[#lines + 1] = "dtypes: " .. table.concat(parts, ", ")
  local bytes = ix.range and 128 or 8 * self._n
  for _, name in ipairs(self._names) do
    bytes = bytes + (self._cols[name].dtype == "bool" and 1 or 8) * self._n
  end
  lines[#lines + 1] = "memory usage: " .. memory_text(bytes, counts.object ~= nil)
  local text = table.concat(lines, "\n")
  if opts.buf then return text end
  print(text)
end

-- ---- missing values -----------------------------------------------------

function DataFrame:isnull()
  local cols = {}
  for _, name in ipairs(self._names) do
    local src, vals = self._cols[name].values, {}
    for i = 1, self._n do vals[i] = missing(src[i]) end
    cols[name] = {values = vals, dtype = "bool"}
  end
  return new_frame(table.move(self._names, 1, #self._names, 1, {}), cols, self._n, copy_index(self._index))
end
DataFrame.isna = DataFrame.isnull
function DataFrame:notnull()
  local df = self:isnull()
  for _, name in ipairs(df._names) do
    local v = df._cols[name].values
    for i = 1, df._n do v[i] = not v[i] end
  end
  return df
end
DataFrame.notna = DataFrame.notnull

-- dropna{how = "any" | "all", subset = {...}}
function DataFrame:dropna(opts)
  opts = options.check("dropna", opts, {how = "string", subset = "table", axis = "integer"})
  local how = opts.how or "any"
  if how ~= "any" and how ~= "all" then raise("dropna: how must be 'any' or 'all', got '%s'", how) end
  local names = opts.subset and check_names(self, "dropna", opts.subset) or self._names
  local rows = {}
  for i = 1, self._n do
    local nmiss = 0
    for _, name in ipairs(names) do
      if missing(self._cols[name].values[i]) then nmiss = nmiss + 1 end
    end
    local drop = (how == "any" and nmiss > 0) or (how == "all" and nmiss == #names)
    if not drop then rows[#rows + 1] = i end
  end
  return take(self, rows)
end

-- fillna(value), fillna{col = value, ...}, fillna(series) (a value per
-- column label, as df:fillna(df:mean())) or fillna{method = "ffill"}
function DataFrame:fillna(value)
  if value == nil then raise("fillna: a value is needed") end
  local per, method
  if is_series(value) then
    per = {}
    for i = 1, value.n do
      local label = value.index[i]
      if self._cols[label] and not missing(value.values[i]) then per[label] = value.values[i] end
    end
  elseif type(value) == "table" then
    if value.method ~= nil then
      local opts = options.check("fillna", value, {method = "string"})
      method = {method = opts.method}
    else
      per = value
      local keys = {}
      for k in pairs(per) do keys[#keys + 1] = k end
      check_names(self, "fillna", keys)
    end
  end
  local cols = {}
  for _, name in ipairs(self._names) do
    local v = value
    if method then v = method elseif per then v = per[name] end
    if v == nil then
      cols[name] = self._cols[name]
    else
      local s = column(self, name):fillna(v)
      cols[name] = {values = s.values, dtype = s.dtype}
    end
  end
  return new_frame(table.move(self._names, 1, #self._names, 1, {}), cols, self._n, copy_index(self._index))
end

function DataFrame:ffill() return self:fillna{method = "ffill"} end
function DataFrame:bfill() return self:fillna{method = "bfill"} end

-- interpolate() every numeric column (others unchanged)
function DataFrame:interpolate(opts)
  local cols = {}
  for _, name in ipairs(self._names) do
    local c = self._cols[name]
    if c.dtype == "float64" then
      local s = column(self, name):interpolate(opts)
      cols[name] = {values = s.values, dtype = s.dtype}
    else
      cols[name] = c
    end
  end
  return new_frame(table.move(self._names, 1, #self._names, 1, {}), cols, self._n, copy_index(self._index))
end

-- pivot{index, columns, values}: reshape without aggregating; a pair of
-- keys seen twice is an error, as pandas
function DataFrame:pivot(opts)
  if type(opts) ~= "table" then raise("pivot: expected a table {index, columns, values}") end
  opts = options.check("pivot", opts, {index = "string", columns = "string", values = "string"})
  if not (opts.index and opts.columns and opts.values) then raise("pivot: index, columns and values are needed") end
  check_names(self, "pivot", {opts.index, opts.columns, opts.values})
  local seen = {}
  local ic, cc = self._cols[opts.index], self._cols[opts.columns]
  for i = 1, self._n do
    local k = label_str(ic.values[i]) .. "\0" .. label_str(cc.values[i])
    if seen[k] then raise("pivot: index contains duplicate entries, cannot reshape") end
    seen[k] = true
  end
  return self:pivot_table{index = opts.index, columns = opts.columns, values = opts.values, aggfunc = "first"}
end

-- ---- column-wise reductions -> a Series indexed by column names -------

local function reduce(fn, f, kinds)
  return function(self)
    local vals, ix, int = {}, {}, true
    for _, name in ipairs(self._names) do
      local c = self._cols[name]
      if kinds[c.dtype] then
        local s = column(self, name)
        local v = f(s)
        vals[#vals + 1] = v
        ix[#ix + 1] = name
        if math.type(v) ~= "integer" then int = false end
      end
    end
    local dtype = int and #vals > 0 and "int64" or "float64"
    return setmetatable({values = normalise(vals, #vals, dtype), n = #vals, dtype = dtype, index = ix}, Series)
  end
end
local NUM = {float64 = true, int64 = true}
local NUMB = {float64 = true, int64 = true, bool = true}
local ALL = {float64 = true, int64 = true, bool = true, object = true}
DataFrame.sum = reduce("sum", Series.sum, NUMB)
DataFrame.mean = reduce("mean", Series.mean, NUMB)
DataFrame.std = reduce("std", function(s) return s:std() end, NUMB)
DataFrame.var = reduce("var", function(s) return s:var() end, NUMB)
DataFrame.median = reduce("median", Series.median, NUMB)
DataFrame.min = reduce("min", Series.min, NUM)
DataFrame.max = reduce("max", Series.max, NUM)
DataFrame.count = reduce("count", Series.count, ALL)
DataFrame.nunique = reduce("nunique", Series.nunique, ALL)

-- ---- sorting ------------------------------------------------------------

-- sort_values(by[, {ascending}]); by a name or a list of names
function DataFrame:sort_values(by, opts)
  opts = options.check("sort_values", opts, {ascending = "boolean|table", kind = "string"})
  local names = check_names(self, "sort_values", by)
  local asc = opts.ascending
  local kind = opts.kind or "quicksort"
  if kind ~= "quicksort" and kind ~= "stable" and kind ~= "mergesort" then
    raise("sort_values: kind must be 'quicksort' or 'stable', got '%s'", kind)
  end
  if #names == 1 and kind == "quicksort" then
    local a = asc
    if type(a) == "table" then a = a[1] end
    return take(self, nargsort(self._cols[names[1]].values, self._n, a ~= false))
  end
  local rows = {}
  for i = 1, self._n do rows[i] = i end
  -- stable sorts from the last key to the first give a lexicographic order
  for k = #names, 1, -1 do
    local a = asc
    if type(asc) == "table" then a = asc[k] end
    order(self._cols[names[k]].values, rows, a ~= false)
  end
  return take(self, rows)
end

-- ---- correlation --------------------------------------------------------

local function pearson(x, y, n)
  local sx, sy, k = 0.0, 0.0, 0
  for i = 1, n do
    local a, b = x[i], y[i]
    if a == a and b == b then sx = sx + a; sy = sy + b; k = k + 1 end
  end
  if k < 2 then return NaN end
  local mx, my = sx / k, sy / k
  local sxx, syy, sxy = 0.0, 0.0, 0.0
  for i = 1, n do
    local a, b = x[i], y[i]
    if a == a and b == b then
      local dx, dy = a - mx, b - my
      sxx = sxx + dx * dx; syy = syy + dy * dy; sxy = sxy + dx * dy
    end
  end
  local d = math.sqrt(sxx * syy)
  if d == 0 then return NaN end
  local r = sxy / d
  if r > 1 then r = 1.0 elseif r < -1 then r = -1.0 end
  return r
end

-- Pearson correlations of the numeric columns, pairwise complete rows
function DataFrame:corr(opts)
  opts = options.check("corr", opts, {method = "string"})
  if opts.method and opts.method ~= "pearson" then raise("corr: only method = 'pearson' is supported") end
  local names = {}
  for _, name in ipairs(self._names) do
    if NUMB[self._cols[name].dtype] then names[#names + 1] = name end
  end
  local num = {}
  for _, name in ipairs(names) do
    local c = self._cols[name]
    if c.dtype == "bool" then
      local v = {}
      for i = 1, self._n do v[i] = c.values[i] and 1.0 or 0.0 end
      num[name] = v
    else
      num[name] = c.values
    end
  end
  local cols = {}
  for _, a in ipairs(names) do
    local vals = {}
    for i, b in ipairs(names) do vals[i] = a == b and (pearson(num[a], num[b], self._n) == pearson(num[a], num[b], self._n) and 1.0 or NaN) or pearson(num[a], num[b], self._n) end
    cols[a] = {values = vals, dtype = "float64"}
  end
  return new_frame(table.move(names, 1, #names, 1, {}), cols, #names, table.move(names, 1, #names, 1, {}))
end

function Series:corr(other)
  if not is_series(other) then raise("corr: expected a Series") end
  if other.n ~= self.n then raise("corr: lengths differ (%d and %d)", self.n, other.n) end
  return pearson(numbers(self, "corr") and self.values, numbers(other, "corr") and other.values, self.n)
end

-- ---- tensors and files --------------------------------------------------

-- df:to_tensor([cols]): an (n, #cols) float32 tensor of numeric columns
-- (all numeric columns when cols is nil); missing values become NaN
function DataFrame:to_tensor(names)
  if names == nil then
    names = {}
    for _, name in ipairs(self._names) do if NUMB[self._cols[name].dtype] then names[#names + 1] = name end end
  else
    names = check_names(self, "to_tensor", names)
  end
  if #names == 0 then raise("to_tensor: no numeric columns") end
  local cols = {}
  for j, name in ipairs(names) do
    local c = self._cols[name]
    if c.dtype == "bool" then
      local v = {}
      for i = 1, self._n do v[i] = c.values[i] and 1.0 or 0.0 end
      cols[j] = v
    elseif numeric(c.dtype) then
      cols[j] = c.values
    else
      raise("to_tensor: column '%s' holds %s, not numbers", name, c.dtype)
    end
  end
  return core.to_tensor(cols, self._n)
end
DataFrame.to_numpy = DataFrame.to_tensor

local function csv_field(v, dtype, sep)
  if v == nil or (type(v) == "number" and v ~= v) then return "" end
  if type(v) == "boolean" then return v and "True" or "False" end
  if type(v) == "number" then
    if dtype == "int64" then return ("%d"):format(math.tointeger(v) or 0) end
    if math.type(v) == "integer" then return tostring(v) end
    return float_repr(v)
  end
  local s = tostring(v)
  if s:find('[' .. sep .. '"\r\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

-- df:to_csv(path[, {index, sep}]): written atomically, as pandas writes it
function DataFrame:to_csv(path, opts)
  if type(path) ~= "string" then raise("to_csv: path must be a string, got %s", type(path)) end
  opts = options.check("to_csv", opts, {index = "boolean", sep = "string"})
  local sep = opts.sep or ","
  if #sep ~= 1 then raise("to_csv: sep must be one character") end
  local with_index = opts.index ~= false
  local esc = sep:gsub("%p", "%%%0")
  require("sys").atomic_write(path, function(tmp)
    local f, e = io.open(tmp, "wb")
    if not f then raise("to_csv: %s", e) end
    local head = {}
    local names = self._index.names
    if with_index and names then
      for l, n in ipairs(names) do head[l] = csv_field(n, "object", esc) end
    elseif with_index then
      head[1] = self._index.name and csv_field(self._index.name, "object", esc) or ""
    end
    for _, name in ipairs(self._names) do head[#head + 1] = csv_field(name, "object", esc) end
    f:write(table.concat(head, sep), "\n")
    for i = 1, self._n do
      local row = {}
      if with_index and names then
        for l = 1, #names do row[l] = csv_field(self._index[i][l], "object", esc) end
      elseif with_index then
        row[1] = csv_field(self._index[i], "object", esc)
      end
      for _, name in ipairs(self._names) do
        local c = self._cols[name]
        row[#row + 1] = csv_field(c.values[i], c.dtype, esc)
      end
      f:write(table.concat(row, sep), "\n")
    end
    local ok, werr = f:close()
    if not ok then raise("to_csv: %s", werr) end
  end)
  return path
end


-- ---- groupby -------------------------------------------------------------

-- a label for a value of a column: integers stay integers (2007, not
-- 2007.0), as pandas prints an int64 key
local function key_of(v, dtype)
  if dtype == "int64" then return math.tointeger(v) or v end
  return v
end

local function key_less(a, b)
  if type(a) == type(b) and type(a) ~= "boolean" then return a < b end
  if type(a) == "boolean" and type(b) == "boolean" then return (not a) and b end
  return tostring(a) < tostring(b)
end

-- groups of row positions by the value of one column, keys sorted (as
-- pandas's sort = True), rows with a missing key left out (dropna)
local function group_rows(df, name)
  local c = df._cols[name]
  local rows_of, keys = {}, {}
  for i = 1, df._n do
    local v = c.values[i]
    if not missing(v) then
      local k = key_of(v, c.dtype)
      local r = rows_of[k]
      if not r then r = {}; rows_of[k] = r; keys[#keys + 1] = k end
      r[#r + 1] = i
    end
  end
  table.sort(keys, key_less)
  local groups = {}
  for i, k in ipairs(keys) do groups[i] = {key = k, rows = rows_of[k]} end
  return groups
end

-- the same for several columns: a group's key is a list of values,
-- groups sorted level by level
local function group_rows_multi(df, names)
  local cols = {}
  for j, name in ipairs(names) do cols[j] = df._cols[name] end
  local rows_of, keys = {}, {}
  for i = 1, df._n do
    local key, parts, skip = {}, {}, false
    for j, c in ipairs(cols) do
      local v = c.values[i]
      if missing(v) then skip = true; break end
      key[j] = key_of(v, c.dtype)
      parts[j] = type(v) .. ":" .. label_str(key[j])
    end
    if not skip then
      local id = table.concat(parts, "\0")
      local g = rows_of[id]
      if not g then g = {key = key, rows = {}}; rows_of[id] = g; keys[#keys + 1] = g end
      g.rows[#g.rows + 1] = i
    end
  end
  table.sort(keys, function(a, b)
    for j = 1, #names do
      local x, y = a.key[j], b.key[j]
      if x ~= y then return key_less(x, y) end
    end
    return false
  end)
  return keys
end

GroupBy.__index = function(g, k)
  local m = GroupBy[k]
  if m ~= nil then return m end
  if type(k) == "string" then
    if k:sub(1, 1) == "_" then return nil end
    check_names(g._df, "groupby", {k})
    return setmetatable({_df = g._df, _key = g._key, _keys = g._keys, _groups = g._groups, _only = {k}}, GroupBy)
  end
  if type(k) == "table" then
    check_names(g._df, "groupby", k)
    return setmetatable({_df = g._df, _key = g._key, _keys = g._keys, _groups = g._groups, _only = k, _list = true}, GroupBy)
  end
  raise("groupby: cannot index with a %s", type(k))
end

-- df:groupby(name | {names}): groups by the values of columns, keys
-- sorted, rows with a missing key left out (pandas's sort and dropna)
function DataFrame:groupby(by)
  if type(by) == "table" and #by == 1 then by = by[1] end
  if type(by) == "table" then
    if #by == 0 then raise("groupby: expected column names") end
    check_names(self, "groupby", by)
    local keys = table.move(by, 1, #by, 1, {})
    local is_key = {}
    for _, k in ipairs(keys) do is_key[k] = true end
    return setmetatable({_df = self, _keys = keys, _is_key = is_key,
                         _groups = group_rows_multi(self, keys)}, GroupBy)
  end
  if type(by) ~= "string" then raise("groupby: expected a column name, got %s", type(by)) end
  check_names(self, "groupby", {by})
  return setmetatable({_df = self, _key = by, _keys = {by}, _is_key = {[by] = true},
                       _groups = group_rows(self, by)}, GroupBy)
end

local AGG = {
  mean = function(s) return s:mean() end, sum = function(s) return s:sum() end,
  std = function(s) return s:std() end, var = function(s) return s:var() end,
  median = function(s) return s:median() end, min = function(s) return s:min() end,
  max = function(s) return s:max() end, count = function(s) return s:count() end,
  nunique = function(s) return s:nunique() end,
  first = function(s) for i = 1, s.n do if not missing(s.values[i]) then return s.values[i] end end return nil end,
  last = function(s) for i = s.n, 1, -1 do if not missing(s.values[i]) then return s.values[i] end end return nil end,
  size = function(s) return s.n end,
}
local AGG_NAMES = {}
for k in pairs(AGG) do AGG_NAMES[#AGG_NAMES + 1] = k end
table.sort(AGG_NAMES)

-- which columns an aggregation keeps: pandas 1.5 drops columns it cannot
-- aggregate (strings for mean, sum, std ...)
local function agg_kinds(fn)
  if fn == "count" or fn == "nunique" or fn == "first" or fn == "last" or fn == "size"
     or fn == "min" or fn == "max" then return ALL end
  return NUMB
end

-- the dtype of an aggregated column
local function agg_dtype(fn, dtype, vals)
  if fn == "count" or fn == "nunique" or fn == "size" then return "int64" end
  if (fn == "sum" or fn == "min" or fn == "max" or fn == "first" or fn == "last") and (dtype == "int64" or dtype == "bool") then
    if fn == "sum" or dtype == "int64" then return "int64" end
    return dtype
  end
  if numeric(dtype) or dtype == "bool" then return "float64" end
  return infer_dtype(vals, #vals)
end

local function sub_series(df, name, rows)
  local c = df._cols[name]
  local vals = {}
  for i, r in ipairs(rows) do vals[i] = c.values[r] end
  return setmetatable({values = vals, n = #rows, dtype = c.dtype, name = name, index = {}}, Series)
end

local function resolve_agg(fn, where)
  if type(fn) == "function" then return fn end
  local f = AGG[fn]
  if not f then
    local near = options.nearest(tostring(fn), AGG_NAMES)
    raise("%s: unknown aggregation '%s'%s", where, tostring(fn), near and (" (did you mean '" .. near .. "'?)") or "")
  end
  return f
end

-- one aggregated column over the groups
local function agg_column(g, name, fn)
  local f = resolve_agg(fn, "agg")
  local c = g._df._cols[name]
  local vals = {}
  for i, grp in ipairs(g._groups) do
    local v = f(sub_series(g._df, name, grp.rows))
    if type(fn) ~= "string" and math.type(v) == "integer" then v = v + 0.0 end
    vals[i] = v
  end
  local dtype = type(fn) == "string" and agg_dtype(fn, c.dtype, vals) or infer_dtype(vals, #vals)
  return {values = normalise(vals, #vals, dtype), dtype = dtype}
end

-- one level: labels with a name; several: labels are lists of values and
-- names the levels' names (a MultiIndex)
local function group_index(g)
  if not g._key then
    local ix = {names = table.move(g._keys, 1, #g._keys, 1, {})}
    for i, grp in ipairs(g._groups) do ix[i] = grp.key end
    return ix
  end
  local ix = {name = g._key}
  for i, grp in ipairs(g._groups) do ix[i] = grp.key end
  return ix
end
local function is_key_of(g, name)
  return (rawget(g, "_is_key") or {})[name] or name == rawget(g, "_key")
end

local function aggregate(g, fn)
  local names = g._only or g._df._names
  local kinds = agg_kinds(fn)
  local out, cols = {}, {}
  for _, name in ipairs(names) do
    if not is_key_of(g, name) and (g._only or kinds[g._df._cols[name].dtype]) then
      if not kinds[g._df._cols[name].dtype] then
        raise("%s: column '%s' holds %s, not numbers", fn, name, g._df._cols[name].dtype)
      end
      out[#out + 1] = name
      cols[name] = agg_column(g, name, fn)
    end
  end
  local df = new_frame(out, cols, #g._groups, group_index(g))
  if g._only and #g._only == 1 and not g._list then return column(df, out[1]) end
  return df
end

for _, fn in ipairs({"mean", "sum", "std", "var", "median", "min", "max", "count", "nunique", "first", "last"}) do
  GroupBy[fn] = function(g) return aggregate(g, fn) end
end

-- the number of rows in each group (a Series)
function GroupBy:size()
  local vals = {}
  for i, grp in ipairs(self._groups) do vals[i] = #grp.rows + 0.0 end
  return setmetatable({values = vals, n = #vals, dtype = "int64", index = group_index(self)}, Series)
end

-- agg("mean") or agg{col = "mean" | function, ...} (one function per
-- column; the columns in the frame's order)
function GroupBy:agg(spec)
  if type(spec) == "string" or type(spec) == "function" then
    if type(spec) == "string" then resolve_agg(spec, "agg") end
    if type(spec) == "function" then
      local names, cols = {}, {}
      for _, name in ipairs(self._only or self._df._names) do
        if not is_key_of(self, name) then names[#names + 1] = name; cols[name] = agg_column(self, name, spec) end
      end
      local df = new_frame(names, cols, #self._groups, group_index(self))
      if self._only and #self._only == 1 and not self._list then return column(df, names[1]) end
      return df
    end
    return aggregate(self, spec)
  end
  if type(spec) ~= "table" then raise("agg: expected a function name or a table col = function") end
  if spec[1] ~= nil then
    -- a list of functions on one column: a column per function
    if not (self._only and #self._only == 1) then
      raise("agg: a list of functions needs one column (groupby(key).col:agg{...})")
    end
    local name = self._only[1]
    local names, cols = {}, {}
    for i, fn in ipairs(spec) do
      if type(fn) ~= "string" then raise("agg: item %d of the list must be a function name", i) end
      if cols[fn] then raise("agg: '%s' twice", fn) end
      names[i] = fn
      cols[fn] = agg_column(self, name, fn)
    end
    return new_frame(names, cols, #self._groups, group_index(self))
  end
  local wanted = {}
  for k in pairs(spec) do
    if type(k) ~= "string" then raise("agg: keys must be column names") end
    wanted[#wanted + 1] = k
  end
  check_names(self._df, "agg", wanted)
  local names, cols = {}, {}
  for _, name in ipairs(self._df._names) do
    local fn = spec[name]
    if fn ~= nil then
      if type(fn) == "table" then raise("agg: one function per column ('%s')", name) end
      names[#names + 1] = name
      cols[name] = agg_column(self, name, fn)
    end
  end
  return new_frame(names, cols, #self._groups, group_index(self))
end
GroupBy.aggregate = GroupBy.agg

-- ---- pivot_table ----------------------------------------------------------

-- pivot_table{index = name, columns = name, values = name, aggfunc =
-- "mean", fill_value = v}: values aggregated over the pairs of index and
-- column keys, both sorted; pairs without rows are NaN (or fill_value)
function DataFrame:pivot_table(opts)
  if type(opts) ~= "table" then raise("pivot_table: expected a table {index, columns, values, aggfunc}") end
  opts = options.check("pivot_table", opts, {index = "string", columns = "string", values = "string",
                                             aggfunc = "string|function", fill_value = "number"})
  if not opts.index then raise("pivot_table: index is needed") end
  local aggfunc = opts.aggfunc or "mean"
  resolve_agg(aggfunc, "pivot_table")
  local values = opts.values
  if not values then
    for _, name in ipairs(self._names) do
      if name ~= opts.index and name ~= opts.columns and numeric(self._cols[name].dtype) then values = name; break end
    end
    if not values then raise("pivot_table: no numeric column to aggregate") end
  end
  check_names(self, "pivot_table", {opts.index, values, opts.columns})
  if not opts.columns then
    local g = self:groupby(opts.index)
    return g:agg{[values] = aggfunc}
  end
  local rows_g = group_rows(self, opts.index)
  local cols_g = group_rows(self, opts.columns)
  local colkey = {}
  local cc = self._cols[opts.columns]
  for _, grp in ipairs(cols_g) do for _, r in ipairs(grp.rows) do colkey[r] = grp.key end end
  local f = resolve_agg(aggfunc, "pivot_table")
  local names, cols = {}, {}
  for j, cg in ipairs(cols_g) do names[j] = cg.key; cols[cg.key] = {values = {}} end
  local _ = cc
  for i, rg in ipairs(rows_g) do
    local per = {}
    for _, r in ipairs(rg.rows) do
      local k = colkey[r]
      if k ~= nil then per[k] = per[k] or {}; table.insert(per[k], r) end
    end
    for _, cg in ipairs(cols_g) do
      local rs = per[cg.key]
      local v = NaN
      if rs then
        local sub = sub_series(self, values, rs)
        if aggfunc == "count" or aggfunc == "size" or sub:count() > 0 then v = f(sub) end
      end
      if missing(v) and opts.fill_value then v = opts.fill_value end
      cols[cg.key].values[i] = v
    end
  end
  local src = self._cols[values].dtype
  local keep_rows = {}
  for i = 1, #rows_g do
    local any = false
    for _, cg in ipairs(cols_g) do if not missing(cols[cg.key].values[i]) then any = true end end
    if any then keep_rows[#keep_rows + 1] = i end
  end
  local out_names = {}
  for _, name in ipairs(names) do
    local c = cols[name]
    local vals = c.values
    local any = false
    for i = 1, #rows_g do if not missing(vals[i]) then any = true end end
    if any then
      local dtype = type(aggfunc) == "string" and agg_dtype(aggfunc, src, vals) or infer_dtype(vals, #rows_g)
      for i = 1, #rows_g do if missing(vals[i]) then dtype = "float64" end end
      c.dtype = dtype
      normalise(vals, #rows_g, dtype)
      out_names[#out_names + 1] = name
    end
  end
  local ix = {name = opts.index}
  for i, rg in ipairs(rows_g) do ix[i] = rg.key end
  local df = new_frame(out_names, cols, #rows_g, ix)
  if #keep_rows < #rows_g then df = take(df, keep_rows) end
  rawset(df, "_columns_name", opts.columns)
  return df
end

-- ---- merge and concat -------------------------------------------------------

local function row_key(df, names, r)
  local parts = {}
  for j, name in ipairs(names) do
    local c = df._cols[name]
    local v = c.values[r]
    if missing(v) then parts[j] = "\1NaN" else parts[j] = type(v) .. ":" .. label_str(key_of(v, c.dtype)) end
  end
  return table.concat(parts, "\0")
end

-- df:merge(other, {on, how = "inner" | "left" | "right" | "outer",
-- suffixes = {"_x", "_y"}}), as pandas.merge
function DataFrame:merge(other, opts)
  if not is_frame(other) then raise("merge: expected a DataFrame to merge with, got %s", type(other)) end
  opts = options.check("merge", opts, {on = "string|table", how = "string", suffixes = "table"})
  local how = opts.how or "inner"
  if how ~= "inner" and how ~= "left" and how ~= "right" and how ~= "outer" then
    raise("merge: how must be 'inner', 'left', 'right' or 'outer', got '%s'", how)
  end
  local on = opts.on
  if type(on) == "string" then on = {on} end
  if not on then
    on = {}
    for _, n in ipairs(self._names) do if other._cols[n] then on[#on + 1] = n end end
    if #on == 0 then raise("merge: no common columns to merge on") end
  end
  check_names(self, "merge", on)
  check_names(other, "merge", on)
  local sx, sy = "_x", "_y"
  if opts.suffixes then sx, sy = opts.suffixes[1] or "", opts.suffixes[2] or "" end
  local is_key = {}
  for _, n in ipairs(on) do is_key[n] = true end
  -- pairs of rows (left, right); nil for no partner
  local right_rows, right_keys = {}, {}
  for r = 1, other._n do
    local k = row_key(other, on, r)
    if not right_rows[k] then right_rows[k] = {}; right_keys[#right_keys + 1] = k end
    table.insert(right_rows[k], r)
  end
  local pairs_l, pairs_r = {}, {}
  local function add(l, r) pairs_l[#pairs_l + 1] = l or false; pairs_r[#pairs_r + 1] = r or false end
  if how == "right" then
    local left_rows = {}
    for l = 1, self._n do
      local k = row_key(self, on, l)
      left_rows[k] = left_rows[k] or {}
      table.insert(left_rows[k], l)
    end
    for r = 1, other._n do
      local ls = left_rows[row_key(other, on, r)]
      if ls then for _, l in ipairs(ls) do add(l, r) end else add(nil, r) end
    end
  else
    local matched = {}
    local groups, order_keys = {}, {}
    for l = 1, self._n do
      local k = row_key(self, on, l)
      local rs = right_rows[k]
      if how == "outer" then
        if not groups[k] then groups[k] = {}; order_keys[#order_keys + 1] = {k = k, row = l, side = "l"} end
        table.insert(groups[k], l)
      elseif rs then
        for _, r in ipairs(rs) do add(l, r) end
      elseif how == "left" then
        add(l, nil)
      end
      matched[k] = true
    end
    if how == "outer" then
      for _, k in ipairs(right_keys) do
        if not groups[k] then order_keys[#order_keys + 1] = {k = k, row = right_rows[k][1], side = "r"} end
      end
      -- outer joins: left keys in order of appearance, then right-only keys
      for _, e in ipairs(order_keys) do
        local ls, rs = groups[e.k], right_rows[e.k]
        if ls and rs then for _, l in ipairs(ls) do for _, r in ipairs(rs) do add(l, r) end end
        elseif ls then for _, l in ipairs(ls) do add(l, nil) end
        else for _, r in ipairs(rs) do add(nil, r) end end
      end
    end
  end
  local n = #pairs_l
  local names, cols = {}, {}
  local function put(name, src, rows, from_other_key)
    local vals = {}
    local filled = false
    for i = 1, n do
      local r = rows[i]
      if r then vals[i] = src.values[r]
      elseif from_other_key then
        local o = from_other_key[i]
        vals[i] = o and from_other_key.src.values[o] or nil
        if vals[i] == nil then filled = true end
      else filled = true end
    end
    local dtype = src.dtype
    if filled then
      if numeric(dtype) then dtype = "float64" else dtype = infer_dtype(vals, n) end
      if dtype == "bool" then dtype = "object" end
    end
    names[#names + 1] = name
    cols[name] = {values = normalise(vals, n, dtype), dtype = dtype}
  end
  for _, name in ipairs(self._names) do
    local out = name
    if not is_key[name] and other._cols[name] then out = name .. sx end
    if is_key[name] then
      local alt = {src = other._cols[name]}
      for i = 1, n do alt[i] = pairs_r[i] end
      put(out, self._cols[name], pairs_l, alt)
    else
      put(out, self._cols[name], pairs_l)
    end
  end
  for _, name in ipairs(other._names) do
    if not is_key[name] then
      local out = name
      if self._cols[name] then out = name .. sy end
      put(out, other._cols[name], pairs_r)
    end
  end
  return new_frame(names, cols, n)
end

-- frame.concat({df1, df2, ...}[, {axis = 1 | 2, ignore_index}]): rows one
-- after another (columns united, missing ones NaN), or with axis = 2
-- columns side by side. Axes are 1-based as everywhere in Lua.
function M.concat(frames, opts)
  if type(frames) ~= "table" or #frames == 0 then raise("concat: expected a list of DataFrames") end
  opts = options.check("concat", opts, {axis = "integer", ignore_index = "boolean"})
  for i, df in ipairs(frames) do
    if not is_frame(df) then raise("concat: item %d is a %s, not a DataFrame", i, type(df)) end
  end
  local axis = opts.axis or 1
  if axis == 2 then
    local n = frames[1]._n
    local names, cols = {}, {}
    for i, df in ipairs(frames) do
      if df._n ~= n then raise("concat: frame %d has %d rows, the first %d", i, df._n, n) end
      for _, name in ipairs(df._names) do
        if cols[name] then raise("concat: column '%s' twice", name) end
        names[#names + 1] = name
        cols[name] = df._cols[name]
      end
    end
    return new_frame(names, cols, n, copy_index(frames[1]._index))
  elseif axis ~= 1 then
    raise("concat: axis must be 1 (rows) or 2 (columns), got %d", axis)
  end
  local names, seen = {}, {}
  for _, df in ipairs(frames) do
    for _, name in ipairs(df._names) do
      if not seen[name] then seen[name] = true; names[#names + 1] = name end
    end
  end
  local cols, total = {}, 0
  for _, df in ipairs(frames) do total = total + df._n end
  for _, name in ipairs(names) do
    local vals, k, dtype, same = {}, 0, nil, true
    for _, df in ipairs(frames) do
      local c = df._cols[name]
      if c then
        if dtype == nil then dtype = c.dtype elseif dtype ~= c.dtype then same = false end
        for i = 1, df._n do vals[k + i] = c.values[i] end
      else
        same = false
        for i = 1, df._n do vals[k + i] = nil end
      end
      k = k + df._n
    end
    if not same then
      dtype = infer_dtype(vals, total)
      local all_num = true
      for _, df in ipairs(frames) do local c = df._cols[name]; if c and not numeric(c.dtype) then all_num = false end end
      if all_num then dtype = dtype == "int64" and "int64" or "float64" end
    end
    cols[name] = {values = normalise(vals, total, dtype), dtype = dtype}
  end
  local index
  if opts.ignore_index then index = range_index(total)
  else
    index = {}
    for _, df in ipairs(frames) do for i = 1, df._n do index[#index + 1] = df._index[i] end end
  end
  return new_frame(names, cols, total, index)
end

M.is_series = is_series
M.is_frame = is_frame
M.NaN = NaN
M._internal = {Series = Series, DataFrame = DataFrame, GroupBy = GroupBy, new_frame = new_frame,
               new_series = new_series, column = column, take = take, numbers = numbers,
               mean_of = mean_of, var_of = var_of, quantile_sorted = quantile_sorted,
               infer_dtype = infer_dtype, normalise = normalise, check_names = check_names,
               order = order, copy_index = copy_index, range_index = range_index,
               label_str = label_str, missing = missing}
return M
