-- 앙상블: 투표, 배깅, 랜덤 포레스트, 에이다부스트, 그레이디언트 부스팅
-- 잡음이 많은 반달(moons) 데이터에서 결정 트리 하나와 여러 앙상블을 같은
-- 훈련/테스트 분할로 학습시키고, 테스트 정확도를 한 표와 한 그림으로 비교한다.
-- 실행: ./workbook run ch6/lab6.lua   (그림은 out/ch6/lab6/ 에 저장된다)
local T, ml, plot, data = require "tensor", require "ml", require "plot", require "data"
local book = require "book"

local function title(s) print("\n== " .. s .. " ==") end
local QUICK = os.getenv("WORKBOOK_QUICK") ~= nil

-- %% 데이터
local X, y = data.make_moons{n_samples = 1000, noise = 0.3, random_state = 1}
local Xtr, Xte, ytr, yte = ml.train_test_split(X, y, {test_size = 0.25, random_state = 0})
print(("반달 데이터 %d개 (잡음 0.3): 훈련 %d개, 테스트 %d개"):format(X:shape()[1],
  Xtr:shape()[1], Xte:shape()[1]))
local results = {}
local function report(key, name, model)
  local a, b = model:score(Xtr, ytr), model:score(Xte, yte)
  results[#results + 1] = {key = key, name = name, model = model, train = a, test = b}
  print(("%.4f / %.4f  %s"):format(a, b, name))
  book.value(key .. "_test", b, "%.3f")
  return b
end

-- %% 기준: 결정 트리 하나
title("정확도 (훈련 / 테스트)")
report("tree", "결정 트리 (깊이 제한 없음)",
  ml.DecisionTreeClassifier{random_state = 0}:fit(Xtr, ytr))

-- %% 투표: 서로 다른 분류기 셋의 다수결과 확률 평균
local function members()
  return {{"lr", ml.LogisticRegression()},
          {"svc", ml.SVC{probability = true, random_state = 0}},
          {"tree", ml.DecisionTreeClassifier{max_depth = 5, random_state = 0}}}
end
for _, m in ipairs(members()) do
  report("member_" .. m[1], "  (투표 참가자) " .. tostring(m[2]):match("^[%w]+"),
    m[2]:fit(Xtr, ytr))
end
report("hard", "투표: 직접 투표 (voting='hard')",
  ml.VotingClassifier{estimators = members(), voting = "hard"}:fit(Xtr, ytr))
report("soft", "투표: 간접 투표 (voting='soft')",
  ml.VotingClassifier{estimators = members(), voting = "soft"}:fit(Xtr, ytr))

-- %% 배깅과 OOB 점수
-- 부트스트랩 표본마다 트리를 하나씩 키운다. 각 트리가 뽑지 않은 샘플(약 37%)로
-- 매긴 점수가 OOB(out-of-bag) 점수로, 따로 떼어 둔 검증 데이터 없이 얻는 일반화 추정이다.
local N_EST = QUICK and 100 or 300
local bag = ml.BaggingClassifier{n_estimators = N_EST, oob_score = true, random_state = 0}:fit(Xtr, ytr)
report("bagging", ("배깅 (트리 %d개)"):format(N_EST), bag)
local rf = ml.RandomForestClassifier{n_estimators = N_EST, oob_score = true, random_state = 0}:fit(Xtr, ytr)
report("forest", ("랜덤 포레스트 (트리 %d개)"):format(N_EST), rf)

-- %% 부스팅: 앞의 모델이 틀린 것을 다음 모델이 고친다
local ada = ml.AdaBoostClassifier{n_estimators = 100, learning_rate = 0.5, random_state = 0}:fit(Xtr, ytr)
report("ada", "에이다부스트 (깊이 1 트리 100개)", ada)
local gb = ml.GradientBoostingClassifier{n_estimators = 100, learning_rate = 0.1, max_depth = 3,
                                         random_state = 0}:fit(Xtr, ytr)
report("gb", "그레이디언트 부스팅 (깊이 3 트리 100개)", gb)

title("OOB 점수와 테스트 정확도")
print(("배깅:          OOB %.4f, 테스트 %.4f"):format(bag.oob_score_, bag:score(Xte, yte)))
print(("랜덤 포레스트: OOB %.4f, 테스트 %.4f"):format(rf.oob_score_, rf:score(Xte, yte)))
book.value("bag_oob", bag.oob_score_, "%.3f")
book.value("rf_oob", rf.oob_score_, "%.3f")
book.value("n_est", N_EST)
local best = results[1]
for _, r in ipairs(results) do
  if r.test > best.test and not r.key:match("^member_") then best = r end
end
print(("투표 참가자를 빼고 테스트 정확도가 가장 높은 모델: %s (%.4f)"):format(best.name, best.test))

-- %% 그림: 결정 영역과 정확도 막대
local shown = {tree = "결정 트리", soft = "간접 투표", bagging = "배깅",
               forest = "랜덤 포레스트", ada = "에이다부스트", gb = "그레이디언트 부스팅"}
local fig = plot.subplots{cols = 3, width = 400, height = 360,
  title = "반달 데이터에서 트리 하나와 앙상블의 결정 영역"}
for _, r in ipairs(results) do
  if shown[r.key] then
    plot.decision_regions(r.model, X, y, fig, {title = ("%s (테스트 %.3f)"):format(shown[r.key], r.test),
      xlabel = "x1", ylabel = "x2", size = 2, resolution = QUICK and 80 or 200})
  end
end
fig:save(out "ensemble_regions.png", {caption = "결정 트리 하나와 다섯 앙상블의 결정 영역. " ..
  "트리 하나는 잡음 하나하나를 따라 조각난 영역을 만들고, 앙상블은 그 조각들을 평균 내어 " ..
  "매끄럽게 만든다.", label = "fig-ensemble-regions"})
local names, accs = {}, {}
for _, r in ipairs(results) do
  if not r.key:match("^member_") then names[#names + 1], accs[#accs + 1] = shown[r.key] or
    (r.key == "hard" and "직접 투표" or r.key), r.test end
end
plot.bar(names, accs, out "ensemble_accuracy.png", {values = true, decimals = 3, ylim = {0.8, 1.0},
  width = 800, height = 420, title = "테스트 정확도", ylabel = "정확도 (accuracy)",
  caption = "같은 테스트 데이터에서 잰 결정 트리 하나와 앙상블의 정확도.",
  label = "fig-ensemble-accuracy"})
