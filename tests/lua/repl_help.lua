-- repl_help.lua - the REPL's help(): every public function of the modules
-- the REPL loads (and of tensors, data frames, series, groupbys, models)
-- has a one-line entry in runtime/lua/help_docs.lua, no entry names
-- something that is not there, and help() prints them.
package.path = arg[0]:match("(.*/)") .. "?.lua;" .. package.path
local t = require "tap"
local repl = require "repl"
repl.setup()
require "book"
local H = require "help_docs"
local docs = H.docs

-- what print() writes while f runs
local function output(f, ...)
  local lines, old = {}, print
  print = function(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
    lines[#lines + 1] = table.concat(parts, "\t")
  end
  local ok, err = pcall(f, ...)
  print = old
  if not ok then error(err, 0) end
  return table.concat(lines, "\n")
end

---------------------------------------------------------------- the walk
-- (written here again rather than taken from help_docs.walk, so a walk
-- that misses a table cannot hide a missing entry)

local found = {}          -- name -> {fn, group}
local function add(name, fn, group) found[name] = {fn, group} end

local seen = {}
local function walk(prefix, tbl, group)
  if seen[tbl] then return end
  seen[tbl] = true
  for k, v in pairs(tbl) do
    if type(k) == "string" and k:sub(1, 1) ~= "_" then
      local name = prefix .. "." .. k
      if type(v) == "function" then
        add(name, v, group)
      elseif type(v) == "table" and getmetatable(v) == nil and v ~= package.loaded.tensor.methods then
        walk(name, v, group)
      end
    end
  end
end

t.ok(type(repl.modules) == "table" and #repl.modules >= 9, "repl.modules lists the REPL's modules")
local module_names = {}
for _, m in ipairs(repl.modules) do
  local mod = package.loaded[m[2]]
  t.ok(type(mod) == "table" and _G[m[1]] == mod, "the REPL loaded " .. m[2] .. " as " .. m[1])
  if m[1] == m[2] then
    module_names[#module_names + 1] = m[1]
    walk(m[1], mod, m[1])
  end
end
walk("book", package.loaded.book, "book")
module_names[#module_names + 1] = "book"

-- the classes' methods, found through real objects
local tensor, frame, nn = package.loaded.tensor, package.loaded.frame, package.loaded.nn
local x = tensor.zeros(2, 3)
local df = frame.DataFrame{a = {1, 2, 3}, b = {"x", "y", "x"}}
local model = nn.Sequential{nn.Dense(2)}
local objects = {
  Tensor = {x, tensor.methods},
  DataFrame = {df, getmetatable(df)},
  Series = {df.a, getmetatable(df.a)},
  GroupBy = {df:groupby("b"), getmetatable(df:groupby("b"))},
  Model = {model, getmetatable(model).__index},
}
local class_names = {"Tensor", "DataFrame", "Series", "GroupBy", "Model"}
for _, class in ipairs(class_names) do
  local obj, methods = objects[class][1], objects[class][2]
  local n, reached = 0, true
  for k, v in pairs(methods) do
    if type(k) == "string" and k:sub(1, 1) ~= "_" and type(v) == "function" then
      local name = class .. ":" .. k
      if not H.internal[name] then add(name, v, class); n = n + 1 end
      if obj[k] ~= v then reached = false end
    end
  end
  t.ok(n >= 10 and reached, ("%s: %d methods, each reached as obj:name"):format(class, n))
end

-- the internal list names real methods only
for name in pairs(H.internal) do
  local class, k = name:match("^(%u%w*):([%w_]+)$")
  t.ok(class and objects[class] and type(objects[class][2][k]) == "function",
       "internal name " .. name .. " is a real method")
end

---------------------------------------------------------------- coverage

local groups = {}
for _, g in ipairs(module_names) do groups[#groups + 1] = g end
for _, c in ipairs(class_names) do groups[#groups + 1] = c end
for _, g in ipairs(groups) do
  local missing, n = {}, 0
  for name, e in pairs(found) do
    if e[2] == g then
      n = n + 1
      if not docs[name] then missing[#missing + 1] = name end
    end
  end
  table.sort(missing)
  t.ok(n > 0 and #missing == 0, ("%s: all %d public functions have a help entry"):format(g, n))
  if #missing > 0 then t.diag("no entry in runtime/lua/help_docs.lua: " .. table.concat(missing, ", ")) end
end

local stale = {}
for name in pairs(docs) do
  if not found[name] then stale[#stale + 1] = name end
end
table.sort(stale)
t.ok(#stale == 0, "every help entry names a function that exists")
if #stale > 0 then t.diag("stale entries: " .. table.concat(stale, ", ")) end

-- each entry is "signature: sentence", the signature naming the function
local VAR = {Tensor = "t", DataFrame = "df", Series = "s", GroupBy = "g", Model = "model"}
local bad = {}
for name, d in pairs(docs) do
  local sig, text = d:match("^(.-): (.+)$")
  local class, m = name:match("^(%u%w*):([%w_]+)$")
  local head = class and (VAR[class] .. ":" .. m) or name
  local ok = sig and text and #text >= 8
    and sig:sub(1, #head) == head and sig:sub(#head + 1, #head + 1):match("[({]")
    and #d < 260 and not d:find("\n")
  if not ok then bad[#bad + 1] = name end
end
table.sort(bad)
t.ok(#bad == 0, "every entry is one line, 'signature: sentence', the signature starting with the name")
if #bad > 0 then t.diag("malformed: " .. table.concat(bad, ", ")) end

---------------------------------------------------------------- output

local out = output(repl.help, nn.Dense)
t.ok(out:find("nn.Dense(units", 1, true) and out:find("fully connected", 1, true)
     and out:find("nn_layers.lua:%d+"), "help(nn.Dense): signature, sentence, file:line")
t.ok(output(repl.help, tensor.zeros):find("tensor.zeros(d1, d2", 1, true)
     and output(repl.help, tensor.zeros):find("C function", 1, true), "help(tensor.zeros): a C function's entry")
t.ok(output(repl.help, tensor.sum):find("tensor.sum(t[, axis", 1, true), "help(tensor.sum): the function form of t:sum")
t.ok(output(repl.help, model.fit):find("model:fit(x, y", 1, true), "help(model.fit): a model method's entry")
t.ok(output(repl.help, df.groupby):find("df:groupby(", 1, true), "help(df.groupby): a DataFrame method's entry")
t.ok(output(repl.help, nn.optimizers.Adam):find("nn.optimizers.Adam{learning_rate", 1, true), "help(nn.optimizers.Adam)")

-- module listings: every function with its sentence, no "function" placeholder
local listed = {
  {"tensor.methods", tensor.methods},
  {"nn.optimizers", nn.optimizers}, {"nn.callbacks", nn.callbacks}, {"nn.utils", nn.utils},
  {"nn.applications", nn.applications}, {"nn.applications.vgg16", nn.applications.vgg16},
}
for _, m in ipairs(repl.modules) do
  if m[1] == m[2] then listed[#listed + 1] = {m[1], package.loaded[m[2]]} end
end
listed[#listed + 1] = {"ml.metrics", package.loaded.ml.metrics}
listed[#listed + 1] = {"image.kernels", package.loaded.image.kernels}
for _, l in ipairs(listed) do
  local text = output(repl.help, l[2])
  local lines, placeholders = 0, {}
  for line in text:gmatch("[^\n]+") do
    lines = lines + 1
    if line:match("%s+function$") or line:match("^%s*[%w_]+%s*$") then placeholders[#placeholders + 1] = line end
  end
  t.ok(lines >= 1 and #placeholders == 0, ("help(%s): %d lines, each with a description"):format(l[1], lines))
  if #placeholders > 0 then t.diag(table.concat(placeholders, "\n")) end
end
local nn_list = output(repl.help, nn)
t.ok(nn_list:find("Dense%s+a fully connected layer") and nn_list:find("optimizers%s+%(help%(nn.optimizers%)"),
     "help(nn) names Dense with its sentence and points at nn.optimizers")
local lines = {}
for line in nn_list:gmatch("[^\n]+") do lines[#lines + 1] = line:match("^%s*(%S+)") end
local sorted = {table.unpack(lines)}
table.sort(sorted)
t.is(table.concat(lines, " "), table.concat(sorted, " "), "help(nn) is sorted")

-- objects: their class's methods
t.ok(output(repl.help, x):find("Tensor methods") and output(repl.help, x):find("reshape%s+the same elements"),
     "help(t) lists the tensor methods")
t.ok(output(repl.help, df):find("DataFrame methods") and output(repl.help, df):find("groupby"),
     "help(df) lists the DataFrame methods")
local model_help = output(repl.help, model)
t.ok(model_help:find("fit%s+train") and not model_help:find("plan_backward"),
     "help(model) lists the public model methods, not the internal ones")

-- search by name, case-insensitively
local s1, s2 = output(repl.help, "dense"), output(repl.help, "DENSE")
t.ok(s1:find("nn.Dense", 1, true) and s1 == s2, "help(\"dense\") finds nn.Dense, in any case")
local all_match = true
for line in output(repl.help, "pool"):gmatch("[^\n]+") do
  if not line:match("^%s*(%S+)"):lower():find("pool", 1, true) then all_match = false end
end
t.ok(all_match and output(repl.help, "pool"):find("MaxPooling2D", 1, true), "help(\"pool\"): only names containing it")
t.ok(output(repl.help, "nn.Dense"):find("nn_layers.lua", 1, true), "help(\"nn.Dense\"): the full entry")
t.ok(output(repl.help, "no_such_thing_xyz"):find("no function", 1, true), "help of an unknown word says so")

-- values that are not functions or modules, and the user's own functions
t.ok(output(repl.help, 42):find("42 is a number", 1, true), "help(42) says what it is")
local mine = output(repl.help, function() end)
t.ok(mine:find("no description", 1, true) and mine:find("repl_help.lua:%d+"), "help(own function): where it is, no description")
t.ok(output(repl.help):find("help(nn)", 1, true), "help() alone explains itself")
t.ok(output(repl.show, nn.Dense):find("function: nn.Dense (", 1, true), "printing a function names it")

t.done()
