-- LAB 9-2: 합성곱 신경망(CNN)으로 패션 MNIST 분류하기
-- 교재의 CNN: 3x3 'same' 합성곱(convolution) 세 개(필터 32, 64, 32개)와
-- 앞의 두 합성곱 뒤의 2x2 최대 풀링(max pooling), 그 뒤에 LAB 8-1의 MLP 머리.
-- 교재의 케라스 코드는 합성곱에 활성화 함수를 주지 않지만, 여기서는 CNN이
-- 보통 그렇듯 각각에 ReLU를 넣었다(파라미터 수는 같고, bench/fashion.lua에서
-- 테스트 정확도가 1%p쯤 높다). 교재의 모델을 그대로 돌리려면
-- `activation = "relu"` 세 개를 지우면 된다.
local tensor, nn, data, plot = require "tensor", require "nn", require "data", require "plot"
local book = require "book"   -- 책의 본문이 인용하는 값

-- %% 데이터 준비
tensor.seed(2024)   -- 같은 시드(seed)면 같은 결과가 나온다

local fm = data.fashion_mnist()
local x_train, y_train = fm.train.x, fm.train.y
local x_test, y_test = fm.test.x, fm.test.y
local names = fm.class_names                      -- names[번호 + 1]이 클래스 이름

local epochs = 10
if os.getenv("WORKBOOK_QUICK") == "1" then
  x_train, y_train = x_train:slice(1, 1, 6000), y_train:slice(1, 1, 6000)
  x_test, y_test = x_test:slice(1, 1, 2000), y_test:slice(1, 1, 2000)
  epochs = 2
  -- 빠른 확인: 데이터의 10분의 1로 2 에포크만 학습한다
  print("WORKBOOK_QUICK=1: 훈련 이미지 6,000장으로 2 에포크만 학습하고 2,000장으로 테스트한다")
end

-- %% 모델 만들기
local model = nn.Sequential {
  nn.Conv2D{filters = 32, kernel_size = 3, padding = "same", activation = "relu",
            input_shape = {28, 28, 1}},
  nn.MaxPooling2D{pool_size = 2, strides = 2},
  nn.Conv2D{filters = 64, kernel_size = 3, padding = "same", activation = "relu"},
  nn.MaxPooling2D{pool_size = 2, strides = 2},
  nn.Conv2D{filters = 32, kernel_size = 3, padding = "same", activation = "relu"},
  nn.Flatten(),
  nn.Dense(128, "relu"),
  nn.Dense(32, "relu"),
  nn.Dense(10, "softmax"),
}
model:summary()

-- %% 학습
model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy",
              metrics = {"accuracy"}}
-- 이 CNN은 몇 에포크 뒤부터 과대적합(overfitting)된다(훈련 정확도는 계속
-- 오르는데 검증 정확도는 멈춘다). 검증 정확도가 2 에포크 동안 나아지지
-- 않으면 학습을 멈추고(조기 종료, early stopping) 가장 좋았던 에포크의
-- 가중치를 되돌린다(restore_best_weights).
local stop = nn.callbacks.EarlyStopping{monitor = "val_accuracy", patience = 2,
                                        restore_best_weights = true}
local hist = model:fit(x_train, y_train, {epochs = epochs, batch_size = 32,
                                          validation_split = 0.1,
                                          callbacks = {stop}})
if stop.stopped_epoch then
  print(("조기 종료: 에포크 %d 뒤에 멈추고 에포크 %d의 가중치를 되돌렸다"):format(
        stop.stopped_epoch, stop.best_epoch))
end
-- 가장 높은 검증 정확도와, 테스트하는 가중치의 에포크 (본문의 표가 인용한다).
-- 케라스처럼 조기 종료가 학습을 멈췄을 때만 가장 좋은 가중치를 되돌린다.
local va = hist.history.val_accuracy
local best = 1
for e = 2, #va do if va[e] > va[best] then best = e end end
local tested = stop.stopped_epoch and stop.best_epoch or #va
book.value("best_val_acc", va[best], "%.4f")
book.value("best_epoch", best, "%d")
book.value("epochs_run", #va, "%d")
book.value("tested_epoch", tested, "%d")
-- 에포크당 학습 시간(검증 평가 제외, 초): 본문의 표가 이 실행의 값을 인용한다
local epoch_s = hist.train_seconds / #va
book.value("epoch_seconds", epoch_s, "%.1f")
print(("에포크당 학습 시간: %.1f초 (%d 에포크 평균, 검증 평가 제외)"):format(epoch_s, #va))
-- 학습 곡선: 테스트하는 가중치의 에포크를 초록 점선으로 표시한다
plot.history(hist, out "history.png", {title = "LAB 9-2 CNN의 학습 곡선", best_epoch = tested,
             labels = {epoch = "에포크 (epoch)", train = "훈련 (train)",
                       validation = "검증 (validation)", loss = "손실 (loss)",
                       accuracy = "정확도 (accuracy)",
                       best = stop.stopped_epoch and "되돌린 가중치" or "마지막 가중치"},
             caption = "LAB 9-2 CNN의 학습 곡선 (점선: 테스트하는 가중치의 에포크)",
             label = "fig-lab2-history"})

-- %% 평가와 혼동 행렬
local loss, acc = model:evaluate(x_test, y_test)
print(("테스트 손실(loss) %.4f, 테스트 정확도(accuracy) %.4f"):format(loss, acc))
book.value("test_acc", acc, "%.3f")
local probs = model:predict(x_test)        -- (N, 10): 이미지마다 클래스별 확률
local predicted = probs:argmax(2) - 1      -- 가장 큰 확률의 위치 -> 클래스 번호
plot.confusion_matrix(y_test, predicted, out "confusion.png",
                      {class_names = names, title = "LAB 9-2 CNN의 혼동 행렬",
                       xlabel = "예측한 클래스 (predicted)", ylabel = "실제 클래스 (true)",
                       caption = "LAB 9-2 CNN의 혼동 행렬", label = "fig-lab2-confusion"})

-- 학습한 모델 전체(구조, 가중치, 옵티마이저 상태)를 케라스(Keras) 2.6 형식의
-- .h5 파일로 저장한다. 다시 학습하지 않고 nn.models.load_model로 불러 쓸 수 있다
model:save(out "cnn.h5")
print("모델 저장: " .. out "cnn.h5")

-- %% 한 장씩 예측하기와 틀린 이미지
-- 테스트 이미지 세 장의 예측: 이미지 옆에 클래스별 확률 막대를 그린다
local function show(o)
  local i = o.i
  plot.prediction(x_test:slice(1, i, i), probs:slice(1, i, i), out(("predict_%d.png"):format(i)),
                  {class_names = names, true_label = y_test[i],
                   title = ("%d번째 테스트 이미지의 예측"):format(i),
                   caption = ("%d번째 테스트 이미지와 CNN이 낸 클래스별 확률"):format(i),
                   label = o.label})
end
show{i = 1, label = "fig-lab2-predict-1"}
show{i = 2, label = "fig-lab2-predict-2"}
show{i = 3, label = "fig-lab2-predict-3"}
local wrong = predicted:ne(y_test):sum()
print(("테스트 이미지 %d장 가운데 %d장을 틀렸다"):format(x_test:shape()[1], wrong))
book.value("wrong_count", wrong, "%d")
book.value("test_n", x_test:shape()[1], "%d")
-- 틀린 이미지 15장 (캡션의 위 줄이 예측, 아래 줄이 정답)
plot.image_grid(x_test, out "mistakes.png",
                {labels = y_test, predicted = predicted, wrong_only = true,
                 class_names = names, cols = 5, rows = 3,
                 title = "LAB 9-2 CNN이 틀린 테스트 이미지",
                 caption = "CNN이 틀린 테스트 이미지 15장 (위: 예측, 아래: 정답)",
                 label = "fig-lab2-mistakes"})

-- %% 첫 합성곱 계층 들여다보기
-- 첫 번째 합성곱 계층이 학습한 필터와, 그 필터들이 이미지 한 장에 만든 특성 맵(feature map)
local first = model.layers[1]
plot.filters(first.kernel.value, out "filters.png", {title = "첫 합성곱 계층이 학습한 3×3 필터 32개",
             caption = "첫 합성곱 계층이 학습한 3×3 필터 32개", label = "fig-lab2-filters"})
local one = x_test:slice(1, 1, 1)
plot.feature_maps(first:forward(one, false), out "feature_maps.png",
                  {title = "첫 테스트 이미지(" .. names[y_test[1] + 1] .. ")의 특성 맵",
                   caption = "첫 테스트 이미지의 특성 맵", label = "fig-lab2-maps"})
print("그림과 가중치를 저장한 폴더: " .. (out "history.png"):match("^(.*)/[^/]*$"))
