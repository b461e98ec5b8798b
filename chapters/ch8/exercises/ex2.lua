-- 연습 8-2: 소프트맥스와 교차 엔트로피를 직접 구현하기
-- exercise: ch8/ex2   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)
--
-- LAB 8-1 모델의 마지막 층은 Dense(10, "softmax")이고, 손실은
-- sparse_categorical_crossentropy였습니다. 두 계산을 Lua 표만으로
-- 직접 구현해 봅시다 (tensor나 nn은 쓰지 마세요).
--
-- 할 일
--   1. softmax(z): 점수(로짓) 목록 z = {z1, z2, ...}를 받아 같은 길이의
--      확률 목록을 돌려줍니다. 모두 0 이상이고 합이 1이어야 합니다.
--   2. cross_entropy(z, label): 로짓 z와 정답 클래스 번호 label(케라스처럼
--      0부터 셉니다)을 받아 샘플 하나의 교차 엔트로피 손실을 돌려줍니다.
--   3. z가 {1000, 1001, 1002}처럼 커도 NaN이나 inf 없이 바른 값을 내야
--      합니다. math.exp(1000)이 무엇인지 먼저 찍어 보세요.
--
-- 확인: ./workbook check ch8/ex2.lua
-- (검사는 여러분이 모르는 로짓들로 함수를 불러 nn 모델의 softmax와 손실과 비교합니다.)

-- TODO 1: 소프트맥스
function softmax(z)
  local p = {}
  return p
end

-- TODO 2: 교차 엔트로피 (label은 0부터)
function cross_entropy(z, label)
  return nil
end

print(table.concat(softmax{1, 2, 3}, ", "))
print(cross_entropy({1, 2, 3}, 2))
