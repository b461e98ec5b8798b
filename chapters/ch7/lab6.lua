-- LAB 7-6 비선형 회귀 신경망: 손으로 한 번, nn.Sequential로 한 번
-- 입력 1개, 은닉 계층 두 개(뉴런 6개, 4개), 출력 1개인 시그모이드 신경망으로
-- 구불구불한 곡선을 맞춘다. 먼저 LAB 7-5의 역전파를 계층 수에 상관없이 쓸 수
-- 있게 일반화해 직접 학습시키고, 같은 데이터와 같은 처음 가중치로 nn.Sequential
-- (케라스와 같은 API)을 학습시켜 두 학습 곡선이 같은지 본다. 기울기도 세 가지
-- 방법(손 역전파, 중앙 차분, nn)으로 구해 비교한다.
-- 실행: ./workbook run ch7/lab6.lua   (그림은 out/ch7/lab6/ 에 저장된다)
local T, nn, plot = require "tensor", require "nn", require "plot"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end
local QUICK = os.getenv("WORKBOOK_QUICK") == "1"

-- %% 데이터
-- 교재의 nonlinear.csv 대신 같은 성격의 데이터를 만든다: x는 0과 1 사이,
-- y는 사인 곡선에 잡음을 더한 값 (출력 계층이 시그모이드라 0과 1 사이에 둔다).
T.seed(7)
local N = 100
local x = T.rand(N, 1)                                    -- (N, 1) 입력
local y = (x * (2 * math.pi)):sin() * 0.3 + 0.5 + T.randn(N, 1) * 0.04
print(("데이터 %d개, y의 범위 %.3f ~ %.3f"):format(N, y:min(), y:max()))

-- %% 계층 수에 상관없는 순전파와 역전파
-- layers[k] = {W = (입력 수, 출력 수), b = (출력 수)}. 모든 계층이 시그모이드.
local SIZES = {1, 6, 4, 1}
local function init_layers()
  local layers = {}
  for k = 1, #SIZES - 1 do
    layers[k] = {W = T.randn(SIZES[k], SIZES[k + 1]), b = T.zeros(SIZES[k + 1])}
  end
  return layers
end

-- 순전파: 계층마다 A_k = σ(A_{k-1} W_k + b_k). 모든 계층의 출력을 돌려준다.
local function forward(layers, A)
  local acts = {A}
  for k, l in ipairs(layers) do acts[k + 1] = (acts[k]:matmul(l.W) + l.b):sigmoid() end
  return acts
end
local function mse(Yh, Y) return (Yh - Y):square():mean() end

-- 역전파: 출력 계층의 델타에서 시작해 계층을 하나씩 거슬러 올라간다.
--   Δ_L = 2(Ŷ - Y)/N ⊙ Ŷ(1 - Ŷ)
--   dL/dW_k = A_{k-1}ᵀ Δ_k,  dL/db_k = Δ_k의 행 합
--   Δ_{k-1} = (Δ_k W_kᵀ) ⊙ A_{k-1}(1 - A_{k-1})
local function backward(layers, acts, Y)
  local n = Y:size(1)
  local out = acts[#acts]
  local D = (out - Y) * (2 / n) * out * (-out + 1)
  local grads = {}
  for k = #layers, 1, -1 do
    local A = acts[k]
    grads[k] = {W = A:transpose():matmul(D), b = D:sum(1)}
    if k > 1 then D = D:matmul(layers[k].W:transpose()) * A * (-A + 1) end
  end
  return grads
end

-- %% 손으로 학습하기: 미니배치 경사 하강법
-- 데이터를 앞에서부터 BATCH개씩 잘라 배치마다 한 걸음씩 간다(섞지 않는다).
-- 에포크의 손실은 케라스처럼 배치 손실을 배치 크기로 가중 평균한 값이다.
local BATCH, ETA = 10, 2.0
local EPOCHS = QUICK and 60 or 2000
local init = init_layers()
local function copy(layers)
  local c = {}
  for k, l in ipairs(layers) do c[k] = {W = l.W:clone(), b = l.b:clone()} end
  return c
end
local hand = copy(init)
local hand_loss = {}
for epoch = 1, EPOCHS do
  local sum = 0
  for i = 1, N, BATCH do
    local j = math.min(i + BATCH - 1, N)
    local xb, yb = x:slice(1, i, j), y:slice(1, i, j)
    local acts = forward(hand, xb)
    sum = sum + mse(acts[#acts], yb) * (j - i + 1)
    local g = backward(hand, acts, yb)
    for k, l in ipairs(hand) do
      l.W = l.W - g[k].W * ETA                            -- W <- W - η dL/dW
      l.b = l.b - g[k].b * ETA
    end
  end
  hand_loss[epoch] = sum / N
end
title(("손으로 쓴 역전파 (배치 %d, η = %g, %d 에포크)"):format(BATCH, ETA, EPOCHS))
print(("첫 에포크 손실 %.5f, 마지막 에포크 손실 %.5f"):format(hand_loss[1], hand_loss[EPOCHS]))

-- %% 같은 신경망을 nn.Sequential로
-- 케라스와 같은 이름이다. Dense의 가중치도 (입력 수, 출력 수) 모양이어서
-- set_weights로 손으로 만든 처음 가중치를 그대로 넣을 수 있다.
local function build(lr)
  local model = nn.Sequential{
    nn.Dense{units = 6, activation = "sigmoid", input_shape = {1}},
    nn.Dense{units = 4, activation = "sigmoid"},
    nn.Dense{units = 1, activation = "sigmoid"},
  }
  model:compile{optimizer = nn.optimizers.SGD{learning_rate = lr}, loss = "mse"}
  local ws = {}
  for _, l in ipairs(init) do ws[#ws + 1] = l.W; ws[#ws + 1] = l.b end
  model:set_weights(ws)                                   -- 같은 처음 가중치
  return model
end
local model = build(ETA)
model:summary()
local hist = model:fit(x, y, {epochs = EPOCHS, batch_size = BATCH, shuffle = false, verbose = 0})
local nn_loss = hist.history.loss
local curve_diff = 0
for e = 1, EPOCHS do curve_diff = math.max(curve_diff, math.abs(nn_loss[e] - hand_loss[e])) end
title("nn.Sequential (같은 데이터, 같은 처음 가중치, 같은 배치 순서)")
print(("첫 에포크 손실 %.5f, 마지막 에포크 손실 %.5f"):format(nn_loss[1], nn_loss[EPOCHS]))
print(("두 학습 곡선의 최대 차이: %.2e"):format(curve_diff))
book.value("hand_final", hand_loss[EPOCHS], "%.4f")
book.value("nn_final", nn_loss[EPOCHS], "%.4f")
book.value("curve_diff", curve_diff, "%.0e")
book.value("epochs", EPOCHS)

-- %% 기울기 세 가지 비교
-- 처음 가중치에서 전체 데이터의 손실에 대한 기울기를
--  (1) 손으로 쓴 역전파 (float64), (2) 중앙 차분 (float64),
--  (3) nn: 학습률 1인 SGD로 train_on_batch를 한 번 하면 가중치가 정확히
--      기울기만큼 줄어든다. 그래서 (이전 가중치 - 이후 가중치)가 nn의 기울기이다.
local init64 = {}
for k, l in ipairs(init) do init64[k] = {W = l.W:double(), b = l.b:double()} end
local x64, y64 = x:double(), y:double()
local g_hand = backward(init64, forward(init64, x64), y64)

local function loss_at(layers) local a = forward(layers, x64); return mse(a[#a], y64) end
local h, num_diff, nn_diff = 1e-6, 0, 0
local probe = build(1.0)
local before = probe:get_weights()
probe:train_on_batch(x, y)
local after = probe:get_weights()
for k, l in ipairs(init64) do
  for _, name in ipairs {"W", "b"} do
    local flat, gflat = l[name]:reshape(-1), g_hand[k][name]:reshape(-1)
    local idx = 2 * (k - 1) + (name == "W" and 1 or 2)        -- get_weights의 순서
    local g_nn = (before[idx] - after[idx]):reshape(-1)
    for i = 1, flat:size(1) do
      local w0 = flat[i]
      flat:set(i, w0 + h); local lp = loss_at(init64)
      flat:set(i, w0 - h); local lm = loss_at(init64)
      flat:set(i, w0)
      num_diff = math.max(num_diff, math.abs((lp - lm) / (2 * h) - gflat[i]))
      nn_diff = math.max(nn_diff, math.abs(g_nn[i] - gflat[i]))
    end
  end
end
title("처음 가중치에서의 기울기")
print(("손 역전파와 중앙 차분의 최대 차이: %.2e"):format(num_diff))
print(("손 역전파와 nn의 최대 차이: %.2e"):format(nn_diff))
book.value("num_diff", num_diff, "%.0e")
book.value("nn_diff", nn_diff, "%.0e")

-- %% 학습 곡선과 맞춘 곡선
local epochs_x = {}
for e = 1, EPOCHS do epochs_x[e] = e end
plot.lines({{x = epochs_x, y = hand_loss, label = "손으로 쓴 역전파", color = "blue"},
            {x = epochs_x, y = nn_loss, label = "nn.Sequential", color = "orange", style = "--"}},
  out "loss.png", {title = "두 방법의 학습 곡선", xlabel = "에포크", ylabel = "손실 (MSE)",
  caption = "같은 데이터, 같은 처음 가중치, 같은 배치 순서로 학습한 손 역전파(실선)와 " ..
            "nn.Sequential(점선)의 에포크마다 손실. 두 곡선이 겹친다.", label = "fig-reg-loss"})

local grid = T.linspace(0, 1, 101):reshape(101, 1)
local acts = forward(hand, grid)
plot.scatter(x:reshape(-1), y:reshape(-1), out "fit.png", {label = "데이터", size = 3, alpha = 0.6,
  lines = {{x = grid:reshape(-1), y = acts[#acts]:reshape(-1), label = "손으로 쓴 역전파", color = "red"},
           {x = grid:reshape(-1), y = model:predict(grid):reshape(-1), label = "nn.Sequential",
            color = "black", style = "--"}},
  title = "1-6-4-1 신경망이 맞춘 곡선", xlabel = "입력 x", ylabel = "출력 y",
  caption = "데이터(점)와 두 방법으로 학습한 신경망의 예측. 직선이 아닌 곡선을 따라간다.",
  fig_label = "fig-reg-fit"})
