-- tap.lua - TAP output for the Lua tests: ok, is, near, raises, done.
-- `raises(f, pattern)` checks that f fails with a message matching the
-- pattern AND naming the calling test script's line.
local M = {}
local n, failed = 0, 0

local function report(cond, name)
  n = n + 1
  print((cond and "ok " or "not ok ") .. n .. " - " .. (name or ""))
  if not cond then failed = failed + 1 end
  return cond
end

function M.diag(...) print("# " .. table.concat({...}, " "):gsub("\n", "\n# ")) end
function M.ok(cond, name) return report(cond and true or false, name) end

function M.is(got, want, name)
  local r = report(got == want, name)
  if not r then M.diag("got:  " .. tostring(got)); M.diag("want: " .. tostring(want)) end
  return r
end

function M.near(got, want, tol, name)
  local r = report(type(got) == "number" and math.abs(got - want) <= tol, name)
  if not r then M.diag(("got %s, want %s (tol %g)"):format(tostring(got), tostring(want), tol)) end
  return r
end

-- every element of tensor a within tol of tensor (or table) b
function M.allclose(a, b, tol, name)
  local T = require "tensor"
  if not T.is_tensor(b) then b = T(b) end
  local same = #a:shape() == #b:shape()
  for i, s in ipairs(a:shape()) do same = same and b:shape()[i] == s end
  local diff = same and (a - b):abs():max() or math.huge
  local r = report(same and diff <= tol, name)
  if not r then
    M.diag(same and ("max abs difference " .. diff .. " > " .. tol)
                 or ("shapes differ: " .. table.concat(a:shape(), "x") .. " vs " .. table.concat(b:shape(), "x")))
  end
  return r
end

-- f must raise an error whose message matches pattern and names the
-- line of the test file that called raises (script line in the message)
function M.raises(f, pattern, name)
  local line = debug.getinfo(2, "l").currentline
  local src = debug.getinfo(2, "S").short_src:match("[^/]+$")
  local okc, err = pcall(f)
  err = tostring(err)
  local where = not okc and err:find(src .. ":%d+:") ~= nil
  local r = report(not okc and err:find(pattern) ~= nil and where, name or ("raises " .. pattern))
  if not r then
    M.diag(okc and "no error raised" or ("message: " .. err))
    if not okc and not where then M.diag("message does not name " .. src .. ":LINE (called from line " .. line .. ")") end
  end
  return r
end

-- ---- helpers for tests that run commands and read files ----------------

-- Run a shell command: its output (stdout and stderr) and exit status.
function M.sh(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"rc=$?\"")
  local s = p:read("a")
  p:close()
  local rc = tonumber(s:match("rc=(%d+)\n?$"))
  return (s:gsub("rc=%d+\n?$", "")), rc
end

-- A word for the shell, single-quoted.
function M.q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

function M.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- Write a file, making its folder.
function M.write(path, s)
  os.execute("mkdir -p " .. M.q(path:match("^(.*)/")))
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

-- s holds (has) or does not hold (hasnt) the plain text frag.
function M.has(s, frag, name)
  local r = M.ok(s and s:find(frag, 1, true) ~= nil, name)
  if not r then M.diag("missing: " .. frag); M.diag("in: " .. tostring(s):sub(1, 4000)) end
  return r
end

function M.hasnt(s, frag, name)
  local r = M.ok(s and s:find(frag, 1, true) == nil, name)
  if not r then M.diag("unexpected: " .. frag) end
  return r
end

-- a tensor, a list or nested lists as one flat list of numbers
function M.flat(v, out)
  local T = require "tensor"
  out = out or {}
  if T.is_tensor(v) then v = v:contiguous():flatten():totable() end
  for _, x in ipairs(v) do
    if type(x) == "table" then M.flat(x, out) else out[#out + 1] = x end
  end
  return out
end

-- the largest absolute difference of two such (math.huge if the counts differ)
function M.maxdiff(a, b)
  a, b = M.flat(a), M.flat(b)
  if #a ~= #b then return math.huge end
  local m = 0
  for i = 1, #a do m = math.max(m, math.abs(a[i] - b[i])) end
  return m
end

function M.done()
  print("1.." .. n)
  if failed > 0 then os.exit(1) end
end

return M
