-- chapters_ch9_lab2.lua - LAB 9-2 (the CNN on Fashion-MNIST) run as a
-- student runs it (WORKBOOK_QUICK=1) in a child process writing into a
-- temporary out folder: exit status 0, the Korean lines that carry the
-- lesson, every figure written and not blank (single-image predictions,
-- the misclassified grid, the history with the tested epoch marked), the
-- mistakes counted as the accuracy counts them, the weights saved and
-- read back by a model of the same architecture.
local t = require "tap"
local L = require("helpers.chapter_labs")(t, "ch9_lab2")

local s = L.lab("ch9/lab2.lua", {
  {"WORKBOOK_QUICK=1: 훈련 이미지 6,000장으로 2 에포크만", "quick mode says so"},
  {"Total params: 242,570", "the CNN's 242,570 parameters"},
  {"그림과 가중치를 저장한 폴더: ", "the lab says where it wrote"},
}, {{"history.png", 500, 300}, {"confusion.png", 400, 400}, {"predict_1.png", 600, 300},
    {"predict_2.png", 600, 300}, {"predict_3.png", 600, 300}, {"mistakes.png", 500, 400},
    {"filters.png", 200, 100}, {"feature_maps.png", 300, 200}})
local acc = L.number(s, "테스트 정확도%(accuracy%) ([%d.]+)")
t.ok(acc and acc > 0.6, "ch9/lab2: the quick CNN beats chance by far")
local wrong = L.number(s, "테스트 이미지 2000장 가운데 (%d+)장을 틀렸다")
t.ok(wrong and acc and math.abs(wrong - (1 - acc) * 2000) < 1.5,
     "ch9/lab2: the mistakes counted are the ones the accuracy counts")

-- the saved model, loaded whole (no layers written out here), gives the
-- same test accuracy
local path = L.outdir .. "/ch9/lab2/cnn.h5"
local f = io.open(path)
if t.ok(f ~= nil, "ch9/lab2: the whole model saved") then f:close() end
local nn, data = require "nn", require "data"
local fm = data.fashion_mnist()
local m = nn.models.load_model(path)
local _, acc2 = m:evaluate(fm.test.x:slice(1, 1, 2000), fm.test.y:slice(1, 1, 2000), {verbose = 0})
L.near(acc2, acc, 1e-4, "ch9/lab2: load_model reproduces the test accuracy")
L.done()
t.done()
