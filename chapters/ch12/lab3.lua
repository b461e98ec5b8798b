-- LAB 12-3: 오토인코더로 패션 MNIST 이미지를 압축하고 복원하기.
-- 교재와 같은 두 모델을 만든다. 먼저 784개 픽셀을 64개 수로 줄이는 밀집
-- (Dense) 오토인코더, 다음으로 합성곱 층으로 인코딩하고 전치 합성곱
-- (transposed convolution) 층으로 디코딩하는 합성곱 오토인코더이다.
-- 두 모델의 복원 결과를 원본 옆에 그리고, 테스트 이미지의 복원 오차를
-- 평균 이미지, 주성분 분석(PCA)과 함께 표로 비교한다.
-- 실행: ./workbook run ch12/lab3.lua   (그림은 out/ch12/lab3/ 에 저장된다)
local tensor, nn, data, plot, ml = require "tensor", require "nn", require "data", require "plot", require "ml"
local book = require "book"

tensor.seed(2024)

-- %% 데이터
-- 픽셀 값은 0과 1 사이이다. (교재는 0~255 정수를 그대로 썼다.)
local fm = data.fashion_mnist()
local x_train, x_test = fm.train.x, fm.test.x      -- (N, 28, 28, 1)
-- 합성곱 오토인코더는 밀집 오토인코더보다 계산이 훨씬 많아서, 전체 실행에서도 에포크를 줄인다
local epochs, conv_epochs = 15, 5
if os.getenv("WORKBOOK_QUICK") == "1" then
  x_train, x_test = x_train:slice(1, 1, 3000), x_test:slice(1, 1, 1000)
  epochs, conv_epochs = 3, 3
  print("WORKBOOK_QUICK=1: 훈련 이미지 3,000장으로 3 에포크만 학습하고 1,000장으로 시험한다")
end
local n_train, n_test = x_train:shape()[1], x_test:shape()[1]
-- 밀집 오토인코더의 입력은 784개 픽셀을 한 줄로 편 벡터이다
local X = x_train:reshape(n_train, 784)
local X_test = x_test:reshape(n_test, 784)
print(("훈련 %s, 시험 %s"):format(table.concat(X:shape(), "x"), table.concat(X_test:shape(), "x")))

-- 원본 10장과 그 복원 10장을 한 줄씩 번갈아 놓은 그림 (rows는 원본 줄의 수)
local function beside(orig, rec, rows, path, opts)
  local list, caps = {}, {}
  for r = 0, rows - 1 do
    for _, pair in ipairs {{orig, "원본"}, {rec, "복원"}} do
      for c = 1, 10 do
        list[#list + 1] = pair[1][r * 10 + c]:reshape(28, 28)
        caps[#caps + 1] = pair[2]
      end
    end
  end
  opts.labels, opts.cols, opts.rows = caps, 10, 2 * rows
  return plot.image_grid(list, path, opts)
end

-- 시험 이미지 전체의 복원 오차 (픽셀마다의 평균 제곱 오차)
local function test_mse(rec) return (rec:reshape(n_test, 784) - X_test):square():mean() end

-- %% 밀집 오토인코더
-- 인코더: 784 -> 64 -> 64 -> 64, 디코더: 64 -> 64 -> 64 -> 784 (모두 elu)
local enc = nn.Sequential{nn.Dense(64, {input_shape = {784}, activation = "elu"}),
                          nn.Dense(64, "elu"), nn.Dense(64, "elu")}
local dec = nn.Sequential{nn.Dense(64, {input_shape = {64}, activation = "elu"}),
                          nn.Dense(64, "elu"), nn.Dense(784, "elu")}
local AE = nn.Sequential{enc, dec}
AE:compile{loss = "mse"}
AE:summary()
book.value("dense_params", AE:count_params(), "%d")

-- %% 밀집 오토인코더 학습
local hist = AE:fit(X, X, {epochs = epochs, verbose = 0})
local dense_loss = hist.history.loss
print(("밀집 오토인코더: 첫 에포크 손실 %.4f -> 마지막 에포크 손실 %.4f"):format(
      dense_loss[1], dense_loss[epochs]))
plot.lines({{y = dense_loss, label = "학습 손실 (MSE)"}}, out "dense_loss.png",
           {title = "밀집 오토인코더의 학습 손실", xlabel = "에포크", ylabel = "MSE",
            caption = "LAB 12-3: 밀집 오토인코더(784-64-784)의 학습 손실",
            label = "fig-ch12-dense-loss"})

-- %% 잠재 코드와 복원
-- 훈련 이미지 20장을 인코딩하면 한 장에 64개의 수가 나온다.
-- 이 64개를 8x8 격자로 늘어놓아 이미지처럼 볼 수 있다.
local sample = X:slice(1, 1, 20)
local codes = enc:predict(sample)
print(("훈련 이미지 20장의 코드: %s"):format(table.concat(codes:shape(), "x")))
plot.image_grid(codes:reshape(20, 8, 8), out "dense_codes.png",
                {cols = 10, rows = 2, normalize = true, title = "64차원 코드를 8x8로 늘어놓은 모습",
                 caption = "LAB 12-3: 훈련 이미지 20장(다음 그림의 원본 줄)의 64차원 코드를 8x8 격자로 그린 것. 이미지마다 가장 작은 값이 검정, 가장 큰 값이 흰색이다.",
                 label = "fig-ch12-dense-codes"})
beside(sample, dec:predict(codes), 2, out "dense_train.png",
       {title = "훈련 이미지와 밀집 오토인코더의 복원",
        caption = "LAB 12-3: 훈련 이미지(원본 줄)와 64차원 코드에서 복원한 이미지(복원 줄)",
        label = "fig-ch12-dense-train"})

-- 학습에 쓰지 않은 시험 이미지도 같은 방법으로 복원한다
local dense_rec = AE:predict(X_test)
beside(X_test, dense_rec, 2, out "dense_test.png",
       {title = "시험 이미지와 밀집 오토인코더의 복원",
        caption = "LAB 12-3: 학습에 쓰지 않은 시험 이미지와 밀집 오토인코더의 복원",
        label = "fig-ch12-dense-test"})

-- %% 합성곱 오토인코더
-- 인코더: Conv2D(16, 3x3) 두 번으로 28x28 -> 26x26 -> 24x24x16, 펼쳐서 Dense(64)
-- 디코더: Dense(9216 = 24x24x16) -> Reshape(24, 24, 16) -> Conv2DTranspose 두 번으로
--         24x24 -> 26x26x16 -> 28x28x1. 전치 합성곱이 합성곱의 크기 변화를 거꾸로 되돌린다.
local enc_cnn = nn.Sequential{
  nn.Conv2D{filters = 16, kernel_size = 3, activation = "elu", input_shape = {28, 28, 1}},
  nn.Conv2D{filters = 16, kernel_size = 3, activation = "elu"},
  nn.Flatten(),
  nn.Dense(64, "elu")}
enc_cnn:summary()
local dec_cnn = nn.Sequential{
  nn.Dense(9216, {input_shape = {64}, activation = "elu"}),
  nn.Reshape{target_shape = {24, 24, 16}},
  nn.Conv2DTranspose{filters = 16, kernel_size = 3, activation = "elu"},
  nn.Conv2DTranspose{filters = 1, kernel_size = 3, activation = "elu"}}
dec_cnn:summary()
local AE_CNN = nn.Sequential{enc_cnn, dec_cnn}
AE_CNN:compile{loss = "mse"}
book.value("conv_params", AE_CNN:count_params(), "%d")
book.value("conv_enc_params", enc_cnn:count_params(), "%d")
book.value("conv_dec_params", dec_cnn:count_params(), "%d")

-- %% 합성곱 오토인코더 학습
-- 합성곱 오토인코더는 이미지를 (N, 28, 28, 1) 모양 그대로 받는다
local conv_hist = AE_CNN:fit(x_train, x_train, {epochs = conv_epochs, verbose = 0})
local conv_loss = conv_hist.history.loss
print(("합성곱 오토인코더: 첫 에포크 손실 %.4f -> 마지막 에포크 손실 %.4f"):format(
      conv_loss[1], conv_loss[conv_epochs]))
plot.lines({{y = dense_loss, label = "밀집 오토인코더"}, {y = conv_loss, label = "합성곱 오토인코더"}},
           out "conv_loss.png",
           {title = "두 오토인코더의 학습 손실", xlabel = "에포크", ylabel = "MSE",
            caption = "LAB 12-3: 밀집 오토인코더와 합성곱 오토인코더의 학습 손실",
            label = "fig-ch12-conv-loss"})
local conv_rec = AE_CNN:predict(x_test)
beside(X_test, conv_rec:reshape(n_test, 784), 2, out "conv_test.png",
       {title = "시험 이미지와 합성곱 오토인코더의 복원",
        caption = "LAB 12-3: 밀집 오토인코더의 그림과 같은 시험 이미지를 합성곱 오토인코더로 복원한 것",
        label = "fig-ch12-conv-test"})

-- %% 복원 오차 비교
-- 기준선 둘: 모든 이미지를 훈련 이미지의 평균 한 장으로 "복원"하기, 그리고
-- 같은 64차원으로 줄이는 선형 방법인 PCA(11장)로 줄였다가 되돌리기
local mean_img = X:mean(1)
local rows = {
  {"mean", "평균 이미지 한 장", test_mse(mean_img + X_test * 0)},
}
local pca = ml.PCA{n_components = 64}:fit(X)
rows[#rows + 1] = {"pca", "PCA (주성분 64개)", test_mse(pca:inverse_transform(pca:transform(X_test)))}
rows[#rows + 1] = {"dense", "밀집 오토인코더 (코드 64개)", test_mse(dense_rec)}
rows[#rows + 1] = {"conv", "합성곱 오토인코더 (코드 64개)", test_mse(conv_rec)}

print(("시험 이미지 %d장의 픽셀당 복원 MSE"):format(n_test))
for _, r in ipairs(rows) do
  print(("%10.5f  %s"):format(r[3], r[2]))
  book.value("mse_" .. r[1], r[3], "%.4f")
end
