-- 연습 6-2: 초승달 데이터에 맞는 RBF SVM의 C와 gamma 고르기
-- exercise: ch6/ex2   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)
--
-- RBF 커널 SVM에는 두 하이퍼파라미터가 있습니다. C는 훈련 샘플을
-- 잘못 분류하는 데 주는 벌점이고, gamma는 샘플 하나의 영향이 얼마나
-- 가까운 곳까지만 미치는지를 정합니다. 둘 다 너무 작으면 결정 경계가
-- 지나치게 단순해지고(과소적합), 너무 크면 훈련 샘플 하나하나를
-- 감싸는 경계가 됩니다(과대적합).
--
-- 할 일
--   1. 아래 훈련/검증 세트에서 여러 C와 gamma를 시험해 보고(직접 반복문을
--      쓰거나 ml.GridSearchCV를 써도 됩니다) 좋은 값을 골라 C와 gamma에
--      숫자로 넣으세요.
--   2. 검사는 여러분이 고른 C와 gamma로 ml.SVC{C = C, gamma = gamma}를
--      "여러분이 보지 못한" 초승달 데이터(잡음 0.3)에 훈련시키고, 숨겨 둔
--      테스트 세트에서 정확도 0.87 이상을 요구합니다.
--
-- 확인: ./workbook check ch6/ex2.lua
local ml, data = require "ml", require "data"

local X, y = data.make_moons{n_samples = 300, noise = 0.3, random_state = 42}
local X_train, X_val, y_train, y_val = ml.train_test_split(X, y, {test_size = 0.3, random_state = 0})

-- TODO 1: 여러 값을 시험해 보세요.
--   예: local m = ml.SVC{C = 1, gamma = 0.1}:fit(X_train, y_train)
--       print(ml.metrics.accuracy_score(y_val, m:predict(X_val)))

-- TODO 2: 고른 값
C = nil
gamma = nil
