-- chapters_ch12_projects.lua - chapter 12's mini projects run as a
-- student runs them (./workbook run ch12/X.lua, WORKBOOK_QUICK=1) in a
-- child process: C1 trains a convolutional autoencoder on Fashion-MNIST
-- and maps its 128-d codes and the raw pixels with t-SNE (both maps
-- trustworthy, the figures drawn); A2 trains a denoising autoencoder
-- with and without augmentation (both outputs closer to the clean test
-- faces than the noisy input, the figures drawn).
local t = require "tap"

local L = require("helpers.chapter_labs")(t, "ch12p")
local lab = L.lab

-- C1: the latent space with t-SNE ---------------------------------------------------
do
  local s = lab("ch12/project_latent_tsne.lua", {
    {"WORKBOOK_QUICK=1", "says it ran in quick mode"},
    {"코드의 모양 (400, 128)", "the encoder gives 128-d codes"},
  }, {{"tsne.png", 1200, 500}, {"reconstructions.png", 800, 200}, {"loss.png", 600, 400}})
  local tc, tp = s:match("신뢰도 %(자기 입력 기준%)%s+([%d.]+)%s+([%d.]+)")
  tc, tp = tonumber(tc), tonumber(tp)
  t.ok(tc and tc > 0.9, ("C1: the codes' t-SNE map is trustworthy (%s > 0.9)"):format(tostring(tc)))
  t.ok(tp and tp > 0.9, ("C1: the pixels' t-SNE map is trustworthy (%s > 0.9)"):format(tostring(tp)))
  local ac, ap = s:match("2차원 5%-NN 정확도%s+([%d.]+)%s+([%d.]+)")
  ac, ap = tonumber(ac), tonumber(ap)
  t.ok(ac and ap and ac > 0.2 and ap > 0.2,
       "C1: classes are far from random in both maps (5-NN accuracy above 0.2, chance 0.1)")
  local mse = L.number(s, "테스트 이미지의 복원 오차%(MSE%) ([%d.]+)")
  t.ok(mse and mse < 0.08, ("C1: the autoencoder reconstructs (test MSE %s < 0.08)"):format(tostring(mse)))
end

-- A2: the denoising autoencoder ---------------------------------------------------------
do
  local s = lab("ch12/project_denoise_ae.lua", {
    {"WORKBOOK_QUICK=1", "says it ran in quick mode"},
    {"훈련 이미지 190장 (얼굴 80, 사진 조각 110), 테스트 얼굴 20장", "the data set"},
  }, {{"denoised.png", 800, 500}, {"augmented.png", 800, 250}, {"loss.png", 600, 400}})
  local noisy = L.number(s, "잡음 낀 입력%s+([%d.]+)")
  local plain = L.number(s, "잡음 제거 %(증강 없이%)%s+([%d.]+)")
  local aug = L.number(s, "잡음 제거 %(증강하며%)%s+([%d.]+)")
  t.ok(noisy and noisy > 0.03, "A2: the noisy input is far from the clean faces")
  t.ok(plain and noisy and plain < noisy, "A2: denoised (no augmentation) closer to the clean faces than the noisy input")
  t.ok(aug and noisy and aug < noisy, "A2: denoised (augmentation) closer to the clean faces than the noisy input")
end

L.done()
t.done()
