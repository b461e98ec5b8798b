-- options.lua - the one options checker (options module, bind/lutil.c)
-- and the one error path: messages lead with this script's line.
package.path = arg[0]:match("(.*/)") .. "?.lua;" .. package.path
local t = require "tap"
local options = require "options"

local spec = {epochs = "integer", batch_size = "integer",
              validation_split = "number", callbacks = "table",
              verbose = "integer|string", shuffle = "boolean",
              loss = "string|function", data = "tensor", any = "any"}

-- unknown keys: the function, the key and the nearest valid key
t.raises(function() options.check("fit", {epoch = 3}, spec) end,
         "^[^\n]*fit: unknown option 'epoch' %(did you mean 'epochs'%?%)$",
         "unknown key: function, key and nearest valid key")
t.raises(function() options.check("fit", {batchsize = 3}, spec) end,
         "did you mean 'batch_size'")
t.raises(function() options.check("fit", {validaton_split = 0.1}, spec) end,
         "did you mean 'validation_split'")
-- nothing near: the valid names, sorted
t.raises(function() options.check("fit", {zzz = 1}, {b = "any", a = "any"}) end,
         "fit: unknown option 'zzz' %(valid options: a, b%)$")
-- list specs take any value
t.is(options.check("f", {a = {}, b = print}, {"a", "b"}).b, print, "list spec: any value")
t.raises(function() options.check("f", {c = 1}, {"a", "b"}) end, "unknown option 'c'")

-- types
t.raises(function() options.check("fit", {epochs = "3"}, spec) end,
         "fit: option 'epochs' must be an integer, got string")
t.raises(function() options.check("fit", {epochs = 2.5}, spec) end,
         "option 'epochs' must be an integer, got number")
t.ok(options.check("fit", {epochs = 3.0}, spec), "an integral float is an integer")
t.raises(function() options.check("fit", {shuffle = 1}, spec) end,
         "option 'shuffle' must be true or false, got number")
t.raises(function() options.check("fit", {loss = 1}, spec) end,
         "option 'loss' must be a string or a function, got number")
t.raises(function() options.check("fit", {data = {}}, spec) end,
         "option 'data' must be a tensor, got table")
t.ok(options.check("fit", {any = false, verbose = "auto", loss = print}, spec),
     "any / alternatives accepted")

-- the table itself
t.raises(function() options.check("fit", 5, spec) end,
         "fit: options must be a table, got number")
t.raises(function() options.check("fit", {1, 2}, spec) end,
         "fit: options are name = value pairs; got the key 1")
t.ok(options.check("fit", {1, 2, epochs = 1}, spec, true), "array mode lets a list through")
local fresh = options.check("fit", nil, spec)
t.ok(type(fresh) == "table" and next(fresh) == nil, "nil options give a fresh table")
local opts = {epochs = 1}
t.is(options.check("fit", opts, spec), opts, "checked options come back as they are")
t.raises(function() options.check("f", {}, {a = "numbr"}) end, "unknown type 'numbr'")

t.is(options.nearest("optimiser", {"optimizer", "loss", "metrics"}), "optimizer", "nearest")
t.is(options.nearest("colour", {"optimizer", "loss"}), nil, "nothing near")

-- relocation: a message positioned in the runtime gets the script's line
local msg = select(2, pcall(error, "runtime/lua/nn.lua:816: labels must be ids", 0))
t.ok(msg:find("^[^\n]*options%.lua:%d+: labels must be ids$") ~= nil,
     "pcall relocates a runtime position to the script's line")
local seen
xpcall(error, function(m) seen = m end, "runtime/lua/x.lua:1: boom", 0)
t.ok(seen and seen:find("options%.lua:%d+: boom$") ~= nil, "xpcall's handler sees the script's line")
t.is(select(2, pcall(error, "mine.lua:3: kept", 0)), "mine.lua:3: kept",
     "a message already positioned elsewhere is kept")
local obj = {}
t.is(select(2, pcall(error, obj)), obj, "a non-string error object passes through")
-- an error without a position gets the script's line
t.ok(select(2, pcall(error, "bare", 0)):find("options%.lua:%d+: bare$") ~= nil,
     "an unpositioned message gets the script's line")
-- a runtime Lua function failing deep inside reports this line
local plot = require "plot"
t.raises(function() plot.lines({{1, 2}}, "/nonexistent-dir/x.png", {colour = 1}) end,
         "unknown option")
t.ok(options.where():find("^[^\n]*options%.lua:%d+: $") ~= nil, "options.where names this line")

-- the host's handler: an uncaught error's first line names the script
local bin = os.getenv("WORKBOOK") or "./workbook"
local dir = os.tmpname(); os.remove(dir); os.execute("mkdir -p " .. dir)
local script = dir .. "/oops.lua"
local f = assert(io.open(script, "w"))
f:write("local x = 1\nerror('runtime/lua/nn.lua:91: init: fans must be positive', 0)\n")
f:close()
local p = io.popen(bin .. " run " .. script .. " 2>&1; echo \"exit=$?\"")
local text = p:read("a"); p:close()
local first = text:match("^[^\n]*")
t.ok(first:find("oops%.lua:2: init: fans must be positive$") ~= nil and not first:find("runtime/"),
     "uncaught: the first line leads with the script's line")
t.ok(text:find("exit=1") ~= nil, "uncaught: exit status 1")
t.ok(first:find("^[^ ]*oops%.lua:2: ") ~= nil, "uncaught: nothing before the script's file:line")

-- in a book build the prelude wraps module functions (read tracking):
-- a C function's error still names the lab's line, not the wrapper's
f = assert(io.open(script, "w"))
f:write("local image, T = require 'image', require 'tensor'\n" ..
        "image.filter(T.zeros(8, 8, 1), image.kernels.box(3), {padding = 'smae'})\n")
f:close()
p = io.popen("WORKBOOK_READS=" .. dir .. "/reads.log " .. bin .. " run " .. script .. " 2>&1")
text = p:read("a"); p:close()
t.ok(text:find("^[^\n]*oops%.lua:2: image%.filter: padding must be 'valid' or 'same', got 'smae'") ~= nil,
     "read tracking on: the lab's line, not the prelude's")
os.execute("rm -rf " .. dir)

t.done()
