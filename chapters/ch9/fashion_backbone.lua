-- fashion_backbone.lua - 워크북이 직접 학습시킨 사전 학습(pretrained)
-- 백본(backbone): VGG 모양의 작은 합성곱 기반(convolutional base)이다.
-- 3x3 'same' ReLU 합성곱 두 번과 2x2 최대 풀링(max pooling)으로 된 블록
-- 두 개이고, 계층 이름은 Keras처럼 붙였다. train_backbone.lua가 패션
-- MNIST(Fashion-MNIST)로 학습시켜 data/models/fashion_backbone.wbw에
-- 저장한다. LAB 9-3과 얼굴 프로젝트는 Keras가 ImageNet 가중치를 내려받는
-- 자리에서 이 파일을 오프라인으로 읽는다.
--
--   local backbone = require "fashion_backbone"
--   local base = backbone.build()    -- 임의의 가중치, 입력 28x28x1
--   local base = backbone.load()     -- 워크북에 들어 있는 가중치
local nn, data = require "nn", require "data"

local M = {}

M.FILE = "models/fashion_backbone.wbw"        -- data/ 아래
M.INPUT_SHAPE = {28, 28, 1}
M.BLOCKS = {{16, 2}, {32, 2}}                 -- {필터 수, 합성곱 수}

-- 합성곱 기반을 함수형(functional) 모델로: (N, 28, 28, 1) -> (N, 7, 7, 32)
function M.build()
  local inp = nn.Input{shape = M.INPUT_SHAPE, name = "backbone_input"}
  local x = inp
  for b, spec in ipairs(M.BLOCKS) do
    for c = 1, spec[2] do
      x = nn.Conv2D{filters = spec[1], kernel_size = 3, padding = "same", activation = "relu",
                    name = ("block%d_conv%d"):format(b, c)}(x)
    end
    x = nn.MaxPooling2D{pool_size = 2, strides = 2, name = ("block%d_pool"):format(b)}(x)
  end
  return nn.Model{inputs = inp, outputs = x, name = "fashion_backbone"}
end

-- 워크북에 들어 있는(또는 path로 준) 가중치를 넣은 합성곱 기반
function M.load(path)
  local base = M.build()
  base:load_weights(path or data.path(M.FILE))
  return base
end

return M
