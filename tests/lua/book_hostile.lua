-- book_hostile.lua - pages an attacker or an accident could write: nesting
-- a hundred thousand deep (quotes, lists, images inside images) renders
-- without running out of stack, and many math spans or links in one
-- paragraph render in one pass (these would take minutes if quadratic;
-- no timing is asserted, the suite's run time is the witness).
local t = require "tap"
local core = require "book.core"

local function render(md)
  return core.render(md, "chapters/cha/index.md", "tests/fixtures/book",
                     "chapters/cha")
end

local n = 300000
local p, err = render(string.rep(">", n) .. " deep\n")
t.ok(p and p.html:find("deep", 1, true), "300,000 nested quotes render")
if not p then t.diag(err) end

p, err = render(string.rep("- ", 100000) .. "item\n")
t.ok(p and p.html:find("item", 1, true), "100,000 nested list items render")

p, err = render("# T\n\n" .. string.rep("> ", 100000) .. "$x^2$ body\n")
t.ok(p and p.headings[1].body:find("x^2 body", 1, true) == nil
     and p.headings[1].body:find("body", 1, true),
     "the search text of a deep section is collected (math left out)")

p, err = render(string.rep("![", 50000) .. "x" .. string.rep("](a.png)", 50000) .. "\n")
t.is(p and #p.refs, 50000, "50,000 nested images: every one a reference")

local spans = 200000
p, err = render(string.rep("$x_i$ ", spans) .. "\n")
t.ok(p, "200,000 math spans in one paragraph render")
local _, count = (p and p.html or ""):gsub('class="math inline"', "")
t.is(count, spans, "every span is a math span")

-- many links in one paragraph: each still gets its own line
local lines = {}
for i = 1, 20000 do lines[i] = ("[l%d](f%d.md)"):format(i, i) end
p, err = render(table.concat(lines, "\n") .. "\n")
t.ok(p and p.refs[1].line == 1 and p.refs[20000].line == 20000
     and p.refs[12345].line == 12345, "20,000 links: each one's own line")

t.done()
