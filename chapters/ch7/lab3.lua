-- LAB 7-3 AND, NAND, OR는 배우고 XOR는 못 배운다
-- LAB 7-2의 학습 규칙을 함수 하나로 묶어 네 가지 논리 연산에 적용한다.
-- AND, NAND, OR는 몇 에포크 만에 모든 입력을 맞히지만, XOR는 에포크를
-- 아무리 늘려도 틀린 입력이 0이 되지 않는다. 마지막으로 같은 일을 사이킷런의
-- Perceptron(ml.Perceptron)에게 시켜 본다.
-- 실행: ./workbook run ch7/lab3.lua   (그림은 out/ch7/lab3/ 에 저장된다)
local T, ml, plot = require "tensor", require "ml", require "plot"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end
local QUICK = os.getenv("WORKBOOK_QUICK") == "1"

-- %% 학습 규칙을 함수로
local X = T{{-1, -1}, {-1, 1}, {1, -1}, {1, 1}}
local targets = {
  {name = "AND",  t = T{-1, -1, -1, 1}},
  {name = "NAND", t = T{1, 1, 1, -1}},
  {name = "OR",   t = T{-1, 1, 1, 1}},
  {name = "XOR",  t = T{-1, 1, 1, -1}},
}
local MAX_EPOCHS = QUICK and 20 or 100

local function step(s) return s > 0 and 1 or (s < 0 and -1 or 0) end

-- 결정 직선 w1*x1 + w2*x2 + b = 0을 [-2, 2] 안에서 (가중치가 0이면 nil)
local function boundary(w1, w2, b)
  if math.abs(w2) > 1e-9 then
    return {x = {-2, 2}, y = {-(w1 * -2 + b) / w2, -(w1 * 2 + b) / w2}}
  elseif math.abs(w1) > 1e-9 then
    return {x = {-b / w1, -b / w1}, y = {-2, 2}}
  end
end

-- 가중치 0에서 시작해 에포크마다 네 입력을 차례로 보며 학습 규칙을 적용한다.
-- 돌려주는 것: 가중치, 편향, 에포크마다 틀린 입력의 수, 마지막 에포크 동안
-- 고칠 때마다의 가중치
local function train(t, eta, max_epochs)
  local w, b, errors, steps = T.zeros(2), 0, {}, {}
  for epoch = 1, max_epochs do
    local wrong = 0
    steps = {}
    for i = 1, 4 do
      local y = step(X[i]:dot(w) + b)
      if y ~= t[i] then
        wrong = wrong + 1
        w = w + X[i] * (eta * t[i])
        b = b + eta * t[i]
        steps[#steps + 1] = {w = w:clone(), b = b}
      end
    end
    errors[epoch] = wrong
    if wrong == 0 then break end
  end
  return w, b, errors, steps
end

-- %% 네 가지 게이트를 학습시키기
title(("게이트마다 학습 결과 (η = 0.25, 최대 %d 에포크)"):format(MAX_EPOCHS))
for _, g in ipairs(targets) do
  g.w, g.b, g.errors, g.steps = train(g.t, 0.25, MAX_EPOCHS)
  local last = g.errors[#g.errors]
  local outputs = {}
  for i = 1, 4 do outputs[i] = ("%2d"):format(step(X[i]:dot(g.w) + g.b)) end
  print(("%-4s: 에포크 %3d, w = (%5.2f, %5.2f), b = %5.2f, 출력 %s, 마지막 에포크에서 틀린 입력 %d")
        :format(g.name, #g.errors, g.w[1], g.w[2], g.b, table.concat(outputs, " "), last))
end
local xor = targets[4]
local fewest = math.huge
for _, e in ipairs(xor.errors) do fewest = math.min(fewest, e) end
title("XOR: 에포크마다 틀린 입력의 수")
print(table.concat(xor.errors, " ", 1, math.min(#xor.errors, 20)) ..
      (#xor.errors > 20 and " ..." or ""))
print(("%d 에포크 동안 가장 적게 틀린 에포크도 %d개를 틀렸다."):format(#xor.errors, fewest))
book.value("xor_epochs", #xor.errors)
book.value("xor_fewest", fewest)
for _, g in ipairs(targets) do
  if g.name ~= "XOR" then book.value(g.name:lower() .. "_epochs", #g.errors) end
end

-- %% 결정 직선과 틀린 입력의 수
local fig = plot.subplots{cols = 4, width = 330, height = 350,
  title = "학습한 퍼셉트론의 결정 직선 (점의 색은 정답)"}
for _, g in ipairs(targets) do
  local lines = {}
  local final = boundary(g.w[1], g.w[2], g.b)
  if final then
    final.color, lines[1] = "black", final
  else
    -- XOR: 에포크가 끝나면 가중치가 0으로 돌아온다. 마지막 에포크 동안 고칠
    -- 때마다의 직선을 점선으로 그린다.
    for k, st in ipairs(g.steps) do
      local l = boundary(st.w[1], st.w[2], st.b)
      if l then l.color, l.style, lines[#lines + 1] = ("C%d"):format(k + 1), "--", l end
    end
  end
  plot.scatter(X, fig, {classes = (g.t + 1) / 2, class_names = {"-1", "1"},
    size = 8, lines = lines, xlim = {-2, 2}, ylim = {-2, 2}, equal = true,
    legend = false, title = g.name, xlabel = "x1", ylabel = "x2"})
end
fig:save(out "learned_lines.png", {caption = "퍼셉트론 학습 규칙이 찾은 결정 직선. " ..
  "AND, NAND, OR는 직선 하나로 두 색이 나뉜다. XOR는 에포크가 끝날 때마다 가중치가 " ..
  "0으로 돌아오므로, 마지막 에포크 동안 고칠 때마다의 직선을 점선으로 그렸다. 어느 직선도 " ..
  "파란 점(-1)과 주황 점(1)을 나누지 못한다.", label = "fig-learned-lines"})

local series = {}
for i, g in ipairs(targets) do
  local n = math.min(#g.errors, 20)                 -- 처음 20 에포크만 그린다
  local xs, ys = {}, {}
  for e = 1, n do xs[e], ys[e] = e, g.errors[e] end
  series[i] = {x = xs, y = ys, label = g.name, marker = ({"o", "s", "^", "D"})[i]}
end
plot.lines(series, out "errors.png", {ylim = {-0.2, 4.2},
  xlim = {0, 21}, title = "에포크마다 틀린 입력의 수 (처음 20 에포크)", xlabel = "에포크", ylabel = "틀린 입력의 수",
  caption = "게이트마다 에포크당 틀린 입력의 수. AND, NAND, OR는 몇 에포크 만에 0이 되어 " ..
            "멈추고, XOR는 끝까지 0이 되지 않는다.", label = "fig-gate-errors"})

-- %% 사이킷런의 Perceptron과 비교
-- ml.Perceptron은 사이킷런의 Perceptron과 같은 알고리즘이다(학습률 eta0 = 1,
-- 정답이 맞아도 가중합이 0이면 고친다). shuffle = false로 입력 순서를 고정한다.
title("ml.Perceptron{shuffle = false}")
for _, g in ipairs(targets) do
  local clf = ml.Perceptron{shuffle = false}
  clf:fit(X, g.t)
  local pred = clf:predict(X)
  print(("%-4s: coef_ = (%g, %g), intercept_ = %g, n_iter_ = %d, 정확도 %.2f, 예측 %s")
        :format(g.name, clf.coef_:get(1, 1), clf.coef_:get(1, 2), clf.intercept_[1],
                clf.n_iter_, clf:score(X, g.t),
                ("%2d %2d %2d %2d"):format(pred[1], pred[2], pred[3], pred[4])))
  if g.name == "XOR" then book.value("sk_xor_acc", clf:score(X, g.t), "%.2f") end
end
