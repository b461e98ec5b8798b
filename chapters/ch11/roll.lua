-- roll.lua - 11장 실습들이 함께 쓰는 '말린 종이(roll)' 데이터. 교재의
-- make_a_roll과 같은 모양이다: 매개변수 u가 0에서 1까지 고르게 늘어나면서
-- 점이 나선을 따라 한 바퀴 반쯤 감기고(x, z), y 방향으로는 폭을 가진다.
--   local make_roll = require "roll"
--   local X, u = make_roll(1000)   -- X (1000, 3) float64, u (1000) 위치
local tensor = require "tensor"

return function(n)
  local u = tensor.linspace(0, 1, n, {dtype = "float64"})
  local t = u * (3 * 3.14)                        -- 감긴 각도
  local x = t:sin() * (u + 0.5) + tensor.randn(n, {dtype = "float64"}) * 0.01
  local z = t:cos() * u + tensor.randn(n, {dtype = "float64"}) * 0.01
  local y = tensor.randn(n, {dtype = "float64"}) * 0.3
  local X = tensor.stack({x, y, z}, 2)            -- (n, 3)
  return X, u
end
