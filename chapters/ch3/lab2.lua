-- LAB 3-2 판다스(pandas) 대신 frame: 표 데이터 다루기
-- 교재 3.8-3.16절의 판다스 예제를 워크북의 frame 모듈로 옮겼다. 교재가
-- 인터넷에서 읽는 CSV 파일 대신, 데비안 패키지에서 가져와 워크북에 들어
-- 있는 공개 데이터(파머 펭귄, 시애틀 날씨, 마우나로아 CO2)를 쓴다.
-- 실행: ./workbook run ch3/lab2.lua   (그림은 out/ch3/lab2/ 에 저장된다)
local frame, data, plot = require "frame", require "data", require "plot"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end

-- %% 3.8 시리즈와 데이터프레임
-- 시리즈(Series)는 이름표(인덱스)가 붙은 값 한 줄, 데이터프레임
-- (DataFrame)은 같은 인덱스를 공유하는 시리즈 여러 개를 열로 모은 표이다.
-- 결측값(missing value)은 넘파이의 np.nan처럼 0/0(NaN)으로 쓴다.
title("시리즈")
print(frame.Series{1, 3, 0 / 0, 4})
title("열 이름과 값 목록으로 만든 데이터프레임")
local students = frame.DataFrame({
  ["이름"] = {"김하늘", "이바다", "박가람", "최누리", "정한결"},
  ["나이"] = {21, 23, 22, 20, 24},
  ["학점"] = {4.1, 3.6, 3.9, 4.3, 3.2},
}, {columns = {"이름", "나이", "학점"}})          -- 열의 순서를 정해 준다
print(students)

-- %% 3.9 CSV 파일 읽기
-- frame.read_csv는 pd.read_csv와 같은 일을 한다. data.path는 워크북에
-- 들어 있는 파일의 경로를 찾아 준다. (data.penguins()도 같은 파일을 읽는다.)
local penguins = frame.read_csv(data.path("fetched/penguins/penguins.csv"))
title("penguins:head()")
print(penguins:head())
print(("shape: %d행 x %d열"):format(penguins.shape[1], penguins.shape[2]))
title("penguins:info()")
penguins:info()

-- %% 3.10 열 고르기와 막대그래프
-- df['col']은 penguins.species 또는 penguins["species"], df[['a', 'b']]는
-- penguins:select{"a", "b"}이다. 
title("penguins:select{\"species\", \"island\", \"body_mass_g\"}:head(3)")
print(penguins:select{"species", "island", "body_mass_g"}:head(3))
local counts = penguins.species:value_counts()
title("종별 마릿수 (value_counts)")
print(counts)
plot.bar(counts.index, counts, out "species_counts.png", {values = true,
  title = "종별 펭귄 수", xlabel = "종(species)", ylabel = "마릿수",
  caption = "value_counts로 센 종별 펭귄 수.", label = "fig-species-counts"})

-- %% 3.11 행 자르기와 새 열 만들기
-- 위치는 1부터 세고 끝 위치를 포함한다: slice(3, 6)은 판다스의 df[2:6]과
-- 같은 네 행이다. 왼쪽의 행 이름표(0, 1, 2, ...)는 판다스와 같이 0부터이다.
title("penguins:slice(3, 6)  (판다스의 penguins[2:6])")
print(penguins:slice(3, 6))
title("iloc(1): 첫 행을 시리즈로")
print(penguins:iloc(1))
-- 열끼리의 계산으로 새 열을 만든다 (결측값은 결측값으로 남는다)
penguins.body_mass_kg = penguins.body_mass_g / 1000
penguins.bill_ratio = penguins.bill_length_mm / penguins.bill_depth_mm
title("새 열 body_mass_kg, bill_ratio")
print(penguins:select{"species", "body_mass_kg", "bill_ratio"}:head())

-- %% 3.12 요약 통계
-- 시애틀 날씨(2012-2015년 매일의 강수량, 최고·최저 기온, 바람, 날씨)
local weather = data.seattle_weather()
title("weather:head(3)")
print(weather:head(3))
title("weather:describe()")
print(weather:describe())
title("열마다 평균 (mean)과 표준편차 (std)")
print(weather:select{"precipitation", "temp_max", "temp_min", "wind"}:mean())
print(weather:select{"precipitation", "temp_max", "temp_min", "wind"}:std())

-- %% 3.13 결측값 찾기와 채우기
-- 마우나로아 관측소의 주간 이산화탄소 농도에는 측정하지 못한 주가 있다.
local co2 = data.co2()
title("co2:count()  (결측값이 아닌 값의 수)")
print(co2:count())
local gaps = co2[co2.co2:isnull()]
print(("co2 열의 결측값: %d주"):format(#gaps))
book.value("co2_gaps", #gaps)
book.value("co2_rows", #co2)
print(gaps:head(5))
-- 채우는 방법마다 결과가 다르다. 전체 열을 채운 뒤 결측값이 몰린 앞부분
-- 열두 주를 잘라 나란히 놓는다.
local c = co2.co2
local function part(s) return s:slice(5, 16) end
local cmp = frame.DataFrame({
  date = part(co2.date), ["원래"] = part(c), fillna0 = part(c:fillna(0)),
  ["평균"] = part(c:fillna(c:mean())), ffill = part(c:ffill()),
  interpolate = part(c:interpolate()),
}, {columns = {"date", "원래", "fillna0", "평균", "ffill", "interpolate"}})
title("채우기 비교: 0, 전체 평균, 앞의 값(ffill), 선형 보간(interpolate)")
print(cmp)
-- 0이나 전체 평균으로 채우면 계절에 따라 오르내리는 곡선에 엉뚱한 점이
-- 생긴다. 시계열에서는 앞뒤 값을 잇는 보간이 자연스럽다.
local function year_of(d)
  local y, m, day = d // 10000, (d // 100) % 100, d % 100
  return y + (m - 1) / 12 + (day - 1) / 365
end
local years = co2.date:map(year_of)
local window = years:gt(1958) & years:lt(1966)
local yw = years[window]
plot.lines({
  {x = yw, y = c:fillna(c:mean())[window], label = "전체 평균으로 채움", color = "gray"},
  {x = yw, y = c:interpolate()[window], label = "선형 보간으로 채움", color = "red"},
  {x = yw, y = c[window], label = "측정값 (빈 곳은 결측값)", color = "blue"},
}, out "co2_fill.png", {title = "마우나로아 CO2 농도 (1958-1965년), 결측값 채우기",
  xlabel = "연도", ylabel = "CO2 (ppm)", ylim = {310, 325},
  caption = "마우나로아 CO2 농도(1958-1965년)의 빈칸을 전체 평균과 선형 보간으로 채운 결과. " ..
            "평균으로 채운 점은 세로축 범위 밖으로 솟는다.", label = "fig-co2-fill"})

-- %% 3.14 그룹으로 묶어 요약하기
-- date 문자열 "2012/01/01"에서 달(month)을 뽑아 새 열로 만들고, 달마다 평균을 낸다.
weather.month = weather.date:map(function(d) return tonumber(d:sub(6, 7)) end)
local monthly = weather:groupby("month"):mean()
title("weather:groupby(\"month\"):mean()")
print(monthly)
title("바람이 평균 초속 3.5m 이상인 달만 (means[means.wind >= 3.5])")
print(monthly[monthly.wind:ge(3.5)])
local months = {}
for m = 1, 12 do months[m] = m .. "월" end
plot.bar(months, {monthly.temp_max, monthly.temp_min},
  out "weather_monthly.png",
  {labels = {"최고 기온", "최저 기온"}, title = "시애틀의 달별 평균 기온 (2012-2015년)",
   xlabel = "달", ylabel = "기온 (°C)",
   caption = "groupby로 구한 시애틀의 달별 평균 최고·최저 기온.", label = "fig-weather-monthly"})

-- %% 3.15 피벗과 이어 붙이기
-- pivot_table: 행은 달, 열은 날씨 종류, 칸은 그런 날의 수
title("달 x 날씨별 날 수 (pivot_table, aggfunc = \"count\")")
print(weather:pivot_table{index = "month", columns = "weather", values = "wind",
                          aggfunc = "count", fill_value = 0})
-- pivot: 긴 표(한 행에 한 값)를 넓은 표로
local prices = frame.DataFrame({
  item = {"반지0", "반지0", "반지1", "반지1"},
  type = {"금", "은", "금", "동"},
  price = {20000, 10000, 50000, 30000},
}, {columns = {"item", "type", "price"}})
title("긴 표")
print(prices)
title("prices:pivot{index = \"item\", columns = \"type\", values = \"price\"}")
print(prices:pivot{index = "item", columns = "type", values = "price"})
-- concat: 위아래로 잇기. 한쪽에만 있는 열은 결측값으로 채워진다.
local first = penguins:select{"species", "island", "bill_length_mm"}:head(2)
local last = penguins:select{"species", "sex", "bill_length_mm"}:tail(2)
title("frame.concat{앞 2행, 뒤 2행}")
print(frame.concat{first, last})

-- %% 3.16 병합: merge
-- 두 표를 공통 열(key)로 합친다. how는 어느 쪽의 키를 남길지 정한다.
local members = frame.DataFrame({id = {1, 2, 3, 4},
                                 ["이름"] = {"가람", "나래", "다솜", "라온"}},
                                {columns = {"id", "이름"}})
local clubs = frame.DataFrame({id = {2, 3, 5}, ["동아리"] = {"사진", "로봇", "합창"}},
                              {columns = {"id", "동아리"}})
for _, how in ipairs {"inner", "left", "right", "outer"} do
  title(("members:merge(clubs, {on = \"id\", how = \"%s\"})"):format(how))
  print(members:merge(clubs, {on = "id", how = how}))
end
