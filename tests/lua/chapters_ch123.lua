-- chapters_ch123.lua - the labs of chapters 1-3, each run as a student
-- runs it (./workbook run chN/labK.lua, WORKBOOK_QUICK=1) in a child
-- process writing into a temporary out folder: exit status 0, the
-- printed lines that carry the lesson (with the values the mathematics
-- fixes: det, inverse, difference-quotient errors, the 1-D descent
-- factors), and every figure the chapter shows, a PNG that is not blank.
local t = require "tap"
-- scikit-learn's KMeans on the same standardised penguins
local KM = dofile(arg[0]:match("(.*/)") .. "../fixtures/ch123/kmeans_penguins.lua")

local L = require("helpers.chapter_labs")(t, "ch123")
local lab, has, number = L.lab, L.has, L.number

-- LAB 1-1: penguins, species against k-means clusters ------------------------
do
  local s = lab("ch1/lab1.lua", {
    {"펭귄 344마리, 열 8개", "344 penguins, 8 columns"},
    {"치수가 모두 있는 펭귄: 342마리 (2마리 제외)", "two penguins without measurements dropped"},
    {"종(행) x 군집(열)별 마릿수:", "the species x cluster table"},
  }, {{"species.png", 600, 450}, {"pairplot.png", 600, 450}, {"clusters.png", 600, 450}})
  local inertia = number(s, "inertia%) ([%d.]+)")
  t.ok(inertia and math.abs(inertia - KM.inertia) < 0.06,
       ("ch1/lab1: the best of 10 k-means runs reaches scikit-learn's inertia %.1f"):format(KM.inertia))
  local agree, n = s:match("일치하는 비율: [%d.]+%% %((%d+)/(%d+)마리%)")
  t.ok(tonumber(agree) == KM.agree and tonumber(n) == KM.n,
       ("ch1/lab1: %d of %d penguins in their species' cluster, as with scikit-learn"):format(KM.agree, KM.n))
end

-- LAB 2-1: a matrix acting on the plane --------------------------------------
do
  lab("ch2/lab1.lua", {
    {"내적(dot product) u·v = 5", "u.v = 5"},
    {"두 벡터 사이의 각: 45.00도", "the angle is 45 degrees"},
    {"A e1 = (2, 1)", "A e1 is A's first column"},
    {"det(A) = 5.0000", "det A = 5"},
    {"[[ 0.6000, -0.2000],", "the inverse's first row (3/5, -1/5)"},
    {"x = (3, 1): 처음의 u", "solve gives u back"},
    {"inv: the matrix is singular", "the singular matrix has no inverse"},
  }, {{"basis.png", 600, 450}, {"grid.png", 900, 440}})
end

-- LAB 2-2: numerical derivative and gradient ---------------------------------
do
  local s = lab("ch2/lab2.lua", {
    {"점 (1, 1): 수치 기울기 (2.000000, 6.000000)", "the numerical gradient at (1, 1)"},
  }, {{"derivative.png", 900, 400}, {"gradient.png", 600, 450}})
  -- f = x^3 - 3x at 2: forward error 6h + h^2, central error h^2
  local fwd, cen = s:match("1e%-01%s+[%d.]+%s+([%d.e+-]+)%s+[%d.]+%s+([%d.e+-]+)")
  t.ok(fwd and math.abs(tonumber(fwd) - 0.61) < 1e-3, "ch2/lab2: forward error at h = 0.1 is 6h + h^2")
  t.ok(cen and math.abs(tonumber(cen) - 0.01) < 1e-4, "ch2/lab2: central error at h = 0.1 is h^2")
  local c4 = s:match("1e%-04%s+[%d.]+%s+[%d.e+-]+%s+[%d.]+%s+([%d.e+-]+)")
  t.ok(c4 and tonumber(c4) < 1e-7, "ch2/lab2: central difference at h = 1e-4 within 1e-7")
end

-- LAB 2-3: gradient descent and the learning rate ----------------------------
do
  -- x <- (1 - 2 eta) x: 0.8x, -0.6x, -1.1x
  local s = lab("ch2/lab3.lua", {
    {"η = 0.1    2.500 → 2.000 → 1.600", "eta 0.1 multiplies x by 0.8"},
    {"η = 0.8    2.500 → -1.500 → 0.900", "eta 0.8 multiplies x by -0.6"},
    {"η = 1.05   2.500 → -2.750 → 3.025", "eta 1.05 multiplies x by -1.1"},
  }, {{"gd_1d.png", 1100, 360}, {"gd_2d.png", 600, 500}, {"loss_curves.png", 600, 450}})
  local l1 = number(s, "η = 0%.02 : 25걸음 뒤 .-손실 ([%d.]+)")
  local l2 = number(s, "η = 0%.15 : 25걸음 뒤 .-손실 ([%d.]+)")
  local l3 = number(s, "η = 0%.205: 25걸음 뒤 .-손실 ([%d.]+)")
  t.ok(l1 and l2 and l3 and l2 < 1e-3 and l1 > l2 and l3 > 10,
       "ch2/lab3: 0.15 converges, 0.02 is slower, 0.205 diverges")
end

-- LAB 2-4: under- and overfitting ----------------------------------------------
do
  local s = lab("ch2/lab4.lua", {
    {"테스트 MSE가 가장 작은 차수:", "the best degree is reported"},
  }, {{"fits.png", 900, 760}, {"error_vs_degree.png", 600, 450}})
  local function mses(deg)
    local tr, te = s:match(deg .. "차: 파라미터%s+%d+개, 훈련 MSE ([%d.]+), 테스트 MSE ([%d.]+)")
    return tonumber(tr), tonumber(te)
  end
  local tr1, te1 = mses(" 1")
  local tr4, te4 = mses(" 4")
  local tr15, te15 = mses("15")
  t.ok(tr1 and tr4 and tr15 and tr15 < tr4 and tr4 < tr1, "ch2/lab4: training error falls with the degree")
  t.ok(te1 and te4 and te15 and te4 < te1 and te4 < te15, "ch2/lab4: degree 4 has the lowest test error of the three")
  local _, ter = s:match("릿지 규제%(λ = 0.001%): 훈련 MSE ([%d.]+), 테스트 MSE ([%d.]+)")
  t.ok(ter and te15 and tonumber(ter) < te15, "ch2/lab4: ridge lowers the degree-15 test error")
end

-- LAB 3-1: tensor as NumPy -------------------------------------------------------
do
  lab("ch3/lab1.lua", {
    {"[340, 360, 320, 355]", "broadcasting a scalar"},
    {"[94, 89, 78, 99]", "scores[3:]"},
    {"[89, 78]", "scores[4:-1]"},
    {"slice 3..4 out of range", "slicing one axis twice is an error"},
    {"두 결과가 같은가: true", "loop and vectorised products agree"},
    {"[2, 4, 6, 8]", "the even elements"},
    {"[2, 6, 3, 1, 4, 5]", "argsort is stable and 1-based"},
  }, {})
end

-- LAB 3-2: frame as pandas ---------------------------------------------------------
do
  lab("ch3/lab2.lua", {
    {"shape: 344행 x 8열", "read_csv reads the penguins"},
    {"RangeIndex: 344 entries, 0 to 343", "info"},
    {"co2 열의 결측값: 59주", "CO2 has 59 missing weeks"},
    {"19580531    NaN      0.0  340.142247  317.9       317.55", "the four ways of filling a gap"},
    {"weather  drizzle  fog  rain  snow  sun", "the month x weather pivot table"},
    {"반지1   50000  30000.0      NaN", "pivot"},
    {"4   5  NaN   합창", "an outer merge keeps the right-only key"},
  }, {{"species_counts.png", 600, 450}, {"co2_fill.png", 600, 450}, {"weather_monthly.png", 600, 450}})
end

-- LAB 3-3: plot as matplotlib --------------------------------------------------------
do
  lab("ch3/lab3.lua", {
    {"hist.png: 구간 20개, 첫 구간 2700-2880 g", "histogram edges over the data's range"},
    {"Adelie의 구간별 마릿수 합 151, Gentoo 123", "every weighed penguin counted once"},
    {"temp_max           -0.228555  1.000000  0.875687 -0.164857", "the correlation matrix"},
  }, {{"line.png", 600, 450}, {"hist.png", 600, 450}, {"bar.png", 600, 450},
      {"scatter.png", 950, 420}, {"heatmap.png", 300, 300}, {"subplots.png", 900, 700}})
end

L.done()
t.done()
