-- chapters_ch11.lua - the labs of chapter 11 (dimensionality reduction and
-- manifold learning), each run as a student runs it (./workbook run
-- ch11/labK.lua, WORKBOOK_QUICK=1) in a child process writing into a
-- temporary out folder: exit status 0, the lines that carry the lesson,
-- every figure not blank, and the results against scikit-learn 1.2 on the
-- very data the lab drew (tests/fixtures/make_ch11_fixtures.py; the labs
-- save their random data under out/, this test first checks a fresh run
-- drew the fixture's data again). Tolerances are the issue's: PCA 1e-4
-- (signs included), KernelPCA and Isomap 1e-3 up to each column's sign,
-- LLE a Procrustes disparity below 1e-3.
local t = require "tap"
local T = require "tensor"
local linalg = require "linalg"
local DIR = "tests/fixtures/ch11/"
local SK = dofile(DIR .. "answers.lua")
local function fixture(name) return T.load(DIR .. name .. ".npy") end

local L = require("helpers.chapter_labs")(t, "ch11")
local lab, has, number, near = L.lab, L.has, L.number, L.near
local function saved(labname, file) return T.load(("%s/ch11/%s/%s"):format(L.outdir, labname, file)) end

-- largest |a - b| / max(|b|, 1), each column of a first turned to b's sign
-- when signs = true; math.huge for different shapes
local function err(a, b, signs)
  a, b = a:double(), b:double()
  local sa, sb = a:shape(), b:shape()
  if #sa ~= #sb or sa[1] ~= sb[1] or sa[2] ~= sb[2] then return math.huge end
  if signs then
    a = a:clone()
    for c = 1, sa[2] do
      local ca = a:slice(2, c, c)
      if (ca * b:slice(2, c, c)):sum() < 0 then ca:copy(ca * -1) end
    end
  end
  return ((a - b):abs() / b:abs():maximum(1)):max()
end

local function close(a, b, tol, name, signs)
  local e = err(a, b, signs)
  if not t.ok(e <= tol, name) then t.diag(("error %g > %g"):format(e, tol)) end
end

-- scipy.spatial.procrustes' disparity of two (n, p) configurations
local function disparity(a, b)
  local function standard(m)
    m = m:double()
    m = m - m:mean(1)
    return m / math.sqrt((m * m):sum())
  end
  a, b = standard(a), standard(b)
  local _, s = linalg.svd(a:transpose(1, 2):matmul(b))
  return 1 - s:sum() ^ 2
end

local function procrustes(a, b, name)
  local d = disparity(a, b)
  if not t.ok(d < 1e-3, name) then t.diag(("disparity %g"):format(d)) end
end

-- the lab drew the fixture's input again (same seed, same numbers)
local function same_data(labname, file, fix)
  local a, b = saved(labname, file), fixture(fix)
  t.ok(err(a, b) == 0, ("ch11/%s: %s is the fixture's input, to the bit"):format(labname, file))
end

-- lab1: the curse of dimensionality, measured ---------------------------------------
do
  local s = lab("ch11/lab1.lua", {
    {"WORKBOOK_QUICK=1: 점 1000개, 질의점 100개 대신 점 200개, 질의점 20개로 잰다", "quick mode says so"},
    {"최근접/최원점", "the table's nearest / farthest column"},
  }, {{"curse.png", 1000, 300}})
  local function row(d)
    local m, th, r, e, et = s:match(("\n%%s*%d +([%%d.]+) +([%%d.]+) +([%%d.]+) +([%%d.]+) +([%%d.]+)\n"):format(d))
    return tonumber(m), tonumber(th), tonumber(r), tonumber(e), tonumber(et)
  end
  local m2, _, r2 = row(2)
  local m1000, th1000, r1000, e1000, et1000 = row(1000)
  t.ok(r2 and r1000 and r2 < 0.1 and r1000 > 0.8,
       "ch11/lab1: nearest/farthest goes from near 0 (d = 2) to near 1 (d = 1000)")
  near(m1000, th1000, 0.03 * th1000, "ch11/lab1: the mean distance in 1000-d is about sqrt(d/6)")
  t.ok(m2 and m2 < 1, "ch11/lab1: in 2-d two random points lie closer than 1")
  near(et1000, 1 - 0.98 ^ 1000, 1e-3, "ch11/lab1: 1-(1-2e)^d printed for d = 1000")
  near(e1000, 1, 1e-3, "ch11/lab1: in 1000-d every point lies within 0.01 of the surface")
end

-- lab2 (LAB 11-1): PCA by SVD against ml.PCA and scikit-learn --------------------------
do
  local s = lab("ch11/lab2.lua", {
    {"데이터 모양:\t1000 x 3", "1000 points in 3-d"},
  }, {{"data3d.png", 600, 500}, {"components3d.png", 600, 500}, {"projection.png", 800, 380}})
  same_data("lab2", "X.npy", "lab2_X")
  close(saved("lab2", "components.npy"), fixture("lab2_components"), 1e-4,
        "ch11/lab2: ml.PCA's components_ as scikit-learn's, signs included")
  close(saved("lab2", "X2d.npy"), fixture("lab2_X2d"), 1e-4,
        "ch11/lab2: ml.PCA's fit_transform as scikit-learn's")
  local r = saved("lab2", "ratio.npy")
  near(r[1], SK.lab2_ratio1, 1e-4, "ch11/lab2: explained_variance_ratio_[1] as scikit-learn")
  near(r[2], SK.lab2_ratio2, 1e-4, "ch11/lab2: explained_variance_ratio_[2] as scikit-learn")
  local d = number(s, "부호를 맞춘 뒤 최대 차이 ([%d.e+-]+)")
  t.ok(d and d < 1e-6, "ch11/lab2: the SVD by hand gives ml.PCA's components up to sign")
  local hand = s:match("설명된 분산의 비율:[^\n]*\n%[([%d., ]+)%]")
  local h1 = hand and tonumber(hand:match("^%s*([%d.]+)"))
  near(h1, SK.lab2_ratio1, 1e-4, "ch11/lab2: the first ratio by hand as scikit-learn")
end

-- lab3: kernel PCA with four kernels --------------------------------------------------
do
  lab("ch11/lab3.lua", {
    {"WORKBOOK_QUICK=1: 점 5000개 대신 500개로 줄인다", "quick mode: 500 points"},
    {"롤 데이터: 500 x 3", "the roll's shape"},
  }, {{"roll3d.png", 600, 500}, {"kpca.png", 1100, 700}})
  same_data("lab3", "X.npy", "lab3_X")
  close(saved("lab3", "linear.npy"), fixture("lab3_linear"), 1e-4,
        "ch11/lab3: linear PCA as scikit-learn's, signs included")
  for _, k in ipairs {"poly", "rbf", "sigmoid", "cosine"} do
    close(saved("lab3", k .. ".npy"), fixture("lab3_" .. k), 1e-3,
          "ch11/lab3: KernelPCA " .. k .. " as scikit-learn's up to sign", true)
  end
end

-- lab4 (LAB 11-2): PCA of Fashion-MNIST ------------------------------------------------
do
  local s = lab("ch11/lab4.lua", {
    {"WORKBOOK_QUICK=1: 훈련 이미지 6,000장과 테스트 이미지 1,000장만 쓴다", "quick mode's subsets"},
    {"주성분 100개: 압축된 모양 1000 x 100", "test images coded by 100 components"},
    {"주성분  25개: 압축된 모양 1000 x 25", "test images coded by 25 components"},
  }, {{"reconstructions.png", 1000, 400}, {"components.png", 1000, 250}, {"cumulative.png", 600, 450}})
  for _, k in ipairs {100, 25} do
    local v, m = s:match(("주성분 +%d개: [^\n]-설명된 분산 ([%%d.]+), 테스트 재구성 MSE ([%%d.]+)"):format(k))
    near(tonumber(v), SK["lab4_var_" .. k], 1e-4, ("ch11/lab4: %d components' explained variance as scikit-learn"):format(k))
    near(tonumber(m), SK["lab4_mse_" .. k], 1e-5,
         ("ch11/lab4: test MSE rebuilt from %d components (transform, not a refit) as scikit-learn"):format(k))
  end
  local k90, k95, k99 = s:match("분산의 90%%: 주성분 (%d+)개, 95%%: (%d+)개, 99%%: (%d+)개")
  t.is(tonumber(k90), SK.lab4_k90, "ch11/lab4: components for 90% as scikit-learn")
  t.is(tonumber(k95), SK.lab4_k95, "ch11/lab4: components for 95% as scikit-learn")
  t.is(tonumber(k99), SK.lab4_k99, "ch11/lab4: components for 99% as scikit-learn")
  local first = s:match("처음 5개 주성분의 설명된 분산 비율: ([%d. ]+)")
  local i = 0
  for v in (first or ""):gmatch("[%d.]+") do
    i = i + 1
    near(tonumber(v), SK["lab4_ratio" .. i], 1e-4, ("ch11/lab4: explained_variance_ratio_[%d] as scikit-learn"):format(i))
  end
  t.is(i, 5, "ch11/lab4: five ratios printed")
end

-- lab5 (LAB 11-3): LLE by hand ---------------------------------------------------------
do
  local s = lab("ch11/lab5.lua", {
    {"WORKBOOK_QUICK=1: 점 1500개 대신 500개로 줄인다", "quick mode: 500 points"},
    {"이웃 7개, 가중치 행렬 W: 500 x 500", "k = 7, W is m x m"},
  }, {{"lle.png", 800, 380}})
  same_data("lab5", "X.npy", "lab5_X")
  local sk = fixture("lab5_lle")
  procrustes(saved("lab5", "Y_hand.npy"), sk, "ch11/lab5: LLE by hand as scikit-learn's (Procrustes < 1e-3)")
  procrustes(saved("lab5", "Y_ml.npy"), sk, "ch11/lab5: ml.LocallyLinearEmbedding as scikit-learn's (Procrustes < 1e-3)")
  local d = number(s, "프로크루스테스 차이: ([%d.e+-]+)")
  t.ok(d and d < 1e-6, "ch11/lab5: the hand-written LLE and ml's agree (printed disparity)")
end

-- lab6 (LAB 11-4): LLE, Isomap, t-SNE and MDS ---------------------------------------------
do
  local s = lab("ch11/lab6.lua", {
    {"롤: 300 x 3, 숫자: 400 x 64", "quick mode: 300 roll points, 400 digits"},
  }, {{"roll.png", 1200, 300}, {"digits.png", 1200, 300}})
  same_data("lab6", "X_roll.npy", "lab6_X_roll")
  for _, tag in ipairs {"roll", "digits"} do
    procrustes(saved("lab6", tag .. "_lle.npy"), fixture("lab6_" .. tag .. "_lle"),
               "ch11/lab6: LLE on the " .. tag .. " as scikit-learn's (Procrustes < 1e-3)")
    close(saved("lab6", tag .. "_isomap.npy"), fixture("lab6_" .. tag .. "_isomap"), 1e-3,
          "ch11/lab6: Isomap on the " .. tag .. " as scikit-learn's up to sign", true)
  end
  local rows = {}
  for _, m in ipairs {"LLE", "Isomap", "t-SNE", "MDS"} do
    local r, d = s:match("\n" .. m:gsub("%-", "%%-") .. " +([%d.]+) +([%d.]+)")
    rows[m] = {roll = tonumber(r), digits = tonumber(d)}
  end
  for _, tag in ipairs {"roll", "digits"} do
    near(rows.Isomap[tag], SK["lab6_tw_" .. tag .. "_isomap"], 1e-3,
         "ch11/lab6: Isomap's trustworthiness on the " .. tag .. " as scikit-learn")
    near(rows.LLE[tag], SK["lab6_tw_" .. tag .. "_lle"], 1e-3,
         "ch11/lab6: LLE's trustworthiness on the " .. tag .. " as scikit-learn")
    near(rows["t-SNE"][tag], SK["lab6_tw_" .. tag .. "_tsne"], 0.01,
         "ch11/lab6: t-SNE's trustworthiness on the " .. tag .. " within 0.01 of scikit-learn's")
    t.ok(rows.MDS[tag] and rows.MDS[tag] > 0.5 and rows.MDS[tag] <= 1,
         "ch11/lab6: MDS's trustworthiness on the " .. tag .. " printed")
  end
end

L.done()
t.done()
