-- tensor_ext.lua - the NumPy-style tensor additions against NumPy's
-- answers (tests/fixtures/tensor_ext/cases.lua, made by
-- make_tensor_ext_fixtures.py), then every function's errors.
package.path = arg[0]:match("(.*/)") .. "?.lua;" .. package.path
local t = require "tap"
local T = require "tensor"
local C = dofile(arg[0]:match("(.*/)") .. "../fixtures/tensor_ext/cases.lua")

-- the shape of a nested table (a list of lists ...), as a string
local function tshape(v)
  local s = {}
  while type(v) == "table" do s[#s + 1] = #v; v = v[1] end
  return table.concat(s, "x")
end

local function flat(v, out)
  out = out or {}
  if type(v) ~= "table" then out[#out + 1] = v; return out end
  for _, x in ipairs(v) do flat(x, out) end
  return out
end

-- tensor got equals the nested table want: same shape, every value
-- within tol (relative to max(1, |want|)); NaN equals NaN
local function same(got, want, tol, name)
  if not T.is_tensor(got) then
    t.ok(false, name); t.diag("not a tensor: " .. tostring(got)); return
  end
  local gs = table.concat(got:shape(), "x")
  local ws = type(want) == "table" and tshape(want) or ""
  if #want == 0 and type(want) == "table" then ws = "0" end
  if gs ~= ws then
    t.ok(false, name); t.diag("shape " .. gs .. ", want " .. ws); return
  end
  local g, w = flat(got:totable()), flat(want)
  local worst, at = 0, nil
  for i = 1, #w do
    local a, b = g[i], w[i]
    local e
    if b ~= b then e = (a ~= a) and 0 or math.huge
    else e = math.abs(a - b) / math.max(1, math.abs(b)) end
    if e > worst then worst, at = e, i end
  end
  if not t.ok(worst <= tol, name) then
    t.diag(("element %d: got %s, want %s"):format(at, tostring(g[at]), tostring(w[at])))
  end
end

local X, Y, V, R, P = T(C.X), T(C.Y), T(C.V), T(C.R), T(C.P)

-- ranges
same(T.linspace(0, 1, 5), C.linspace_0_1_5, 0, "linspace(0, 1, 5)")
same(T.linspace(2, 3, 4, {endpoint = false}), C.linspace_2_3_4_noend, 0, "linspace endpoint = false")
same(T.linspace(2, 3, {num = 4, endpoint = false}), C.linspace_2_3_4_noend, 0, "linspace{num, endpoint}")
same(T.linspace(-1, 1, 1), C.linspace_m1_1_1, 0, "linspace num 1 is start")
same(T.linspace(1, 2, 7), C.linspace_1_2_7, 0, "linspace(1, 2, 7)")
same(T.linspace(0, math.pi), C.linspace_0_pi_50, 0, "linspace num defaults to 50")
t.is(T.linspace(0, 10, 0):numel(), 0, "linspace num 0 is empty")
same(T.logspace(0, 2, 3), C.logspace_0_2_3, 1e-7, "logspace(0, 2, 3)")
same(T.logspace(0, 1, 4, {base = 2}), C.logspace_0_1_4_base2, 1e-7, "logspace base 2")
same(T.logspace(1, 3, 5, {endpoint = false}), C.logspace_1_3_5_noend, 1e-7, "logspace endpoint = false")

-- elementwise: float32 libm against NumPy's float32 loops (1 ulp apart at most)
for _, f in ipairs{"sin", "cos", "tan", "sign", "floor", "ceil", "trunc"} do
  local tol = (f == "sin" or f == "cos" or f == "tan") and 3e-7 or 0
  same(T[f](V), C[f .. "_V"], tol, f .. " of V")
  same(X[f](X), C[f .. "_X"], tol, "X:" .. f .. "()")
end
for _, d in ipairs{0, 1, 2, -1} do
  local s = d < 0 and "m1" or tostring(d)
  same(T.round(V, d), C["round_V_" .. s], 0, "round(V, " .. d .. "): half to even")
  same(X:round(d), C["round_X_" .. s], 0, "X:round(" .. d .. ")")
end
same(V:round(), C.round_V_0, 0, "round without decimals")
same(T.pow(X:abs(), 2.5), C.pow_absX_2_5, 3e-7, "pow(|X|, 2.5)")
same(T.pow(X, T{0, 1, 2, 3}), C.pow_X_row, 3e-7, "pow broadcasts a row")
same(T.pow(2, V), C.pow_2_V, 3e-7, "pow(2, V)")

-- moments (computed in double: within float32 rounding of NumPy's)
for _, dd in ipairs{0, 1} do
  t.near(X:std{ddof = dd}, C["std_X_ddof" .. dd], 1e-6 * C["std_X_ddof" .. dd], "std ddof " .. dd)
  t.near(T.var(X, {ddof = dd}), C["var_X_ddof" .. dd], 1e-6 * C["var_X_ddof" .. dd], "var ddof " .. dd)
  same(X:std{axis = 1, ddof = dd}, C["std_X_axis1_ddof" .. dd], 1e-6, "std axis 1 ddof " .. dd)
  same(X:std(2, {ddof = dd}), C["std_X_axis2_ddof" .. dd], 1e-6, "std(2, {ddof}) ddof " .. dd)
  same(X:var{axis = -2, ddof = dd}, C["var_X_axis1_ddof" .. dd], 1e-6, "var axis -2 ddof " .. dd)
  same(Y:var{axis = 2, ddof = dd, keepdims = true}, C["var_Y_axis2_ddof" .. dd], 1e-6,
       "var keepdims ddof " .. dd)
end
same(X:std(1), C.std_X_axis1_ddof0, 1e-6, "std(axis) positional")
same(X:transpose():std{axis = 2, ddof = 1}, C.std_X_axis1_ddof1, 1e-6, "std of a transposed view")
same(X:transpose():median(2), C.median_X_axis1, 0, "median of a transposed view")
t.is(#X:std(2, true):shape(), 2, "std(axis, keepdims) positional keeps the axis")
t.is(X:median(), C.median_X, "median of everything")
same(X:median(1), C.median_X_axis1, 0, "median axis 1")
same(X:median(2), C.median_X_axis2, 0, "median axis 2 (even count: the mean of the middle two)")
same(Y:median{axis = -1}, C.median_Y_axis3, 0, "median axis -1")
t.is(V:median(), C.median_V, "median of V")
local mn = T{1, 0/0, 3}:median()
t.ok(mn ~= mn, "median with a NaN is NaN, as NumPy")

-- scans
same(X:cumsum(), C.cumsum_X, 0, "cumsum flattens without an axis")
same(X:cumsum(1), C.cumsum_X_axis1, 0, "cumsum axis 1")
same(T.cumsum(X, 2), C.cumsum_X_axis2, 0, "cumsum axis 2")
same(Y:cumsum(2), C.cumsum_Y_axis2, 0, "cumsum 3-d axis 2")
same(P:cumprod(), C.cumprod_P, 0, "cumprod flattened")
same(P:cumprod(1), C.cumprod_P_axis1, 0, "cumprod axis 1")
same(T.cumprod(P, -1), C.cumprod_P_axis2, 0, "cumprod axis -1")
same(X:transpose():cumsum(2), T(C.cumsum_X_axis1):transpose():totable(), 0, "cumsum of a transposed view")

-- sorting
same(X:sort(), C.sort_X, 0, "sort along the last axis")
same(X:sort(1), C.sort_X_axis1, 0, "sort axis 1")
same(R:sort(1), C.sort_R_axis1, 0, "sort with ties")
same(X:argsort(), C.argsort_X, 0, "argsort: 1-based positions")
same(R:argsort(), C.argsort_R, 0, "argsort is stable on ties")
same(T.argsort(R, 1), C.argsort_R_axis1, 0, "argsort axis 1, stable")
same(Y:sort(2), C.sort_Y_axis2, 0, "sort 3-d axis 2")
same(Y:argsort(2), C.argsort_Y_axis2, 0, "argsort 3-d axis 2")
local W = T{3, 0/0, -1, 2, 0/0, 0}
same(W:sort(), C.sort_W, 0, "sort puts NaN last")
same(W:argsort(), C.argsort_W, 0, "argsort puts NaN last")
same(X:transpose():sort(2), T(C.sort_X_axis1):transpose():totable(), 0, "sort of a transposed view")

-- joining and splitting
same(T.concat{X, R}, C.concat_X_R_axis1, 0, "concat default axis 1")
same(T.concat({X, R}, 2), C.concat_X_R_axis2, 0, "concat axis 2")
same(T.concatenate({X, R:transpose():transpose()}, -1), C.concat_X_R_axis2, 0, "concatenate views, axis -1")
same(T.stack{X, R}, C.stack_X_R_axis1, 0, "stack default axis 1")
same(T.stack({X, R}, 3), C.stack_X_R_axis3, 0, "stack axis 3 (new last)")
same(T.stack({X, R}, -1), C.stack_X_R_axis3, 0, "stack axis -1 is the new last")
same(T.stack{1, 2, 3}, {1, 2, 3}, 0, "stack of numbers")
same(T.concat{{1, 2}, T{3}}, {1, 2, 3}, 0, "concat of a table and a tensor")
local parts = X:split(2, 2)
t.is(#parts, 2, "split into 2 sections")
for i = 1, 2 do same(parts[i], C.split_X_2_axis2[i], 0, "split section " .. i) end
parts = T.split(X, {1, 3}, 2)
for i = 1, 3 do same(parts[i], C.split_X_cuts_1_3_axis2[i], 0, "split at cuts, part " .. i) end
parts = T.arange(10):split{2, 5, 5, 9}
t.is(#parts, 5, "split with a repeated cut gives an empty part")
for i = 1, 5 do same(parts[i], C.split_arange10_cuts[i], 0, "split arange, part " .. i) end

-- selection
same(T.where(X:gt(0), X, 0), C.where_X_gt0_X_0, 0, "where(cond, X, 0)")
same(T.where(X:gt(0), T{1, 2, 3, 4}, T{{-1}, {-2}, {-3}}), C.where_X_gt0_row_col, 0,
     "where broadcasts a row and a column")
local r, c = T.where(X:gt(0))
same(r, C.nonzero_X_gt0[1], 0, "where(cond): row positions")
same(c, C.nonzero_X_gt0[2], 0, "where(cond): column positions")
local r2 = T.nonzero(X:gt(0))
same(r2, C.nonzero_X_gt0[1], 0, "nonzero")
same(X:masked(X:gt(1)), C.mask_X_gt1, 0, "masked: X[X > 1]")
same(X:masked(T(C.rowmask_X)), C.rows_X_by_mask, 0, "masked by a row mask: X[m]")
same(X:clone():masked_set(X:lt(0), 0), C.X_neg_set_0, 0, "masked_set a number")
local cnt = X:gt(1):sum()
same(X:clone():masked_set(X:gt(1), T.arange(cnt)), C.X_gt1_set_arange, 0, "masked_set values")
local Z = X:clone()
Z:masked_set(Z:lt(0), Z:masked(Z:lt(0)):abs())
same(Z, X:abs():totable(), 0, "masked_set with values read from the same tensor")
local XT = X:clone():transpose()
XT:masked_set(XT:lt(0), 0)
same(XT:transpose(), C.X_neg_set_0, 0, "masked_set through a transposed view")
t.is(X:masked(X:gt(100)):numel(), 0, "masked with nothing selected is empty")

-- products
local A, B, u, w = T(C.A), T(C.B), T(C.u), T(C.w)
same(A:dot(B), C.dot_A_B, 1e-6, "dot matrix . matrix")
same(T.dot(A, u), C.dot_A_u, 1e-6, "dot matrix . vector")
same(T.dot(w, A), C.dot_w_A, 1e-6, "dot vector . matrix")
t.near(u:dot(u), C.dot_u_u, 1e-6 * C.dot_u_u, "dot vector . vector is a number")
same(T.dot(2, u), (u * 2):totable(), 0, "dot with a number multiplies")
same(T.outer(w, u), C.outer_w_u, 0, "outer")
same(w:outer(A:transpose():slice(1, 1, 1)), T.outer(w, A:slice(2, 1, 1)):totable(), 0,
     "outer flattens (and reads views)")

-- counting
local K = T(C.K)
local uq, idx, inv, counts = K:unique{return_index = true, return_inverse = true, return_counts = true}
same(uq, C.unique_K, 0, "unique values")
same(idx, C.unique_K_index, 0, "unique index: 1-based first positions")
same(inv, C.unique_K_inverse, 0, "unique inverse: 1-based positions in the values")
same(counts, C.unique_K_counts, 0, "unique counts")
same(uq:rows(inv), C.K, 0, "values:rows(inverse) rebuilds the input")
local uq2, c2 = T.unique(R, {return_counts = true})
same(uq2, C.unique_R, 0, "unique of a matrix flattens")
same(c2, C.unique_R_counts, 0, "unique counts of a matrix")
local _, i2, v2 = R:unique{return_index = true, return_inverse = true}
same(i2, C.unique_R_index, 0, "unique index of a matrix")
same(v2, C.unique_R_inverse, 0, "unique inverse of a matrix")
local un, cn = T{2, 0/0, 1, 0/0, 2}:unique{return_counts = true}
same(un, C.unique_N, 0, "unique collapses NaNs last (NumPy 1.24)")
same(cn, C.unique_N_counts, 0, "unique counts NaNs together")
t.is(select("#", K:unique()), 1, "unique alone returns only the values")
t.is(T.zeros(0):unique():numel(), 0, "unique of an empty tensor")
same(K:bincount(), C.bincount_K, 0, "bincount")
same(T.bincount(K, {minlength = 15}), C.bincount_K_min15, 0, "bincount minlength")
same(K:bincount{weights = T(C.KW)}, C.bincount_K_w, 1e-6, "bincount weights")
same(T.bincount(T.zeros(0), {minlength = 3}), {0, 0, 0}, 0, "bincount of nothing")

-- grids and matrices
local gx, gy, gz = T{1, 2, 3}, T{10, 20}, {-1, -2, -3, -4}
local mx, my = T.meshgrid(gx, gy)
same(mx, C.meshgrid_xy[1], 0, "meshgrid xy: X")
same(my, C.meshgrid_xy[2], 0, "meshgrid xy: Y")
mx, my = T.meshgrid(gx, gy, {indexing = "ij"})
same(mx, C.meshgrid_ij[1], 0, "meshgrid ij: 1")
same(my, C.meshgrid_ij[2], 0, "meshgrid ij: 2")
local g = {T.meshgrid(gx, gy, gz)}
for i = 1, 3 do same(g[i], C.meshgrid_xyz[i], 0, "meshgrid 3 inputs xy: " .. i) end
g = {T.meshgrid({1, 2, 3}, {10, 20}, gz, {indexing = "ij"})}
for i = 1, 3 do same(g[i], C.meshgrid_xyz_ij[i], 0, "meshgrid 3 inputs ij: " .. i) end
for _, k in ipairs{0, 1, 2, -1, -3, 5} do
  local s = k < 0 and ("m" .. -k) or tostring(k)
  same(u:diag(k), C["diag_u_" .. s], 0, "diag of a vector, k = " .. k)
  same(T.diag(X, k), C["diag_X_" .. s], 0, "diag of a matrix, k = " .. k)
end
same(X:transpose():diag(1), T(C.X):transpose():contiguous():diag(1):totable(), 0, "diag of a view")
same(gx:tile(3), C.tile_gx_3, 0, "tile 3")
same(gx:tile{2, 2}, C.tile_gx_2_2, 0, "tile {2, 2} adds a dimension")
same(X:tile{2, 1}, C.tile_X_2_1, 0, "tile {2, 1}")
same(T.tile(X, 2), C.tile_X_2, 0, "tile 2 repeats the last dimension")
same(X:tile{2, 1, 3}, C.tile_X_2_1_3, 0, "tile {2, 1, 3}")
same(X["repeat"](X, 2), C.repeat_X_2, 0, "repeat flattens without an axis")
same(X:repeat_interleave(2, 1), C.repeat_X_2_axis1, 0, "repeat_interleave axis 1")
same(T["repeat"](X, {1, 0, 2, 3}, 2), C.repeat_X_counts_axis2, 0, "repeat counts per position")
same(X:flip(), C.flip_X, 0, "flip all axes")
same(X:flip(1), C.flip_X_axis1, 0, "flip axis 1")
same(T.flip(X, -1), C.flip_X_axis2, 0, "flip axis -1")
same(Y:flip{1, 3}, C.flip_Y_axes13, 0, "flip axes {1, 3}")

-- sampling on the seeded RNG
T.seed(5)
local ri = T.randint(3, 9, {1000})
T.seed(5)
same(T.randint(3, 9, 1000), ri:totable(), 0, "randint: same seed, same numbers")
t.ok(ri:min() == 3 and ri:max() == 8, "randint is half-open [3, 9)")
t.ok(ri:eq(ri:floor()):sum() == 1000, "randint gives integers")
t.near(ri:mean(), 5.5, 0.25, "randint mean near 5.5")
local one = T.randint(0, 2)
t.ok(math.type(one) == "integer" and one >= 0 and one < 2, "randint without a shape: one integer")
t.is(table.concat(T.randint(-2, 2, 2, 3):shape(), "x"), "2x3", "randint shape as sizes")
T.seed(9)
local ch = T.choice(10, 5, {replace = false})
T.seed(9)
same(T.choice(10, 5, {replace = false}), ch:totable(), 0, "choice: same seed, same draws")
local _, chc = ch:unique{return_counts = true}
t.is(chc:max(), 1, "choice without replacement draws distinct values")
t.ok(ch:min() >= 0 and ch:max() <= 9, "choice(10) draws values 0..9")
local pc = T.choice({5, 6, 7}, {2000}, {p = {0.2, 0, 0.8}})
local bc = pc:bincount()
t.is(bc[7], 0, "choice never draws a value with p = 0")
t.near(bc[8] / 2000, 0.8, 0.04, "choice follows p")
local perm = T.choice(T{1, 2, 3, 4}, 4, {replace = false}):sort()
same(perm, {1, 2, 3, 4}, 0, "choice of everything without replacement is a permutation")
local wr = T.choice(4, 2, {replace = false, p = {0, 0.5, 0, 0.5}}):sort()
same(wr, {1, 3}, 0, "weighted choice without replacement")
t.ok(type(T.choice{7, 8}) == "number", "choice without a size: one number")
t.is(table.concat(T.choice(3, {2, 2}):shape(), "x"), "2x2", "choice with a shape")

-- empty tensors
t.is(T.zeros(0):sort():numel(), 0, "sort of an empty tensor")
t.is(T.zeros(0, 3):cumsum(2):numel(), 0, "cumsum of an empty tensor")
t.is(T.zeros(2, 0):std(1):numel(), 0, "std over a non-empty axis of an empty tensor")
t.is(T.concat{T.zeros(0, 2), T.ones(1, 2)}:numel(), 2, "concat with an empty part")
t.is(T.zeros(0):flip():numel(), 0, "flip of an empty tensor")
t.is(T.zeros(0):tile(3):numel(), 0, "tile of an empty tensor")
t.is(T.diag(T.zeros(0)):numel(), 0, "diag of an empty vector")
t.is(T.outer(T.zeros(0), T{1, 2}):numel(), 0, "outer with an empty vector")

-- NumPy's axis keyword as an options table
same(X:cumsum{axis = 1}, C.cumsum_X_axis1, 0, "cumsum{axis = 1}")
same(X:sort{axis = 1}, C.sort_X_axis1, 0, "sort{axis = 1}")
same(R:argsort{axis = 1}, C.argsort_R_axis1, 0, "argsort{axis = 1}")
same(T.concat({X, R}, {axis = 2}), C.concat_X_R_axis2, 0, "concat(list, {axis = 2})")
same(T.stack({X, R}, {axis = 3}), C.stack_X_R_axis3, 0, "stack(list, {axis = 3})")
same(X:split(2, {axis = 2})[2], C.split_X_2_axis2[2], 0, "split(2, {axis = 2})")
same(X:repeat_interleave(2, {axis = 1}), C.repeat_X_2_axis1, 0, "repeat_interleave(2, {axis = 1})")
same(X:flip{axis = 2}, C.flip_X_axis2, 0, "flip{axis = 2}")
same(X:sort{}, C.sort_X, 0, "sort{} keeps the default axis")

-- more edges: empty selections, sizes 0, whole-tensor forms
t.is(T.zeros(0, 3):split(3, 1)[3]:numel(), 0, "split of an empty axis into 3 empty parts")
t.is(T.where(T.zeros(0), 1, 2):numel(), 0, "where over an empty condition")
t.is(T.zeros(0):masked(T.zeros(0)):numel(), 0, "masked on an empty tensor")
local _, ie = T.zeros(0):unique{return_inverse = true}
t.is(ie:numel(), 0, "unique inverse of an empty tensor")
t.is(T.randint(0, 3, 0):numel(), 0, "randint of size 0")
t.is(T.choice(3, 0):numel(), 0, "choice of size 0")
t.is(#X:median(2, true):shape(), 2, "median(axis, keepdims)")
t.is(T.linspace(5, 6, 1, {endpoint = false}):get(1), 5, "linspace num 1 without endpoint")
local s1 = X:cumsum(2):slice(2, 4, 4):flatten()
same(s1, X:sum(2):totable(), 1e-5, "the last cumsum along an axis is the sum")
local order = X:flatten():argsort()
same(X:flatten():rows(order), X:flatten():sort():totable(), 0, "rows(argsort) is sort")
same(T.where(X:gt(1), X, 0):masked(X:gt(1)), C.mask_X_gt1, 0, "where and masked agree")

-- errors: each names the script line (t.raises checks it)
t.raises(function() T.linspace(0, 1, -1) end, "linspace: num must be non%-negative")
t.raises(function() T.linspace(0, 1, 2.5) end, "linspace: num must be an integer")
t.raises(function() T.linspace(0, 1, {nm = 3}) end, "linspace: unknown option 'nm' %(did you mean 'num'%?%)")
t.raises(function() T.linspace(0, 1, 3, {num = 3}) end, "linspace: num given twice")
t.raises(function() T.logspace(0, 1, 3, {bas = 2}) end, "logspace: unknown option 'bas' %(did you mean 'base'%?%)")
t.raises(function() T.linspace(0, 1/0, 3) end, "linspace: start and stop must be finite")
t.raises(function() T.sin("x") end, "tensor, number or table")
t.raises(function() X:round(0.5) end, "round: decimals must be an integer")
t.raises(function() X:round(99) end, "round: decimals 99 out of range")
t.raises(function() T.pow(X, T{1, 2}) end, "pow: .*%(3, 4%).*%(2,?%)")
t.raises(function() X:std{dof = 1} end, "std: unknown option 'dof' %(did you mean 'ddof'%?%)")
t.raises(function() X:var{axis = 3} end, "var: axis 3 out of range 1..2")
t.raises(function() X:std(1, {axis = 1}) end, "std: axis given twice")
t.raises(function() X:std(1, "yes") end, "std: keepdims must be a boolean")
t.raises(function() X:std(1.5) end, "std: axis must be an integer, got 1.5")
t.raises(function() T{1}:std{ddof = 1} end, "std: ddof 1 leaves no degrees of freedom for 1 values")
t.raises(function() T.zeros(0):var() end, "var of an empty tensor")
t.raises(function() T.zeros(0, 2):median(1) end, "median: axis 1 is empty")
t.raises(function() X:median{ddof = 1} end, "median: unknown option 'ddof'")
t.raises(function() X:cumsum(0) end, "cumsum: axis 0 out of range 1..2")
t.raises(function() T(3):cumprod(1) end, "cumprod: a 0%-d tensor has no axis 1")
t.raises(function() X:sort(3) end, "sort: axis 3 out of range")
t.raises(function() X:sort{axsi = 1} end, "sort: unknown option 'axsi' %(did you mean 'axis'%?%)")
t.raises(function() X:cumsum{axis = 1.5} end, "cumsum: option 'axis' must be")
t.raises(function() T.concat({X, X}, {axes = 1}) end, "concat: unknown option 'axes' %(did you mean 'axis'%?%)")
t.raises(function() X:flip{axis = 5} end, "flip: axis 5 out of range")
t.raises(function() T(1):argsort() end, "argsort: a 0%-d tensor has no axis")
t.raises(function() T.concat{X, T.zeros(3, 2)} end,
         "concat: tensor 2 has shape %(3, 2%) and tensor 1 %(3, 4%): they must agree except along axis 1")
t.raises(function() T.concat({X, X}, 3) end, "concat: axis 3 out of range 1..2")
t.raises(function() T.concat{} end, "concat: the list of tensors is empty")
t.raises(function() T.concat(X) end, "concat: expected a list of tensors, got a tensor")
t.raises(function() T.concat{X, "a"} end, "concat: entry 2 is a string, expected a tensor")
t.raises(function() T.concat{T(1), T(2)} end, "concat: 0%-d tensors cannot be joined")
t.raises(function() T.stack{X, R:transpose()} end,
         "stack: tensor 2 has shape %(4, 3%) and tensor 1 %(3, 4%): they must have the same shape")
t.raises(function() T.stack({X, X}, 4) end, "stack: axis 4 out of range 1..3")
t.raises(function() X:split(3, 2) end, "split: 4 elements along axis 2 do not divide into 3 equal sections")
t.raises(function() X:split({3, 1}, 2) end, "split: cut 2 %(1%) must be in 3..4")
t.raises(function() X:split(0) end, "split: sections must be positive")
t.raises(function() X:split("a") end, "split: expected a number of sections or a list of cuts")
t.raises(function() T.where(X:gt(0), X) end, "where: give cond, a and b")
t.raises(function() T.where(X:gt(0), X, T{1, 2}) end,
         "where: cannot broadcast cond %(3, 4%), a %(3, 4%) and b %(2,?%) together")
t.raises(function() T.nonzero(T(1)) end, "nonzero: a 0%-d tensor has no positions")
t.raises(function() X:masked(T{1, 0}) end,
         "masked: a mask of shape %(2,?%) does not fit a tensor of shape %(3, 4%)")
t.raises(function() X:masked(X) end, "masked: mask entries must be 0 or 1")
t.raises(function() X:clone():masked_set(X:gt(0), T{1, 2}) end,
         "masked_set: values of shape %(2,?%) do not broadcast")
t.raises(function() X:masked_set(X:gt(0)) end, "masked_set: missing the values to set")
t.raises(function() A:dot(A) end, "dot: shapes %(3, 5%) and %(3, 5%) not aligned: 5 %(last dimension%) != 3")
t.raises(function() u:dot(T{1, 2}) end, "dot: shapes %(5,?%) and %(2,?%) not aligned")
t.raises(function() T.dot(Y, Y) end, "dot: 3%-d and 3%-d tensors")
t.raises(function() K:unique{counts = true} end, "unique: unknown option 'counts'")
t.raises(function() K:unique{return_count = true} end,
         "unique: unknown option 'return_count' %(did you mean 'return_counts'%?%)")
t.raises(function() K:unique{return_counts = 1} end, "unique: option 'return_counts' must be")
t.raises(function() T{1, -1}:bincount() end, "bincount: x%[2%] = %-1 is not a non%-negative integer")
t.raises(function() T{0.5}:bincount() end, "bincount: x%[1%] = 0.5 is not a non%-negative integer")
t.raises(function() X:bincount() end, "bincount: expected a 1%-d tensor, got shape %(3, 4%)")
t.raises(function() K:bincount{weights = T{1, 2}} end,
         "bincount: weights of shape %(2,?%) do not match x of shape %(14,?%)")
t.raises(function() K:bincount{minlenght = 3} end, "did you mean 'minlength'")
t.raises(function() K:bincount{minlength = -1} end, "bincount: minlength must be non%-negative")
t.raises(function() T.meshgrid(gx, {indexing = "yx"}) end, "meshgrid: indexing must be \"xy\" or \"ij\"")
t.raises(function() T.meshgrid(gx, {index = "ij"}) end, "meshgrid: unknown option 'index'")
t.raises(function() T.meshgrid() end, "meshgrid: give at least one tensor")
t.raises(function() Y:diag() end, "diag: expected a 1%-d or 2%-d tensor, got shape %(2, 3, 4%)")
t.raises(function() X:diag(0.5) end, "diag: k must be an integer")
t.raises(function() X:tile(-1) end, "tile: reps must be non%-negative")
t.raises(function() X:tile{1, 1, 1, 1, 1, 1, 1, 1, 1} end, "tile: at most 8 reps")
t.raises(function() X:tile("a") end, "tile: reps must be an integer or a list")
t.raises(function() X:repeat_interleave(2, 3) end, "repeat: axis 3 out of range")
t.raises(function() X:repeat_interleave({1, 2}, 2) end, "repeat: 2 counts for 4 positions along axis 2")
t.raises(function() X:repeat_interleave(-1) end, "repeat: repeats must be non%-negative")
t.raises(function() X:repeat_interleave({1, 1, 0.5, 1}, 2) end, "repeat: count 3 %(0.5%) is not a non%-negative integer")
t.raises(function() X:flip(3) end, "flip: axis 3 out of range")
t.raises(function() X:flip{1, -2} end, "flip: axis 1 repeated")
t.raises(function() T.randint(5, 5, 3) end, "randint: low 5 must be below high 5")
t.raises(function() T.randint(0, 1.5, 3) end, "randint: high must be an integer, got 1.5")
t.raises(function() T.randint(0, 1e9, 3) end, "randint: bounds 0, 1000000000 outside")
t.raises(function() T.randint(0, 3, {2, -1}) end, "size 2 must be non%-negative")
t.raises(function() T.choice(0) end, "choice: a must be positive")
t.raises(function() T.choice(X) end, "choice: a must be 1%-d, got shape %(3, 4%)")
t.raises(function() T.choice({}, 2) end, "choice: a is empty")
t.raises(function() T.choice(3, 4, {replace = false}) end, "choice: cannot take 4 samples without replacement from 3")
t.raises(function() T.choice(3, 2, {replace = false, p = {1, 0, 0}}) end,
         "cannot take 2 samples without replacement from 1 with non%-zero p")
t.raises(function() T.choice(3, 2, {p = {0.5, 0.6, 0}}) end, "choice: p sums to 1.1")
t.raises(function() T.choice(3, 2, {p = {0.5, 0.5}}) end, "choice: p of shape %(2,?%) does not match 3 choices")
t.raises(function() T.choice(3, 2, {p = {1.5, -0.5, 0}}) end, "choice: p%[2%] = %-0.5 is not a probability")
t.raises(function() T.choice(3, 2, {replce = false}) end, "choice: unknown option 'replce' %(did you mean 'replace'%?%)")
t.raises(function() T.choice(3, -2) end, "choice: size must be non%-negative")

t.done()
