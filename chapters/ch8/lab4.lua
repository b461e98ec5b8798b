-- LAB 8-4 최적화 기법 비교
-- 길쭉한 골짜기 모양의 손실 곡면 위에서 여섯 가지 옵티마이저가 움직이는 경로를
-- 그리고, 같은 옵티마이저들로 패션 MNIST의 작은 MLP를 학습시켜 학습 곡선을 비교한다.
-- 실행: ./workbook run ch8/lab4.lua   (그림은 out/ch8/lab4/ 에 저장된다)
local T, nn, data, plot = require "tensor", require "nn", require "data", require "plot"
local book = require "book"

local QUICK = os.getenv("WORKBOOK_QUICK") == "1"
local function title(s) print("\n== " .. s .. " ==") end

-- %% 2차원 손실 곡면 위의 경로
-- f(x, y) = x^2 / 10 + 2 y^2 : x 방향으로는 완만하고 y 방향으로는 가파른 골짜기
title("손실 곡면 위의 옵티마이저 경로")
local function f(x, y) return x * x / 10 + 2 * y * y end
local function grad(p) return T{p[1] / 5, 4 * p[2]} end
local start, steps = {-4, 2}, 40
local O = nn.optimizers
local opts = {
  {"SGD", O.SGD{learning_rate = 0.1}},
  {"Momentum", O.SGD{learning_rate = 0.1, momentum = 0.9}},
  {"Nesterov", O.SGD{learning_rate = 0.1, momentum = 0.9, nesterov = true}},
  {"Adagrad", O.Adagrad{learning_rate = 0.5}},
  {"RMSprop", O.RMSprop{learning_rate = 0.1}},
  {"Adam", O.Adam{learning_rate = 0.3}},
}
local COLORS = {"#d62728", "#ff7f0e", "#2ca02c", "#1f77b4", "#9467bd", "#8c564b"}
local paths = {}
for k, o in ipairs(opts) do
  local name, opt = o[1], o[2]
  local p = T(start)
  local xs, ys = {start[1]}, {start[2]}
  for i = 1, steps do
    opt:step(p, grad(p))          -- p를 제자리에서 한 걸음 옮긴다
    xs[i + 1], ys[i + 1] = p[1], p[2]
  end
  paths[k] = {x = xs, y = ys, label = name, color = COLORS[k]}
  local first = {}
  for i = 2, 4 do first[#first + 1] = ("(%.6f, %.6f)"):format(xs[i], ys[i]) end
  print(("%-8s 처음 세 걸음 %s | %d걸음 뒤 (%.6f, %.6f), f = %.2e"):format(name,
        table.concat(first, " "), steps, xs[steps + 1], ys[steps + 1],
        f(xs[steps + 1], ys[steps + 1])))
  book.value("f_" .. name, f(xs[steps + 1], ys[steps + 1]), "%.1e")
end
book.value("path_steps", steps, "%d")
plot.contour(f, out "optimizer_paths.png",
             {xlim = {-4.5, 4.5}, ylim = {-2.5, 2.5}, levels = {0.01, 0.05, 0.2, 0.5, 1, 2, 4, 8, 12},
              paths = paths, filled = false, line_color = "#999999", title = "f(x, y) = x²/10 + 2y² 위의 40걸음",
              xlabel = "x", ylabel = "y", colorbar = false,
              caption = "같은 출발점 (-4, 2)에서 여섯 옵티마이저가 40걸음 동안 지난 경로. " ..
              "최솟값은 원점이다.", label = "fig-lab8-4-paths"})
-- 손실이 줄어드는 모습
local curves = {}
for k, pth in ipairs(paths) do
  local lv = {}
  for i = 1, steps + 1 do lv[i] = math.log(math.max(f(pth.x[i], pth.y[i]), 1e-12), 10) end
  curves[k] = {x = T.arange(0, steps + 1), y = lv, label = pth.label, color = COLORS[k]}
end
plot.lines(curves, out "optimizer_loss.png",
           {title = "걸음에 따른 손실", xlabel = "걸음", ylabel = "log10 f(x, y)", grid = true,
            caption = "여섯 옵티마이저의 경로를 따라 손실 f가 줄어드는 모습(log10)",
            label = "fig-lab8-4-loss"})

-- %% 패션 MNIST에서 옵티마이저 비교
title("패션 MNIST: 옵티마이저별 학습 곡선")
local fm = data.fashion_mnist()
local n, epochs = 10000, 8
if QUICK then
  n, epochs = 1000, 2
  print("WORKBOOK_QUICK=1: 1,000장으로 2 에포크만 학습한다")
end
local x_train, y_train = fm.train.x:slice(1, 1, n), fm.train.y:slice(1, 1, n)
print(("훈련 %d장 (그중 20%%는 검증), 에포크 %d, 배치 크기 32, 케라스의 기본 학습률"):format(n, epochs))
book.value("fm_n", n, "%d")
book.value("fm_epochs", epochs, "%d")
local kinds = {
  {"SGD", function() return O.SGD{} end},
  {"Momentum", function() return O.SGD{momentum = 0.9} end},
  {"Nesterov", function() return O.SGD{momentum = 0.9, nesterov = true} end},
  {"Adagrad", function() return O.Adagrad{} end},
  {"RMSprop", function() return O.RMSprop{} end},
  {"Adam", function() return O.Adam{} end},
}
local val_loss, val_acc = {}, {}
for k, kind in ipairs(kinds) do
  T.seed(84)
  local model = nn.Sequential {
    nn.Flatten{input_shape = {28, 28, 1}},
    nn.Dense(64, "relu"),
    nn.Dense(10, "softmax"),
  }
  model:compile{optimizer = kind[2](), loss = "sparse_categorical_crossentropy",
                metrics = {"accuracy"}}
  T.seed(85)
  local hist = model:fit(x_train, y_train, {epochs = epochs, batch_size = 32,
                                            validation_split = 0.2, verbose = 0})
  local h = hist.history
  val_loss[k] = {y = h.val_loss, label = kind[1], marker = "o"}
  val_acc[k] = {y = h.val_accuracy, label = kind[1], marker = "o"}
  print(("%-8s 학습률 %-6g 검증 손실 %.4f, 검증 정확도 %.4f"):format(kind[1],
        model.optimizer.learning_rate, h.val_loss[epochs], h.val_accuracy[epochs]))
  book.value("acc_" .. kind[1], h.val_accuracy[epochs], "%.3f")
end
local fig = plot.subplots{cols = 2, width = 480, height = 400}
plot.lines(val_loss, fig, {title = "검증 손실", xlabel = "에포크", ylabel = "손실", grid = true})
plot.lines(val_acc, fig, {title = "검증 정확도", xlabel = "에포크", ylabel = "정확도", grid = true})
fig:save(out "optimizer_curves.png", {caption = "같은 MLP(Dense 64 - Dense 10)를 여섯 옵티마이저로 " ..
  "학습시킨 패션 MNIST 검증 곡선. 학습률은 모두 케라스의 기본값이다.",
  label = "fig-lab8-4-curves"})
