-- 연습 6-1 풀이 (강사용): 혼동 행렬에서 정밀도, 재현율, F1 구하기
-- exercise: ch6/ex1   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)

-- 정밀도: 양성으로 예측한 것 가운데 진짜 양성의 비율 TP / (TP + FP)
-- 재현율: 진짜 양성 가운데 양성으로 예측한 것의 비율 TP / (TP + FN)
-- F1: 두 값의 조화 평균 2PR / (P + R)
local function ratio(a, b) return b > 0 and a / b or 0 end

function prf(tn, fp, fn, tp)
  local precision = ratio(tp, tp + fp)
  local recall = ratio(tp, tp + fn)
  local f1 = ratio(2 * precision * recall, precision + recall)
  return precision, recall, f1
end

precision, recall, f1 = prf(90, 10, 20, 80)

print("precision", precision, "recall", recall, "f1", f1)
