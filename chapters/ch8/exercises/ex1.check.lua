-- 연습 8-1의 검사: 학생이 센 파라미터 수를 nn 모델이 실제로 센 값과
-- 비교하고, mlp_params를 숨은 층 크기들로 불러 본다. 정답은 검사
-- 파일이 모델을 직접 만들어 센다.
local nn = require "nn"

-- the model of a sizes list: Dense layers on an input of sizes[1]
local function real_params(sizes)
  local layers = {}
  for i = 2, #sizes do
    layers[#layers + 1] = i == 2 and nn.Dense{units = sizes[i], input_shape = {sizes[1]}}
                                  or nn.Dense(sizes[i])
  end
  return (nn.Sequential(layers):count_params())
end

local DENSE_HINT = "Dense 층의 파라미터는 가중치(입력 수 x 유닛 수)와 편향(유닛마다 하나)입니다"

return {
  limits = {seconds = 30, memory_mb = 1024},
  checks = {
    {name = "LAB 8-1 모델", run = function(s, c)
      local m = nn.Sequential {
        nn.Flatten{input_shape = {28, 28, 1}},
        nn.Dropout(0.2),
        nn.Dense(128, "relu"),
        nn.Dense(32, "relu"),
        nn.Dense(10, "softmax"),
      }
      c.equal(s.lab_params, (m:count_params()),
              DENSE_HINT .. ". Flatten과 Dropout에는 파라미터가 없습니다", {hide = true})
    end},
    {name = "mlp_params (숨은 층 크기)", run = function(s, c)
      c.kind(s.mlp_params, "function", "mlp_params")
      for _, sizes in ipairs {{4, 3}, {64, 32, 10}, {20, 50, 50, 5}, {100, 7, 13, 9, 2}} do
        local got = c.call(s.mlp_params, {table.unpack(sizes)})
        c.equal(got, real_params(sizes),
                ("mlp_params{%s}의 값이 틀립니다: %s"):format(table.concat(sizes, ", "), DENSE_HINT),
                {hide = true})
      end
    end},
  },
}
