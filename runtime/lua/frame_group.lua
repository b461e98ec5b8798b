-- frame_group.lua - frame's groupby (GroupBy methods), pivot_table, merge
-- and concat, installed into the classes frame.lua passes in: I holds its
-- internals (classes, constructors, helpers).
return function(I)
local M, Series, DataFrame, GroupBy = I.M, I.Series, I.DataFrame, I.GroupBy
local options, raise = I.options, I.raise
local NaN, NUMB, ALL = I.NaN, I.NUMB, I.ALL
local check_names, column, copy_index, infer_dtype = I.check_names, I.column, I.copy_index, I.infer_dtype
local is_frame, label_str, missing, new_frame = I.is_frame, I.label_str, I.missing, I.new_frame
local normalise, numeric, range_index, take = I.normalise, I.numeric, I.range_index, I.take

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
  for _, grp in ipairs(cols_g) do for _, r in ipairs(grp.rows) do colkey[r] = grp.key end end
  local f = resolve_agg(aggfunc, "pivot_table")
  local names, cols = {}, {}
  for j, cg in ipairs(cols_g) do names[j] = cg.key; cols[cg.key] = {values = {}} end
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

end
