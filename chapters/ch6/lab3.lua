-- 정보이론 손으로 계산하기: 엔트로피, 교차 엔트로피, KL 발산, 정보 이득
-- 식을 그대로 Lua로 옮겨 계산하고, scipy.stats.entropy와 같은 ml.entropy,
-- 정보 이득을 재는 ml.information_gain의 값과 비교한다. 마지막으로
-- 테니스 데이터(14일의 날씨와 경기 여부)에서 ID3가 고를 첫 질문을 찾는다.
-- 실행: ./workbook run ch6/lab3.lua   (그림은 out/ch6/lab3/ 에 저장된다)
local T, ml, plot = require "tensor", require "ml", require "plot"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end
local function log2(x) return math.log(x, 2) end

-- %% 엔트로피: 놀라움의 평균
-- H(P) = -Σ p_i log₂ p_i (단위: 비트). 0 log 0은 0으로 친다.
local function H(p)
  local h = 0
  for _, v in ipairs(p) do if v > 0 then h = h - v * log2(v) end end
  return h
end
title("엔트로피 (비트): 직접 계산 / ml.entropy")
local cases = {
  {"공정한 동전", {0.5, 0.5}},
  {"앞면이 90%인 동전", {0.9, 0.1}},
  {"공정한 주사위", {1/6, 1/6, 1/6, 1/6, 1/6, 1/6}},
  {"늘 같은 결과", {1, 0}},
}
for _, c in ipairs(cases) do
  print(("H = %.4f / %.4f  %s"):format(H(c[2]), ml.entropy(c[2], {base = 2}), c[1]))
end
book.value("h_coin90", H{0.9, 0.1}, "%.3f")
book.value("h_die", H{1/6, 1/6, 1/6, 1/6, 1/6, 1/6}, "%.3f")

-- %% 교차 엔트로피와 KL 발산
-- 참 분포 P와 모델의 예측 Q: H(P, Q) = -Σ p_i log₂ q_i,
-- D_KL(P‖Q) = Σ p_i log₂(p_i / q_i) = H(P, Q) - H(P) ≥ 0.
local P = {0.7, 0.2, 0.1}
local Qs = {{"Q1 (비슷한 예측)", {0.6, 0.3, 0.1}}, {"Q2 (틀린 예측)", {0.1, 0.2, 0.7}}, {"Q3 = P", P}}
local function CE(p, q)
  local h = 0
  for i = 1, #p do if p[i] > 0 then h = h - p[i] * log2(q[i]) end end
  return h
end
title("P = (0.7, 0.2, 0.1)에 대한 교차 엔트로피와 KL 발산 (비트)")
print(("H(P) = %.4f"):format(H(P)))
for _, q in ipairs(Qs) do
  local ce, kl = CE(P, q[2]), ml.entropy(P, q[2], {base = 2})
  print(("H(P,Q) = %.4f, H(P,Q) - H(P) = %.4f, ml.entropy(P, Q) = %.4f  %s")
    :format(ce, ce - H(P), kl, q[1]))
end
book.value("h_p", H(P), "%.3f")
book.value("ce_q1", CE(P, Qs[1][2]), "%.3f")
book.value("kl_q1", CE(P, Qs[1][2]) - H(P), "%.3f")
book.value("ce_q2", CE(P, Qs[2][2]), "%.3f")
book.value("kl_q2", CE(P, Qs[2][2]) - H(P), "%.3f")

-- 분류의 손실 log_loss는 정답이 원-핫(one-hot)인 P에 대한 교차 엔트로피의 평균이다
-- (자연로그). 정답이 0번 클래스인 샘플 두 개의 예측이 Q1과 Q2일 때:
local ll = ml.metrics.log_loss({0, 0}, T{Qs[1][2], Qs[2][2]}, {labels = {0, 1, 2}})
local ll_hand = -(math.log(0.6) + math.log(0.1)) / 2
print(("log_loss = %.4f, 직접 계산 -(ln 0.6 + ln 0.1)/2 = %.4f"):format(ll, ll_hand))

-- %% 두 클래스의 불순도: 엔트로피와 지니
-- 양성의 비율 p에 대해 엔트로피 H(p)와 지니 불순도 G(p) = 1 - p² - (1-p)² = 2p(1-p)
local ps, hs, gs = {}, {}, {}
for i = 0, 100 do
  local p = i / 100
  ps[#ps + 1], hs[#hs + 1], gs[#gs + 1] = p, H{p, 1 - p}, 2 * p * (1 - p)
end
plot.lines({{x = ps, y = hs, label = "엔트로피 H(p) (비트)"},
            {x = ps, y = gs, label = "지니 불순도 2p(1-p)", style = "--"}},
  out "impurity.png", {title = "두 클래스의 불순도", xlabel = "양성 클래스의 비율 p",
  ylabel = "불순도",
  caption = "양성의 비율 p에 따른 엔트로피와 지니 불순도. 둘 다 p = 0.5에서 가장 크고 " ..
            "한 클래스만 남으면(p = 0, 1) 0이다.", label = "fig-impurity"})

-- %% 정보 이득: ID3의 첫 질문 고르기
-- 14일 동안의 날씨(전망, 기온, 습도, 바람)와 테니스 경기 여부. 속성으로 나누기
-- 전 엔트로피에서 나눈 뒤 엔트로피의 가중 평균을 뺀 값이 정보 이득이다.
local names = {"전망(outlook)", "기온(temperature)", "습도(humidity)", "바람(wind)"}
local days = {   -- 전망, 기온, 습도, 바람, 경기(1 = 함)
  {"맑음", "더움", "높음", "약함", 0}, {"맑음", "더움", "높음", "강함", 0},
  {"흐림", "더움", "높음", "약함", 1}, {"비", "따뜻함", "높음", "약함", 1},
  {"비", "서늘함", "보통", "약함", 1}, {"비", "서늘함", "보통", "강함", 0},
  {"흐림", "서늘함", "보통", "강함", 1}, {"맑음", "따뜻함", "높음", "약함", 0},
  {"맑음", "서늘함", "보통", "약함", 1}, {"비", "따뜻함", "보통", "약함", 1},
  {"맑음", "따뜻함", "보통", "강함", 1}, {"흐림", "따뜻함", "높음", "강함", 1},
  {"흐림", "더움", "보통", "약함", 1}, {"비", "따뜻함", "높음", "강함", 0},
}
local play = {}
for i, d in ipairs(days) do play[i] = d[5] end
local function counts(labels)
  local yes = 0
  for _, v in ipairs(labels) do yes = yes + v end
  return {yes / #labels, (#labels - yes) / #labels}
end
local h0 = H(counts(play))
title("테니스 데이터의 정보 이득 (비트)")
local n_yes = 0
for _, v in ipairs(play) do n_yes = n_yes + v end
print(("경기한 날 %d일, 안 한 날 %d일: 나누기 전 엔트로피 H = %.4f"):format(n_yes, #play - n_yes, h0))
local best, best_gain = nil, -1
for a = 1, 4 do
  local groups, order = {}, {}
  for i, d in ipairs(days) do
    if not groups[d[a]] then groups[d[a]] = {}; order[#order + 1] = d[a] end
    table.insert(groups[d[a]], play[i])
  end
  local after, children, parts = 0, {}, {}
  for _, v in ipairs(order) do
    local g = groups[v]
    after = after + #g / #days * H(counts(g))
    children[#children + 1] = g
    local yes = 0
    for _, x in ipairs(g) do yes = yes + x end
    parts[#parts + 1] = ("%s %d/%d"):format(v, yes, #g)
  end
  local gain = h0 - after
  local gini_gain = ml.information_gain(play, children, {criterion = "gini"})
  print(("이득 = %.4f / ml.information_gain = %.4f, 지니 감소 = %.4f  %s (%s)"):format(
    gain, ml.information_gain(play, children), gini_gain, names[a], table.concat(parts, ", ")))
  book.value("gain" .. a, gain, "%.3f")
  if gain > best_gain then best, best_gain = a, gain end
end
print(("ID3의 첫 질문: %s"):format(names[best]))
book.value("h_play", h0, "%.3f")
