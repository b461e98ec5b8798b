-- LAB 8-5 배치 크기와 드롭아웃
-- 패션 MNIST의 일부로 같은 MLP를 배치 크기만 바꿔 학습시켜 에포크당 시간과
-- 학습 곡선을 비교하고, 훈련 데이터가 적어 과적합되기 쉬운 조건에서 드롭아웃이
-- 있을 때와 없을 때의 훈련 곡선과 검증 곡선을 비교한다.
-- 실행: ./workbook run ch8/lab5.lua   (그림은 out/ch8/lab5/ 에 저장된다)
local T, nn, data, plot = require "tensor", require "nn", require "data", require "plot"
local sys = require "sys"
local book = require "book"

local QUICK = os.getenv("WORKBOOK_QUICK") == "1"
local function title(s) print("\n== " .. s .. " ==") end

local fm = data.fashion_mnist()
-- 배치 크기 실험의 데이터 수와 에포크, 드롭아웃 실험의 데이터 수와 에포크
local n, epochs, nd, ed = 12000, 6, 2000, 40
if QUICK then
  n, epochs, nd, ed = 1500, 2, 500, 4
  print("WORKBOOK_QUICK=1: 1,500장으로 2 에포크만 학습한다(드롭아웃 실험은 500장, 4 에포크)")
end

-- %% 배치 크기
title("배치 크기(batch size)")
local x_train, y_train = fm.train.x:slice(1, 1, n), fm.train.y:slice(1, 1, n)
local sizes = {8, 32, 128, 512}
local curves, times = {}, {}
local n_fit = math.floor(n * (1 - 0.2))   -- validation_split = 0.2일 때 학습에 쓰는 수(케라스의 계산)
print(("훈련 %d장 중 %d장으로 학습, 나머지는 검증, 에포크 %d, Adam"):format(n, n_fit, epochs))
book.value("bs_n", n, "%d")
book.value("bs_epochs", epochs, "%d")
for k, bs in ipairs(sizes) do
  T.seed(85)
  local model = nn.Sequential {
    nn.Flatten{input_shape = {28, 28, 1}},
    nn.Dense(64, "relu"),
    nn.Dense(10, "softmax"),
  }
  model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
  T.seed(86)
  local t0 = sys.clock()
  local hist = model:fit(x_train, y_train, {epochs = epochs, batch_size = bs,
                                            validation_split = 0.2, verbose = 0})
  local per_epoch = (sys.clock() - t0) / epochs
  local h = hist.history
  local updates = math.ceil(n_fit / bs)
  times[k] = per_epoch
  curves[k] = {y = h.val_accuracy, label = ("배치 %d"):format(bs), marker = "o"}
  print(("배치 크기 %4d: 에포크당 갱신 %5d번, 에포크당 %.2f초, 검증 정확도 %.4f"):format(
        bs, updates, per_epoch, h.val_accuracy[epochs]))
  book.value(("bs%d_time"):format(bs), per_epoch, "%.2f")
  book.value(("bs%d_acc"):format(bs), h.val_accuracy[epochs], "%.3f")
  book.value(("bs%d_updates"):format(bs), updates, "%d")
end
local names = {}
for k, bs in ipairs(sizes) do names[k] = tostring(bs) end
local fig = plot.subplots{cols = 2, width = 480, height = 400}
plot.lines(curves, fig, {title = "검증 정확도", xlabel = "에포크", ylabel = "정확도", grid = true})
plot.bar(names, times, fig, {title = "에포크당 시간", xlabel = "배치 크기", ylabel = "초",
         values = true, decimals = 2})
fig:save(out "batch_size.png", {caption = "배치 크기에 따른 검증 정확도(왼쪽)와 에포크당 " ..
  "학습 시간(오른쪽). 시간은 실행한 컴퓨터와 그때의 부하에 따라 달라진다.",
  label = "fig-lab8-5-batch"})

-- %% 드롭아웃
-- 훈련 데이터를 일부러 적게 두고 큰 MLP를 오래 학습시켜 과적합을 일으킨다.
title("드롭아웃(dropout)")
local xd, yd = fm.train.x:slice(1, 1, nd), fm.train.y:slice(1, 1, nd)
local xv, yv = fm.test.x:slice(1, 1, 2000), fm.test.y:slice(1, 1, 2000)
print(("훈련 %d장, 검증 %d장(테스트 데이터의 앞부분), 에포크 %d"):format(nd, xv:size(1), ed))
book.value("do_n", nd, "%d")
book.value("do_epochs", ed, "%d")
local function mlp(rate)
  local layers = {nn.Flatten{input_shape = {28, 28, 1}}}
  for _ = 1, 2 do
    layers[#layers + 1] = nn.Dense(256, "relu")
    if rate > 0 then layers[#layers + 1] = nn.Dropout(rate) end
  end
  layers[#layers + 1] = nn.Dense(10, "softmax")
  return nn.Sequential(layers)
end
local fig2 = plot.subplots{cols = 2, width = 480, height = 400}
for _, rate in ipairs {0, 0.5} do
  T.seed(87)
  local model = mlp(rate)
  model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
  T.seed(88)
  local hist = model:fit(xd, yd, {epochs = ed, batch_size = 32, validation_data = {xv, yv},
                                  verbose = 0})
  local h = hist.history
  local best = 1
  for e = 2, ed do if h.val_loss[e] < h.val_loss[best] then best = e end end
  local tag = rate > 0 and "dropout" or "plain"
  local name = rate > 0 and ("드롭아웃 %.1f"):format(rate) or "드롭아웃 없음"
  print(("%-12s 마지막 에포크: 훈련 정확도 %.4f, 검증 정확도 %.4f, 훈련 손실 %.4f, 검증 손실 %.4f; " ..
         "검증 손실이 가장 낮은 에포크 %d (%.4f)"):format(name, h.accuracy[ed], h.val_accuracy[ed],
        h.loss[ed], h.val_loss[ed], best, h.val_loss[best]))
  book.value(tag .. "_train_acc", h.accuracy[ed], "%.3f")
  book.value(tag .. "_val_acc", h.val_accuracy[ed], "%.3f")
  book.value(tag .. "_val_loss", h.val_loss[ed], "%.3f")
  book.value(tag .. "_best_epoch", best, "%d")
  book.value(tag .. "_best_loss", h.val_loss[best], "%.3f")
  plot.lines({{y = h.loss, label = "훈련 손실"}, {y = h.val_loss, label = "검증 손실"}}, fig2,
             {title = name, xlabel = "에포크", ylabel = "손실", grid = true, ylim = {0, 1.5}})
end
fig2:save(out "dropout.png", {caption = ("훈련 데이터 %d장으로 Dense 256 - Dense 256 MLP를 " ..
  "학습시킨 손실 곡선. 왼쪽은 드롭아웃 없음, 오른쪽은 은닉 계층마다 드롭아웃 0.5."):format(nd),
  label = "fig-lab8-5-dropout"})
