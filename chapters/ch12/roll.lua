-- roll.lua - 12장 LAB 12-1, 12-2가 함께 쓰는 롤(roll) 데이터.
-- 교재의 make_a_roll과 같은 모양이다: 위치 u가 0에서 1로 가는 동안
-- 각도 t = 3πu만큼 돌며 반지름이 커지는 나선을 (x, z) 평면에 그리고,
-- y 방향으로는 표준편차 0.3의 두께를 준다.
--   local roll = require "roll"
--   local X, u = roll.make(1500)   -- X (1500, 3), u (1500): 롤 위의 위치
local T = require "tensor"
local plot = require "plot"

local M = {}

function M.make(m)
  local u = T.linspace(0, 1, m)
  local t = u * (3 * math.pi)
  local x = t:sin() * (u + 0.5) + T.randn(m) * 0.01
  local z = t:cos() * u + T.randn(m) * 0.01
  local y = T.randn(m) * 0.3
  return T.stack({x, y, z}, 2), u
end

-- 모든 점을 데이터의 평균 한 점으로 "복원"했을 때의 MSE: 특성별 분산의 평균.
-- 오토인코더의 복원 오차를 읽는 기준선이다.
function M.mean_baseline(X)
  return (X - X:mean(1)):square():mean()
end

-- 3차원 점들을 위치 u의 색으로 그린다 (LAB 12-1의 원래 롤과 복원한 롤)
function M.draw3d(points, u, path, title, caption, label)
  return plot.scatter3d(points, path,
                        {values = u, cmap = "viridis", colorbar_label = "롤 위의 위치 u",
                         title = title, xlabel = "x", ylabel = "y", zlabel = "z",
                         elev = 20, azim = -70, size = 3, caption = caption, label = label})
end

return M
