-- 연습 9-1: 수직 경계를 찾는 커널
-- exercise: ch9/ex1   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)
--
-- LAB 9-1에서 image.filter로 사진에 커널(필터)을 적용해 보았습니다.
-- 이번에는 여러분이 직접 3x3 커널을 만들어 "세로로 난 경계"(왼쪽과
-- 오른쪽의 밝기가 다른 곳)를 찾아 봅시다.
--
-- 할 일
--   1. 아래 `kernel`에 3x3 커널을 만드세요 (tensor{{...}, {...}, {...}}).
--      - 세로 경계(왼쪽 어둡고 오른쪽 밝음, 또는 그 반대)에서 응답이 커야 하고
--      - 가로 경계(위아래의 밝기 차이)와 밝기가 고른 곳에서는 응답이 0이어야 합니다.
--   2. 만든 커널로 우주인 사진을 필터링해서 out "edges.png"로 저장하세요.
--
-- 확인: ./workbook check ch9/ex1.lua
-- (검사는 여러분이 모르는 이미지들에 커널을 적용해 봅니다.)
local image, tensor, data = require "image", require "tensor", require "data"

-- TODO 1: 수직 경계 커널 (3x3)
kernel = nil

-- TODO 2: 사진을 커널로 필터링하고 결과를 저장하세요.
--   힌트: image.filter(gray, kernel, {padding = "same"}),
--         image.save(결과, out "edges.png", {normalize = true})
local gray = image.to_gray(image.load(data.path("images/astronaut.png")))
if kernel then
  print("커널:")
  print(kernel)
end
