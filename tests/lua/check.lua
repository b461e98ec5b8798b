-- check.lua - `workbook check`: every exercise's solution passes its
-- checks, the untouched exercise fails one, a wrong answer fails with the
-- intended hint; limits (time, memory), the student's line in errors,
-- --tap, a chapter at once, and the tool's own errors.
local t = require "tap"
local bin = os.getenv("WORKBOOK") or "./workbook"

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. tmp)
local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end
local function run(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"rc=$?\"")
  local s = p:read("a")
  p:close()
  local rc = tonumber(s:match("rc=(%d+)\n?$"))
  return s:gsub("rc=%d+\n?$", ""), rc
end
local function has(s, text) return s:find(text, 1, true) ~= nil end
-- figures go to the test's own folder, not the repository's out/
local function check(args) return run("WORKBOOK_OUT=" .. tmp .. "/out " .. bin .. " check " .. args) end
local EX = "chapters/ch9/exercises/"

-- every exercise: the solution passes, the untouched file does not
for _, ex in ipairs {"ex1", "ex2", "ex3"} do
  local out, rc = check(EX .. ex .. ".solution.lua")
  local n = select(2, out:gsub("✔", ""))
  t.ok(rc == 0 and out:find("점수: (%d+)/%1") ~= nil and n >= 3,
       ex .. ": the solution passes every check")
  if rc ~= 0 then t.diag(out) end
  out, rc = check("ch9/" .. ex .. ".lua")
  t.ok(rc == 1 and has(out, "✘") and out:find("점수: 0/%d") ~= nil,
       ex .. ": the untouched exercise fails (score 0)")
end

-- a path under chapters/, as `workbook run` takes labs
do
  local out, rc = check("ch9/exercises/ex1.solution.lua")
  t.ok(rc == 0 and has(out, "점수: 4/4"), "check ch9/exercises/ex1.solution.lua finds the file under chapters/")
end

-- ex1, wrong answers: a horizontal-edge kernel; a kernel whose weights
-- do not sum to zero; a 2x2 kernel
local ex1_head = "local image, tensor, data = require 'image', require 'tensor', require 'data'\n"
write(tmp .. "/ex1.lua", ex1_head .. "kernel = tensor{{-1, -1, -1}, {0, 0, 0}, {1, 1, 1}}\n")
local out, rc = check("--exercise ch9/ex1 " .. tmp .. "/ex1.lua")
t.ok(rc == 1 and has(out, "✔ 커널 모양: 통과")
     and has(out, "✘ 세로 경계에 반응: 기대 0.5 이상, 실제 0")
     and has(out, "왼쪽 열과 오른쪽 열에 부호가 다른 가중치")
     and has(out, "가로 경계(위아래 밝기 차이)에서는 응답이 0이어야"),
     "ex1: a horizontal kernel fails with the vertical-edge and horizontal-edge hints")
t.ok(has(out, "✘ 결과 그림 저장: 기대: 파일 ") and has(out, "점수: 1/4"),
     "ex1: no figure written is a failure naming the file; score 1/4")
-- a figure left over from an earlier run does not count
write(tmp .. "/ex1.lua", ex1_head .. "kernel = tensor{{-1, 0, 1}, {-1, 0, 1}, {-1, 0, 1}}\n" ..
      "image.save(tensor.zeros(4, 4), out 'edges.png')\n")
out, rc = run("WORKBOOK_OUT=" .. tmp .. "/out " .. bin .. " check --exercise ch9/ex1 " .. tmp .. "/ex1.lua")
t.ok(rc == 0 and has(out, "점수: 4/4"), "ex1: a right kernel and a figure: 4/4")
os.execute("touch -d '2020-01-01' " .. tmp .. "/out/*/ex1/edges.png")
write(tmp .. "/ex1.lua", ex1_head .. "kernel = tensor{{-1, 0, 1}, {-1, 0, 1}, {-1, 0, 1}}\n")
out, rc = run("WORKBOOK_OUT=" .. tmp .. "/out " .. bin .. " check --exercise ch9/ex1 " .. tmp .. "/ex1.lua")
t.ok(rc == 1 and has(out, "✘ 결과 그림 저장: 기대: 이번 실행에서 쓴 파일 ") and has(out, "실제: 이전 실행에서 남은 파일"),
     "ex1: a figure left from an earlier run fails")
write(tmp .. "/ex1.lua", ex1_head .. "kernel = tensor{{0, 0, 1}, {0, 0, 1}, {0, 0, 1}}\n")
out = check("--exercise ch9/ex1 " .. tmp .. "/ex1.lua")
t.ok(has(out, "✔ 세로 경계에 반응: 통과") and has(out, "✘ 고른 곳과 가로 경계는 무시: 기대 0 (±0.0001), 실제 2.1")
     and has(out, "가중치의 합을 보세요"),
     "ex1: weights that do not sum to 0 fail on the flat image with the hint")
write(tmp .. "/ex1.lua", ex1_head .. "kernel = {{-1, 1}, {-1, 1}}\n")
out = check("--exercise ch9/ex1 " .. tmp .. "/ex1.lua")
t.ok(has(out, "✘ 커널 모양: 기대 모양 (3, 3), 실제 (2, 2)"), "ex1: a 2x2 table is shown as its shape")

-- ex2, wrong answers: the bias forgotten; never the expected count shown
write(tmp .. "/ex2.lua", [[
function conv2d_params(kh, kw, cin, f) return kh * kw * cin * f end
conv1_params = 3200
conv2_params = conv2d_params(5, 5, 16, 32) + 32
dense_params = 9 * 9 * 32 * 10
]])
out, rc = check("--exercise ch9/ex2 " .. tmp .. "/ex2.lua")
t.ok(rc == 1 and has(out, "✘ 첫 Conv2D 층: 실제 3200: 기대한 값과 다릅니다 (너무 큼) — Conv2D의 파라미터 수는 (kh·kw·입력 채널 + 1)·필터 수입니다"),
     "ex2: a wrong count says too big, with the formula")
t.ok(not has(out, "160") and not has(out, "25930"), "ex2: the expected counts are never printed")
t.ok(has(out, "✔ 둘째 Conv2D 층: 통과") and has(out, "✘ Dense 층: 실제 25920: 기대한 값과 다릅니다 (너무 작음)"),
     "ex2: each layer is checked on its own")
t.ok(has(out, "✘ conv2d_params (숨은 크기): 기대 224, 실제 216 — conv2d_params(3, 3, 3, 8)의 값이 틀립니다"),
     "ex2: the function on a hidden input shows that input, expected and seen")
t.ok(has(out, "점수: 1/4"), "ex2: score 1/4")

-- an error in the student's function points at the student's line
write(tmp .. "/ex2.lua", "conv1_params = 160\nfunction conv2d_params(kh, kw, cin, f)\n  local t = nil\n  return t.x\nend\n")
out = check("--exercise ch9/ex2 " .. tmp .. "/ex2.lua")
t.ok(has(out, "✘ conv2d_params (숨은 크기): 실행 중 오류: " .. tmp .. "/ex2.lua:4: attempt to index a nil value"),
     "an error inside the student's function names the student's line")
-- an error in the file itself: reported once, every check fails
write(tmp .. "/ex2.lua", "conv1_params = 160\n\nlocal x = #nil_value\n")
out, rc = check("--exercise ch9/ex2 " .. tmp .. "/ex2.lua")
t.ok(rc == 1 and has(out, "✘ 실행: " .. tmp .. "/ex2.lua:3: attempt to get length of a nil value")
     and has(out, "파일이 오류로 끝까지 실행되지 않아 검사하지 못했습니다") and has(out, "점수: 0/4"),
     "an error in the file names its line; the checks say they could not run")
-- an error raised inside the runtime names the student's line too
write(tmp .. "/ex2.lua", "local tensor = require 'tensor'\nconv1_params = 160\nlocal x = tensor.zeros(2, 3) + tensor.zeros(4)\n")
out = check("--exercise ch9/ex2 " .. tmp .. "/ex2.lua")
t.ok(has(out, "✘ 실행: " .. tmp .. "/ex2.lua:3: tensor +: shapes"), "a runtime error names the student's line")
-- a module beside the student's file can be required; the child's
-- threads are pinned
write(tmp .. "/helper.lua", "return {n = 160}\n")
write(tmp .. "/ex2.lua", "conv1_params = require('helper').n\nprint('threads=' .. os.getenv('WORKBOOK_THREADS'))\n")
out = run("WORKBOOK_THREADS= " .. bin .. " check --exercise ch9/ex2 " .. tmp .. "/ex2.lua")
t.ok(has(out, "✔ 첫 Conv2D 층: 통과") and has(out, "threads=2\n"),
     "require finds modules beside the file; 2 worker threads by default")
-- os.exit does not end the check
write(tmp .. "/ex2.lua", "conv1_params = 160\nos.exit(0)\n")
out, rc = check("--exercise ch9/ex2 " .. tmp .. "/ex2.lua")
t.ok(rc == 1 and has(out, "ex2.lua:2: os.exit(0)이 호출되었습니다"), "os.exit in the file is an error, not a pass")

-- ex3, wrong answers: no convolution; too many parameters
write(tmp .. "/ex3.lua", [[
local nn = require "nn"
function build_model()
  return nn.Sequential {nn.Flatten{input_shape = {28, 28, 1}}, nn.Dense(64, "relu"), nn.Dense(10, "softmax")}
end
]])
out = check("--exercise ch9/ex3 " .. tmp .. "/ex3.lua")
t.ok(has(out, "✘ 모델 만들기: 기대: 합성곱 층(nn.Conv2D)이 하나 이상, 실제: 없음")
     and has(out, "✘ 파라미터 수: 기대 20000 미만, 실제 50890"),
     "ex3: a dense-only model fails for its missing Conv2D and its size")

-- limits: a check that loops is stopped, the ones before keep their result
write(tmp .. "/ex2.lua", "conv1_params = 160\nfunction conv2d_params() while true do end end\n")
out, rc = check("--seconds 2 --exercise ch9/ex2 " .. tmp .. "/ex2.lua")
t.ok(rc == 1 and has(out, "✔ 첫 Conv2D 층: 통과")
     and has(out, "✘ conv2d_params (숨은 크기): 시간 한도(2초)를 넘어 중단했습니다"),
     "a looping check is stopped at the time limit, earlier checks kept")
write(tmp .. "/ex2.lua", "while true do end\n")
out = check("--seconds 1 --exercise ch9/ex2 " .. tmp .. "/ex2.lua")
t.ok(has(out, "✘ 실행: 시간 한도(1초)를 넘어 중단했습니다") and has(out, "점수: 0/4"),
     "a looping file is stopped at the time limit")
-- memory: RLIMIT_AS cannot be tested under AddressSanitizer (it reserves
-- terabytes of address space up front); the asan build is detected by
-- proc.asan (the build tells), and check leaves the limit out there
if require("proc").asan then
  t.ok(true, "# SKIP memory limit under AddressSanitizer (RLIMIT_AS)")
else
  write(tmp .. "/ex2.lua", "local mb = ('x'):rep(1 << 20)\nlocal t = {}\nfor i = 1, 1e9 do t[i] = mb .. i end\n")
  out = check("--memory-mb 400 --exercise ch9/ex2 " .. tmp .. "/ex2.lua")
  t.ok(has(out, "✘ 실행: 메모리 한도(400 MB)를 넘었습니다"), "a file over the memory limit is stopped with a message")
end
-- the largest file a run may write (RLIMIT_FSIZE)
write(tmp .. "/ex2.lua", "local f = io.open('" .. tmp .. "/big', 'w')\nlocal s = ('y'):rep(1 << 16)\nwhile true do f:write(s) end\n")
out = check("--file-mb 1 --exercise ch9/ex2 " .. tmp .. "/ex2.lua")
t.ok(has(out, "✘ 실행: 파일 크기 한도(1 MB)를 넘어 중단했습니다"), "a file over the size limit stops the run")
-- limits from the check file, a short one
write(tmp .. "/slow.check.lua", [[
return {limits = {seconds = 1}, checks = {
  {name = "빠름", run = function(s, c) c.ok(true) end},
  {name = "느림", run = function(s, c) while true do end end},
}}
]])
write(tmp .. "/slow.lua", "x = 1\n")
out = check(tmp .. "/slow.lua")
t.ok(has(out, "✔ 빠름: 통과") and has(out, "✘ 느림: 시간 한도(1초)를 넘어 중단했습니다") and has(out, "점수: 1/2"),
     "the check file's own limits apply; its checks are found beside the file")

-- Ctrl-C while a check runs: the child goes too, exit 130 with a message
write(tmp .. "/slow.lua", "x = 1\nwhile true do end\n")
write(tmp .. "/slow.check.lua", "return {checks = {{name = 'a', run = function(s, c) c.ok(s.x == 1) end}}}\n")
local t0 = os.time()
os.execute("mkdir -p " .. tmp .. "/tmpdir")
out, rc = run("TMPDIR=" .. tmp .. "/tmpdir timeout -s INT --preserve-status 1 " .. bin .. " check " .. tmp .. "/slow.lua")
t.ok(rc == 130 and has(out, "workbook: interrupted during check: " .. tmp .. "/slow.lua")
     and os.time() - t0 < 20, "Ctrl-C stops the check at once: exit 130, what it was doing")
local p = io.popen("pgrep -f '[c]heck --child .*" .. tmp .. "/slow.lua' | wc -l")
local left = tonumber(p:read("a"))
p:close()
t.is(left, 0, "no child process is left behind")
t.is(#require("proc").list_dir(tmp .. "/tmpdir"), 0, "nor its temporary folder")

-- --tap and a whole chapter
out, rc = check("--tap ch9")
t.ok(rc == 1 and out:find("\n1%.%.1[0-9]\n?$") ~= nil and has(out, "not ok 1 - ch9/exercises/ex1.lua: 커널 모양"),
     "check --tap ch9: TAP over every exercise of the chapter")
local plan = tonumber(out:match("\n1%.%.(%d+)"))
local count = select(2, out:gsub("\nn?o?t? ?ok %d+", "")) + (out:find("^n?o?t? ?ok") and 1 or 0)
t.is(count, plan, "the TAP plan counts every test line")
t.ok(has(out, "# 기대: build_model"), "TAP carries the hint as a diagnostic")
out, rc = check("ch9/ex2.solution.lua ch9/ex1.solution.lua")
t.ok(rc == 0 and has(out, "전체 점수: 8/8"), "several targets: a total score")

-- the tool's own errors: English, leading with the file
out, rc = check(tmp .. "/nothing.lua")
t.ok(rc == 2 and out:find("^" .. tmp:gsub("%p", "%%%0") .. "/nothing.lua: no such file") ~= nil,
     "a missing file: exit 2, the message leads with it")
write(tmp .. "/lonely.lua", "x = 1\n")
out, rc = check(tmp .. "/lonely.lua")
t.ok(rc == 2 and has(out, tmp .. "/lonely.lua: no check file beside it (" .. tmp .. "/lonely.check.lua)"),
     "a file without a check file says where it looked")
-- a copy of an exercise elsewhere: its "-- exercise:" line names the checks
os.execute("cp " .. EX .. "ex2.solution.lua " .. tmp .. "/my_copy.lua")
out, rc = check(tmp .. "/my_copy.lua")
t.ok(rc == 0 and has(out, "점수: 4/4"), "a copy elsewhere is checked through its '-- exercise: ch9/ex2' line")
out, rc = check("--exercise ch9/ex7 " .. tmp .. "/lonely.lua")
t.ok(rc == 2 and has(out, "ch9/ex7: no such exercise"), "an unknown exercise")
write(tmp .. "/bad.check.lua", "return {checks = {{name = 'a', run = function() end}}, limts = {}}\n")
write(tmp .. "/bad.lua", "x = 1\n")
out, rc = check(tmp .. "/bad.lua")
t.ok(rc == 2 and out:find("^" .. tmp:gsub("%p", "%%%0") .. "/bad.check.lua: unknown option 'limts' %(did you mean 'limits'%?%)") ~= nil,
     "a misspelt key in a check file: exit 2, the file first, did you mean")
write(tmp .. "/bad.check.lua", "return {checks = {{name = 'a', run = function() end, nmae = 1}}}\n")
out, rc = check(tmp .. "/bad.lua")
t.ok(rc == 2 and has(out, "bad.check.lua: check 1: unknown option 'nmae' (did you mean 'name'?)"),
     "a misspelt key in a check names the check")
out, rc = check("--tapp ch9")
t.ok(rc == 2 and has(out, "unknown option '--tapp' (did you mean '--tap'?)"), "a misspelt option: did you mean")
out, rc = check("")
t.is(rc, 2, "no target: usage, exit 2")
out, rc = run(bin .. " check --help 2>/dev/null")
t.ok(rc == 0 and has(out, "usage: workbook check") and has(out, "--file-mb"), "check --help: usage on stdout, exit 0")
out, rc = run(bin .. " --help")
t.ok(rc == 0 and has(out, "  check [--tap] TARGET") and has(out, "  grade DIR --exercise"),
     "the main usage lists check and grade")
out, rc = run(bin .. " chek ch9")
t.ok(rc == 2 and has(out, "unknown command 'chek' (did you mean 'check'?)"), "a misspelt command")

os.execute("rm -rf " .. tmp)
t.done()
