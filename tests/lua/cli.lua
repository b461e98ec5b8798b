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
