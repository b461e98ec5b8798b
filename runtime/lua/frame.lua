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
--
-- The CSV parser is C (frame.core, runtime/bind/lframe.c over
-- runtime/io/csv.c); printing is frame_text.lua, sort orders
-- frame_sort.lua, JSON frame_json.lua, and groupby / pivot_table / merge /
-- concat frame_group.lua.
local core = require "frame.core"
local options = require "options"
local raise = require "script_error"
local text = require "frame_text"
local sorting = require "frame_sort"
local json_decode = require "frame_json"
local float_repr, label_str, width, ljust = text.float_repr, text.label_str, text.width, text.ljust
local order, nargsort = sorting.order, sorting.nargsort

local M = {}
local Series, DataFrame, GroupBy = {}, {}, {}
local check_names          -- (df, fn, names): defined with the DataFrame
local NaN = 0 / 0

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

-- DataFrame{col = {...}, ...} or DataFrame({...}, {columns = order})
function M.DataFrame(data, opts)
  opts = options.check("DataFrame", opts, {columns = "table", index = "table"})
  if type(data) ~= "table" then raise("DataFrame: data must be a table of columns, got %s", type(data)) end
  local names = {}
  if opts.columns then
    for i, c in ipairs(opts.columns) do names[i] = c end
  else
    for k in pairs(data) do
      if type(k) ~= "string" and math.type(k) ~= "integer" then raise("DataFrame: column names must be strings or integers") end
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
  if header == false and not opts.names then
    -- without a header pandas labels the columns 0, 1, 2 ... (integers)
    for j = 1, #t.names do t.names[j] = j - 1 end
  end
  local df = from_columns(t)
  if opts.usecols then
    -- pandas keeps the file's column order, whatever the list's
    local want, names = {}, {}
    for _, n in ipairs(check_names(df, "read_csv", opts.usecols)) do want[n] = true end
    for _, n in ipairs(df._names) do if want[n] then names[#names + 1] = n end end
    df = df:select(names)
  end
  if opts.index_col ~= nil then
    local name = opts.index_col
    if math.type(name) == "integer" then name = df._names[name + 1] end
    df = df:set_index(name)
  end
  return df
end

-- frame.read_json(path): a list of records ({"a": 1, "b": "x"}, ...), as
-- pandas.read_json(path) reads one; columns in order of first appearance
function M.read_json(path, opts)
  if type(path) ~= "string" then raise("read_json: path must be a string, got %s", type(path)) end
  opts = options.check("read_json", opts, {orient = "string"})
  if opts.orient and opts.orient ~= "records" then raise("read_json: only orient = 'records' is supported") end
  local f, e = io.open(path, "rb")
  if not f then raise("read_json: %s", e) end
  local s, rerr = f:read("a")
  f:close()
  -- a directory opens but does not read
  if not s then raise("read_json: cannot read %s: %s", path, rerr or "not a file") end
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
Series.__tostring = text.series_string


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
  numbers(self, "to_tensor")            -- raises for strings
  local vals = self.values
  if self.dtype == "bool" then
    vals = {}
    for i = 1, self.n do vals[i] = self.values[i] and 1.0 or 0.0 end
  end
  return core.to_tensor({vals}, self.n):reshape(self.n)
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
  if k == "T" then return df:transpose() end
  if type(k) == "string" then
    if k:sub(1, 1) == "_" and not df._cols[k] then return nil end
    return column(df, k)
  end
  if is_series(k) then return df:_mask(k) end
  if type(k) == "table" then return df:select(k) end
  if type(k) == "number" then return column(df, k) end   -- a numeric label
  raise("DataFrame: cannot index with a %s", type(k))
end

DataFrame.__len = function(df) return df._n end
DataFrame.__tostring = text.frame_string

-- df op x for numeric frames: x a number, a Series indexed by column
-- names (df - df:mean(): each column with its own value, as pandas aligns
-- on labels) or a frame with the same columns and rows
local function frame_arith(op, f)
  return function(a, b)
    local df, other, swapped = a, b, false
    if not is_frame(a) then df, other, swapped = b, a, true end
    local per = {}
    if is_series(other) then
      for i = 1, other.n do per[other.index[i]] = other.values[i] end
    elseif is_frame(other) then
      if other._n ~= df._n then raise("DataFrame %s: %d rows and %d rows", op, df._n, other._n) end
    elseif type(other) ~= "number" then
      raise("DataFrame %s: cannot combine with a %s", op, type(other))
    end
    local cols = {}
    for _, name in ipairs(df._names) do
      local c = df._cols[name]
      if not numeric(c.dtype) then
        raise("DataFrame %s: column '%s' holds %s, not numbers (select the numeric columns first)", op, name, c.dtype)
      end
      local ys
      if is_frame(other) then
        local oc = other._cols[name]
        if not oc then raise("DataFrame %s: the other frame has no column '%s'", op, name) end
        if not numeric(oc.dtype) then raise("DataFrame %s: column '%s' holds %s, not numbers", op, name, oc.dtype) end
        ys = oc.values
      end
      local y = type(other) == "number" and other or per[name]
      if not ys and is_series(other) and y == nil then y = NaN end
      local vals = {}
      for i = 1, df._n do
        local x, yy = c.values[i], ys and ys[i] or y
        if swapped then x, yy = yy, x end
        vals[i] = f(x, yy)
      end
      cols[name] = {values = vals, dtype = "float64"}
    end
    return new_frame(table.move(df._names, 1, #df._names, 1, {}), cols, df._n, copy_index(df._index))
  end
end
DataFrame.__add = frame_arith("+", function(x, y) return x + y end)
DataFrame.__sub = frame_arith("-", function(x, y) return x - y end)
DataFrame.__mul = frame_arith("*", function(x, y) return x * y end)
DataFrame.__div = frame_arith("/", function(x, y) return x / y end)

-- df.name = Series | list | scalar: a new or replaced column
DataFrame.__newindex = function(df, k, v)
  if type(k) ~= "string" and math.type(k) ~= "integer" then raise("DataFrame: column names must be strings or integers") end
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

function check_names(df, fn, names)
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

-- df:transpose() (also df.T): rows become columns, labels swap; the
-- values keep their dtype when every column shares it, else object
function DataFrame:transpose()
  local dtypes = {}
  for _, name in ipairs(self._names) do dtypes[self._cols[name].dtype] = true end
  local dtype = next(dtypes)
  if next(dtypes, dtype) then
    dtype = (dtypes.object or dtypes.bool) and "object" or "float64"
  end
  local names, cols = {}, {}
  for i = 1, self._n do
    local label = self._index[i]
    if type(label) == "table" then raise("transpose: a MultiIndex cannot become column labels") end
    if label == nil or cols[label] then raise("transpose: row labels must be unique") end
    names[i] = label
    local vals = {}
    for j, name in ipairs(self._names) do
      local v = self._cols[name].values[i]
      if dtype == "object" and self._cols[name].dtype == "int64" then v = math.tointeger(v) or v end
      vals[j] = v
    end
    cols[label] = {values = vals, dtype = dtype}
  end
  local ix = table.move(self._names, 1, #self._names, 1, {})
  return new_frame(names, cols, #self._names, ix)
end

-- round(decimals): numbers rounded half to even, as NumPy's around
local function round_half_even(x, d)
  if x ~= x or x == math.huge or x == -math.huge then return x end
  local m = 10.0 ^ d
  local y = x * m
  local r = math.floor(y + 0.5)
  if r - y == 0.5 and r % 2 ~= 0 then r = r - 1 end   -- a tie goes to even
  return r / m
end

function Series:round(decimals)
  decimals = decimals or 0
  if math.type(decimals) ~= "integer" then raise("round: decimals must be an integer") end
  if not numeric(self.dtype) then raise("round: column '%s' holds %s, not numbers", tostring(self.name), self.dtype) end
  local out = {}
  for i = 1, self.n do out[i] = round_half_even(self.values[i], decimals) end
  return setmetatable({values = out, n = self.n, dtype = self.dtype, name = self.name,
                       index = copy_index(self.index)}, Series)
end

-- A new frame with f(series) for every numeric column, the others as
-- they are (round, interpolate)
local function map_numeric(self, f)
  local cols = {}
  for _, name in ipairs(self._names) do
    local c = self._cols[name]
    if c.dtype == "float64" then
      local r = f(column(self, name))
      cols[name] = {values = r.values, dtype = r.dtype}
    else
      cols[name] = c
    end
  end
  return new_frame(table.move(self._names, 1, #self._names, 1, {}), cols, self._n, copy_index(self._index))
end

function DataFrame:round(decimals)
  decimals = decimals or 0
  if math.type(decimals) ~= "integer" then raise("round: decimals must be an integer") end
  return map_numeric(self, function(col) return col:round(decimals) end)
end

-- df:col(name): the column, also when its name is a method's ("count")
-- or a field's ("shape"), which df.name and df["name"] give first
function DataFrame:col(name)
  if type(name) ~= "string" then raise("col: expected a column name, got %s", type(name)) end
  return column(self, name)
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
  for i = 1, self._n do
    local v = c.values[i]
    if c.dtype == "int64" then v = math.tointeger(v) or v end   -- labels 3, not 3.0
    ix[i] = v
  end
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
  return map_numeric(self, function(col) return col:interpolate(opts) end)
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


require("frame_group")({M = M, Series = Series, DataFrame = DataFrame, GroupBy = GroupBy,
  options = options, raise = raise, NaN = NaN, NUMB = NUMB, ALL = ALL,
  check_names = check_names, column = column, copy_index = copy_index,
  infer_dtype = infer_dtype, is_frame = is_frame, label_str = label_str,
  missing = missing, new_frame = new_frame, normalise = normalise,
  numeric = numeric, range_index = range_index, take = take})

M.is_series = is_series
M.is_frame = is_frame
M.NaN = NaN
M.float_repr = float_repr
return M
