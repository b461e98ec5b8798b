-- 로지스틱 회귀와 소프트맥스 회귀: 직접 만들고 LogisticRegression과 비교하기
-- 붓꽃(iris) 데이터로 (1) 꽃잎 너비 하나로 버지니카(virginica)인지 아닌지를
-- 가리는 이진 분류, (2) 꽃잎 길이와 너비로 세 품종을 가리는 다중 분류를 한다.
-- 두 경우 모두 시그모이드/소프트맥스와 경사 하강법을 텐서 연산으로 직접 짜고,
-- 사이킷런과 같은 이름의 ml.LogisticRegression이 같은 답을 내는지 확인한다.
-- 실행: ./workbook run ch6/lab2.lua   (그림은 out/ch6/lab2/ 에 저장된다)
local T, ml, plot, data = require "tensor", require "ml", require "plot", require "data"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end
local function list(t, fmt)
  local out = {}
  for i, v in ipairs(t) do out[i] = (fmt or "%.4f"):format(v) end
  return table.concat(out, ", ")
end

-- %% 데이터: 꽃잎 너비와 버지니카
local iris = data.iris()
local N = iris.data:shape()[1]
local width = iris.data:select(2, 4)               -- 꽃잎 너비 (cm)
local is_virginica = iris.target:eq(2)              -- 버지니카이면 1, 아니면 0
print(("붓꽃 %d송이, 버지니카 %d송이"):format(N, is_virginica:sum()))

-- %% 시그모이드와 경사 하강법으로 직접 학습하기
-- 가설: p = σ(wx + b), σ(z) = 1 / (1 + e^(-z)).
-- 손실은 교차 엔트로피(cross-entropy) 평균 L = -mean(y log p + (1 - y) log(1 - p)),
-- 그 기울기는 dL/dw = mean((p - y) x), dL/db = mean(p - y)로 선형 회귀와 같은 꼴이다.
local function sigmoid(z) return 1 / ((-z):exp() + 1) end
local function bce(p, y) return -(y * p:log() + (1 - y) * (1 - p):log()):mean() end
local STEPS = 40000
local w, b, eta = 0, 0, 1.0
for step = 1, STEPS do
  local p = sigmoid(width * w + b)
  local err = p - is_virginica
  w, b = w - eta * (err * width):mean(), b - eta * err:mean()
  if step == 1 or step == 100 or step == 1000 or step == STEPS then
    print(("걸음 %5d: w = %8.4f, b = %8.4f, 손실 = %.5f"):format(step, w, b, bce(sigmoid(width * w + b), is_virginica)))
  end
end

-- %% 같은 문제를 LogisticRegression으로
-- 규제 없이(penalty = 'none') 풀면 직접 구한 w, b와 같아야 한다. 사이킷런의
-- 기본값은 규제 강도 C = 1인 L2 규제라서 답이 조금 달라진다.
local X1 = width:reshape(N, 1)
local plain = ml.LogisticRegression{penalty = "none"}:fit(X1, is_virginica)
local default = ml.LogisticRegression():fit(X1, is_virginica)
local liblin = ml.LogisticRegression{solver = "liblinear"}:fit(X1, is_virginica)
title("이진 로지스틱 회귀: 직접 구현 / LogisticRegression")
print(("직접 구현한 경사 하강법:            w = %.4f, b = %.4f"):format(w, b))
print(("LogisticRegression(penalty='none'): w = %.4f, b = %.4f"):format(plain.coef_:get(1, 1), plain.intercept_[1]))
print(("LogisticRegression() (C = 1):       w = %.4f, b = %.4f"):format(default.coef_:get(1, 1), default.intercept_[1]))
local probe = T{{0.5}, {1.0}, {1.5}, {1.6}, {1.7}, {2.0}, {2.5}}
local p_hand = sigmoid(probe:reshape(-1) * w + b)
local p_plain = plain:predict_proba(probe):select(2, 2)
print("꽃잎 너비 0.5, 1.0, 1.5, 1.6, 1.7, 2.0, 2.5 cm에서 버지니카일 확률")
print("  직접 구현:          " .. list(p_hand:totable()))
print("  penalty='none':     " .. list(p_plain:totable()))
print("  C = 1 (lbfgs):      " .. list(default:predict_proba(probe):select(2, 2):totable()))
print("  C = 1 (liblinear):  " .. list(liblin:predict_proba(probe):select(2, 2):totable()))
local gap = (p_hand - p_plain):abs():max()
print(("직접 구현과 penalty='none'의 확률 차이의 최댓값: %.2e"):format(gap))
-- 결정 경계: p = 0.5, 곧 wx + b = 0인 x
local boundary = -b / w
print(("결정 경계(p = 0.5): 꽃잎 너비 %.3f cm"):format(boundary))
book.value("w_hand", w, "%.3f")
book.value("b_hand", b, "%.3f")
book.value("boundary", boundary, "%.2f")
book.value("w_c1", default.coef_:get(1, 1), "%.3f")

local grid = T.linspace(0, 3, 200)
plot.scatter(width, is_virginica, out "sigmoid_fit.png", {label = "붓꽃 (1 = 버지니카)", size = 3,
  alpha = 0.5, lines = {
    {x = grid, y = sigmoid(grid * w + b), color = "red", label = "직접 구현 σ(wx + b)"},
    {x = grid, y = default:predict_proba(grid:reshape(200, 1)):select(2, 2), color = "green",
     style = "--", label = "LogisticRegression (C = 1)"},
    {x = {boundary, boundary}, y = {0, 1}, color = "gray", style = "--", label = "결정 경계"}},
  title = "꽃잎 너비로 본 버지니카일 확률", xlabel = "꽃잎 너비 (cm)", ylabel = "확률 p",
  caption = "꽃잎 너비에 따른 버지니카일 확률. 빨간 곡선은 직접 학습한 시그모이드, 초록 점선은 " ..
            "규제가 있는 LogisticRegression 기본값, 회색 점선은 p = 0.5인 결정 경계이다.",
  fig_label = "fig-sigmoid-fit"})

-- %% 소프트맥스 회귀: 세 품종을 한 번에
-- 꽃잎 길이와 너비를 표준화한 두 특성으로 세 품종을 가린다. 클래스마다
-- 점수 z_k = w_k·x + b_k를 만들고 소프트맥스 p_k = e^(z_k) / Σ_j e^(z_j)로 확률을 낸다.
-- 사이킷런(lbfgs, multi_class='multinomial')이 최소화하는 값은
-- 교차 엔트로피의 평균 + ‖W‖² / (2 C N)이므로, 직접 구현도 같은 식을 줄인다.
local Xp = iris.data:slice(2, 3, 4):contiguous()
local scaler = ml.StandardScaler()
local Xs = scaler:fit_transform(Xp)
local K, C = 3, 1.0
local Y = T.zeros(N, K)
for i = 1, N do Y:set(i, iris.target[i] + 1, 1) end   -- 원-핫 인코딩(one-hot encoding)
local function softmax(Z)
  local E = (Z - Z:max(2, true)):exp()
  return E / E:sum(2, true)
end
local W, B = T.zeros(2, K), T.zeros(1, K)
local SM_STEPS = 6000
for _ = 1, SM_STEPS do
  local P = softmax(Xs:matmul(W) + B)
  local G = P - Y
  W = W - (Xs:transpose():matmul(G) / N + W / (C * N)) * 0.5
  B = B - G:mean(1, true) * 0.5
end
local P_hand = softmax(Xs:matmul(W) + B)
local soft = ml.LogisticRegression{C = C}:fit(Xs, iris.target)
local P_est = soft:predict_proba(Xs)
title("소프트맥스 회귀: 직접 구현 / LogisticRegression (multinomial)")
for k = 1, K do
  print(("%-10s 직접: w = (%7.4f, %7.4f), b = %7.4f   추정기: w = (%7.4f, %7.4f), b = %7.4f")
    :format(iris.target_names[k], W:get(1, k), W:get(2, k), B:get(1, k),
            soft.coef_:get(k, 1), soft.coef_:get(k, 2), soft.intercept_[k]))
end
local sm_gap = (P_hand - P_est):abs():max()
print(("150송이의 확률 차이의 최댓값: %.2e"):format(sm_gap))
local acc = soft:score(Xs, iris.target)
print(("훈련 정확도: %.4f"):format(acc))
local q = scaler:transform(T{{5.0, 1.7}, {4.9, 1.5}, {1.4, 0.2}})
local Pq = soft:predict_proba(q)
print("새 붓꽃 (꽃잎 길이, 너비) = (5.0, 1.7), (4.9, 1.5), (1.4, 0.2)의 품종별 확률")
for i = 1, 3 do print("  " .. list(Pq[i]:totable())) end
book.value("softmax_acc", acc, "%.3f")
book.value("softmax_gap", sm_gap, "%.0e")
book.value("p_versicolor", Pq:get(1, 2), "%.2f")
book.value("p_virginica", Pq:get(1, 3), "%.2f")

plot.decision_regions(soft, Xs, iris.target, out "softmax_regions.png", {
  class_names = iris.target_names,
  title = "소프트맥스 회귀의 결정 영역", xlabel = "꽃잎 길이 (표준화)", ylabel = "꽃잎 너비 (표준화)",
  caption = "표준화한 꽃잎 길이와 너비로 학습한 소프트맥스 회귀의 결정 영역. 경계는 " ..
            "모두 직선이다.", label = "fig-softmax-regions"})
