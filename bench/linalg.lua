-- linalg.lua - speed of the linalg module beside NumPy in the same run:
-- svd (economy) of 2000x784 (target: within 1.2x of NumPy), inv of
-- 500x500, lstsq of 2000x784. NumPy's side is bench/linalg_numpy.py, run
-- with Debian's python3-numpy when /usr/bin/python3 can import it.
-- Run: ./workbook run bench/linalg.lua [repeats]. Prints; asserts nothing.
local T, la, sys = require "tensor", require "linalg", require "sys"

local runs = tonumber(arg and arg[1]) or 3
local here = arg[0]:match("(.*/)") or "./"

local function best(f)
  local t = math.huge
  for _ = 1, runs do
    local t0 = sys.clock()
    f()
    t = math.min(t, sys.clock() - t0)
  end
  return t
end

T.seed(0)
local a = T.rand(2000, 784)
local sq = T.rand(500, 500) + T.eye(500) * 500
local b = T.rand(2000)
local ours = {
  svd = best(function() la.svd(a, {full_matrices = false}) end),
  inv = best(function() la.inv(sq) end),
  lstsq = best(function() la.lstsq(a, b) end),
}

local theirs = {}
local py = io.popen(("/usr/bin/python3 %slinalg_numpy.py %d 2>/dev/null"):format(here, runs))
for line in py:lines() do
  local name, s = line:match("^(%S+) (%S+)$")
  if name then theirs[name] = tonumber(s) end
end
py:close()

print(("%-34s %10s %10s %8s"):format("linalg (best of " .. runs .. ")", "workbook", "numpy", "ratio"))
for _, row in ipairs {{"svd", "svd 2000x784, economy"}, {"inv", "inv 500x500"},
                      {"lstsq", "lstsq 2000x784, one column"}} do
  local o, p = ours[row[1]], theirs[row[1]]
  print(("%-34s %8.1f ms %8s %8s"):format(row[2], o * 1000,
        p and ("%.1f ms"):format(p * 1000) or "-", p and ("%.2fx"):format(o / p) or "-"))
end
if not next(theirs) then print("numpy: not measured (needs Debian's python3-numpy)") end
