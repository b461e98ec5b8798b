-- LAB 7-5 역전파를 손으로 써서 XOR를 배우는 2층 신경망
-- 입력 2개, 은닉 뉴런 3개(시그모이드), 출력 1개(시그모이드)인 다층 퍼셉트론을
-- 텐서 연산만으로 만든다. 순전파(forward), 손실(MSE), 계층마다의 연쇄 법칙
-- (chain rule)으로 구하는 기울기, 경사 하강법의 가중치 갱신을 모두 직접 쓰고,
-- 손으로 구한 기울기가 맞는지 중앙 차분(central difference)으로 확인한다.
-- 실행: ./workbook run ch7/lab5.lua   (그림은 out/ch7/lab5/ 에 저장된다)
local T, plot = require "tensor", require "plot"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end
local QUICK = os.getenv("WORKBOOK_QUICK") == "1"

-- %% 데이터와 처음 가중치
-- 이번에는 거짓을 0, 참을 1로 쓴다(출력이 시그모이드라 0과 1 사이이다).
local X = T{{0, 0}, {0, 1}, {1, 0}, {1, 1}}          -- (4, 2)
local Y = T{{0}, {1}, {1}, {0}}                      -- (4, 1) XOR의 정답
local N_HIDDEN = 3

-- 가중치 행렬은 (입력 수, 출력 수) 모양이다: 입력 행렬 X(배치, 입력)에 곱하면
-- (배치, 출력)이 된다. 편향은 출력마다 하나.
T.seed(2)
local p = {
  W1 = T.randn(2, N_HIDDEN), b1 = T.zeros(N_HIDDEN),  -- 입력 -> 은닉
  W2 = T.randn(N_HIDDEN, 1), b2 = T.zeros(1),         -- 은닉 -> 출력
}
local NAMES = {"W1", "b1", "W2", "b2"}

-- %% 순전파와 손실
-- Z1 = X W1 + b1,  H = σ(Z1),  Z2 = H W2 + b2,  Ŷ = σ(Z2)
-- 손실 L = 평균((Ŷ - Y)²)  (평균제곱오차, MSE)
local function forward(q, A)
  local H = (A:matmul(q.W1) + q.b1):sigmoid()        -- 은닉 계층의 출력 (4, 3)
  local Yh = (H:matmul(q.W2) + q.b2):sigmoid()       -- 신경망의 출력 (4, 1)
  return H, Yh
end
local function mse(Yh, T_) return (Yh - T_):square():mean() end

local H, Yh = forward(p, X)
title("학습 전의 출력")
for i = 1, 4 do
  print(("(%d, %d) -> %.4f  (정답 %d)"):format(X[i][1], X[i][2], Yh[i][1], Y[i][1]))
end
print(("손실 L = %.4f"):format(mse(Yh, Y)))

-- %% 역전파: 계층마다 연쇄 법칙
-- 시그모이드의 미분은 σ'(z) = σ(z)(1 - σ(z))이므로 출력값만으로 계산된다.
-- 출력 계층:  dL/dŶ = 2(Ŷ - Y)/N,  Δ2 = dL/dZ2 = dL/dŶ ⊙ Ŷ(1 - Ŷ)
--             dL/dW2 = Hᵀ Δ2,  dL/db2 = Δ2의 행 합
-- 은닉 계층:  dL/dH = Δ2 W2ᵀ,  Δ1 = dL/dZ1 = dL/dH ⊙ H(1 - H)
--             dL/dW1 = Xᵀ Δ1,  dL/db1 = Δ1의 행 합
local function backward(q, A, T_, H_, Yh_)
  local n = A:size(1)
  local dYh = (Yh_ - T_) * (2 / n)
  local D2 = dYh * Yh_ * (-Yh_ + 1)                   -- 출력 계층의 델타 (4, 1)
  local D1 = D2:matmul(q.W2:transpose()) * H_ * (-H_ + 1)   -- 은닉 계층의 델타 (4, 3)
  return {
    W2 = H_:transpose():matmul(D2), b2 = D2:sum(1),
    W1 = A:transpose():matmul(D1), b1 = D1:sum(1),
  }
end

-- %% 기울기가 맞는지 중앙 차분으로 확인하기
-- 가중치 하나를 h만큼 올리고 내려 손실의 변화로 기울기를 근사한다:
--   dL/dw ≈ (L(w + h) - L(w - h)) / 2h
-- 반올림 오차를 줄이려고 float64로 계산한다.
local function as_f64(q)
  local r = {}
  for _, k in ipairs(NAMES) do r[k] = q[k]:double() end
  return r
end
local function central_difference(q, A, T_, h)
  local g = {}
  for _, k in ipairs(NAMES) do
    local flat = q[k]:reshape(-1)                       -- 같은 저장 공간을 보는 1차원 뷰
    local out = T.zeros(flat:size(1), {dtype = "float64"})
    for i = 1, flat:size(1) do
      local w0 = flat[i]
      flat:set(i, w0 + h); local lp = mse(select(2, forward(q, A)), T_)
      flat:set(i, w0 - h); local lm = mse(select(2, forward(q, A)), T_)
      flat:set(i, w0)
      out:set(i, (lp - lm) / (2 * h))
    end
    g[k] = out:reshape(table.unpack(q[k]:shape()))
  end
  return g
end
local p64 = as_f64(p)
local X64, Y64 = X:double(), Y:double()
local H64, Yh64 = forward(p64, X64)
local g_hand = backward(p64, X64, Y64, H64, Yh64)
local g_num = central_difference(p64, X64, Y64, 1e-6)
title("손으로 구한 기울기와 중앙 차분의 차이 (학습 전 가중치)")
local worst = 0
for _, k in ipairs(NAMES) do
  local d = (g_hand[k] - g_num[k]):abs():max()
  worst = math.max(worst, d)
  print(("dL/d%-2s: 가장 큰 차이 %.2e"):format(k, d))
end
print(("손으로 구한 기울기와 중앙 차분의 최대 차이: %.2e"):format(worst))
book.value("grad_diff", worst, "%.0e")

-- %% 경사 하강법으로 학습하기
-- 한 에포크 = 네 입력을 한 배치로 순전파 -> 역전파 -> 모든 가중치를 한 걸음씩.
local eta = 2.0
local EPOCHS = QUICK and 300 or 3000
local losses = {}
title("학습")
for epoch = 1, EPOCHS do
  local H_, Yh_ = forward(p, X)
  losses[epoch] = mse(Yh_, Y)
  local g = backward(p, X, Y, H_, Yh_)
  for _, k in ipairs(NAMES) do p[k] = p[k] - g[k] * eta end   -- w <- w - η dL/dw
  if epoch == 1 or epoch % (EPOCHS // 5) == 0 then
    print(("에포크 %4d: 손실 %.5f"):format(epoch, losses[epoch]))
  end
end
H, Yh = forward(p, X)
title(("학습 뒤의 출력 (η = %g, %d 에포크)"):format(eta, EPOCHS))
local right = 0
for i = 1, 4 do
  local cls = Yh[i][1] > 0.5 and 1 or 0
  if cls == Y[i][1] then right = right + 1 end
  print(("(%d, %d) -> %.4f -> %d  (정답 %d)"):format(X[i][1], X[i][2], Yh[i][1], cls, Y[i][1]))
end
print(("손실 %.5f, 네 입력 중 %d개를 맞혔다."):format(mse(Yh, Y), right))
book.value("final_loss", mse(Yh, Y), "%.4f")
book.value("epochs", EPOCHS)
book.value("right", right)

plot.lines({{y = losses, label = "MSE"}}, out "loss.png", {legend = false,
  title = "XOR 신경망의 학습 곡선", xlabel = "에포크", ylabel = "손실 (MSE)",
  caption = "손으로 쓴 역전파로 학습한 2-3-1 신경망의 에포크마다 손실. 처음에는 " ..
            "손실이 0.25 근처에서 머물다가, 은닉 뉴런들이 역할을 나누면 빠르게 떨어진다.",
  label = "fig-xor-loss"})

-- %% 결정 영역과 은닉 뉴런의 직선
-- 은닉 뉴런 j는 직선 W1[1][j]·x1 + W1[2][j]·x2 + b1[j] = 0의 한쪽에서 켜진다.
-- 출력 뉴런은 이 직선들이 만든 조각들을 다시 합쳐 곡선 경계를 만든다.
local model = {}
function model:predict(G)
  local _, out_ = forward(p, G)
  return out_:reshape(-1):gt(0.5)
end
local fig = plot.subplots{cols = 2, width = 460, height = 440}
plot.decision_regions(model, X, Y:reshape(-1), fig, {xlim = {-0.5, 1.5}, ylim = {-0.5, 1.5},
  class_names = {"0", "1"}, size = 8, title = "신경망의 결정 영역 (출력 > 0.5이면 1)",
  xlabel = "x1", ylabel = "x2"})
local lines = {}
for j = 1, N_HIDDEN do
  local w1, w2, b = p.W1[1][j], p.W1[2][j], p.b1[j]
  lines[j] = {x = {-0.5, 1.5}, y = {-(w1 * -0.5 + b) / w2, -(w1 * 1.5 + b) / w2},
              label = ("은닉 뉴런 %d"):format(j), color = ("C%d"):format(j + 1)}
end
plot.scatter(X, fig, {classes = Y:reshape(-1), class_names = {"0", "1"}, size = 8,
  lines = lines, xlim = {-0.5, 1.5}, ylim = {-0.5, 1.5},
  title = "은닉 뉴런들의 결정 직선", xlabel = "x1", ylabel = "x2"})
fig:save(out "xor_regions.png", {caption = "왼쪽: 학습한 신경망의 결정 영역. 직선 하나로는 " ..
  "나눌 수 없던 XOR의 네 점이 나뉜다. 오른쪽: 은닉 뉴런마다 가중합이 0이 되는 직선. " ..
  "출력 뉴런은 이 직선들로 나뉜 조각을 합쳐 결정 영역을 만든다.", label = "fig-xor-mlp"})
