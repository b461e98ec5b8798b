-- LAB 8-1: Fashion-MNIST with a multi-layer perceptron.
-- The course's Keras lab, line for line in the workbook's Lua API:
-- load the data, look at it, build Flatten - Dropout - Dense x3, train
-- with Adam, then read the training curves and the confusion matrix.
local tensor, nn, data, plot = require "tensor", require "nn", require "data", require "plot"
local book = require "book"   -- values the chapters' text quotes

tensor.seed(2024)   -- the same seed gives the same run

-- %% 데이터 읽기
local fm = data.fashion_mnist()
local x_train, y_train = fm.train.x, fm.train.y   -- (60000, 28, 28, 1), ids 0..9
local x_test, y_test = fm.test.x, fm.test.y       -- (10000, 28, 28, 1)

local epochs = 10
if os.getenv("WORKBOOK_QUICK") == "1" then
  -- a quick check: a tenth of the data and two epochs
  x_train, y_train = x_train:slice(1, 1, 6000), y_train:slice(1, 1, 6000)
  x_test, y_test = x_test:slice(1, 1, 2000), y_test:slice(1, 1, 2000)
  epochs = 2
  print("WORKBOOK_QUICK=1: training on 6,000 images for 2 epochs, testing on 2,000")
end
print(("train x %s, y %s; test x %s"):format(table.concat(x_train:shape(), "x"),
      table.concat(y_train:shape(), "x"), table.concat(x_test:shape(), "x")))

-- %% 이미지 살펴보기
plot.image_grid(x_train:slice(1, 1, 25), out "first25.png",
                {labels = y_train:slice(1, 1, 25), class_names = fm.class_names,
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
-- the best validation accuracy and its epoch, for chapter 9's table
local va = hist.history.val_accuracy
local best = 1
for e = 2, #va do if va[e] > va[best] then best = e end end
book.value("best_val_acc", va[best], "%.4f")
book.value("best_epoch", best, "%d")
plot.history(hist, out "history.png", {title = "LAB 8-1 MLP",
             caption = "LAB 8-1 MLP의 학습 곡선", label = "fig-lab8-history"})

-- %% 평가와 혼동 행렬
local loss, acc = model:evaluate(x_test, y_test)
print(("test loss %.4f, test accuracy %.4f"):format(loss, acc))
book.value("test_acc", acc, "%.3f")
local predicted = model:predict(x_test):argmax(2) - 1   -- positions -> class ids
plot.confusion_matrix(y_test, predicted, out "confusion.png",
                      {class_names = fm.class_names, title = "LAB 8-1 MLP",
                       caption = "LAB 8-1 MLP의 혼동 행렬", label = "fig-lab8-confusion"})
