-- 붓꽃(iris) 데이터의 k-NN 분류와 평가 지표
-- 붓꽃 150송이를 훈련 데이터와 테스트 데이터로 나누어 k-NN으로 품종을
-- 맞히고, 혼동 행렬(confusion matrix), 정밀도(precision), 재현율(recall),
-- F1 점수로 평가한다. 마지막으로 데이터를 잘못 나누면(샘플링 편향) 성능
-- 측정이 얼마나 틀어지는지 잰다.
-- 실행: ./workbook run ch5/lab2.lua   (그림은 out/ch5/lab2/ 에 저장된다)
local T, ml, plot, data = require "tensor", require "ml", require "plot", require "data"
local book = require "book"
local metrics = ml.metrics

local function title(s) print("\n== " .. s .. " ==") end
local function ids(v) -- a tensor of class ids as one line of digits
  local t = {}
  for i, x in ipairs(v:totable()) do t[i] = ("%d"):format(x) end
  return table.concat(t, " ")
end

-- %% 5.4 붓꽃 데이터 준비하기
local iris = data.iris()
local X, y = iris.data, iris.target
print(("iris 데이터의 형태: (%d, %d)"):format(X:shape()[1], X:shape()[2]))
print("특성: " .. table.concat(iris.feature_names, ", "))
print("품종: " .. table.concat(iris.target_names, ", "))
local counts = y:bincount()
print(("품종별 개수: %d, %d, %d"):format(counts[1], counts[2], counts[3]))
print("레이블(처음 10개, 51-60번, 마지막 10개): " .. ids(y:slice(1, 1, 10)) .. " | " ..
      ids(y:slice(1, 51, 60)) .. " | " .. ids(y:slice(1, 141, 150)))

-- %% 5.5 훈련 데이터와 테스트 데이터로 나누어 학습하기
-- 30%를 테스트 데이터로 떼어 둔다. stratify = y는 세 품종의 비율을 훈련
-- 데이터와 테스트 데이터에서 같게 유지한다(층화 추출, stratified sampling).
local Xtr, Xte, ytr, yte = ml.train_test_split(X, y, {test_size = 0.3, random_state = 1, stratify = y})
print(("훈련 %d송이, 테스트 %d송이"):format(Xtr:shape()[1], Xte:shape()[1]))
local knn = ml.KNeighborsClassifier{n_neighbors = 5}:fit(Xtr, ytr)
local pred = knn:predict(Xte)
title("k = 5의 테스트 예측")
print("정답: " .. ids(yte))
print("예측: " .. ids(pred))
local acc5 = metrics.accuracy_score(yte, pred)
print(("n_neighbors가 5일 때 정확도: %.4f"):format(acc5))
book.value("acc_k5", acc5, "%.3f")
book.value("n_test", Xte:shape()[1], "%d")

-- %% k를 바꾸어 가며 테스트 정확도 재기
title("k에 따른 훈련/테스트 정확도")
local ks, acc_tr, acc_te = {}, {}, {}
for k = 1, 25, 2 do
  local m = ml.KNeighborsClassifier{n_neighbors = k}:fit(Xtr, ytr)
  ks[#ks + 1] = k
  acc_tr[#acc_tr + 1] = m:score(Xtr, ytr)
  acc_te[#acc_te + 1] = m:score(Xte, yte)
  print(("k = %2d: 훈련 %.4f, 테스트 %.4f"):format(k, acc_tr[#acc_tr], acc_te[#acc_te]))
end
plot.line(ks, {acc_tr, acc_te}, out "accuracy_vs_k.png", {labels = {"훈련 데이터", "테스트 데이터"},
  marker = true, title = "k에 따른 k-NN의 정확도", xlabel = "이웃의 수 k", ylabel = "정확도(accuracy)",
  caption = "붓꽃 데이터에서 k에 따른 훈련 정확도와 테스트 정확도. k = 1의 훈련 정확도는 자기 자신이 " ..
            "가장 가까운 이웃이라 언제나 1이다.", label = "fig-iris-accuracy-k"})

-- %% 5.6 새로운 꽃 분류하기, 그리고 훈련 데이터로 잰 정확도의 함정
local knn_all = ml.KNeighborsClassifier{n_neighbors = 3}:fit(X, y)
local new = T{{4, 2, 1.3, 0.4}, {4, 3, 3.2, 2.2}}
local p_new = knn_all:predict(new)
title("전체 150송이로 학습한 k = 3 모델")
for i = 1, 2 do
  local f = new[i]:totable()
  print(("[%.1f, %.1f, %.1f, %.1f] 특성을 가지는 품종: %s"):format(f[1], f[2], f[3], f[4],
    iris.target_names[math.tointeger(p_new[i]) + 1]))
end
local acc_all = knn_all:score(X, y)
print(("학습에 쓴 150송이로 잰 정확도: %.4f (테스트 데이터가 아니므로 믿을 수 없다)"):format(acc_all))
book.value("acc_all", acc_all, "%.3f")

-- %% 5.7 혼동 행렬
-- 행은 실제 품종, 열은 예측한 품종이다. 대각선이 맞힌 개수이다.
local cm = metrics.confusion_matrix(yte, pred)
title("혼동 행렬 (k = 5, 테스트 데이터)")
for i = 1, 3 do
  print(("%-10s %3d %3d %3d"):format(iris.target_names[i], cm[i][1], cm[i][2], cm[i][3]))
end
plot.confusion_matrix(yte, pred, out "confusion.png", {class_names = iris.target_names,
  title = "붓꽃 k-NN(k = 5)의 혼동 행렬",
  caption = "테스트 데이터 45송이에 대한 혼동 행렬. 행은 실제 품종, 열은 예측한 품종이다.",
  label = "fig-iris-confusion"})

-- %% 5.8 정밀도, 재현율, F1 점수
-- 교재의 예: 음성(0) 10개와 양성(1) 10개, 그리고 어떤 분류기의 예측
local target = T{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
local guess = T{0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1}
local b = metrics.confusion_matrix(target, guess)
local tn, fp, fn, tp = b[1][1], b[1][2], b[2][1], b[2][2]
title("이진 분류의 혼동 행렬과 지표")
print(("TN = %d, FP = %d, FN = %d, TP = %d"):format(tn, fp, fn, tp))
print(("정밀도 TP/(TP+FP) = %.4f, sklearn과 같은 함수: %.4f"):format(tp / (tp + fp),
      metrics.precision_score(target, guess)))
print(("재현율 TP/(TP+FN) = %.4f, sklearn과 같은 함수: %.4f"):format(tp / (tp + fn),
      metrics.recall_score(target, guess)))
print(("정확도 = %.4f, F1 점수 = %.4f"):format(metrics.accuracy_score(target, guess),
      metrics.f1_score(target, guess)))
book.value("bin_precision", metrics.precision_score(target, guess), "%.3f")
book.value("bin_recall", metrics.recall_score(target, guess), "%.3f")
book.value("bin_f1", metrics.f1_score(target, guess), "%.3f")

-- %% 정확도만 보면 속는다: 언제나 "사모예드"라고 답하는 분류기
-- 사모예드가 90마리, 닥스훈트가 10마리인 데이터에서 입력을 보지도 않고
-- 언제나 사모예드(1)라고 답하면 정확도는 0.9이다. 그러나 닥스훈트(0)를
-- 양성으로 보면 재현율은 0이다. 닥스훈트를 한 마리도 찾지 못한다.
local dogs_true = T.concat({T.zeros(10), T.ones(90)})
local always_samoyed = T.ones(100)
title("언제나 사모예드라고 답하는 분류기 (닥스훈트 10, 사모예드 90)")
print(("정확도 = %.4f"):format(metrics.accuracy_score(dogs_true, always_samoyed)))
print(("닥스훈트의 재현율 = %.4f, F1 = %.4f"):format(
  metrics.recall_score(dogs_true, always_samoyed, {pos_label = 0}),
  metrics.f1_score(dogs_true, always_samoyed, {pos_label = 0})))
book.value("always_acc", metrics.accuracy_score(dogs_true, always_samoyed), "%.1f")

-- 다중 분류에서는 품종마다 "그 품종이 양성"인 이진 문제로 보고 지표를 구한 뒤
-- 평균한다. classification_report가 이것을 한 표로 보여 준다.
title("classification_report (k = 5, 테스트 데이터)")
print(metrics.classification_report(yte, pred, {target_names = iris.target_names, digits = 4}))
book.value("macro_f1", metrics.f1_score(yte, pred, {average = "macro"}), "%.3f")

-- %% 5.7 샘플링 편향 1: 정렬된 데이터를 가운데서 자르기
-- 붓꽃 데이터는 품종 순서로 정렬되어 있다. 섞지 않고(shuffle = false) 앞의
-- 70%를 훈련, 뒤의 30%를 테스트로 자르면 테스트 데이터는 모두 virginica이고,
-- 훈련 데이터에는 virginica가 5송이뿐이다.
local Xa, Xb, ya, yb = ml.train_test_split(X, y, {test_size = 0.3, shuffle = false})
local ca, cb = ya:bincount({minlength = 3}), yb:bincount({minlength = 3})
local biased = ml.KNeighborsClassifier{n_neighbors = 5}:fit(Xa, ya)
local pb = biased:predict(Xb)
local acc_biased = metrics.accuracy_score(yb, pb)
title("샘플링 편향 1: 섞지 않고 앞 70% / 뒤 30%")
print(("훈련 데이터의 품종별 개수: %d, %d, %d"):format(ca[1], ca[2], ca[3]))
print(("테스트 데이터의 품종별 개수: %d, %d, %d"):format(cb[1], cb[2], cb[3]))
print("예측: " .. ids(pb))
print(("테스트 정확도: %.4f (층화 추출한 분할에서는 %.4f)"):format(acc_biased, acc5))
book.value("acc_biased", acc_biased, "%.3f")
book.value("biased_virginica", ca[3], "%d")

-- %% 샘플링 편향 2: 층화 추출 없이 작게 나누기
-- 무작위로 섞어도 테스트 데이터가 작으면 품종의 비율이 흔들린다. 테스트 데이터를
-- 15송이로 하여 여러 번 나누어 보고, 층화 추출과 비교한다.
local REPEAT = 400
local function spread(strat)
  local worst, accs = 0, {}
  for seed = 1, REPEAT do
    local o = {test_size = 15, random_state = seed}
    if strat then o.stratify = y end
    local a, bx, ay, by = ml.train_test_split(X, y, o)
    local c = by:bincount({minlength = 3})
    worst = math.max(worst, c:max() - c:min())
    accs[#accs + 1] = ml.KNeighborsClassifier{n_neighbors = 5}:fit(a, ay):score(bx, by)
  end
  local v = T(accs)
  return worst, v:mean(), v:std(), v:min()
end
title(("샘플링 편향 2: 테스트 15송이로 %d번 나누기"):format(REPEAT))
local w1, m1, s1, lo1 = spread(false)
local w2, m2, s2, lo2 = spread(true)
print(("층화 추출 없음: 품종 개수 차이 최대 %d, 정확도 평균 %.3f, 표준편차 %.3f, 최저 %.3f"):format(w1, m1, s1, lo1))
print(("층화 추출    : 품종 개수 차이 최대 %d, 정확도 평균 %.3f, 표준편차 %.3f, 최저 %.3f"):format(w2, m2, s2, lo2))
book.value("random_worst_gap", w1, "%d")
book.value("random_acc_std", s1, "%.3f")
book.value("strat_acc_std", s2, "%.3f")
