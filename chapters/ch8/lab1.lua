-- LAB 8-1: 다층 퍼셉트론(MLP)으로 패션 MNIST 분류하기
-- 교재의 케라스 실습을 워크북의 Lua API로 한 줄씩 옮겼다:
-- 데이터를 읽어 살펴보고, Flatten - Dropout - Dense x3 모델을 만들어
-- Adam으로 학습시킨 뒤, 학습 곡선과 혼동 행렬(confusion matrix)을 읽고,
-- 마지막으로 테스트 이미지 한 장 한 장의 예측과 틀린 이미지들을 본다.
local tensor, nn, data, plot = require "tensor", require "nn", require "data", require "plot"
local book = require "book"   -- 책의 본문이 인용하는 값

tensor.seed(2024)   -- 같은 시드(seed)면 같은 결과가 나온다

-- %% 데이터 읽기
local fm = data.fashion_mnist()
local x_train, y_train = fm.train.x, fm.train.y   -- (60000, 28, 28, 1), 클래스 번호 0..9
local x_test, y_test = fm.test.x, fm.test.y       -- (10000, 28, 28, 1)
local names = fm.class_names                      -- names[번호 + 1]이 클래스 이름

local epochs = 10
if os.getenv("WORKBOOK_QUICK") == "1" then
  -- 빠른 확인: 데이터의 10분의 1로 2 에포크만 학습한다
  x_train, y_train = x_train:slice(1, 1, 6000), y_train:slice(1, 1, 6000)
  x_test, y_test = x_test:slice(1, 1, 2000), y_test:slice(1, 1, 2000)
  epochs = 2
  print("WORKBOOK_QUICK=1: 훈련 이미지 6,000장으로 2 에포크만 학습하고 2,000장으로 테스트한다")
end
print(("훈련 데이터 x %s, y %s / 테스트 데이터 x %s"):format(table.concat(x_train:shape(), "x"),
      table.concat(y_train:shape(), "x"), table.concat(x_test:shape(), "x")))

-- %% 이미지 살펴보기
plot.image_grid(x_train:slice(1, 1, 25), out "first25.png",
                {labels = y_train:slice(1, 1, 25), class_names = names,
                 title = "훈련 데이터의 처음 25장",
                 caption = "훈련 데이터의 처음 25장", label = "fig-lab8-first25"})

-- %% 모델 만들기
local model = nn.Sequential {
  nn.Flatten{input_shape = {28, 28, 1}},
  nn.Dropout(0.2),
  nn.Dense(128, "relu"),
  nn.Dense(32, "relu"),
  nn.Dense(10, "softmax"),
}
model:summary()

-- %% 학습
model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy",
              metrics = {"accuracy"}}
local hist = model:fit(x_train, y_train, {epochs = epochs, batch_size = 32,
                                          validation_split = 0.1})
-- 검증 정확도(validation accuracy)가 가장 높았던 에포크와 그 값 (9장의 표가 인용한다)
local va = hist.history.val_accuracy
local best = 1
for e = 2, #va do if va[e] > va[best] then best = e end end
book.value("best_val_acc", va[best], "%.4f")
book.value("best_epoch", best, "%d")
-- 에포크당 학습 시간(검증 평가 제외, 초): 9장의 표가 이 실행의 값을 인용한다
local epoch_s = hist.train_seconds / #va
book.value("epoch_seconds", epoch_s, "%.2f")
print(("에포크당 학습 시간: %.2f초 (%d 에포크 평균, 검증 평가 제외)"):format(epoch_s, #va))
print(("검증 정확도가 가장 높았던 에포크: %d (%.4f)"):format(best, va[best]))
-- 학습 곡선: 그 에포크를 초록 점선으로 표시한다
plot.history(hist, out "history.png", {title = "LAB 8-1 MLP의 학습 곡선", best_epoch = best,
             labels = {epoch = "에포크 (epoch)", train = "훈련 (train)",
                       validation = "검증 (validation)", loss = "손실 (loss)",
                       accuracy = "정확도 (accuracy)", best = "최고 검증 정확도"},
             caption = "LAB 8-1 MLP의 학습 곡선 (점선: 검증 정확도가 가장 높았던 에포크)",
             label = "fig-lab8-history"})

-- %% 평가와 혼동 행렬
local loss, acc = model:evaluate(x_test, y_test)
print(("테스트 손실(loss) %.4f, 테스트 정확도(accuracy) %.4f"):format(loss, acc))
book.value("test_acc", acc, "%.3f")
local probs = model:predict(x_test)        -- (N, 10): 이미지마다 클래스별 확률
local predicted = probs:argmax(2) - 1      -- 가장 큰 확률의 위치 -> 클래스 번호
plot.confusion_matrix(y_test, predicted, out "confusion.png",
                      {class_names = names, title = "LAB 8-1 MLP의 혼동 행렬",
                       xlabel = "예측한 클래스 (predicted)", ylabel = "실제 클래스 (true)",
                       caption = "LAB 8-1 MLP의 혼동 행렬", label = "fig-lab8-confusion"})

-- 학습한 모델 전체(구조, 가중치, 옵티마이저 상태)를 케라스(Keras) 2.6 형식의
-- .h5 파일로 저장한다. 다시 학습하지 않고 nn.models.load_model로 불러 쓸 수 있다
model:save(out "mlp.h5")
print("모델 저장: " .. out "mlp.h5")

-- %% 한 장씩 예측하기
-- 첫 번째 테스트 이미지 한 장을 모델에 넣어 보자. predict는 배치(batch)를
-- 받으므로 (1, 28, 28, 1) 모양으로 잘라 넣고, (1, 10)의 확률을 받는다.
local one = model:predict(x_test:slice(1, 1, 1))
print("첫 번째 테스트 이미지의 클래스별 확률(probability):")
for k = 1, 10 do
  print(("  %d %-12s %.4f"):format(k - 1, names[k], one:get(1, k)))
end
local guess, truth = predicted[1], y_test[1]
print(("예측: %s, 정답: %s"):format(names[guess + 1], names[truth + 1]))
plot.prediction(x_test:slice(1, 1, 1), one, out "predict_first.png",
                {class_names = names, true_label = truth, title = "첫 번째 테스트 이미지의 예측",
                 caption = "첫 번째 테스트 이미지와 모델이 낸 클래스별 확률",
                 label = "fig-lab8-predict-first"})

-- %% 틀린 이미지 살펴보기
-- 예측이 정답과 다른 테스트 이미지는 몇 장일까? (ne: 같지 않으면 1)
local wrong = predicted:ne(y_test):sum()
print(("테스트 이미지 %d장 가운데 %d장을 틀렸다"):format(x_test:shape()[1], wrong))
book.value("wrong_count", wrong, "%d")
book.value("test_n", x_test:shape()[1], "%d")
-- 처음 틀린 이미지 하나의 확률 막대: 정답 클래스에는 얼마를 주었을까?
local w = 1
while predicted[w] == y_test[w] do w = w + 1 end
plot.prediction(x_test:slice(1, w, w), probs:slice(1, w, w), out "predict_wrong.png",
                {class_names = names, true_label = y_test[w],
                 title = ("%d번째 테스트 이미지의 예측 (틀림)"):format(w),
                 caption = "처음으로 틀린 테스트 이미지와 클래스별 확률 (빨강: 예측, 파랑: 정답)",
                 label = "fig-lab8-predict-wrong"})
-- 틀린 이미지 15장: wrong_only가 틀린 것만 고른다. 캡션(caption)의 위 줄이 예측, 아래 줄이 정답이다
plot.image_grid(x_test, out "mistakes.png",
                {labels = y_test, predicted = predicted, wrong_only = true,
                 class_names = names, cols = 5, rows = 3,
                 title = "LAB 8-1 MLP가 틀린 테스트 이미지",
                 caption = "MLP가 틀린 테스트 이미지 15장 (위: 예측, 아래: 정답)",
                 label = "fig-lab8-mistakes"})
print("그림과 가중치를 저장한 폴더: " .. (out "first25.png"):match("^(.*)/[^/]*$"))
