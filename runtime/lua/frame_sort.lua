-- frame_sort.lua - the orders frame sorts in: a stable sort (kind =
-- "stable", several keys) and NumPy 1.24's quicksort argsort, which pandas
-- uses for one column and for value_counts, so that ties come out in
-- pandas's order.
local function missing(v) return v == nil or v ~= v end

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

return {order = order, np_argsort = np_argsort, nargsort = nargsort}
