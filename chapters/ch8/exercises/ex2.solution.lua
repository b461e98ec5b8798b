-- 연습 8-2 풀이 (강사용): 소프트맥스와 교차 엔트로피를 직접 구현하기
-- exercise: ch8/ex2   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)

-- softmax는 모든 z에서 같은 수를 빼도 값이 같습니다. 가장 큰 z를 빼면
-- exp의 인수가 모두 0 이하가 되어 넘치지 않습니다.
local function log_sum_exp(z)
  local m = -math.huge
  for _, v in ipairs(z) do if v > m then m = v end end
  local s = 0
  for _, v in ipairs(z) do s = s + math.exp(v - m) end
  return m + math.log(s)
end

function softmax(z)
  local lse = log_sum_exp(z)
  local p = {}
  for i, v in ipairs(z) do p[i] = math.exp(v - lse) end
  return p
end

-- -log p[label] = log(sum exp z) - z[label]: 확률을 거치지 않으므로
-- 아주 작은 확률의 log도 정확합니다.
function cross_entropy(z, label)
  return log_sum_exp(z) - z[label + 1]
end

print(table.concat(softmax{1, 2, 3}, ", "))
print(cross_entropy({1, 2, 3}, 2))
print(table.concat(softmax{1000, 1001, 1002}, ", "))
