-- LAB 9-1 합성곱을 만들어보자 (let's build convolution): filter a photo
-- with hand-made kernels, then watch padding, stride and pooling work.
-- Run: ./workbook run ch9/lab1.lua   (pictures go to out/ch9/lab1/)
local image, tensor, data = require "image", require "tensor", require "data"
local K = image.kernels

local function shape(t) return "(" .. table.concat(t:shape(), ", ") .. ")" end
local function range(t) return ("%.3f .. %.3f"):format(t:min(), t:max()) end

-- %% 사진 읽기
-- The Python lab reads a PNG into a NumPy array with matplotlib; here
-- image.load gives a tensor of floats in [0, 1]: height x width x channels.
local photo = image.load(data.path("images/astronaut.png"))
local gray = image.to_gray(photo)        -- 0.2125 R + 0.7154 G + 0.0721 B
print("photo " .. shape(photo) .. ", gray " .. shape(gray)
      .. ", values " .. range(gray))
image.save(gray, out "gray.png", {caption = "회색조로 바꾼 사진 (512×512)", label = "fig-lab1-gray"})

-- %% 필터 만들기
-- A filter (kernel) is a small grid of weights.
local box = K.box(5)                 -- 5x5, every weight 1/25: a local mean
local gaussian = K.gaussian(5, 1.0)  -- 5x5 bell, sigma = 1 pixel, sums to 1
print("Gaussian kernel:")
print(gaussian)
print("Laplacian kernel (the lecture's 0,1,0 / 1,-4,1 / 0,1,0):")
print(K.laplacian())

-- %% 필터 적용하기
-- image.filter slides the kernel over the picture and, at every place,
-- takes the weighted sum of the pixels under it: cross-correlation, the
-- very computation of a Conv2D layer (the kernel is not flipped).
local results = {
  {"box", box, ko = "상자(box) 5×5"}, {"gaussian", gaussian, ko = "가우스 5×5"},
  {"laplacian", K.laplacian(), ko = "라플라시안"},
  {"laplacian_neg", K.laplacian_neg(), ko = "부호를 바꾼 라플라시안"},
  {"laplacian8", K.laplacian8(), ko = "8방향 라플라시안"},
}
for _, r in ipairs(results) do
  local name, kernel = r[1], r[2]
  r.out = image.filter(gray, kernel, {padding = "same"})
  -- Laplacians give negative numbers: stretch min..max to 0..1 to see them
  local stretch = name:find("laplacian") ~= nil
  image.save(r.out, out(name .. ".png"), {normalize = stretch,
             caption = ("%s 필터의 결과 (same 패딩)"):format(r.ko)})
  print(("%-13s %s  values %s"):format(name, shape(r.out), range(r.out)))
end
-- a colour photo: every channel is filtered with the same kernel
local blurred = image.filter(photo, K.gaussian(9, 3.0), {padding = "same"})
image.save(blurred, out "gaussian_color.png", {caption = "컬러 사진에 가우스 필터 9×9 (σ=3)"})
print("colour blur   " .. shape(blurred))

-- %% 패딩
-- 'valid' (the default, as in Keras) uses only places where the whole
-- kernel fits: a 5x5 kernel takes 4 rows and 4 columns off each time.
local x = gray
for pass = 1, 3 do
  x = image.filter(x, gaussian, {padding = "valid"})
  print(("valid, pass %d: %s"):format(pass, shape(x)))
end
-- 'same' pads the border with zeros first, so the size is kept.
local same = image.filter(gray, gaussian, {padding = "same"})
print("same:          " .. shape(same))
-- On a 5x5 picture of ones with a 3x3 kernel of ones, the sums show
-- where the zero padding was counted in.
local ones = tensor.ones(5, 5)
print("valid:")
print(image.filter(ones, tensor.ones(3, 3), {padding = "valid"}))
print("same:")
print(image.filter(ones, tensor.ones(3, 3), {padding = "same"}))

-- %% 스트라이드
-- Stride 2 moves the kernel two pixels at a time: half the rows and
-- columns, a quarter of the pixels.
local strided = image.filter(gray, gaussian, {padding = "same", stride = 2})
image.save(strided, out "gaussian_stride2.png",
           {caption = "스트라이드 2: 가로세로가 절반 (256×256)", label = "fig-lab1-stride"})
print("stride 2:      " .. shape(strided))

-- %% 풀링
-- Pooling summarises each 2x2 block by its largest value or its mean;
-- it has no weights to learn and keeps the channels.
local grid = tensor{{1, 3, 2, 0}, {5, 4, 1, 1}, {0, 2, 8, 6}, {1, 1, 7, 5}}
print("max pool 2x2:")
print(image.max_pool(grid, 2))
print("average pool 2x2:")
print(image.avg_pool(grid, 2))
local maxp, avgp = image.max_pool(gray, 2), image.avg_pool(gray, 2)
image.save(maxp, out "max_pool.png", {caption = "최대 풀링 2×2 (256×256)", label = "fig-lab1-maxpool"})
image.save(avgp, out "avg_pool.png", {caption = "평균 풀링 2×2 (256×256)", label = "fig-lab1-avgpool"})
print("max pool:      " .. shape(maxp) .. "  values " .. range(maxp))
print("average pool:  " .. shape(avgp) .. "  values " .. range(avgp))

-- %% 한눈에 비교하기
-- Everything side by side, each picture stretched to its own min..max.
local fig = image.montage{
  gray, results[1].out, results[2].out,
  results[3].out, results[4].out, results[5].out,
  captions = {"원본 (gray)", "박스 필터 5x5", "가우시안 필터 5x5, σ=1",
              "라플라시안", "라플라시안 (부호 반대)", "라플라시안 8방향"},
  cols = 3, normalize = true,
}
image.save(fig, out "montage.png", {caption = "원본과 다섯 필터의 결과", label = "fig-lab1-montage"})
print("montage:       " .. shape(fig))
