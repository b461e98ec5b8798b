-- 연습 8-1: 다층 퍼셉트론의 파라미터 수 세기
-- exercise: ch8/ex1   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)
--
-- model:summary()는 계층마다 파라미터 수를 보여 줍니다. 이번에는 그
-- 수를 여러분이 직접 계산해 봅시다. Flatten과 Dropout은 학습할
-- 파라미터가 없고, Dense 층에는 가중치와 편향이 있습니다.
--
-- 할 일
--   1. LAB 8-1의 모델(Flatten 28x28x1 - Dropout - Dense 128 - Dense 32 -
--      Dense 10)의 전체 파라미터 수를 lab_params에 숫자로 넣으세요.
--      (summary를 보고 옮겨 적지 말고 손으로 계산해 보세요.)
--   2. mlp_params(sizes)가 Dense 층만 이어 붙인 MLP의 전체 파라미터 수를
--      돌려주게 하세요. sizes는 {입력 수, 첫 은닉층 유닛 수, ..., 출력 유닛 수}
--      입니다. 예: mlp_params{64, 32, 10}은 입력 64개, Dense 32, Dense 10.
--
-- 확인: ./workbook check ch8/ex1.lua
-- (검사는 여러분이 모르는 층 크기들로 함수를 불러 nn 모델의 실제 수와 비교합니다.)

-- TODO 1: LAB 8-1 모델의 전체 파라미터 수
lab_params = nil

-- TODO 2: Dense 층으로만 된 MLP의 파라미터 수
function mlp_params(sizes)
  return nil
end

print("lab_params =", lab_params, "mlp_params{64, 32, 10} =", mlp_params{64, 32, 10})
