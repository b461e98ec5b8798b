-- LAB 3-3 맷플롯립(matplotlib) 대신 plot: 데이터를 그림으로
-- 교재는 그림을 맷플롯립(plt.plot, plt.scatter, df.plot(kind='bar') ...)으로
-- 그린다. 워크북의 plot 모듈은 함수 하나가 그림 하나를 PNG 파일로 저장한다.
-- 자주 쓰는 그림 여섯 가지를 펭귄과 시애틀 날씨 데이터로 그려 본다.
-- 실행: ./workbook run ch3/lab3.lua   (그림은 out/ch3/lab3/ 에 저장된다)
local tensor, data, plot = require "tensor", require "data", require "plot"
local book = require "book"

local penguins = data.penguins():dropna{subset = {"bill_length_mm", "body_mass_g"}}
local weather = data.seattle_weather()

-- %% 선 그래프: plt.plot(x, y)
-- x 하나에 y 여러 개를 주면 선이 여러 개 그려진다. labels는 범례(legend)이다.
local x = tensor.linspace(0, 2 * math.pi, 60)
plot.line(x, {tensor.sin(x), tensor.cos(x)}, out "line.png", {
  labels = {"sin(x)", "cos(x)"}, title = "선 그래프: 사인과 코사인",
  xlabel = "x (라디안)", ylabel = "값",
  caption = "plot.line: x 하나에 y 두 개를 주어 그린 두 선.", label = "fig-plot-line"})
print("line.png: 사인과 코사인")

-- %% 산점도: plt.scatter(x, y, c=...)
-- classes로 점을 범주(종)별로 색칠하면 범례가 붙고, values로 색칠하면
-- 값의 크기를 보여 주는 색 막대(colorbar)가 붙는다.
local SPECIES = {Adelie = 0, Chinstrap = 1, Gentoo = 2}
local species = penguins.species:map(function(s) return SPECIES[s] end)
local fig = plot.subplots{cols = 2, width = 500, height = 420,
                          title = "산점도: 색으로 세 번째 정보를 나타내기"}
plot.scatter(penguins.flipper_length_mm, penguins.body_mass_g, fig, {
  classes = species, class_names = {"Adelie", "Chinstrap", "Gentoo"},
  title = "종(범주)으로 색칠", xlabel = "날개 길이 (mm)", ylabel = "몸무게 (g)"})
plot.scatter(penguins.flipper_length_mm, penguins.body_mass_g, fig, {
  values = penguins.bill_length_mm, colorbar_label = "부리 길이 (mm)",
  title = "값(부리 길이)으로 색칠", xlabel = "날개 길이 (mm)", ylabel = "몸무게 (g)"})
fig:save(out "scatter.png", {caption = "plot.scatter: 날개 길이와 몸무게. 왼쪽은 종(classes)으로, " ..
  "오른쪽은 부리 길이 값(values)으로 색칠했다.", label = "fig-plot-scatter"})
print("scatter.png: 날개 길이와 몸무게")

-- %% 히스토그램: plt.hist(data, bins=...)
-- 값의 범위를 구간(bin)으로 나누어 구간마다 몇 개가 들어가는지 센다.
-- 돌려받는 counts와 edges는 np.histogram의 결과와 같다.
local groups, names = {}, {}
for name, id in pairs(SPECIES) do
  groups[id + 1] = penguins[penguins.species:eq(name)].body_mass_g
  names[id + 1] = name
end
local _, counts, edges = plot.hist(groups, out "hist.png", {bins = 20, labels = names,
  title = "히스토그램: 종별 몸무게 분포", xlabel = "몸무게 (g)", ylabel = "마릿수",
  caption = "plot.hist: 종별 몸무게 분포 (구간 20개).", label = "fig-plot-hist"})
print(("hist.png: 구간 %d개, 첫 구간 %.0f-%.0f g"):format(#edges - 1, edges[1], edges[2]))
print(("  Adelie의 구간별 마릿수 합 %d, Gentoo %d")
      :format(counts[1]:sum(), counts[3]:sum()))

-- %% 막대그래프: df.plot(kind='bar')
-- 날씨 종류별 날 수. value_counts의 인덱스가 막대 이름, 값이 높이가 된다.
local kinds = weather.weather:value_counts()
local KO = {sun = "맑음 (sun)", fog = "안개 (fog)", rain = "비 (rain)",
            drizzle = "이슬비 (drizzle)", snow = "눈 (snow)"}
local labels = {}
for i, k in ipairs(kinds.index) do labels[i] = KO[k] or k end
plot.bar(labels, kinds, out "bar.png", {values = true,
  title = "막대그래프: 시애틀의 날씨별 날 수 (2012-2015년)",
  xlabel = "날씨", ylabel = "날 수",
  caption = "plot.bar: value_counts로 센 날씨별 날 수.", label = "fig-plot-bar"})
print("bar.png: 날씨별 날 수")

-- %% 히트맵: 상관 행렬(correlation matrix)
-- df.corr()가 계산한 상관 계수를 칸마다 숫자와 색으로 보여 준다.
local num = weather:select{"precipitation", "temp_max", "temp_min", "wind"}
local corr = num:corr()
print(corr)
plot.heatmap(corr, out "heatmap.png", {
  labels = {"강수량", "최고 기온", "최저 기온", "바람"}, cmap = "coolwarm",
  vmin = -1, vmax = 1, title = "히트맵: 날씨 변수의 상관 계수",
  caption = "plot.heatmap: corr()로 구한 날씨 변수의 상관 행렬.", label = "fig-plot-heatmap"})
print("heatmap.png: 상관 행렬")

-- %% 여러 그림을 한 장에: plt.subplots
-- 그림 함수에 파일 이름 대신 subplots가 만든 figure를 주면 칸이 하나씩
-- 채워지고, 마지막에 fig:save로 한 장에 저장한다.
local days = {}
for i = 1, #weather do days[i] = i end
local grid = plot.subplots{cols = 2, width = 460, height = 340,
                           title = "시애틀 날씨 한눈에 보기 (2012-2015년)"}
plot.line(days, weather.temp_max, grid, {title = "날마다의 최고 기온",
  xlabel = "날 (2012년 1월 1일 = 1)", ylabel = "°C"})
plot.hist(weather.wind, grid, {bins = 25, title = "풍속의 분포",
  xlabel = "풍속 (m/s)", ylabel = "날 수"})
plot.scatter(weather.temp_min, weather.temp_max, grid, {size = 3, alpha = 0.5,
  title = "최저 기온과 최고 기온", xlabel = "최저 기온 (°C)", ylabel = "최고 기온 (°C)"})
plot.bar(labels, kinds, grid, {title = "날씨별 날 수", ylabel = "날 수"})
grid:save(out "subplots.png", {caption = "plot.subplots: 선 그래프, 히스토그램, 산점도, " ..
  "막대그래프를 한 장에 모은 그림.", label = "fig-plot-subplots"})
print("subplots.png: 네 칸짜리 그림")
