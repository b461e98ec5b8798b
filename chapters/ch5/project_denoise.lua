-- 미니 프로젝트 A1 잡음 제거: k-NN의 활용
-- 잡음이 섞인 이미지를 입력으로, 깨끗한 이미지를 정답으로 k-NN을 학습시킨다.
-- 출력이 픽셀 784개인 다중 출력(multi-output) k-NN 회귀이다. 새 잡음 이미지가
-- 들어오면 가장 비슷한 잡음 이미지 k개를 찾아 그 깨끗한 원본들의 평균을
-- 내놓는다. 교재의 사진 40장 대신 패션 MNIST의 28x28 흑백 이미지를 쓴다.
-- 실행: ./workbook run ch5/project_denoise.lua   (그림은 out/ch5/project_denoise/ 에 저장된다)
local T, ml, plot, data = require "tensor", require "ml", require "plot", require "data"
local book = require "book"

local QUICK = os.getenv("WORKBOOK_QUICK") == "1"
local function title(s) print("\n== " .. s .. " ==") end
T.seed(5)

-- %% 1. 데이터 준비: 깨끗한 이미지 30장과 처음 보는 이미지 10장
-- 품종(클래스)마다 3장씩 30장을 "기억할" 이미지로, 테스트 데이터에서
-- 클래스마다 1장씩 10장을 처음 보는 이미지로 고른다.
local fm = data.fashion_mnist()
local function per_class(split, n)
  local rows, seen = {}, {}
  for i = 1, split.y:shape()[1] do
    local c = math.tointeger(split.y[i])
    seen[c] = (seen[c] or 0) + 1
    if seen[c] <= n then rows[#rows + 1] = i end
    if #rows == 10 * n then break end
  end
  table.sort(rows, function(a, b)
    local ca, cb = split.y[a], split.y[b]
    if ca ~= cb then return ca < cb end
    return a < b
  end)
  return split.x:rows(T(rows)), split.y:rows(T(rows))
end
local X, Xy = per_class(fm.train, 3)         -- (30, 28, 28, 1)
local X_test = per_class(fm.test, 1)         -- (10, 28, 28, 1)
local N, D = X:shape()[1], 28 * 28
print(("기억할 이미지 %d장, 처음 보는 이미지 %d장, 한 장에 픽셀 %d개"):format(N, X_test:shape()[1], D))

-- %% 2. 잡음 만들기
-- 평균 0, 표준편차 sigma인 정규분포 잡음을 더하고 0과 1 사이로 자른다(clip).
local function noisy(imgs, sigma)
  return (imgs + T.randn(table.unpack(imgs:shape())) * sigma):clamp(0, 1)
end
local function flat(imgs) return imgs:reshape(imgs:shape()[1], D) end
local function mse(a, b) return (flat(a) - flat(b)):square():mean() end

-- 원본, 잡음, 복원 이미지를 세 줄로 모아 그린다. 30장이면 클래스마다 한 장씩
-- (1, 4, 7, ...번째) 10장을 고른다.
local function three_rows(clean, dirty, restored, name, caption, label, heading, row_names)
  local n = clean:shape()[1]
  local step = n >= 30 and 3 or 1
  local pick = T.arange(1, 10 * step + 1, step)
  local imgs = T.concat({clean:rows(pick), dirty:rows(pick), restored:rows(pick)}, 1)
  local names = row_names or {"원본", "잡음", "복원"}
  local caps = {}
  for i = 1, 30 do caps[i] = names[(i - 1) // 10 + 1] end
  plot.image_grid(imgs, out(name), {cols = 10, rows = 3, labels = caps, title = heading,
    caption = caption, label = label})
end

-- %% 3. 데이터 증강: 한 장마다 잡음 버전을 여러 장 만든다
-- 입력은 잡음 이미지, 정답은 그 원본이다. 이미지 30장에 잡음을 한 번씩만
-- 더하면 훈련 데이터가 30개뿐이므로, 서로 다른 잡음을 여러 번 더해 늘린다.
local N_AUG = QUICK and 10 or 100
local SIGMA = 0.2
local inputs, targets = {}, {}
for a = 1, N_AUG do
  inputs[a] = flat(noisy(X, SIGMA))
  targets[a] = flat(X)
end
local X_aug, y_aug = T.concat(inputs, 1), T.concat(targets, 1)
print(("증강한 훈련 데이터: 입력 (%d, %d), 정답 (%d, %d)"):format(
  X_aug:shape()[1], X_aug:shape()[2], y_aug:shape()[1], y_aug:shape()[2]))
three_rows(X, noisy(X, SIGMA), noisy(X, SIGMA), "augmented.png",
  ("같은 원본에 서로 다른 잡음(σ = %.1f)을 더한 두 장. 증강은 이런 쌍을 원본마다 %d장씩 만든다."):format(SIGMA, N_AUG),
  "fig-denoise-augmented", "원본과 서로 다른 잡음 두 가지", {"원본", "잡음 1", "잡음 2"})

-- %% 4. 다중 출력 k-NN 회귀로 학습하고 잡음 제거하기
-- KNeighborsRegressor는 y가 (N, 784)이면 784개의 출력을 한꺼번에 예측한다.
-- 예측은 가까운 이웃 k = 5개의 깨끗한 원본을 픽셀마다 평균한 것이다.
local knn = ml.KNeighborsRegressor{n_neighbors = 5}:fit(X_aug, y_aug)
local function denoise(imgs)
  return knn:predict(flat(imgs)):reshape(table.unpack(imgs:shape()))
end

-- 원본 clean에 표준편차 sigma의 잡음을 더해 복원하고, 두 MSE를 출력하고
-- (책에는 key_noisy, key_restored로 싣는다) 세 줄 그림을 그린다.
local function trial(clean, sigma, key, fmt, fig)
  local dirty = noisy(clean, sigma)
  local restored = denoise(dirty)
  local mn, mr = mse(dirty, clean), mse(restored, clean)
  print(("MSE: 잡음 이미지 %.4f -> 복원 이미지 " .. fmt):format(mn, mr))
  book.value(key .. "_noisy", mn, "%.4f")
  book.value(key .. "_restored", mr, "%.4f")
  three_rows(clean, dirty, restored, fig[1], fig[2], fig[3], fig[4])
  return dirty, restored
end

title(("새 잡음(σ = %.1f)을 더한 기억한 이미지 30장"):format(SIGMA))
trial(X, SIGMA, "mse", "%.6f", {"denoise_seen.png",
  "기억한 이미지에 새 잡음을 더한 것(가운데)과 k-NN이 복원한 것(아래).",
  "fig-denoise-seen", "기억한 이미지의 잡음 제거"})

-- %% 5. 더 강한 잡음
title("더 강한 잡음(σ = 0.4)")
trial(X, 0.4, "mse_strong", "%.6f", {"denoise_strong.png",
  "학습 때보다 두 배 강한 잡음(σ = 0.4)을 더한 이미지와 그 복원.",
  "fig-denoise-strong", "더 강한 잡음의 제거"})

-- %% 6. 처음 보는 이미지: 일반화의 한계
-- k-NN은 기억한 이미지 가운데 비슷한 것을 찾아 돌려줄 뿐이다. 처음 보는
-- 이미지에는 "가장 비슷한 기억"의 평균을 내놓으므로 잡음은 사라지지만
-- 원본과는 다른 옷이 된다.
title("처음 보는 테스트 이미지 10장 (기억 30장)")
local T_noisy = trial(X_test, SIGMA, "mse_test", "%.4f", {"denoise_unseen.png",
  "처음 보는 이미지(위)에 잡음을 더해(가운데) 30장만 기억한 k-NN으로 복원한 것(아래). " ..
  "잡음은 사라졌지만 기억 속의 다른 옷이 나온다.", "fig-denoise-unseen",
  "처음 보는 이미지의 잡음 제거(기억 30장)"})
local t_noisy = mse(T_noisy, X_test)

-- %% 7. 기억을 늘리면: 훈련 이미지 수에 따른 복원 오차
-- 훈련 데이터의 앞에서부터 이미지를 더 많이 기억시키면(한 장에 잡음 버전
-- 한 장씩), 처음 보는 이미지와 더 닮은 이웃을 찾을 수 있다.
title("기억한 이미지 수에 따른 처음 보는 이미지의 복원 MSE")
local sizes = QUICK and {30, 300, 1000} or {30, 100, 300, 1000, 3000, 10000}
local errs, last_rest = {}, nil
for _, n in ipairs(sizes) do
  local clean = fm.train.x:slice(1, 1, n)
  local m = ml.KNeighborsRegressor{n_neighbors = 5}:fit(flat(noisy(clean, SIGMA)), flat(clean))
  last_rest = m:predict(flat(T_noisy)):reshape(table.unpack(T_noisy:shape()))
  errs[#errs + 1] = mse(last_rest, X_test)
  print(("이미지 %5d장: 복원 MSE %.4f"):format(n, errs[#errs]))
end
book.value("mse_big_restored", errs[#errs], "%.4f")
book.value("n_big", sizes[#sizes], "%d")
local names, noisy_level = {}, {}
for i, n in ipairs(sizes) do names[i], noisy_level[i] = tostring(n), t_noisy end
plot.bar(names, {noisy_level, errs}, out "memory_size.png", {labels = {"잡음 이미지", "복원 이미지"},
  title = "기억한 이미지 수와 처음 보는 이미지의 복원 오차",
  xlabel = "기억한 이미지 수", ylabel = "원본과의 MSE",
  caption = "기억한 이미지 수에 따른 처음 보는 이미지 10장의 복원 MSE(주황)와 잡음 이미지의 MSE(파랑). " ..
            "복원 막대가 잡음 막대보다 낮아야 잡음을 지운 것이다.",
  label = "fig-denoise-memory"})
three_rows(X_test, T_noisy, last_rest, "denoise_unseen_big.png",
  ("처음 보는 이미지를 %d장 기억한 k-NN으로 복원한 것. 옷의 종류와 대략의 모양이 맞는다."):format(sizes[#sizes]),
  "fig-denoise-unseen-big", ("처음 보는 이미지의 잡음 제거(기억 %d장)"):format(sizes[#sizes]))
