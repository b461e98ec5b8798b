-- frame_text.lua - frame's text, as pandas 1.5 prints in a script:
-- numbers (display.precision 6, common trailing zeros trimmed), labels,
-- index columns (MultiIndex sparsified), and whole Series and DataFrames
-- (60 rows at most, else the first and last 5; 80 characters wide, middle
-- columns elided). Works on the plain tables frame.lua builds.
local function numeric(dtype) return dtype == "float64" or dtype == "int64" end

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
  -- numeric column labels (header = false, pivot_table keys) are
  -- formatted together as pandas formats a numeric Index: left-justified
  -- to a common width, so "0 " beside "10"
  local labels = {}
  local ints, floats = #colnames > 0, #colnames > 0
  for j, name in ipairs(colnames) do
    labels[j] = label_str(name)
    if math.type(name) ~= "integer" then ints = false end
    if math.type(name) ~= "float" then floats = false end
  end
  if floats then labels = index_labels(colnames, first_rows_n(#colnames)) end
  if ints or floats then
    local lw = 0
    for _, l in ipairs(labels) do lw = math.max(lw, width(l)) end
    for j, l in ipairs(labels) do labels[j] = ljust(l, lw) end
  end
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
    local header = ((numeric(lead) or lead == "bool") and " " or "") .. labels[pos]
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

return {float_repr = float_repr, label_str = label_str, format_values = format_values,
        format_floats = format_floats, width = width, ljust = ljust, rjust = rjust,
        index_labels = index_labels, index_strings = index_strings,
        series_string = series_string, frame_string = frame_string}
