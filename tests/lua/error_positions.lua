-- error_positions.lua - one error path: every public function of every
-- runtime module, called with wrong arguments, either works or fails with
-- a message that leads with this script's file:line - never a runtime
-- file, never a crash. A sweep, so a new module or function is covered
-- without a new test.
package.path = arg[0]:match("(.*/)") .. "?.lua;" .. package.path
local t = require "tap"
local T = require "tensor"

local me = arg[0]:match("[^/]+$")
-- arguments to try, one list each; paths point nowhere writable
local BAD = "/nonexistent-workbook-dir/x.png"
local tries = {
  {}, {1}, {-1}, {0.5}, {BAD}, {{}}, {true}, {{1, 2}, BAD},
  {T.zeros(2, 3)}, {T.zeros(2, 3), T.zeros(4)}, {T.zeros(2, 3), {bogus_option = 1}},
  {{bogus_option = 1}}, {1, {bogus_option = 1}}, {T.zeros(0, 3)},
}
-- slow or side-effecting on purpose with these arguments: left out
local skip = {
  ["data.fashion_mnist"] = true, ["data.faces"] = true, ["data.face_dataset"] = true,
  ["sys.mkdir_p"] = true, ["sys.atomic_write"] = true, ["sys.doing"] = true,
  ["h5.write_keras_weights"] = true,   -- writes the file it is given
  ["h5.write_keras_model"] = true,     -- the same
  ["nn.applications"] = true,
}

local modules = {"tensor", "image", "nn", "ml", "plot", "data", "linalg", "datasets",
                 "options", "gzip", "idx", "h5", "sys", "frame"}

-- the message leads with this script's line, and says what was wrong in
-- the runtime's words: not a Lua error from inside the runtime that
-- never checked the argument ("attempt to index a nil value")
-- (luaL_argerror's "bad argument #1 to '?'" is left alone: pcall called
-- the function here, so Lua has no name for it; a script's call has one)
local internal = {"attempt to ", "table index is ", "stack overflow", "error object is a"}
local function leads_with_script(msg)
  if type(msg) ~= "string" then return false end
  local rest = msg:match("^[^\n]*" .. me:gsub("%.", "%%.") .. ":%d+: (.*)")
  if not rest then return false end
  for _, p in ipairs(internal) do if rest:find(p) then return false end end
  return true
end

for _, mname in ipairs(modules) do
  local ok, m = pcall(require, mname)
  if ok and type(m) == "table" then
    -- the module's functions and those of its tables one level down
    -- (nn.optimizers.SGD, ml.metrics.accuracy_score, image.kernels.box)
    local fns = {}
    local function collect(tbl, prefix, depth)
      for k, v in pairs(tbl) do
        local name = prefix .. "." .. tostring(k)
        if skip[name] then
        elseif type(v) == "function" then fns[#fns + 1] = {name, v}
        elseif type(v) == "table" and depth == 0 and type(k) == "string" then
          collect(v, name, 1)
        end
      end
    end
    collect(m, mname, 0)
    table.sort(fns, function(a, b) return a[1] < b[1] end)
    local bad, calls = {}, 0
    for _, nf in ipairs(fns) do
      for _, args in ipairs(tries) do
        calls = calls + 1
        local okc, err = pcall(nf[2], table.unpack(args, 1, #args))
        if not okc and not leads_with_script(err) then
          bad[#bad + 1] = ("%s(%d args): %s"):format(nf[1], #args,
                          tostring(err):match("^[^\n]*"))
        end
      end
    end
    local names = fns
    t.ok(#bad == 0, ("%s: %d functions, %d calls, every error at this script's line")
                    :format(mname, #names, calls))
    for i = 1, math.min(#bad, 15) do t.diag(bad[i]) end
    if #bad > 15 then t.diag(("... and %d more"):format(#bad - 15)) end
  end
end

t.done()
