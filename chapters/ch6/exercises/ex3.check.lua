-- 연습 6-3의 검사: 학생의 hog_length를 숨은 이미지 크기와 옵션으로
-- 불러 image.hog가 실제로 내는 특성 벡터의 길이와 비교한다.
local image, tensor = require "image", require "tensor"

local function real_length(h, w, o, ch, cw, bh, bw)
  local f = image.hog(tensor.zeros(h, w), {orientations = o, pixels_per_cell = {ch, cw},
                                           cells_per_block = {bh, bw}})
  return f:numel()
end

local function try(c, s, case, hint)
  local got = c.call(s.hog_length, table.unpack(case))
  c.equal(got, real_length(table.unpack(case)),
          ("hog_length(%s)의 값이 틀립니다: %s"):format(table.concat(case, ", "), hint),
          {hide = true})
end

local BLOCK_HINT = "블록은 한 셀씩 옮겨 가며 겹치게 놓입니다. 블록이 몇 개이고 블록 하나에 값이 몇 개인지 세어 보세요"

return {
  limits = {seconds = 30, memory_mb = 1024},
  checks = {
    {name = "128x64 창의 길이", run = function(s, c)
      c.equal(s.dalal_length, real_length(128, 64, 9, 8, 8, 2, 2), BLOCK_HINT, {hide = true})
    end},
    {name = "hog_length (숨은 크기, 나누어떨어짐)", run = function(s, c)
      c.kind(s.hog_length, "function", "hog_length")
      for _, case in ipairs {{64, 64, 9, 8, 8, 3, 3}, {48, 96, 12, 8, 8, 2, 2},
                             {60, 40, 6, 10, 10, 1, 1}} do
        try(c, s, case, BLOCK_HINT)
      end
    end},
    {name = "hog_length (숨은 크기, 남는 픽셀과 직사각형 셀)", run = function(s, c)
      c.kind(s.hog_length, "function", "hog_length")
      for _, case in ipairs {{37, 50, 6, 5, 7, 2, 3}, {100, 70, 8, 9, 6, 3, 2},
                             {33, 33, 4, 4, 4, 2, 2}} do
        try(c, s, case, "셀을 다 채우지 못하는 가장자리 픽셀은 버려집니다. " ..
                        "높이와 너비, 셀과 블록의 세로와 가로를 따로 계산하세요")
      end
    end},
  },
}
