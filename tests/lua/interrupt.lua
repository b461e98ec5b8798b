-- interrupt.lua - Ctrl-C (SIGINT) as a user meets it: `workbook run` on a
-- busy loop, a real fit, a save in flight, a C writer, a second Ctrl-C,
-- the REPL, and `workbook book` with a lab running (and with a solution
-- being checked, --solutions). Each is started in the
-- background, SIGINT is sent with kill(1) once the script has reached its
-- loop (it writes a marker file), and then: exit status 130, the
-- "interrupted" message saying where, and no temporary file left.
local t = require "tap"
local core = require "book.core"
local sys = require "sys"

local bin = os.getenv("WORKBOOK") or "./workbook"
if bin:sub(1, 1) ~= "/" then bin = (os.getenv("PWD") or ".") .. "/" .. bin end

local base = os.tmpname()
os.remove(base)
base = base .. "_interrupt"
assert(os.execute("mkdir -p '" .. base .. "'"))

local function write(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- Files and folders under dir whose name holds ".tmp" (temporary files of
-- the atomic writes: "<name>.tmp<pid>"), or a folder named tmp (the book's
-- lab folders), as a list of paths.
local function debris(dir)
  local found = {}
  local function walk(d)
    for _, name in ipairs(core.list(d) or {}) do
      local p = d .. "/" .. name
      if name:find(".tmp", 1, true) or name == "tmp" then found[#found + 1] = p end
      if sys.exists(p) == "directory" then walk(p) end
    end
  end
  walk(dir)
  return found
end

local TIMEOUT = 60     -- seconds, for a loaded machine; polls end sooner

-- Wait until path exists (true) or the child ended / time ran out (false).
local function wait_for(path, pid)
  local t0 = sys.clock()
  while sys.clock() - t0 < TIMEOUT do
    if sys.exists(path) then return true end
    if pid and core.poll(pid) then return false end
    core.sleep(0.05)
  end
  return false
end

-- Wait for the child to end: its exit code, or nil (killed) on a timeout.
local function wait_exit(pid)
  local t0 = sys.clock()
  while sys.clock() - t0 < TIMEOUT do
    local code = core.poll(pid)
    if code then return code end
    core.sleep(0.05)
  end
  core.kill(pid)
  return nil
end

local function sigint(pid) os.execute("kill -INT " .. pid) end

-- Run `workbook ARGS...` in a fresh folder dir (the cwd), output in
-- dir/out.txt; once dir/marker exists, wait `settle` seconds, send SIGINT
-- (`times` times, no pause between), and return code, output.
local function interrupt(dir, args, settle, times)
  assert(os.execute("rm -rf '" .. dir .. "' && mkdir -p '" .. dir .. "'"))
  return function(files)
    for name, text in pairs(files) do write(dir .. "/" .. name, text) end
    local argv = {bin}
    for _, a in ipairs(args) do argv[#argv + 1] = a end
    local pid = assert(core.spawn(argv, {}, dir, base .. "/" .. dir:match("[^/]+$") .. ".out"))
    local started = wait_for(dir .. "/marker", pid)
    if started then
      if settle > 0 then core.sleep(settle) end
      for _ = 1, times or 1 do sigint(pid) end
    end
    local code = wait_exit(pid)
    local out = read(base .. "/" .. dir:match("[^/]+$") .. ".out") or ""
    if not started then t.diag("the script did not reach its loop:\n" .. out) end
    return code, out
  end
end

local function has(s, frag, name)
  local r = t.ok(s:find(frag, 1, true) ~= nil, name)
  if not r then t.diag("missing: " .. frag); t.diag("in: " .. s) end
  return r
end

local function clean(dir, name)
  local left = debris(dir)
  local r = t.ok(#left == 0, name or "no temporary file left")
  if not r then t.diag("left: " .. table.concat(left, ", ")) end
end

-- ---- a loop with sys.doing set ------------------------------------------
local dir = base .. "/doing"
local code, out = interrupt(dir, {"run", "loop.lua"}, 0.2) {["loop.lua"] = [[
local sys = require "sys"
sys.doing("fit: epoch 3/10, step 120/1875")
io.open("marker", "w"):close()
local x = 0
while true do x = x + 1 end
]]}
t.is(code, 130, "SIGINT in a loop: exit status 130")
has(out, "workbook: interrupted during fit: epoch 3/10, step 120/1875 (loop.lua:5)\n",
    "the message says what was being done and the script's line")
clean(dir)

-- ---- no sys.doing; a pcall does not swallow the interrupt ---------------------
dir = base .. "/pcall"
code, out = interrupt(dir, {"run", "spin.lua"}, 0.2) {["spin.lua"] = [[
local function spin()
  io.open("marker", "w"):close()
  local n = 0
  while true do n = n + 1 end
end
local ok, err = pcall(spin)
print("pcall returned", ok, err)
]]}
t.is(code, 130, "SIGINT inside pcall: exit status 130")
has(out, "workbook: interrupted at spin.lua:4\n", "the message names the script's line")
t.ok(not out:find("pcall returned", 1, true), "the script's pcall did not catch it")

-- ---- a save in flight: sys.atomic_write whose writer loops ------------------
dir = base .. "/save"
code, out = interrupt(dir, {"run", "save.lua"}, 0.2) {["save.lua"] = [[
local sys = require "sys"
sys.atomic_write("weights.bin", function(tmp)
  local f = assert(io.open(tmp, "wb"))
  f:write(("w"):rep(1 << 16))
  f:flush()
  io.open("marker", "w"):close()
  while true do f:write("w") end
end)
]]}
t.is(code, 130, "SIGINT during a save: exit status 130")
has(out, "workbook: interrupted at save.lua:7", "the message names the writer's line")
clean(dir, "the temporary file of the save is removed")
t.ok(not sys.exists(dir .. "/weights.bin"), "and no half-written file stands at the path")

-- ---- a C writer in a loop (tensor.save, npy), then Ctrl-C twice -------------
-- The second SIGINT may come while the first waits for its safe point,
-- in the middle of a 64 MB write: the handler itself then removes the
-- registered temporary file and exits 130.
dir = base .. "/npy"
code, out = interrupt(dir, {"run", "npy.lua"}, 0.3, 2) {["npy.lua"] = [[
local T = require "tensor"
local x = T.zeros(4096, 4096)
T.save(x, "x.npy")
io.open("marker", "w"):close()
while true do T.save(x, "x.npy") end
]]}
t.is(code, 130, "two SIGINTs during a C writer's loop: exit status 130")
t.ok(out:match("^\n?workbook: interrupted") ~= nil, "the message says interrupted")
if not out:match("^\n?workbook: interrupted") then t.diag(out) end
clean(dir, "no temporary npy file left")
local npy = read(dir .. "/x.npy") or ""
t.is(#npy, 128 + 4096 * 4096 * 4, "the last complete x.npy stands, whole")

-- ---- a real fit -------------------------------------------------------------
-- Before and after nn's fit says what it is doing (sys.doing): the message
-- names the script's fit line either way.
dir = base .. "/fit"
code, out = interrupt(dir, {"run", "fit.lua"}, 0.5) {["fit.lua"] = [[
local T = require "tensor"
local nn = require "nn"
T.seed(1)
local x, y = T.randn(256, 8), T.zeros(256)
for i = 1, 256 do y[i] = i % 2 end
local m = nn.Sequential{nn.Dense{units = 16, activation = "relu", input_shape = {8}},
                        nn.Dense(2, "softmax")}
m:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy"}
m:fit(x, y, {epochs = 2, batch_size = 32, verbose = 0})
io.open("marker", "w"):close()
m:fit(x, y, {epochs = 1000000, batch_size = 32, verbose = 0})
print("fit returned")
]]}
t.is(code, 130, "SIGINT during fit: exit status 130")
t.ok(out:match("^workbook: interrupted during fit: epoch %d+/1000000, step %d+/8 %(fit%.lua:11%)") ~= nil,
     "the message names the epoch, the step and the fit line")
if code ~= 130 or not out:find("fit.lua:11", 1, true) then t.diag(out) end
t.ok(not out:find("fit returned", 1, true), "fit did not return")
clean(dir)

-- ---- predict in a loop --------------------------------------------------------
dir = base .. "/predict"
code, out = interrupt(dir, {"run", "predict.lua"}, 0.3) {["predict.lua"] = [[
local T = require "tensor"
local nn = require "nn"
local x = T.randn(20000, 8)
local m = nn.Sequential{nn.Dense{units = 64, activation = "relu", input_shape = {8}},
                        nn.Dense(2, "softmax")}
io.open("marker", "w"):close()
while true do m:predict(x) end
]]}
t.is(code, 130, "SIGINT during predict: exit status 130")
t.ok(out:match("interrupted during predict: step %d+/%d+ %(predict%.lua:7%)") ~= nil,
     "the message names predict's step and line")
clean(dir)

-- ---- save_weights in a loop (.wbw and Keras .h5) ----------------------------
for _, ext in ipairs {"wbw", "h5"} do
  dir = base .. "/save_" .. ext
  code, out = interrupt(dir, {"run", "save.lua"}, 0.3) {["save.lua"] = ([[
local nn = require "nn"
local m = nn.Sequential{nn.Dense(1024, {input_shape = {1024}}), nn.Dense(512)}
m:save_weights("w.%s")
io.open("marker", "w"):close()
while true do m:save_weights("w.%s") end
]]):format(ext, ext)}
  t.is(code, 130, "SIGINT during save_weights (." .. ext .. "): exit status 130")
  has(out, "interrupted", "save_weights (." .. ext .. "): the message says interrupted")
  clean(dir, "save_weights (." .. ext .. "): no temporary file left")
end

-- ---- the REPL: Ctrl-C stops the evaluation, not the session -----------------
-- (the REPL reads stdin, which core.spawn ties to /dev/null: run it
-- through sh with the input from a file instead)
dir = base .. "/repl"
assert(os.execute("rm -rf '" .. dir .. "' && mkdir -p '" .. dir .. "'"))
write(dir .. "/input.lua", 'require("sys").doing("busy"); io.open("marker", "w"):close(); '
  .. 'while true do end\n'
  .. 'print("still " .. "here", require("sys").doing())\n')
local pid = assert(core.spawn({"/bin/sh", "-c", "exec '" .. bin .. "' repl < input.lua"},
                              {}, dir, base .. "/repl.out"))
local started = wait_for(dir .. "/marker", pid)
if started then core.sleep(0.2); sigint(pid) end
code = wait_exit(pid)
out = read(base .. "/repl.out") or ""
t.is(code, 0, "the REPL goes on after an interrupt and ends at EOF with 0")
has(out, "stdin:1: interrupted during busy", "the evaluation stops with an error at its line")
has(out, "still here\tnil", "the next line runs, with sys.doing cleared")

-- ---- a book build with a lab running -------------------------------------------
local bdir = base .. "/book"
assert(os.execute("rm -rf '" .. bdir .. "' && mkdir -p '" .. bdir .. "/src/chapters/ch1'"))
write(bdir .. "/src/book.md", "# 책\n\n[첫째 장](chapters/ch1/index.md)\n")
write(bdir .. "/src/chapters/ch1/index.md",
      "# 첫째 장\n\n```lua include=lab1.lua run\n```\n")
write(bdir .. "/src/chapters/ch1/lab1.lua", ([[
local sys = require "sys"
local out = (os.getenv("WORKBOOK_OUT") or "out") .. "/lab1"
sys.mkdir_p(out)
sys.atomic_write(out .. "/weights.bin", function(tmp)
  local f = assert(io.open(tmp, "wb"))
  f:write("partial")
  f:flush()
  local pid = io.open("/proc/self/stat"):read("n")
  local m = io.open(%q, "w"); m:write(pid); m:close()
  while true do end
end)
]]):format(bdir .. "/marker"))
pid = assert(core.spawn({bin, "book", "--src", bdir .. "/src", "--out", bdir .. "/out",
                         "--cache", bdir .. "/cache", "--timeout", "600"},
                        {}, bdir, base .. "/book.out"))
started = wait_for(bdir .. "/marker", pid)
if started then core.sleep(0.3); sigint(pid) end
code = wait_exit(pid)
out = read(base .. "/book.out") or ""
if not started then t.diag("the lab did not start:\n" .. out) end
t.is(code, 130, "SIGINT during a book build: exit status 130")
has(out, "workbook: interrupted during book: running chapters/ch1/lab1.lua",
    "the message names the lab being built")
clean(bdir, "no temporary file or lab folder left by the book or its lab")
local lab_pid = tonumber(read(bdir .. "/marker") or "")
local lab_alive = lab_pid == nil
for _ = 1, 40 do   -- a lab killed just now may linger a moment as a zombie
  lab_alive = lab_pid == nil or os.execute("kill -0 " .. lab_pid .. " 2>/dev/null") == true
  if not lab_alive then break end
  core.sleep(0.05)
end
t.ok(not lab_alive, "the lab process is gone")

-- ---- a book build with a solution being checked (--solutions) --------------------
local edir = base .. "/bookex"
local exd = edir .. "/src/chapters/ch1/exercises"
assert(os.execute("rm -rf '" .. edir .. "' && mkdir -p '" .. exd .. "'"))
write(edir .. "/src/book.md", "# 책\n\n[첫째 장](chapters/ch1/index.md)\n")
write(edir .. "/src/chapters/ch1/index.md", "# 첫째 장\n")
write(exd .. "/ex1.lua", "-- 연습 1-1: 끝나지 않는 풀이\nx = nil\n")
write(exd .. "/ex1.check.lua",
      "return {checks = {{name = \"x\", run = function(s, c) c.equal(s.x, 1) end}}}\n")
write(exd .. "/ex1.solution.lua", ([[
x = 1
local pid = io.open("/proc/self/stat"):read("n")
local m = io.open(%q, "w"); m:write(pid); m:close()
while true do end
]]):format(edir .. "/marker"))
pid = assert(core.spawn({bin, "book", "--src", edir .. "/src", "--out", edir .. "/out",
                         "--cache", edir .. "/cache", "--solutions"},
                        {}, edir, base .. "/bookex.out"))
started = wait_for(edir .. "/marker", pid)
if started then core.sleep(0.3); sigint(pid) end
code = wait_exit(pid)
out = read(base .. "/bookex.out") or ""
if not started then t.diag("the check did not start:\n" .. out) end
t.is(code, 130, "SIGINT while a solution is checked: exit status 130")
has(out, "workbook: interrupted during book: running check chapters/ch1/exercises/ex1.solution.lua",
    "the message names the solution being checked")
clean(edir, "no temporary file or lab folder left by the book or the check")
local sol_pid = tonumber(read(edir .. "/marker") or "")
local sol_alive = sol_pid == nil
for _ = 1, 40 do
  sol_alive = sol_pid == nil or os.execute("kill -0 " .. sol_pid .. " 2>/dev/null") == true
  if not sol_alive then break end
  core.sleep(0.05)
end
t.ok(not sol_alive, "the checked solution's process is gone")

os.execute("rm -rf '" .. base .. "'")
t.done()
