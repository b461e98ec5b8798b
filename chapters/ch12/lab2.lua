-- LAB 12-2: 층을 여러 개 쌓은 오토인코더로 롤 데이터를 줄이고 복원하기.
-- 교재의 다층 오토인코더(인코더 Dense 2-2-2, 디코더 Dense 2-2-3)를 LAB 12-1의
-- 한 층짜리 오토인코더와 같은 데이터, 같은 에포크로 학습시켜 비교한다.
-- 층마다 유닛을 16개로 넓힌 다층 오토인코더도 함께 학습시켜, 깊이만
-- 늘리는 것과 너비도 함께 늘리는 것이 어떻게 다른지 본다.
-- 실행: ./workbook run ch12/lab2.lua   (그림은 out/ch12/lab2/ 에 저장된다)
local nn, plot, book, roll = require "nn", require "plot", require "book", require "roll"
require("tensor").seed(2024)

-- LAB 12-1과 같은 롤 1,500개 점과 같은 30 에포크 (몇 초면 끝나므로 빠른 실행도 같다)
local X, u = roll.make(1500)
local epochs = 30
local base = roll.mean_baseline(X)

-- %% 세 오토인코더
-- widths는 인코더의 은닉층 너비들이다. 인코더는 그 뒤에 2차원 코드 층을,
-- 디코더는 같은 너비를 거꾸로 거친 뒤 3차원 출력 층을 둔다.
local function autoencoder(widths)
  local enc_layers, dec_layers = {}, {}
  for i, w in ipairs(widths) do
    enc_layers[#enc_layers + 1] = nn.Dense(w, {input_shape = i == 1 and {3} or nil,
                                               activation = "elu"})
  end
  enc_layers[#enc_layers + 1] = nn.Dense(2, {input_shape = #widths == 0 and {3} or nil,
                                             activation = "elu"})
  for i = #widths, 1, -1 do
    dec_layers[#dec_layers + 1] = nn.Dense(widths[i], {input_shape = i == #widths and {2} or nil,
                                                       activation = "elu"})
  end
  dec_layers[#dec_layers + 1] = nn.Dense(3, {input_shape = #widths == 0 and {2} or nil,
                                             activation = "elu"})
  local enc, dec = nn.Sequential(enc_layers), nn.Sequential(dec_layers)
  local AE = nn.Sequential{enc, dec}
  AE:compile{loss = "mse"}          -- 옵티마이저는 기본값 RMSprop
  return enc, dec, AE
end

local kinds = {
  {key = "shallow", name = "한 층 (3-2-3)", widths = {}},
  {key = "deep", name = "교재의 다층 (3-2-2-2-2-2-3)", widths = {2, 2}},
  {key = "wide", name = "넓은 다층 (3-16-16-2-16-16-3)", widths = {16, 16}},
}
for _, k in ipairs(kinds) do
  k.enc, k.dec, k.AE = autoencoder(k.widths)
end
-- 교재의 다층 오토인코더: 인코더와 디코더가 각각 Dense 층 세 개이다
kinds[2].enc:summary()
kinds[2].dec:summary()

-- %% 학습
local curves = {{x = {1, epochs}, y = {base, base}, label = "평균 한 점으로 복원", color = "gray"}}
for i, k in ipairs(kinds) do
  k.loss = k.AE:fit(X, X, {epochs = epochs, verbose = 0}).history.loss
  curves[#curves + 1] = {y = k.loss, label = k.name}
end
plot.lines(curves, out "loss.png",
           {title = "세 오토인코더의 학습 손실", xlabel = "에포크", ylabel = "MSE",
            caption = "LAB 12-2: 세 오토인코더의 학습 손실. 회색 선은 모든 점을 평균 한 점으로 복원할 때의 오차이다.",
            label = "fig-ch12-ae2-loss"})

-- %% 비교: 복원 오차와 잠재 표현
print(("기준선(평균 한 점으로 복원) MSE %.4f"):format(base))
print(("%8s %10s  %s"):format("파라미터", "복원 MSE", "모델"))
local codes_fig = plot.subplots{cols = 3, title = "세 오토인코더의 2차원 잠재 표현",
                                width = 360, height = 340}
local rec_fig = plot.subplots{cols = 3, title = "2차원 코드에서 복원한 롤", width = 360, height = 340}
for _, k in ipairs(kinds) do
  local codes = k.enc:predict(X)
  local rec = k.dec:predict(codes)
  local mse = (rec - X):square():mean()
  print(("%8d %10.4f  %s"):format(k.AE:count_params(), mse, k.name))
  book.value("mse_" .. k.key, mse, "%.4f")
  book.value("params_" .. k.key, k.AE:count_params(), "%d")
  plot.scatter(codes, codes_fig, {values = u, cmap = "viridis", colorbar = false, size = 2,
                                  title = k.name, xlabel = "코드 1", ylabel = "코드 2"})
  -- 복원한 점의 (x, z) 평면: 롤의 나선이 펼쳐지는 면이다
  plot.scatter(rec:select(2, 1), rec:select(2, 3), rec_fig,
               {values = u, cmap = "viridis", colorbar = false, size = 2,
                title = k.name, xlabel = "x", ylabel = "z"})
end
book.value("baseline", base, "%.3f")
codes_fig:save(out "codes.png", {caption = "LAB 12-2: 세 오토인코더의 인코더가 만든 2차원 코드. 색은 롤 위의 위치 u(보라 0, 노랑 1)이다.",
                                 label = "fig-ch12-ae2-codes"})
rec_fig:save(out "recovered.png", {caption = "LAB 12-2: 세 오토인코더가 복원한 점들을 롤의 나선이 보이는 (x, z) 평면에 그린 것",
                                   label = "fig-ch12-ae2-recovered"})
