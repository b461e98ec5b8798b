-- LAB 8-2 손글씨 숫자로 하는 "Hello world", 소프트맥스와 원-핫, MSE와 교차 엔트로피
-- 8x8 손글씨 숫자(digits) 1,797장으로 가장 작은 분류 신경망을 만들어 본다.
-- 출력 계층의 소프트맥스와 원-핫 인코딩을 직접 계산해 보고, 같은 신경망을
-- 평균 제곱 오차(MSE)와 교차 엔트로피로 학습시켜 학습 속도를 비교한다.
-- 실행: ./workbook run ch8/lab2.lua   (그림은 out/ch8/lab2/ 에 저장된다)
local T, nn, data, plot = require "tensor", require "nn", require "data", require "plot"
local book = require "book"

-- digits는 작아서 이 실습은 WORKBOOK_QUICK=1이 없어도 몇 초 안에 끝난다
local function title(s) print("\n== " .. s .. " ==") end

-- %% 데이터: 8x8 손글씨 숫자
T.seed(8)
local digits = data.digits()
local X = digits.data / 16              -- 픽셀 값 0..16 -> 0..1
local y = digits.target                 -- 0..9
local N = X:size(1)
print(("손글씨 숫자 %d장, 이미지 하나는 %dx%d = %d픽셀"):format(N, 8, 8, X:size(2)))
-- 앞의 1,500장은 훈련, 나머지는 테스트
local n_train = 1500
local x_train, y_train = X:slice(1, 1, n_train), y:slice(1, 1, n_train)
local x_test, y_test = X:slice(1, n_train + 1, N), y:slice(1, n_train + 1, N)
print(("훈련 %d장, 테스트 %d장"):format(x_train:size(1), x_test:size(1)))

-- 첫 번째 이미지의 픽셀 값(0..16)을 그대로 찍어 보면 숫자 모양이 보인다
print(("첫 번째 이미지 (정답 %d):"):format(y[1]))
local img = digits.images[1]
for r = 1, 8 do
  local row = {}
  for c = 1, 8 do row[c] = ("%3d"):format(math.tointeger(img[r][c]) or img[r][c]) end
  print(table.concat(row))
end
plot.image_grid(digits.images:slice(1, 1, 25) / 16, out "digits.png",
                {labels = y:slice(1, 1, 25), class_names = digits.target_names,
                 caption = "digits 데이터의 처음 25장 (8x8 픽셀)", label = "fig-lab8-2-digits"})

-- %% Hello world: 은닉 계층 하나짜리 신경망
local epochs = 30
local function hello_model()
  return nn.Sequential {
    nn.Dense(64, "relu", {input_shape = {64}}),
    nn.Dense(10, "softmax"),
  }
end
local model = hello_model()
model:summary()
model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
local hist = model:fit(x_train, y_train, {epochs = epochs, batch_size = 32,
                                          validation_split = 0.2, verbose = 0})
local loss, acc = model:evaluate(x_test, y_test, {verbose = 0})
print(("테스트 손실 %.4f, 테스트 정확도 %.4f"):format(loss, acc))
book.value("hello_acc", acc, "%.3f")
book.value("hello_epochs", epochs, "%d")
plot.history(hist, out "hello_history.png", {title = "digits Hello world",
             caption = "digits 신경망(Dense 64 - Dense 10)의 학습 곡선", label = "fig-lab8-2-hello"})

-- %% 소프트맥스
title("소프트맥스(softmax)")
local softmax = nn.Activation("softmax")
local a = T{{0.5, 4.1, 2.5, 5.6, 1.2}}
local function show(v) return table.concat((function()
  local s = {}
  for i, q in ipairs(v:reshape(v:numel()):totable()) do s[i] = ("%.4f"):format(q) end
  return s end)(), " ") end
local p = softmax:forward(a)
print("신경망의 출력(로짓) :", show(a))
print("소프트맥스의 출력   :", show(p))
print(("확률의 합 %.4f, 가장 큰 확률 %.4f (%d번째)"):format(p:sum(), p:max(), p:argmax()))
local p2 = softmax:forward(a * 2)
print("로짓을 두 배로 하면 :", show(p2))
print(("가장 큰 확률 %.4f -> %.4f"):format(p:max(), p2:max()))
book.value("softmax_max", p:max(), "%.3f")
book.value("softmax_max2", p2:max(), "%.3f")

-- %% 원-핫 인코딩
title("원-핫 인코딩(one-hot encoding)")
local ids = T{0, 1, 2, 3, 4}
print("클래스 번호:", show(ids))
print("nn.utils.to_categorical:")
print(nn.utils.to_categorical(ids))

-- %% MSE와 교차 엔트로피: 교재의 예
title("MSE와 교차 엔트로피(cross-entropy)")
local function mse(yhat, t) return ((yhat - t) ^ 2):mean() end
local function cee(yhat, t) return -(t * (yhat + 1e-7):log()):sum() end
local t3 = T{0, 0, 1}
local y1, y2 = T{0.4, 0.05, 0.55}, T{0.9, 0.09, 0.01}
print(("정답 (0, 0, 1), 예측 1 = (0.4, 0.05, 0.55), 예측 2 = (0.9, 0.09, 0.01)"))
print(("교차 엔트로피: 예측 1 %.2f, 예측 2 %.2f, 비 %.2f"):format(cee(y1, t3), cee(y2, t3),
      cee(y2, t3) / cee(y1, t3)))
print(("MSE          : 예측 1 %.2f, 예측 2 %.2f, 비 %.2f"):format(mse(y1, t3), mse(y2, t3),
      mse(y2, t3) / mse(y1, t3)))
book.value("cee_ratio", cee(y2, t3) / cee(y1, t3), "%.2f")
book.value("mse_ratio", mse(y2, t3) / mse(y1, t3), "%.2f")

-- 정답 클래스의 확률 p에 따른 손실과, 출력 계층의 로짓 z에 대한 기울기.
-- 시그모이드 출력 하나(정답 1)로 보면 교차 엔트로피 -log p의 기울기는 p - 1,
-- MSE (1 - p)^2의 기울기는 -2 (1 - p) p (1 - p): p가 0 근처(크게 틀림)에서
-- MSE의 기울기는 거의 0이다.
local P = T.linspace(0.01, 0.99, 99)
local ce_loss, mse_loss = -P:log(), (1 - P) ^ 2
local ce_grad, mse_grad = (P - 1):abs(), (P * (1 - P) * (1 - P) * 2)
local fig = plot.subplots{cols = 2, width = 460, height = 380}
plot.line(P, {ce_loss, mse_loss}, fig, {labels = {"교차 엔트로피 -log p", "MSE (1-p)^2"},
          title = "손실", xlabel = "정답 클래스의 예측 확률 p", ylabel = "손실"})
plot.line(P, {ce_grad, mse_grad}, fig, {labels = {"교차 엔트로피", "MSE"},
          title = "로짓에 대한 기울기의 크기", xlabel = "정답 클래스의 예측 확률 p",
          ylabel = "|dL/dz|"})
fig:save(out "mse_vs_ce.png", {caption = "정답 확률 p에 따른 두 손실(왼쪽)과 시그모이드 출력의 " ..
  "로짓에 대한 기울기의 크기(오른쪽). 크게 틀릴수록(p -> 0) 교차 엔트로피의 기울기는 1에 " ..
  "가까워지지만 MSE의 기울기는 0으로 줄어든다.", label = "fig-lab8-2-mse-ce"})
print(("p = 0.01에서 기울기의 크기: 교차 엔트로피 %.3f, MSE %.4f"):format(1 - 0.01,
      2 * 0.01 * 0.99 * 0.99))

-- %% MSE와 교차 엔트로피로 학습시키기
-- 같은 신경망, 같은 초깃값, 같은 옵티마이저(SGD, 학습률 0.1)로 손실만 바꾼다.
-- MSE는 원-핫으로 바꾼 정답을 쓴다.
title("같은 신경망을 두 손실로 학습")
local sgd_epochs = 20
T.seed(80)
local m_ce = hello_model()
local w0 = m_ce:get_weights(true)
local m_mse = hello_model()
m_mse:set_weights(w0)
m_ce:compile{optimizer = nn.optimizers.SGD{learning_rate = 0.1},
             loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
m_mse:compile{optimizer = nn.optimizers.SGD{learning_rate = 0.1}, loss = "mse",
              metrics = {"accuracy"}}
T.seed(81)
local h_ce = m_ce:fit(x_train, y_train, {epochs = sgd_epochs, batch_size = 32,
                                         validation_split = 0.2, verbose = 0})
T.seed(81)
local h_mse = m_mse:fit(x_train, nn.utils.to_categorical(y_train, 10),
                        {epochs = sgd_epochs, batch_size = 32, validation_split = 0.2, verbose = 0})
local va_ce, va_mse = h_ce.history.val_accuracy, h_mse.history.val_accuracy
for e = 1, sgd_epochs do
  print(("에포크 %2d: 검증 정확도 교차 엔트로피 %.3f, MSE %.3f"):format(e, va_ce[e], va_mse[e]))
end
local function first_above(v, level)
  for e, q in ipairs(v) do if q >= level then return e end end
end
local e_ce, e_mse = first_above(va_ce, 0.9), first_above(va_mse, 0.9)
print(("검증 정확도 0.9에 처음 닿은 에포크: 교차 엔트로피 %s, MSE %s"):format(
      e_ce or "없음", e_mse or ("없음(" .. sgd_epochs .. "에포크 안에)")))
book.value("ce_epoch1", va_ce[1], "%.3f")
book.value("mse_epoch1", va_mse[1], "%.3f")
book.value("ce_last", va_ce[sgd_epochs], "%.3f")
book.value("mse_last", va_mse[sgd_epochs], "%.3f")
book.value("sgd_epochs", sgd_epochs, "%d")
plot.lines({{y = va_ce, label = "교차 엔트로피", marker = "o"},
            {y = va_mse, label = "MSE", marker = "s"}}, out "mse_vs_ce_training.png",
           {title = "손실 함수에 따른 학습 속도 (SGD, 학습률 0.1)", xlabel = "에포크",
            ylabel = "검증 정확도", caption = "같은 신경망과 초깃값을 교차 엔트로피와 " ..
            "MSE로 학습시킨 검증 정확도", label = "fig-lab8-2-ce-training"})
