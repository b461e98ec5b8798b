-- chapters_ch12.lua - the labs of chapter 12 (autoencoders), each run as a
-- student runs it (./workbook run ch12/labK.lua, WORKBOOK_QUICK=1) in a
-- child process writing into a temporary out folder: exit status 0, the
-- parameter counts Keras's formulas fix (Dense in*out + out), losses that
-- fall, reconstruction errors below the mean-image baseline, every figure
-- not blank. Before the labs: LAB 12-1's 3-2-3 elu autoencoder compiled
-- with no optimizer (Keras's default RMSprop) takes the same full-batch
-- steps from the same initial weights as torch.optim.RMSprop configured as
-- Keras's (tests/fixtures/make_ch12_fixtures.py): the same losses and
-- weights.
local t = require "tap"
local nn, T = require "nn", require "tensor"
local AEF = dofile(arg[0]:match("(.*/)") .. "../fixtures/ch12_ae.lua")

local L = require("helpers.chapter_labs")(t, "ch12")
local lab, has, number, near = L.lab, L.has, L.number, L.near

local function dense(i, o) return i * o + o end
local function conv(k, i, o) return k * k * i * o + o end

-- the 3-2-3 autoencoder against PyTorch ------------------------------------------
do
  local enc = nn.Sequential{nn.Dense(2, {input_shape = {3}, activation = "elu"})}
  local dec = nn.Sequential{nn.Dense(3, {input_shape = {2}, activation = "elu"})}
  local AE = nn.Sequential{enc, dec}
  AE:compile{loss = "mse"}
  t.is(AE.optimizer.kind, "RMSprop", "compile{loss = 'mse'} alone: Keras's default optimizer, RMSprop")
  local w = {}
  for i, a in ipairs(AEF.init) do w[i] = T(a) end
  AE:set_weights(w)
  local X = T(AEF.X)
  local h = AE:fit(X, X, {epochs = AEF.steps, batch_size = #AEF.X, shuffle = false, verbose = 0})
  local worst = 0
  for i = 1, AEF.steps do
    worst = math.max(worst, math.abs(h.history.loss[i] - AEF.losses[i]) / AEF.losses[i])
  end
  t.ok(worst < 1e-5, ("3-2-3 AE: %d full-batch RMSprop steps, the losses of torch (worst rel. %.2g)")
       :format(AEF.steps, worst))
  local fw = AE:get_weights()
  for i, name in ipairs {"encoder kernel", "encoder bias", "decoder kernel", "decoder bias"} do
    local d = (fw[i] - T(AEF.final[i])):abs():max()
    t.ok(d < 1e-5, ("3-2-3 AE: the %s after the steps as torch's (max diff %.2g)"):format(name, d))
  end
  -- the codes are the encoder's own output: elu(X W1 + b1)
  local codes = enc:predict(X)
  local by_hand = (X:matmul(fw[1]) + fw[2])
  by_hand = by_hand:relu() + (by_hand:minimum(0):exp() - 1)
  t.ok((codes - by_hand):abs():max() < 1e-5, "3-2-3 AE: enc:predict is elu(X W + b) of the shared weights")
end

-- LAB 12-1: the 3-2-3 autoencoder on the roll -----------------------------------
do
  local s = lab("ch12/lab1.lua", {
    {"롤 데이터 1500x3", "1500 points in 3-D"},
    {"옵티마이저: RMSprop (learning_rate 0.001, rho 0.9, epsilon 1e-07)", "Keras's rmsprop defaults"},
  }, {{"roll.png", 500, 400}, {"loss.png", 500, 400}, {"codes.png", 500, 400},
      {"recovered.png", 500, 400}})
  has(s, ("Total params: %d"):format(dense(3, 2) + dense(2, 3)), "ch12/lab1: 3-2-3 has 8 + 9 = 17 parameters")
  local first, last = s:match("첫 에포크 손실 ([%d.]+) %-> 마지막%(30%) 에포크 손실 ([%d.]+)")
  first, last = tonumber(first), tonumber(last)
  t.ok(first and last and last < 0.5 * first, "ch12/lab1: the loss falls to under half in 30 epochs")
  local base = number(s, "기준선: 모든 점을 평균 한 점으로 복원할 때의 MSE ([%d.]+)")
  local rec = number(s, "복원한 점과 원래 점의 평균 제곱 오차 ([%d.]+)")
  -- the book's roll: var(x) + var(y) + var(z) over 3 is about 0.25
  near(base, 0.25, 0.03, "ch12/lab1: the mean-point baseline is the roll's mean variance")
  t.ok(rec and base and rec < base, "ch12/lab1: the 2-D code reconstructs better than the mean point")
end

-- LAB 12-2: deeper autoencoders on the roll --------------------------------------
do
  local s = lab("ch12/lab2.lua", {}, {{"loss.png", 500, 400}, {"codes.png", 900, 300},
                                      {"recovered.png", 900, 300}})
  local base = number(s, "기준선%(평균 한 점으로 복원%) MSE ([%d.]+)")
  local counts = {
    {"한 층", dense(3, 2) + dense(2, 3)},
    {"교재의 다층", dense(3, 2) + 2 * dense(2, 2) + 2 * dense(2, 2) + dense(2, 3)},
    {"넓은 다층", dense(3, 16) + dense(16, 16) + dense(16, 2) + dense(2, 16) + dense(16, 16) + dense(16, 3)},
  }
  local mse = {}
  for i, c in ipairs(counts) do
    local p, m = s:match("\n +(%d+) +([%d.]+)  " .. c[1])
    t.is(tonumber(p), c[2], "ch12/lab2: " .. c[1] .. ": Keras's Dense count")
    mse[i] = tonumber(m)
    t.ok(mse[i] and base and mse[i] < base, "ch12/lab2: " .. c[1] .. " reconstructs below the mean-point baseline")
  end
  -- the encoder's own summary: Dense(2) on 3 inputs, then two Dense(2) on 2
  has(s, "Total params: 20", "ch12/lab2: the deep encoder's 8 + 6 + 6")
  has(s, "Total params: 21", "ch12/lab2: the deep decoder's 6 + 6 + 9")
  -- a nonlinear 2-D code of a rolled-up sheet: the wide deep one beats the
  -- one-layer (nearly linear) one by far (0.03 against 0.09 in every run seen)
  t.ok(mse[3] and mse[1] and mse[3] < 0.7 * mse[1], "ch12/lab2: the wide deep AE beats the one-layer AE")
end

-- LAB 12-3: dense and convolutional autoencoders on Fashion-MNIST ----------------
do
  local s = lab("ch12/lab3.lua", {
    {"훈련 3000x784, 시험 1000x784", "quick mode: 3000 training images flattened"},
    {"훈련 이미지 20장의 코드: 20x64", "64 numbers per image"},
  }, {{"dense_loss.png", 500, 400}, {"dense_codes.png", 900, 200}, {"dense_train.png", 900, 400},
      {"dense_test.png", 900, 400}, {"conv_loss.png", 500, 400}, {"conv_test.png", 900, 400}})
  local enc = dense(784, 64) + 2 * dense(64, 64)
  local dec = 2 * dense(64, 64) + dense(64, 784)
  has(s, ("sequential (Sequential)      (None, 64)                %d"):format(enc),
      "ch12/lab3: the dense encoder 784-64-64-64")
  has(s, ("Total params: %d,%03d"):format((enc + dec) // 1000, (enc + dec) % 1000),
      "ch12/lab3: the dense autoencoder's Keras count")
  local first, last = s:match("밀집 오토인코더: 첫 에포크 손실 ([%d.]+) %-> 마지막 에포크 손실 ([%d.]+)")
  t.ok(tonumber(last) and tonumber(last) < tonumber(first), "ch12/lab3: the dense AE's loss falls")
  local mean = number(s, "\n +([%d.]+)  평균 이미지 한 장")
  local pca = number(s, "\n +([%d.]+)  PCA %(주성분 64개%)")
  local dae = number(s, "\n +([%d.]+)  밀집 오토인코더")
  t.ok(mean and mean > 0.05 and mean < 0.15, "ch12/lab3: the mean image's test MSE (about 0.09)")
  t.ok(pca and mean and pca < 0.3 * mean, "ch12/lab3: PCA-64 reconstructs far better than the mean image")
  t.ok(dae and mean and dae < 0.5 * mean, "ch12/lab3: the dense AE reconstructs far better than the mean image")
  -- the convolutional one: Keras's Conv2D / Conv2DTranspose counts k*k*in*out + out
  local cenc = conv(3, 1, 16) + conv(3, 16, 16) + dense(9216, 64)
  local cdec = dense(64, 9216) + conv(3, 16, 16) + conv(3, 16, 1)
  has(s, "conv2d (Conv2D)              (None, 26, 26, 16)        160", "ch12/lab3: Conv2D(16, 3x3) on 28x28x1")
  has(s, "conv2d_1 (Conv2D)            (None, 24, 24, 16)        2320", "ch12/lab3: Conv2D(16, 3x3) on 26x26x16")
  has(s, "reshape (Reshape)            (None, 24, 24, 16)        0", "ch12/lab3: Reshape(24, 24, 16)")
  has(s, "conv2d_transpose (Conv2DTran (None, 26, 26, 16)        2320",
      "ch12/lab3: Conv2DTranspose(16, 3x3): 24 -> (24 - 1) + 3 = 26")
  has(s, "conv2d_transpose_1 (Conv2DTr (None, 28, 28, 1)         145",
      "ch12/lab3: Conv2DTranspose(1, 3x3): 26 -> 28, 145 parameters")
  has(s, ("Total params: %d,%03d\n"):format(cenc // 1000, cenc % 1000), "ch12/lab3: the conv encoder's Keras count")
  has(s, ("Total params: %d,%03d\n"):format(cdec // 1000, cdec % 1000), "ch12/lab3: the conv decoder's Keras count")
  local cf, cl = s:match("합성곱 오토인코더: 첫 에포크 손실 ([%d.]+) %-> 마지막 에포크 손실 ([%d.]+)")
  t.ok(tonumber(cl) and tonumber(cl) < tonumber(cf), "ch12/lab3: the conv AE's loss falls")
  local cae = number(s, "\n +([%d.]+)  합성곱 오토인코더")
  t.ok(cae and mean and cae < 0.5 * mean, "ch12/lab3: the conv AE reconstructs far better than the mean image")
  -- quick mode, 3 epochs on 3000 images: 0.017 against 0.029 in every run seen
  t.ok(cae and dae and cae < dae, "ch12/lab3: the conv AE beats the dense AE at the same code size")
end

-- LAB 12-4: new dresses from the latent space ------------------------------------
do
  local s = lab("ch12/lab4.lua", {
    {"훈련 이미지 3000장, 클래스 3은 'Dress'", "quick mode: 3000 images; class 3 is Dress"},
  }, {{"dresses.png", 900, 100}, {"dress_codes.png", 900, 100}, {"mean_dress.png", 300, 150},
      {"generated.png", 900, 400}, {"walk.png", 900, 200}})
  local total = conv(3, 1, 16) + conv(3, 16, 16) + dense(9216, 100) + dense(100, 9216) + conv(3, 16, 16) + conv(3, 16, 1)
  has(s, ("Total params: %d,%03d,%03d"):format(total // 1000000, total // 1000 % 1000, total % 1000),
      "ch12/lab4: the book's conv autoencoder with a 100-number code: Keras's count")
  local n_dress = number(s, "드레스 (%d+)장의 코드: %d+x100")
  -- the first 3000 training labels hold 312 dresses (Fashion-MNIST's own file)
  t.ok(n_dress and n_dress > 250 and n_dress < 350, "ch12/lab4: about a tenth of the images are dresses")
  local lo, hi = s:match("생성한 이미지 50장: 픽셀 값 범위 ([%d.-]+) ~ ([%d.-]+)")
  lo, hi = tonumber(lo), tonumber(hi)
  -- elu outputs are above -1; images in [0, 1] decode to about that range
  t.ok(lo and hi and lo > -1 and hi < 1.5 and hi > 0.3, "ch12/lab4: generated pixels in a sane range")
  local gen = number(s, "생성한 이미지와 가장 가까운 훈련 드레스의 픽셀당 MSE 평균 ([%d.]+)")
  local own = number(s, "훈련 드레스 %d+장끼리 가장 가까운 것의 픽셀당 MSE 평균 ([%d.]+)")
  t.ok(gen and gen > 0 and gen < 0.08, "ch12/lab4: each generated dress lies near some training dress")
  t.ok(own and own > 0, "ch12/lab4: training dresses are not copies of one another")
end

L.done()
t.done()
