-- 연습 8-2의 검사: 학생의 softmax와 cross_entropy를 숨은 로짓들로 불러
-- nn 모델의 결과와 비교한다. 기준 모델은 Dense(k, "softmax") 하나에
-- 단위 행렬 가중치와 0 편향을 넣은 것: 출력이 입력의 softmax이고,
-- evaluate가 sparse_categorical_crossentropy 손실을 낸다.
local nn, tensor = require "nn", require "tensor"

local function reference(k)
  local m = nn.Sequential{nn.Dense{units = k, activation = "softmax", input_shape = {k}}}
  local eye = tensor.zeros(k, k)
  for i = 1, k do eye:set(i, i, 1) end
  m:set_weights{eye, tensor.zeros(k)}
  m:compile{optimizer = "sgd", loss = "sparse_categorical_crossentropy"}
  return m
end

local function nn_softmax(z)
  local p = reference(#z):predict(tensor{z}, {verbose = 0})
  local out = {}
  for i = 1, #z do out[i] = p:get(1, i) end
  return out
end

local function nn_loss(z, label)
  return (reference(#z):evaluate(tensor{z}, tensor{label}, {verbose = 0}))
end

local function show(z) return "{" .. table.concat(z, ", ") .. "}" end

local function check_softmax(c, s, z, hint)
  local p = c.call(s.softmax, {table.unpack(z)})
  c.kind(p, "table", ("softmax(%s)의 결과"):format(show(z)))
  c.equal(#p, #z, ("softmax(%s)는 입력과 같은 길이의 목록을 돌려줘야 합니다"):format(show(z)))
  local want = nn_softmax(z)
  for i = 1, #z do
    c.near(p[i], want[i], 1e-5, ("softmax(%s)의 %d번째 값이 틀립니다. %s"):format(show(z), i, hint))
  end
end

local function check_loss(c, s, z, label, hint)
  local got = c.call(s.cross_entropy, {table.unpack(z)}, label)
  local want = nn_loss(z, label)
  c.near(got, want, 1e-4 * math.max(1, want),
         ("cross_entropy(%s, %d)가 틀립니다. %s"):format(show(z), label, hint))
end

local SM_HINT = "softmax는 각 exp(z)를 모든 exp(z)의 합으로 나눈 값입니다"
local CE_HINT = "손실은 정답 클래스 확률의 음의 로그이고, label은 0부터 셉니다"
local BIG_HINT = "exp가 넘치거나 확률이 0이 되었습니다. 모든 z에 같은 수를 더하거나 " ..
                 "빼도 softmax가 변하지 않는다는 점을 이용하세요"

return {
  limits = {seconds = 30, memory_mb = 1024},
  checks = {
    {name = "softmax (숨은 로짓)", run = function(s, c)
      c.kind(s.softmax, "function", "softmax")
      for _, z in ipairs {{0.5, -1.25, 2}, {3, 3, 3, 3}, {-2, 0.1, 4.5, 1, -0.3}, {7}} do
        check_softmax(c, s, z, SM_HINT)
      end
    end},
    {name = "cross_entropy (숨은 로짓과 정답)", run = function(s, c)
      c.kind(s.cross_entropy, "function", "cross_entropy")
      for _, case in ipairs {{{0.5, -1.25, 2}, 0}, {{0.5, -1.25, 2}, 2},
                             {{-2, 0.1, 4.5, 1, -0.3}, 3}, {{1, 1}, 1}} do
        check_loss(c, s, case[1], case[2], CE_HINT)
      end
    end},
    {name = "큰 로짓에서도 안정적", run = function(s, c)
      c.kind(s.softmax, "function", "softmax")
      c.kind(s.cross_entropy, "function", "cross_entropy")
      check_softmax(c, s, {1000, 1001, 1002}, BIG_HINT)
      check_softmax(c, s, {-800, -805, -790}, BIG_HINT)
      check_loss(c, s, {900, 0, -900}, 1, BIG_HINT)
    end},
  },
}
