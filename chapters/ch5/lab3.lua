-- LAB 5-1 붓꽃 데이터를 군집화하자
-- 레이블 없이 데이터만 보고 무리를 나누는 k-평균(k-means) 군집화를 개
-- 데이터와 붓꽃 데이터에 적용한다. 군집 번호를 다수결로 품종에 맞추어
-- 다시 붙이고 정확도를 잰 뒤, 엘보 그래프(elbow plot)로 k를 고른다.
-- 실행: ./workbook run ch5/lab3.lua   (그림은 out/ch5/lab3/ 에 저장된다)
local T, ml, plot, data = require "tensor", require "ml", require "plot", require "data"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end
local function ids(v)
  local t = {}
  for i, x in ipairs(v:totable()) do t[i] = ("%d"):format(x) end
  return table.concat(t, " ")
end

-- %% 5.10 레이블 없는 개 데이터의 군집화
-- 1절의 개 16마리에서 품종(레이블)을 지우고 몸 길이와 몸 높이만 남긴다.
-- k-평균은 k개의 중심을 두고 (1) 각 점을 가장 가까운 중심에 배정하고
-- (2) 중심을 배정된 점들의 평균으로 옮기는 일을 중심이 멈출 때까지 되풀이한다.
local dogs = T{{77, 25}, {78, 28}, {85, 19}, {83, 30}, {73, 21}, {77, 22}, {73, 17}, {80, 35},
               {75, 56}, {77, 57}, {86, 50}, {86, 53}, {79, 60}, {83, 53}, {83, 49}, {88, 61}}
local fig = plot.subplots{cols = 3, title = "레이블 없는 개 데이터의 k-평균 군집화", width = 360, height = 340}
title("개 데이터의 군집")
for _, k in ipairs {2, 3, 4} do
  local km = ml.KMeans{n_clusters = k, n_init = 10, random_state = 0}:fit(dogs)
  print(("k = %d: 군집 %s, 관성(inertia) %.1f"):format(k, ids(km.labels_), km.inertia_))
  plot.scatter(dogs, fig, {classes = km.labels_, size = 6, title = ("k = %d"):format(k),
    xlabel = "몸 길이(cm)", ylabel = "몸 높이(cm)", legend = false,
    overlay = {{X = km.cluster_centers_, marker = "x", color = "black", size = 9}}})
end
fig:save(out "dog_clusters.png", {caption = "레이블 없는 개 16마리를 k = 2, 3, 4개의 군집으로 나눈 결과. " ..
  "검은 x는 군집의 중심이다. k = 2는 두 품종을 그대로 찾아낸다.", label = "fig-dog-clusters"})

-- %% LAB 5-1 붓꽃 데이터를 세 군집으로 나누기
-- 품종이 세 가지이므로 k = 3으로 둔다. k-평균은 레이블(iris.target)을 보지 않는다.
local iris = data.iris()
local X, y = iris.data, iris.target
local k = #iris.target_names
print(("\nkMeans 군집화 적용: n_clusters = %d"):format(k))
local model = ml.KMeans{n_clusters = k, n_init = 10, random_state = 0}:fit(X)
local labels = model:predict(X)
title("군집화 결과 labels")
print(ids(labels))
print(("관성(inertia, 중심까지 거리 제곱의 합) = %.4f, 반복 %d번"):format(model.inertia_, model.n_iter_))
book.value("inertia_best", model.inertia_, "%.2f")
book.value("inertia_best4", model.inertia_, "%.4f")

-- %% 군집 번호를 품종에 맞추어 다시 붙이기
-- 군집 번호 0, 1, 2는 k-평균이 아무렇게나 붙인 이름이라 품종 번호와 다르다.
-- 군집마다 그 안에 가장 많은 품종(다수결)을 찾아 그 품종의 번호를 붙인다.
local function relabel(lab, truth, kk)
  local map, new = {}, lab:clone()
  for c = 0, kk - 1 do
    local members = truth:masked(lab:eq(c))
    map[c] = members:numel() > 0 and math.tointeger(members:bincount({minlength = kk}):argmax()) - 1 or c
    new:masked_set(lab:eq(c), map[c])
  end
  return new, map
end
local new_labels, map = relabel(labels, y, k)
title("다시 레이블링한 결과")
for c = 0, k - 1 do
  print(("군집 %d -> %s"):format(c, iris.target_names[map[c] + 1]))
end
print(ids(new_labels))
local acc = ml.metrics.accuracy_score(y, new_labels)
print(("iris 데이터의 군집화 정확도: %.4f"):format(acc))
book.value("cluster_acc", acc, "%.3f")
local cm = ml.metrics.confusion_matrix(y, new_labels)
for i = 1, 3 do
  print(("%-10s %3d %3d %3d"):format(iris.target_names[i], cm[i][1], cm[i][2], cm[i][3]))
end
book.value("versicolor_as_virginica", cm[2][3], "%d")
book.value("virginica_as_versicolor", cm[3][2], "%d")

-- 꽃잎 길이와 꽃잎 너비로 군집과 실제 품종을 나란히 그린다.
local petal = X:slice(2, 3, 4)
local centers = model.cluster_centers_:slice(2, 3, 4)
local fig2 = plot.subplots{cols = 2, title = "k-평균 군집과 실제 품종", width = 440, height = 380}
plot.scatter(petal, fig2, {classes = new_labels, class_names = iris.target_names, size = 4,
  title = "k-평균 군집(다수결로 이름 붙임)", xlabel = "꽃잎 길이(cm)", ylabel = "꽃잎 너비(cm)",
  overlay = {{X = centers, marker = "x", color = "black", size = 9, label = "중심"}}})
plot.scatter(petal, fig2, {classes = y, class_names = iris.target_names, size = 4,
  title = "실제 품종", xlabel = "꽃잎 길이(cm)", ylabel = "꽃잎 너비(cm)"})
fig2:save(out "iris_clusters.png", {caption = "붓꽃 150송이의 k-평균 군집(왼쪽, 네 특성으로 군집화하고 " ..
  "꽃잎 두 특성으로 그림)과 실제 품종(오른쪽). versicolor와 virginica의 경계에서 둘이 다르다.",
  label = "fig-iris-clusters"})

-- %% 시작점이 나쁘면: 초기 중심을 직접 정하기
-- init에 (k, 특성 수) 텐서를 주면 그 점들에서 출발해 한 번만 실행한다.
-- k-평균은 출발점에서 가까운 골짜기(지역 최솟값, local minimum)에 멈출 수 있다.
-- 그래서 기본값은 k-means++로 고른 서로 다른 출발점에서 n_init = 10번 실행해
-- 관성이 가장 작은 결과를 고른다. 같은 init으로 사이킷런을 실행하면 같은
-- 군집과 같은 관성이 나온다.
title("초기 중심을 직접 정한 k-평균 (n_init = 1)")
for _, rows in ipairs {{1, 2, 3}, {1, 2, 51}} do
  local init = T.stack({X[rows[1]], X[rows[2]], X[rows[3]]})
  local fixed = ml.KMeans{n_clusters = 3, init = init, n_init = 1}:fit(X)
  local fixed_new = relabel(fixed.labels_, y, k)
  local tag = table.concat(rows, ",")
  local cnt = fixed.labels_:bincount({minlength = 3})
  print(("init = %s번 꽃: 관성 = %.4f, 반복 %d번, 군집 크기 %d/%d/%d, 다시 레이블링한 정확도 %.4f")
        :format(tag, fixed.inertia_, fixed.n_iter_, cnt[1], cnt[2], cnt[3],
                ml.metrics.accuracy_score(y, fixed_new)))
  print("  labels: " .. ids(fixed.labels_))
  local key = tag:gsub(",", "_")
  book.value("inertia_init_" .. key, fixed.inertia_, "%.4f")
  book.value("acc_init_" .. key, ml.metrics.accuracy_score(y, fixed_new), "%.3f")
end

-- %% 엘보 그래프: k를 어떻게 정할까
-- k를 늘리면 관성은 언제나 줄어든다(k = 150이면 0). 관성이 크게 줄다가
-- 완만해지는 "팔꿈치(elbow)"가 알맞은 k의 후보이다.
local ks, inertias = {}, {}
title("k에 따른 관성")
for kk = 1, 10 do
  local m = ml.KMeans{n_clusters = kk, n_init = 10, random_state = 0}:fit(X)
  ks[kk], inertias[kk] = kk, m.inertia_
  print(("k = %2d: 관성 %.4f"):format(kk, m.inertia_))
end
book.value("inertia_k1", inertias[1], "%.1f")
book.value("inertia_k2", inertias[2], "%.1f")
book.value("inertia_k3", inertias[3], "%.1f")
book.value("inertia_k4", inertias[4], "%.1f")
plot.line(ks, inertias, out "elbow.png", {marker = true, title = "엘보 그래프: k에 따른 관성",
  xlabel = "군집의 수 k", ylabel = "관성(inertia)",
  caption = "붓꽃 데이터에서 군집의 수 k에 따른 k-평균의 관성. k = 2와 3 사이에서 " ..
            "줄어드는 폭이 급히 작아진다.", label = "fig-elbow"})
