-- 연습 9-3의 검사: 학생의 build_model()로 만든 모델을 정해진 방법으로
-- 학습시켜 숨은 테스트 이미지에서 정확도를 잰다. 6,000장, 4 에포크:
-- 2코어에서 몇 초 (풀이 모델 약 3초), 한도 60초.
local nn, data, tensor = require "nn", require "data", require "tensor"

local MAX_PARAMS, BAR = 20000, 0.78

local function build(s, c)
  c.kind(s.build_model, "function", "build_model")
  local m = c.call(s.build_model)
  c.ok(type(m) == "table" and type(m.count_params) == "function",
       "기대: build_model()이 모델(nn.Sequential)을 돌려줌, 실제: " ..
       (m == nil and "nil" or type(m)))
  return m
end

local conv_class = getmetatable(nn.Conv2D{filters = 1, kernel_size = 1})

return {
  limits = {seconds = 60, memory_mb = 2048},
  checks = {
    {name = "모델 만들기", run = function(s, c)
      local m = build(s, c)
      local has_conv = false
      for _, l in ipairs(m.layers or {}) do
        if getmetatable(l) == conv_class then has_conv = true end
      end
      c.ok(has_conv, "기대: 합성곱 층(nn.Conv2D)이 하나 이상, 실제: 없음")
    end},
    {name = "출력 모양", run = function(s, c)
      local m = build(s, c)
      local p = c.call(function() return m:predict(tensor.zeros(2, 28, 28, 1)) end)
      c.shape(p, {2, 10}, "입력 {28, 28, 1}, 마지막 층 Dense(10, \"softmax\")인지 보세요")
    end},
    {name = "파라미터 수", run = function(s, c)
      local m = build(s, c)
      local n = c.call(function() return m:count_params() end)
      c.below(n, MAX_PARAMS, "필터 수나 Dense 유닛 수를 줄이거나 풀링을 더 해 보세요")
    end},
    {name = "테스트 정확도", run = function(s, c)
      local m = build(s, c)
      tensor.seed(2024)
      local fm = data.fashion_mnist()
      local x, y = fm.train.x:slice(1, 1, 6000), fm.train.y:slice(1, 1, 6000)
      -- hidden test images: a slice the exercise never names
      local xt, yt = fm.test.x:slice(1, 4001, 5000), fm.test.y:slice(1, 4001, 5000)
      local acc = c.call(function()
        m:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy",
                  metrics = {"accuracy"}}
        m:fit(x, y, {epochs = 4, batch_size = 32, verbose = 0})
        local _, a = m:evaluate(xt, yt, {verbose = 0})
        return a
      end)
      c.at_least(acc, BAR, "학습 후 숨은 테스트 이미지 1,000장에서의 정확도입니다")
    end},
  },
}
