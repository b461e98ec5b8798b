-- 미니 프로젝트 A2 잡음 제거 오토인코더 (denoising autoencoder)
-- 얼굴 사진(scikit-image의 LFW 얼굴 100장)과 워크북의 예제 사진에서 잘라 낸
-- 조각을 32x32 회색조로 모아, 가우스 잡음(표준편차 0.3)을 더한 이미지를 넣으면
-- 깨끗한 이미지를 내도록 합성곱 오토인코더를 학습한다. 같은 모델을 두 번
-- 학습한다: 한 번은 고정된 훈련 이미지로, 한 번은 ImageDataGenerator로 매번
-- 새로 증강(augmentation)한 이미지로. 테스트 얼굴에서 잡음 낀 입력과 두 모델의
-- 출력을 원본과 비교해 평균제곱오차(MSE)와 PSNR로 잰다.
-- 실행: ./workbook run ch12/project_denoise_ae.lua   (그림은 out/ch12/project_denoise_ae/)
local T, nn, image, data, plot, sys, book = require "tensor", require "nn",
  require "image", require "data", require "plot", require "sys", require "book"

-- 빠른 실행(WORKBOOK_QUICK=1)은 에포크가 적다 (그림 제목에 그렇다고 적는다)
local quick = os.getenv("WORKBOOK_QUICK") == "1"
local EPOCHS = quick and 4 or 60
T.seed(7)
local NOTE = quick and " (빠른 실행)" or ""
if quick then print("WORKBOOK_QUICK=1: 에포크 4 (전체 실행은 60)") end
local SIZE, SIGMA = 32, 0.3

-- %% 데이터
-- 얼굴 100장(25x25)을 32x32로 키우고, 예제 사진 11장에서 32x32 조각을 10개씩
-- 잘라 더한다. 얼굴 80장과 조각 전부로 학습하고, 나머지 얼굴 20장으로 시험한다.
local faces = data.faces()
local face = T.zeros(100, SIZE, SIZE, 1)
for i = 1, 100 do face[i] = image.resize(faces.x[i], SIZE, SIZE) end
local perm = T.randperm(100)
local photos = {}
for i, name in ipairs(data.NEGATIVE_PHOTOS) do
  photos[i] = data.patches(image.load(data.path("images/" .. name .. ".png")), 10,
                           {size = {SIZE, SIZE}, scales = {1, 2, 4}, seed = i})
end
local n_train = 80 + 10 * #photos
local x_train, x_test = T.zeros(n_train, SIZE, SIZE, 1), T.zeros(20, SIZE, SIZE, 1)
for i = 1, 80 do x_train[i] = face[perm[i]] end
for i = 1, 20 do x_test[i] = face[perm[80 + i]] end
for i, p in ipairs(photos) do x_train:slice(1, 81 + 10 * (i - 1), 80 + 10 * i):copy(p) end
print(("훈련 이미지 %d장 (얼굴 80, 사진 조각 %d), 테스트 얼굴 20장"):format(n_train, 10 * #photos))

-- 잡음: 표준편차 0.3의 가우스 잡음을 더하고 0~1로 자른다
local function add_noise(x) return (x + T.randn(table.unpack(x:shape())) * SIGMA):clamp(0, 1) end
local x_test_noisy = add_noise(x_test)

-- %% 모델
-- 인코더: 보폭(stride) 2인 합성곱 두 층으로 32x32 -> 16x16 -> 8x8.
-- 디코더: 보폭 2인 전치 합성곱(Conv2DTranspose) 두 층으로 8x8 -> 16x16 -> 32x32,
-- 마지막 합성곱 한 층과 시그모이드로 0~1의 픽셀을 낸다.
local function autoencoder()
  local m = nn.Sequential{
    nn.Conv2D{filters = 32, kernel_size = 3, strides = 2, padding = "same",
              activation = "relu", input_shape = {SIZE, SIZE, 1}},
    nn.Conv2D{filters = 64, kernel_size = 3, strides = 2, padding = "same", activation = "relu"},
    nn.Conv2DTranspose{filters = 64, kernel_size = 3, strides = 2, padding = "same",
                       activation = "relu"},
    nn.Conv2DTranspose{filters = 32, kernel_size = 3, strides = 2, padding = "same",
                       activation = "relu"},
    nn.Conv2D{filters = 1, kernel_size = 3, padding = "same", activation = "sigmoid"},
  }
  m:compile{optimizer = "adam", loss = "mse"}
  return m
end
local plain = autoencoder()
plain:summary()

-- %% 증강 없이 학습
-- 훈련 이미지는 고정, 잡음만 에포크마다 새로 뽑는다
local BATCH = 32
local steps = math.ceil(n_train / BATCH)
local t0 = sys.clock()
local idx = 0
local plain_feed = {next = function()
  local from = idx % n_train + 1
  local to = math.min(from + BATCH - 1, n_train)
  idx = to % n_train
  local xb = x_train:slice(1, from, to)
  return add_noise(xb), xb
end}
local h_plain = plain:fit(plain_feed, {epochs = EPOCHS, steps_per_epoch = steps, verbose = 0})
print(("증강 없이: %d 에포크, %.1f초"):format(EPOCHS, sys.clock() - t0))

-- %% 증강하며 학습
-- ImageDataGenerator가 배치마다 이미지를 돌리고(±20도), 옮기고(10%), 확대하고(10%),
-- 좌우로 뒤집는다. 교재는 360도 회전과 상하 뒤집기도 쓰지만, 얼굴은 바로 선
-- 것만 시험하므로 여기서는 작게 돌린다. 잡음은 증강된 이미지에 더한다.
local aug = autoencoder()
local gen = nn.ImageDataGenerator{rotation_range = 20, width_shift_range = 0.1,
                                  height_shift_range = 0.1, zoom_range = 0.1,
                                  horizontal_flip = true, fill_mode = "reflect", seed = 0}
local it = gen:flow(x_train, nil, {batch_size = BATCH, seed = 1})
local aug_feed = {next = function() local xb = it:next(); return add_noise(xb), xb end}
t0 = sys.clock()
local h_aug = aug:fit(aug_feed, {epochs = EPOCHS, steps_per_epoch = #it, verbose = 0})
print(("증강하며: %d 에포크, %.1f초"):format(EPOCHS, sys.clock() - t0))

-- 증강된 훈련 이미지의 예
do
  local imgs, caps = {}, {}
  local xb = it:next()
  for i = 1, 8 do
    imgs[i], caps[i] = xb[i], "증강 " .. i
    imgs[8 + i], caps[8 + i] = add_noise(xb:slice(1, i, i))[1], "잡음 " .. i
  end
  plot.image_grid(imgs, out "augmented.png", {labels = caps, cols = 8, rows = 2,
    title = "증강된 훈련 이미지(위)와 잡음을 더한 입력(아래)",
    caption = "ImageDataGenerator가 만든 훈련 이미지(위)와 모델에 들어가는 잡음 낀 입력(아래)",
    label = "fig-a2-augmented"})
end

-- %% 테스트 얼굴의 잡음 제거
local function mse(a, b) return (a - b):square():mean() end
local function psnr(m) return 10 * math.log(1 / m, 10) end
local den_plain = plain:predict(x_test_noisy)
local den_aug = aug:predict(x_test_noisy)
local m_noisy, m_plain, m_aug = mse(x_test_noisy, x_test), mse(den_plain, x_test), mse(den_aug, x_test)
print()
print("테스트 얼굴 20장, 원본과의 차이    MSE      PSNR(dB)")
print(("잡음 낀 입력                   %8.5f   %7.2f"):format(m_noisy, psnr(m_noisy)))
print(("잡음 제거 (증강 없이)          %8.5f   %7.2f"):format(m_plain, psnr(m_plain)))
print(("잡음 제거 (증강하며)           %8.5f   %7.2f"):format(m_aug, psnr(m_aug)))
book.value("mse_noisy", m_noisy, "%.4f")
book.value("mse_plain", m_plain, "%.4f")
book.value("mse_aug", m_aug, "%.4f")
book.value("psnr_noisy", psnr(m_noisy), "%.1f")
book.value("psnr_plain", psnr(m_plain), "%.1f")
book.value("psnr_aug", psnr(m_aug), "%.1f")
book.value("epochs", EPOCHS, "%d")
book.value("n_train", n_train, "%d")

do
  local imgs, caps = {}, {}
  for i = 1, 8 do
    imgs[i], caps[i] = x_test[i], "원본"
    imgs[8 + i], caps[8 + i] = x_test_noisy[i], "잡음"
    imgs[16 + i], caps[16 + i] = den_plain[i], "증강 없이"
    imgs[24 + i], caps[24 + i] = den_aug[i], "증강하며"
  end
  plot.image_grid(imgs, out "denoised.png", {labels = caps, cols = 8, rows = 4,
    title = "테스트 얼굴: 원본, 잡음, 두 모델의 잡음 제거" .. NOTE,
    caption = "테스트 얼굴 8장. 위에서부터 원본, 잡음 낀 입력(표준편차 0.3), " ..
              "증강 없이 학습한 모델의 출력, 증강하며 학습한 모델의 출력" .. NOTE,
    label = "fig-a2-denoised"})
end

-- 학습 곡선
plot.line(nil, {h_plain.history.loss, h_aug.history.loss}, out "loss.png",
  {labels = {"증강 없이", "증강하며"}, marker = true, title = "훈련 손실" .. NOTE,
   xlabel = "에포크 (epoch)", ylabel = "MSE", caption = "두 모델의 에포크별 훈련 손실" .. NOTE,
   label = "fig-a2-loss"})
print("그림: augmented.png, denoised.png, loss.png")
