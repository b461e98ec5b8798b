-- ml_util.lua - helpers shared by the classic-ML modules (ml, ml_select,
-- ml_metrics): argument checks and conversions, errors at the user's
-- script line, the runtime's RNG as Lua lists, number formatting.
local T = require "tensor"
local fail = require "script_error"
local options = require "options"

local function strip(msg)
  return (tostring(msg):gsub("^[^\n]-:%d+: ", "", 1))
end

-- Call into ml.core; its errors name the runtime file that called it,
-- so raise them again at the script's line with `what` in front.
local function call(what, f, ...)
  local r = table.pack(pcall(f, ...))
  if r[1] then return table.unpack(r, 2, r.n) end
  fail("%s: %s", what, strip(r[2]))
end

local function describe(v)
  if T.is_tensor(v) then
    return ("a tensor of shape (%s)"):format(table.concat(v:shape(), ", "))
  end
  return type(v) == "string" and ("'" .. v .. "'") or tostring(v)
end

local function is_int(v) return math.type(v) == "integer" or
  (type(v) == "number" and v == math.floor(v) and v == v) end

-- X as a tensor with at least one dimension; a table of rows becomes one
local function as_tensor(X, what)
  if type(X) == "table" and not T.is_tensor(X) then
    if #X == 0 then fail("%s: X is empty", what) end
    local ok, t = pcall(T, X)
    if not ok then fail("%s: X: %s", what, strip(t)) end
    X = t
  end
  if not T.is_tensor(X) then
    fail("%s: X must be a tensor (samples, features), got %s", what, describe(X))
  end
  if X:dim() == 0 then fail("%s: X must have a samples axis, got a 0-d tensor", what) end
  return X
end

local function as_matrix(X, what)
  X = as_tensor(X, what)
  local s = X:shape()
  if #s ~= 2 then
    fail("%s: X must be 2-D (samples, features), got shape (%s)%s", what,
         table.concat(s, ", "), #s > 2 and "; flatten it with X:reshape(N, -1)" or "")
  end
  return X
end

local function n_rows(X)
  return T.is_tensor(X) and X:shape()[1] or #X
end

-- labels (or scores) as a list of numbers, from a table or a 1-d tensor
local function number_list(y, what, name)
  name = name or "y"
  if T.is_tensor(y) then
    local s = y:shape()
    if not (#s == 1 or (#s == 2 and s[2] == 1)) then
      fail("%s: %s must be 1-D, got %s", what, name, describe(y))
    end
    return y:contiguous():flatten():totable()
  end
  if type(y) ~= "table" then
    fail("%s: %s must be a tensor or a table of numbers, got %s", what, name, describe(y))
  end
  for i = 1, #y do
    if type(y[i]) ~= "number" then
      fail("%s: %s[%d] is %s, expected a number", what, name, i, describe(y[i]))
    end
  end
  return y
end

local function label_list(y, what, n)
  local l = number_list(y, what)
  if n and #l ~= n then
    fail("%s: X has %d rows but y has %d labels", what, n, #l)
  end
  return l
end

-- the rows idx (1-based positions) of a tensor or a table
local function take(v, idx)
  if T.is_tensor(v) then return v:rows(idx) end
  local r = {}
  for i, p in ipairs(idx) do r[i] = v[p] end
  return r
end

local function sorted_unique(list)
  local seen, u = {}, {}
  for _, v in ipairs(list) do
    if not seen[v] then seen[v] = true; u[#u + 1] = v end
  end
  table.sort(u)
  return u
end

-- The one options checker (options.check): an unknown key names the
-- nearest valid one. spec: a list of names, a set {name = true} (any
-- value), or a map {name = "number|string", ...} of expected types.
local function check_options(opts, spec, what)
  local list, typed = {}, false
  if #spec > 0 then
    list = spec
  else
    for k, v in pairs(spec) do
      if type(v) == "string" then typed = true end
      list[#list + 1] = k
    end
  end
  if typed then
    local map = {}
    for k, v in pairs(spec) do map[k] = v == true and "any" or v end
    return options.check(what, opts, map)
  end
  return options.check(what, opts, list)
end

-- Methods of a class must be called with ':'. Wrap every function field
-- of cls (but the ones in skip) so that obj.fit(X, y), which passes X as
-- self, says so instead of failing somewhere inside. is_self(v) tells an
-- instance; var is the name shown in the advice ("clf").
local function dot_guard(cls, is_self, var, skip)
  local wrapped = {}
  for name, f in pairs(cls) do
    if type(f) == "function" and not (skip and skip[name])
       and not name:find("^__") then
      wrapped[name] = function(self, ...)
        if not is_self(self) then
          fail("%s: called with '.' instead of ':' (write %s:%s(...))", name,
               var, name)
        end
        return f(self, ...)
      end
    end
  end
  for name, f in pairs(wrapped) do cls[name] = f end
end

-- a seed for the libraries' rand(): random_state, else the runtime's RNG
local function seed_of(random_state)
  if random_state ~= nil then return random_state end
  return math.floor(T.rand(1)[1] * 2147483647)
end

local function reseed(random_state, what)
  if random_state == nil then return end
  if not is_int(random_state) or random_state < 0 then
    fail("%s: random_state must be a non-negative integer, got %s", what,
         describe(random_state))
  end
  T.seed(math.tointeger(random_state))
end

-- 1..n shuffled by the runtime's RNG, as a Lua list
local function permutation(n)
  if n == 0 then return {} end
  local p = T.randperm(n):totable()
  for i = 1, n do p[i] = math.tointeger(p[i]) end
  return p
end

local function fmt_value(v)
  if type(v) == "string" then return "'" .. v .. "'" end
  if math.type(v) == "float" and v == math.floor(v) and math.abs(v) < 1e15 then
    return ("%d"):format(v)
  end
  return tostring(v)
end

-- 1 - SS_res / SS_tot of two number lists; a constant a scores 1 when
-- b equals it exactly, else 0 (scikit-learn's force_finite). Shared by
-- metrics.r2_score and the regressors' score.
local function r2(a, b)
  local m = 0
  for i = 1, #a do m = m + a[i] end
  m = m / #a
  local res, tot = 0, 0
  for i = 1, #a do
    res = res + (a[i] - b[i]) ^ 2
    tot = tot + (a[i] - m) ^ 2
  end
  if tot == 0 then return res == 0 and 1.0 or 0.0 end
  return 1 - res / tot
end

return {
  r2 = r2,
  strip = strip,
  call = call,
  describe = describe,
  is_int = is_int,
  as_tensor = as_tensor,
  as_matrix = as_matrix,
  n_rows = n_rows,
  number_list = number_list,
  label_list = label_list,
  take = take,
  sorted_unique = sorted_unique,
  check_options = check_options,
  dot_guard = dot_guard,
  seed_of = seed_of,
  reseed = reseed,
  permutation = permutation,
  fmt_value = fmt_value,
}
