-- roll.lua - 11장 실습들이 함께 쓰는 '말린 종이(roll)' 데이터. 교재의
-- make_a_roll과 같은 모양이다: 매개변수 u가 0에서 1까지 고르게 늘어나면서
-- 점이 나선을 따라 한 바퀴 반쯤 감기고(x, z), y 방향으로는 폭을 가진다.
--   local roll = require "roll"
--   local X, u = roll.make(1000)        -- X (1000, 3) float64, u (1000) 위치
--   local X, u, n = roll.for_lab(5000, 500)
--       WORKBOOK_QUICK=1이면 500개, 아니면 5000개를 만들고, 모양을 찍고,
--       X를 out/.../X.npy에 저장한다(시험이 사이킷런과 같은 데이터로 비교한다)
local tensor = require "tensor"
local M = {}

function M.make(n)
  local u = tensor.linspace(0, 1, n, {dtype = "float64"})
  local t = u * (3 * 3.14)                        -- 감긴 각도
  local x = t:sin() * (u + 0.5) + tensor.randn(n, {dtype = "float64"}) * 0.01
  local z = t:cos() * u + tensor.randn(n, {dtype = "float64"}) * 0.01
  local y = tensor.randn(n, {dtype = "float64"}) * 0.3
  local X = tensor.stack({x, y, z}, 2)            -- (n, 3)
  return X, u
end

function M.for_lab(n, quick_n)
  if os.getenv("WORKBOOK_QUICK") == "1" then
    print(("WORKBOOK_QUICK=1: 점 %d개 대신 %d개로 줄인다"):format(n, quick_n))
    n = quick_n
  end
  local X, u = M.make(n)
  print(("롤 데이터: %d x %d"):format(X:shape()[1], X:shape()[2]))
  tensor.save(X, out "X.npy")
  return X, u, n
end

return M
