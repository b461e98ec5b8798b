-- book_theme.lua - the course book's stylesheet and script, kept here so
-- the binary carries them (runtime/lua is embedded) and `workbook book`
-- works from any folder. book.lua writes them to assets/.
local M = {}

M.css = [==[
/* book.css - the workbook course book (written by `workbook book`) */
:root {
  --text: #1f2328; --muted: #5b6470; --accent: #0a58a8; --accent-soft: #e8f1fb;
  --bg: #ffffff; --side: #f5f6f8; --border: #dfe3e8; --code-bg: #f6f8fa;
  --ok: #2f7d32; --bad: #c62828; --warn: #b26a00;
  --sans: "Noto Sans KR", "Noto Sans CJK KR", "NanumBarunGothic",
    "NanumGothic", "Nanum Gothic", "Apple SD Gothic Neo", "Malgun Gothic",
    "맑은 고딕", sans-serif;
  /* Latin monospace first: Korean fonts draw a backslash as the won
     sign, which would turn "\n" into "₩n"; Hangul falls back to them */
  --mono: "DejaVu Sans Mono", "Consolas", "Menlo", "D2Coding",
    "NanumGothicCoding", "Noto Sans Mono CJK KR", monospace;
  --side-width: 18rem; --fig-bg: #fff; --head-bg: #eef1f5; --hover: #e9ecf0;
  color-scheme: light dark;
}
/* dark mode, following the system setting; figures keep a light
   background (plots are drawn on white) */
@media screen and (prefers-color-scheme: dark) {
  :root {
    --text: #e4e7eb; --muted: #9aa4b0; --accent: #6cb0f5; --accent-soft: #16283d;
    --bg: #14171c; --side: #1b1f26; --border: #323843; --code-bg: #1d222a;
    --ok: #6cc070; --bad: #f07070; --warn: #e0a040;
    --fig-bg: #f4f5f7; --head-bg: #232932; --hover: #262c36;
  }
  .hljs { color: #d6dbe1; }
  .hljs-keyword, .hljs-selector-tag, .hljs-built_in { color: #ff7b72; }
  .hljs-string, .hljs-regexp { color: #a5d6ff; }
  .hljs-number, .hljs-literal { color: #79c0ff; }
  .hljs-comment, .hljs-quote { color: #8b949e; }
  .hljs-title, .hljs-section, .hljs-function { color: #d2a8ff; }
  .hljs-attr, .hljs-variable, .hljs-params { color: #ffa657; }
  figure.figure img, .markdown-cell img { background: var(--fig-bg); }
  .katex { color: var(--text); }
  .callout-tip { background: #16281a; } .callout-important { background: #241a33; }
  .callout-warning { background: #2e2414; } .callout-caution { background: #301818; }
  .lab-result.failed { background: #2a1818; }
  details.solution { background: #2a2614; }
  .notice.quick { background: #2e2414; color: #f0d48a; border-color: #6b4a00; }
  .notice.failed { background: #301818; color: #f2b8b8; border-color: #8a1c1c; }
  .notice.instructor { background: #16283d; color: #9db8ec; border-color: #1d3f7a; }
  #wb-results mark { background: #5a4a00; }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--text); background: var(--bg);
  font-family: var(--sans); font-size: 17px; line-height: 1.8;
  word-break: keep-all; overflow-wrap: break-word;
}
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }

/* ---- sidebar ---- */
.sidebar {
  position: fixed; top: 0; left: 0; bottom: 0; width: var(--side-width);
  overflow-y: auto; background: var(--side); border-right: 1px solid var(--border);
  padding: 1.5rem 1.1rem 2rem; font-size: 0.92rem; line-height: 1.5;
}
.book-title {
  display: block; font-weight: 700; font-size: 1.15rem; color: var(--text);
  margin-bottom: 1rem; line-height: 1.4;
}
.toc, .toc ol { list-style: none; margin: 0; padding: 0; }
.toc > li { margin: 0.15rem 0; }
.toc > li > a {
  display: block; padding: 0.35rem 0.6rem; border-radius: 6px; color: var(--text);
}
.toc > li > a:hover { background: var(--hover); text-decoration: none; }
.toc > li.current > a { background: var(--accent); color: #fff; font-weight: 600; }
.toc .sections { margin: 0.4rem 0 0.6rem 0.6rem; border-left: 2px solid var(--border); }
.toc .sections a {
  display: block; padding: 0.2rem 0.7rem; color: var(--muted); font-size: 0.88rem;
}
.toc .sections a:hover { color: var(--accent); }
.print-link {
  display: block; margin-top: 1.5rem; padding-top: 0.8rem;
  border-top: 1px solid var(--border); color: var(--muted); font-size: 0.85rem;
}
.search { position: relative; margin-bottom: 1rem; }
.search input {
  width: 100%; padding: 0.45rem 0.7rem; border: 1px solid var(--border);
  border-radius: 6px; font: inherit; background: var(--bg); color: var(--text);
}
.search input:focus { outline: 2px solid var(--accent-soft); border-color: var(--accent); }
#wb-results {
  list-style: none; margin: 0.4rem 0 0; padding: 0; max-height: 60vh; overflow-y: auto;
  background: var(--bg); border: 1px solid var(--border); border-radius: 6px;
}
#wb-results li a { display: block; padding: 0.45rem 0.7rem; border-bottom: 1px solid var(--border); color: var(--text); }
#wb-results li a:hover, #wb-results li a.active { background: var(--accent-soft); text-decoration: none; }
#wb-results b { display: block; font-size: 0.9rem; }
#wb-results small { color: var(--muted); font-size: 0.78rem; }
#wb-results span { display: block; color: var(--muted); font-size: 0.8rem; }
#wb-results mark { background: #fff2a8; color: inherit; }
#wb-results .none { padding: 0.5rem 0.7rem; color: var(--muted); }
.nav-button { display: none; }

/* ---- content ---- */
main { margin-left: var(--side-width); padding: 2.5rem 3rem 4rem; }
.content, .pager, .notice, main.print > * { max-width: 48rem; margin-left: auto; margin-right: auto; }
.content h1, .content h2, .content h3, .content h4 { line-height: 1.4; position: relative; }
.content h1 { font-size: 2rem; margin: 0 0 1.5rem; padding-bottom: 0.6rem; border-bottom: 2px solid var(--text); }
.content h2 { font-size: 1.5rem; margin: 3rem 0 1rem; padding-top: 1rem; border-top: 1px solid var(--border); }
.content h3 { font-size: 1.2rem; margin: 2.2rem 0 0.8rem; }
.content h4 { font-size: 1.05rem; margin: 1.8rem 0 0.6rem; }
.anchor { margin-left: 0.4rem; color: #b6bdc6; opacity: 0; font-weight: 400; }
h1:hover .anchor, h2:hover .anchor, h3:hover .anchor, h4:hover .anchor,
.anchor:focus { opacity: 1; }
@media (hover: none) { .anchor { opacity: 0.7; padding: 0 0.3rem; } }
/* a jump to an anchor leaves room above the target (the ☰ button) */
[id] { scroll-margin-top: 1rem; }
.content p, .content li { text-align: left; }
.content strong { font-weight: 700; }
.content img { max-width: 100%; height: auto; }
img.pixelated { image-rendering: pixelated; image-rendering: crisp-edges; }
:not(pre) > code { overflow-wrap: anywhere; }
.hljs-comment, .hljs-quote { font-style: normal !important; }  /* no fake italic Hangul */
blockquote {
  margin: 1.5rem 0; padding: 0.8rem 1.2rem; background: var(--accent-soft);
  border-left: 4px solid var(--accent); border-radius: 0 6px 6px 0;
}
blockquote p { margin: 0.3rem 0; }
code { font-family: var(--mono); font-size: 0.88em; }
:not(pre) > code {
  background: var(--code-bg); border: 1px solid var(--border); border-radius: 4px; padding: 0.08em 0.35em;
}
pre {
  background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px;
  padding: 0.9rem 1.1rem; overflow-x: auto; line-height: 1.55; font-size: 0.9rem;
  word-break: normal;
}
pre code.hljs, pre code { background: transparent; padding: 0; }
pre code.hljs { color: inherit; }
figure { margin: 1.5rem 0; }
figure.code pre { margin: 0; border-radius: 0 0 6px 6px; }
figure.code figcaption {
  font-family: var(--mono); font-size: 0.8rem; color: var(--muted);
  background: var(--head-bg); border: 1px solid var(--border); border-bottom: 0;
  border-radius: 6px 6px 0 0; padding: 0.3rem 0.9rem;
}
.anchor-name { color: #8a929c; }
.table-wrap { overflow-x: auto; margin: 1.5rem 0; }
table { border-collapse: collapse; font-size: 0.92rem; line-height: 1.55; min-width: 60%; }
th, td { border: 1px solid var(--border); padding: 0.45rem 0.75rem; vertical-align: top; }
th { background: var(--head-bg); font-weight: 600; }
tbody tr:nth-child(even) { background: var(--side); }
hr { border: 0; border-top: 1px solid var(--border); margin: 2.5rem 0; }
.math.display, .katex-display { overflow-x: auto; overflow-y: hidden; }
div.math.display { margin: 1.2rem 0; }
span.math.display { display: block; text-align: center; }
.math-error { color: var(--bad); font-family: var(--mono); }

/* ---- lab results ---- */
.lab-result {
  margin: -0.6rem 0 2rem; border: 1px solid var(--border); border-top: 3px solid var(--ok);
  border-radius: 0 0 6px 6px; background: var(--side); padding: 0.6rem 1rem 1rem;
}
.lab-head { font-size: 0.85rem; font-weight: 700; color: var(--ok); margin-bottom: 0.5rem; }
.lab-meta { font-weight: 400; color: var(--muted); margin-left: 0.5rem; }
.lab-output {
  background: #1f2430; color: #e3e6eb; border: 0; font-size: 0.82rem;
  white-space: pre-wrap; overflow-wrap: anywhere;   /* long lines wrap */
}
.lab-result.failed { border-top-color: var(--bad); background: #fff7f7; }
.lab-result.failed .lab-head { color: var(--bad); }
/* figures at their natural size, never wider than the column */
.figures { display: flex; flex-wrap: wrap; gap: 0.9rem; align-items: flex-start; }
.lab-figure {
  margin: 0; background: var(--fig-bg); border: 1px solid var(--border); border-radius: 6px;
  padding: 0.5rem; max-width: 100%;
}
.lab-figure img { display: block; max-width: 100%; height: auto; border-radius: 3px; margin: 0 auto; }
.lab-figure figcaption {
  font-size: 0.85rem; color: var(--muted); text-align: center; margin-top: 0.35rem;
}
.lab-figure figcaption .file { font-family: var(--mono); font-size: 0.75rem; word-break: break-all; }
a.zoom { cursor: zoom-in; }
.lightbox {
  position: fixed; inset: 0; z-index: 50; background: rgba(0, 0, 0, 0.85);
  display: flex; align-items: center; justify-content: center; cursor: zoom-out;
}
.lightbox img { max-width: 96vw; max-height: 94vh; background: #fff; }

/* ---- notebook: cells, figures, numbers, callouts ---- */
.lab-banner {
  display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; align-items: baseline;
  margin: 2rem 0 0.6rem; padding: 0.4rem 0.8rem; border-left: 4px solid var(--ok);
  background: var(--side); border-radius: 0 6px 6px 0; font-size: 0.88rem;
}
.lab-banner .lab-name { font-family: var(--mono); font-weight: 700; }
.lab-banner .download { font-weight: 600; }
.markdown-cell { margin: 1.2rem 0; }
figure.figure, figure.table-figure { text-align: center; }
figure.figure img { max-width: 100%; height: auto; }
figure.figure figcaption, figure.table-figure figcaption {
  font-size: 0.92rem; color: var(--muted); margin: 0.4rem 0;
}
figure.table-figure .table-wrap { margin: 0.4rem 0; text-align: left; }
.label-num { font-weight: 700; color: var(--text); }
.secnum { color: var(--muted); margin-right: 0.2rem; }
.equation { display: flex; align-items: center; gap: 0.8rem; }
.equation > .math.display { flex: 1; min-width: 0; }
.eqno { flex: none; color: var(--muted); }
.value { font-variant-numeric: tabular-nums; }
.value.missing, .xref.missing { color: var(--bad); }
.callout {
  margin: 1.5rem 0; padding: 0.6rem 1.1rem; border-left: 4px solid var(--accent);
  background: var(--accent-soft); border-radius: 0 6px 6px 0;
}
.callout > p { margin: 0.35rem 0; }
.callout-title { font-weight: 700; }
.callout-tip { border-left-color: var(--ok); background: #ecf6ed; }
.callout-tip .callout-title { color: var(--ok); }
.callout-important { border-left-color: #6f42c1; background: #f3eefb; }
.callout-important .callout-title { color: #6f42c1; }
.callout-warning { border-left-color: var(--warn); background: #fff6e0; }
.callout-warning .callout-title { color: var(--warn); }
.callout-caution { border-left-color: var(--bad); background: #fdecec; }
.callout-caution .callout-title { color: var(--bad); }
.callout-note .callout-title { color: var(--accent); }
details.output-fold > summary { cursor: pointer; color: var(--muted); font-size: 0.85rem; margin: 0.2rem 0; }
details.output-fold .lab-output { margin-bottom: 0.3rem; }

/* ---- exercises ---- */
.exercises { margin-top: 3rem; }
.exercise { margin: 1.5rem 0 2.5rem; }
.exercise-text p { white-space: pre-wrap; margin: 0.6rem 0; }
.exercise-links { font-size: 0.92rem; }
.exercise-links .download { font-weight: 600; }
details.solution { margin: 1rem 0; border: 1px dashed #c9a227; border-radius: 6px; padding: 0.5rem 1rem; background: #fffdf3; }
details.solution > summary { cursor: pointer; font-weight: 700; color: #6b4a00; }
details.solution .lab-result { margin-top: 0; }

/* ---- notices and pager ---- */
.notice { padding: 0.7rem 1rem; border-radius: 6px; margin-bottom: 1.5rem; font-size: 0.92rem; }
.notice.quick { background: #fff6e0; border: 1px solid #f0d48a; color: #6b4a00; }
.notice.failed { background: #fdecec; border: 1px solid #f2b8b8; color: #8a1c1c; }
.notice.instructor { background: #eef4ff; border: 1px solid #9db8ec; color: #1d3f7a; }
.pager { display: flex; gap: 1rem; margin-top: 4rem; padding-top: 1.5rem; border-top: 1px solid var(--border); }
.pager a {
  flex: 1; display: block; padding: 0.8rem 1rem; border: 1px solid var(--border);
  border-radius: 8px; color: var(--text); line-height: 1.45;
}
.pager a:hover { border-color: var(--accent); text-decoration: none; }
.pager span { display: block; font-size: 0.8rem; color: var(--muted); }
.pager .next { text-align: right; margin-left: auto; }

/* ---- print.html ---- */
main.print { margin-left: 0; }
.cover { text-align: center; padding: 6rem 0 3rem; }
.cover-title { font-size: 2.2rem; }
.print-toc { text-align: left; display: inline-block; font-size: 1.1rem; }
.print-toc > li { margin: 0.6rem 0; font-weight: 600; }
.print-sections { font-size: 0.9rem; font-weight: 400; list-style: none; padding-left: 1.2rem; }
.print-page .chapter { border-top: 3px double var(--border); margin-top: 3rem; }
.print-page .chapter h1, .print-page .chapter h2, .print-page .chapter h3 { line-height: 1.4; }

.toc .sections a.active { color: var(--accent); font-weight: 700; border-left: 2px solid var(--accent); margin-left: -2px; }

/* ---- small screens ---- */
@media (max-width: 900px) {
  .sidebar {
    transform: translateX(-100%); transition: transform 0.2s; z-index: 10;
    box-shadow: 2px 0 12px rgba(0,0,0,.1); padding-top: 3.6rem;   /* below the ☰ button */
  }
  [id] { scroll-margin-top: 3.8rem; }
  #wb-nav-toggle:checked ~ .sidebar { transform: none; }
  .nav-button {
    display: block; position: fixed; top: 0.6rem; left: 0.6rem; z-index: 11;
    background: var(--bg); color: var(--text); border: 1px solid var(--border); border-radius: 6px;
    padding: 0.1rem 0.6rem; font-size: 1.3rem; cursor: pointer;
  }
  main { margin-left: 0; padding: 3.5rem 1.1rem 3rem; }
  body { font-size: 16px; }
}

/* ---- paper ---- */
@page {
  size: A4; margin: 18mm 16mm 20mm;
  @bottom-center { content: counter(page); font-family: var(--sans); font-size: 9pt; color: #666; }
}
@page :first { @bottom-center { content: none; } }
@media print {
  body { font-size: 10.5pt; line-height: 1.65; background: #fff; }
  .sidebar, .nav-button, .pager, .anchor, .print-link { display: none !important; }
  main { margin: 0; padding: 0; }
  .content, .notice, main.print > * { max-width: none; }
  a { color: inherit; }
  pre, .lab-output { white-space: pre-wrap; max-height: none; overflow: visible; }
  .lab-output { background: #f4f5f7; color: #000; border: 1px solid #ccc; }
  .lab-figure, tr, .math.display, blockquote { break-inside: avoid; }
  pre { break-inside: auto; }
  h1, h2, h3, h4 { break-after: avoid; }
  .print-page .chapter { break-before: page; border: 0; margin: 0; }
  .cover { break-after: page; }
  .content h2 { border-top: 0; margin-top: 1.8rem; }
  .figures { grid-template-columns: repeat(3, 1fr); }
}
]==]

M.js = [==[
/* book.js - the workbook course book: typeset math with KaTeX, colour
 * code with highlight.js, search the pages (character bigrams, so Korean
 * words match without a morphological analyser). */
(function () {
  "use strict";

  function renderMath() {
    var els = document.querySelectorAll(".math"), done = 0;
    if (!window.katex) return 0;
    for (var i = 0; i < els.length; i++) {
      var el = els[i], tex = el.textContent;
      try {
        katex.render(tex, el, {
          displayMode: el.classList.contains("display"),
          throwOnError: true, strict: "ignore"
        });
        done++;
      } catch (e) {
        el.classList.add("math-error");
        el.title = String(e && e.message || e);
        el.textContent = tex;
      }
    }
    return done;
  }

  function highlight() {
    if (!window.hljs) return;
    var blocks = document.querySelectorAll("pre code[class*='language-']");
    for (var i = 0; i < blocks.length; i++) {
      var m = /language-([\w-]+)/.exec(blocks[i].className);
      if (m && hljs.getLanguage(m[1])) hljs.highlightBlock(blocks[i]);
    }
  }

  /* ---- search ---- */
  function squash(s) { return s.toLowerCase().replace(/\s+/g, ""); }
  function bigrams(s) {
    var g = [];
    if (s.length < 2) return s ? [s] : [];
    for (var i = 0; i + 1 < s.length; i++) g.push(s.substr(i, 2));
    return g;
  }
  var prepared = null;
  function prepare() {
    if (prepared) return prepared;
    prepared = (window.WB_SEARCH || []).map(function (it) {
      return { it: it, title: squash(it.t), text: squash(it.t + " " + it.b) };
    });
    return prepared;
  }
  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }
  function snippet(body, q) {
    var lower = body.toLowerCase(), at = lower.indexOf(q.toLowerCase()), len = q.length;
    if (at < 0) {
      var g = bigrams(squash(q));
      for (var i = 0; i < g.length && at < 0; i++) { at = lower.indexOf(g[i]); len = 2; }
    }
    if (at < 0) return escapeHtml(body.slice(0, 80));
    var from = Math.max(0, at - 30), to = Math.min(body.length, at + len + 50);
    return (from > 0 ? "…" : "") + escapeHtml(body.slice(from, at)) + "<mark>" +
      escapeHtml(body.slice(at, at + len)) + "</mark>" +
      escapeHtml(body.slice(at + len, to)) + (to < body.length ? "…" : "");
  }
  function search(q) {
    var sq = squash(q), grams = bigrams(sq), found = [];
    if (!sq) return found;
    prepare().forEach(function (p) {
      var hit = 0;
      for (var i = 0; i < grams.length; i++) if (p.text.indexOf(grams[i]) >= 0) hit++;
      var score = hit / grams.length;
      if (p.text.indexOf(sq) >= 0) score += 1;
      if (p.title.indexOf(sq) >= 0) score += 2;
      if (score >= 0.75) found.push({ p: p, score: score });
    });
    found.sort(function (a, b) { return b.score - a.score; });
    return found.slice(0, 25);
  }
  function setupSearch() {
    var input = document.getElementById("wb-search");
    var list = document.getElementById("wb-results");
    if (!input || !list) return;
    function show() {
      var q = input.value.trim();
      if (!q) { list.hidden = true; list.innerHTML = ""; return; }
      var res = search(q);
      list.innerHTML = res.length ? res.map(function (r) {
        var it = r.p.it;
        return '<li><a href="' + escapeHtml(it.u) + '"><b>' + escapeHtml(it.t) +
          "</b><small>" + escapeHtml(it.p) + "</small><span>" +
          snippet(it.b, q) + "</span></a></li>";
      }).join("") : '<li class="none">찾은 결과가 없습니다</li>';
      list.hidden = false;
    }
    input.addEventListener("input", show);
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        var first = list.querySelector("a");
        if (first) window.location.href = first.getAttribute("href");
      } else if (e.key === "Escape") {
        input.value = ""; show();
      }
    });
  }

  /* ---- figures: small images scaled up by a whole factor, pixels kept
     sharp; a click shows the picture over the page ---- */
  var SMALL = 256, TARGET = 384;
  function scaleImage(img) {
    var w = img.naturalWidth, h = img.naturalHeight;
    if (!w || w >= SMALL || h >= SMALL || /\.svg$/i.test(img.getAttribute("src"))) return;
    var box = img.closest(".content") || document.body;
    var room = Math.min(box.clientWidth - 40, TARGET);
    var k = Math.floor(room / Math.max(w, h / 1.5));
    if (k < 2) return;
    img.style.width = w * k + "px";
    img.classList.add("pixelated");
    img.setAttribute("data-scale", String(k));
  }
  function setupFigures() {
    var imgs = document.querySelectorAll(".lab-figure img, figure.figure img");
    for (var i = 0; i < imgs.length; i++) {
      var img = imgs[i];
      if (img.complete) scaleImage(img);
      else img.addEventListener("load", scaleImage.bind(null, img));
    }
    document.addEventListener("click", function (e) {
      var a = e.target.closest && e.target.closest("a.zoom, figure.figure img");
      if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
      e.preventDefault();
      var src = a.tagName === "A" ? a.getAttribute("href") : a.getAttribute("src");
      var box = document.createElement("div"), big = document.createElement("img");
      box.className = "lightbox";
      big.src = src;
      big.alt = "";
      big.onload = function () {
        var k = Math.floor(Math.min(window.innerWidth * 0.96 / big.naturalWidth,
                                    window.innerHeight * 0.94 / big.naturalHeight));
        if (k >= 2) { big.style.width = big.naturalWidth * k + "px"; big.classList.add("pixelated"); }
      };
      box.appendChild(big);
      function close() { box.remove(); document.removeEventListener("keydown", esc); }
      function esc(ev) { if (ev.key === "Escape") close(); }
      box.addEventListener("click", close);
      document.addEventListener("keydown", esc);
      document.body.appendChild(box);
    });
  }

  /* ---- the sidebar marks the section being read ---- */
  function setupSpy() {
    var links = document.querySelectorAll(".toc .sections a");
    if (!links.length) return;
    var heads = [];
    for (var i = 0; i < links.length; i++) {
      var id = decodeURIComponent(links[i].getAttribute("href").slice(1));
      var h = document.getElementById(id);
      if (h) heads.push({ h: h, a: links[i] });
    }
    var current = null;
    function update() {
      var best = heads.length ? heads[0] : null;
      for (var i = 0; i < heads.length; i++)
        if (heads[i].h.getBoundingClientRect().top < 90) best = heads[i];
      var doc = document.documentElement;   /* at the very end: the last one */
      if (heads.length && window.innerHeight + window.scrollY >= doc.scrollHeight - 2) {
        for (var j = heads.length - 1; j >= 0; j--)
          if (heads[j].h.getBoundingClientRect().top < window.innerHeight) { best = heads[j]; break; }
      }
      if (best === current) return;
      if (current) current.a.classList.remove("active");
      if (best) best.a.classList.add("active");
      current = best;
    }
    window.addEventListener("scroll", update, { passive: true });
    window.addEventListener("hashchange", update);
    update();
    window.WB_spy = update;
  }

  var n = renderMath();
  highlight();
  setupSearch();
  setupFigures();
  setupSpy();
  document.documentElement.setAttribute("data-math-rendered", String(n));
  window.WB = { search: search, bigrams: bigrams };
})();
]==]

return M
