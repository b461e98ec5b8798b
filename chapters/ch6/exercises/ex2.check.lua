-- 연습 6-2의 검사: 학생이 고른 C와 gamma로 숨은 초승달 데이터에 RBF
-- SVC를 훈련시키고 숨은 테스트 세트의 정확도를 본다. 데이터는 학생
-- 파일의 것과 다른 시드로 만든다.
local ml, data = require "ml", require "data"

local BAR = 0.87

local function accuracy(C, gamma, seed)
  local X, y = data.make_moons{n_samples = 400, noise = 0.3, random_state = seed}
  local Xtr, Xte, ytr, yte = ml.train_test_split(X, y, {test_size = 0.5, random_state = seed + 1})
  local m = ml.SVC{C = C, gamma = gamma}:fit(Xtr, ytr)
  local acc_train = ml.metrics.accuracy_score(ytr, m:predict(Xtr))
  return ml.metrics.accuracy_score(yte, m:predict(Xte)), acc_train
end

local function value(c, v, what)
  c.kind(v, "number", what)
  c.ok(v > 0, ("%s는 0보다 커야 합니다 (실제 %g)"):format(what, v))
  return v
end

return {
  limits = {seconds = 30, memory_mb = 1024},
  checks = {
    {name = "C와 gamma는 양수", run = function(s, c)
      value(c, s.C, "C")
      value(c, s.gamma, "gamma")
    end},
    {name = "숨은 테스트 세트 정확도", run = function(s, c)
      local C, gamma = value(c, s.C, "C"), value(c, s.gamma, "gamma")
      for _, seed in ipairs {11, 2027} do
        local acc, acc_train = accuracy(C, gamma, seed)
        local why
        if acc_train >= 0.92 then
          why = ("훈련 정확도는 %.3f인데 테스트 정확도가 낮습니다: 과대적합입니다. " ..
                 "C나 gamma가 너무 크지 않은지 보세요"):format(acc_train)
        else
          why = ("훈련 정확도도 %.3f에 그칩니다: 과소적합입니다. 결정 경계가 초승달을 " ..
                 "따라 휠 수 있게 C나 gamma를 바꿔 보세요"):format(acc_train)
        end
        c.at_least(acc, BAR, "숨은 초승달 데이터의 테스트 정확도가 부족합니다. " .. why)
      end
    end},
  },
}
