-- LAB 9-1 합성곱을 만들어보자: 손으로 만든 필터(kernel)로 사진을
-- 걸러 보고, 패딩(padding), 스트라이드(stride), 풀링(pooling)이 하는 일을 본다.
-- 실행: ./workbook run ch9/lab1.lua   (그림은 out/ch9/lab1/에 저장된다)
local image, tensor, data = require "image", require "tensor", require "data"
local K = image.kernels

local function shape(t) return "(" .. table.concat(t:shape(), ", ") .. ")" end
local function range(t) return ("%.3f .. %.3f"):format(t:min(), t:max()) end

-- %% 사진 읽기
-- 파이썬 실습은 맷플롯립(matplotlib)으로 PNG를 넘파이(NumPy) 배열로 읽는다.
-- 여기서는 image.load가 [0, 1] 범위의 실수 텐서(tensor)를 준다: 높이 x 너비 x 채널.
local photo = image.load(data.path("images/astronaut.png"))
local gray = image.to_gray(photo)        -- 0.2125 R + 0.7154 G + 0.0721 B
print("사진 " .. shape(photo) .. ", 회색조(gray) " .. shape(gray)
      .. ", 값의 범위 " .. range(gray))
image.save(gray, out "gray.png", {caption = "회색조로 바꾼 사진 (512×512)", label = "fig-lab1-gray"})

-- %% 필터 만들기
-- 필터(filter, kernel)는 가중치를 담은 작은 격자이다.
local box = K.box(5)                 -- 5x5, 모든 가중치가 1/25: 주변의 평균
local gaussian = K.gaussian(5, 1.0)  -- 5x5 종 모양, 표준편차 1픽셀, 합은 1
print("가우스 필터(Gaussian kernel):")
print(gaussian)
print("라플라시안 필터(Laplacian kernel, 강의의 0,1,0 / 1,-4,1 / 0,1,0):")
print(K.laplacian())

-- %% 필터 적용하기
-- image.filter는 필터를 사진 위로 옮기며 자리마다 필터 아래 픽셀들의
-- 가중합을 구한다. 교차 상관(cross-correlation)으로, Conv2D 계층이 하는
-- 계산 그대로이다(필터를 뒤집지 않는다).
local results = {
  {"box", box, ko = "상자(box) 5×5"}, {"gaussian", gaussian, ko = "가우스 5×5"},
  {"laplacian", K.laplacian(), ko = "라플라시안"},
  {"laplacian_neg", K.laplacian_neg(), ko = "부호를 바꾼 라플라시안"},
  {"laplacian8", K.laplacian8(), ko = "8방향 라플라시안"},
}
-- 라플라시안의 결과는 대부분 0 근처이고 음수와 양수가 섞여 있다.
-- 최솟값..최댓값을 0..1로 늘리기만 하면(정규화) 드문 극단값 때문에 거의
-- 회색 한 가지로 보인다. 그래서 윤곽선(edge)의 세기인 절댓값 |결과|를
-- 구하고, 상위 1% 값(99번째 백분위수)을 최대 밝기로 삼아 0..1로 자른 뒤
-- 뒤집어, 흰 바탕에 검은 선으로 그린다. 절댓값이므로 부호를 바꾼
-- 라플라시안도 같은 그림이 된다(부호의 차이는 출력된 값의 범위에서 보인다).
local function edge_picture(t)
  local a = t:abs()
  local sorted = a:reshape(a:numel()):sort()
  local top = sorted[math.floor(0.99 * a:numel())]
  return 1 - (a / top):clamp(0, 1)
end
for _, r in ipairs(results) do
  local name, kernel = r[1], r[2]
  r.out = image.filter(gray, kernel, {padding = "same"})
  if name:find("laplacian") then
    r.shown = edge_picture(r.out)
    image.save(r.shown, out(name .. ".png"),
               {caption = ("%s 필터의 결과: 절댓값을 상위 1%%에서 잘라 뒤집음 (same 패딩)"):format(r.ko)})
  else
    r.shown = r.out
    image.save(r.out, out(name .. ".png"), {caption = ("%s 필터의 결과 (same 패딩)"):format(r.ko)})
  end
  print(("%-13s %s  값의 범위 %s"):format(name, shape(r.out), range(r.out)))
end
-- 컬러 사진: 채널마다 같은 필터를 적용한다
local blurred = image.filter(photo, K.gaussian(9, 3.0), {padding = "same"})
image.save(blurred, out "gaussian_color.png", {caption = "컬러 사진에 가우스 필터 9×9 (σ=3)"})
print("컬러 흐리기    " .. shape(blurred))
-- %% 패딩
-- 'valid'(기본값, Keras와 같다)는 필터 전체가 들어가는 자리만 쓴다.
-- 5x5 필터는 한 번에 행과 열을 4개씩 줄인다.
local x = gray
for pass = 1, 3 do
  x = image.filter(x, gaussian, {padding = "valid"})
  print(("valid, %d번째: %s"):format(pass, shape(x)))
end
-- 'same'은 가장자리에 0을 먼저 덧대므로(zero padding) 크기가 그대로이다.
local same = image.filter(gray, gaussian, {padding = "same"})
print("same:          " .. shape(same))
-- 1로 채운 5x5 그림에 1로 채운 3x3 필터를 적용하면, 합을 보고 0 패딩이
-- 어디서 더해졌는지 알 수 있다.
local ones = tensor.ones(5, 5)
print("valid:")
print(image.filter(ones, tensor.ones(3, 3), {padding = "valid"}))
print("same:")
print(image.filter(ones, tensor.ones(3, 3), {padding = "same"}))

-- %% 스트라이드
-- 스트라이드 2는 필터를 두 픽셀씩 옮긴다: 행과 열이 절반, 픽셀 수는 4분의 1.
-- 그림에서는 원본(512×512) 옆에 같은 배율로 놓아 크기 차이가 보이게 한다.
local strided = image.filter(gray, gaussian, {padding = "same", stride = 2})
print("스트라이드 2:  " .. shape(strided))
image.save(image.montage{gray, strided, cols = 2,
             captions = {"원본 512×512", "스트라이드 2: 256×256"}},
           out "gaussian_stride2.png",
           {caption = "스트라이드(stride) 2: 같은 배율로 놓으면 가로세로가 절반", label = "fig-lab1-stride"})

-- %% 풀링
-- 풀링은 2x2 영역마다 가장 큰 값(최대 풀링, max pooling)이나 평균(평균
-- 풀링, average pooling) 하나만 남긴다. 학습할 가중치가 없고 채널 수는
-- 그대로이다. 본문의 4x4 예제:
local grid = tensor{{1, 3, 2, 0}, {5, 6, 1, 2}, {0, 2, 4, 8}, {1, 1, 3, 7}}
print("최대 풀링 2x2 (max pool):")
print(image.max_pool(grid, 2))
print("평균 풀링 2x2 (average pool):")
print(image.avg_pool(grid, 2))
local maxp, avgp = image.max_pool(gray, 2), image.avg_pool(gray, 2)
print("최대 풀링:     " .. shape(maxp) .. "  값의 범위 " .. range(maxp))
print("평균 풀링:     " .. shape(avgp) .. "  값의 범위 " .. range(avgp))
-- 사진 전체를 작게 보면 둘의 차이가 보이지 않는다. 눈, 코, 입이 든 64x64 영역을
-- 잘라 최근접 이웃(nearest-neighbour) 방식으로 픽셀마다 k x k 칸으로
-- 키워 보자(보간하지 않으므로 픽셀이 네모로 보인다).
local function enlarge(t, k)
  return t:repeat_interleave(k, 1):repeat_interleave(k, 2)
end
local top, left, size = 96, 176, 64           -- 왼쪽 눈(사진 속 인물의 오른쪽 눈), 코, 입 (행, 열, 크기)
local crop = image.crop(gray, top, left, size, size)
local crop_max = image.crop(maxp, top // 2, left // 2, size // 2, size // 2)
local crop_avg = image.crop(avgp, top // 2, left // 2, size // 2, size // 2)
-- 두 풀링의 차이: 최대 - 평균 (0 이상, 밝을수록 차이가 크다)
local diff = crop_max - crop_avg
print(("잘라 낸 영역 %s -> 풀링 후 %s, 최대-평균 차이 최대 %.3f, 평균 %.3f"):format(
      shape(crop), shape(crop_max), diff:max(), diff:mean()))
image.save(image.montage{enlarge(crop, 6), enlarge(crop_max, 6), enlarge(crop_avg, 6),
             enlarge(crop_max, 12), enlarge(crop_avg, 12), enlarge(diff / diff:max(), 12),
             cols = 3,
             captions = {"원본 64×64 (6배)", "최대 풀링 32×32 (6배)", "평균 풀링 32×32 (6배)",
                         "최대 풀링 (12배)", "평균 풀링 (12배)", "최대 - 평균 (밝을수록 큼)"}},
           out "pooling_crop.png",
           {caption = "눈, 코, 입이 든 64×64 영역의 풀링(pooling). 윗줄은 같은 배율이라 크기가 절반으로 " ..
                      "줄어든 것이, 아랫줄은 원본과 같은 크기로 키워 최대 풀링이 밝은 픽셀을 " ..
                      "남기고 평균 풀링이 흐리게 섞는 차이가 보인다",
            label = "fig-lab1-pooling"})

-- %% 한눈에 비교하기
-- 모두 나란히: 흐리기 필터는 그대로, 라플라시안은 위와 같이 윤곽선의 세기로.
local fig = image.montage{
  gray, results[1].shown, results[2].shown,
  results[3].shown, results[4].shown, results[5].shown,
  captions = {"원본 (gray)", "상자 필터 5x5", "가우스 필터 5x5, σ=1",
              "라플라시안 |결과|", "부호 반대 |결과|", "8방향 라플라시안 |결과|"},
  cols = 3,
}
image.save(fig, out "montage.png", {caption = "원본과 다섯 필터의 결과 (라플라시안은 윤곽선의 세기: 진할수록 강함)",
                                    label = "fig-lab1-montage"})
print("모아 보기:     " .. shape(fig))
-- 그림이 저장된 폴더 (WORKBOOK_OUT을 정했으면 그 아래)
local where, base = out("montage.png"):match("^(.*/)"), os.getenv("WORKBOOK_OUT")
if base and base ~= "" then where = "$WORKBOOK_OUT" .. where:sub(#base + 1) end
print("그림 저장 위치: " .. where)
