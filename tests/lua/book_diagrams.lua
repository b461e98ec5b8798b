-- book_diagrams.lua - the chapter 9 diagrams (chapters/ch9/figures/*.svg):
-- each file is a self-contained, well-formed SVG (balanced tags, a
-- viewBox, a white background, nothing fetched from outside), is placed
-- in chapters/ch9/index.md as ![caption](figures/NAME.svg){#fig-NAME}
-- with a Korean caption and referenced from the prose as @fig-NAME, and
-- is exactly what chapters/ch9/figures/make_figures.lua writes.
local t = require "tap"
local bin = os.getenv("WORKBOOK") or "./workbook"
if bin:sub(1, 1) ~= "/" then bin = os.getenv("PWD") .. "/" .. bin end

local DIR = "chapters/ch9/figures"
local NAMES = {"receptive-field", "padding-stride", "multichannel", "pooling", "inception",
               "residual", "se-block", "lenet5", "alexnet"}

local function read(path)
  local f <close> = io.open(path, "rb")
  return f and f:read("a")
end

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- Tags balance: every start tag is closed in order, one root <svg>.
-- Returns nil or a message naming the first problem.
local function tag_problem(s)
  local stack, roots, pos = {}, 0, 1
  s = s:gsub("<!%-%-.-%-%->", ""):gsub("<%?.-%?>", "")
  while true do
    local i, j, close, name, rest = s:find("<(/?)([%w:_-]+)(.-)>", pos)
    if not i then break end
    if close == "/" then
      local top = table.remove(stack)
      if top ~= name then return ("</%s> closes <%s>"):format(name, tostring(top)) end
    elseif rest:sub(-1) ~= "/" then
      if #stack == 0 then roots = roots + 1 end
      stack[#stack + 1] = name
    elseif #stack == 0 then
      roots = roots + 1
    end
    pos = j + 1
  end
  if #stack > 0 then return "<" .. stack[#stack] .. "> is never closed" end
  if roots ~= 1 then return roots .. " root elements" end
  if s:find("<", pos) then return "a stray '<'" end
  return nil
end

local chapter = read("chapters/ch9/index.md")
t.ok(chapter, "chapters/ch9/index.md is readable")
chapter = chapter or ""

-- the prose without the figure lines themselves
local prose = chapter:gsub("\n!%[[^\n]*", "\n")

for _, name in ipairs(NAMES) do
  local path = DIR .. "/" .. name .. ".svg"
  local svg = read(path)
  t.ok(svg, path .. " exists")
  svg = svg or ""
  t.ok(svg:find("^<svg ") ~= nil and svg:find("</svg>%s*$") ~= nil,
       name .. ": starts with <svg and ends with </svg>")
  t.ok(svg:find('xmlns="http://www.w3.org/2000/svg"', 1, true) ~= nil, name .. ": SVG namespace")
  local w, h = svg:match('viewBox="0 0 (%d+) (%d+)"')
  -- at most the book's 48rem column, so it shows at its natural size
  t.ok(w and tonumber(w) >= 300 and tonumber(w) <= 768 and tonumber(h) >= 200,
       name .. ": viewBox set, fits the page column (" .. tostring(w) .. "×" .. tostring(h) .. ")")
  t.ok(svg:find(('width="%s" height="%s"'):format(w, h), 1, true) ~= nil,
       name .. ": natural size matches the viewBox")
  t.is(tag_problem(svg), nil, name .. ": tags balance")
  -- offline and self-contained: no link to anything, no script, no raster
  local ext = svg:find("href", 1, true) or svg:find("url%(%s*['\"]?%a+:") or svg:find("@import", 1, true)
  t.ok(not ext, name .. ": no href, external url() or @import")
  t.ok(not svg:find("<script") and not svg:find("<image") and not svg:find("<foreignObject"),
       name .. ": no script, image or foreignObject element")
  t.ok(svg:find("<title id=") ~= nil and svg:find("<desc id=") ~= nil, name .. ": has <title> and <desc>")
  -- a white rounded background first, so it reads on dark pages too
  t.ok(svg:find('\n<rect x="1" y="1" width="%d+" height="%d+" rx="14" fill="#ffffff"') ~= nil,
       name .. ": explicit white background")
  t.ok(svg:find("<text[^>]*>[^<]*[\234-\237][\128-\191][\128-\191]") ~= nil, name .. ": Korean labels")
  -- placed in the chapter with a Korean caption, and referenced
  local line = chapter:match("\n(!%[[^\n]-%]%(figures/" .. name:gsub("%-", "%%-") .. "%.svg%)[^\n]*)")
  t.ok(line ~= nil, name .. ": ![..](figures/" .. name .. ".svg) in ch9/index.md")
  line = line or ""
  t.ok(line:find("{#fig%-" .. name:gsub("%-", "%%-") .. "}%s*$") ~= nil, name .. ": labelled {#fig-" .. name .. "}")
  local caption = line:match("^!%[(.-)%]%(") or ""
  t.ok(#caption > 20 and caption:find("[\234-\237][\128-\191][\128-\191]") ~= nil,
       name .. ": Korean caption")
  t.ok(prose:find("@fig%-" .. name:gsub("%-", "%%-") .. "[^%w%-]") ~= nil,
       name .. ": the prose refers to @fig-" .. name)
end

-- every label in ch9 has its file, every reference its label, every file
-- in the folder is placed
local labels = {}
for name in chapter:gmatch("{#fig%-([%w%-]+)}") do labels[name] = true end
-- figures the labs draw carry their label in the lab (label = "fig-...")
local labs <close> = assert(io.popen("ls chapters/ch9/*.lua"))
for file in labs:lines() do
  for name in read(file):gmatch("label%s*=%s*\"fig%-([%w%-]+)\"") do labels[name] = true end
end
for name in chapter:gmatch("@fig%-([%w]+[%w%-]*[%w])") do
  t.ok(labels[name], "@fig-" .. name .. " has a {#fig-" .. name .. "} label")
end
local listing = io.popen("ls " .. q(DIR))
for file in listing:lines() do
  local name = file:match("^(.+)%.svg$")
  if name then t.ok(labels[name], DIR .. "/" .. file .. " is placed in the chapter") end
end
listing:close()

-- the numbers drawn match the chapter's worked examples
local pooling = read(DIR .. "/pooling.svg") or ""
for _, v in ipairs {"3.75", "1.25", "5.5", "max{1, 3, 5, 6} = 6", "(1 + 3 + 5 + 6) / 4 = 3.75"} do
  t.ok(pooling:find(">" .. v .. "<", 1, true) ~= nil, "pooling.svg shows " .. v)
end
t.ok(chapter:find("\\text{평균 풀링: } \\begin{bmatrix} 3.75 & 1.25 \\\\ 1 & 5.5 \\end{bmatrix}", 1, true) ~= nil,
     "the chapter's pooling example is the one drawn")
local padding = read(DIR .. "/padding-stride.svg") or ""
for _, v in ipairs {"출력 3×3", "출력 5×5", "⌊(5 + 0 − 3) / 1⌋ + 1 = 3", "⌊(5 + 2 − 3) / 2⌋ + 1 = 3"} do
  t.ok(padding:find(">" .. v .. "<", 1, true) ~= nil, "padding-stride.svg shows " .. v)
end

-- the committed files are what the generator writes
local tmp = os.tmpname()
os.remove(tmp)
local p = io.popen(q(bin) .. " run " .. q(DIR .. "/make_figures.lua") .. " " .. q(tmp) .. " 2>&1; echo rc=$?")
local log = p:read("a")
p:close()
t.ok(log:find("rc=0%s*$") ~= nil, "make_figures.lua runs")
if not log:find("rc=0%s*$") then t.diag(log) end
for _, name in ipairs(NAMES) do
  local fresh = read(tmp .. "/" .. name .. ".svg")
  t.ok(fresh ~= nil and fresh == read(DIR .. "/" .. name .. ".svg"),
       name .. ".svg is up to date with make_figures.lua")
end
os.execute("rm -rf " .. q(tmp))

t.done()
