-- 커널 PCA: 말린 종이 모양의 3차원 데이터를 네 가지 커널(다항식, RBF,
-- 시그모이드, 코사인)로 2차원에 펼쳐 보고 선형 PCA와 비교한다.
-- 점의 색은 말린 면을 따라간 위치(u, 0에서 1)이다.
-- 그림은 out/ch11/lab3/ 에 저장된다.
local tensor, ml, plot = require "tensor", require "ml", require "plot"
local book = require "book"
local roll = require "roll"              -- 같은 폴더의 roll.lua

tensor.seed(1103)

-- %% 롤 데이터
-- WORKBOOK_QUICK=1이면 점 5000개 대신 500개로 줄인다
local X, u, n = roll.for_lab(5000, 500)
book.value("n", n)

plot.scatter3d(X, out "roll3d.png", {title = "말린 종이(roll) 데이터", values = u, cmap = "viridis",
                                     size = 2, colorbar = true, colorbar_label = "위치 u",
                                     caption = "말린 종이 모양의 3차원 데이터. 색은 말린 면을 따라간 위치이다.",
                                     label = "fig-ch11-roll3d"})

-- %% 선형 PCA와 네 가지 커널 PCA
-- 커널과 그 매개변수는 교재와 같다. 커널 행렬이 n x n이므로 점이 많으면
-- 고윳값 분해에 시간이 걸린다.
local models = {
  {"선형 PCA", ml.PCA{n_components = 2}},
  {"다항식 커널 (poly)", ml.KernelPCA{n_components = 2, kernel = "poly", gamma = 3.5, degree = 5,
                                     coef0 = 3.5}},
  {"RBF 커널 (rbf)", ml.KernelPCA{n_components = 2, kernel = "rbf", gamma = 2.2}},
  {"시그모이드 커널 (sigmoid)", ml.KernelPCA{n_components = 2, kernel = "sigmoid", gamma = 1.1,
                                            coef0 = 3.0}},
  {"코사인 커널 (cosine)", ml.KernelPCA{n_components = 2, kernel = "cosine"}},
}
local names = {"linear", "poly", "rbf", "sigmoid", "cosine"}
local fig = plot.subplots{cols = 3, title = "말린 종이를 2차원으로: 선형 PCA와 커널 PCA",
                          width = 400, height = 380}
for i, m in ipairs(models) do
  local Z = m[2]:fit_transform(X)
  tensor.save(Z, out(names[i] .. ".npy"))
  local ev = m[2].eigenvalues_
  if ev then
    print(("%-26s 고윳값 %.4g, %.4g"):format(m[1], ev[1], ev[2]))
  else
    print(("%-26s 설명된 분산 비율 %.3f, %.3f"):format(m[1], m[2].explained_variance_ratio_[1],
                                               m[2].explained_variance_ratio_[2]))
  end
  plot.scatter(Z, fig, {title = m[1], values = u, cmap = "viridis", size = 2,
                        xlabel = "첫째 성분", ylabel = "둘째 성분"})
end
fig:save(out "kpca.png", {caption = "말린 종이 데이터를 선형 PCA와 네 가지 커널 PCA로 2차원에 옮긴 결과. " ..
                          "색이 한쪽 끝에서 다른 쪽 끝으로 고르게 이어질수록 말린 면이 잘 펼쳐진 것이다.",
                          label = "fig-ch11-kpca"})
