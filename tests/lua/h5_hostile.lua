-- h5_hostile.lua - damaged Keras weight files (tests/fixtures/hostile/h5/,
-- made by tests/fixtures/make_hostile_h5.py): libhdf5 1.10 crashes or
-- loops on most of them when called in-process. h5.read_keras_weights
-- reads in a child process under limits, so each must be an error that
-- names the file, at the script's line, never a crash or a hang. The
-- files are read by a second workbook process (this script with an
-- argument) that this one waits for at most HANG_BOUND seconds, so a hang
-- fails the test instead of stalling the suite.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local dir = here .. "../fixtures/hostile/h5/"
local names = {"cut_7", "cut_96", "cut_half", "cut_last_byte",
               "super_version", "super_offsets", "super_eof",
               "crash_1", "crash_2", "crash_3", "crash_4", "crash_5",
               "crash_6", "crash_7", "crash_full_model", "loop_1", "loop_2"}

if arg[1] == "--read" then           -- the reader: one line per file
  local h5 = require "h5"
  for _, name in ipairs(names) do
    local ok, err = pcall(h5.read_keras_weights, dir .. name .. ".h5")
    print(name, ok and "LOADED" or (tostring(err):gsub("\n", " ")))
  end
  print("DONE")
  return
end

local t = require "tap"
local core = require "book.core"
local sys = require "sys"
local bin = os.getenv("WORKBOOK") or "./workbook"
local HANG_BOUND = 300   -- seconds: the two loops use 2 s of CPU each

local out = os.tmpname()
local pid = assert(core.spawn({bin, "run", arg[0], "--read"}, {}, nil, out))
local code, t0 = nil, sys.clock()
while sys.clock() - t0 < HANG_BOUND do
  code = core.poll(pid)
  if code then break end
  core.sleep(0.05)
end
if not code then core.kill(pid) end
t.is(code, 0, "the reader process finished by itself, not killed or crashed")
local f = assert(io.open(out))
local text = f:read("a")
f:close()
os.remove(out)
local got = {}
for name, msg in text:gmatch("([%w_]+)\t([^\n]*)") do got[name] = msg end
t.ok(text:find("DONE", 1, true), "every file was tried")

local want = {
  cut_7 = "not an HDF5 file",
  cut_96 = "truncated: the HDF5 superblock says the file ends at byte 17496, it has 96 bytes",
  cut_half = "truncated: the HDF5 superblock says the file ends at byte 17496, it has 8748 bytes",
  cut_last_byte = "truncated: the HDF5 superblock says the file ends at byte 17496, it has 17495 bytes",
  super_version = "not a valid Keras weight file (HDF5 superblock version 9 is unknown)",
  super_offsets = "not a valid Keras weight file (the HDF5 superblock is corrupt: 3-byte offsets",
  super_eof = "truncated: the HDF5 superblock says the file ends at byte 1099511627776",
  loop_1 = "not a valid Keras weight file (the HDF5 library was still reading it after",
  loop_2 = "not a valid Keras weight file (the HDF5 library was still reading it after",
}
for _, name in ipairs(names) do
  local msg = got[name] or "(no line)"
  local expect = want[name] or "not a valid Keras weight file (the HDF5 library crashed reading it"
  local prefix = "h5_hostile.lua:%d+: [^\t]*" .. name .. "%.h5: "
  local r = t.ok(msg:find(prefix) and msg:find(expect, 1, true),
                 name .. ": an error at the script's line naming the file: " .. expect)
  if not r then t.diag("got: " .. msg) end
end

-- a good file still loads after all that, in this process
local h5 = require "h5"
local good = h5.read_keras_weights(here .. "../fixtures/h5/cnn_vlen.h5")
t.is(#good, 5, "a good file loads afterwards")
t.done()
