-- 연습 9-1의 검사: 학생의 `kernel`을 숨은 이미지들에 적용해 본다.
local image, tensor = require "image", require "tensor"

-- a 12x12 picture: 0 on one side of a straight edge, `hi` on the other
local function step(vertical, hi)
  local t = tensor.zeros(12, 12)
  for r = 1, 12 do
    for c = 1, 12 do
      local on = vertical and c > 6 or (not vertical and r > 6)
      if on then t:set(r, c, hi) end
    end
  end
  return t
end

local function response(k, img)
  return image.filter(img, k, {padding = "valid"}):abs():max()
end

return {
  limits = {seconds = 30, memory_mb = 1024},
  checks = {
    {name = "커널 모양", run = function(s, c)
      c.shape(s.kernel, {3, 3}, "kernel은 3x3 텐서여야 합니다")
    end},
    {name = "세로 경계에 반응", run = function(s, c)
      local k = c.shape(s.kernel, {3, 3}, "kernel은 3x3 텐서여야 합니다")
      -- dark-to-bright and bright-to-dark edges of two contrasts
      for _, hi in ipairs {1, 0.5} do
        local r = response(k, step(true, hi))
        c.at_least(r, 0.5 * hi,
          ("밝기 차이 %g인 세로 경계에서 응답(절댓값 최대)이 너무 작습니다: " ..
           "왼쪽 열과 오른쪽 열에 부호가 다른 가중치가 필요합니다"):format(hi))
      end
    end},
    {name = "고른 곳과 가로 경계는 무시", run = function(s, c)
      local k = c.shape(s.kernel, {3, 3}, "kernel은 3x3 텐서여야 합니다")
      local flat = tensor.zeros(12, 12):fill(0.7)
      c.near(response(k, flat), 0, 1e-4,
        "밝기가 고른 이미지에서는 응답이 0이어야 합니다: 가중치의 합을 보세요")
      c.near(response(k, step(false, 1)), 0, 1e-4,
        "가로 경계(위아래 밝기 차이)에서는 응답이 0이어야 합니다: 각 행의 가중치 합을 보세요")
    end},
    {name = "결과 그림 저장", run = function(s, c)
      c.file(c.out("edges.png"), "image.save(..., out \"edges.png\")로 필터링 결과를 저장하세요")
    end},
  },
}
