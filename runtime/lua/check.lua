-- check.lua - exercises that check themselves: `workbook check` and
-- `workbook grade` (main.c calls M.main(command, args...)).
--
-- An exercise is chapters/chN/exercises/exK.lua (what the student edits),
-- exK.check.lua beside it (the checks) and exK.solution.lua (for
-- instructors). A check file returns
--
--   { limits = {seconds = 60, memory_mb = 2048, file_mb = 256},   -- optional
--     checks = { {name = "...", run = function(student, c) ... end}, ... } }
--
-- `student` is the environment the student's file ran in (its globals:
-- values, functions to call on hidden inputs); `c` holds the helpers
-- below. A check passes when run returns without a failure; a helper
-- that finds a mismatch raises one carrying a Korean hint that says what
-- was expected and what was seen.
--
-- Every run of a student file is a child process (`workbook check
-- --child ...`, the proc module): the file and then the checks run there
-- under the check file's limits (address space, CPU, wall clock). The
-- child writes one line per event to a result file as it goes, so a check
-- that loops or runs out of memory is named, and the checks before it
-- keep their results. For `grade` the child also runs sandboxed: see
-- install_sandbox. Result lines are tab-separated fields (\\, \t, \n
-- escaped): "start N" (N = 0: the student's file; else check N),
-- "ran ok" or "ran fail MESSAGE", "check N pass|fail MESSAGE", "done",
-- or "error MESSAGE" (a bad check file).
--
-- What the checks trust: they run in the same Lua state as the student's
-- code, after it, with private copies of the helpers and of the standard
-- library tables the student saw; the runtime modules (tensor, nn, ...)
-- are shared, so a submission written to cheat could patch them. Checks
-- are for learning and for grading honest work, not for an adversary.
local proc = require "proc"
local sys = require "sys"
local options = require "options"

local M = {}

local DEFAULT_SECONDS, DEFAULT_MEMORY_MB, DEFAULT_FILE_MB = 60, 2048, 256

-- the functions helpers use, captured before any student code runs (a
-- student file that replaces math.abs or tostring does not fool a check)
local abs, floor, huge = math.abs, math.floor, math.huge
local type, tostring, tonumber, pairs, ipairs, select = type, tostring, tonumber, pairs, ipairs, select
local pcall_, xpcall_, error, setmetatable, getmetatable = pcall, xpcall, error, setmetatable, getmetatable
local concat, format, unpack = table.concat, string.format, table.unpack
local relocate = options.relocate

---------------------------------------------------------------------------
-- helpers for check files

local Failure = {}
Failure.__index = Failure
Failure.__tostring = function(f) return f.message end

local function fail(msg) error(setmetatable({message = msg}, Failure), 0) end

local tensor_mod
local function is_tensor(v)
  tensor_mod = tensor_mod or require "tensor"
  return tensor_mod.is_tensor(v)
end

-- a value as a hint shows it: numbers briefly, tensors by shape
local function show(v)
  if type(v) == "number" then
    if v == floor(v) and abs(v) < 1e15 then return format("%d", v) end
    return format("%.4g", v)
  elseif is_tensor(v) then
    return "텐서 (" .. concat(v:shape(), ", ") .. ")"
  elseif type(v) == "string" then
    return format("%q", v)
  elseif v == nil then
    return "nil (값이 없음)"
  elseif type(v) == "boolean" then
    return tostring(v)
  end
  local names = {["function"] = "함수", table = "테이블"}
  return names[type(v)] or type(v)
end

local function with_hint(msg, hint)
  if hint and hint ~= "" then return msg .. " — " .. hint end
  return msg
end

local H = {}

function H.fail(hint) fail(hint or "실패") end

function H.ok(cond, hint)
  if not cond then fail(hint or "조건이 맞지 않습니다") end
  return true
end

-- got within tol of want. opts.hide: do not print want (when want is
-- the answer itself, e.g. a count the student must compute).
function H.near(got, want, tol, hint, opts)
  if type(got) ~= "number" then
    fail(with_hint("기대: 숫자, 실제: " .. show(got), hint))
  end
  if got ~= got or abs(got - want) > tol then
    if opts and opts.hide then
      fail(with_hint(format("실제 %s: 기대한 값과 다릅니다 (%s)", show(got),
                            got ~= got and "NaN" or (got > want and "너무 큼" or "너무 작음")), hint))
    end
    fail(with_hint(format("기대 %s (±%g), 실제 %s", show(want), tol, show(got)), hint))
  end
  return true
end

-- got == want (numbers compared exactly; integer-valued floats equal
-- integers). opts.hide as for near.
function H.equal(got, want, hint, opts)
  if got ~= want then
    if opts and opts.hide then
      local dir = ""
      if type(got) == "number" and type(want) == "number" then
        dir = got > want and " (너무 큼)" or " (너무 작음)"
      end
      fail(with_hint("실제 " .. show(got) .. ": 기대한 값과 다릅니다" .. dir, hint))
    end
    fail(with_hint("기대 " .. show(want) .. ", 실제 " .. show(got), hint))
  end
  return true
end

function H.at_least(got, bar, hint)
  if type(got) ~= "number" or not (got >= bar) then
    fail(with_hint("기대 " .. show(bar) .. " 이상, 실제 " .. show(got), hint))
  end
  return true
end

function H.below(got, bar, hint)
  if type(got) ~= "number" or not (got < bar) then
    fail(with_hint("기대 " .. show(bar) .. " 미만, 실제 " .. show(got), hint))
  end
  return true
end

-- a tensor of the given shape ({3, 3}); a nested Lua table of numbers is
-- turned into a tensor first. Returns the tensor.
function H.shape(t, dims, hint)
  if type(t) == "table" and not is_tensor(t) then
    local ok, conv = pcall_(function() return tensor_mod(t) end)
    if ok then t = conv end
  end
  local want = "(" .. concat(dims, ", ") .. ")"
  if not is_tensor(t) then
    fail(with_hint("기대: 모양 " .. want .. "인 텐서, 실제: " .. show(t), hint))
  end
  local s = t:shape()
  local same = #s == #dims
  for i = 1, #dims do same = same and s[i] == dims[i] end
  if not same then
    fail(with_hint("기대 모양 " .. want .. ", 실제 (" .. concat(s, ", ") .. ")", hint))
  end
  return t
end

-- v is of Lua type tname ("function", "table", ...); what names it
function H.kind(v, tname, what, hint)
  if type(v) ~= tname then
    local names = {["function"] = "함수", table = "테이블", number = "숫자", string = "문자열"}
    fail(with_hint(format("기대: %s %s, 실제: %s", what, names[tname] or tname, show(v)), hint))
  end
  return v
end

-- when the student's file started running (whole seconds): a file it
-- wrote is at least as new (set by the child)
local run_started = 0

-- a file that exists, is not empty, and was written by this run (not
-- left over from an earlier one)
function H.file(path, hint)
  local f = io.open(path, "rb")
  local size = f and f:seek("end") or 0
  if f then f:close() end
  if size == 0 then
    fail(with_hint("기대: 파일 " .. path .. ", 실제: " .. (f and "빈 파일" or "없음"), hint))
  end
  if (proc.mtime(path) or 0) < run_started then
    fail(with_hint("기대: 이번 실행에서 쓴 파일 " .. path .. ", 실제: 이전 실행에서 남은 파일", hint))
  end
  return true
end

-- call a student's function; an error there fails the check with the
-- message, which names the student's line
function H.call(f, ...)
  if type(f) ~= "function" then fail("기대: 함수, 실제: " .. show(f)) end
  local res = table.pack(xpcall_(f, relocate, ...))
  if not res[1] then
    if getmetatable(res[2]) == Failure then error(res[2], 0) end
    fail("실행 중 오류: " .. tostring(res[2]))
  end
  return unpack(res, 2, res.n)
end

-- the path out(name) gives the student's file
function H.out(name) return out(name) end

H.quick = os.getenv("WORKBOOK_QUICK") == "1"

M.helpers = H

---------------------------------------------------------------------------
-- check files and exercise names

-- Load a check file: returns the spec, or nil and an English message
-- leading with the file.
function M.load_spec(path)
  local chunk, err = loadfile(path, "t")
  if not chunk then return nil, err end
  local ok, spec = pcall_(chunk)
  if not ok then return nil, tostring(spec) end
  if type(spec) ~= "table" or type(spec.checks) ~= "table" or #spec.checks == 0 then
    return nil, path .. ": a check file must return {checks = {{name =, run =}, ...}}"
  end
  local ok2, e2 = pcall_(options.check, path, spec, {limits = "table", checks = "table"})
  if not ok2 then return nil, tostring(e2) end
  local ok3, e3 = pcall_(options.check, path .. ": limits", spec.limits,
                         {seconds = "number", memory_mb = "number", file_mb = "number"})
  if not ok3 then return nil, tostring(e3) end
  for i, ch in ipairs(spec.checks) do
    local ok4, e4 = pcall_(options.check, path .. ": check " .. i, ch,
                           {name = "string", run = "function"})
    if not ok4 then return nil, tostring(e4) end
    if type(ch.name) ~= "string" or type(ch.run) ~= "function" then
      return nil, format("%s: check %d needs a name and a run function", path, i)
    end
  end
  local lim = spec.limits or {}
  spec.seconds = lim.seconds or DEFAULT_SECONDS
  spec.memory_mb = lim.memory_mb or DEFAULT_MEMORY_MB
  spec.file_mb = lim.file_mb or DEFAULT_FILE_MB
  if spec.seconds <= 0 or spec.memory_mb < 64 or spec.file_mb <= 0 then
    return nil, path .. ": limits must be seconds > 0, memory_mb >= 64 and file_mb > 0"
  end
  return spec
end

local function exists(p) return sys.exists(p) end

local function home_path(rel)
  if exists(rel) then return rel end
  local h = sys.home() .. "/" .. rel
  if exists(h) then return h end
  return nil
end

-- "ch9/ex1", "ch9/ex1.lua" -> chapters/ch9/exercises/ex1.lua (here, then
-- under the workbook's home); nil when there is none
function M.exercise_path(name)
  local ch, ex = name:gsub("%.lua$", ""):match("^(ch[%w_]+)/([%w_][%w_.]*)$")
  if not ch then return nil end
  return home_path("chapters/" .. ch .. "/exercises/" .. ex .. ".lua")
end

-- The check file for a student file: the named exercise's (--exercise),
-- else STEM.check.lua beside it (with ".solution" dropped from STEM),
-- else the exercise its "-- exercise: chN/exK" line names.
function M.check_file_for(file, exercise)
  if exercise then
    local ex = M.exercise_path(exercise)
    if not ex then return nil, exercise .. ": no such exercise (looked for chapters/" ..
                               exercise:gsub("%.lua$", ""):gsub("/", "/exercises/", 1) .. ".lua)" end
    return (ex:gsub("%.lua$", ".check.lua"))
  end
  local stem = file:gsub("%.lua$", ""):gsub("%.solution$", "")
  local cf = stem .. ".check.lua"
  if exists(cf) == "file" then return cf end
  -- a copy elsewhere: the "-- exercise: chN/exK" line the exercise files
  -- carry near their top
  local f = io.open(file, "r")
  if f then
    local n = 0
    for line in f:lines() do
      local name = line:match("^%-%-%s*exercise:%s*(ch[%w_]+/[%w_]+)")
      n = n + 1
      if name or n >= 20 then
        f:close()
        if name then return M.check_file_for(file, name) end
        break
      end
    end
    if n < 20 then f:close() end
  end
  return nil, file .. ": no check file beside it (" .. cf ..
              ") and no '-- exercise: chN/exK' line; name the exercise with --exercise chN/exK"
end

-- The exercises of a chapter folder: exK.lua files, not .check/.solution
function M.chapter_exercises(dir)
  local list = {}
  for _, n in ipairs(proc.list_dir(dir)) do
    if n:match("%.lua$") and not n:match("%.check%.lua$") and not n:match("%.solution%.lua$") then
      list[#list + 1] = dir .. "/" .. n
    end
  end
  return list
end

---------------------------------------------------------------------------
-- the child: run the student's file, then the checks

-- fields of a result line: tab-separated, with \, tab and newline escaped
-- (plain calls of functions captured at load, not string methods: a
-- submission that patches the shared string table cannot forge a result)
local gsub = string.gsub
local function esc(s)
  s = gsub(tostring(s), "\\", "\\\\")
  s = gsub(s, "\t", "\\t")
  return (gsub(s, "\n", "\\n"))
end
local function unesc(s)
  return (s:gsub("\\(.)", {["\\"] = "\\", t = "\t", n = "\n"}))
end

local function memory_message(msg, mb)
  msg = tostring(msg)
  if msg:find("not enough memory", 1, true) or msg:find("out of memory", 1, true)
     or msg:find("cannot allocate", 1, true) then
    return format("메모리 한도(%d MB)를 넘었습니다", mb)
  end
  return nil
end

-- Confine what the student's code may do (grade only). `dir` is the
-- child's working folder, a temporary folder of its own:
--   - no os.execute, io.popen, package.loadlib, C modules by path (cpath),
--     binary chunks (load/loadfile/dofile take text only);
--   - io.open/io.output for writing, os.remove, os.rename, os.tmpname only
--     inside dir (relative paths resolve there: it is the working folder;
--     no "..");
--   - no debug.getupvalue and friends (they would reach the originals);
--   - no network: the runtime has no sockets (no LuaSocket, no C module
--     may be loaded), and where the kernel has Landlock the process
--     itself may neither write outside dir nor open TCP connections
--     (proc.confine), whatever C code does.
local function install_sandbox(dir)
  local function denied(what)
    return function() error("채점 환경에서는 " .. what .. "을(를) 쓸 수 없습니다", 2) end
  end
  local function inside(path)
    if type(path) ~= "string" then return false end
    for part in path:gmatch("[^/]+") do if part == ".." then return false end end
    if path:sub(1, 1) ~= "/" then return true end
    return path:sub(1, #dir + 1) == dir .. "/"
  end
  local function guard(what, path)
    if not inside(path) then
      error(format("채점 환경에서는 작업 폴더 밖에 쓸 수 없습니다 (%s %s)", what, tostring(path)), 3)
    end
  end
  os.execute = denied("os.execute")
  io.popen = denied("io.popen")
  package.loadlib = denied("package.loadlib")
  package.cpath = ""
  local open, output = io.open, io.output
  function io.open(path, mode, ...)
    if type(mode) == "string" and mode:find("[wa+]") then guard("io.open", path) end
    return open(path, mode, ...)
  end
  function io.output(f, ...)
    if type(f) == "string" then guard("io.output", f) end
    return output(f, ...)
  end
  local remove, rename = os.remove, os.rename
  function os.remove(p) guard("os.remove", p); return remove(p) end
  function os.rename(a, b) guard("os.rename", a); guard("os.rename", b); return rename(a, b) end
  local n = 0
  function os.tmpname() n = n + 1; return format("%s/tmp%d", dir, n) end
  local load_, loadfile_ = load, loadfile
  function load(chunk, name, mode, env) return load_(chunk, name, "t", env) end
  function loadfile(path, mode, env) return loadfile_(path, "t", env) end
  function dofile(path)
    local f = assert(loadfile_(path, "t"))
    return f()
  end
  -- the modules that start processes (proc, this one, the book builder,
  -- whose C half runs labs) are the grader's, not the submission's
  for _, name in ipairs {"proc", "check", "book", "book.core"} do
    package.loaded[name] = nil
    package.preload[name] = function()
      error("채점 환경에서는 " .. name .. " 모듈을 쓸 수 없습니다", 3)
    end
  end
  for _, k in ipairs {"getupvalue", "setupvalue", "upvaluejoin", "upvalueid", "getregistry",
                      "getlocal", "setlocal", "sethook", "setmetatable", "getuservalue",
                      "setuservalue", "setcstacklimit"} do
    debug[k] = nil
  end
end

-- workbook check --child CHECKFILE STUDENT DISPLAY RESULTFILE MEMORY_MB [SANDBOXDIR]
-- DISPLAY: the student file's name as given on the command line, for
-- error messages (STUDENT is absolute)
local function child(checkfile, student, display, resultfile, memory_mb, sandbox)
  local res = assert(io.open(resultfile, "w"))
  res:setvbuf("line")
  local write, flush = res.write, res.flush   -- the methods as they are now
  local function emit(...)
    local t = {...}
    for i = 1, select("#", ...) do t[i] = esc(t[i] == nil and "" or t[i]) end
    write(res, concat(t, "\t"), "\n")
    flush(res)
  end
  local spec, err = M.load_spec(checkfile)
  if not spec then emit("error", err); return 3 end
  if sandbox then
    -- the result file is open already: the confined process cannot open
    -- it again, nor anything else outside the sandbox, for writing
    if proc.landlock_abi() > 0 then proc.confine(sandbox) end
    install_sandbox(sandbox)
  end
  local mb = tonumber(memory_mb) or spec.memory_mb
  -- the student's file: its own globals table over the usual ones (with
  -- copies of the standard library tables, so its assignments there stay
  -- its own); arg[0] is its path, so out() names its folder
  arg = {[0] = student}
  local env = setmetatable({}, {__index = _G})
  -- modules beside the student's file can be required, as with `run`
  local dir = student:match("^(.*)/[^/]*$") or "."
  package.path = dir .. "/?.lua;" .. package.path
  for _, lib in ipairs {"math", "string", "table", "os", "io", "coroutine", "utf8"} do
    local copy = {}
    for k, v in pairs(_G[lib]) do copy[k] = v end
    env[lib] = copy
  end
  env._G = env
  local chunk, lerr
  local sf = io.open(student, "rb")
  if sf then
    local src = sf:read("a") or ""
    sf:close()
    chunk, lerr = load(src, "@" .. display, "t", env)
  else
    lerr = display .. ": cannot read"
  end
  -- the checks get their own copy of the helpers, made before the
  -- student's code runs: require("check").helpers.equal = ... in a
  -- submission changes nothing
  local helpers = {}
  for k, v in pairs(H) do helpers[k] = v end
  local student_ok, student_err = true, nil
  emit("start", 0)
  run_started = os.time()
  if not chunk then
    student_ok, student_err = false, lerr
  else
    env.os.exit = function(code)
      error(format("os.exit(%s)이 호출되었습니다: 검사할 수 있도록 파일 끝까지 실행되어야 합니다",
                   tostring(code)), 2)
    end
    local ok, e = xpcall_(chunk, relocate)
    student_ok, student_err = ok, e
  end
  if student_ok then
    emit("ran", "ok")
  else
    emit("ran", "fail", memory_message(student_err, mb) or tostring(student_err))
    chunk = nil
    collectgarbage()
  end
  for i, ch in ipairs(spec.checks) do
    if not student_ok then
      emit("check", i, "fail", "파일이 오류로 끝까지 실행되지 않아 검사하지 못했습니다")
    else
      emit("start", i)
      local ok, e = xpcall_(ch.run, function(m)
        if getmetatable(m) == Failure then return m end
        return relocate(m)
      end, env, helpers)
      if ok then
        emit("check", i, "pass", "")
      elseif getmetatable(e) == Failure then
        emit("check", i, "fail", e.message)
      else
        collectgarbage()
        emit("check", i, "fail", memory_message(e, mb) or ("검사 중 오류: " .. tostring(e)))
      end
    end
  end
  emit("done")
  return 0
end

---------------------------------------------------------------------------
-- the parent: run a child per student file, read its results

-- Run student file `file` against check file `checkfile`. opts.sandbox:
-- run confined in a temporary folder (grade), its output discarded;
-- opts.seconds, opts.memory_mb, opts.file_mb replace the check file's limits.
-- Returns {ran_ok =, ran_message =, checks = {{name =, passed =, message =}},
-- passed =, total =}, or nil and an English message (a bad check file).
function M.run(file, checkfile, opts)
  opts = opts or {}
  local spec, err = M.load_spec(checkfile)
  if not spec then return nil, err end
  -- the command line may lower or raise the check file's limits
  spec.seconds = opts.seconds or spec.seconds
  spec.memory_mb = opts.memory_mb or spec.memory_mb
  spec.file_mb = opts.file_mb or spec.file_mb
  -- absolute: the sandboxed child runs in a folder of its own
  local display = file
  file, checkfile = proc.realpath(file), proc.realpath(checkfile)
  local tmp = proc.temp_dir("workbook-check-")
  local resultfile = tmp .. "/result"
  -- The child's worker threads are pinned (WORKBOOK_THREADS if set, else
  -- 2): a submission gets the same CPU on any machine, RLIMIT_CPU (which
  -- counts every thread) can be seconds x threads, and the address space
  -- (thread stacks, malloc arenas) does not grow with the core count.
  local threads = math.tointeger(tonumber(os.getenv("WORKBOOK_THREADS") or "")) or 2
  if threads < 1 then threads = 2 end
  local env = {WORKBOOK_CHECKING = "1", WORKBOOK_THREADS = tostring(threads),
               OPENBLAS_NUM_THREADS = tostring(threads), OMP_NUM_THREADS = tostring(threads)}
  local runopts = {
    argv = {proc.exe(), "check", "--child", checkfile, file, display, resultfile,
            tostring(spec.memory_mb)},
    seconds = spec.seconds,
    cpu_seconds = spec.seconds * threads + 1,
    -- not under AddressSanitizer: see proc.asan (bind/lproc.c)
    memory_mb = not proc.asan and spec.memory_mb or nil,
    -- no file (output log included) larger than this: a submission that
    -- prints or writes without end cannot fill the disk
    file_mb = spec.file_mb,
    env = env,
  }
  if opts.sandbox then
    local work = tmp .. "/work"
    sys.mkdir_p(work)
    runopts.argv[#runopts.argv + 1] = work
    runopts.cwd = work
    runopts.output = tmp .. "/log"
    env.WORKBOOK_OUT = work .. "/out"
    env.TMPDIR = work
    env.HOME = work
  end
  -- Ctrl-C: the child is gone already (proc.run kills it); its folder too
  local previous = sys.on_interrupt(function() proc.remove_tree(tmp) end)
  local ok, r = pcall_(proc.run, runopts)
  sys.on_interrupt(previous)
  local lines = {}
  local f = io.open(resultfile, "r")
  if f then
    for line in f:lines() do
      local fields = {}
      for field in (line .. "\t"):gmatch("([^\t]*)\t") do fields[#fields + 1] = unesc(field) end
      lines[#lines + 1] = fields
    end
    f:close()
  end
  -- (a sandboxed submission's printed output, tmp/log, goes with it: the
  -- grade sheet holds the checks' verdicts, not what the code printed)
  proc.remove_tree(tmp)
  if not ok then return nil, tostring(r) end

  local out = {checks = {}, total = #spec.checks, passed = 0, ran_ok = true,
               seconds = r.seconds}
  for i, ch in ipairs(spec.checks) do out.checks[i] = {name = ch.name, passed = false} end
  local running, done = nil, false
  for _, l in ipairs(lines) do
    local kind = l[1]
    if kind == "error" then return nil, l[2] end
    if kind == "start" then running = tonumber(l[2])
    elseif kind == "ran" then
      running = nil
      if l[2] ~= "ok" then out.ran_ok, out.ran_message = false, l[3] end
    elseif kind == "check" then
      local c = out.checks[tonumber(l[2])]
      c.passed, c.message, c.done = l[3] == "pass", l[4] ~= "" and l[4] or nil, true
      running = nil
    elseif kind == "done" then done = true
    end
  end
  if not done then
    -- the child was stopped or died: say why where it was
    local why
    if r.timed_out then
      why = format("시간 한도(%g초)를 넘어 중단했습니다", spec.seconds)
    elseif r.signal == 25 then    -- SIGXFSZ
      why = format("파일 크기 한도(%g MB)를 넘어 중단했습니다", spec.file_mb)
    elseif r.signal == 24 then    -- SIGXCPU
      why = format("CPU 시간 한도를 넘어 중단했습니다 (%g초 한도)", spec.seconds)
    elseif r.signal ~= 0 then
      why = format("비정상 종료 (시그널 %d%s)", r.signal,
                   (r.signal == 6 or r.signal == 11 or r.signal == 7)
                     and format(", 메모리 한도 %d MB 초과일 수 있습니다", spec.memory_mb) or "")
    elseif r.code == 127 and #lines == 0 then
      why = format("검사 프로세스를 시작하지 못했습니다 (메모리 한도 %d MB가 너무 작은지 보세요)",
                   spec.memory_mb)
    else
      why = format("검사 프로세스가 종료 코드 %d로 끝났습니다", r.code)
    end
    if running == 0 or running == nil then
      out.ran_ok = false
      out.ran_message = why
      why = "파일 실행이 중단되어 검사하지 못했습니다"
    end
    for i, c in ipairs(out.checks) do
      if not c.done then
        c.message = (running == nil or running == 0 or i == running) and why
                    or "앞선 검사가 중단되어 실행하지 못했습니다"
      end
    end
  end
  for _, c in ipairs(out.checks) do if c.passed then out.passed = out.passed + 1 end end
  return out
end

---------------------------------------------------------------------------
-- output

local function print_tap_result(res, label, n0)
  local n = n0
  if not res.ran_ok then
    n = n + 1
    print(format("not ok %d - %s: 실행", n, label))
    print("# " .. res.ran_message:gsub("\n", "\n# "))
  end
  for _, c in ipairs(res.checks) do
    n = n + 1
    print(format("%s %d - %s: %s", c.passed and "ok" or "not ok", n, label, c.name))
    if not c.passed and c.message then print("# " .. c.message:gsub("\n", "\n# ")) end
  end
  return n
end

local function print_result(res)
  if not res.ran_ok then print("✘ 실행: " .. res.ran_message) end
  for _, c in ipairs(res.checks) do
    if c.passed then print("✔ " .. c.name .. ": 통과")
    else print("✘ " .. c.name .. ": " .. (c.message or "실패")) end
  end
  print(format("점수: %d/%d", res.passed, res.total))
end

---------------------------------------------------------------------------
-- workbook check

local function usage_check(f)
  (f or io.stderr):write([[
usage: workbook check [--tap] [--exercise chN/exK] [--seconds N] [--memory-mb N]
                      [--file-mb N] TARGET...
  TARGET  an exercise (ch9/ex1.lua, ch9/ex1), a student's copy by path
          (its check file: --exercise's, else STEM.check.lua beside it,
          else the one its "-- exercise: chN/exK" line names),
          or a chapter (ch9: every exercise in chapters/ch9/exercises/)
  --tap   print TAP (one test per check) instead of the Korean report
  --seconds N, --memory-mb N, --file-mb N   replace the check file's
          limits: wall-clock time, address space, largest file written
          (defaults when it has none: 60 seconds, 2048 MB, 256 MB)
Exit status: 0 when every check passes, 1 when one fails, 2 on bad usage.
]])
end

-- TARGET -> list of {file =, checkfile =} or nil, message
local function resolve_targets(target, exercise)
  -- a chapter: ch9 or a path to an exercises folder
  if not target:find("%.lua$") then
    local dir = target:match("^ch[%w_]+$") and home_path("chapters/" .. target .. "/exercises")
    if not dir and exists(target) == "directory" then
      dir = exists(target .. "/exercises") == "directory" and target .. "/exercises" or target
    end
    if dir then
      local list = {}
      for _, f in ipairs(M.chapter_exercises(dir)) do
        local cf, err = M.check_file_for(f, nil)
        if not cf then return nil, err end
        list[#list + 1] = {file = f, checkfile = cf}
      end
      if #list == 0 then return nil, target .. ": no exercises in " .. dir end
      return list
    end
    local ex = M.exercise_path(target)
    if ex then target = ex
    else return nil, target .. ": no such exercise, chapter or file" end
  end
  local file = target
  if exists(file) ~= "file" then
    -- as `workbook run` finds labs: under chapters/ (ch9/exercises/ex1.lua),
    -- else the exercise's short name (ch9/ex1.lua)
    local under = home_path("chapters/" .. target)
    file = under and exists(under) == "file" and under or M.exercise_path(target)
    if not file then
      return nil, target .. ": no such file (nor chapters/" ..
                  target:gsub("/", "/exercises/", 1) .. ")"
    end
  end
  local cf, err = M.check_file_for(file, exercise)
  if not cf then return nil, err end
  return {{file = file, checkfile = cf}}
end

local LIMIT_FLAGS = {["--seconds"] = "seconds", ["--memory-mb"] = "memory_mb",
                     ["--file-mb"] = "file_mb"}

-- --seconds N / --memory-mb N / --file-mb N: a positive number, or nil
-- and a message
local function limit_arg(args, i)
  local v = tonumber(args[i + 1] or "")
  if not v or v <= 0 then
    return nil, "workbook: " .. args[i] .. " needs a positive number, got " .. tostring(args[i + 1])
  end
  return v
end

local function cmd_check(args)
  local tap, exercise, targets = false, nil, {}
  local limits = {}
  local i = 1
  while i <= #args do
    local a = args[i]
    if LIMIT_FLAGS[a] then
      local v, err = limit_arg(args, i)
      if not v then io.stderr:write(err, "\n"); return 2 end
      limits[LIMIT_FLAGS[a]] = v
      i = i + 1
    elseif a == "--tap" then tap = true
    elseif a == "--exercise" then i = i + 1; exercise = args[i]
      if not exercise then usage_check(); return 2 end
    elseif a == "--help" or a == "-h" then usage_check(io.stdout); return 0
    elseif a:sub(1, 2) == "--" then
      local near = options.nearest(a:sub(3), {"tap", "exercise", "seconds", "memory-mb", "file-mb", "help"})
      io.stderr:write("workbook: check: unknown option '" .. a .. "'" ..
                      (near and (" (did you mean '--" .. near .. "'?)") or "") .. "\n")
      return 2
    else targets[#targets + 1] = a end
    i = i + 1
  end
  if #targets == 0 then usage_check(); return 2 end
  local runs = {}
  for _, t in ipairs(targets) do
    local list, err = resolve_targets(t, exercise)
    if not list then io.stderr:write(err, "\n"); return 2 end
    for _, r in ipairs(list) do runs[#runs + 1] = r end
  end
  -- every check file is sound before anything runs
  for _, r in ipairs(runs) do
    local spec, err = M.load_spec(r.checkfile)
    if not spec then io.stderr:write(err, "\n"); return 2 end
  end
  local n, all_passed, passed, total = 0, true, 0, 0
  for _, r in ipairs(runs) do
    local label = r.file:gsub("^.*chapters/", "")
    if not tap then print("== " .. label) end
    io.stdout:flush()
    sys.doing("check: " .. label)        -- for the Ctrl-C message
    local res, err = M.run(r.file, r.checkfile, limits)
    sys.doing(nil)
    if not res then io.stderr:write(err, "\n"); return 2 end
    if tap then n = print_tap_result(res, label, n) else print_result(res) end
    all_passed = all_passed and res.ran_ok and res.passed == res.total
    passed, total = passed + res.passed, total + res.total
  end
  if tap then print("1.." .. n)
  elseif #runs > 1 then print(format("전체 점수: %d/%d", passed, total)) end
  return all_passed and 0 or 1
end

---------------------------------------------------------------------------
-- workbook grade

local function usage_grade(f)
  (f or io.stderr):write([[
usage: workbook grade DIR --exercise chN/exK [--csv FILE] [--seconds N]
                      [--memory-mb N] [--file-mb N]
  DIR         a class folder: one entry per student, a .lua file (the
              student is its name without .lua) or a folder holding exK.lua
              (or a single .lua file); anything else scores zero
  --exercise  the exercise whose checks to run
  --csv FILE  where the results go (default: grade-chN-exK.csv here);
              written atomically: student,check,passed,message,score
Every submission runs in its own process under the check file's limits,
sandboxed (writes only in a temporary folder, no os.execute/io.popen, no
network). Exit status: 0 when the run completed, 2 on bad usage.
]])
end

local function csv_field(s)
  s = tostring(s)
  if s:find('[,"\n\r]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

-- the Lua file of one class-folder entry, or nil and the reason (Korean:
-- it goes into the grade sheet)
local function submission_file(dir, entry, exname)
  local path = dir .. "/" .. entry
  local kind = exists(path)
  if kind == "directory" then
    if exists(path .. "/" .. exname .. ".lua") == "file" then return path .. "/" .. exname .. ".lua" end
    local luas = {}
    for _, n in ipairs(proc.list_dir(path)) do
      if n:match("%.lua$") then luas[#luas + 1] = n end
    end
    if #luas == 1 then return path .. "/" .. luas[1] end
    if #luas == 0 then return nil, "제출 폴더에 Lua 파일이 없습니다" end
    return nil, format("제출 폴더에 Lua 파일이 여러 개이고 %s.lua가 없습니다", exname)
  end
  if not entry:match("%.lua$") then return nil, "Lua 파일이 아닙니다 (" .. entry .. ")" end
  return path
end

local function cmd_grade(args)
  local dir, exercise, csv
  local limits = {sandbox = true}
  local i = 1
  while i <= #args do
    local a = args[i]
    if LIMIT_FLAGS[a] then
      local v, err = limit_arg(args, i)
      if not v then io.stderr:write(err, "\n"); return 2 end
      limits[LIMIT_FLAGS[a]] = v
      i = i + 1
    elseif a == "--exercise" then i = i + 1; exercise = args[i]
    elseif a == "--csv" then i = i + 1; csv = args[i]
    elseif a == "--help" or a == "-h" then usage_grade(io.stdout); return 0
    elseif a:sub(1, 2) == "--" then
      local near = options.nearest(a:sub(3), {"exercise", "csv", "seconds", "memory-mb", "file-mb", "help"})
      io.stderr:write("workbook: grade: unknown option '" .. a .. "'" ..
                      (near and (" (did you mean '--" .. near .. "'?)") or "") .. "\n")
      return 2
    elseif dir then io.stderr:write("workbook: grade: one class folder only (got ", dir, " and ", a, ")\n"); return 2
    else dir = a end
    i = i + 1
  end
  if not dir or not exercise then usage_grade(); return 2 end
  if exists(dir) ~= "directory" then
    io.stderr:write(dir, ": not a folder\n"); return 2
  end
  local checkfile, err = M.check_file_for("", exercise)
  if not checkfile or exists(checkfile) ~= "file" then
    io.stderr:write(err or (checkfile .. ": no check file"), "\n"); return 2
  end
  local spec, serr = M.load_spec(checkfile)
  if not spec then io.stderr:write(serr, "\n"); return 2 end
  spec.seconds = limits.seconds or spec.seconds
  spec.memory_mb = limits.memory_mb or spec.memory_mb
  spec.file_mb = limits.file_mb or spec.file_mb
  local exname = exercise:gsub("%.lua$", ""):match("([^/]+)$")
  csv = csv or ("grade-" .. exercise:gsub("%.lua$", ""):gsub("/", "-") .. ".csv")
  local sandboxed = proc.landlock_abi() > 0
  print(format("채점: %s, 검사 %d개, 한도 %g초 / %d MB, 격리: %s", exercise, #spec.checks,
               spec.seconds, spec.memory_mb,
               sandboxed and ("Landlock ABI " .. proc.landlock_abi() .. " + Lua")
                         or "Lua만 (커널에 Landlock 없음)"))
  local rows, summary = {}, {}
  for _, entry in ipairs(proc.list_dir(dir)) do
    if entry:sub(1, 1) ~= "." then
      local student = entry:gsub("%.lua$", "")
      local file, why = submission_file(dir, entry, exname)
      local res, rerr
      sys.doing("grade: " .. entry)
      if file then res, rerr = M.run(file, checkfile, limits) end
      sys.doing(nil)
      if file and not res then io.stderr:write(rerr, "\n"); return 2 end
      local score = res and res.ran_ok and res.passed or 0
      local reason = not file and why or (not res.ran_ok and res.ran_message) or nil
      for k, ch in ipairs(spec.checks) do
        local c = res and res.checks[k]
        local passed = c and c.passed and res.ran_ok
        rows[#rows + 1] = {student, ch.name, passed and 1 or 0,
                           reason or (c and c.message) or "", score}
      end
      summary[#summary + 1] = {student, score, #spec.checks, reason}
    end
  end
  local lines = {"student,check,passed,message,score"}
  for _, r in ipairs(rows) do
    local t = {}
    for k, v in ipairs(r) do t[k] = csv_field(v) end
    lines[#lines + 1] = concat(t, ",")
  end
  sys.atomic_write(csv, function(tmp)
    local f = assert(io.open(tmp, "w"))
    f:write(concat(lines, "\n"), "\n")
    assert(f:close())
  end)
  local w = 7
  for _, s in ipairs(summary) do if utf8.len(s[1]) and utf8.len(s[1]) > w then w = utf8.len(s[1]) end end
  print(format("%-" .. w .. "s  %s", "student", "score"))
  for _, s in ipairs(summary) do
    local pad = w - (utf8.len(s[1]) or #s[1])
    print(format("%s%s  %d/%d%s", s[1], (" "):rep(pad), s[2], s[3], s[4] and ("  " .. s[4]) or ""))
  end
  print(format("%d명 채점, 결과: %s", #summary, csv))
  return 0
end

---------------------------------------------------------------------------

function M.main(command, ...)
  local args = {...}
  if command == "check" and args[1] == "--child" then
    return child(args[2], args[3], args[4], args[5], args[6], args[7])
  end
  if command == "grade" then return cmd_grade(args) end
  return cmd_check(args)
end

return M
