-- LAB 2-1 벡터와 행렬: 행렬은 평면을 움직인다
-- 벡터의 덧셈·내적·노름을 계산하고, 2x2 행렬이 평면의 점과 격자를
-- 어떻게 옮기는지 그림으로 본다. 역행렬과 행렬식도 확인한다.
-- 실행: ./workbook run ch2/lab1.lua   (그림은 out/ch2/lab1/ 에 저장된다)
local tensor, linalg, plot = require "tensor", require "linalg", require "plot"
local book = require "book"

-- %% 벡터: 덧셈, 스칼라배, 내적, 노름
-- vec(t)는 1차원 텐서를 (3, 1)처럼 한 줄로 보여 주는 작은 도우미이다.
local function vec(t)
  local parts = {}
  for i, x in ipairs(t:totable()) do parts[i] = ("%g"):format(x) end
  return "(" .. table.concat(parts, ", ") .. ")"
end
local u, v = tensor{3, 1}, tensor{1, 2}
print("u = " .. vec(u) .. ", v = " .. vec(v))
print("u + v = " .. vec(u + v) .. ", 2u = " .. vec(u * 2))
print(("내적(dot product) u·v = %g"):format(u:dot(v)))
print(("노름(norm) ||u|| = %.4f, ||v|| = %.4f"):format(linalg.norm(u), linalg.norm(v)))
local cos = u:dot(v) / (linalg.norm(u) * linalg.norm(v))
print(("두 벡터 사이의 각: %.2f도"):format(math.deg(math.acos(cos))))

-- %% 행렬과 벡터의 곱
-- 넘파이의 A @ x 는 matmul이다. 1차원 텐서 x를 (2, 1) 열벡터로 바꾸어
-- 곱한 뒤 다시 한 줄로 편다.
local A = tensor{{2, 1},
                 {1, 3}}
local function apply(M, x) return M:matmul(x:reshape(2, 1)):reshape(2) end
print("A =")
print(A)
print("A u  = " .. vec(apply(A, u)))
print("A e1 = " .. vec(apply(A, tensor{1, 0})) .. "  <- A의 첫째 열")
print("A e2 = " .. vec(apply(A, tensor{0, 1})) .. "  <- A의 둘째 열")

-- %% 그림 1: 기저 벡터가 옮겨 가는 곳
-- 행렬의 열은 기저 벡터 e1, e2가 옮겨 간 자리이다. 화살표 네 개로 본다.
local arrows = tensor{{1, 0}, {0, 1}, {2, 1}, {1, 3}}
plot.arrows({0, 0}, arrows, out "basis.png", {
  labels = {"e1", "e2", "A e1", "A e2"},
  title = "행렬 A가 기저 벡터를 옮기는 곳", xlabel = "x", ylabel = "y",
  xlim = {-0.5, 3.5}, ylim = {-0.5, 3.5},
  caption = "기저 벡터 e1, e2와 행렬 A가 그것을 옮긴 A e1, A e2. 옮겨 간 두 벡터가 A의 두 열이다.",
  label = "fig-basis"})

-- %% 그림 2: 격자 전체가 옮겨 간 모습
-- 격자선 위의 점들을 한꺼번에 (2, N) 행렬로 모아 A를 곱한다.
-- 단위 정사각형(빨강)은 평행사변형이 되고, 그 넓이는 det(A)배가 된다.
local function grid_lines(M)
  local series = {}
  for c = -1, 1, 0.5 do
    for _, horizontal in ipairs {true, false} do
      local t = tensor.linspace(-1, 1, 21)
      local const = tensor.full({21}, c)
      local P = horizontal and tensor.stack({t, const}, 1)         -- 직선 y = c
                            or tensor.stack({const, t}, 1)         -- 직선 x = c
      local Q = M:matmul(P)                                       -- (2, 21)
      series[#series + 1] = {x = Q[1], y = Q[2], color = "#9a9a9a"}
    end
  end
  local square = tensor{{0, 1, 1, 0, 0}, {0, 0, 1, 1, 0}}
  local S = M:matmul(square)
  series[#series + 1] = {x = S[1], y = S[2], color = "red", label = "단위 정사각형"}
  return series
end
local fig = plot.subplots{cols = 2, width = 460, height = 440,
                          title = "행렬을 곱하면 평면 전체가 움직인다"}
plot.lines(grid_lines(tensor.eye(2)), fig, {title = "원래 평면 (I)",
  xlim = {-4.5, 4.5}, ylim = {-4.5, 4.5}, xlabel = "x", ylabel = "y"})
plot.lines(grid_lines(A), fig, {title = "A = [[2, 1], [1, 3]]를 곱한 평면",
  xlim = {-4.5, 4.5}, ylim = {-4.5, 4.5}, xlabel = "x", ylabel = "y"})
fig:save(out "grid.png", {caption = "격자와 단위 정사각형(빨강)에 A를 곱한 결과. " ..
  "직선은 직선으로, 평행선은 평행선으로 옮겨지고 넓이는 det(A)배가 된다.", label = "fig-grid"})

-- %% 행렬식과 역행렬
-- det(A)는 넓이가 몇 배가 되는지, 역행렬(inverse)은 A가 한 일을 되돌린다.
print(("det(A) = %.4f: 넓이가 %.4f배가 된다"):format(linalg.det(A), linalg.det(A)))
book.value("detA", linalg.det(A), "%.4g")
local Ainv = linalg.inv(A)
print("A의 역행렬(inverse) =")
print(Ainv)
print("A^-1 A =")
print(Ainv:matmul(A))
local b = apply(A, u)
print("b = A u = " .. vec(b) .. "에서 A x = b를 풀면 (linalg.solve) x = "
      .. vec(linalg.solve(A, b)) .. ": 처음의 u")

-- 열이 한 직선 위에 있는 행렬은 평면을 직선으로 납작하게 만든다.
-- 넓이가 0이 되므로 되돌릴 방법이 없다: 역행렬이 없는 특이 행렬이다.
local F = tensor{{1, 2}, {2, 4}}
print(("det([[1, 2], [2, 4]]) = %.4f"):format(linalg.det(F)))
local ok, err = pcall(linalg.inv, F)
local message = ok and "(없음)" or tostring(err):match("inv: .*")
print("linalg.inv(F)의 오류 메시지: " .. message)
