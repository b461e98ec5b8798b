-- LAB 11-3: LLE(locally linear embedding)를 직접 구현해 보자.
-- 말린 종이 데이터의 점마다 가장 가까운 이웃 7개를 찾고, 이웃의 선형
-- 결합으로 자기 자신을 가장 잘 재구성하는 가중치를 구한 뒤, 그 가중치를
-- 가장 잘 지키는 2차원 좌표를 고유벡터로 찾는다. 결과를
-- ml.LocallyLinearEmbedding과 비교한다.
-- 그림은 out/ch11/lab5/ 에 저장된다.
local tensor, linalg, ml, plot = require "tensor", require "linalg", require "ml", require "plot"
local book = require "book"
local roll = require "roll"              -- 같은 폴더의 roll.lua

tensor.seed(1105)

-- %% 롤 데이터
-- 교재처럼 점 1500개를 쓴다(WORKBOOK_QUICK=1이면 500개)
local X, u, m = roll.for_lab(1500, 500)
book.value("m", m)

-- %% 1단계: 이웃 찾기와 재구성 가중치
-- 점 i의 이웃 k개를 X_i에서 뺀 행렬 Z(k x 3)의 그람 행렬 G = Z Zᵀ는 거의
-- 특이(singular)하므로, 대각에 trace(G)의 1%를 더해 안정화한다.
-- G w = 1을 풀고 합이 1이 되도록 나눈 w가 점 i의 재구성 가중치이다.
local k = 7
local sq = (X * X):sum(2, true)
local D2 = sq + sq:reshape(1, m) - X:matmul(X:transpose(1, 2)) * 2   -- 제곱 거리 (m x m)
local order = D2:argsort(2)                                          -- 행마다 가까운 순서
local W = tensor.zeros(m, m, {dtype = "float64"})
local ones = tensor.ones(k, {dtype = "float64"})
local err = 0
for i = 1, m do
  local neigh = {}
  for j = 1, k do neigh[j] = order:get(i, j + 1) end      -- 첫째(자기 자신)는 건너뛴다
  local Z = X:rows(neigh) - X[i]:reshape(1, 3)             -- (k, 3)
  local G = Z:matmul(Z:transpose(1, 2))                    -- (k, k)
  G = G + tensor.eye(k, {dtype = "float64"}) * (G:diag():sum() * 1e-2)
  local w = linalg.solve(G, ones)
  w = w / w:sum()
  for j = 1, k do W:set(i, neigh[j], w[j]) end
  -- 재구성 오차: |X_i - Σ_j w_j X_j|² (가중치 합이 1이므로 |Σ_j w_j Z_j|²과 같다)
  local r = w:reshape(1, k):matmul(Z)
  err = err + (r * r):sum()
end
print(("이웃 %d개, 가중치 행렬 W: %d x %d, 점 하나의 평균 재구성 오차 %.3e"):format(k, m, m, err / m))

-- %% 2단계: 저차원 좌표 찾기
-- 가중치를 그대로 지키는 좌표 Y는 |Y - W Y|²을 가장 작게 한다. 이것은
-- M = (I - W)ᵀ(I - W)의 가장 작은 고윳값의 고유벡터들이다. 가장 작은
-- 고윳값(0)의 고유벡터는 모든 성분이 같은 상수 벡터라 정보가 없으므로
-- 버리고, 그다음 두 개를 2차원 좌표로 쓴다.
local IW = tensor.eye(m, {dtype = "float64"}) - W
local M = IW:transpose(1, 2):matmul(IW)
local evals, evecs = linalg.eigh(M)                  -- 고윳값 오름차순
print(("M의 가장 작은 고윳값 세 개: %.3e, %.3e, %.3e"):format(evals[1], evals[2], evals[3]))
local Y = evecs:slice(2, 2, 3):contiguous()          -- (m, 2)
tensor.save(Y, out "Y_hand.npy")

-- %% ml.LocallyLinearEmbedding과 비교하기
-- 고유벡터는 부호(와 같은 고윳값 안에서의 회전)가 정해지지 않으므로,
-- 두 결과를 프로크루스테스(Procrustes) 분석으로 비교한다: 각각 중심을
-- 옮기고 크기를 1로 맞춘 뒤, 한쪽을 회전·반사해 다른 쪽에 가장 가깝게
-- 놓았을 때 남는 제곱 오차(disparity, 0이면 같은 모양)이다.
local lle = ml.LocallyLinearEmbedding{n_neighbors = k, n_components = 2, reg = 1e-2}
local Y_ml = lle:fit_transform(X)
tensor.save(Y_ml, out "Y_ml.npy")
print(("ml.LocallyLinearEmbedding: reconstruction_error_ = %.6e"):format(lle.reconstruction_error_))

local function procrustes(A, B)
  local function standard(T)
    T = T - T:mean(1)
    return T / math.sqrt((T * T):sum())
  end
  A, B = standard(A), standard(B:double())
  local _, s = linalg.svd(A:transpose(1, 2):matmul(B))
  return 1 - s:sum() ^ 2
end
local disp = procrustes(Y, Y_ml)
print(("직접 구한 LLE와 ml.LocallyLinearEmbedding의 프로크루스테스 차이: %.2e"):format(disp))
book.value("disparity", ("%.1e"):format(disp))
book.value("lambda2", evals[2], "%.2e")

local fig = plot.subplots{cols = 2, title = "LLE로 펼친 말린 종이 (이웃 7개)", width = 440, height = 400}
plot.scatter(Y, fig, {title = "직접 구현한 LLE", values = u, cmap = "viridis", size = 2,
                      xlabel = "첫째 좌표", ylabel = "둘째 좌표"})
plot.scatter(Y_ml, fig, {title = "ml.LocallyLinearEmbedding", values = u, cmap = "viridis", size = 2,
                         xlabel = "첫째 좌표", ylabel = "둘째 좌표"})
fig:save(out "lle.png", {caption = "LAB 11-3: 직접 구현한 LLE(왼쪽)와 ml.LocallyLinearEmbedding(오른쪽). " ..
                         "색은 말린 면을 따라간 위치이다.",
                         label = "fig-ch11-lle-hand"})
