-- 연습 8-3의 검사: 학생의 build_model()로 새 모델을 만들어 크기를 보고,
-- 숨은 분할의 훈련 세트에 학생의 epochs만큼 학습시킨 뒤 숨은 테스트
-- 세트의 정확도를 본다.
local nn, tensor, data, ml = require "nn", require "tensor", require "data", require "ml"

local MAX_PARAMS, BAR = 3000, 0.93

local function new_model(c, s)
  c.kind(s.build_model, "function", "build_model")
  tensor.seed(77)
  local m = c.call(s.build_model)
  c.ok(type(m) == "table" and type(m.fit) == "function" and type(m.count_params) == "function",
       "build_model()은 nn.Sequential{...}로 만든 모델을 돌려줘야 합니다")
  return m
end

return {
  limits = {seconds = 60, memory_mb = 1024},
  checks = {
    {name = "모델의 입출력과 크기", run = function(s, c)
      local m = new_model(c, s)
      local out = c.call(function() return m:predict(tensor.zeros(5, 64), {verbose = 0}) end)
      c.shape(out, {5, 10}, "입력 64개를 받아 클래스 10개의 확률을 내야 합니다")
      local n = m:count_params()
      c.below(n, MAX_PARAMS, "파라미터가 너무 많습니다: 은닉층의 유닛 수나 층 수를 줄이세요")
    end},
    {name = "숨은 테스트 세트 정확도", run = function(s, c)
      c.kind(s.epochs, "number", "epochs")
      c.ok(s.epochs >= 1 and s.epochs <= 50 and s.epochs == math.floor(s.epochs),
           ("epochs는 1~50의 정수여야 합니다 (실제 %s)"):format(s.epochs))
      local m = new_model(c, s)
      c.below(m:count_params(), MAX_PARAMS, "파라미터가 너무 많습니다: 은닉층의 유닛 수나 층 수를 줄이세요")
      local d = data.digits()
      local x_tr, x_te, y_tr, y_te = ml.train_test_split(d.data / 16, d.target,
        {test_size = 0.3, random_state = 2718, stratify = d.target})
      c.call(function() m:fit(x_tr, y_tr, {epochs = s.epochs, batch_size = 32, verbose = 0}) end)
      local pred = m:predict(x_te, {verbose = 0}):argmax(2) - 1
      local acc = ml.metrics.accuracy_score(y_te, pred)
      local pred_tr = m:predict(x_tr, {verbose = 0}):argmax(2) - 1
      local acc_tr = ml.metrics.accuracy_score(y_tr, pred_tr)
      c.at_least(acc, BAR, ("숨은 테스트 세트의 정확도가 부족합니다 (훈련 세트 정확도 %.3f). " ..
        "출력층의 활성화와 손실, 옵티마이저, 에포크 수를 확인하세요"):format(acc_tr))
    end},
  },
}
