-- 연습 6-3: HOG 특성 벡터의 길이
-- exercise: ch6/ex3   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)
--
-- image.hog는 이미지를 셀로 나누고, 셀마다 방향 히스토그램을 만들고,
-- 이웃한 셀들을 블록으로 묶어 정규화한 뒤 모든 블록의 값을 한 줄로
-- 이어 붙입니다. 그래서 특성 벡터의 길이는 이미지 크기와 옵션
-- (orientations, pixels_per_cell, cells_per_block)만으로 정해집니다.
-- 블록은 한 셀씩 옮겨 가며 겹치게 놓이고, 셀 하나를 다 채우지 못하는
-- 가장자리 픽셀은 버려진다는 점을 기억하세요.
--
-- 할 일
--   1. hog_length(h, w, orientations, cell_h, cell_w, block_h, block_w)가
--      높이 h, 너비 w인 흑백 이미지에 대한 image.hog 특성 벡터의 길이를
--      돌려주게 하세요. image.hog를 부르지 말고 식으로 계산하세요.
--   2. 달랄과 트릭스의 보행자 검출 창(높이 128, 너비 64, 방향 9개,
--      8x8 픽셀 셀, 2x2 셀 블록)의 특성 길이를 dalal_length에 넣으세요.
--
-- 확인: ./workbook check ch6/ex3.lua
-- (검사는 여러분이 모르는 이미지 크기와 옵션으로 함수를 불러 image.hog와 비교합니다.)
local image, tensor = require "image", require "tensor"

-- TODO 1: 특성 벡터의 길이
function hog_length(h, w, orientations, cell_h, cell_w, block_h, block_w)
  return nil
end

-- TODO 2: 128x64 창의 특성 길이
dalal_length = nil

print("hog_length(128, 64, 9, 8, 8, 2, 2) =", hog_length(128, 64, 9, 8, 8, 2, 2))
