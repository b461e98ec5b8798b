-- 연습 6-1의 검사: 학생의 prf를 숨은 예측 결과의 혼동 행렬로 불러
-- ml.metrics의 precision_score, recall_score, f1_score와 비교한다.
local ml = require "ml"
local M = ml.metrics

local P_HINT = "정밀도는 양성으로 예측한 것 가운데 실제로 양성인 비율입니다"
local R_HINT = "재현율은 실제 양성 가운데 양성으로 예측한 비율입니다"
local F_HINT = "F1은 정밀도와 재현율의 조화 평균입니다"

-- a reproducible list of labels and predictions: n samples, a share
-- `pos` of positives, predictions right with probability `hit`
local function case(seed, n, pos, hit)
  local state = seed
  local function rnd()
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  end
  local yt, yp = {}, {}
  for i = 1, n do
    yt[i] = rnd() < pos and 1 or 0
    yp[i] = rnd() < hit and yt[i] or 1 - yt[i]
  end
  return yt, yp
end

-- the four cells of the binary confusion matrix, labels fixed to {0, 1}
local function cells(yt, yp)
  local cm = M.confusion_matrix(yt, yp, {labels = {0, 1}})
  return cm:get(1, 1), cm:get(1, 2), cm:get(2, 1), cm:get(2, 2)
end

local function compare(c, s, yt, yp, what)
  local tn, fp, fn, tp = cells(yt, yp)
  local p, r, f = c.call(s.prf, tn, fp, fn, tp)
  local where = ("prf(%d, %d, %d, %d)%s: "):format(tn, fp, fn, tp, what or "")
  c.near(p, M.precision_score(yt, yp), 1e-9, where .. "정밀도가 틀립니다. " .. P_HINT, {hide = true})
  c.near(r, M.recall_score(yt, yp), 1e-9, where .. "재현율이 틀립니다. " .. R_HINT, {hide = true})
  c.near(f, M.f1_score(yt, yp), 1e-9, where .. "F1이 틀립니다. " .. F_HINT, {hide = true})
end

return {
  limits = {seconds = 30, memory_mb = 1024},
  checks = {
    {name = "주어진 혼동 행렬", run = function(s, c)
      -- the matrix in the exercise text: TN 90, FP 10, FN 20, TP 80
      local yt, yp = {}, {}
      local function add(t, p, k) for _ = 1, k do yt[#yt + 1] = t; yp[#yp + 1] = p end end
      add(0, 0, 90); add(0, 1, 10); add(1, 0, 20); add(1, 1, 80)
      c.near(s.precision, M.precision_score(yt, yp), 1e-6, P_HINT, {hide = true})
      c.near(s.recall, M.recall_score(yt, yp), 1e-6, R_HINT, {hide = true})
      c.near(s.f1, M.f1_score(yt, yp), 1e-6, F_HINT, {hide = true})
    end},
    {name = "prf (숨은 예측 결과)", run = function(s, c)
      c.kind(s.prf, "function", "prf")
      for _, k in ipairs {{7, 200, 0.3, 0.85}, {21, 150, 0.6, 0.7}, {99, 80, 0.15, 0.9}} do
        compare(c, s, case(table.unpack(k)))
      end
    end},
    {name = "prf (분모가 0인 경우)", run = function(s, c)
      c.kind(s.prf, "function", "prf")
      -- nothing predicted positive; then no positive sample at all
      compare(c, s, {0, 1, 1, 0}, {0, 0, 0, 0}, " (양성 예측이 하나도 없음)")
      compare(c, s, {0, 0, 0}, {0, 1, 0}, " (실제 양성이 하나도 없음)")
    end},
  },
}
