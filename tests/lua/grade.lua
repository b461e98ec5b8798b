-- grade.lua - `workbook grade` over a fixture class folder
-- (tests/fixtures/grade/class_ex2, exercise ch9/ex2): a correct, a wrong
-- (in a folder), a crashing, an endless-loop, a memory-hungry, two
-- file-writing (from Lua and from C), an endless printer, a non-Lua
-- file, a Python file named .lua, a folder without Lua and two cheats: the CSV, the
-- summary, the
-- sandbox (nothing written outside), the atomic write.
local t = require "tap"
local proc = require "proc"
local bin = os.getenv("WORKBOOK") or "./workbook"
local class = "tests/fixtures/grade/class_ex2"

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. tmp)
local function run(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"rc=$?\"")
  local s = p:read("a")
  p:close()
  local rc = tonumber(s:match("rc=(%d+)\n?$"))
  return s:gsub("rc=%d+\n?$", ""), rc
end
local function has(s, text) return s:find(text, 1, true) ~= nil end
local function exists(p)
  local f = io.open(p, "r")
  if f then f:close() end
  return f ~= nil
end

-- a CSV reader for the grader's output: quoted fields may hold , " and \n
local function read_csv(path)
  local f = assert(io.open(path, "r"))
  local s = f:read("a")
  f:close()
  local rows, row, i, field = {}, {}, 1, nil
  while i <= #s do
    local ch = s:sub(i, i)
    if ch == '"' then
      local j, buf = i + 1, {}
      while true do
        local q = s:find('"', j, true)
        buf[#buf + 1] = s:sub(j, q - 1)
        if s:sub(q + 1, q + 1) == '"' then buf[#buf + 1] = '"'; j = q + 2
        else i = q + 1; break end
      end
      field = table.concat(buf)
    else
      local j = s:find("[,\n]", i) or #s + 1
      field = s:sub(i, j - 1)
      i = j
    end
    row[#row + 1] = field
    local sep = s:sub(i, i)
    i = i + 1
    if sep == "\n" or sep == "" then rows[#rows + 1] = row; row = {} end
  end
  return rows
end

-- under AddressSanitizer there is no memory limit (proc.asan): erin then
-- runs into the time limit instead
local escape_txt, escape_png = tmp .. "/escape.txt", tmp .. "/escape.png"
local escape_sh = tmp .. "/escape.sh"
local csv = tmp .. "/grades.csv"
local cmd = ("GRADE_ESCAPE_SH=%s GRADE_ESCAPE=%s GRADE_ESCAPE_PNG=%s %s grade %s --exercise ch9/ex2 --seconds 3 --memory-mb 512 --file-mb 2 --csv %s")
            :format(escape_sh, escape_txt, escape_png, bin, class, csv)
local out, rc = run(cmd)
t.is(rc, 0, "grade exits 0 though submissions crash, loop and run out of memory")
t.ok(exists(csv), "the CSV is written")
local rows = read_csv(csv)
t.is(table.concat(rows[1], ","), "student,check,passed,message,score", "the CSV header")

-- per student: score, passes, and the reason every row carries
local by = {}
for k = 2, #rows do
  local r = rows[k]
  local s = by[r[1]] or {rows = 0, passed = 0, messages = {}}
  by[r[1]] = s
  s.rows, s.score = s.rows + 1, tonumber(r[5])
  s.passed = s.passed + tonumber(r[3])
  s.messages[#s.messages + 1] = r[4]
end
local students = {}
for name in pairs(by) do students[#students + 1] = name end
table.sort(students)
t.is(table.concat(students, " "), "alice bob carol dave erin frank grace.py heidi ivan judy kim leo mia",
     "one student per entry of the class folder (hidden files skipped)")
local all_four = true
for _, s in pairs(by) do all_four = all_four and s.rows == 4 end
t.ok(all_four, "four rows (one per check) for every student")

local function student(name, score, pattern, what)
  local s = by[name]
  local ok = s and s.score == score and s.passed == score
  if ok and pattern then
    for _, m in ipairs(s.messages) do ok = ok and m:find(pattern) ~= nil end
  end
  t.ok(ok, what)
  if not ok and s then t.diag(name .. ": score " .. tostring(s.score) .. ", " .. table.concat(s.messages, " | ")) end
end
student("alice", 4, nil, "correct: 4")
t.ok(by.alice and by.alice.messages[1] == "", "correct: no message")
t.is(by.bob and by.bob.score, 1, "wrong (a folder holding ex2.lua): 1")
t.ok(by.bob and by.bob.messages[1]:find("^실제 144: 기대한 값과 다릅니다 %(너무 작음%)") ~= nil,
     "wrong: the hint, without the expected value")
student("carol", 0, "class_ex2/carol%.lua:4: attempt to get length of a nil value",
        "crashing: 0, the error at the student's line")
student("dave", 0, "시간 한도%(3초%)를 넘어 중단했습니다", "endless loop: 0, stopped at the time limit")
if proc.asan then
  student("erin", 0, "한도", "memory-hungry: 0 (under ASan: no memory limit, the time limit stops it)")
else
  student("erin", 0, "메모리 한도%(512 MB%)를 넘었습니다", "memory-hungry: 0, stopped at the memory limit")
end
student("frank", 0, "frank%.lua:3: 채점 환경에서는 작업 폴더 밖에 쓸 수 없습니다 %(io%.open ",
        "writing outside from Lua: 0, refused")
t.ok(not exists(escape_txt), "frank's file was not written")
if proc.landlock_abi() > 0 then
  student("judy", 0, "judy%.lua:8: image%.save: cannot write .*Permission denied",
          "writing outside from C (image.save): 0, refused by Landlock")
  t.ok(not exists(escape_png), "judy's picture was not written")
else
  t.ok(true, "# SKIP no Landlock in this kernel: C writers are not confined")
  t.ok(true, "# SKIP no Landlock in this kernel")
end
student("kim", 0, "^파일 크기 한도%(2 MB%)를 넘어 중단했습니다$", "printing without end: 0, stopped at the file-size limit")
t.ok(by.leo and by.leo.score == 0 and by.leo.messages[1]:find("^실제 1: 기대한 값과 다릅니다") ~= nil,
     "a submission that replaces the check helpers still fails its checks")
t.ok(not exists(escape_sh), "no shell: os.execute, io.popen and the proc module are refused")
t.ok(by.mia and by.mia.score == 0 and by.mia.messages[1]:find("^실제 1: 기대한 값과 다릅니다") ~= nil,
     "a submission that patches string.gsub and file:write cannot forge its results")
student("grace.py", 0, "^Lua 파일이 아닙니다 %(grace%.py%)$", "not a Lua file: 0")
student("heidi", 0, "heidi%.lua:1: syntax error", "Python in a .lua file: 0, the syntax error")
student("ivan", 0, "^제출 폴더에 Lua 파일이 없습니다$", "a folder without Lua: 0")

-- the summary table
t.ok(out:find("alice%s+4/4") and out:find("bob%s+1/4") and out:find("dave%s+0/4%s+시간 한도")
     and has(out, "13명 채점, 결과: " .. csv), "the summary table lists every student")
t.ok(has(out, proc.landlock_abi() > 0 and "격리: Landlock ABI" or "격리: Lua만"),
     "the summary says how submissions are confined")

-- nothing left behind: no temporary CSV, no sandbox folders
local left = proc.list_dir(tmp)
t.is(table.concat(left, " "), "grades.csv", "only the CSV in its folder (atomic write)")

-- a second run replaces the CSV whole (the fast students only)
local class2 = tmp .. "/class2"
os.execute("mkdir -p " .. class2 .. " && cp " .. class .. "/alice.lua " .. class2 .. "/")
out, rc = run(("%s grade %s --exercise ch9/ex2 --csv %s"):format(bin, class2, csv))
rows = read_csv(csv)
t.ok(rc == 0 and #rows == 5 and rows[5][1] == "alice", "a second run replaces the CSV")

-- usage errors: English, exit 2
out, rc = run(bin .. " grade " .. class)
t.ok(rc == 2 and has(out, "usage: workbook grade"), "no --exercise: usage")
out, rc = run(bin .. " grade " .. tmp .. "/none --exercise ch9/ex2")
t.ok(rc == 2 and has(out, tmp .. "/none: not a folder"), "a missing class folder leads the message")
out, rc = run(bin .. " grade " .. class .. " --exercise ch9/ex9")
t.ok(rc == 2 and has(out, "ch9/ex9: no such exercise"), "an unknown exercise")
out, rc = run(bin .. " grade " .. class .. " --exercise ch9/ex2 --cvs x.csv")
t.ok(rc == 2 and has(out, "unknown option '--cvs' (did you mean '--csv'?)"), "a misspelt option")
out, rc = run(bin .. " grade " .. class .. " --exercise ch9/ex2 --seconds -1")
t.ok(rc == 2 and has(out, "--seconds needs a positive number"), "a bad limit")

os.execute("rm -rf " .. tmp)
t.done()
