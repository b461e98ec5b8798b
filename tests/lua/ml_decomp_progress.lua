-- ml_decomp_progress.lua - what MDS tells about a long fit
-- (runtime/lua/ml_decomp.lua, runtime/ml/manifold.c's smacof callback):
-- verbose = 2 prints scikit-learn 1.2's lines (an "it: k, stress s" line
-- per SMACOF iteration, then "breaking at iteration k with stress s"),
-- checked against what scikit-learn printed from the same data and init
-- (tests/fixtures/make_mds_verbose.py); verbose = 1 only the last line;
-- verbose = 0 nothing. The progress bar of Isomap and MDS is drawn only
-- on a terminal, so a test (a pipe) never sees it: progress = true prints
-- nothing here. An error raised inside the per-iteration callback reaches
-- the caller with its message (the C side frees its buffers first).
local t = require "tap"
local T = require "tensor"
local ml = require "ml"
local core = require "ml_decomp.core"

local mx, init = T.load("tests/fixtures/decomp/mds.npy"), T.load("tests/fixtures/decomp/mds_init.npy")
local want = {}
for line in io.lines("tests/fixtures/decomp_mds_verbose.txt") do want[#want + 1] = line end

-- the lines print() is given while f runs
local function printed(f)
  local lines, saved = {}, print
  print = function(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring(select(i, ...)) end
    lines[#lines + 1] = table.concat(parts, "\t")
  end
  local ok, r = pcall(f)
  print = saved
  assert(ok, r)
  return lines, r
end

-- verbose = 2: scikit-learn's lines, the same iterations, the same stresses
do
  local got, m = printed(function()
    return ml.MDS{n_components = 2, n_init = 1, verbose = 2}:fit(mx, {init = init})
  end)
  t.is(#got, #want, "MDS verbose = 2: as many lines as scikit-learn printed")
  t.is(#got, m.n_iter_ + 1, "MDS verbose = 2: a line per iteration and the breaking line")
  local worst, shape = 0, true
  for i = 1, math.min(#got, #want) do
    local gk, gs = got[i]:match("^it: (%d+), stress ([%d.e+-]+)$")
    local wk, ws = want[i]:match("^it: (%d+), stress ([%d.e+-]+)$")
    if not gk then
      gk, gs = got[i]:match("^breaking at iteration (%d+) with stress ([%d.e+-]+)$")
      wk, ws = want[i]:match("^breaking at iteration (%d+) with stress ([%d.e+-]+)$")
    end
    if not (gk and wk and gk == wk) then shape = false; t.diag(got[i] .. " | " .. want[i]) break end
    worst = math.max(worst, math.abs(tonumber(gs) - tonumber(ws)) / tonumber(ws))
  end
  t.ok(shape, "MDS verbose = 2: each line as scikit-learn's, iteration numbers equal")
  t.ok(worst < 1e-6, ("MDS verbose = 2: the stresses as scikit-learn's (worst %.1e relative)"):format(worst))
  t.is(got[#got], ("breaking at iteration %d with stress %s"):format(m.n_iter_ - 1,
       require("frame").float_repr(m.stress_)), "MDS verbose = 2: the last line names n_iter_ - 1 and stress_")
end

do
  local got = printed(function()
    return ml.MDS{n_components = 2, n_init = 1, verbose = 1}:fit(mx, {init = init})
  end)
  t.is(#got, 1, "MDS verbose = 1: one line")
  t.ok(got[1] and got[1]:find("^breaking at iteration 77 with stress") ~= nil,
       "MDS verbose = 1: scikit-learn's breaking line")
  local quiet = printed(function()
    return ml.MDS{n_components = 2, n_init = 2, random_state = 0, progress = true}:fit(mx)
  end)
  t.is(#quiet, 0, "MDS verbose = 0, progress = true: nothing printed outside a terminal")
end

-- an error inside the callback stops the fit and keeps its message
t.raises(function()
  core.smacof(mx, false, init, 50, 1e-3, function(it) if it == 3 then error("stopped at 3") end end)
end, "stopped at 3", "smacof: an error in the progress callback reaches the caller")
do
  local seen = 0
  core.smacof(mx, false, init, 50, 1e-3, function() seen = seen + 1 end)
  t.ok(seen > 3, "smacof: the callback runs every iteration")
end

t.raises(function() ml.MDS{verbose = -1} end, "verbose must be a non%-negative integer",
         "MDS: a negative verbose")
t.raises(function() ml.MDS{progress = "yes"} end, "progress must be true or false",
         "MDS: progress not a boolean")
t.raises(function() ml.Isomap{progress = 1} end, "progress must be true or false",
         "Isomap: progress not a boolean")

t.done()
