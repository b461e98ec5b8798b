-- tensor_f64.lua - float64 tensors: creation, NumPy's promotion, exact
-- values through indexing and tolist, arithmetic and maths against
-- NumPy's float64 answers (tests/fixtures/make_tensor_f64.py), .npy <f8
-- round trips bit for bit, linalg in float64, and the located error a
-- float32-only function gives for a float64 tensor.
package.path = arg[0]:match("(.*/)") .. "?.lua;" .. package.path
local t = require "tap"
local T, linalg = require "tensor", require "linalg"
local dir = arg[0]:match("(.*/)") .. "../fixtures/tensor_f64/"
local function load(name) return T.load(dir .. name .. ".npy") end
local F64 = {dtype = "float64"}

-- the largest |x - y| / max|y|
local function rel(x, y)
  local s = y:abs():max()
  local d = (x - y):abs():max()
  return s > 0 and d / s or d
end
-- same dtype, shape and bits
local function bits(x, y, name)
  local ok = x.dtype == y.dtype and table.concat(x:shape(), ",") == table.concat(y:shape(), ",")
             and x:tobytes() == y:tobytes()
  t.ok(ok, name)
  if not ok then t.diag(("got %s %s, want %s %s"):format(x.dtype, tostring(x), y.dtype, tostring(y))) end
end
local function close(x, y, tol, name)
  local r = rel(x, y)
  t.ok(x.dtype == "float64" and r <= tol, name)
  if not (r <= tol) then t.diag(("relative difference %g > %g"):format(r, tol)) end
end

-- creation -------------------------------------------------------------
t.is(T{1, 2}.dtype, "float32", "tensors are float32 by default")
t.is(T.zeros({2, 3}, F64).dtype, "float64", "zeros(shape, {dtype})")
t.is(T.zeros(2, 3, F64):numel(), 6, "zeros(2, 3, {dtype})")
t.is(T.ones({4}, F64):sum(), 4, "ones in float64")
t.is(T.full({2}, 0.1, F64)[2], 0.1, "full keeps 0.1 exactly")
t.is(T.arange(0, 1, 0.1, F64)[4], 0.30000000000000004, "arange computes start + i*step in double")
t.is(T.eye(3, F64).dtype, "float64", "eye(n, {dtype})")
t.is(T.linspace(0, 0.3, 3, F64)[2], 0.15, "linspace {dtype}")
t.is(T.linspace(0, 1, {num = 3, dtype = "float64"}).dtype, "float64", "linspace options with dtype")
t.is(T.logspace(0, 2, 3, {dtype = "float64"})[3], 100, "logspace {dtype}")
T.seed(3)
local r = T.rand({1000}, F64)
t.ok(r.dtype == "float64" and r:min() >= 0 and r:max() < 1, "rand {dtype} in [0, 1)")
t.ok(r:ne(r:float():double()):sum() > 900, "float64 rand uses more bits than float32 holds")
t.is(T.randn(3, F64).dtype, "float64", "randn {dtype}")
local a = T({{1e8 + 1, 0.1}, {1 / 3, -2.5}}, F64)
t.is(a[1][1], 1e8 + 1, "tensor(table, {dtype}) keeps 1e8+1")
t.is(a:get(1, 2), 0.1, "get returns the double 0.1")
t.is(a:tolist()[2][1], 1 / 3, "tolist returns doubles exactly")
t.is(a:totable()[1][2], 0.1, "totable too")
t.is(T{1e8 + 1}[1], 1e8, "float32 rounds 1e8+1 (the reason for float64)")
t.is(T(a).dtype, "float64", "tensor(t) copies with t's dtype")
t.is(T(a, {dtype = "float32"}).dtype, "float32", "tensor(t, {dtype}) converts")
t.is(T.frombytes(a:tobytes(), {2, 2}, F64)[1][2], 0.1, "tobytes/frombytes in float64")
t.raises(function() return T.zeros(2, {dtype = "float16"}) end,
         'zeros: dtype must be "float32" or "float64", got "float16"', "unknown dtype")
t.raises(function() return T.zeros(2, {dtpye = "float64"}) end, "dtype", "misspelt option names dtype")

-- conversion -----------------------------------------------------------
local f = a:float()
t.is(f.dtype, "float32", ":float()")
t.is(f[1][2], 0.10000000149011612, ":float() rounds to float32")
t.ok(rawequal(a:double(), a), ":double() of a float64 tensor is the tensor itself")
t.ok(rawequal(f:float(), f), ":float() of a float32 tensor is the tensor itself")
local c = a:astype("float64")
t.ok(not rawequal(c, a) and c.dtype == "float64", "astype copies, as NumPy's")
c:set(1, 1, 5)
t.is(a:get(1, 1), 1e8 + 1, "the astype copy is independent")
t.is(f:double()[1][2], 0.10000000149011612, "float32 -> float64 is exact")
t.raises(function() return a:astype("int8") end, 'astype: dtype must be "float32" or "float64"', "astype checks the name")

-- promotion ------------------------------------------------------------
local x32, x64 = T{1, 2}, T({1, 2}, F64)
local promo = {
  {"f32 + f32", function() return x32 + x32 end, "float32"},
  {"f32 + f64", function() return x32 + x64 end, "float64"},
  {"f64 - f32", function() return x64 - x32 end, "float64"},
  {"f64 * f64", function() return x64 * x64 end, "float64"},
  {"f64 / number", function() return x64 / 3 end, "float64"},
  {"number - f64", function() return 1 - x64 end, "float64"},
  {"f32 + number", function() return x32 + 0.1 end, "float32"},
  {"f64 + table", function() return x64 + {0.1, 0.2} end, "float64"},
  {"f32 ^ f64", function() return x32 ^ x64 end, "float64"},
  {"pow(f64, number)", function() return T.pow(x64, 2) end, "float64"},
  {"-f64", function() return -x64 end, "float64"},
  {"maximum(f32, f64)", function() return x32:maximum(x64) end, "float64"},
  {"f64:gt(f32) is a float32 mask", function() return x64:gt(x32) end, "float32"},
  {"where(mask, f64, number)", function() return T.where(x32:gt(1), x64, 0) end, "float64"},
  {"where(mask, f32, f32)", function() return T.where(x32:gt(1), x32, 0) end, "float32"},
  {"concat{f32, f64}", function() return T.concat{x32, x64} end, "float64"},
  {"stack{f64, f32}", function() return T.stack{x64, x32} end, "float64"},
  {"matmul(f32, f64)", function() return x32:reshape(1, 2):matmul(x64:reshape(2, 1)) end, "float64"},
  {"outer(f64, f32)", function() return x64:outer(x32) end, "float64"},
  {"sum along an axis", function() return x64:sum(1, true) end, "float64"},
  {"argmax along an axis: positions", function() return x64:reshape(1, 2):argmax(2) end, "float32"},
  {"sin", function() return x64:sin() end, "float64"},
  {"exp", function() return x64:exp() end, "float64"},
  {"std along an axis", function() return T.std(x64, 1, true) end, "float64"},
  {"cumsum", function() return x64:cumsum() end, "float64"},
}
for _, p in ipairs(promo) do t.is(p[2]().dtype, p[3], "promotion: " .. p[1] .. " -> " .. p[3]) end
t.is((x64 + 0.1)[1], 1.1, "a Lua number joins float64 arithmetic as a double")
t.is((x32 + 0.1)[1], 1.100000023841858, "and float32 arithmetic as a float")

t.ok(T.sort(T({0.3, 0.1, 1e8 + 1, 0.2}, F64)):tolist()[4] == 1e8 + 1, "sort keeps float64 values")
t.is(T.argsort(T({0.3, 0.1, 0.2}, F64)).dtype, "float32", "argsort positions are float32")
t.is(T.median(T({0.1, 0.2, 1e8 + 1, 0.3}, F64)), 0.25, "median in float64")
local uv, uc = T.unique(T({0.1, 0.1, 1e8 + 1, 1e8}, F64), {return_counts = true})
t.ok(uv.dtype == "float64" and uv:numel() == 3 and uv[3] == 1e8 + 1 and uc[1] == 2,
     "unique tells 1e8 from 1e8+1 in float64")

-- views and indexing ---------------------------------------------------
local m = T.arange(12, F64):reshape(3, 4) + 0.1
t.is(m.dtype, "float64", "reshape keeps float64")
t.is(m:transpose()[4][3], 11.1, "transpose view")
t.is(m:slice(2, 2, 4, 2)[3][2], 11.1, "slice view with a step")
t.is(m:select(1, 2)[1], 4.1, "select")
t.is(m:permute(2, 1):contiguous()[1][3], 8.1, "permute + contiguous")
local v = m:transpose()
v[2][1] = 0.3
t.is(m[1][2], 0.3, "setting through a view writes the owner's double")
m[3] = T{7, 7, 7, 7}
t.is(m[3][2], 7, "assigning a float32 row into float64")
t.is(m:flatten():numel(), 12, "flatten")
t.is(m:rows{3, 1}[2][2], 0.3, "rows")
t.is(m:reshape(-1):slice(1, 2, 2):item(), 0.3, "item")
local sel = m:masked(m:gt(5))
t.ok(sel.dtype == "float64" and sel:numel() == 7 and sel[1] == 5.1, "masked selection keeps float64")
local mm = m:clone():masked_set(m:lt(1), 0.25)
t.is(mm[1][1], 0.25, "masked_set")
local parts = m:split(2, 2)
t.ok(#parts == 2 and parts[2].dtype == "float64" and parts[2][1][1] == 2.1, "split")
t.is(m:flip(2)[1][4], 0.1, "flip")
t.is(T.tile(T({0.1}, F64), 3)[3], 0.1, "tile")
t.is(T.diag(T({0.1, 0.2}, F64))[2][2], 0.2, "diag")
t.is(m:copy(T.zeros(3, 4)):sum(), 0, "copy from float32 into float64")
t.is(#m, 3, "#t")
local s = tostring(T({1e8 + 1, 0.5}, F64))
t.ok(s:find("dtype=float64", 1, true) and s:find("1.00000001e+08", 1, true),
     "printing names float64 and shows its digits")
t.ok(not tostring(T{1}):find("dtype"), "float32 (the default) prints no dtype")

-- arithmetic against NumPy ---------------------------------------------
local A, B, C = load("a"), load("b"), load("c32")
t.is(A.dtype, "float64", "load: <f8 gives float64")
t.is(C.dtype, "float32", "load: <f4 gives float32")
t.is(A[1][1], 1e8 + 1, "the fixture holds 1e8+1")
bits(A + B, load("add"), "a + b bit for bit")
bits(A - B, load("sub"), "a - b")
bits(A * B, load("mul"), "a * b")
bits(A / B, load("div"), "a / b")
bits(-A, load("neg"), "-a")
bits(A:maximum(B), load("maximum"), "maximum")
bits(A + C, load("add_c32"), "float64 + float32 promotes as NumPy")
bits(C * A, load("mul_c32"), "float32 * float64")
bits(A + 0.1, load("add_num"), "a + 0.1")
bits(0.3 - A, load("rsub_num"), "0.3 - a")
bits(A / 3, load("div_num"), "a / 3")
bits(A:gt(B), load("gt"), "comparison mask")
close(A ^ 2, load("pow2"), 1e-16, "a ^ 2")
close(A:abs() ^ T({0.5, 2, 3, 0.25}, F64), load("pow_ab"), 1e-15, "|a| ^ b")
close(A:sin(), load("sin"), 1e-15, "sin")
close(A:cos(), load("cos"), 1e-15, "cos")
close(T({0.1, -0.7, 1e-10, 20}, F64):exp(), load("exp"), 1e-15, "exp")
close(A:abs():log(), load("log"), 1e-15, "log")
close(A:abs():sqrt(), load("sqrt"), 0, "sqrt (correctly rounded)")
bits(A:abs(), load("abs"), "abs")
local sc = load("scalars")
local got = {A:sum(), A:mean(), A:min(), A:max(), A:std(), A:var(), A:std{ddof = 1},
             load("tenths"):sum(), load("tenths"):cumsum()[10]}
local names = {"sum", "mean", "min", "max", "std", "var", "std ddof=1", "sum of ten 0.1s",
               "cumsum of ten 0.1s"}
for i, g in ipairs(got) do
  local w = sc[i]
  t.ok(math.abs(g - w) <= 1e-14 * math.abs(w), names[i] .. " as NumPy (" .. g .. ")")
end
t.ok(math.abs(T.full({10}, 0.1):sum() - 1) > 1e-9, "the same sum in float32 is visibly off")
close(A:sum(1), load("sum_axis1"), 1e-15, "sum along axis 1")
close(A:mean(2), load("mean_axis2"), 1e-15, "mean along axis 2")
close(T.std(A, 1), load("std_axis1"), 1e-14, "std along axis 1")
close(T.var(A, 2), load("var_axis2"), 1e-14, "var along axis 2")
bits(A:cumsum(), load("cumsum"), "cumsum (sequential, as NumPy)")
close(load("mm_a"):matmul(load("mm_b")), load("matmul"), 1e-15, "matmul (dgemm)")
close(load("mm_a"):transpose():contiguous():transpose():matmul(load("mm_b")), load("matmul"),
      1e-15, "matmul of a transposed view")
local d = load("dot_x"):dot(load("dot_y"))
t.ok(math.abs(d - load("dot")[1]) <= 1e-14 * math.abs(load("dot")[1]), "dot of float64 vectors (ddot)")

local sa = load("mm_a"):slice(2, 1, 4, 2)     -- columns 1, 3: no unit stride, so no BLAS
local sb = load("mm_b"):slice(1, 1, 4, 2)
close(sa:matmul(sb), sa:contiguous():matmul(sb:contiguous()), 1e-15,
      "matmul of strided float64 views (the naive double loop) equals dgemm")
t.ok(T.is_tensor(A), "is_tensor knows float64 tensors")
local f32 = T.zeros(2, 4)
f32:copy(A)
t.is(f32[1][1], 1e8, "copying float64 into a float32 tensor rounds, as NumPy's assignment")
t.raises(function() return T.zeros(2 ^ 20, 2 ^ 20, F64) end,
         "tensor of shape %(1048576, 1048576%) needs 8796093022208 bytes %(8192%.0 GiB%)",
         "a float64 request larger than memory counts 8 bytes per element")

-- .npy -----------------------------------------------------------------
local tmp = os.tmpname()
os.remove(tmp)
tmp = tmp .. ".npy"
T.save(A, tmp)
local back = T.load(tmp)
bits(back, A, "save/load float64 is bit-exact")
local fh = assert(io.open(tmp, "rb"))
local raw = fh:read("a")
fh:close()
t.ok(raw:find("'descr': '<f8'", 1, true) ~= nil, "saved with descr '<f8'")
local fx = assert(io.open(dir .. "a.npy", "rb"))
local npraw = fx:read("a")
fx:close()
t.ok(raw:sub(-64) == npraw:sub(-64), "the data bytes equal the file NumPy wrote")
T.save(A:transpose(), tmp)
bits(T.load(tmp), A:transpose():contiguous(), "a strided float64 view saves in row-major order")
t.is(T.load(tmp, {dtype = "float32"}).dtype, "float32", "load {dtype = 'float32'} converts")
T.save(C, tmp)
t.is(T.load(tmp).dtype, "float32", "float32 still saves as <f4 and loads as float32")
os.remove(tmp)

-- linalg in float64 ----------------------------------------------------
local H, S, rhs = load("hilbert"), load("spd"), load("rhs")
local Hi = linalg.inv(H)
t.is(Hi.dtype, "float64", "inv of float64 is float64")
close(linalg.inv(S), load("spd_inv"), 1e-12, "inv (well conditioned) vs NumPy to 1e-12")
close(linalg.cholesky(S), load("spd_cholesky"), 1e-12, "cholesky vs NumPy")
close(linalg.pinv(S), load("spd_pinv"), 1e-12, "pinv vs NumPy")
close(linalg.svd(H, {compute_uv = false}), load("hilbert_sv"), 1e-12, "singular values of Hilbert(6)")
close(linalg.eigvalsh(H), load("hilbert_eigvalsh"), 1e-9, "eigvalsh of Hilbert(6) (tiny eigenvalues: absolute)")
close(Hi, load("hilbert_inv"), 1e-8, "inv of Hilbert(6) (condition 1.5e7)")
close(linalg.solve(H, rhs), load("hilbert_solve"), 1e-8, "solve with Hilbert(6)")
local det = linalg.det(H)
t.ok(math.abs(det - load("hilbert_det")[1]) <= 1e-8 * load("hilbert_det")[1], "det of Hilbert(6)")
close(linalg.lstsq(load("tall"), load("tall_rhs")), load("lstsq"), 1e-10, "lstsq x")
local nm = load("norms")
t.ok(math.abs(linalg.norm(H) - nm[1]) <= 1e-14 * nm[1] and math.abs(linalg.norm(rhs, 1) - nm[4]) <= 1e-14 * nm[4],
     "norms in double")
t.ok(rel(linalg.inv(H:float()):double(), load("hilbert_inv")) > 1e-4,
     "the same inverse from float32 input is visibly off (no silent float32)")
t.is(linalg.inv(S:float()).dtype, "float32", "float32 in, float32 out, as before")
t.is(linalg.solve(S:float(), rhs).dtype, "float64", "solve(float32, float64) -> float64")

-- float32-only functions: a located error, never reinterpreted bytes ---
local msg = "expects a float32 tensor, got float64; use t:float%(%)"
t.raises(function() return T.bincount(x64) end, "bincount: " .. msg, "bincount")
t.raises(function() return T.choice(x64, 2) end, "choice: " .. msg, "choice")
local image = require "image"
t.raises(function() return image.resize(T.zeros({4, 4}, F64), {2, 2}) end, msg, "image.resize")
local nn = require "nn"
local model = nn.Sequential{nn.Dense{units = 2, input_shape = {2}}}
t.raises(function() local y = model:predict(T.ones({3, 2}, F64)); return y end, "^[^:]*tensor_f64.lua:%d+: " .. msg,
         "nn model:predict: the error is at this script's line")
t.is(model:predict(T.ones({3, 2}, F64):float()):shape()[1], 3, "after :float() it runs")

t.done()
