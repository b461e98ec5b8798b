-- LAB 11-2: 주성분을 추출해 이미지를 압축해 보자.
-- 패션 MNIST의 훈련 이미지로 PCA를 학습하고, 학습에 쓰지 않은 테스트
-- 이미지를 주성분 100개와 25개로 압축했다가(transform) 되살려(inverse_transform)
-- 원래 이미지와 비교한다. 주성분 자체도 이미지로 그려 보고, 주성분 수에
-- 따라 설명된 분산이 얼마나 쌓이는지 본다.
-- 그림은 out/ch11/lab4/ 에 저장된다.
local tensor, ml, plot, data = require "tensor", require "ml", require "plot", require "data"
local book = require "book"

local QUICK = os.getenv("WORKBOOK_QUICK") == "1"

-- %% 패션 MNIST 읽기
local fm = data.fashion_mnist()
local x_train, x_test = fm.train.x, fm.test.x      -- (N, 28, 28, 1), 화소 값 0 ~ 1
if QUICK then
  x_train, x_test = x_train:slice(1, 1, 6000), x_test:slice(1, 1, 1000)
  print("WORKBOOK_QUICK=1: 훈련 이미지 6,000장과 테스트 이미지 1,000장만 쓴다")
end
print("훈련 이미지:", table.concat(x_train:shape(), " x "), " 테스트 이미지:",
      table.concat(x_test:shape(), " x "))
-- 28 x 28 이미지를 784차원 벡터 한 줄로 편다. 화소 값은 0 ~ 1이다
local n_train, n_test = x_train:shape()[1], x_test:shape()[1]
local train_flat = x_train:reshape(n_train, 28 * 28)
local test_flat = x_test:reshape(n_test, 28 * 28)
book.value("n_train", n_train)
book.value("n_test", n_test)

-- %% 주성분 100개로 압축하고 되살리기
-- fit은 훈련 이미지에서만 한다. 테스트 이미지는 학습된 주성분으로
-- transform(784 -> 100)한 뒤 inverse_transform(100 -> 784)으로 되살린다.
-- (교재는 테스트 이미지에 PCA를 다시 학습시키지만, 그러면 테스트
-- 이미지가 학습에 쓰인 셈이 된다.)
local function compress(k)
  local pca = ml.PCA{n_components = k}:fit(train_flat)
  local codes = pca:transform(test_flat)                 -- (n_test, k)
  local back = pca:inverse_transform(codes)              -- (n_test, 784)
  local mse = ((back - test_flat) ^ 2):mean()
  print(("주성분 %3d개: 압축된 모양 %s, 설명된 분산 %.4f, 테스트 재구성 MSE %.6f")
        :format(k, table.concat(codes:shape(), " x "), pca.explained_variance_ratio_:sum(), mse))
  book.value(("var_%d"):format(k), pca.explained_variance_ratio_:sum(), "%.3f")
  book.value(("mse_%d"):format(k), mse, "%.4f")
  return pca, back:reshape(n_test, 28, 28):clamp(0, 1)
end
local pca100, back100 = compress(100)

-- %% 주성분 25개로 압축하고 되살리기
local _, back25 = compress(25)

-- 테스트 이미지 10장: 원본, 주성분 100개, 주성분 25개 순서로 한 줄씩
local rows = {}
for _, src in ipairs {x_test, back100, back25} do
  for i = 1, 10 do rows[#rows + 1] = src[i] end
end
-- 원본 줄에는 옷의 종류를, 아래 두 줄에는 쓴 주성분 수를 적는다
local caps = {}
for r, name in ipairs {"", "주성분 100개", "주성분 25개"} do
  for i = 1, 10 do
    caps[#caps + 1] = r == 1 and fm.class_names[fm.test.y[i] + 1] or name
  end
end
plot.image_grid(rows, out "reconstructions.png",
                {cols = 10, rows = 3, labels = caps,
                 title = "테스트 이미지: 원본(위), 주성분 100개(가운데), 25개(아래)로 되살린 것",
                 caption = "LAB 11-2: 학습에 쓰지 않은 테스트 이미지를 주성분 100개와 25개로 압축했다가 되살린 결과",
                 label = "fig-ch11-fashion-recon"})

-- %% 주성분을 이미지로 보기
-- 주성분 하나는 784차원 단위 벡터이므로 28 x 28 이미지로 그릴 수 있다.
-- 첫 번째 이미지는 평균 이미지(mean_)이다.
local comps = {pca100.mean_:reshape(28, 28)}
local comp_caps = {"평균"}
for k = 1, 19 do
  comps[#comps + 1] = pca100.components_[k]:reshape(28, 28)
  comp_caps[#comp_caps + 1] = ("PC %d"):format(k)
end
plot.image_grid(comps, out "components.png",
                {cols = 10, rows = 2, labels = comp_caps, normalize = true, cmap = "gray",
                 title = "평균 이미지와 처음 19개 주성분",
                 caption = "LAB 11-2: 평균 이미지와 처음 19개 주성분(각 이미지의 최솟값~최댓값을 검정~흰색으로)",
                 label = "fig-ch11-fashion-components"})

-- %% 설명된 분산의 누적
-- 주성분을 모두(784개) 구하면 주성분 수에 따라 설명된 분산이 얼마나 쌓이는지 볼 수 있다
local full = ml.PCA():fit(train_flat)
local cum = full.explained_variance_ratio_:cumsum()
local function needed(p)
  for k = 1, cum:shape()[1] do if cum[k] >= p then return k end end
end
local k90, k95, k99 = needed(0.90), needed(0.95), needed(0.99)
print(("분산의 90%%: 주성분 %d개, 95%%: %d개, 99%%: %d개 (784개 가운데)"):format(k90, k95, k99))
local first = {}
for k = 1, 5 do first[k] = ("%.6f"):format(full.explained_variance_ratio_[k]) end
print("처음 5개 주성분의 설명된 분산 비율: " .. table.concat(first, " "))
book.value("k90", k90)
book.value("k95", k95)
book.value("k99", k99)
book.value("ratio1", full.explained_variance_ratio_[1], "%.3f")
book.value("ratio2", full.explained_variance_ratio_[2], "%.3f")

local curve = cum:totable()
plot.lines({{y = curve, label = "누적 설명 분산"},
            {x = {k90, k90}, y = {0, 0.90}, label = ("90%%: %d개"):format(k90), style = "--"},
            {x = {k95, k95}, y = {0, 0.95}, label = ("95%%: %d개"):format(k95), style = "--"}},
           out "cumulative.png",
           {title = "주성분 수에 따른 누적 설명 분산", xlabel = "주성분 수", ylabel = "설명된 분산의 비율",
            ylim = {0, 1.02}, xlim = {0, 300},
            caption = "LAB 11-2: 주성분 수에 따른 누적 설명 분산. 점선은 분산의 90%와 95%를 설명하는 데 필요한 주성분 수이다.",
            label = "fig-ch11-fashion-cumulative"})
