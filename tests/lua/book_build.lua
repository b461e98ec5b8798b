-- book_build.lua - `workbook book` on a copy of tests/fixtures/book in a
-- temporary folder: the pages it writes, the lab cache (a second build
-- runs no lab; changing a file the lab reads or requires reruns it; a
-- failure is never cached), failing labs, --keep-going, the timeout,
-- --quick, and the checks that fail a build (include, anchor, links).
local t = require "tap"
local sh, q, read, write, has = t.sh, t.q, t.read, t.write, t.has
local bin = os.getenv("WORKBOOK") or "./workbook"
if bin:sub(1, 1) ~= "/" then bin = os.getenv("PWD") .. "/" .. bin end

local tmp = os.tmpname()
local base = tmp .. "_book"
local src, out = base .. "/src", base .. "/out"

local function fresh_copy()
  sh("rm -rf " .. q(base) .. " && mkdir -p " .. q(base) .. " && cp -r tests/fixtures/book " .. q(src))
end

local function book(args)
  local t0 = os.time()
  local s, rc = sh(q(bin) .. " book --src " .. q(src) .. " --out " .. q(out) .. " " .. (args or ""))
  return s, rc, os.time() - t0
end

-- ---- a first build ---------------------------------------------------------
fresh_copy()
local s, rc = book()
t.is(rc, 0, "the fixture book builds")
has(s, "1 run, 0 cached", "the lab ran")
for _, f in ipairs {"index.html", "cha.html", "chb.html", "print.html", "assets/book.css",
                    "assets/book.js", "assets/search-index.js", "assets/katex/katex.min.js",
                    "assets/katex/katex.min.css", "assets/katex/fonts/KaTeX_Main-Regular.woff2",
                    "assets/highlight/highlight.min.js", "assets/highlight/github.css",
                    "figures/cha/lab1/a_first.png", "figures/cha/lab1/b_second.png",
                    "chapters/cha/pic.png"} do
  t.ok(read(out .. "/" .. f), "wrote " .. f)
end
local cha = read(out .. "/cha.html") or ""
local index = read(out .. "/index.html") or ""
has(cha, '<html lang="ko">', "lang=ko")
has(read(out .. "/assets/book.css"), "word-break: keep-all", "keep-all")
has(read(out .. "/assets/book.css"), "NanumGothic", "a Korean font stack")
has(read(out .. "/assets/book.css"), "@media print", "a print stylesheet")
has(cha, '<h2 id="같은-제목-1">', "heading ids")
has(cha, '<li class="current"><a href="cha.html">첫째 장: 필터와 <span class="math inline">\\nabla</span></a>',
    "sidebar marks the page; its title keeps the math")
has(cha, '<li><a href="#같은-제목">같은 제목</a></li>', "sidebar lists the sections")
has(cha, '<a class="prev" rel="prev" href="index.html">', "previous link")
has(cha, '<a class="next" rel="next" href="chb.html">', "next link")
has(index, '<a href="cha.html">첫째 장</a>', "book.md links to chapters become pages")
has(index, '<a href="chb.html#둘째-장">', "with their anchors")
has(cha, '<a href="chb.html#둘째-절">', "links between chapters are rewritten to .html")
has(cha, '<img src="chapters/cha/pic.png" alt="작은 그림" />', "images are copied, relative")
has(cha, "data: hello 1\nto stderr &lt;&amp;&gt;\nquick=nil", "lab text output, escaped, stdout and stderr in order")
local a, b = cha:find("b_second.png", 1, true), cha:find("a_first.png", 1, true)
t.ok(a and b and a < b, "figures in the order the lab wrote them")
has(cha, '<figcaption><span class="file">a_first.png</span></figcaption>', "figures without a caption= show their file names")
has(cha, '<img src="figures/cha/lab1/a_first.png" alt="a_first.png" width="4" height="4" loading="lazy">', "figure size from the PNG")
t.ok(not cha:find('src="/', 1, true) and not cha:find('href="/', 1, true)
     and not cha:find('src="http', 1, true) and not cha:find('<link[^>]+href="http'),
     "only relative URLs")
local print_page = read(out .. "/print.html") or ""
has(print_page, '<section class="chapter" id="chb">', "print.html holds every chapter")
has(print_page, '<h2 id="cha--같은-제목-1">', "print.html: ids prefixed by the page")
has(print_page, 'href="#chb--둘째-절"', "print.html: links point inside it")
has(read(out .. "/assets/search-index.js"), '"둘째 절"', "search index")

-- ---- the cache ---------------------------------------------------------------
local t0 = os.clock()
s, rc = book()
t.ok(rc == 0 and s:find("0 run, 1 cached", 1, true), "a second build runs no lab")
s = s:match("in ([%d.]+) s")
t.ok(s and tonumber(s) < 2, "the cached build takes under 2 s (" .. tostring(s) .. " s)")
sh("touch " .. q(src .. "/chapters/cha/data.txt"))
s = book()
has(s, "0 run, 1 cached", "touching a file without changing it keeps the cache (content hash)")
write(src .. "/chapters/cha/data.txt", "hello 2\n")
s = book()
has(s, "1 run, 0 cached", "changing a file the lab reads reruns it")
has(read(out .. "/cha.html"), "data: hello 2", "the page shows the new output")
-- a module the lab requires counts as read
write(src .. "/chapters/cha/helper.lua", "return {word = 'alpha'}\n")
write(src .. "/chapters/cha/lab1.lua", read(src .. "/chapters/cha/lab1.lua")
      .. "print('helper: ' .. require('helper').word)\n")
s = book()
has(read(out .. "/cha.html"), "helper: alpha", "lab with a helper module")
write(src .. "/chapters/cha/helper.lua", "return {word = 'beta'}\n")
s = book()
has(s, "1 run, 0 cached", "changing a required module reruns the lab")
has(read(out .. "/cha.html"), "helper: beta", "and shows its effect")

-- ---- --quick -----------------------------------------------------------------
s, rc = book("--quick")
t.ok(rc == 0 and s:find("1 run, 0 cached", 1, true), "--quick results are cached apart")
has(read(out .. "/cha.html"), "quick=1", "--quick sets WORKBOOK_QUICK=1")
has(read(out .. "/cha.html"), "빠른 실행 모드", "the pages say so")
s = book()
has(s, "0 run, 1 cached", "the full result is still cached")
t.ok(not read(out .. "/cha.html"):find("빠른 실행 모드", 1, true), "and the notice is gone")

-- ---- a failing lab -------------------------------------------------------------
write(src .. "/chapters/chb/lab2.lua", "print('before')\nlocal x = nil\nlocal y = x.field\n")
write(src .. "/chapters/chb/index.md", read(src .. "/chapters/chb/index.md")
      .. "\n```lua include=lab2.lua run\n```\n")
sh("rm -rf " .. q(out))
s, rc = book()
t.is(rc, 1, "a failing lab fails the build")
has(s, "chapters/chb/lab2.lua:3: attempt to index a nil value (local 'x')", "file:line: message")
has(s, "stack traceback:", "and the traceback")
has(s, "book: 1 lab failed:\n  chapters/chb/lab2.lua:3:", "a summary at the end")
t.ok(not read(out .. "/chb.html"), "no pages without --keep-going")
s, rc = book()
t.ok(rc == 1 and s:find("running chapters/chb/lab2.lua", 1, true), "a failure is not cached")
t.ok(not s:find("running chapters/cha/lab1.lua", 1, true), "the good lab stays cached")

s, rc = book("--keep-going")
t.is(rc, 1, "--keep-going still exits non-zero")
local chb = read(out .. "/chb.html") or ""
has(chb, '<div class="lab-result failed" id="failed-chapters-chb-lab2-lua" data-lab="chapters/chb/lab2.lua">', "--keep-going marks the failure on the page")
has(chb, "chapters/chb/lab2.lua:3: attempt to index a nil value", "with the message")
has(chb, '실습 1개가 실행에 실패했습니다: <a href="#failed-chapters-chb-lab2-lua"><code>lab2.lua</code></a>', "and a notice on top linking to it")
has(read(out .. "/cha.html"), "data: hello 2", "the other pages are built")

-- ---- the timeout -----------------------------------------------------------------
write(src .. "/chapters/chb/lab2.lua", "print('spinning')\nwhile true do end\n")
local t1 = os.time()
s, rc = book("--timeout 1 --keep-going")
t.is(rc, 1, "a lab over its time fails")
has(s, "chapters/chb/lab2.lua: timed out after 1 s", "timeout message")
t.ok(os.time() - t1 < 15, "the child was killed")
has(read(out .. "/chb.html"), "timed out after 1 s", "timeout marked on the page")

-- ---- Ctrl-C stops the build and its lab -------------------------------------
local pidfile = base .. "/lab.pid"
write(src .. "/chapters/chb/lab2.lua", ([[
local pid = io.open("/proc/self/stat"):read("n")
local f = io.open(%q, "w"); f:write(pid); f:close()
while true do end
]]):format(pidfile))
s = sh(("exec 2>&1; %s book --src %s --out %s --timeout 60 & b=$!; "
  .. "for i in $(seq 100); do [ -s %s ] && break; sleep 0.1; done; "
  .. "kill -INT $b; wait $b; echo \"status=$?\"; sleep 0.2; "
  .. "kill -0 $(cat %s) 2>/dev/null && echo lab-alive || echo lab-gone")
  :format(q(bin), q(src), q(out), q(pidfile), q(pidfile)))
has(s, "workbook: interrupted during book: running chapters/chb/lab2.lua",
    "SIGINT stops the build and names the lab")
has(s, "status=130", "with status 128 + SIGINT")
has(s, "lab-gone", "and kills the running lab")

-- ---- two labs at once ------------------------------------------------------------
write(src .. "/chapters/chb/lab2.lua", "print('lab two')\n")
s, rc = book("--jobs 2 --cache " .. q(base .. "/cache2"))
t.ok(rc == 0 and s:find("2 run, 0 cached", 1, true), "--jobs 2 runs both labs")
has(read(out .. "/chb.html"), "lab two", "and shows both results")

-- ---- checks that fail the build ------------------------------------------------
local function broken(file, text, want, name)
  fresh_copy()
  local path = src .. "/" .. file
  write(path, (read(path) or "") .. text)
  local outp, code = book()
  t.ok(code ~= 0 and outp:find(want, 1, true) ~= nil, name)
  if code == 0 or not outp:find(want, 1, true) then t.diag(outp) end
end
broken("chapters/chb/index.md", "\n```lua include=missing.lua\n```\n",
       "chapters/chb/index.md:9: include: cannot read chapters/chb/missing.lua", "missing include: file:line")
broken("chapters/chb/index.md", "\n```lua include=../cha/lab1.lua anchor=nothere\n```\n",
       "chapters/chb/index.md:9: include: anchor 'nothere' not found in chapters/cha/lab1.lua", "missing anchor: file:line")
broken("chapters/chb/index.md", "\n[gone](../chz/index.md)\n",
       "chapters/chb/index.md:9: broken link: ../chz/index.md (no such file chapters/chz/index.md)", "broken link")
broken("chapters/chb/index.md", "\n[bad anchor](../cha/index.md#없는-절)\n",
       "chapters/chb/index.md:9: broken link: chapters/cha/index.md has no heading with id '없는-절'", "broken anchor")
broken("chapters/chb/index.md", "\n[here](#nowhere)\n",
       "chapters/chb/index.md:9: broken link: no heading with id 'nowhere' on this page", "broken local anchor")
broken("chapters/chb/index.md", "\n![pic](nope.png)\n",
       "chapters/chb/index.md:9: broken image: nope.png", "missing image")
broken("chapters/chb/index.md", "\n![pic](https://example.com/x.png)\n",
       "chapters/chb/index.md:9: image from the network", "remote image")
broken("book.md", "\n[셋째 장](chapters/chc/index.md)\n",
       "book.md:12: broken link: chapters/chc/index.md", "a table of contents entry without a file")

sh("rm -rf " .. q(base) .. " " .. q(tmp))
t.done()
