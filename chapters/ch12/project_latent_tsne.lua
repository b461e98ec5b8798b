-- 미니 프로젝트 C1 잠재 표현을 t-SNE로 그려 보기
-- 패션 MNIST로 합성곱 오토인코더(잠재 벡터 128차원)를 학습하고, 테스트
-- 이미지 3,000장의 코드(code, 잠재 벡터)를 ml.TSNE로 2차원에 펼쳐 클래스별
-- 색으로 그린다. 같은 이미지의 원래 픽셀(784차원)을 t-SNE로 펼친 그림과
-- 나란히 놓고, 신뢰도(trustworthiness)와 2차원에서의 5-최근접 이웃 정확도로
-- 두 지도를 비교한다.
-- 실행: ./workbook run ch12/project_latent_tsne.lua   (그림은 out/ch12/project_latent_tsne/)
local T, nn, ml, data, plot, sys =
  require "tensor", require "nn", require "ml", require "data", require "plot",
  require "sys"
local book = require "book"

T.seed(12)
local quick = os.getenv("WORKBOOK_QUICK") == "1"
-- 빠른 실행은 이미지 수와 에포크를 줄인다 (그림 제목에 그렇다고 적는다)
local N_TRAIN, EPOCHS, N_CODES = 10000, 5, 3000
if quick then N_TRAIN, EPOCHS, N_CODES = 1000, 1, 400 end
local NOTE = quick and " (빠른 실행)" or ""
if quick then print("WORKBOOK_QUICK=1: 훈련 이미지 1,000장, 1 에포크, t-SNE 400점") end

-- 패션 MNIST의 클래스 이름 (8장의 표와 같은 한국어 이름)
local NAMES = {"티셔츠/상의", "바지", "풀오버", "드레스", "코트",
               "샌들", "셔츠", "운동화", "가방", "앵클 부츠"}

-- %% 데이터
-- 픽셀은 0~1의 실수이다. (N, 28, 28, 1) 모양으로 만든다
local fm = data.fashion_mnist()
local x_train = fm.train.x:slice(1, 1, N_TRAIN):reshape(N_TRAIN, 28, 28, 1)
local x_test = fm.test.x:slice(1, 1, N_CODES):reshape(N_CODES, 28, 28, 1)
local y_test = fm.test.y:slice(1, 1, N_CODES)
print(("훈련 이미지 %d장, t-SNE로 그릴 테스트 이미지 %d장"):format(N_TRAIN, N_CODES))

-- %% 오토인코더
-- 인코더(encoder): 합성곱 두 층과 완전 연결층으로 28x28 이미지를 128차원
-- 코드로 줄인다. 디코더(decoder): 완전 연결층으로 24x24x16을 만들고
-- 전치 합성곱(Conv2DTranspose) 두 층으로 28x28로 되돌린다. 교재처럼 ELU를
-- 쓰되, 마지막 층은 픽셀 범위(0~1)에 맞게 시그모이드(sigmoid)로 한다.
local enc = nn.Sequential{
  nn.Conv2D{filters = 16, kernel_size = 3, activation = "elu", input_shape = {28, 28, 1}},
  nn.Conv2D{filters = 16, kernel_size = 3, activation = "elu"},
  nn.Flatten(),
  nn.Dense(128, "elu"),
}
local dec = nn.Sequential{
  nn.Dense(24 * 24 * 16, {input_shape = {128}, activation = "elu"}),
  nn.Reshape{target_shape = {24, 24, 16}},
  nn.Conv2DTranspose{filters = 16, kernel_size = 3, activation = "elu"},
  nn.Conv2DTranspose{filters = 1, kernel_size = 3, activation = "sigmoid"},
}
local AE = nn.Sequential{enc, dec}
AE:compile{optimizer = "adam", loss = "mse"}
AE:summary()

-- %% 학습
local t0 = sys.clock()
local hist = AE:fit(x_train, x_train, {epochs = EPOCHS, batch_size = 64, verbose = 0})
local loss = hist.history.loss
print(("학습 %d 에포크, %.1f초; 마지막 훈련 손실(MSE) %.4f"):format(EPOCHS, sys.clock() - t0,
      loss[#loss]))
local test_mse = (AE:predict(x_test) - x_test):square():mean()
print(("테스트 이미지의 복원 오차(MSE) %.4f"):format(test_mse))
book.value("test_mse", test_mse, "%.4f")
book.value("epochs", EPOCHS, "%d")
book.value("n_train", N_TRAIN, "%d")

-- 원본(위)과 복원(아래) 10장
do
  local imgs, caps = {}, {}
  for i = 1, 10 do imgs[i], caps[i] = x_test[i], NAMES[y_test[i] + 1] end
  local rec = AE:predict(x_test:slice(1, 1, 10))
  for i = 1, 10 do imgs[10 + i], caps[10 + i] = rec[i], "복원" end
  plot.image_grid(imgs, out "reconstructions.png", {labels = caps, cols = 10, rows = 2,
    title = "테스트 이미지(위)와 오토인코더의 복원(아래)" .. NOTE,
    caption = "테스트 이미지 10장(위)과 128차원 코드에서 디코더가 되살린 이미지(아래)" .. NOTE,
    label = "fig-c1-recon"})
end

-- %% 잠재 표현을 t-SNE로
-- 인코더만 돌려 128차원 코드를 얻고, 같은 이미지의 픽셀(784차원)과 함께
-- 각각 t-SNE로 2차원에 펼친다 (같은 설정, PCA 시작)
local codes = enc:predict(x_test)
local pixels = x_test:reshape(N_CODES, 784)
print(("코드의 모양 (%d, %d)"):format(codes:shape()[1], codes:shape()[2]))
local function embed(X, what)
  local c = sys.clock()
  local ts = ml.TSNE{n_components = 2, init = "pca", random_state = 0}
  local Y = ts:fit_transform(X)
  print(("%s t-SNE: %.1f초, KL 발산 %.4f"):format(what, sys.clock() - c, ts.kl_divergence_))
  return Y
end
local Y_code = embed(codes, "코드(128차원)")
local Y_pix = embed(pixels, "픽셀(784차원)")

-- %% 두 지도 비교
-- 신뢰도: 2차원 지도에서 가까운 5개 이웃이 원래 공간에서도 가까운 정도(1이 최고).
-- 5-NN 정확도: 2차원 지도에서 절반으로 학습, 나머지 절반의 클래스를 맞힌 비율.
local function knn_acc(Y)
  local a, b, ya, yb = ml.train_test_split(Y, y_test, {test_size = 0.5, random_state = 0,
                                                       stratify = y_test})
  return ml.KNeighborsClassifier{n_neighbors = 5}:fit(a, ya):score(b, yb)
end
local tw_code = ml.trustworthiness(codes, Y_code)
local tw_pix = ml.trustworthiness(pixels, Y_pix)
local tw_code_pix = ml.trustworthiness(pixels, Y_code)
local acc_code, acc_pix = knn_acc(Y_code), knn_acc(Y_pix)
print()
print("                          코드 -> t-SNE   픽셀 -> t-SNE")
print(("신뢰도 (자기 입력 기준)    %10.4f      %10.4f"):format(tw_code, tw_pix))
print(("신뢰도 (픽셀 기준)         %10.4f      %10.4f"):format(tw_code_pix, tw_pix))
print(("2차원 5-NN 정확도          %10.4f      %10.4f"):format(acc_code, acc_pix))
book.value("tw_code", tw_code, "%.4f")
book.value("tw_pix", tw_pix, "%.4f")
book.value("tw_code_pix", tw_code_pix, "%.4f")
book.value("acc_code", acc_code, "%.3f")
book.value("acc_pix", acc_pix, "%.3f")
book.value("n_codes", N_CODES, "%d")

local fig = plot.subplots{cols = 2, width = 640, height = 560,
                          title = ("패션 MNIST 테스트 이미지 %d장의 t-SNE 지도%s"):format(N_CODES, NOTE)}
plot.scatter(Y_code, fig, {classes = y_test, class_names = NAMES, size = 3, alpha = 0.8,
  title = ("오토인코더 코드(128차원), 신뢰도 %.3f"):format(tw_code), xlabel = "t-SNE 1", ylabel = "t-SNE 2"})
plot.scatter(Y_pix, fig, {classes = y_test, class_names = NAMES, size = 3, alpha = 0.8,
  title = ("원래 픽셀(784차원), 신뢰도 %.3f"):format(tw_pix), xlabel = "t-SNE 1", ylabel = "t-SNE 2"})
fig:save(out "tsne.png", {caption = "오토인코더의 128차원 코드(왼쪽)와 원래 픽셀(오른쪽)을 " ..
  "t-SNE로 펼친 지도. 점의 색은 클래스(tab10)이다." .. NOTE, label = "fig-c1-tsne"})

-- 학습 곡선
plot.line(nil, loss, out "loss.png", {marker = true, title = "오토인코더의 학습 곡선" .. NOTE,
  xlabel = "에포크 (epoch)", ylabel = "훈련 손실 (MSE)",
  caption = "합성곱 오토인코더의 에포크별 훈련 손실" .. NOTE, label = "fig-c1-loss"})
print("그림: reconstructions.png, tsne.png, loss.png")
