-- cli.lua - the workbook command line, run as a user would: script
-- errors, arguments, path resolution, --help, version and the REPL.
local t = require "tap"
local bin = os.getenv("WORKBOOK") or "./workbook"

local tmp = os.tmpname()
local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

-- run a shell command; returns its stdout+stderr and exit code
local function run(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"rc=$?\"")
  local s = p:read("a")
  p:close()
  local rc = tonumber(s:match("rc=(%d+)\n?$"))
  return s:gsub("rc=%d+\n?$", ""), rc
end

-- a script error: file:line: message, a traceback, exit status 1
local script = tmp .. "_lab.lua"
write(script, "local x = 1\nlocal y = nil\nprint('before')\nlocal z = y.field\n")
local outp, rc = run(bin .. " run " .. script)
t.is(rc, 1, "script error exits 1")
t.ok(outp:find("before\n", 1, true), "output before the error is printed")
t.ok(outp:find("_lab.lua:4: attempt to index a nil value") ~= nil, "error names script:line")
t.ok(outp:find("stack traceback:", 1, true), "a traceback follows")

-- an error raised inside a C function names the script line too
write(script, "local T = require 'tensor'\n\nlocal a = T.zeros(2, 3) + T.zeros(4)\n")
outp, rc = run(bin .. " run " .. script)
t.ok(rc == 1 and outp:find("_lab.lua:3: tensor %+: shapes %(2, 3%) and %(4,%) do not broadcast") ~= nil,
     "C errors carry the script line")

-- a syntax error
write(script, "local = 3\n")
outp, rc = run(bin .. " run " .. script)
t.ok(rc == 1 and outp:find("_lab.lua:1:") ~= nil, "syntax error names the line")

-- arguments arrive in arg and ...
write(script, "print(arg[0] ~= nil, arg[1], arg[2], select('#', ...), ...)\n")
outp, rc = run(bin .. " run " .. script .. " alpha 'b c'")
t.is(rc, 0, "script exits 0")
t.is(outp, "true\talpha\tb c\t2\talpha\tb c\n", "arg table and varargs")

-- os.exit status passes through
write(script, "os.exit(3)\n")
outp, rc = run(bin .. " run " .. script)
t.is(rc, 3, "os.exit(3) gives status 3")

-- a script may require a module beside it
local dir = tmp .. "_dir"
os.execute("mkdir -p " .. dir)
write(dir .. "/helper.lua", "return {answer = 42}\n")
write(dir .. "/main.lua", "print(require('helper').answer)\n")
outp = run("cd / && " .. (bin:sub(1, 1) == "/" and bin or os.getenv("PWD") .. "/" .. bin) .. " run " .. dir .. "/main.lua")
t.is(outp, "42\n", "require finds modules beside the script, from any folder")

-- missing script
outp, rc = run(bin .. " run no/such/lab.lua")
t.ok(rc == 1 and outp:find("cannot open no/such/lab.lua") ~= nil, "missing script is a clear error")
outp, rc = run(bin .. " run")
t.ok(rc == 2 and outp:find("missing script path") ~= nil, "run without a path")

-- resolution under chapters/: a chapters folder in the current directory
os.execute("mkdir -p " .. dir .. "/chapters/chx")
write(dir .. "/chapters/chx/labz.lua", "print('labz ran')\n")
outp, rc = run("cd " .. dir .. " && " .. os.getenv("PWD") .. "/" .. bin .. " run chx/labz.lua")
t.ok(rc == 0 and outp == "labz ran\n", "chx/labz.lua resolves under chapters/")

-- help, version, unknown command
outp, rc = run(bin .. " --help")
t.ok(rc == 0 and outp:find("usage: workbook") and outp:find("repl"), "--help")
outp, rc = run(bin .. " version")
t.ok(rc == 0 and outp:find("^workbook %d+%.%d+%.%d+ %(Lua 5%.4"), "version")
outp, rc = run(bin .. " frobnicate")
t.ok(rc == 2 and outp:find("unknown command 'frobnicate'\n"), "unknown command")
outp, rc = run(bin .. " rnu x.lua")
t.ok(rc == 2 and outp:find("unknown command 'rnu' (did you mean 'run'?)", 1, true), "a misspelt command names the nearest")
outp, rc = run(bin .. " book --jobz 2")
t.ok(rc ~= 0 and outp:find("book: unknown option '--jobz' (did you mean '--jobs'?", 1, true),
     "a misspelt book flag names the nearest")

-- the REPL prints expression values, keeps state, survives errors
write(script, "1 + 2\nx = tensor.ones(2, 2)\nx:sum()\nerror('boom')\nfor i = 1, 2 do\nprint(i)\nend\nx\n")
outp, rc = run(bin .. " repl < " .. script)
t.is(rc, 0, "repl exits 0 at end of input")
t.ok(outp:find("^3\n4.0\n"), "repl prints values and keeps globals")
t.ok(outp:find("boom", 1, true), "repl reports an error and goes on")
t.ok(outp:find("1\n2\n", 1, true), "repl reads multi-line statements")
t.ok(outp:find("tensor(shape=(2, 2))", 1, true), "repl prints tensors readably")

-- every module is loaded; a top-level local outlives its line (inside a
-- block it stays local); tables, models, layers and histories print
-- readably; out() writes under out/repl/
write(script, table.concat({
  "local a, b = 2, 3",
  "a * b",
  "local function sq(v) local inner = v * v return inner end",
  "sq(4), inner",
  "local c",
  "c",
  "local k <const> = 7",
  "k",
  "do local hidden = 1 end",
  "hidden",
  "{1, 'two', {x = 3}}",
  "type(nn), type(ml), type(data), type(plot), type(frame), type(linalg), type(T)",
  "T.seed(0)",
  "local m = nn.Sequential{nn.Dense(2, {input_shape = {3}})}",
  "m",
  "m.layers[1]",
  "m:compile{optimizer = 'sgd', loss = 'mse'}",
  "local h = m:fit(T.randn(8, 3), T.randn(8, 2), {epochs = 2, verbose = 0})",
  "h",
  "ml.KNeighborsClassifier{n_neighbors = 3}",
  "out 'x.png'",
}, "\n") .. "\n")
outp, rc = run("cd " .. dir .. " && " .. os.getenv("PWD") .. "/" .. bin .. " repl < " .. script)
t.is(rc, 0, "repl: exits 0")
t.ok(outp:find("^6\n"), "repl: `local a, b = 2, 3` kept for the next line")
t.ok(outp:find("\n16\tnil\n", 1, true), "repl: a local function kept, its inner local stays local")
t.ok(outp:find("\nnil\n7\nnil\n", 1, true), "repl: `local c` is nil, `local k <const>` kept, a block's local is not")
t.ok(outp:find('{1, "two", {x = 3}}', 1, true), "repl: a table prints as a literal")
t.ok(outp:find("table\ttable\ttable\ttable\ttable\ttable\ttable", 1, true),
     "repl: nn, ml, data, plot, frame, linalg and T are loaded")
t.ok(outp:find("<Sequential 'sequential': 1 layer, 8 parameters; model:summary() shows the table>", 1, true),
     "repl: a model prints as one line")
t.ok(outp:find("<Dense layer 'dense': 8 parameters>", 1, true), "repl: a layer prints as one line")
t.ok(outp:find("<History: 2 epochs; loss [%d.]+ %-> [%d.]+>"), "repl: fit's history prints its epochs and losses")
t.ok(outp:find("KNeighborsClassifier(n_neighbors=3)", 1, true), "repl: an estimator prints as scikit-learn's")
t.ok(outp:find("\nout/repl/x.png\n", 1, true), "repl: out() is under out/repl/")

-- run finds ch9/lab1 without .lua; list prints the labs; --help names
-- every environment variable the runtime reads
os.execute("mkdir -p " .. dir .. "/chapters/chx")
write(dir .. "/chapters/chx/index.md", "# X장 시험용 장\n")
write(dir .. "/chapters/chx/lab1.lua", "-- LAB X-1 첫 실습\nprint('lab1 ran')\n")
write(dir .. "/chapters/chx/lab10.lua", "-- LAB X-10 열 번째\n")
write(dir .. "/chapters/chx/lab2.lua", "-- LAB X-2 둘째\n")
write(dir .. "/chapters/chx/helper.lua", "return {}\n")
os.execute("mkdir -p " .. dir .. "/chapters/ch7")
write(dir .. "/chapters/ch7/index.md", "# 7장 신경망\n")
write(dir .. "/chapters/ch7/project_a.lua", "-- project_a.lua - 미니 프로젝트\n")
outp, rc = run("cd " .. dir .. " && " .. os.getenv("PWD") .. "/" .. bin .. " run chx/lab1")
t.ok(rc == 0 and outp == "lab1 ran\n", "run chx/lab1 finds chx/lab1.lua")
outp, rc = run("cd " .. dir .. " && " .. os.getenv("PWD") .. "/" .. bin .. " run chx/nolab")
t.ok(rc == 1 and outp:find("cannot open chx/nolab (No such file or directory", 1, true),
     "run: a missing lab without .lua is still 'No such file'")
outp, rc = run("cd " .. dir .. " && " .. os.getenv("PWD") .. "/" .. bin .. " list")
t.is(rc, 0, "list exits 0")
t.ok(outp:find("7장 신경망\n  ch7/project_a.lua +미니 프로젝트\n") ~= nil, "list: chapter title, then its scripts with their first comment line")
t.ok(outp:find("X장 시험용 장\n  chx/lab1.lua +LAB X%-1 첫 실습\n  chx/lab2.lua +LAB X%-2 둘째\n  chx/lab10.lua ") ~= nil,
     "list: labs in number order (lab2 before lab10)")
t.ok(not outp:find("helper.lua", 1, true), "list: modules beside the labs are left out")
outp, rc = run("cd " .. dir .. " && " .. os.getenv("PWD") .. "/" .. bin .. " list ch7")
t.ok(rc == 0 and not outp:find("chx", 1, true) and outp:find("ch7/project_a.lua", 1, true), "list ch7: one chapter")
outp, rc = run("cd " .. dir .. " && " .. os.getenv("PWD") .. "/" .. bin .. " list ch99")
t.ok(rc == 1 and outp:find("list: no chapter 'ch99' (chapters: ch7, chx)", 1, true),
     "list ch99: an error naming the chapter and the ones there are")
outp, rc = run(bin .. " --help")
for _, v in ipairs {"WORKBOOK_OUT", "WORKBOOK_DATA", "WORKBOOK_QUICK", "WORKBOOK_THREADS",
                    "WORKBOOK_HOME", "WORKBOOK_HISTORY", "WORKBOOK_NO_DNNL", "WORKBOOK_KATEX_DIR",
                    "WORKBOOK_HLJS_DIR", "WORKBOOK_CELLS", "WORKBOOK_READS"} do
  t.ok(outp:find(v, 1, true), "--help names " .. v)
end
t.ok(outp:find("  list ", 1, true), "--help lists the list command")

-- the out() helper puts files under WORKBOOK_OUT/<dir>/<lab>/
write(dir .. "/chapters/chx/labo.lua", "local p = out('a.txt'); local f = io.open(p, 'w'); f:write('x'); f:close(); print(p)\n")
outp, rc = run("cd " .. dir .. " && WORKBOOK_OUT=" .. dir .. "/o " .. os.getenv("PWD") .. "/" .. bin .. " run chx/labo.lua")
t.is(outp, dir .. "/o/chx/labo/a.txt\n", "out() path under WORKBOOK_OUT")
local f = io.open(dir .. "/o/chx/labo/a.txt")
t.ok(f ~= nil, "out() created the folders")
if f then f:close() end
write(script, "out('../escape.txt')\n")
outp, rc = run(bin .. " run " .. script)
t.ok(rc == 1 and outp:find("_lab.lua:1: out: expected a relative file name") ~= nil, "out() rejects ..")

os.execute("rm -rf " .. dir .. " " .. script .. " " .. tmp)
t.done()
