-- book_browser.lua - open built book pages in headless Chromium and check
-- what a reader sees: KaTeX typeset every formula (no errors, its fonts
-- loaded from the book's folder), every image loaded, Lua was coloured,
-- the search finds Korean words, and nothing came from the network (host
-- names resolve nowhere, and every resource the page loaded is a file:
-- URL). Pages: the fixture book, and the real book built with --quick.
--
-- Chromium is big, so it is not part of `make deps`: when it is missing
-- this test installs it with `scripts/deps.sh browser`. Under the
-- sanitizer run (ASAN_OPTIONS set) the test is skipped: it checks HTML,
-- not memory, and the plain run already did it.
local t = require "tap"
local sh, q, read = t.sh, t.q, t.read
local bin = os.getenv("WORKBOOK") or "./workbook"
if bin:sub(1, 1) ~= "/" then bin = os.getenv("PWD") .. "/" .. bin end

if os.getenv("ASAN_OPTIONS") then
  print("1..0 # SKIP browser test runs in the plain build only")
  os.exit(0)
end

local function find_chromium()
  for _, name in ipairs {"chromium", "chromium-browser"} do
    local path = sh("command -v " .. name):match("^(/%S+)")
    if path then return path end
  end
end

local chromium = find_chromium()
if not chromium then
  io.stderr:write("# chromium missing: installing it (scripts/deps.sh browser)\n")
  sh("sh scripts/deps.sh browser")
  chromium = find_chromium()
end
if not chromium then
  if os.getenv("CI") then
    t.ok(false, "chromium could not be installed")
    t.done()
  end
  print("1..0 # SKIP chromium is not installed (sh scripts/deps.sh browser)")
  os.exit(0)
end

local tmp = os.tmpname()
local base = tmp .. "_browser"

-- Appended to a copy of each page: gathers what rendered into the DOM,
-- where --dump-dom shows it.
local PROBE = [[
<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var r = {}, n = 0;
    r.math = document.querySelectorAll(".math").length;
    r.katex = document.querySelectorAll(".math > .katex, .math > .katex-display").length;
    r.errors = document.querySelectorAll(".math-error, .katex-error").length;
    var imgs = document.images;
    r.images = imgs.length;
    for (var i = 0; i < imgs.length; i++) if (imgs[i].complete && imgs[i].naturalWidth > 0) n++;
    r.loaded = n;
    // every element that fetches points at a file: URL, and the page's
    // Content-Security-Policy (file: only) saw no attempt to go elsewhere
    var urls = [], remote = 0;
    document.querySelectorAll("script[src], img, link[href], iframe, source, video, audio")
      .forEach(function (e) { urls.push(e.src || e.href); });
    urls.forEach(function (u) { if (u.indexOf("file:") !== 0) remote++; });
    r.resources = urls.length;
    r.remote = remote;
    r.violations = window.WB_VIOLATIONS.length;
    var fonts = 0;
    document.fonts.forEach(function (f) {
      if (f.family.indexOf("KaTeX") >= 0 && f.status === "loaded") fonts++;
    });
    r.katexfonts = fonts;
    r.hljs = document.querySelectorAll("code.hljs").length;
    r.search = window.WB ? window.WB.search("합성곱").length + window.WB.search("둘째 절").length : -1;
    var text = document.querySelector("main").cloneNode(true);
    text.querySelectorAll("pre, code, .katex, script").forEach(function (e) { e.remove(); });
    r.rawmath = /\$[^\s$][^$]*[^\s$]\$/.test(text.textContent) ? 1 : 0;
    // no sideways scroll of the page itself (a formula or table scrolls
    // in its own box); the widest offenders named for the diagnosis
    var doc = document.documentElement, W = doc.clientWidth, wide = [];
    r.hscroll = doc.scrollWidth - W;
    if (r.hscroll > 0) {
      document.querySelectorAll("main *").forEach(function (e) {
        var b = e.getBoundingClientRect();
        if (b.right > W + 1 && wide.length < 4) {
          var p = e.parentElement, inside = false;
          for (; p && p !== doc; p = p.parentElement)
            if (/(auto|scroll|hidden)/.test(getComputedStyle(p).overflowX)) inside = true;
          if (!inside) wide.push(e.tagName + "." + e.className + " " + Math.round(b.right - W));
        }
      });
    }
    r.wide = wide.join(", ");
    // the sidebar marks the section scrolled to
    var links = document.querySelectorAll(".toc .sections a");
    r.sections = links.length;
    r.spy = -1;
    if (links.length > 1 && window.WB_spy) {
      var last = links[links.length - 1];
      var h = document.getElementById(decodeURIComponent(last.getAttribute("href").slice(1)));
      h.scrollIntoView();
      window.WB_spy();
      r.spy = last.classList.contains("active") ? 1 : 0;
      window.scrollTo(0, 0);
      window.WB_spy();
    }
    // dark mode follows the system setting
    var bg = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
    r.dark = bg[0] + bg[1] + bg[2] < 150 ? 1 : 0;
    // an instructor build's solutions open and close
    var sol = document.querySelectorAll("details.solution");
    r.solutions = sol.length;
    r.toggled = 0;
    sol.forEach(function (d) {
      var was = d.open;
      d.querySelector("summary").click();
      if (d.open !== was && (!d.open || d.querySelector("pre").offsetHeight > 0)) r.toggled++;
    });
    r.width = doc.clientWidth;
    // in a narrow frame (a phone's width) the result goes to the host page
    var host = window.parent !== window ? window.parent.document : document;
    var pre = host.createElement("pre");
    pre.id = "wb-probe";
    pre.textContent = "PROBE " + JSON.stringify(r).replace(/\n/g, " ") + " END";
    host.body.appendChild(pre);
  }, 300);
});
</script>
]]

-- Put first in <head>: only file: URLs may load; an attempt at anything
-- else is blocked and counted.
local GUARD = [[
<meta http-equiv="Content-Security-Policy" content="default-src file: 'unsafe-inline'">
<script>
window.WB_VIOLATIONS = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.WB_VIOLATIONS.push(e.blockedURI + " (" + e.violatedDirective + ")");
});
</script>
]]

local function probe(dir, page, width, flags)
  local html = assert(read(dir .. "/" .. page), page)
  local copy = dir .. "/_probe_" .. page
  local f = assert(io.open(copy, "wb"))
  html = html:gsub("<head>", function() return "<head>\n" .. GUARD end, 1)
  f:write((html:gsub("</body>", function() return PROBE .. "</body>" end)))
  f:close()
  -- Chromium's window is at least ~500 px wide: a phone's width is a
  -- frame of that width in a host page
  local target = copy
  if (width or 1280) < 500 then
    target = dir .. "/_frame_" .. page
    local h = assert(io.open(target, "wb"))
    h:write(('<!DOCTYPE html><html><body style="margin:0"><iframe src="%s" width="%d" '
      .. 'height="844" style="border:0"></iframe></body></html>'):format("_probe_" .. page, width))
    h:close()
  end
  local dom = sh(("timeout 90 %s --headless --no-sandbox --disable-gpu "
    .. "--disable-background-networking --disable-component-update --disable-sync "
    .. "--no-first-run --disable-extensions --user-data-dir=%s "
    .. "--host-resolver-rules='MAP * ~NOTFOUND' --virtual-time-budget=10000 "
    .. "--allow-file-access-from-files --window-size=%d,900 %s --dump-dom %s"):format(
    q(chromium), q(base .. "/profile"), math.max(width or 1280, 800), flags or "",
    q("file://" .. target)))
  os.remove(copy)
  if target ~= copy then os.remove(target) end
  local json = dom:match("PROBE (%b{}) END")
  local r = {}
  for k, v in (json or ""):gmatch('"(%w+)":(%-?%d+)') do r[k] = tonumber(v) end
  r.wide = (json or ""):match('"wide":"([^"]*)"')
  if not json then t.diag("no probe result for " .. page .. ": " .. dom:sub(1, 500)) end
  return r
end

local function check(dir, page, want)
  local r = probe(dir, page, want.width)
  local name = ("%s at %d px: "):format(page, want.width or 1280)
  t.ok((r.math or 0) >= (want.math or 1) and r.katex == r.math,
       name .. ("KaTeX typeset every formula (%s of %s)"):format(r.katex, r.math))
  t.is(r.errors, 0, name .. "no KaTeX errors")
  t.is(r.rawmath, 0, name .. "no raw $...$ left in the text")
  t.ok((r.katexfonts or 0) > 0, name .. "KaTeX fonts loaded from the book (" .. tostring(r.katexfonts) .. ")")
  t.ok(r.images == r.loaded and r.images >= (want.images or 0),
       name .. ("every image loaded (%s of %s)"):format(r.loaded, r.images))
  t.ok((r.resources or 0) > 0 and r.remote == 0,
       name .. ("every resource is a file: URL (%s, %s not)"):format(r.resources, r.remote))
  t.is(r.violations, 0, name .. "nothing fetched from the network (CSP: file: only)")
  if want.hljs then t.ok((r.hljs or 0) >= want.hljs, name .. "Lua highlighted") end
  t.ok((r.search or 0) > 0, name .. "search finds Korean words")
  local w = want.width or 1280     -- less a scrollbar when the page scrolls
  t.ok(r.width and r.width <= w and r.width >= w - 20,
       name .. ("the page is that wide (%s px inside)"):format(r.width))
  t.is(r.hscroll, 0, name .. "no sideways scroll of the page")
  if (r.hscroll or 0) > 0 then t.diag("too wide: " .. tostring(r.wide)) end
  if (r.sections or 0) > 1 then
    t.is(r.spy, 1, name .. "the sidebar marks the section scrolled to")
  end
  t.is(r.dark, 0, name .. "light by default")
  if want.solutions then
    t.ok(r.solutions >= want.solutions and r.toggled == r.solutions,
         name .. ("every solution opens (%s of %s)"):format(r.toggled, r.solutions))
  end
  return r
end

-- Dark mode when the system asks for it.
local function check_dark(dir, page)
  local r = probe(dir, page, 390, "--blink-settings=preferredColorScheme=0 --force-dark-mode")
  t.is(r.dark, 1, page .. ": dark when the system prefers dark")
  t.is(r.hscroll, 0, page .. ": dark, 390 px: no sideways scroll")
end

-- The stylesheets may only point at files beside them.
local function css_urls_relative(dir)
  local bad = {}
  local p = io.popen("find " .. q(dir) .. " -name '*.css'")
  for path in p:lines() do
    for u in (read(path) or ""):gmatch("url%(%s*[\"']?([^\"')]+)") do
      if u:match("^%a[%w+.-]*:") or u:match("^/") then bad[#bad + 1] = path .. ": " .. u end
    end
  end
  p:close()
  return bad
end

-- the fixture book
sh("rm -rf " .. q(base) .. " && mkdir -p " .. q(base) .. " && cp -r tests/fixtures/book " .. q(base .. "/src"))
local out = base .. "/out"
local s, rc = sh(q(bin) .. " book --src " .. q(base .. "/src") .. " --out " .. q(out))
t.is(rc, 0, "fixture book built")
if rc ~= 0 then t.diag(s) end
local bad = css_urls_relative(out)
t.is(#bad, 0, "stylesheets use relative URLs only")
for _, b in ipairs(bad) do t.diag(b) end
for _, width in ipairs {1280, 390} do
  check(out, "index.html", {math = 3, width = width})
  check(out, "cha.html", {math = 5, images = 3, hljs = 3, width = width})
  check(out, "chb.html", {math = 1, width = width})
  check(out, "print.html", {math = 9, images = 3, hljs = 3, width = width})
end
check_dark(out, "cha.html")

-- the instructor's edition: a solution opens and closes
local ex = base .. "/src/chapters/cha/exercises/"
os.execute("mkdir -p " .. q(ex))
local function put(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end
put(ex .. "ex1.lua", "-- 연습 A-1: 더하기\n-- exercise: cha/ex1\n--\n-- add를 완성하세요.\n\nfunction add(a, b)\n  return nil\nend\n")
put(ex .. "ex1.check.lua", "return {checks = {{name = '합', run = function(s, c) c.equal(s.add(1, 2), 3, '1 + 2') end}}}\n")
put(ex .. "ex1.solution.lua", "-- exercise: cha/ex1\nfunction add(a, b)\n  return a + b\nend\n")
s, rc = sh(q(bin) .. " book --solutions --src " .. q(base .. "/src") .. " --out " .. q(base .. "/instr"))
t.is(rc, 0, "the fixture book's instructor edition builds")
if rc ~= 0 then t.diag(s) end
check(base .. "/instr", "cha.html", {math = 5, images = 3, width = 390, solutions = 1})

-- --pdf: the whole book as a PDF through Chromium, one chapter a page
-- or more, page numbers and the outline
s, rc = sh(q(bin) .. " book --pdf --src " .. q(base .. "/src") .. " --out " .. q(out))
t.is(rc, 0, "--pdf builds")
if rc ~= 0 then t.diag(s) end
local pdf = read(out .. "/book.pdf") or ""
t.is(pdf:sub(1, 5), "%PDF-", "book.pdf is a PDF")
local npages = 0
for _ in pdf:gmatch("/Type%s*/Page[^s]") do npages = npages + 1 end
t.ok(npages >= 3, ("cover and chapters on their own pages (%d pages)"):format(npages))
t.ok(pdf:find("/Outlines", 1, true) ~= nil, "the PDF has an outline (bookmarks)")
local has_file = io.open(out .. "/.book.pdf.tmp") ~= nil
t.ok(not has_file, "no temporary file left")

-- the real book (labs in --quick mode, to stay fast)
local real = base .. "/real"
-- (the lab results are cached where `./workbook book --quick` keeps them)
s, rc = sh(q(bin) .. " book --quick --keep-going --timeout 600 --out " .. q(real)
           .. " --cache build/book-cache")
t.is(rc, 0, "the real book builds (--quick)")
if rc ~= 0 then t.diag(s) end
local pages, seen = {}, {}
for name in (read(real .. "/index.html") or ""):gmatch('<li[^>]*><a href="([%w_%-]+%.html)"') do
  if not seen[name] then pages[#pages + 1] = name; seen[name] = true end
end
t.ok(#pages >= 2, "the real book has chapters")
for _, width in ipairs {1280, 390} do
  for _, page in ipairs(pages) do
    if page ~= "index.html" then
      check(real, page, {math = 1, width = width})
    end
  end
  check(real, "print.html", {math = 1, width = width})
end

sh("rm -rf " .. q(base) .. " " .. q(tmp))
t.done()
