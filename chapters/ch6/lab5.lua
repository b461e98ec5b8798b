-- LAB 6-4, 6-5 비선형 SVM: 다항 특성 + LinearSVC, 다항 커널 SVC
-- 두 개의 반달(moons) 데이터는 직선 하나로 나눌 수 없다. LAB 6-4는 특성을
-- 표준화하고 다항 특성을 덧붙인 뒤 선형 SVM(LinearSVC)을 쓰고, LAB 6-5는 특성을
-- 늘리지 않고 다항 커널(kernel='poly')을 쓰는 SVC로 같은 일을 한다.
-- 실행: ./workbook run ch6/lab5.lua   (그림은 out/ch6/lab5/ 에 저장된다)
local T, ml, plot, data = require "tensor", require "ml", require "plot", require "data"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end

-- %% 반달 데이터
local X, y = data.make_moons{n_samples = 200, noise = 0.2, random_state = 42}
local Xtr, Xte, ytr, yte = ml.train_test_split(X, y, {test_size = 0.25, random_state = 0})
print(("반달 데이터 %d개: 훈련 %d개, 테스트 %d개"):format(X:shape()[1], Xtr:shape()[1], Xte:shape()[1]))

-- %% 직선 하나: 표준화 + LinearSVC
local linear = ml.Pipeline({{"scaler", ml.StandardScaler()},
                            {"svm", ml.LinearSVC{C = 1, loss = "hinge", random_state = 0}}})
linear:fit(Xtr, ytr)

-- %% LAB 6-4 표준화 → 다항 특성(3차) → LinearSVC
local poly_svm = ml.Pipeline({{"scaler", ml.StandardScaler()},
                              {"poly", ml.PolynomialFeatures{degree = 3}},
                              {"svm", ml.LinearSVC{C = 10, loss = "hinge", random_state = 0}}})
poly_svm:fit(Xtr, ytr)
print(("3차 다항 특성의 수: %d (1, x1, x2, x1², x1·x2, x2², ...)"):format(
  #poly_svm.steps[2][2]:get_feature_names_out()))

-- %% LAB 6-5 다항 커널 SVC
-- 커널 K(a, b) = (γ a·b + coef0)^degree는 다항 특성을 실제로 만들지 않고도
-- 그 공간의 내적을 계산한다(커널 트릭).
local kernel_svm = ml.Pipeline({{"scaler", ml.StandardScaler()},
                                {"svm", ml.SVC{kernel = "poly", degree = 3, coef0 = 1, C = 5}}})
kernel_svm:fit(Xtr, ytr)

title("정확도 (훈련 / 테스트)")
local rows = {{"표준화 + LinearSVC (직선)", linear, "linear"},
              {"LAB 6-4 다항 특성 + LinearSVC", poly_svm, "poly_features"},
              {"LAB 6-5 다항 커널 SVC", kernel_svm, "poly_kernel"}}
for _, r in ipairs(rows) do
  local a, b = r[2]:score(Xtr, ytr), r[2]:score(Xte, yte)
  print(("%.4f / %.4f  %s"):format(a, b, r[1]))
  book.value(r[3] .. "_test", b, "%.3f")
end
print(("다항 커널 SVC의 서포트 벡터: %d개 (클래스별 %s)"):format(
  kernel_svm.steps[2][2].support_vectors_:shape()[1],
  table.concat(kernel_svm.steps[2][2].n_support_, ", ")))

-- %% 결정 영역
local fig = plot.subplots{cols = 3, width = 420, height = 380,
  title = "반달 데이터의 결정 영역: 직선, 다항 특성, 다항 커널"}
for _, r in ipairs(rows) do
  plot.decision_regions(r[2], X, y, fig, {title = r[1], xlabel = "x1", ylabel = "x2", size = 3})
end
fig:save(out "svm_regions.png", {caption = "왼쪽부터 표준화 + LinearSVC, LAB 6-4(3차 다항 특성 + " ..
  "LinearSVC), LAB 6-5(3차 다항 커널 SVC)의 결정 영역. 직선은 반달을 나누지 못하고, 다항 특성과 " ..
  "다항 커널은 휘어진 경계를 만든다.", label = "fig-svm-regions"})
