-- LAB 8-3 활성화 함수, 기울기 소실, 가중치 초기화
-- 여러 활성화 함수와 그 도함수를 그려 보고, 깊은 신경망에서 계층마다 기울기의
-- 크기를 재어 시그모이드와 ReLU를 비교한다. 마지막으로 같은 깊은 신경망을
-- 세 가지 초기화 방법으로 시작해 계층마다 활성화 값의 퍼짐을 비교한다.
-- 실행: ./workbook run ch8/lab3.lua   (그림은 out/ch8/lab3/ 에 저장된다)
local T, nn, data, plot = require "tensor", require "nn", require "data", require "plot"
local book = require "book"

-- digits는 작아서 이 실습은 WORKBOOK_QUICK=1이 없어도 몇 초 안에 끝난다
local function title(s) print("\n== " .. s .. " ==") end

-- %% 활성화 함수와 도함수
-- 계층의 forward로 f(x)를, backward에 1을 흘려 f'(x)를 얻는다.
title("활성화 함수(activation function)와 도함수(derivative)")
local acts = {
  {"sigmoid", nn.Activation("sigmoid")}, {"tanh", nn.Activation("tanh")},
  {"relu", nn.Activation("relu")}, {"leaky_relu", nn.LeakyReLU{alpha = 0.1}},
  {"elu", nn.Activation("elu")}, {"selu", nn.Activation("selu")},
  {"softplus", nn.Activation("softplus")}, {"swish", nn.Activation("swish")},
  {"gelu", nn.Activation("gelu")},
}
local function fd(layer, x)              -- f(x)와 f'(x)
  local y = layer:forward(x)
  return y, layer:backward(T.ones(x:shape()))
end
local xs = T.linspace(-4, 4, 161)
local fig = plot.subplots{cols = 3, width = 360, height = 300,
                          title = "활성화 함수(실선)와 도함수(점선)"}
for _, a in ipairs(acts) do
  local y, d = fd(a[2], xs)
  plot.lines({{x = xs, y = y, label = "f(x)"}, {x = xs, y = d, label = "f'(x)", style = "--"}},
             fig, {title = a[1], xlabel = "x", ylim = {-2, 4}, grid = true})
end
fig:save(out "activations.png", {caption = "아홉 가지 활성화 함수와 그 도함수. " ..
  "시그모이드와 tanh의 도함수는 |x|가 커지면 0으로 가고, ReLU 계열은 양수 쪽에서 1이다.",
  label = "fig-lab8-3-activations"})

-- 몇 점에서 backward가 준 도함수와 중앙 차분 (f(x+h) - f(x-h)) / 2h 를 비교한다
local pts = T{-2, -0.5, 0.5, 2}
local h = 1e-2
local worst = 0
for _, a in ipairs(acts) do
  local y, d = fd(a[2], pts)
  local cd = (a[2]:forward(pts + h) - a[2]:forward(pts - h)) / (2 * h)
  local fs, ds = {}, {}
  for i = 1, 4 do
    fs[i] = ("%.6f"):format(y[i])
    ds[i] = ("%.6f"):format(d[i])
    worst = math.max(worst, math.abs(d[i] - cd[i]))
  end
  print(("%-10s f = %s | f' = %s"):format(a[1], table.concat(fs, " "), table.concat(ds, " ")))
end
print(("x = -2, -0.5, 0.5, 2에서 backward와 중앙 차분(h = %g)의 차이는 최대 %.1e"):format(h, worst))

-- %% 기울기 소실: 깊은 신경망의 계층별 기울기
title("기울기 소실(vanishing gradient)")
T.seed(3)
local digits = data.digits()
local X, y = digits.data / 16, digits.target
local depth = 10
local function deep(act, init)
  local layers = {nn.Dense(32, act, {input_shape = {64}, kernel_initializer = init})}
  for _ = 2, depth do layers[#layers + 1] = nn.Dense(32, act, {kernel_initializer = init}) end
  layers[#layers + 1] = nn.Dense(10, "softmax")
  local m = nn.Sequential(layers)
  m:compile{optimizer = nn.optimizers.SGD{learning_rate = 0.01},
            loss = "sparse_categorical_crossentropy"}
  return m
end
-- 같은 256장의 미니배치 하나로 한 번 학습하고 계층마다 커널 기울기의 노름을 잰다
local xb, yb = X:slice(1, 1, 256), y:slice(1, 1, 256)
local norms = {}
for _, act in ipairs {"sigmoid", "relu"} do
  T.seed(30)
  local m = deep(act)
  m:train_on_batch(xb, yb)
  local g = m:gradient_norms()
  local v = {}
  for i = 1, depth + 1 do v[i] = g[i].kernel end
  norms[act] = v
  local cells = {}
  for i = 1, depth + 1 do cells[i] = ("%.1e"):format(v[i]) end
  print(("%-7s 계층 1..%d의 기울기 노름: %s"):format(act, depth + 1, table.concat(cells, " ")))
  print(("%-7s 첫 계층 / 마지막 계층 = %.2e"):format(act, v[1] / v[depth + 1]))
  book.value(act .. "_ratio", v[1] / v[depth + 1], "%.1e")
end
local series = {}
for i, act in ipairs {"sigmoid", "relu"} do
  local lv = {}
  for k, q in ipairs(norms[act]) do lv[k] = math.log(q, 10) end
  series[i] = {y = lv, label = act, marker = i == 1 and "o" or "s"}
end
plot.lines(series, out "gradient_norms.png",
           {title = ("Dense 32 x %d + 출력 계층: 계층별 기울기"):format(depth),
            xlabel = "계층 (1 = 입력 쪽)", ylabel = "log10 (커널 기울기의 노름)", grid = true,
            caption = "깊은 신경망에서 한 번의 역전파가 계층마다 준 커널 기울기의 크기(log10). " ..
            "시그모이드는 입력 쪽으로 갈수록 기울기가 몇 자릿수씩 작아진다.",
            label = "fig-lab8-3-gradients"})

-- %% 가중치 초기화: 계층마다 활성화 값의 퍼짐
title("가중치 초기화(weight initialization)")
local inits = {"random_normal", "glorot_uniform", "he_normal"}
local wide, ilayers = 64, 10
local function deep_relu(init)
  local layers = {nn.Dense(wide, "relu", {input_shape = {64}, kernel_initializer = init})}
  for _ = 2, ilayers do layers[#layers + 1] = nn.Dense(wide, "relu", {kernel_initializer = init}) end
  layers[#layers + 1] = nn.Dense(10, "softmax")
  return nn.Sequential(layers)
end
-- 입력을 표준화해(평균 0, 표준편차 1) 넣고, 계층을 하나씩 지나며 출력의 표준편차를 잰다
local Xs = (X - X:mean(1)) / (X:std(1) + 1e-6)
local spread, first_loss = {}, {}
local epochs = 5
for k, init in ipairs(inits) do
  T.seed(31)
  local m = deep_relu(init)
  local a = Xs
  local s = {}
  for i = 1, ilayers do
    a = m.layers[i]:forward(a)
    s[i] = a:std()
  end
  spread[k] = s
  m:compile{optimizer = nn.optimizers.SGD{learning_rate = 0.01},
            loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
  T.seed(32)
  local hist = m:fit(Xs, y, {epochs = epochs, batch_size = 32, verbose = 0})
  first_loss[k] = hist.history.loss
  print(("%-15s 활성화 표준편차: 계층 1 %.3g, 계층 %d %.3g | 첫 에포크 손실 %.3f, %d에포크 뒤 정확도 %.3f")
        :format(init, s[1], ilayers, s[ilayers], hist.history.loss[1], epochs,
                hist.history.accuracy[epochs]))
  book.value(init .. "_std10", s[ilayers], "%.2g")
  book.value(init .. "_loss1", hist.history.loss[1], "%.3f")
  book.value(init .. "_acc", hist.history.accuracy[epochs], "%.3f")
end
book.value("init_epochs", epochs, "%d")
local ser = {}
for k, init in ipairs(inits) do
  local lv = {}
  for i, q in ipairs(spread[k]) do lv[i] = math.log(math.max(q, 1e-30), 10) end
  ser[k] = {y = lv, label = init, marker = ({"o", "s", "^"})[k]}
end
plot.lines(ser, out "init_spread.png",
           {title = ("ReLU Dense %d x %d: 초기화별 활성화의 퍼짐"):format(wide, ilayers),
            xlabel = "계층", ylabel = "log10 (출력의 표준편차)", grid = true,
            caption = "같은 깊은 ReLU 신경망을 세 가지 초기화로 시작했을 때 계층마다 " ..
            "출력의 표준편차(log10). 작은 정규 분포는 신호가 계층마다 줄어 사라진다.",
            label = "fig-lab8-3-init"})
