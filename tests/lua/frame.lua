-- frame.lua - the frame module against pandas 1.5: printed text and
-- numbers computed once by tests/fixtures/make_frame_fixtures.py on the
-- fetched data sets, CSV parsing edge cases on small files written here,
-- Series arithmetic and masks, and every function's error messages.
package.path = arg[0]:match("(.*/)") .. "?.lua;" .. package.path
local t = require "tap"
local frame = require "frame"
local sys = require "sys"

local here = arg[0]:match("(.*/)") or "./"
local FIX = here .. "../fixtures/frame/"
local DATA = sys.home() .. "/data/fetched/"

local function slurp(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local tmpdir = os.tmpname()
os.remove(tmpdir)
assert(os.execute("mkdir -p " .. tmpdir))
local function tmpfile(name, text)
  local path = tmpdir .. "/" .. name
  if text then
    local f = assert(io.open(path, "wb"))
    f:write(text)
    f:close()
  end
  return path
end

-- ---- parsing edge cases ------------------------------------------------

do
  local df = frame.read_csv(tmpfile("q.csv", 'name,text,n\na,"x, y",1\nb,"say ""hi""",2\nc,"two\nlines",3\n'))
  t.is(#df, 3, "quoted newline stays inside a field: 3 rows")
  t.is(df.text[1], "x, y", "separator inside quotes")
  t.is(df.text[2], 'say "hi"', "doubled quote")
  t.is(df.text[3], "two\nlines", "newline inside quotes")
  t.is(df.n.dtype, "int64", "whole numbers: int64")

  df = frame.read_csv(tmpfile("m.csv", "x,s,b\n1.5,NA,True\n,foo,False\nNaN,,True\n"))
  t.is(df.x.dtype, "float64", "missing numbers: float64")
  t.ok(df.x[2] ~= df.x[2] and df.x[3] ~= df.x[3], "empty and NaN are missing (NaN)")
  t.is(df.s[1], nil, "NA in a string column is nil")
  t.is(df.s:isnull():sum(), 2, "isnull counts NA and empty")
  t.is(df.b.dtype, "bool", "True/False: bool")
  t.is(df.b[2], false, "False")

  df = frame.read_csv(tmpfile("bom.csv", "\xEF\xBB\xBFa;b\r\n1;2\r\n3;4\r\n"), {sep = ";"})
  t.is(df.columns[1], "a", "BOM skipped, first name is 'a'")
  t.is(df.b[2], 4.0, "CRLF and sep = ';'")

  df = frame.read_csv(tmpfile("na.csv", "a,b\n?,1\n2,-\n"), {na_values = {"?", "-"}})
  t.ok(df.a[1] ~= df.a[1] and df.b[2] ~= df.b[2], "na_values")

  t.raises(function() frame.read_csv(tmpfile("r.csv", "a,b\n1,2\n3,4,5\n")) end,
           "r%.csv:3: expected 2 fields, saw 3", "a ragged row names the file and line")
  t.raises(function() frame.read_csv(tmpfile("e.csv", "")) end, "e%.csv: empty file",
           "an empty file is an error")
  t.raises(function() frame.read_csv(tmpdir .. "/absent.csv") end, "absent%.csv",
           "a missing file names the file")
  t.raises(function() frame.read_csv(tmpfile("u.csv", 'a\n"open\n')) end, "u%.csv:2: .*quoted",
           "an unclosed quote names the line")
end

-- ---- Series and DataFrame basics (hand-made data) ------------------------

do
  local df = frame.DataFrame({a = {1, 2, 3, 4}, b = {0.5, 0 / 0, 1.5, 2.5}, c = {"x", "y", "x", "z"}},
                             {columns = {"a", "b", "c"}})
  t.is(df.shape[1], 4, "shape rows")
  t.is(df.shape[2], 3, "shape columns")
  t.is(#df, 4, "#df is the number of rows")
  t.is(df["a"].dtype, "int64", "df['a'] is a Series")
  local s = df.a + df.b
  t.is(s.dtype, "float64", "int + float is float64")
  t.ok(s[2] ~= s[2], "NaN propagates")
  t.is(s[3], 4.5, "1-based positions: s[3]")
  t.is((df.a * 2).dtype, "int64", "int * int stays int64")
  t.is((df.a / 2)[1], 0.5, "division gives floats")
  t.is(df.b:sum(), 4.5, "sum skips NaN")
  t.is(df.b:count(), 3, "count skips NaN")
  t.is(df.b:mean(), 1.5, "mean skips NaN")
  t.near(df.a:std(), math.sqrt(5 / 3), 1e-15, "std with ddof = 1")
  t.is(df.c:nunique(), 3, "nunique")
  t.is(#df.c:unique(), 3, "unique")
  local m = df.a:gt(1) & df.c:eq("x")
  t.is(m.dtype, "bool", "comparisons make boolean masks")
  t.is(#df[m], 1, "df[mask]")
  t.is(#df[~df.c:eq("x")], 2, "~mask")
  t.is(#df[df.b:isnull() | df.a:eq(1)], 2, "mask | mask")
  t.is(df.b:gt(0):sum(), 3, "NaN compares false")
  t.is(df:slice(2, 3).a[1], 2.0, "slice is 1-based and inclusive")
  t.is(df:slice(2, 3).index[1], 1, "labels stay pandas's (0-based)")
  t.is(df:iloc(4).c, "z", "iloc(i) gives row i as a Series")
  df.d = df.a * df.b
  t.is(df.columns[4], "d", "a new column from an expression")
  df.e = 1
  t.is(df.e[4], 1.0, "a scalar column")
  t.is(#df:select{"a", "c"}.columns, 2, "select")
  t.is(#df:dropna(), 3, "dropna")
  t.is(df:fillna(0).b[2], 0.0, "fillna")
  t.is(df:fillna{b = -1}.b[2], -1.0, "fillna per column")
  t.is(df:isnull():sum().values[2], 1, "isnull():sum()")
  local x = df:to_tensor{"a", "b"}
  t.is(x:shape()[1], 4, "to_tensor rows")
  t.is(x:shape()[2], 2, "to_tensor columns")
  t.is(x:get(3, 2), 1.5, "to_tensor values, row-major")
  t.ok(x:get(2, 2) ~= x:get(2, 2), "missing becomes NaN")
  t.is(df:sort_values("a", {ascending = false}).a[1], 4.0, "sort_values descending")
  t.is(df.a:quantile(0.25), 1.75, "linear quantile")
end

-- ---- against pandas --------------------------------------------------------

local have = slurp(DATA .. "penguins/penguins.csv") ~= nil
  and slurp(DATA .. "vega/cars.json") ~= nil and slurp(DATA .. "statsmodels/co2.csv") ~= nil
if not have then
  t.ok(true, "# SKIP fetched data absent (sh scripts/fetch_datasets.sh)")
else
  local pen = frame.read_csv(DATA .. "penguins/penguins.csv")
  local wea = frame.read_csv(DATA .. "vega/seattle-weather.csv")
  local cars = frame.read_json(DATA .. "vega/cars.json")
  local co2 = frame.read_csv(DATA .. "statsmodels/co2.csv")
  local engel = frame.read_csv(DATA .. "statsmodels/engel.csv")
  local iris = frame.read_csv(DATA .. "sklearn/iris.csv")
  local left = frame.read_csv(FIX .. "left.csv")
  local bc = frame.read_csv(DATA .. "sklearn/breast_cancer.csv", {skiprows = 1, header = false})
  local wine = frame.read_csv(DATA .. "sklearn/wine_data.csv", {skiprows = 1, header = false})
  local sun = frame.read_csv(DATA .. "statsmodels/sunspots.csv")
  local temps = frame.read_csv(DATA .. "vega/seattle-temps.csv")
  local right = frame.read_csv(FIX .. "right.csv")

  local cases = {
    pen_head = function() return pen:head() end,
    pen_full = function() return pen end,
    pen_tail3 = function() return pen:tail(3) end,
    pen_describe = function() return pen:describe() end,
    pen_dtypes = function() return pen.dtypes end,
    pen_col_head = function() return pen.bill_length_mm:head() end,
    pen_col_full = function() return pen.bill_length_mm end,
    pen_info = function() return pen:info{buf = true} end,
    pen_species_counts = function() return pen.species:value_counts() end,
    pen_year_counts = function() return pen.year:value_counts() end,
    pen_iloc0 = function() return pen:iloc(1) end,
    pen_isnull_sum = function() return pen:isnull():sum() end,
    pen_isnull_head = function() return pen:isnull():head() end,
    pen_groupby_mean = function() return pen:groupby("species"):mean() end,
    pen_groupby_size = function() return pen:groupby("species"):size() end,
    pen_groupby_col_mean = function() return pen:groupby("species").body_mass_g:mean() end,
    pen_groupby_count = function() return pen:groupby("island"):count() end,
    pen_groupby_agg = function()
      return pen:groupby("species"):agg{bill_length_mm = "max", body_mass_g = "mean", sex = "count"}
    end,
    pen_pivot = function() return pen:pivot_table{index = "species", columns = "sex", values = "body_mass_g"} end,
    pen_pivot_count = function()
      return pen:pivot_table{index = "island", columns = "year", values = "body_mass_g", aggfunc = "count"}
    end,
    pen_corr = function() return pen:corr() end,
    pen_mask = function() return pen[pen.bill_length_mm:gt(55)] end,
    pen_mask_and = function() return pen[pen.species:eq("Gentoo") & pen.body_mass_g:ge(6000)] end,
    pen_dropna_tail = function() return pen:dropna():tail() end,
    pen_fillna_head = function() return pen:fillna(0):head() end,
    pen_sort = function() return pen:sort_values("body_mass_g", {ascending = false, kind = "stable"}):head(8) end,
    pen_select = function() return pen:select{"species", "body_mass_g"}:head(3) end,
    pen_ratio = function() return (pen.body_mass_g / pen.flipper_length_mm):head() end,
    wea_head = function() return wea:head() end,
    wea_describe = function() return wea:describe() end,
    wea_counts = function() return wea.weather:value_counts() end,
    wea_groupby = function() return wea:groupby("weather"):mean() end,
    cars_head = function() return cars:head() end,
    cars_info = function() return cars:info{buf = true} end,
    cars_describe = function() return cars:describe() end,
    cars_groupby = function() return cars:groupby("Origin"):mean() end,
    cars_cyl_counts = function() return cars.Cylinders:value_counts() end,
    co2_describe = function() return co2:describe() end,
    co2_isnull_sum = function() return co2:isnull():sum() end,
    co2_head = function() return co2:head() end,
    engel_describe = function() return engel:describe() end,
    engel_corr = function() return engel:corr() end,
    iris_describe = function() return iris:describe() end,
    iris_counts = function() return iris.setosa:value_counts() end,
    merge_inner = function() return left:merge(right, {on = "key"}) end,
    merge_left = function() return left:merge(right, {on = "key", how = "left"}) end,
    merge_right = function() return left:merge(right, {on = "key", how = "right"}) end,
    merge_outer = function() return left:merge(right, {on = "key", how = "outer"}) end,
    concat_rows = function() return frame.concat{pen:head(3), pen:tail(2)} end,
    concat_mixed = function() return frame.concat{left, right} end,
    pen_bill_counts = function() return pen.bill_length_mm:value_counts():head(12) end,
    pen_bill_sorted = function() return pen.bill_length_mm:sort_values():tail(8) end,
    pen_set_index = function() return pen:set_index("bill_depth_mm"):head() end,
    pen_groupby_multi = function() return pen:groupby{"species", "sex"}:mean() end,
    pen_groupby_multi_size = function() return pen:groupby{"species", "sex"}:size() end,
    pen_groupby_multi_reset = function() return pen:groupby{"species", "sex"}:mean():reset_index() end,
    long_strings = function() return frame.read_csv(FIX .. "long.csv") end,
    co2_ffill = function() return co2:fillna{method = "ffill"}:slice(51, 60) end,
    co2_bfill = function() return co2.co2:fillna{method = "bfill"}:slice(51, 60) end,
    co2_interp = function() return co2:interpolate():slice(51, 60) end,
    co2_gaps = function() return co2[co2.co2:isnull()]:head(8) end,
    pen_fill_mean = function()
      local f = pen:fillna(pen:mean())
      return frame.concat{f:slice(4, 4), f:slice(272, 272)}
    end,
    pen_mean = function() return pen:mean() end,
    wea_month_pivot = function()
      local w = wea:copy()
      w.month = w.date:map(function(d) return tonumber(d:sub(6, 7)) end)
      return w:pivot_table{index = "month", columns = "weather", values = "precipitation"}
    end,
    wea_month_max = function()
      local w = wea:copy()
      w.month = w.date:map(function(d) return tonumber(d:sub(6, 7)) end)
      return w:groupby("month").temp_max:max()
    end,
    small_pivot = function() return frame.read_csv(FIX .. "small.csv"):pivot{index = "day", columns = "city", values = "t"} end,
    pen_agg_list = function() return pen:groupby("species").bill_length_mm:agg{"mean", "max", "count"} end,
    pen_dedup = function() return pen:drop_duplicates{subset = {"species", "island"}} end,
    pen_dedup_cols = function() return pen:select{"species", "island"}:drop_duplicates() end,
    pen_loc = function() return pen[pen.body_mass_g:gt(6000)]:loc(185) end,
    pen_bool_head = function() return pen.bill_length_mm:gt(50):head() end,
    pen_mass_describe = function() return pen.body_mass_g:describe() end,
    pen_island_norm = function() return pen.island:value_counts{normalize = true} end,
    pen_year_sum = function() return pen:groupby("year"):sum() end,
    pen_std = function() return pen:std() end,
    wea_sorted_desc = function() return wea:sort_values("wind", {ascending = false}):head(10) end,
    left_index_col = function() return frame.read_csv(FIX .. "left.csv", {index_col = 0}) end,
    left_usecols = function() return frame.read_csv(FIX .. "left.csv", {usecols = {"v", "key"}}) end,
    pen_standardised = function()
      local num = pen:select{"bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"}
      return ((num - num:mean()) / num:std()):head()
    end,
    pen_scaled = function()
      local num = pen:select{"bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"}
      return (num * 2 + 1):tail(3)
    end,
    bc_head = function() return bc:head() end,
    bc_describe = function() return bc:describe() end,
    bc_target_counts = function() return bc[30]:value_counts() end,
    wine_full = function() return wine end,
    wine_corr_top = function() return wine:corr():slice(1, 5) end,
    sun_describe = function() return sun:describe() end,
    sun_full = function() return sun end,
    temps_tail = function() return temps:tail() end,
    temps_describe = function() return temps.temp:describe() end,
    pen_describe_T = function() return pen:describe().T end,
    pen_describe_round = function() return pen:describe():round(2) end,
    pen_head_T = function() return pen:head(3):transpose() end,
    engel_round = function() return engel:head(8):round(1) end,
    pen_mask_info = function() return pen[pen.bill_length_mm:gt(55)]:info{buf = true} end,
    iris_named = function()
      return frame.read_csv(DATA .. "sklearn/iris.csv", {skiprows = 1, names = {"sl", "sw", "pl", "pw", "target"}}):tail()
    end,
    pen_nrows = function() return frame.read_csv(DATA .. "penguins/penguins.csv", {nrows = 3}) end,
    iris_groupby = function()
      return frame.read_csv(DATA .. "sklearn/iris.csv", {skiprows = 1, names = {"sl", "sw", "pl", "pw", "target"}})
        :groupby("target"):agg{sl = "mean", pw = "std"}
    end,
  }
  local names = {}
  for name in pairs(cases) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do
    local want = slurp(FIX .. name .. ".txt")
    if not want then
      t.ok(false, name .. ": fixture missing (run tests/fixtures/make_frame_fixtures.py)")
    else
      want = want:gsub("\n$", "")
      local okc, got = pcall(function() return tostring(cases[name]()) end)
      if not t.is(okc and got or ("error: " .. tostring(got)), want, name .. " prints as pandas") then
        local gl, wl = {}, {}
        for l in ((okc and got or "") .. "\n"):gmatch("(.-)\n") do gl[#gl + 1] = l end
        for l in (want .. "\n"):gmatch("(.-)\n") do wl[#wl + 1] = l end
        for i = 1, math.max(#gl, #wl) do
          if gl[i] ~= wl[i] then
            t.diag(("first difference, line %d:\n got: [%s]\nwant: [%s]"):format(i, tostring(gl[i]), tostring(wl[i])))
            break
          end
        end
      end
    end
  end

  -- full-precision numbers
  local numbers = {
    pen_describe = pen:describe(), pen_corr = pen:corr(), pen_groupby_mean = pen:groupby("species"):mean(),
    pen_pivot = pen:pivot_table{index = "species", columns = "sex", values = "body_mass_g"},
    wea_describe = wea:describe(), cars_describe = cars:describe(), engel_corr = engel:corr(),
  }
  local nnames = {}
  for name in pairs(numbers) do nnames[#nnames + 1] = name end
  table.sort(nnames)
  for _, name in ipairs(nnames) do
    local want = frame.read_csv(FIX .. name .. ".num.csv")
    local got = numbers[name]
    local worst, cells, shape_ok = 0, 0, want.shape[1] == got.shape[1] and want.shape[2] == got.shape[2] + 1
    if shape_ok then
      for j, col in ipairs(got.columns) do
        local w = want[want.columns[j + 1]]
        local g = got[col]
        for i = 1, #got do
          local a, b = g[i], w[i]
          if (a ~= a) ~= (b ~= b) then worst = math.huge
          elseif a == a then worst = math.max(worst, math.abs(a - b) / math.max(1, math.abs(b))) end
          cells = cells + 1
        end
      end
    end
    t.ok(shape_ok and worst <= 1e-12, ("%s: %d numbers equal pandas's (worst relative error %.3g)"):format(name, cells, worst))
  end

  -- to_csv writes what pandas writes
  local out = tmpfile("pen.csv")
  pen:to_csv(out)
  t.is(slurp(out), slurp(FIX .. "pen_to_csv.csv"), "to_csv equals pandas's file (penguins)")
  cars:head(20):to_csv(out, {index = false})
  t.is(slurp(out), slurp(FIX .. "cars_to_csv.csv"), "to_csv{index = false} equals pandas's (cars)")
  local back = frame.read_csv(out)
  t.is(tostring(back:head()), tostring(cars:head()), "to_csv then read_csv gives the same frame")
  local x = pen:dropna():to_tensor{"bill_length_mm", "body_mass_g"}
  t.is(x:shape()[1], 333, "to_tensor after dropna: 333 rows")
  t.near(x:get(1, 2), 3750, 0, "to_tensor first body mass")
  t.is(#pen:dropna{subset = {"bill_length_mm"}}, 342, "dropna subset")
  local y = pen.year:to_tensor()
  t.is(y:shape()[1], 344, "Series:to_tensor is 1-d")
  t.is(y:get(344), 2009, "Series:to_tensor values")
  t.is(pen.bill_length_mm:gt(50):to_tensor():sum(), pen.bill_length_mm:gt(50):sum() + 0.0,
       "a boolean Series becomes 0/1")
  local labels, n = {}, 0
  for label, row in pen:slice(2, 4):iterrows() do
    n = n + 1
    labels[n] = label
    if n == 1 then t.is(row.bill_length_mm, 39.5, "iterrows gives each row as a Series") end
  end
  t.is(table.concat(labels, ","), "1,2,3", "iterrows gives pandas's labels")
  t.is(#frame.read_csv(DATA .. "penguins/penguins.csv", {skiprows = 340, header = false}), 5,
       "skiprows counts the header line")
  t.raises(function() frame.read_csv(DATA .. "penguins/penguins.csv", {names = {"a"}}) end,
           "read_csv: 1 names for 8 columns")
  t.raises(function() frame.read_csv(DATA .. "penguins/penguins.csv", {nrows = -1}) end,
           "nrows must be >= 0")
end

-- ---- errors: misspelt options and wrong arguments name this line ---------

do
  local df = frame.DataFrame({a = {1, 2}, b = {"x", "y"}}, {columns = {"a", "b"}})
  local other = frame.DataFrame({a = {1}, c = {3}}, {columns = {"a", "c"}})
  local p = tmpfile("ok.csv", "a,b\n1,2\n")
  t.raises(function() frame.read_csv(p, {sepp = ";"}) end, "read_csv: unknown option 'sepp' %(did you mean 'sep'%?%)")
  t.raises(function() frame.read_csv(p, {sep = ";;"}) end, "sep must be one character")
  t.raises(function() frame.read_csv(42) end, "read_csv: path must be a string")
  t.raises(function() frame.read_json(p, {orientt = "records"}) end, "read_json: unknown option 'orientt'")
  t.raises(function() frame.read_json(p) end, "read_json: .*ok%.csv")
  t.raises(function() frame.DataFrame({a = {1}}, {colums = {"a"}}) end, "DataFrame: unknown option 'colums'")
  t.raises(function() frame.DataFrame({a = {1}, b = {1, 2}}) end, "DataFrame: column '.' has")
  t.raises(function() frame.Series({1}, {nme = "x"}) end, "Series: unknown option 'nme'")
  t.raises(function() return df.aa end, "no column 'aa' %(did you mean 'a'%?%)")
  t.raises(function() df:select{"a", "bb"} end, "select: no column 'bb'")
  t.raises(function() df:head("x") end, "head: n must be an integer")
  t.raises(function() df:dropna{hoe = "any"} end, "dropna: unknown option 'hoe' %(did you mean 'how'%?%)")
  t.raises(function() df:dropna{how = "some"} end, "dropna: how must be")
  t.raises(function() df:fillna() end, "fillna: a value is needed")
  t.raises(function() df:sort_values("a", {ascendng = false}) end, "sort_values: unknown option 'ascendng'")
  t.raises(function() df:sort_values("zz") end, "sort_values: no column 'zz'")
  t.raises(function() df.a:value_counts{normalise = true} end, "value_counts: unknown option 'normalise'")
  t.raises(function() df:corr{methd = "pearson"} end, "corr: unknown option 'methd'")
  t.raises(function() df:groupby("zz") end, "groupby: no column 'zz'")
  t.raises(function() df:groupby("b"):agg{a = "meen"} end, "agg: unknown aggregation 'meen' %(did you mean 'mean'%?%)")
  t.raises(function() df:pivot_table{index = "b", valuess = "a"} end, "pivot_table: unknown option 'valuess'")
  t.raises(function() df:pivot_table{index = "b", values = "a", aggfunc = "avg"} end, "pivot_table: unknown aggregation 'avg'")
  t.raises(function() df:merge(other, {hw = "left"}) end, "merge: unknown option 'hw' %(did you mean 'how'%?%)")
  t.raises(function() df:merge(other, {how = "cross"}) end, "merge: how must be")
  t.raises(function() df:merge(42) end, "merge: expected a DataFrame")
  t.raises(function() frame.concat({df, other}, {axs = 2}) end, "concat: unknown option 'axs'")
  t.raises(function() frame.concat({df, 3}) end, "concat: item 2")
  t.raises(function() df:to_tensor{"b"} end, "to_tensor: column 'b' holds object")
  t.raises(function() df:to_csv(tmpfile("x.csv"), {indx = false}) end, "to_csv: unknown option 'indx'")
  t.raises(function() df:info{bu = true} end, "info: unknown option 'bu'")
  t.raises(function() df:reset_index{dorp = true} end, "reset_index: unknown option 'dorp'")
  t.raises(function() return df.a + df.b end, "cannot combine numbers with string")
  t.raises(function() return df.a + frame.Series({1, 2, 3}) end, "lengths differ")
  t.raises(function() return df[df.a] end, "mask must be a boolean Series")
  t.raises(function() df:slice("1") end, "slice: first must be an integer")
  t.raises(function() df:iloc(3) end, "iloc: position 3 out of range 1..2")
  t.raises(function() df.a:quantile(2) end, "quantile: q must be")
  t.raises(function() df.a:astype("float32") end, "astype: unknown dtype")
  t.raises(function() df:fillna{methd = "ffill", method = "ffill"} end, "fillna: unknown option 'methd'")
  t.raises(function() df.a:fillna{method = "forward"} end, "fillna: method must be")
  t.raises(function() df.a:interpolate{methd = "linear"} end, "interpolate: unknown option 'methd'")
  t.raises(function() df.b:interpolate() end, "interpolate: column 'b' holds object")
  t.raises(function() df:pivot{indx = "a", columns = "b", values = "a"} end, "pivot: unknown option 'indx'")
  t.raises(function() frame.DataFrame({k = {1, 1}, c = {"x", "x"}, v = {1, 2}}):pivot{index = "k", columns = "c", values = "v"} end,
           "pivot: index contains duplicate entries")
  t.raises(function() df:groupby{"a", "zz"} end, "groupby: no column 'zz'")
  t.raises(function() return df - 1 end, "DataFrame %-: column 'b' holds object")
  t.raises(function() return df:select{"a"} + "x" end, "DataFrame %+: cannot combine with a string")
  t.raises(function() df:groupby("b"):agg{"mean"} end, "agg: a list of functions needs one column")
  t.raises(function() df.a:sort_values{ascnding = true} end, "sort_values: unknown option 'ascnding'")
  t.raises(function() df:sort_values("a", {kind = "heap"}) end, "sort_values: kind must be")
  t.raises(function() df:rename("a") end, "rename: expected a table")
  t.raises(function() df:rename{zz = "y"} end, "rename: no column 'zz'")
  t.raises(function() df:set_index("zz") end, "set_index: no column 'zz'")
  t.raises(function() df:select{"b"}:describe() end, "describe: no numeric columns")
  t.raises(function() df:col(1) end, "col: expected a column name")
  t.raises(function() df:round(1.5) end, "round: decimals must be an integer")
  t.raises(function() df.b:round() end, "round: column 'b' holds object")
  t.raises(function() df:drop{"zz"} end, "drop: no column 'zz'")
  t.raises(function() df.b:mean() end, "mean: column 'b' holds object")
  t.raises(function() df.a:isin(3) end, "isin: expected a list")
  t.raises(function() df.a:map(3) end, "map: expected a function or a table")
  t.raises(function() df:merge(other, {on = "c"}) end, "merge: no column 'c'")
  t.raises(function() frame.concat({df, df}, {axis = 3}) end, "concat: axis must be 1")
  t.raises(function() frame.read_csv(p, {usecols = {"a", "q"}}) end, "read_csv: no column 'q'")
  t.raises(function() frame.read_csv(p, {quote = "''"}) end, "quote must be one character")
  t.raises(function() frame.read_csv(p, {na_values = {1}}) end, "na_values%[1%] must be a string")
  local c = frame.DataFrame({count = {1, 2}}, {columns = {"count"}})
  t.is(c:col("count"):sum(), 3, "col() reaches a column named like a method")
  t.raises(function() df:drop_duplicates{subst = {"a"}} end, "drop_duplicates: unknown option 'subst'")
  t.raises(function() df:loc(7) end, "loc: no row labelled 7")
  t.raises(function() df.a:slice(1, "x") end, "slice: last must be an integer")
  -- a failed to_csv leaves nothing behind
  local target = tmpfile("never.csv")
  pcall(function() df:to_csv(target, {sep = ";;"}) end)
  t.ok(slurp(target) == nil, "a failed to_csv writes no file")
end

os.execute("rm -rf " .. tmpdir)
t.done()
