-- tensor.lua - the `tensor` module from Lua: creation, views, arithmetic,
-- matmul, reductions, printing, .npy files, and every bad-input error.
local t = require "tap"
local T = require "tensor"

local here = arg[0]:match("^(.*)/[^/]*$") or "."
local fixtures = here .. "/../fixtures/"

-- creation
local a = T{{1, 2, 3}, {4, 5, 6}}
t.is(table.concat(a:shape(), ","), "2,3", "nested table gives (2,3)")
t.is(a:get(2, 3), 6, "get(2,3)")
t.is(a[2][1], 4, "a[2][1] indexes rows then elements")
t.is(#a, 2, "#a is the first dimension")
t.is(a:numel(), 6, "numel")
t.is(T.zeros(2, 3):sum(), 0, "zeros")
t.is(T.ones{4, 5}:sum(), 20, "ones with a shape table")
t.is(T.full({2, 2}, 7):sum(), 28, "full")
t.is(T.arange(5):sum(), 10, "arange(5) = 0..4")
t.is(T.arange(2, 8, 2):numel(), 3, "arange(2,8,2) = 2,4,6")
t.is(T.eye(3):sum(), 3, "eye")
t.is(T(5):dim(), 0, "a number gives a 0-d tensor")

-- RNG
T.seed(7)
local r1 = T.randn(3, 3)
T.seed(7)
local r2 = T.randn(3, 3)
t.allclose(r1, r2, 0, "same seed, same randn")
local u = T.rand(1000)
t.ok(u:min() >= 0 and u:max() < 1, "rand in [0,1)")
local perm = T.randperm(50)
local seen = {}
for i = 1, 50 do seen[perm[i]] = true end
local all = true
for i = 1, 50 do all = all and seen[i] end
t.ok(all and perm:sum() == 1275, "randperm is a permutation of 1..50")

-- set and views
local b = a:clone()
b:set(1, 1, 10)
t.is(b:get(1, 1), 10, "set")
t.is(a:get(1, 1), 1, "clone does not share")
local v = a:reshape(3, 2)
v:set(3, 2, 60)
t.is(a:get(2, 3), 60, "reshape of a contiguous tensor is a view")
t.is(a:reshape(-1, 3):size(1), 2, "reshape infers -1")
local tr = a:transpose()
t.is(tr:get(3, 2), 60, "transpose view")
t.ok(not tr:is_contiguous(), "transpose is not contiguous")
t.allclose(tr:reshape(6), {1, 4, 2, 5, 3, 60}, 0, "reshape of a transpose copies in order")
local p = T.arange(24):reshape(2, 3, 4):permute(3, 1, 2)
t.is(table.concat(p:shape(), ","), "4,2,3", "permute shape")
t.is(p:get(2, 2, 3), 21, "permute element")
local s = T.arange(10):slice(1, 3, 7, 2)
t.allclose(s, {2, 4, 6}, 0, "slice 3..7 step 2")
t.is(T.arange(10):slice(1, -3):sum(), 7 + 8 + 9, "negative slice start")
local m = T.zeros(3, 4)
m:slice(2, 2, 3):fill(1)
t.is(m:sum(), 6, "fill through a slice view writes the parent")
m[2] = 5
t.is(m:select(1, 2):sum(), 20, "assigning a number to a row")
m[3] = T{1, 2, 3, 4}
t.is(m[3][4], 4, "assigning a tensor to a row")
local keep
do local big = T.arange(100); keep = big:slice(1, 90, 100) end
collectgarbage(); collectgarbage()
t.is(keep:sum(), 1034, "a view keeps its parent alive after the GC runs")

-- rows, bytes
local g = T.arange(12):reshape(4, 3)
t.allclose(g:rows{4, 1, 1}, {{9, 10, 11}, {0, 1, 2}, {0, 1, 2}}, 0, "rows picks rows by position")
t.allclose(g:transpose():rows(T{2}), {{1, 4, 7, 10}}, 0, "rows of a strided view")
local bytes = g:tobytes()
t.is(#bytes, 48, "tobytes gives 4 bytes a value")
t.allclose(T.frombytes(bytes, {3, 4}), g:reshape(3, 4), 0, "frombytes inverts tobytes")
t.raises(function() return g:rows{5} end, "position 5 %(entry 1%) out of range 1..4", "rows out of range")
t.raises(function() return T.frombytes("abc", {1}) end, "3 bytes do not hold", "frombytes size mismatch")

-- arithmetic and broadcasting
local x = T{{1, 2}, {3, 4}}
t.allclose(x + 1, {{2, 3}, {4, 5}}, 0, "tensor + number")
t.allclose(10 - x, {{9, 8}, {7, 6}}, 0, "number - tensor")
t.allclose(x * T{10, 100}, {{10, 200}, {30, 400}}, 0, "broadcast a row")
t.allclose(x / T{{1}, {2}}, {{1, 2}, {1.5, 2}}, 1e-7, "broadcast a column")
t.allclose(-x, {{-1, -2}, {-3, -4}}, 0, "unary minus")
t.allclose(x ^ 2, {{1, 4}, {9, 16}}, 1e-6, "power")
t.allclose(x:gt(2), {{0, 0}, {1, 1}}, 0, "comparison gives 0/1")
t.allclose(T.maximum(x, 2.5), {{2.5, 2.5}, {3, 4}}, 0, "maximum")

-- matmul
local A = T{{1, 2, 3}, {4, 5, 6}}
local B = T{{7, 8}, {9, 10}, {11, 12}}
t.allclose(A:matmul(B), {{58, 64}, {139, 154}}, 1e-5, "matmul (2,3)x(3,2)")
t.allclose(A:transpose():matmul(A), {{17, 22, 27}, {22, 29, 36}, {27, 36, 45}}, 1e-5,
           "matmul of a transposed view")
T.seed(3)
local P, Q = T.randn(2, 5, 7), T.randn(2, 7, 3)
local R = P:matmul(Q)
local r = 0
for k = 1, 7 do r = r + P:get(2, 4, k) * Q:get(2, k, 3) end
t.near(R:get(2, 4, 3), r, 1e-4, "batched matmul element")

-- reductions
local d = T{{3, -1, 7}, {2, 9, 0}}
t.is(d:sum(), 20, "sum")
t.near(d:mean(), 20 / 6, 1e-6, "mean")
t.is(d:max(), 9, "max")
t.is(d:min(), -1, "min")
t.is(d:argmax(), 5, "argmax is a 1-based flat position")
t.allclose(d:sum(1), {5, 8, 7}, 0, "sum over axis 1")
t.allclose(d:max(2), {7, 9}, 0, "max over axis 2")
t.allclose(d:argmax(2), {3, 2}, 0, "argmax over axis 2 (1-based)")
t.allclose(d:argmax(-1), {3, 2}, 0, "axis -1 is the last")
t.is(table.concat(d:sum(2, true):shape(), ","), "2,1", "keepdims")

-- elementwise
local e = T{-2, 0, 1}
t.allclose(e:relu(), {0, 0, 1}, 0, "relu")
t.allclose(e:abs(), {2, 0, 1}, 0, "abs")
t.allclose(e:clamp(-1, 0.5), {-1, 0, 0.5}, 0, "clamp")
t.allclose(e:exp(), {math.exp(-2), 1, math.exp(1)}, 1e-6, "exp")
t.allclose(T{1, 4}:sqrt(), {1, 2}, 0, "sqrt")
t.allclose(T{1, math.exp(2)}:log(), {0, 2}, 1e-6, "log")
t.allclose(T{0, 1000, -1000}:sigmoid(), {0.5, 1, 0}, 1e-7, "sigmoid saturates without overflow")
t.allclose(T{0, 0.5}:tanh(), {0, math.tanh(0.5)}, 1e-7, "tanh")
t.allclose(T.exp(T{0}), {1}, 0, "module-level exp")

-- conversion and printing
t.is(T{{1, 2}, {3, 4}}:totable()[2][1], 3, "totable")
local str = tostring(T{{1, 2}, {3, 4}})
t.ok(str:find("shape=%(2, 2%)") and str:find("%[%[1, 2%],"), "tostring shows shape and values")
t.ok(tostring(T.arange(5000)):find("%.%.%.") ~= nil, "large tensors are elided")
t.ok(tostring(T{0.5, 1.25}):find("0.5000") ~= nil, "fractions with 4 decimals")
t.is(T{3}:item(), 3, "item")

-- .npy
local f4 = T.load(fixtures .. "npy_f4.npy")
t.is(table.concat(f4:shape(), ","), "2,3,4", "load float32 shape")
t.is(f4:get(2, 3, 4), 23 / 8 - 1, "load float32 value")
t.allclose(T.load(fixtures .. "npy_f8.npy"), f4, 0, "float64 reads as the same values")
local u1 = T.load(fixtures .. "npy_u1.npy")
t.is(u1:get(3, 4), 231, "uint8 values")
t.is(T.load(fixtures .. "npy_scalar.npy"):item(), 2.5, "0-d array")
t.is(T.load(fixtures .. "npy_empty.npy"):numel(), 0, "empty array")
local tmpdir = os.tmpname()
os.remove(tmpdir)
local tmp = tmpdir .. ".npy"
T.save(f4:transpose(1, 3), tmp)
t.allclose(T.load(tmp), f4:transpose(1, 3), 0, "save a strided view, load it back")
os.remove(tmp)

-- bad input: each error names this script's line and the problem
t.raises(function() return T{{1, 2}, {3}} end, "ragged", "ragged table")
t.raises(function() return T{1, "x"} end, "element %[2%] is a string", "non-number element")
t.raises(function() return T.zeros(-1, 2) end, "non%-negative", "negative size")
t.raises(function() return T.zeros(2.5) end, "integer", "fractional size")
t.raises(function() return T.zeros("a") end, "integer expected", "wrong type for size")
t.raises(function() return a:get(3, 1) end, "index 3 out of range 1..2 for dimension 1", "index out of range")
t.raises(function() return a:get(1) end, "1 indices given for a 2%-d tensor", "too few indices")
t.raises(function() return a[0] end, "index 0 out of range", "index 0")
t.raises(function() return a:reshape(4, 2) end, "cannot reshape %(2, 3%)", "reshape size mismatch")
t.raises(function() return a:reshape(-1, -1) end, "only one size can be %-1", "two -1s")
t.raises(function() return a + T{1, 2} end, "do not broadcast", "shape mismatch in +")
t.raises(function() return a * "x" end, "tensor, number or table expected", "string operand")
t.raises(function() return A:matmul(A) end, "inner sizes 3 and 2", "matmul inner mismatch")
t.raises(function() return T{1, 2}:matmul(A) end, "matmul needs two matrices", "matmul of a vector")
t.raises(function() return A:matmul(5) end, "tensor expected", "matmul with a number")
t.raises(function() return d:sum(3) end, "axis 3 out of range", "bad axis")
t.raises(function() return a:slice(2, 2, 5) end, "out of range 1..3", "slice past the end")
t.raises(function() return a:permute(1, 1) end, "axis 1 repeated", "bad permutation")
t.raises(function() return T.zeros(0):max() end, "empty", "max of an empty tensor")
t.raises(function() return T.zeros(0, 3):transpose(1, 2):argmin() end, "empty", "argmin of an empty view")

-- empty and strided views reduce like their contiguous copies
t.is(T.zeros(0, 3):transpose(1, 2):sum(), 0, "sum of an empty transposed view is 0")
t.is(T.zeros(3, 0):sum(), 0, "sum of an empty tensor is 0")
t.is(T.zeros(0, 3):transpose(1, 2):sum(2):numel(), 3, "sum over an empty axis of a view: 3 values")
t.is(T.zeros(0, 3):transpose(1, 2):sum(2):sum(), 0, "... all 0")
do
  local v = T.arange(24):reshape(2, 3, 4):permute(3, 1, 2):slice(1, 1, 4, 2)
  local c = v:contiguous()
  for _, op in ipairs{"sum", "mean", "max", "min", "argmax", "argmin"} do
    t.near(v[op](v), c[op](c), 1e-9, op .. " of a strided view equals its copy's")
    t.allclose(v[op](v, 2), c[op](c, 2), 1e-6, op .. " along axis 2 of a strided view")
  end
end
t.raises(function() return T{1, 2}:item() end, "2 elements", "item of a 2-element tensor")
t.raises(function() return T.load(fixtures .. "missing.npy") end, "cannot open .*missing.npy", "missing .npy")
t.raises(function() return T.load(fixtures .. "npy_i8.npy") end, "unsupported dtype '<i8'", "int64 .npy")
t.raises(function() return T.load(fixtures .. "npy_fortran.npy") end, "Fortran%-order", "Fortran-order .npy")
t.raises(function() return T.load(fixtures .. "npy_big_endian.npy") end, "unsupported dtype '>f4'", "big-endian .npy")
t.raises(function() return T.load(here .. "/tensor.lua") end, "not a .npy file", "a text file")
t.raises(function() return T.save(a, "/nonexistent-dir/x.npy") end, "cannot write", "unwritable path")
t.raises(function() return a.nosuchfield + 1 end, "nil value", "unknown method")
t.raises(function() a.x = 1 end, "no field 'x'", "setting a field")

t.done()
