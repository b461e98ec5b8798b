-- 연습 6-3 풀이 (강사용): HOG 특성 벡터의 길이
-- exercise: ch6/ex3   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)
local image, tensor = require "image", require "tensor"

-- 셀 수: 셀을 다 채우는 만큼만 (나머지 픽셀은 버림)
-- 블록 수: 블록이 한 셀씩 움직이므로 셀 수 - 블록 크기 + 1 (방향마다)
-- 블록 하나의 값: 블록 안의 셀 수 x 방향 수
function hog_length(h, w, orientations, cell_h, cell_w, block_h, block_w)
  local cells_h, cells_w = h // cell_h, w // cell_w
  local blocks_h, blocks_w = cells_h - block_h + 1, cells_w - block_w + 1
  return blocks_h * blocks_w * block_h * block_w * orientations
end

-- 16x8 셀, 15x7 블록, 블록마다 2x2x9 = 36개: 3780
dalal_length = hog_length(128, 64, 9, 8, 8, 2, 2)

-- image.hog로 맞는지 확인해 봅니다.
local f = image.hog(tensor.zeros(128, 64), {orientations = 9, pixels_per_cell = {8, 8},
                                            cells_per_block = {2, 2}})
print("hog_length(128, 64, 9, 8, 8, 2, 2) =", dalal_length, "image.hog:", f:numel())
