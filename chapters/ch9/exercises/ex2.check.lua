-- 연습 9-2의 검사: 학생이 센 파라미터 수를 모델의 실제 값과 비교하고,
-- conv2d_params를 숨은 크기들로 불러 본다. 정답은 검사 파일이 모델을
-- 직접 만들어 센다 (학생 파일의 model은 믿지 않는다).
local nn = require "nn"

local function layer_params(l)
  local n = 0
  for _, w in ipairs(l.weights or {}) do n = n + w.value:numel() end
  return n
end

local function reference()
  local m = nn.Sequential {
    nn.Conv2D{filters = 16, kernel_size = 3, activation = "relu", input_shape = {28, 28, 1}},
    nn.MaxPooling2D{pool_size = 2},
    nn.Conv2D{filters = 32, kernel_size = 5, activation = "relu"},
    nn.Flatten(),
    nn.Dense(10, "softmax"),
  }
  m:count_params()
  return {layer_params(m.layers[1]), layer_params(m.layers[3]), layer_params(m.layers[5])}
end

local CONV_HINT = "Conv2D의 파라미터 수는 (kh·kw·입력 채널 + 1)·필터 수입니다"

return {
  limits = {seconds = 30, memory_mb = 1024},
  checks = {
    {name = "첫 Conv2D 층", run = function(s, c)
      c.equal(s.conv1_params, reference()[1], CONV_HINT, {hide = true})
    end},
    {name = "둘째 Conv2D 층", run = function(s, c)
      c.equal(s.conv2_params, reference()[2],
              CONV_HINT .. " (입력 채널은 앞 층의 필터 수)", {hide = true})
    end},
    {name = "Dense 층", run = function(s, c)
      c.equal(s.dense_params, reference()[3],
              "Dense의 파라미터 수는 (입력 수 + 1)·유닛 수, Flatten 뒤 입력 수는 높이·너비·채널입니다",
              {hide = true})
    end},
    {name = "conv2d_params (숨은 크기)", run = function(s, c)
      c.kind(s.conv2d_params, "function", "conv2d_params")
      for _, case in ipairs {{3, 3, 3, 8}, {5, 5, 16, 4}, {1, 1, 64, 32}, {3, 5, 2, 7}} do
        local kh, kw, cin, f = table.unpack(case)
        local m = nn.Sequential {
          nn.Conv2D{filters = f, kernel_size = {kh, kw}, input_shape = {12, 12, cin}},
        }
        m:count_params()
        local got = c.call(s.conv2d_params, kh, kw, cin, f)
        c.equal(got, layer_params(m.layers[1]),
                ("conv2d_params(%d, %d, %d, %d)의 값이 틀립니다: %s"):format(kh, kw, cin, f, CONV_HINT))
      end
    end},
  },
}
