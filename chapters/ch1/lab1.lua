-- LAB 1-1 펭귄 데이터 둘러보기: 정답(종)을 아는 눈과 모르는 눈
-- 파머 펭귄(Palmer penguins) 데이터를 읽고, 종(species)별로 색을 칠한
-- 산점도와 레이블 없이 찾은 군집(cluster)을 나란히 비교한다.
-- 실행: ./workbook run ch1/lab1.lua   (그림은 out/ch1/lab1/ 에 저장된다)
local tensor, data, plot = require "tensor", require "data", require "plot"
local book = require "book"     -- 책에 실을 숫자를 알린다 (책 밖에서는 아무 일도 안 한다)

-- %% 데이터 읽기
-- data.penguins()는 판다스(pandas)의 데이터프레임(DataFrame)과 같은
-- frame 객체를 돌려준다. 한 행이 펭귄 한 마리, 한 열이 특성 하나이다.
local penguins = data.penguins()
print(("펭귄 %d마리, 열 %d개"):format(penguins.shape[1], penguins.shape[2]))
print(penguins:head())
print("\n종(species)별 마릿수:")
print(penguins.species:value_counts())
print("\n열마다 빠진 값(결측값, missing value)의 수:")
print(penguins:isnull():sum())

-- %% 특성 고르기와 결측값 정리
-- 네 가지 신체 치수를 특성(feature)으로 쓴다. 치수가 하나라도 빠진
-- 펭귄은 dropna로 뺀다. 실제 데이터에는 이런 구멍이 흔하다.
local FEATURES = {"bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"}
local NAMES_KO = {"부리 길이 (mm)", "부리 깊이 (mm)", "날개 길이 (mm)", "몸무게 (g)"}
local clean = penguins:dropna{subset = FEATURES}
print(("\n치수가 모두 있는 펭귄: %d마리 (%d마리 제외)")
      :format(#clean, #penguins - #clean))
book.value("n_clean", #clean)
book.value("n_dropped", #penguins - #clean)

local SPECIES = {"Adelie", "Chinstrap", "Gentoo"}
local SPECIES_KO = {"아델리 (Adelie)", "턱끈 (Chinstrap)", "젠투 (Gentoo)"}
local species_id = {}
for k, s in ipairs(SPECIES) do species_id[s] = k - 1 end   -- 0, 1, 2
local y = tensor(clean.species:map(function(s) return species_id[s] end):tolist())
local X = clean:to_tensor(FEATURES)                          -- (N, 4)
print("특성 행렬 X의 모양(shape):", table.concat(X:shape(), " x "))

-- %% 정답을 아는 눈: 종별로 색칠한 산점도
-- 지도 학습(supervised learning)은 이렇게 정답(레이블, label)이 붙은
-- 데이터에서 출발한다. 부리 길이와 부리 깊이 두 특성만 보아도 세 종이
-- 꽤 잘 나뉜다.
local bill = X:slice(2, 1, 2)                                -- 부리 길이, 부리 깊이
plot.scatter(bill, out "species.png", {classes = y, class_names = SPECIES_KO,
  title = "종(레이블)으로 색칠한 펭귄",
  xlabel = NAMES_KO[1], ylabel = NAMES_KO[2],
  caption = "부리 길이와 부리 깊이로 본 펭귄 세 종. 색은 데이터에 적힌 종(레이블)이다.",
  fig_label = "fig-penguin-species"})
plot.pairplot(X, out "pairplot.png", {classes = y, class_names = SPECIES_KO,
  feature_names = NAMES_KO, title = "네 특성의 모든 쌍 (색은 종)",
  caption = "네 치수의 산점도 행렬(pair plot). 대각선은 종별 히스토그램이다.",
  label = "fig-penguin-pairs"})

-- %% 정답을 모르는 눈: k-평균 군집화 맛보기
-- 이번에는 종 이름을 가리고, 치수만으로 비슷한 펭귄끼리 묶어 본다.
-- 이것이 비지도 학습(unsupervised learning)의 군집화(clustering)이다.
-- k-평균(k-means) 알고리즘은 5장에서 자세히 배운다. 여기서는 텐서 연산
-- 몇 줄로 직접 짠 간단한 버전을 미리 맛본다.
-- 치수의 단위가 제각각(mm와 g)이므로 먼저 평균 0, 표준편차 1로 맞춘다
-- (표준화, standardization). 그러지 않으면 숫자가 큰 몸무게가 거리를
-- 거의 혼자 정해 버린다.
local Z = (X - X:mean(1)) / X:std{axis = 1}

-- 각 점에서 k개 중심까지의 거리 제곱을 (N, k) 행렬로 계산한다
local function sq_distances(P, C)
  local cols = {}
  for j = 1, C:shape()[1] do
    cols[j] = (P - C[j]):square():sum(2)
  end
  return tensor.stack(cols, 2)
end

-- k-평균 한 번: 임의의 k개 점에서 출발해 (1) 가장 가까운 중심에 배정,
-- (2) 중심을 배정된 점들의 평균으로 옮기기를 배정이 바뀌지 않을 때까지
local function kmeans_once(P, k)
  local C = P:rows(tensor.choice(P:shape()[1], k, {replace = false}) + 1)
  local labels
  for step = 1, 100 do
    local new = sq_distances(P, C):argmin(2)             -- 1..k
    if labels and new:eq(labels):sum() == new:numel() then break end
    labels = new
    local centers = {}
    for j = 1, k do
      local members = P:masked(labels:eq(j))              -- 배정된 점들 (한 줄로)
      local m = members:numel() // P:shape()[2]
      centers[j] = m > 0 and members:reshape(m, P:shape()[2]):mean(1) or C[j]
    end
    C = tensor.stack(centers, 1)
  end
  local inertia = sq_distances(P, C):min(2):sum()        -- 거리 제곱의 합
  return labels - 1, C, inertia                          -- 군집 번호 0..k-1
end

-- 출발점에 따라 결과가 달라질 수 있으므로 10번 돌려 가장 촘촘한 결과를
-- 고른다 (scikit-learn KMeans의 n_init=10과 같은 생각)
tensor.seed(1)
local best
for run = 1, 10 do
  local labels, C, inertia = kmeans_once(Z, 3)
  if not best or inertia < best.inertia then
    best = {labels = labels, C = C, inertia = inertia}
  end
end
print(("\nk-평균(k=3) 결과: 군집 안 거리 제곱의 합(inertia) %.1f"):format(best.inertia))
book.value("inertia", best.inertia, "%.1f")

-- 중심을 원래 단위(mm)로 되돌려 같은 평면에 그린다
local centers = best.C * X:std{axis = 1} + X:mean(1)
plot.scatter(bill, out "clusters.png", {classes = best.labels,
  class_names = {"군집 0", "군집 1", "군집 2"},
  overlay = {{X = centers:slice(2, 1, 2), marker = "x", size = 12, label = "군집 중심"}},
  title = "레이블 없이 찾은 세 군집 (k-평균)",
  xlabel = NAMES_KO[1], ylabel = NAMES_KO[2],
  caption = "종을 가린 채 네 치수로 찾은 세 군집과 그 중심(x). 군집 번호에는 뜻이 없다.",
  fig_label = "fig-penguin-kmeans"})

-- %% 종과 군집 맞추어 보기
-- 군집 번호는 알고리즘이 붙인 이름일 뿐이라 "군집 0 = 아델리" 같은
-- 뜻이 없다. 종마다 어느 군집에 몇 마리가 들어갔는지 표로 세어 본다.
local ids = {}
for i, v in ipairs(best.labels:totable()) do ids[i] = math.tointeger(v) end
clean.cluster = ids                              -- 정수 열(int64)로 붙인다
local table_ = clean:pivot_table{index = "species", columns = "cluster",
  values = "body_mass_g", aggfunc = "count", fill_value = 0}
print("\n종(행) x 군집(열)별 마릿수:")
print(table_)

-- 종마다 가장 많이 들어간 군집을 그 종의 군집으로 보고, 그 군집에 든
-- 비율을 센다. 정답을 한 번도 보지 않고 얻은 묶음이 종과 얼마나 겹치는가?
local agree = 0
for _, s in ipairs(SPECIES) do
  local row = clean[clean.species:eq(s)].cluster:value_counts()
  agree = agree + row.values[1]               -- 가장 큰 칸 (value_counts는 내림차순)
end
print(("종과 군집이 일치하는 비율: %.1f%% (%d/%d마리)")
      :format(100 * agree / #clean, agree, #clean))
book.value("agree", agree)
book.value("agree_pct", 100 * agree / #clean, "%.1f")
