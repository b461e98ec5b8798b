-- book_notebook.lua - the book as a notebook: a lab's `-- %%` cells (code
-- and Markdown, a lab without markers), each cell's own output and
-- figures after it, numbered and captioned figures / tables / equations /
-- sections and references to them, values a lab publishes with
-- book.value and the prose quotes as {{lab.name}}, GitHub alerts as
-- callouts, and the build errors (unknown label, unknown value, unknown
-- cell) at file:line. Builds small books in a temporary folder.
local t = require "tap"
local core = require "book.core"
local bin = os.getenv("WORKBOOK") or "./workbook"
if bin:sub(1, 1) ~= "/" then bin = os.getenv("PWD") .. "/" .. bin end

local tmp = os.tmpname()
local base = tmp .. "_nb"
local src, out = base .. "/src", base .. "/out"

local sh, q, read, write, has, hasnt = t.sh, t.q, t.read, t.write, t.has, t.hasnt
local function before(s, a, b, name)
  local i, j = s and s:find(a, 1, true), s and s:find(b, 1, true)
  local r = t.ok(i and j and i < j, name)
  if not r then t.diag(("want %q before %q"):format(a, b)) end
end

sh("rm -rf " .. q(base))
local LAB = [[
-- lab1.lua - a lab in cells
local book = require "book"
local image = require "image"
local tensor = require "tensor"
print("준비")
-- %% 첫 셀
print("첫 셀의 출력")
image.save(tensor.zeros({4, 4, 1}), out("first.png"), {caption = "첫 그림", label = "fig-first"})
-- %% [markdown]
-- 셀 사이의 설명, **굵게**, 수식 $x^2$.
-- %% 둘째 셀
print("둘째 셀의 출력")
image.save(tensor.ones({6, 6, 1}), out("second.png"), {caption = "둘째 그림"})
book.value("acc", 0.87654, "%.3f")
book.value("n", 42)
]]
write(src .. "/chapters/ch3/lab1.lua", LAB)
write(src .. "/chapters/ch3/plain.lua", 'print("표시 없는 실습")\n')
write(src .. "/chapters/ch3/pic.png", read("tests/fixtures/book/chapters/cha/pic.png"))
local PAGE = [[
# 3장 시험

## 들어가며 {#sec-intro}

그림은 @fig-pic, 실습 그림은 @fig-first, 표는 @tbl-data, 식은 @eq-line, 절은 @sec-lab 과 @sec-intro.
정확도는 {{lab1.acc}}, 개수는 {{lab1.n}} 이다.

![작은 그림](pic.png){#fig-pic}

| a | b |
|---|---|
| 1 | 2 |

: 작은 표 {#tbl-data}

$$
y = ax + b
$$ {#eq-line}

> [!TIP]
> 팁의 내용

> 그냥 인용

## 실습 {#sec-lab}

```lua include=lab1.lua run
```

### 한 셀만

```lua include=lab1.lua cell="둘째 셀" run
```

```lua include=plain.lua run
```
]]
write(src .. "/chapters/ch3/index.md", PAGE)
write(src .. "/book.md", "# 책\n\n[3장](chapters/ch3/index.md)\n")

-- ---- the renderer: cells and tokens ------------------------------------------
local r = assert(core.render(PAGE, "chapters/ch3/index.md", src, "chapters/ch3"))
local kinds = {}
for _, l in ipairs(r.labels) do kinds[#kinds + 1] = l.kind .. ":" .. l.id .. ":" .. l.line end
table.sort(kinds)   -- numbered in page order by the builder, whatever order they come in
t.is(table.concat(kinds, " "),
     "eq:eq-line:16 fig:fig-pic:8 sec:sec-intro:3 sec:sec-lab:25 tbl:tbl-data:14",
     "labels of sections, a figure, a table and an equation, with their lines")
local keys = {}
for _, x in ipairs(r.xrefs) do keys[#keys + 1] = (x.value and "v:" or "r:") .. x.key .. ":" .. x.line end
t.is(table.concat(keys, " "),
     "r:fig-pic:5 r:fig-first:5 r:tbl-data:5 r:eq-line:5 r:sec-lab:5 r:sec-intro:5 v:lab1.acc:6 v:lab1.n:6",
     "references and values, with their lines")
has(r.html, '<!--wb-run:0-->', "a whole lab gets its banner marker")
before(r.html, "print(&quot;준비&quot;)", "<!--wb-cell:0:0-->", "the lines before the first marker are cell 0")
before(r.html, "<!--wb-cell:0:0-->", "첫 셀의 출력", "cell 1 comes after cell 0's output")
has(r.html, '<span class="anchor-name">(첫 셀)</span>', "a cell's title shows above its code")
has(r.html, '<div class="markdown-cell">\n<p>셀 사이의 설명, <strong>굵게</strong>, 수식 <span class="math inline">x^2</span>.</p>',
    "a Markdown cell is prose, its comment leaders gone")
hasnt(r.html, "-- %%", "marker lines never show")
has(r.html, '(둘째 셀)</span></figcaption><pre><code class="language-lua">print(&quot;둘째 셀의 출력&quot;)',
    "cell= shows only that cell")
has(r.html, '<!--wb-cell:1:3-->', "... followed by that cell's output (cell 3: the markdown cell is 2)")
has(r.html, '<!--wb-cell:2:0-->', "a lab without markers is one cell, 0")
has(r.html, '<div class="callout callout-tip">\n<p class="callout-title">팁</p>\n<p>팁의 내용</p>\n</div>',
    "> [!TIP] is a callout")
has(r.html, "<blockquote>\n<p>그냥 인용</p>", "a plain quote stays a quote")
has(r.html, '<figure class="figure" id="fig-pic"><img src="wb-url:0" alt="작은 그림"><figcaption><!--wb-label:3-->작은 그림</figcaption></figure>',
    "an image with {#fig-x} is a figure with its caption")
has(r.html, '<figure class="table-figure" id="tbl-data"><figcaption><!--wb-label:4-->작은 표</figcaption>',
    "a table with ': caption {#tbl-x}' is captioned")
has(r.html, '<div class="equation" id="eq-line"><div class="math display">', "a labelled equation")
has(r.html, '<h2 id="sec-intro">', "{#sec-x} is the heading's id")
hasnt(r.html, "{#", "no label text is left in the page")

local _, err = core.render('```lua include=lab1.lua cell="없는 셀" run\n```\n', "chapters/ch3/index.md",
                           src, "chapters/ch3")
t.is(err, "chapters/ch3/index.md:1: include: no cell '없는 셀' in lab1.lua (named cells: '첫 셀', '둘째 셀')",
     "an unknown cell is an error naming the cells")
_, err = core.render("x\n\n![a](pic.png){#tbl-x}\n", "p.md", src, "chapters/ch3")
t.is(err, "p.md:3: an image's label must start with fig- (got 'tbl-x')", "a figure label needs fig-")
_, err = core.render("## a {#sec-a}\n\n## b {#sec-a}\n", "p.md", src, ".")
t.is(err, "p.md:3: label 'sec-a' is used twice on this page", "a label used twice")
r = assert(core.render("a@fig-x.com 와 `@fig-code` 와 @fig-y.\n", "p.md", src, "."))
t.is(#r.xrefs, 1, "an e-mail address and code are no references")
t.is(r.xrefs[1] and r.xrefs[1].key, "fig-y", "a reference ends before the full stop")

-- ---- the runtime: markers and the log ----------------------------------------
do
  local log = base .. "/reads.log"
  local s, rc = sh(("cd %s && WORKBOOK_CELLS=1 WORKBOOK_READS=%s WORKBOOK_OUT=%s %s run chapters/ch3/lab1.lua")
    :format(q(src), q(log), q(base .. "/o"), q(bin)))
  t.is(rc, 0, "a lab in cells runs")
  has(s, "준비\n\30wb-cell:1\30\n첫 셀의 출력\n\30wb-cell:2\30\n\30wb-cell:3\30\n둘째 셀의 출력",
      "each marker line prints a cell marker when reached (WORKBOOK_CELLS=1)")
  local l = read(log) or ""
  has(l, "C 1\n", "the log says where cell 1 starts")
  has(l, "\tfig-first\t첫 그림\n", "image.save's caption and label go to the log")
  has(l, "V acc\t0.877\n", "book.value formats with its format")
  has(l, "V n\t42\n", "an integer prints as it is")
  s, rc = sh(("cd %s && WORKBOOK_OUT=%s %s run chapters/ch3/lab1.lua"):format(q(src), q(base .. "/o"), q(bin)))
  t.is(rc, 0, "outside the book the same lab runs")
  hasnt(s, "wb-cell", "... without markers")
  write(base .. "/v.lua", "require('book').value('a b', 1)\n")
  s, rc = sh(("%s run %s"):format(q(bin), q(base .. "/v.lua")))
  has(s, "v.lua:1: book.value: the name must be a Lua identifier", "a bad value name is the script's error")
  write(base .. "/c.lua", "require('image').save(require('tensor').zeros({2,2,1}), '" .. base
        .. "/x.png', {captoin='a'})\n")
  s, rc = sh(("%s run %s"):format(q(bin), q(base .. "/c.lua")))
  has(s, "c.lua:1: image.save: unknown option 'captoin'", "image.save checks its options")
  write(base .. "/p.lua", "local plot = require 'plot'\nplot.line({1, 2, 3}, {1, 4, 9}, '" .. base
        .. "/p.png', {caption = '선 그림', label = 'fig-line'})\n")
  os.remove(log)
  s, rc = sh(("WORKBOOK_READS=%s %s run %s"):format(q(log), q(bin), q(base .. "/p.lua")))
  t.is(rc, 0, "plot.line takes caption= and label=")
  has(read(log), "p.png\tfig-line\t선 그림\n", "... and they go to the log")
  write(base .. "/p2.lua", "require('plot').line({1, 2}, {1, 2}, '" .. base .. "/p2.png', {capton = 'x'})\n")
  s = sh(("%s run %s"):format(q(bin), q(base .. "/p2.lua")))
  has(s, "p2.lua:1: plot.line: unknown option 'capton' (did you mean 'caption'?)", "a misspelt caption")
  write(base .. "/p3.lua", "require('plot').line({1, 2}, {1, 2}, '" .. base .. "/p3.png', {label = 'pic'})\n")
  s = sh(("WORKBOOK_READS=%s %s run %s"):format(q(log), q(bin), q(base .. "/p3.lua")))
  has(s, "p3.lua:1: ", "a label without fig- is the script's error")
  has(s, "label must look like 'fig-name'", "... saying what a label looks like")
end

-- ---- a build ------------------------------------------------------------------
local function book(args)
  return sh(q(bin) .. " book --src " .. q(src) .. " --out " .. q(out) .. " " .. (args or ""))
end
local s, rc = book()
t.is(rc, 0, "the notebook book builds")
if rc ~= 0 then t.diag(s) end
local ch = read(out .. "/ch3.html") or ""
has(ch, '<a class="xref" href="#fig-pic">그림 3.1</a>', "@fig-x -> 그림 3.1")
has(ch, '<a class="xref" href="#fig-first">그림 3.2</a>', "a lab figure's label is numbered where its cell shows")
has(ch, '<a class="xref" href="#tbl-data">표 3.1</a>', "@tbl-x -> 표 3.1")
has(ch, '<a class="xref" href="#eq-line">식 (3.1)</a>', "@eq-x -> 식 (3.1)")
has(ch, '<a class="xref" href="#sec-lab">3.2절</a>', "@sec-x -> 3.2절")
has(ch, '<h2 id="sec-intro"><span class="secnum">3.1</span> 들어가며', "sections are numbered")
has(ch, '<span class="eqno">(3.1)</span>', "the equation's number beside it")
has(ch, '<figcaption><span class="label-num">그림 3.1</span> 작은 그림</figcaption>', "a numbered caption")
has(ch, '정확도는 <span class="value" title="lab1.lua의 실행 결과">0.877</span>, 개수는 <span class="value" title="lab1.lua의 실행 결과">42</span>',
    "{{lab.name}} is the value the run published")
before(ch, "첫 셀의 출력", "셀 사이의 설명", "cell 1's output comes right after cell 1")
before(ch, "first.png", "셀 사이의 설명", "... and its figure too")
before(ch, "셀 사이의 설명", "second.png", "cell 3's figure after the markdown cell")
has(ch, '<figure class="lab-figure" id="fig-first">', "a labelled lab figure carries its id")
has(ch, '<span class="label-num">그림 3.2</span> 첫 그림</figcaption>', "... its number and caption")
has(ch, '둘째 그림</figcaption>', "a caption without a label")
has(ch, 'href="chapters/ch3/lab1.lua" download>이 실습 내려받기</a>', "a download link for the lab")
t.ok(read(out .. "/chapters/ch3/lab1.lua") == LAB, "... the lab is copied into the book")
has(ch, '<div class="lab-result" data-lab="chapters/ch3/plain.lua" data-cell="0">\n<pre class="lab-output"><code class="nohighlight">표시 없는 실습</code>',
    "a lab without markers shows its output after its code")
-- the cell= include shows only cell 3's output
local one = ch:match("한 셀만(.-)plain.lua") or ""
has(one, "둘째 셀의 출력", "cell= shows its cell's output")
hasnt(one, "첫 셀의 출력", "... and no other cell's")
has(read(out .. "/print.html"), 'href="#fig-first">그림 3.2</a>', "print.html references stay on the page")

-- a long output is folded, its end showing
write(src .. "/chapters/ch3/plain.lua", 'for i = 1, 100 do print("줄 " .. i) end\n')
s, rc = book()
ch = read(out .. "/ch3.html") or ""
has(ch, '<details class="output-fold"><summary>출력 앞부분 80줄 펼치기</summary>', "100 lines fold the first 80")
has(ch, '<pre class="lab-output folded"><code class="nohighlight">줄 81\n', "... the last 20 show")

-- the cache keeps earlier results: undoing an edit runs nothing
write(src .. "/chapters/ch3/lab1.lua", LAB .. 'print("덧붙인 줄")\n')
s = book()
has(s, "(1 run, 1 cached)", "an edited lab runs again")
has(read(out .. "/ch3.html"), "덧붙인 줄", "... and shows its new output")
write(src .. "/chapters/ch3/lab1.lua", LAB)
s = book()
has(s, "(0 run, 2 cached)", "undoing the edit finds the earlier result")
hasnt(read(out .. "/ch3.html"), "덧붙인 줄", "... and shows it")
local entries = 0
for _ in io.popen("ls " .. q(out .. "-cache/labs")):lines() do entries = entries + 1 end
t.is(entries, 4, "two versions of lab1 and plain.lua kept")

-- ---- failures at file:line -----------------------------------------------------------
local function fails(edit, want, name)
  write(src .. "/chapters/ch3/index.md", (PAGE:gsub(edit[1], edit[2], 1)))
  local s2, rc2 = book()
  t.is(rc2, 1, name .. ": the build fails")
  has(s2, want, name .. ": the message")
end
fails({"@sec%-intro%.", "@sec-nowhere."},
      "book: chapters/ch3/index.md:5: unknown reference @sec-nowhere", "an unknown label")
fails({"{{lab1%.n}}", "{{lab1.count}}"},
      "book: chapters/ch3/index.md:6: {{lab1.count}}: chapters/ch3/lab1.lua published no value 'count' (book.value; it published: acc, n)",
      "an unknown value")
fails({"{{lab1%.n}}", "{{lab9.n}}"},
      "book: chapters/ch3/index.md:6: {{lab9.n}}: chapters/ch3/lab9.lua is not run in this book",
      "a value of a lab that is not run")
fails({"정확도는", "$\\frac{1}{2} + \\foo$ 정확도는"},
      "book: chapters/ch3/index.md:6: TeX: Undefined control sequence: \\foo at position 15",
      "bad TeX (KaTeX's parser)")
fails({"y = ax %+ b", "y = \\left( ax + b"},
      "book: chapters/ch3/index.md:16: TeX: Expected '\\right', got 'EOF'",
      "bad TeX in a display formula")
write(src .. "/chapters/ch3/index.md", PAGE)
s, rc = book()
t.is(rc, 0, "fixed, it builds again")

-- ---- another chapter: its values, and references in a lab's Markdown cells ----------
local LAB2 = [[
-- lab2.lua - a lab whose Markdown cells refer to things
local book = require "book"
-- %% 준비
book.value("k", 7)
-- %% [markdown]
-- 앞 장의 @fig-first 와 @sec-intro, 이 실습의 k = {{lab2.k}},
-- 3장 실습의 정확도 {{ch3/lab1.acc}}.
-- %% 끝
print("끝")
]]
local PAGE4 = [[
# 4장 이어서

3장 실습의 정확도는 {{ ch3/lab1.acc }}, 개수는 {{ch3/lab1.n}} 이다.

```lua include=lab2.lua run
```
]]
write(src .. "/chapters/ch4/lab2.lua", LAB2)
write(src .. "/chapters/ch4/index.md", PAGE4)
write(src .. "/book.md", "# 책\n\n[3장](chapters/ch3/index.md)\n[4장](chapters/ch4/index.md)\n")
r = assert(core.render(PAGE4, "chapters/ch4/index.md", src, "chapters/ch4"))
keys = {}
for _, x in ipairs(r.xrefs) do
  keys[#keys + 1] = (x.value and "v:" or "r:") .. x.key .. ":" .. x.line .. ":" .. (x.file or "")
end
t.is(table.concat(keys, " "),
     "v:ch3/lab1.acc:3: v:ch3/lab1.n:3: r:fig-first:1:chapters/ch4/lab2.lua r:sec-intro:1:chapters/ch4/lab2.lua"
     .. " v:lab2.k:1:chapters/ch4/lab2.lua v:ch3/lab1.acc:2:chapters/ch4/lab2.lua",
     "values of another chapter's lab; a Markdown cell's references go to the page, marked with the lab")
sh("rm -rf " .. q(out) .. " " .. q(out .. "-cache"))
s, rc = book("--jobs 2")
t.is(rc, 0, "a book whose chapter quotes another chapter's lab builds (--jobs 2)")
if rc ~= 0 then t.diag(s) end
local ch4 = read(out .. "/ch4.html") or ""
has(ch4, '3장 실습의 정확도는 <span class="value" title="lab1.lua의 실행 결과">0.877</span>, 개수는 <span class="value" title="lab1.lua의 실행 결과">42</span>',
    "{{ch3/lab1.name}} is the value ch3's lab published")
has(ch4, '앞 장의 <a class="xref" href="ch3.html#fig-first">그림 3.2</a> 와 <a class="xref" href="ch3.html#sec-intro">3.1절</a>, 이 실습의 k = <span class="value" title="lab2.lua의 실행 결과">7</span>',
    "references and values in a lab's Markdown cell are resolved")
has(ch4, '3장 실습의 정확도 <span class="value" title="lab1.lua의 실행 결과">0.877</span>.',
    "... another chapter's value there too")
hasnt(ch4, "{{", "no value is left literal")
local function fails4(file, text, edit, want, name)
  write(src .. file, (text:gsub(edit[1], edit[2], 1)))
  local s2, rc2 = book("--jobs 2")
  t.is(rc2, 1, name .. ": the build fails")
  has(s2, want, name .. ": the message")
  write(src .. file, text)
end
local P4, L2 = {"/chapters/ch4/index.md", PAGE4}, {"/chapters/ch4/lab2.lua", LAB2}
for _, c in ipairs {
  {P4, "ch3/lab1%.n", "ch7/lab1.n", "an unknown chapter",
   "book: chapters/ch4/index.md:3: {{ch7/lab1.n}}: no chapter 'ch7' in this book (chapters: ch3, ch4)"},
  {P4, "ch3/lab1%.n", "ch3/lab5.n", "an unknown lab of another chapter",
   "book: chapters/ch4/index.md:3: {{ch3/lab5.n}}: chapters/ch3/lab5.lua is not run in this book (include it with `run`; no such file)"},
  {P4, "ch3/lab1%.n", "ch3/lab1.count", "an unknown name of another chapter's lab",
   "book: chapters/ch4/index.md:3: {{ch3/lab1.count}}: chapters/ch3/lab1.lua published no value 'count'"},
  {L2, "@sec%-intro", "@sec-nowhere", "a wrong label in a lab's Markdown cell names the lab's line",
   "book: chapters/ch4/lab2.lua:6: unknown reference @sec-nowhere"},
  {L2, "ch3/lab1%.acc", "ch3/lab1.loss", "a wrong value in a lab's Markdown cell names the lab's line",
   "book: chapters/ch4/lab2.lua:7: {{ch3/lab1.loss}}: chapters/ch3/lab1.lua published no value 'loss'"},
} do
  fails4(c[1][1], c[1][2], {c[2], c[3]}, c[5], c[4])
end
s, rc = book("--jobs 2")
t.is(rc, 0, "fixed, the two chapters build again")

sh("rm -rf " .. q(base))
os.remove(tmp)
t.done()
