-- 연습 8-1 풀이 (강사용): 다층 퍼셉트론의 파라미터 수 세기
-- exercise: ch8/ex1   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)

-- Dense 층 하나: 입력 수 x 유닛 수 (가중치) + 유닛 수 (편향)
function mlp_params(sizes)
  local n = 0
  for i = 2, #sizes do
    n = n + sizes[i - 1] * sizes[i] + sizes[i]
  end
  return n
end

-- Flatten은 28·28·1 = 784개를 내고, Flatten과 Dropout에는 파라미터가 없습니다.
-- 784·128 + 128 = 100480, 128·32 + 32 = 4128, 32·10 + 10 = 330
lab_params = mlp_params{28 * 28, 128, 32, 10}

print("lab_params =", lab_params, "mlp_params{64, 32, 10} =", mlp_params{64, 32, 10})
