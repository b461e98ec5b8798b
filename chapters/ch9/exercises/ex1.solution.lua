-- 연습 9-1 풀이 (강사용): 수직 경계 커널
-- exercise: ch9/ex1   (이 줄은 그대로 두세요: 복사본도 ./workbook check로 검사할 수 있습니다)
local image, tensor, data = require "image", require "tensor", require "data"

-- 왼쪽 열과 오른쪽 열의 차이: 가로 방향의 밝기 변화에만 반응하는
-- Prewitt 커널. 각 행의 합이 0이므로 고른 곳과 가로 경계에서는 0입니다.
kernel = tensor{{-1, 0, 1},
                {-1, 0, 1},
                {-1, 0, 1}}

local gray = image.to_gray(image.load(data.path("images/astronaut.png")))
local edges = image.filter(gray, kernel, {padding = "same"})
image.save(edges, out "edges.png", {normalize = true})
print("커널:")
print(kernel)
