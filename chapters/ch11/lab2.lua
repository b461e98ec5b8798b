-- LAB 11-1: 3차원 공간의 데이터에서 주성분을 찾아보자.
-- 평면 가까이에 놓인 3차원 점 1000개를 만들고, 평균을 뺀 데이터의
-- 특이값 분해(SVD)로 주성분을 직접 구한 뒤 ml.PCA의 결과와 비교한다.
-- 그림은 out/ch11/lab2/ 에 저장된다.
local tensor, linalg, ml, plot = require "tensor", require "linalg", require "ml", require "plot"
local book = require "book"

tensor.seed(111)

-- %% 평면 가까이에 놓인 데이터
-- 두 단위 벡터 u, v가 평면을 펼친다. 점마다 u 방향으로 표준편차 2,
-- v 방향으로 표준편차 1인 계수를 곱해 더하고, 0.1 크기의 균등 잡음을 더한다.
local n = 1000
local u = tensor.new({1, 1, 1}, {dtype = "float64"}) / math.sqrt(3)
local v = tensor.new({1, 0, -1}, {dtype = "float64"}) / math.sqrt(2)
local r = tensor.randn(n, 2, {dtype = "float64"})
local X = r:slice(2, 1, 1) * 2.0 * u:reshape(1, 3) + r:slice(2, 2, 2) * v:reshape(1, 3)
          + tensor.rand(n, 3, {dtype = "float64"}) * 0.1
print("데이터 모양:", table.concat(X:shape(), " x "))
tensor.save(X, out "X.npy")     -- 시험(test)이 사이킷런과 같은 데이터로 비교할 수 있게 저장

plot.scatter3d(X, out "data3d.png", {title = "평면 가까이에 놓인 3차원 데이터", color = "green",
                                     size = 2, alpha = 0.5, xlabel = "x", ylabel = "y", zlabel = "z",
                                     caption = "LAB 11-1: 두 벡터 u, v가 펼치는 평면 가까이에 놓인 점 1000개",
                                     label = "fig-ch11-plane-data"})

-- %% SVD로 주성분 구하기
-- 평균을 빼서 데이터의 중심을 원점으로 옮긴 뒤 특이값 분해를 한다.
-- Vt의 행이 주성분(분산이 큰 방향부터)이고, 특이값의 제곱이 그 방향의 분산에 비례한다.
local mean = X:mean(1)
local X_adj = X - mean
local U, S, Vt = linalg.svd(X_adj, {full_matrices = false})
print("특이값:", S)
print("주성분 (Vt의 행):")
print(Vt)
local var = S * S / (n - 1)                   -- 주성분 방향의 분산
local ratio = var / var:sum()                 -- 설명된 분산의 비율
print("설명된 분산의 비율:", ratio)
book.value("ratio1", ratio[1], "%.4f")
book.value("ratio2", ratio[2], "%.4f")
book.value("ratio3", ratio[3], "%.5f")
local c1 = Vt[1]
book.value("pc1", ("(%.3f, %.3f, %.3f)"):format(c1[1], c1[2], c1[3]))
book.value("pc2", ("(%.3f, %.3f, %.3f)"):format(Vt[2][1], Vt[2][2], Vt[2][3]))

-- %% 주성분을 3차원 그림에 그리기
-- 주성분 벡터를 데이터의 중심에서 출발하는 화살표로 그린다. 화살표의
-- 길이는 그 방향 표준편차의 두 배로 잡았다. 3차원 산점도에는 화살표가
-- 없으므로 화살표를 따라 점을 촘촘히 찍어 선으로 보이게 한다.
local pts, cls = {}, {}
for i = 1, n do pts[i], cls[i] = X[i]:totable(), 0 end
for k = 1, 2 do
  local len = 2 * math.sqrt(var[k])
  for s = 0, 80 do
    local p = {}
    for j = 1, 3 do p[j] = mean[j] + Vt[k][j] * len * s / 80 end
    pts[#pts + 1], cls[#cls + 1] = p, k
  end
end
plot.scatter3d(tensor.new(pts), out "components3d.png",
               {title = "데이터와 두 주성분", classes = cls, size = 2,
                class_names = {"데이터", "제1 주성분", "제2 주성분"},
                xlabel = "x", ylabel = "y", zlabel = "z",
                caption = "LAB 11-1: 데이터의 중심에서 출발하는 두 주성분. 제1 주성분은 u = (1, 1, 1)/√3, " ..
                          "제2 주성분은 v = (1, 0, -1)/√2 방향에 가깝다.",
                label = "fig-ch11-pca-arrows"})

-- %% 2차원으로 투영하기
-- 주성분 두 개를 열로 모은 W(3 x 2)에 중심을 옮긴 데이터를 곱하면 평면 위의 좌표가 된다
local W2 = Vt:slice(1, 1, 2):transpose(1, 2)
local X2d = X_adj:matmul(W2)

-- %% ml.PCA와 비교하기
local pca = ml.PCA{n_components = 2}
local X2d_ml = pca:fit_transform(X)
print("ml.PCA components_:")
print(pca.components_)
print("ml.PCA explained_variance_ratio_:", pca.explained_variance_ratio_)
tensor.save(pca.components_, out "components.npy")
tensor.save(pca.explained_variance_ratio_, out "ratio.npy")
tensor.save(X2d_ml, out "X2d.npy")
-- SVD의 특이벡터는 부호가 정해져 있지 않다. 성분마다 부호를 맞춘 뒤 비교한다
local worst, flipped = 0, {}
for k = 1, 2 do
  local a, b = Vt[k], pca.components_[k]
  local sign = (a * b):sum() < 0 and -1 or 1
  flipped[k] = sign < 0 and "반대" or "같음"
  worst = math.max(worst, (a * sign - b):abs():max())
end
print(("손으로 구한 주성분과 ml.PCA의 주성분: 부호 %s, %s / 부호를 맞춘 뒤 최대 차이 %.2e")
      :format(flipped[1], flipped[2], worst))
local rdiff = (ratio:slice(1, 1, 2) - pca.explained_variance_ratio_):abs():max()
print(("설명된 분산 비율의 최대 차이 %.2e"):format(rdiff))
book.value("pca_diff", ("%.1e"):format(worst))

local fig = plot.subplots{cols = 2, title = "3차원 데이터를 두 주성분 위로 투영", width = 420, height = 400}
plot.scatter(X2d, fig, {title = "SVD로 직접 투영", xlabel = "제1 주성분", ylabel = "제2 주성분",
                        size = 2, equal = true})
plot.scatter(X2d_ml, fig, {title = "ml.PCA의 fit_transform", xlabel = "제1 주성분",
                           ylabel = "제2 주성분", size = 2, color = "red", equal = true})
fig:save(out "projection.png", {caption = "LAB 11-1: 직접 구한 투영(왼쪽)과 ml.PCA의 투영(오른쪽). " ..
                                "주성분의 부호가 다르면 그 축을 따라 뒤집힌 모양이 된다.",
                                label = "fig-ch11-pca-projection"})
