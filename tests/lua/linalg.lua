-- linalg.lua - the linalg module against numpy.linalg's answers
-- (tests/fixtures/linalg/cases.lua, made by make_linalg_fixtures.py), and
-- its errors: singular, non-square, not positive definite, NaN, options.
package.path = arg[0]:match("(.*/)") .. "?.lua;" .. package.path
local t = require "tap"
local T, la = require "tensor", require "linalg"
local dir = arg[0]:match("(.*/)") .. "../fixtures/linalg/"
local C = dofile(dir .. "cases.lua")

-- the largest |got - want| / max(1, |want|) over all elements; signs may
-- be flipped per column (flip = "cols") for vectors LAPACK may negate
local function relerr(got, want, flip)
  if type(want) == "number" then
    return math.abs(got - want) / math.max(1, math.abs(want))
  end
  local g = got:totable()
  if type(want[1]) ~= "table" then          -- a vector
    if #g ~= #want then return math.huge end
    local e = 0
    for i = 1, #want do e = math.max(e, math.abs(g[i] - want[i]) / math.max(1, math.abs(want[i]))) end
    return e
  end
  if #g ~= #want or #g[1] ~= #want[1] then return math.huge end
  local e = 0
  for j = 1, #want[1] do
    local sign = 1
    if flip then
      local dot = 0
      for i = 1, #want do dot = dot + g[i][j] * want[i][j] end
      if dot < 0 then sign = -1 end
    end
    for i = 1, #want do
      e = math.max(e, math.abs(sign * g[i][j] - want[i][j]) / math.max(1, math.abs(want[i][j])))
    end
  end
  return e
end

local function close(got, want, tol, name, flip)
  local e = relerr(got, want, flip)
  t.ok(e <= tol, name)
  if e > tol then t.diag(("relative error %g > %g"):format(e, tol)) end
end

local TOL = 2e-6   -- float32 results of double computations

local sq = C.square
close(la.inv(T(sq.a)), sq.inv, TOL, "inv equals numpy")
close(la.det(T(sq.a)), sq.det, 1e-12, "det equals numpy")
close(la.solve(T(sq.a), T(sq.b)), sq.x, TOL, "solve, vector b")
close(la.solve(sq.a, sq.b2), sq.x2, TOL, "solve, matrix b, nested tables in")
t.is(#la.solve(T(sq.a), T(sq.b)):shape(), 1, "solve keeps a vector b a vector")

local h = C.hilbert
close(la.inv(T(h.a)), h.inv, 1e-5, ("inv of an ill-conditioned matrix (cond %.1e)"):format(h.cond))
close(la.det(T(h.a)), h.det, 1e-12, "det of an ill-conditioned matrix")

local s = C.singular
t.raises(function() la.inv(T(s.a)) end, "inv: the matrix is singular", "inv of a singular matrix is an error")
t.raises(function() la.solve(T(s.a), T{1, 2, 3}) end, "solve: the matrix is singular")
t.ok(math.abs(la.det(T(s.a)) - s.det) < 1e-9, "det of a singular matrix is (near) 0 as numpy's")
t.is(la.matrix_rank(T(s.a)), s.rank, "matrix_rank of a singular matrix")
close(la.pinv(T(s.a)), s.pinv, 1e-5, "pinv of a singular matrix")

for _, name in ipairs {"lstsq_over", "lstsq_under", "lstsq_deficient"} do
  local c = C[name]
  local x, res, rank, sv = la.lstsq(T(c.a), T(c.b))
  close(x, c.x, 1e-5, name .. ": solution")
  t.is(rank, c.rank, name .. ": rank")
  close(sv, c.s, TOL, name .. ": singular values")
  t.is(res:shape()[1], #c.res, name .. ": residuals present as numpy's")
  if #c.res > 0 then close(res, c.res, 1e-5, name .. ": residuals") end
end

for _, name in ipairs {"svd_tall", "svd_wide"} do
  local c = C[name]
  local u, sv, vt = la.svd(T(c.a))
  close(sv, c.s, TOL, name .. ": singular values")
  close(u, c.u, 1e-5, name .. ": U (up to column signs)", true)
  close(vt:transpose(), T(c.vt):transpose():totable(), 1e-5, name .. ": Vt (up to row signs)", true)
  local ue, se, vte = la.svd(T(c.a), {full_matrices = false})
  close(ue, c.ue, 1e-5, name .. ": economy U", true)
  t.is(table.concat(vte:shape(), "x"), #c.vte .. "x" .. #c.vte[1], name .. ": economy Vt shape")
  -- U diag(S) Vt reproduces A
  local k = se:shape()[1]
  local back = ue:matmul(vte * se:reshape(k, 1))
  close(back, c.a, 1e-5, name .. ": U S Vt = A")
  close(la.svd(T(c.a), {compute_uv = false}), c.s, TOL, name .. ": values only")
end

local e = C.eigh
local w, v = la.eigh(T(e.a))
close(w, e.w, TOL, "eigh: ascending eigenvalues")
close(v, e.v, 1e-5, "eigh: eigenvectors (up to sign)", true)
close(la.eigvalsh(T(e.a)), e.w, TOL, "eigvalsh")

local er = C.eig_real
local wr, vr, wi = la.eig(T(er.a))
close(wr, er.w, TOL, "eig: real eigenvalues")
close(vr, er.v, 1e-5, "eig: eigenvectors (up to sign)", true)
t.is(wi:abs():max(), 0.0, "eig: no imaginary parts for a real spectrum")
local ec = C.eig_complex
wr, vr, wi = la.eig(T(ec.a))
close(wr, ec.wr, TOL, "eig: real parts of a complex pair")
close(wi, ec.wi, TOL, "eig: imaginary parts of a complex pair")

for _, name in ipairs {"qr_tall", "qr_wide"} do
  local c = C[name]
  local q, r = la.qr(T(c.a))
  close(q, c.q, 1e-5, name .. ": Q (up to column signs)", true)
  close(r:transpose(), T(c.r):transpose():totable(), 1e-5, name .. ": R (up to row signs)", true)
  close(q:matmul(r), c.a, 1e-5, name .. ": QR = A")
end

close(la.cholesky(T(C.cholesky.a)), C.cholesky.l, TOL, "cholesky")
close(la.pinv(T(C.pinv.a)), C.pinv.pinv, 1e-5, "pinv of a rank-deficient matrix")
t.is(la.matrix_rank(T(C.pinv.a)), C.pinv.rank, "matrix_rank of a rank-deficient matrix")
t.is(la.matrix_rank(T{0, 0, 0}), 0, "matrix_rank of a zero vector")

local vn = C.vnorm
local x = T(vn.x)
close(la.norm(x), vn.n2, 1e-12, "norm: vector 2")
close(la.norm(x, 1), vn.n1, 1e-12, "norm: vector 1")
close(la.norm(x, 3), vn.n3, 1e-12, "norm: vector 3")
close(la.norm(x, math.huge), vn.ninf, 1e-12, "norm: vector inf")
close(la.norm(x, "-inf"), vn.nminf, 1e-12, "norm: vector -inf")
close(la.norm(x, 0), vn.n0, 1e-12, "norm: vector 0 counts non-zeros")
local mn = C.mnorm
local A = T(mn.a)
for _, c in ipairs {{nil, "fro"}, {"fro", "fro"}, {"nuc", "nuc"}, {1, "n1"}, {-1, "nm1"},
                    {2, "n2"}, {-2, "nm2"}, {math.huge, "ninf"}, {"-inf", "nminf"}} do
  close(la.norm(A, c[1]), mn[c[2]], 1e-12, "norm: matrix " .. tostring(c[1] or "default"))
end

-- errors lead with this file's line and say what was wrong
t.raises(function() la.inv(T{{1, 2, 3}, {4, 5, 6}}) end, "inv: expected a square matrix, got shape %(2, 3%)")
t.raises(function() la.det(T{1, 2}) end, "det: the matrix must be a matrix %(2%-D tensor%), got shape %(2,%)")
t.raises(function() la.cholesky(T{{1, 2}, {2, 1}}) end, "cholesky: the matrix is not positive definite")
t.raises(function() la.svd(T{{1, 0 / 0}, {1, 1}}) end, "svd: the matrix contains NaN or infinity")
t.raises(function() la.eigh(T{{1, math.huge}, {1, 1}}) end, "eigh: the matrix contains NaN or infinity")
t.raises(function() la.solve(T{{1, 0}, {0, 1}}, T{1, 2, 3}) end, "solve: a %(2, 2%) and b %(3,%) do not match")
t.raises(function() la.lstsq(T{{1, 0}, {0, 1}}, T{1, 2, 3}) end, "lstsq: a %(2, 2%) and b %(3,%) have different numbers of rows")
t.raises(function() la.svd(T{{1, 2}}, {full_matrix = false}) end, "svd: unknown option 'full_matrix' %(did you mean 'full_matrices'%?%)")
t.raises(function() la.pinv(T{{1, 2}}, {rcond = "small"}) end, "pinv: option 'rcond' must be a number, got string")
t.raises(function() la.norm(T{{1, 2}}, 3) end, "norm: unknown matrix norm 3")
t.raises(function() la.norm(T{1, 2}, "two") end, "norm: unknown vector norm 'two'")
t.raises(function() la.inv() end, "inv: missing the matrix")
t.raises(function() la.qr(T(5)) end, "qr: the matrix must be a matrix")

t.done()
