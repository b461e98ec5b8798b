-- k-NN 직접 만들기: 닥스훈트와 사모예드
-- 개 16마리의 몸 길이와 몸 높이로 새로운 개의 품종을 맞힌다. 거리 계산,
-- 가까운 순서로 정렬, 다수결 투표를 텐서 연산으로 직접 해 본 뒤, 같은 일을
-- 하는 ml.KNeighborsClassifier와 비교하고, k = 1, 3, 5, 9의 결정 영역을 그린다.
-- 실행: ./workbook run ch5/lab1.lua   (그림은 out/ch5/lab1/ 에 저장된다)
local T, ml, plot = require "tensor", require "ml", require "plot"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end

-- %% 5.2 데이터 준비: 개의 몸 길이와 몸 높이(cm)
-- 교재의 데이터: 닥스훈트 8마리(레이블 0), 사모예드 8마리(레이블 1)
local dach = T{{77, 25}, {78, 28}, {85, 19}, {83, 30}, {73, 21}, {77, 22}, {73, 17}, {80, 35}}
local samo = T{{75, 56}, {77, 57}, {86, 50}, {86, 53}, {79, 60}, {83, 53}, {83, 49}, {88, 61}}
local X = T.concat({dach, samo}, 1)                 -- (16, 2)
local y = T.concat({T.zeros(8), T.ones(8)})         -- (16)
local NAMES = {"닥스훈트(Dachshund)", "사모예드(Samoyed)"}
print(("개 %d마리, 특성 %d개(몸 길이, 몸 높이)"):format(X:shape()[1], X:shape()[2]))

local new_dog = T{79, 35}
plot.scatter(X, out "dogs.png", {classes = y, class_names = NAMES, size = 6,
  overlay = {{x = {79}, y = {35}, marker = "D", color = "green", size = 8, label = "새 데이터 (79, 35)"}},
  title = "개의 몸 크기", xlabel = "몸 길이(cm)", ylabel = "몸 높이(cm)",
  caption = "닥스훈트와 사모예드의 몸 길이와 몸 높이. 초록색 점이 품종을 알고 싶은 새 개이다.",
  fig_label = "fig-dogs"})

-- %% 5.3 k-NN을 텐서 연산으로 직접 만들기
-- 1) 새 데이터와 모든 훈련 데이터 사이의 유클리드 거리
-- 2) 거리가 가까운 순서로 정렬(argsort)해 앞의 k개를 고른다
-- 3) 그 k개의 레이블로 다수결 투표(bincount 후 argmax)
local function knn_by_hand(Xtrain, ytrain, x, k)
  local dist = (Xtrain - x):square():sum(2):sqrt()       -- (N)
  local order = dist:argsort()                           -- 가까운 순서의 번호(1부터)
  local nearest = order:slice(1, 1, k)
  local votes = ytrain:rows(nearest):bincount({minlength = 2})   -- 품종별 표 수
  return votes:argmax() - 1, votes, dist, order          -- argmax도 1부터 센다
end

title("새 데이터 (79, 35)와 가까운 개 다섯 마리")
local _, _, dist, order = knn_by_hand(X, y, new_dog, 5)
for r = 1, 5 do
  local i = math.tointeger(order[r])
  print(("%d. (%2d, %2d) %s, 거리 %.2f"):format(r, X[i][1], X[i][2],
        NAMES[math.tointeger(y[i]) + 1], dist[i]))
end
book.value("nearest_dist", dist[math.tointeger(order[1])], "%.2f")

title("직접 만든 k-NN과 KNeighborsClassifier의 판정")
local agree = 0
local checks = 0
for _, q in ipairs {{79, 35}, {82, 40}} do
  local qx = T(q)
  for _, k in ipairs {1, 3, 5, 9} do
    local mine, votes = knn_by_hand(X, y, qx, k)
    local knn = ml.KNeighborsClassifier{n_neighbors = k}:fit(X, y)
    local theirs = knn:predict(T{q})[1]
    checks = checks + 1
    if mine == theirs then agree = agree + 1 end
    print(("데이터 (%d, %d), k = %d: 표 %d:%d -> 직접 %s / sklearn %s"):format(q[1], q[2], k,
          votes[1], votes[2], NAMES[mine + 1], NAMES[math.tointeger(theirs) + 1]))
  end
end
print(("%d번 가운데 %d번 같은 판정"):format(checks, agree))

-- %% 5.3 k에 따라 달라지는 결정 영역
-- 평면의 모든 점을 분류해 색칠하면 분류기가 평면을 어떻게 나누는지 보인다.
-- k = 1은 훈련 데이터 하나하나에 맞춘 들쭉날쭉한 경계를, k가 클수록
-- 매끄러운 경계를 만든다. k = 9는 16마리 가운데 절반 넘게 투표에 참여한다.
local fig = plot.subplots{cols = 2, title = "k에 따른 k-NN의 결정 영역", width = 420, height = 360}
for _, k in ipairs {1, 3, 5, 9} do
  local knn = ml.KNeighborsClassifier{n_neighbors = k}:fit(X, y)
  plot.decision_regions(knn, X, y, fig, {class_names = NAMES, size = 5,
    title = ("k = %d (훈련 정확도 %.2f)"):format(k, knn:score(X, y)),
    xlabel = "몸 길이(cm)", ylabel = "몸 높이(cm)", xlim = {60, 100}, ylim = {5, 75}})
end
fig:save(out "dog_regions.png", {caption = "k = 1, 3, 5, 9일 때 k-NN이 평면을 나누는 모양. " ..
  "색칠된 영역은 그 자리에 새 개가 오면 내릴 판정이다.", label = "fig-dog-regions"})

-- %% k가 경계를 바꾸는 모습: 두 클래스가 겹치는 데이터
-- 개 데이터는 두 품종이 깨끗이 갈라져 있어 k가 달라도 경계가 비슷하다.
-- 두 클래스가 서로 파고드는 초승달 데이터(make_moons)에 잡음을 섞으면
-- k = 1은 잡음 점 하나하나에 섬을 만들고(과대적합), k가 커질수록 경계가 매끄러워진다.
local data = require "data"
local Xm, ym = data.make_moons{n_samples = 200, noise = 0.3, random_state = 0}
local Xm_tr, Xm_te, ym_tr, ym_te = ml.train_test_split(Xm, ym, {test_size = 0.5, random_state = 0})
local MOON = {"클래스 0", "클래스 1"}
local figm = plot.subplots{cols = 2, title = "겹치는 데이터에서 k에 따른 결정 영역", width = 420, height = 360}
title("초승달 데이터: 훈련 100개, 테스트 100개")
for _, k in ipairs {1, 3, 5, 9} do
  local knn = ml.KNeighborsClassifier{n_neighbors = k}:fit(Xm_tr, ym_tr)
  local tr, te = knn:score(Xm_tr, ym_tr), knn:score(Xm_te, ym_te)
  print(("k = %d: 훈련 정확도 %.2f, 테스트 정확도 %.2f"):format(k, tr, te))
  book.value(("moons_train_k%d"):format(k), tr, "%.2f")
  book.value(("moons_test_k%d"):format(k), te, "%.2f")
  plot.decision_regions(knn, Xm_tr, ym_tr, figm, {class_names = MOON, size = 4,
    title = ("k = %d (훈련 %.2f, 테스트 %.2f)"):format(k, tr, te), xlabel = "특성 x1", ylabel = "특성 x2"})
end
figm:save(out "moon_regions.png", {caption = "잡음이 섞인 초승달 데이터(훈련 100개)에서 k = 1, 3, 5, 9의 " ..
  "결정 영역. k = 1은 점 하나하나를 따라 섬을 만들고, k가 클수록 경계가 매끄럽다.",
  label = "fig-moon-regions"})

-- %% 5.3 한쪽 품종이 적으면: k가 너무 크면 다수 품종이 이긴다
-- 사모예드를 3마리만 남기고 k = 9로 판정하면, 사모예드 한가운데의 점도
-- 닥스훈트로 판정된다. 투표자의 대부분이 닥스훈트이기 때문이다.
local Xs = T.concat({dach, samo:slice(1, 1, 3)}, 1)
local ys = T.concat({T.zeros(8), T.ones(3)})
title("사모예드 3마리만 있을 때 (80, 56)의 판정")
for _, k in ipairs {1, 3, 9} do
  local p = ml.KNeighborsClassifier{n_neighbors = k}:fit(Xs, ys):predict(T{{80, 56}})[1]
  print(("k = %d: %s"):format(k, NAMES[math.tointeger(p) + 1]))
end
