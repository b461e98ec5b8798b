-- chapters_ch12_vae.lua - LAB 12-VAE (chapters/ch12/lab_vae.lua) runs as
-- a student runs it, in quick mode: the loss falls, the test loss splits
-- into its reconstruction and KL parts, the latent means stay in a
-- sensible range, and the four figures are drawn.
local t = require "tap"
local L = require("helpers.chapter_labs")(t, "ch12")

local s = L.lab("ch12/lab_vae.lua", {
  {"WORKBOOK_QUICK=1", "quick mode says so"},
  {"sampling (Sampling)", "the custom Sampling layer in the summary"},
  {"Total params: 404,244", "the VAE's parameter count"},
}, {{"loss.png", 500, 350}, {"latent.png", 600, 450}, {"grid.png", 1000, 1000},
    {"samples.png", 800, 300}})
local first = L.number(s, "에포크  1  손실 ([%d.]+)")
local last = L.number(s, "에포크  3  손실 ([%d.]+)")
t.ok(first and last and last < first, "ch12/lab_vae: the loss falls over the epochs")
local total, rec, kl = s:match("손실 ([%d.]+) = 복원%(BCE%) ([%d.]+) %+ KL/784 ([%d.]+)")
total, rec, kl = tonumber(total), tonumber(rec), tonumber(kl)
L.near(total, (rec or 0) + (kl or 0), 2e-4, "ch12/lab_vae: test loss = reconstruction + KL/784")
t.ok(kl and kl > 0 and kl < 0.1, "ch12/lab_vae: the KL part is positive and small")
local spread = L.number(s, "표준편차 ([%d.]+)")
t.ok(spread and spread > 0.3 and spread < 10, "ch12/lab_vae: the latent means are spread, not collapsed")
L.done()
t.done()
