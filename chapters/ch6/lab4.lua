-- LAB 6-2, 6-3 결정 트리: 지니 불순도와 엔트로피로 붓꽃 나누기
-- LAB 6-2는 꽃받침(sepal)의 길이와 너비 두 특성으로 지니 불순도 트리를, LAB 6-3은
-- 네 특성 모두로 엔트로피 트리를 만든다. 트리를 그림으로 그리고(plot.tree),
-- 글로 출력하고(ml.export_text), 특성 중요도(feature importance)를 본다.
-- 루트의 분할이 정말 불순도를 가장 많이 줄이는지 직접 계산해 확인한다.
-- 실행: ./workbook run ch6/lab4.lua   (그림은 out/ch6/lab4/ 에 저장된다)
local T, ml, plot, data = require "tensor", require "ml", require "plot", require "data"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end

local iris = data.iris()
local X, y = iris.data, iris.target
local FEATURES = {"꽃받침 길이", "꽃받침 너비", "꽃잎 길이", "꽃잎 너비"}
local CLASSES = iris.target_names

-- 루트 노드의 분할을 직접 평가한다: 그 특성과 임곗값으로 나눈 두 묶음의 정보 이득
local function root_gain(tree, Xf, criterion)
  local f, thr = tree.tree_.feature[1] + 1, tree.tree_.threshold[1]
  local parent, left, right = {}, {}, {}
  for i = 1, Xf:shape()[1] do
    local label = y[i]
    parent[#parent + 1] = label
    if Xf:get(i, f) <= thr then left[#left + 1] = label else right[#right + 1] = label end
  end
  return f, thr, ml.information_gain(parent, {left, right}, {criterion = criterion}),
         #left, #right
end

-- 트리가 계산한 루트의 불순도 감소: 루트 불순도 - 두 자식 불순도의 가중 평균
local function tree_gain(tree)
  local t = tree.tree_
  local l, r = t.children_left[1] + 1, t.children_right[1] + 1
  local n = t.n_node_samples[1]
  return t.impurity[1] - (t.n_node_samples[l] * t.impurity[l] + t.n_node_samples[r] * t.impurity[r]) / n
end

-- %% LAB 6-2 꽃받침 두 특성으로 만든 지니 트리
local X2 = X:slice(2, 1, 2):contiguous()
local gini_tree = ml.DecisionTreeClassifier{max_depth = 3, random_state = 0}:fit(X2, y)
title("LAB 6-2: 꽃받침의 길이와 너비, criterion = 'gini', max_depth = 3")
print(("깊이 %d, 잎 %d개, 훈련 정확도 %.4f"):format(gini_tree:get_depth(), gini_tree:get_n_leaves(),
  gini_tree:score(X2, y)))
print(("루트의 지니 불순도: 직접 1 - 3·(1/3)² = %.4f / 트리 %.4f"):format(1 - 3 * (1 / 3) ^ 2,
  gini_tree.tree_.impurity[1]))
local f, thr, g, nl, nr = root_gain(gini_tree, X2, "gini")
print(("루트의 질문: %s <= %.2f (왼쪽 %d송이, 오른쪽 %d송이)"):format(FEATURES[f], thr, nl, nr))
print(("지니 불순도 감소: 직접 계산 %.4f / 트리 %.4f"):format(g, tree_gain(gini_tree)))
book.value("gini_acc", gini_tree:score(X2, y), "%.3f")
book.value("gini_root_thr", thr, "%.2f")
book.value("gini_root_gain", g, "%.3f")

plot.tree(gini_tree, out "tree_gini.png", {feature_names = {"꽃받침 길이", "꽃받침 너비"},
  class_names = CLASSES, filled = true, fontsize = 10, title = "LAB 6-2: 지니 불순도 트리 (꽃받침)",
  caption = "꽃받침의 길이와 너비로 만든 깊이 3의 결정 트리. 상자마다 질문, 지니 불순도, " ..
            "샘플 수, 클래스별 샘플 수(value), 다수 클래스가 적혀 있다.", label = "fig-tree-gini"})
plot.decision_regions(gini_tree, X2, y, out "regions_gini.png", {class_names = CLASSES,
  title = "LAB 6-2 트리의 결정 영역", xlabel = "꽃받침 길이 (cm)", ylabel = "꽃받침 너비 (cm)",
  caption = "꽃받침 트리의 결정 영역. 트리의 질문은 한 번에 한 특성만 보므로 경계가 축에 " ..
            "나란한 선분으로 이루어진다.", label = "fig-regions-gini"})

-- %% LAB 6-3 네 특성으로 만든 엔트로피 트리
local ent_tree = ml.DecisionTreeClassifier{max_depth = 3, criterion = "entropy", random_state = 0}:fit(X, y)
title("LAB 6-3: 네 특성, criterion = 'entropy', max_depth = 3")
print(("깊이 %d, 잎 %d개, 훈련 정확도 %.4f"):format(ent_tree:get_depth(), ent_tree:get_n_leaves(),
  ent_tree:score(X, y)))
print(("루트의 엔트로피: 직접 log₂3 = %.4f / 트리 %.4f"):format(math.log(3, 2), ent_tree.tree_.impurity[1]))
f, thr, g, nl, nr = root_gain(ent_tree, X, "entropy")
print(("루트의 질문: %s <= %.2f (왼쪽 %d송이, 오른쪽 %d송이)"):format(FEATURES[f], thr, nl, nr))
print(("정보 이득: 직접 계산 %.4f / 트리 %.4f"):format(g, tree_gain(ent_tree)))
book.value("ent_acc", ent_tree:score(X, y), "%.3f")
book.value("ent_root_gain", g, "%.3f")
print()
io.write(ml.export_text(ent_tree, {feature_names = {"sepal_length", "sepal_width",
  "petal_length", "petal_width"}}))
local imp = ent_tree.feature_importances_
print("특성 중요도: " .. table.concat((function()
  local o = {}
  for i = 1, 4 do o[i] = ("%s %.6f"):format(FEATURES[i], imp[i]) end
  return o
end)(), ", "))
book.value("imp_petal_length", imp[3], "%.3f")
book.value("imp_petal_width", imp[4], "%.3f")

plot.tree(ent_tree, out "tree_entropy.png", {feature_names = FEATURES, class_names = CLASSES,
  filled = true, fontsize = 10, title = "LAB 6-3: 엔트로피 트리 (네 특성)",
  caption = "네 특성과 엔트로피로 만든 깊이 3의 결정 트리. 첫 질문 하나로 세토사(setosa)가 " ..
            "모두 떨어져 나간다.", label = "fig-tree-entropy"})
plot.feature_importances(ent_tree, out "importances.png", {feature_names = FEATURES,
  values = true, caption = "엔트로피 트리의 특성 중요도. 꽃잎의 길이와 너비가 거의 전부이다.",
  label = "fig-importances"})
