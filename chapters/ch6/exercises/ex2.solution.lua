-- 연습 6-2 풀이 (강사용): 초승달 데이터에 맞는 RBF SVM의 C와 gamma 고르기
-- exercise: ch6/ex2   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)
local ml, data = require "ml", require "data"

local X, y = data.make_moons{n_samples = 300, noise = 0.3, random_state = 42}
local X_train, X_val, y_train, y_val = ml.train_test_split(X, y, {test_size = 0.3, random_state = 0})

-- 작은 격자를 훑어 검증 정확도가 가장 높은 조합을 고릅니다.
local best = {acc = -1}
for _, c in ipairs {0.1, 1, 10, 100} do
  for _, g in ipairs {0.01, 0.1, 1, 10, 100} do
    local m = ml.SVC{C = c, gamma = g}:fit(X_train, y_train)
    local acc = ml.metrics.accuracy_score(y_val, m:predict(X_val))
    print(("C = %-5g gamma = %-5g 검증 정확도 %.3f"):format(c, g, acc))
    if acc > best.acc then best = {acc = acc, C = c, gamma = g} end
  end
end
-- 검증 세트가 작으므로(90개) 최고점 주변의 값들도 비슷하게 좋습니다.
-- 너무 큰 gamma(100)는 어느 C에서나 검증 정확도가 떨어집니다: 과대적합.
C, gamma = best.C, best.gamma
print(("고른 값: C = %g, gamma = %g (검증 정확도 %.3f)"):format(C, gamma, best.acc))
