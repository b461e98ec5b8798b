-- 연습 6-1: 혼동 행렬에서 정밀도, 재현율, F1 구하기
-- exercise: ch6/ex1   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)
--
-- 6장 프로젝트는 얼굴 분류기의 성능을 ml.metrics의 precision_score,
-- recall_score, f1_score로 보고했습니다. 이 값들은 모두 이진 분류의
-- 혼동 행렬 네 칸(TN, FP, FN, TP)만 있으면 손으로 구할 수 있습니다.
--
--                 예측 0   예측 1
--      실제 0      TN       FP
--      실제 1      FN       TP
--
-- 할 일
--   1. prf(tn, fp, fn, tp)가 정밀도, 재현율, F1 세 값을 차례로 돌려주게
--      하세요. 분모가 0이 되는 경우에는 scikit-learn처럼 0을 돌려주세요.
--   2. 아래 혼동 행렬(어떤 얼굴 검출기의 결과)에 대해 precision, recall,
--      f1 값을 여러분의 함수로 구해 두세요.
--         실제 0: 90  10
--         실제 1: 20  80
--
-- 확인: ./workbook check ch6/ex1.lua
-- (검사는 여러분이 모르는 예측 결과들로 함수를 불러 ml.metrics와 비교합니다.)

-- TODO 1: 정밀도, 재현율, F1
function prf(tn, fp, fn, tp)
  local precision, recall, f1 = nil, nil, nil
  return precision, recall, f1
end

-- TODO 2: 위 혼동 행렬의 세 값
precision, recall, f1 = nil, nil, nil

print("precision", precision, "recall", recall, "f1", f1)
