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

-- links and images stay inside the book, as includes do (the build
-- copies the files they name): absolute paths, ../ out of the tree,
-- symlinks out, devices and fifos, files over 32 MB fail at file:line
p, err = render("text\n\n![x](/etc/hostname)\n")
t.is(err, "chapters/cha/index.md:3: image /etc/hostname is outside the book's source folder",
     "an image at an absolute path")
p, err = render("[pw](../../../../etc/passwd)\n")
t.is(err, "chapters/cha/index.md:1: link ../../etc/passwd is outside the book's source folder",
     "a link that climbs out of the tree")
p, err = render("[b](../chb/index.md#x) [web](https://example.org/a.png) [m](missing.png) [h](#top) [q](lab1.lua?x=1)\n")
t.ok(p and #p.refs == 5, "links inside the tree, to the web, missing and anchors pass")
do
  local tmp = os.tmpname(); os.remove(tmp)
  os.execute("mkdir -p " .. tmp .. "/src/chapters/cha")
  os.execute("ln -s /etc/hostname " .. tmp .. "/src/chapters/cha/link.png")
  os.execute("mkfifo " .. tmp .. "/src/chapters/cha/fifo.png")
  os.execute("truncate -s 40000000 " .. tmp .. "/src/chapters/cha/big.csv")
  os.execute("truncate -s 5000000 " .. tmp .. "/src/chapters/cha/mid.csv")
  local function r(md) return core.render(md, "chapters/cha/index.md", tmp .. "/src", "chapters/cha") end
  p, err = r("![l](link.png)\n")
  t.ok(p == nil and err:find("^chapters/cha/index%.md:1: image chapters/cha/link%.png leads outside the book's source folder"),
       "an image symlinked out of the tree: " .. tostring(err))
  p, err = r("![f](fifo.png)\n")
  t.ok(p == nil and err:find("image chapters/cha/fifo.png is not a regular file", 1, true), "a fifo")
  p, err = r("[data](big%2Ecsv)\n")
  t.ok(p == nil and err:find("link chapters/cha/big.csv is 40000000 bytes, more than the 33554432", 1, true),
       "a 40 MB file (percent-encoded name)")
  p, err = r("[data](mid.csv)\n")
  t.ok(p ~= nil, "a 5 MB file is fine for a link")
  os.execute("rm -rf " .. tmp)
end

t.done()
