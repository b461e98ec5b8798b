-- book_render.lua - the book's Markdown renderer (book.core.render, C on
-- cmark-gfm's syntax tree): Markdown in, HTML fragments out. Headings and
-- their ids, tables, includes and anchors, math kept intact, errors with
-- file:line.
local t = require "tap"
local core = require "book.core"

local root = "tests/fixtures/book"

local function render(md, dir)
  return core.render(md, "chapters/cha/index.md", root, dir or "chapters/cha")
end

local function has(s, frag, name)
  local r = t.ok(s and s:find(frag, 1, true) ~= nil, name)
  if not r then t.diag("missing: " .. frag); t.diag("in: " .. tostring(s)) end
  return r
end

local function hasnt(s, frag, name)
  local r = t.ok(s and s:find(frag, 1, true) == nil, name)
  if not r then t.diag("unexpected: " .. frag) end
  return r
end

-- ---- headings -------------------------------------------------------------
local p = assert(render([[
# 9장 신경망 부흥의 시작, 합성곱 신경망

## 같은 제목

## 같은 제목

### MLP로 이미지를 다룰 때의 문제: 평탄화

## LAB 9-1 합성곱을 만들어보자

## 발산 $\nabla \cdot F$ 과 `code`

## !!!
]]))
local ids = {}
for _, h in ipairs(p.headings) do ids[#ids + 1] = h.id end
t.is(table.concat(ids, " "), "9장-신경망-부흥의-시작-합성곱-신경망 같은-제목 같은-제목-1 "
  .. "mlp로-이미지를-다룰-때의-문제-평탄화 lab-9-1-합성곱을-만들어보자 발산-nabla-cdot-f-과-code section",
  "heading ids: Korean kept, ASCII lowercased, punctuation dropped, duplicates numbered")
has(p.html, '<h2 id="같은-제목-1">같은 제목<a class="anchor" href="#같은-제목-1"', "a heading carries its id and a link to itself")
has(p.html, '<h1 id="9장-신경망-부흥의-시작-합성곱-신경망">', "h1 id")
t.is(p.headings[1].level, 1, "heading level")
t.is(p.headings[4].line, 7, "heading line")
t.is(p.headings[6].text, "발산 \\nabla \\cdot F 과 code", "heading text keeps the TeX")
has(p.headings[6].html, '<span class="math inline">\\nabla \\cdot F</span>', "math in a heading")
t.is(core.slug("  Hello,  World -- again! "), "hello-world-again", "slug collapses dashes")
t.is(core.slug("합성곱 (Conv2D)·풀링"), "합성곱-conv2d풀링", "slug drops symbols")

-- ---- GFM: tables, autolinks, strikethrough --------------------------------
p = assert(render([[
| 계층 | 파라미터 수 |
|---|---:|
| 합성곱 1 | $3 \times 3 \times 1 \times 32 + 32$ |
| 절댓값 | $|x|$ |

www.example.com 과 ~~지움~~
]]))
has(p.html, "<table>", "table")
has(p.html, '<th align="right">파라미터 수</th>', "table alignment")
has(p.html, '<td align="right"><span class="math inline">3 \\times 3 \\times 1 \\times 32 + 32</span></td>', "math in a table cell")
has(p.html, '<span class="math inline">|x|</span>', "a | inside math does not split the cell")
has(p.html, '<del>지움</del>', "strikethrough")
t.is(p.refs[1] and p.refs[1].url, "http://www.example.com", "autolink becomes a link")
has(p.html, 'href="wb-url:0"', "link URLs become tokens")

-- ---- math -----------------------------------------------------------------
p = assert(render([[
인라인 $x_{i,j} = \sum_{u} I_{i+u}\, K_{u}$ 와 $\{1, 2\}$, $a_1 * b_2 * c$.

$$
\mathbf{M} = \frac{1}{9} \begin{bmatrix} 1 & 1 \\ 1 & 1 \end{bmatrix}, \quad 18{,}432 \_x
$$

돈 $5 와 $10, 이스케이프 \$ 와 코드 `a $x_1$ b`.

```lua
print("$y_1$")
```

    indented $z_1$ code

문단 안의 $$a < b$$ 수식.
]]))
has(p.html, '<span class="math inline">x_{i,j} = \\sum_{u} I_{i+u}\\, K_{u}</span>', "backslashes and underscores intact")
has(p.html, '<span class="math inline">\\{1, 2\\}</span>', "\\{ intact")
has(p.html, '<span class="math inline">a_1 * b_2 * c</span>', "no emphasis inside math")
has(p.html, '<div class="math display">\n\\mathbf{M} = \\frac{1}{9} \\begin{bmatrix} 1 &amp; 1 \\\\ 1 &amp; 1 \\end{bmatrix}, \\quad 18{,}432 \\_x\n</div>',
    "display math: a block, escaped, \\\\ and {,} intact")
has(p.html, "돈 $5 와 $10, 이스케이프 $ 와 코드 <code>a $x_1$ b</code>", "dollar amounts, \\$ and code spans are not math")
has(p.html, 'print(&quot;$y_1$&quot;)', "code blocks are not math")
has(p.html, "indented $z_1$ code", "indented code is not math")
has(p.html, '<span class="math display">a &lt; b</span>', "display math inside a paragraph")
t.is(p.nmath, 5, "formula count")

-- line numbers survive multi-line math
p, err = render("$$\na\n\nb\n$$\n\n$$\nx\ny\n$$\n\n```lua include=nope.lua\n```\n")
t.ok(p == nil and err:find("^chapters/cha/index%.md:12: include: cannot read chapters/cha/nope%.lua"),
     "missing include names file:line (after multi-line math)")

-- ---- includes and anchors ------------------------------------------------
p = assert(render("```lua include=lab1.lua\n```\n\n```lua include=lab1.lua anchor=compute run\n```\n"))
has(p.html, '<figure class="code"><figcaption>lab1.lua</figcaption><pre><code class="language-lua">-- lab1.lua - a fixture lab', "whole file included")
hasnt(p.html, "ANCHOR", "anchor markers never show")
has(p.html, '<figcaption>lab1.lua <span class="anchor-name">(compute)</span></figcaption><pre><code class="language-lua">local f = assert(io.open(dir .. &quot;/data.txt&quot;))\n',
    "anchor: only its lines")
has(p.html, 'print(&quot;data: &quot; .. text:gsub(&quot;%s+$&quot;, &quot;&quot;))\n</code></pre></figure>\n<!--wb-cell:0:-1-->\n<!--wb-end:0-->',
    "anchor ends before ANCHOR_END; the run's output marker follows")
t.is(#p.runs, 1, "one run")
t.is(p.runs[1].path, "chapters/cha/lab1.lua", "run path relative to the root")
t.is(p.runs[1].line, 4, "run line")

p, err = render("text\n\n```lua include=lab1.lua anchor=nope\n```\n")
t.is(err, "chapters/cha/index.md:3: include: anchor 'nope' not found in chapters/cha/lab1.lua", "missing anchor")
p, err = render("```lua run\n```\n")
t.is(err, "chapters/cha/index.md:1: 'run' needs include=FILE", "run without include")
p, err = render("```lua include=lab1.lua rnu\n```\n")
t.is(err, "chapters/cha/index.md:1: unknown code block option 'rnu' (did you mean 'run'?)",
     "a misspelt option is an error with the nearest option")
p, err = render("```lua inclde=lab1.lua run\n```\n")
t.is(err, "chapters/cha/index.md:1: unknown code block option 'inclde=lab1.lua' (did you mean 'include='?)",
     "a misspelt include= names include=")
p, err = render("```lua include=lab1.lua fast\n```\n")
t.is(err, "chapters/cha/index.md:1: unknown code block option 'fast' (known: include=FILE, anchor=NAME, cell=\"TITLE\", run)",
     "an option near nothing lists the known ones")

-- ---- includes stay inside the book ---------------------------------------
p, err = render("```lua include=/etc/hostname\n```\n")
t.is(err, "chapters/cha/index.md:1: include: /etc/hostname is outside the book's source folder",
     "an absolute include is refused")
p, err = render("```lua include=../../../../../etc/hostname\n```\n")
t.ok(p == nil and err:find("^chapters/cha/index%.md:1: include: %.%./") and err:find("is outside the book's source folder", 1, true),
     "a ../ escape is refused: " .. tostring(err))
p, err = render("```lua include=/dev/zero\n```\n")
t.ok(p == nil and err:find("/dev/zero is outside the book", 1, true), "a device is refused")
do
  local tmp = os.tmpname(); os.remove(tmp)
  os.execute("mkdir -p " .. tmp .. "/src/chapters/cha")
  os.execute("ln -s /etc/hostname " .. tmp .. "/src/chapters/cha/link.lua")
  os.execute("mkfifo " .. tmp .. "/src/chapters/cha/fifo.lua")
  local big = assert(io.open(tmp .. "/src/chapters/cha/big.lua", "w"))
  big:write(("-- x\n"):rep(1200000)); big:close()
  local function r(md) return core.render(md, "chapters/cha/index.md", tmp .. "/src", "chapters/cha") end
  p, err = r("```lua include=link.lua\n```\n")
  t.ok(p == nil and err:find("chapters/cha/link.lua leads outside the book's source folder", 1, true),
       "a symlink out of the tree is refused: " .. tostring(err))
  p, err = r("```lua include=fifo.lua\n```\n")
  t.ok(p == nil and err:find("fifo.lua is not a regular file", 1, true), "a fifo is refused")
  p, err = r("```lua include=big.lua\n```\n")
  t.ok(p == nil and err:find("big.lua is 6000000 bytes, more than the 4194304", 1, true),
       "a file over 4 MB is refused")
  os.execute("rm -rf " .. tmp)
end

-- ---- links and images ----------------------------------------------------
p = assert(render("para\n\n[a](../chb/index.md#x) and\n![pic](pic.png \"t\")\n"))
t.is(#p.refs, 2, "two refs")
t.ok(p.refs[1].url == "../chb/index.md#x" and not p.refs[1].image and p.refs[1].line == 3, "link url and line")
t.ok(p.refs[2].url == "pic.png" and p.refs[2].image and p.refs[2].line == 4, "image url and line")
has(p.html, '<img src="wb-url:1" alt="pic" title="t" />', "image URL token")

-- ---- search text -----------------------------------------------------------
p = assert(render("앞말\n\n# 제목\n\n본문 $x$ 텍스트.\n\n## 둘\n\n- 목록\n"))
t.ok(p.intro:find("앞말"), "text before the first heading")
t.ok(p.headings[1].body:find("본문") and not p.headings[1].body:find("목록"), "section text stops at the next heading")
t.ok(p.headings[2].body:find("목록"), "list text")

local bad = render("WbMtH1Z\n")
t.ok(bad == nil, "the math token text is refused")

t.done()
