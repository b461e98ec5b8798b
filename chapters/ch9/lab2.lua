-- LAB 9-2: Fashion-MNIST with a convolutional network.
-- The course's CNN: three 3x3 'same' convolutions (32, 64, 32 filters)
-- with 2x2 max pooling after the first two, then the MLP head of LAB 8-1.
-- The course's Keras code gives the convolutions no activation; here
-- each has a ReLU, as CNNs usually do (same parameters; about one point
-- more test accuracy in bench/fashion.lua). Delete the three
-- `activation = "relu"` to run the course's exact model.
local tensor, nn, data, plot = require "tensor", require "nn", require "data", require "plot"
local book = require "book"   -- values the chapter's text quotes

-- %% 데이터 준비
tensor.seed(2024)

local fm = data.fashion_mnist()
local x_train, y_train = fm.train.x, fm.train.y
local x_test, y_test = fm.test.x, fm.test.y

local epochs = 10
if os.getenv("WORKBOOK_QUICK") == "1" then
  x_train, y_train = x_train:slice(1, 1, 6000), y_train:slice(1, 1, 6000)
  x_test, y_test = x_test:slice(1, 1, 2000), y_test:slice(1, 1, 2000)
  epochs = 2
  print("WORKBOOK_QUICK=1: training on 6,000 images for 2 epochs, testing on 2,000")
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
-- This CNN starts to overfit after a few epochs (validation accuracy
-- stalls while training accuracy climbs): stop when validation accuracy
-- has not improved for 2 epochs and keep the best epoch's weights.
local stop = nn.callbacks.EarlyStopping{monitor = "val_accuracy", patience = 2,
                                        restore_best_weights = true}
local hist = model:fit(x_train, y_train, {epochs = epochs, batch_size = 32,
                                          validation_split = 0.1,
                                          callbacks = {stop}})
if stop.stopped_epoch then
  print(("early stopping after epoch %d; weights of epoch %d restored"):format(
        stop.stopped_epoch, stop.best_epoch))
end
-- the best validation accuracy and the epoch whose weights are tested,
-- for the chapter's table (Keras restores the best weights only when
-- early stopping stops the run)
local va = hist.history.val_accuracy
local best = 1
for e = 2, #va do if va[e] > va[best] then best = e end end
book.value("best_val_acc", va[best], "%.4f")
book.value("best_epoch", best, "%d")
book.value("epochs_run", #va, "%d")
book.value("tested_epoch", stop.stopped_epoch and stop.best_epoch or #va, "%d")
plot.history(hist, out "history.png", {title = "LAB 9-2 CNN",
             caption = "LAB 9-2 CNN의 학습 곡선", label = "fig-lab2-history"})

-- %% 평가와 혼동 행렬
local loss, acc = model:evaluate(x_test, y_test)
print(("test loss %.4f, test accuracy %.4f"):format(loss, acc))
book.value("test_acc", acc, "%.3f")
local predicted = model:predict(x_test):argmax(2) - 1
plot.confusion_matrix(y_test, predicted, out "confusion.png",
                      {class_names = fm.class_names, title = "LAB 9-2 CNN",
                       caption = "LAB 9-2 CNN의 혼동 행렬", label = "fig-lab2-confusion"})

-- %% 첫 합성곱 계층 들여다보기
-- what the first convolution learned, and what it makes of one image
local first = model.layers[1]
plot.filters(first.kernel.value, out "filters.png", {title = "conv2d: 32 learned 3x3 filters",
             caption = "첫 합성곱 계층이 학습한 3×3 필터 32개", label = "fig-lab2-filters"})
local one = x_test:slice(1, 1, 1)
plot.feature_maps(first:forward(one, false), out "feature_maps.png",
                  {title = "feature maps of the first test image (" .. fm.class_names[y_test[1] + 1] .. ")",
                   caption = "첫 테스트 이미지의 특성 맵", label = "fig-lab2-maps"})
