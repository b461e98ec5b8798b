-- chapters_ch9.lua - the chapter 9 labs whose output the student reads,
-- each run as a student runs it (./workbook run ch9/X.lua,
-- WORKBOOK_QUICK=1) in a child process: LAB 9-1 prints the chapter's
-- 4x4 pooling example and draws pooling and Laplacian figures that show
-- something; the face projects print the majority-class baseline, mark
-- every accuracy at or below it and say they ran in quick mode;
-- train_backbone.lua in quick mode writes under out/ and leaves the
-- shipped backbone alone; every lab prints the folder it wrote to.
local t = require "tap"
local image = require "image"

local L = require("helpers.chapter_labs")(t, "ch9")
local lab, has = L.lab, L.has

-- LAB 9-1 ---------------------------------------------------------------------------
do
  local s = lab("ch9/lab1.lua", {
    {"최대 풀링 2x2 (max pool):\ntensor(shape=(2, 2))\n[[6, 2],\n [2, 8]]", "max pooling of the chapter's 4x4 example"},
    {"평균 풀링 2x2 (average pool):\ntensor(shape=(2, 2))\n[[3.7500, 1.2500],\n [1.0000, 5.5000]]",
     "average pooling of the chapter's 4x4 example"},
    {"잘라 낸 영역 (64, 64, 1) -> 풀링 후 (32, 32, 1)", "the pooled crop is half the size"},
    {"스트라이드 2:  (256, 256, 1)", "stride 2 halves the size"},
    {"그림 저장 위치: $WORKBOOK_OUT/ch9/lab1/", "the folder it wrote to"},
  }, {{"pooling_crop.png", 900, 600}, {"gaussian_stride2.png", 700, 500}, {"montage.png", 1200, 900},
      {"laplacian.png", 512, 512}})
  -- max and average pooling differ in the crop (the figure's last panel)
  local dmax = L.number(s, "최대%-평균 차이 최대 ([%d.]+)")
  t.ok(dmax and dmax > 0.05, "ch9/lab1: max and average pooling differ visibly in the crop")
  -- the Laplacian picture has contrast: mostly light background, a
  -- real share of dark edge pixels (the old min..max stretch left
  -- nearly every pixel mid-grey)
  local ok, img = pcall(image.load, L.outdir .. "/ch9/lab1/laplacian.png")
  if t.ok(ok, "ch9/lab1: laplacian.png readable") then
    local g = img:mean(3)
    local light, dark = g:gt(0.8):sum() / g:numel(), g:lt(0.3):sum() / g:numel()
    t.ok(light > 0.5, ("ch9/lab1: Laplacian background light (%.2f of pixels above 0.8)"):format(light))
    t.ok(dark > 0.01, ("ch9/lab1: Laplacian edges dark (%.3f of pixels below 0.3)"):format(dark))
  end
end

-- the face projects: the baseline, the marks, the quick-mode notes -----------------
-- every accuracy in the table at or below the baseline carries "!", and
-- the warning lists exactly those
local function check_marks(s, name)
  local baseline = L.number(s, "기준선: 언제나 \"얼굴 아님\"이라고 답하면 테스트 정확도 ([%d.]+)")
  t.ok(baseline and baseline > 0.5 and baseline < 1, name .. ": the majority-class baseline printed")
  return baseline
end

do
  local s = lab("ch9/project_face_transfer.lua", {
    {"WORKBOOK_QUICK=1 (빠른 실행: 에포크 CNN 5, 헤드 5, 미세 조정 3)", "quick mode said at the start"},
    {"같은 테스트 조각 133개에 대한 테스트 정확도 (학습 시간) (빠른 실행: 에포크 CNN 5, 헤드 5, 미세 조정 3)",
     "quick mode said beside the table"},
  }, {})
  local baseline = check_marks(s, "ch9/project_face_transfer")
  t.is(baseline and ("%.3f"):format(baseline), "0.812", "ch9/project_face_transfer: baseline 108/133")
  local marked, low, cells = 0, 0, 0
  for row in s:gmatch("\n(%S+[^\n]-%(%s*[%d.]+s%)[^\n]*)") do
    for acc, mark in row:gmatch("(%d%.%d%d%d)([! ])%(") do
      acc, cells = tonumber(acc), cells + 1
      if acc <= baseline then low = low + 1 end
      if mark == "!" then marked = marked + 1 end
      if (acc <= baseline) ~= (mark == "!") then
        t.ok(false, ("ch9/project_face_transfer: %.3f marked %q against baseline %.3f"):format(acc, mark, baseline))
      end
    end
  end
  t.is(cells, 12, "ch9/project_face_transfer: 3 rows x 4 accuracies read from the table")
  t.is(marked, low, "ch9/project_face_transfer: every cell at or below the baseline marked, no other")
  local warned = tonumber(s:match("경고: 다음 (%d+)칸은 기준선"))
  t.is(warned or 0, low, "ch9/project_face_transfer: the warning counts the marked cells")
  local listed = 0
  for _ in s:gmatch("\n  ! ") do listed = listed + 1 end
  t.is(listed, low, "ch9/project_face_transfer: the warning lists each of them")
end

do
  local s = lab("ch9/project_face_cnn.lua", {
    {"WORKBOOK_QUICK=1 (빠른 실행: CNN 5 에포크, 전체 실행은 30)", "quick mode said at the start"},
    {"HOG + SVM      CNN (빠른 실행: CNN 5 에포크, 전체 실행은 30)", "quick mode said beside the table"},
    {"그림 저장 위치: $WORKBOOK_OUT/ch9/project_face_cnn/", "the folder it wrote to"},
  }, {{"history.png", 800, 350}, {"detect_cnn.png", 400, 400}, {"detect_svm.png", 400, 400}})
  local baseline = check_marks(s, "ch9/project_face_cnn")
  local svm, cnn = s:match("테스트 정확도 +([%d.]+) +([%d.]+)")
  for name, acc in pairs({["HOG + SVM"] = tonumber(svm), CNN = tonumber(cnn)}) do
    local warned = s:find("경고: " .. name:gsub("%+", "%%+") .. "의 정확도") ~= nil
    t.is(warned, acc ~= nil and baseline ~= nil and acc <= baseline,
         "ch9/project_face_cnn: " .. name .. " warned exactly when at or below the baseline")
  end
end

-- train_backbone.lua: quick mode, out/ only -----------------------------------------
do
  local data = require "data"
  local shipped = data.path("models/fashion_backbone.wbw")
  local function bytes(path)
    local f = assert(io.open(path, "rb"))
    local b = f:read("a")
    f:close()
    return b
  end
  local before = bytes(shipped)
  local s = lab("ch9/train_backbone.lua", {
    {"(빠른 실행: 훈련 이미지 2,000장, 1 에포크)", "quick mode said beside the accuracy"},
    {"워크북에 들어 있는 data/models/fashion_backbone.wbw는 그대로이다", "the shipped file untouched"},
  }, {})
  t.ok(bytes(shipped) == before, "ch9/train_backbone: data/models/fashion_backbone.wbw unchanged")
  local f = io.open(L.outdir .. "/ch9/train_backbone/fashion_backbone.txt")
  local record = f and f:read("a")
  if f then f:close() end
  t.ok(record and record:find("Fashion%-MNIST train %(2000%), 1 epochs") ~= nil,
       "ch9/train_backbone: the record in out/ names the quick run")
  local w = io.open(L.outdir .. "/ch9/train_backbone/fashion_backbone.wbw", "rb")
  t.ok(w ~= nil, "ch9/train_backbone: the weights written under out/")
  if w then w:close() end
  local _, rc = L.run("ch9/train_backbone.lua --replace")
  t.is(rc, 2, "ch9/train_backbone: --replace refused in quick mode")
  t.ok(bytes(shipped) == before, "ch9/train_backbone: ... and the shipped file still unchanged")
end

L.done()
t.done()
