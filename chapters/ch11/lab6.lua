-- LAB 11-4: 매니폴드 학습을 이용한 차원 축소 실습.
-- 같은 말린 종이 데이터와 손글씨 숫자(digits, 64차원) 데이터를 LLE,
-- Isomap, t-SNE, MDS로 2차원에 옮겨 비교한다. 말린 종이는 말린 면을
-- 따라간 위치로, 숫자는 정답 숫자로 색칠한다. 각 방법이 원래 공간의
-- 가까운 이웃을 얼마나 지켰는지 신뢰도(trustworthiness)로 잰다.
-- 그림은 out/ch11/lab6/ 에 저장된다.
local tensor, ml, plot, data = require "tensor", require "ml", require "plot", require "data"
local book = require "book"
local roll = require "roll"              -- 같은 폴더의 roll.lua

tensor.seed(1106)
local QUICK = os.getenv("WORKBOOK_QUICK") == "1"

-- %% 두 데이터
local n_roll, n_digits = 1000, 1797
if QUICK then
  n_roll, n_digits = 300, 400
  print("WORKBOOK_QUICK=1: 롤 점 1000개 대신 300개, 숫자 1797개 대신 앞의 400개만 쓴다")
end
local X_roll, u = roll.make(n_roll)
local digits = data.load_digits()
local X_dig = digits.data:slice(1, 1, n_digits):contiguous():double() / 16   -- 화소 값 0 ~ 1
local y_dig = digits.target:slice(1, 1, n_digits):contiguous()
print(("롤: %d x %d, 숫자: %d x %d"):format(n_roll, 3, n_digits, X_dig:shape()[2]))
book.value("n_roll", n_roll)
book.value("n_digits", n_digits)
tensor.save(X_roll, out "X_roll.npy")   -- 시험(test)이 사이킷런과 같은 데이터로 비교할 수 있게 저장

-- %% 네 가지 방법
-- LLE와 Isomap은 교재처럼 이웃 10개를 쓴다. t-SNE는 기본값(perplexity 30,
-- Barnes-Hut 근사, PCA 초기화)에 random_state만 정해 같은 결과가 나오게 했다.
-- MDS는 모든 점 쌍의 거리를 지키려고 하는 고전적인 방법으로, 비교를 위해 넣었다.
local function methods()
  return {
    {"LLE", ml.LocallyLinearEmbedding{n_neighbors = 10, n_components = 2}},
    {"Isomap", ml.Isomap{n_neighbors = 10, n_components = 2}},
    {"t-SNE", ml.TSNE{n_components = 2, random_state = 0}},
    {"MDS", ml.MDS{n_components = 2, n_init = 1, max_iter = 100, random_state = 0}},
  }
end

-- 한 데이터를 네 방법으로 옮기고 그림 한 장에 모은다
local scores = {}
local function embed(X, name, colour, title, path, caption, label)
  local fig = plot.subplots{cols = 4, title = title, width = 340, height = 330}
  scores[name] = {}
  for _, m in ipairs(methods()) do
    local Z = m[2]:fit_transform(X)
    local tw = ml.trustworthiness(X, Z, {n_neighbors = 5})
    scores[name][m[1]] = tw
    tensor.save(Z, out(("%s_%s.npy"):format(name, m[1]:gsub("%-", ""):lower())))
    local opts = {title = ("%s (신뢰도 %.3f)"):format(m[1], tw), size = 2,
                  xlabel = "첫째 좌표", ylabel = "둘째 좌표"}
    for k, v in pairs(colour) do opts[k] = v end
    if colour.classes then opts.legend = m[1] == "MDS" end   -- 범례는 마지막 그림에만
    plot.scatter(Z, fig, opts)
  end
  fig:save(out(path), {caption = caption, label = label})
end

-- %% 말린 종이
embed(X_roll, "roll", {values = u, cmap = "viridis"}, "말린 종이를 2차원으로",
      "roll.png", "LAB 11-4: 말린 종이 데이터를 네 가지 방법으로 2차원에 옮긴 결과. 색은 말린 면을 따라간 위치이다.",
      "fig-ch11-manifold-roll")

-- %% 손글씨 숫자
local names = {}
for d = 0, 9 do names[d + 1] = tostring(d) end
embed(X_dig, "digits", {classes = y_dig, class_names = names},
      "손글씨 숫자(64차원)를 2차원으로", "digits.png",
      "LAB 11-4: 손글씨 숫자 데이터를 네 가지 방법으로 2차원에 옮긴 결과. 색은 정답 숫자이다.",
      "fig-ch11-manifold-digits")

-- %% 신뢰도 비교
-- 신뢰도는 0 ~ 1이며, 저차원에서 이웃이 된 점들이 원래 공간에서도 이웃이었을수록 1에 가깝다
print(("%-8s %12s %12s"):format("방법", "말린 종이", "숫자"))
for _, m in ipairs {"LLE", "Isomap", "t-SNE", "MDS"} do
  print(("%-8s %12.4f %12.4f"):format(m, scores.roll[m], scores.digits[m]))
  local key = m:gsub("%-", ""):lower()
  book.value("tw_roll_" .. key, scores.roll[m], "%.3f")
  book.value("tw_digits_" .. key, scores.digits[m], "%.3f")
end
