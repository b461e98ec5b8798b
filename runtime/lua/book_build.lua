-- book_build.lua - `workbook book`: turn book.md and chapters/*/index.md into the
-- HTML course book. C (book.core, runtime/bookmd.c) parses each page with
-- cmark-gfm and returns its HTML with tokens for links, images and lab
-- runs; this file checks and rewrites those, runs the labs (cached by
-- content hash, see the Cache section), lays out the pages and copies
-- KaTeX and highlight.js from their Debian packages.
local core = require "book.core"
local sys = require "sys"
local theme = require "book_theme"

local M = {}

local USAGE = [[
usage: workbook book [OPTIONS]

Build the HTML course book from book.md and chapters/*/index.md, running
every lab marked `run` and caching its results.

options:
  --src DIR          the book's root, holding book.md (default: the current
                     folder if it has book.md, else the workbook home)
  --out DIR          where the HTML goes (default: SRC/build/book)
  --cache DIR        lab result cache (default: OUT-cache)
  --keep-going, -k   build the rest when a lab fails; mark it on the page
  --quick            run labs with WORKBOOK_QUICK=1 (small, fast runs);
                     the pages say so, and results are cached apart
  --timeout SECONDS  per-lab time limit (default 1800)
  --jobs N, -j N     labs run at once (default 1)
  --solutions        the instructor's edition: each exercise also shows its
                     solution and the solution's `workbook check` output
  --pdf              also write OUT/book.pdf, the whole book with a table of
                     contents and page numbers, through headless Chromium
                     (sh scripts/deps.sh browser installs it)
  --help             this text

A chapter with chapters/chN/exercises/exK.lua files gets an exercise
section (연습 문제) at the end of its page, ex1, ex2, ... in order.

environment: WORKBOOK_KATEX_DIR, WORKBOOK_HLJS_DIR override where KaTeX
(/usr/share/javascript/katex) and highlight.js are copied from.
]]

-- ---- small helpers ------------------------------------------------------

local function say(...) io.stdout:write(...); io.stdout:flush() end
local function warn(...) io.stderr:write(...); io.stderr:flush() end

local function read_file(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local s = f:read("a")
  f:close()
  return s
end

-- Write only when the content changed, atomically (sys.atomic_write: a
-- registered temporary file that an interrupt removes).
local function write_file(path, s)
  if read_file(path) == s then return end
  sys.mkdir_p(path:match("^(.*)/[^/]*$") or ".")
  sys.atomic_write(path, function(tmp)
    local f = assert(io.open(tmp, "wb"))
    local ok, err = f:write(s)
    if ok then ok, err = f:close() else f:close() end
    if not ok then error("book: cannot write " .. path .. ": " .. tostring(err), 0) end
  end)
end

local function esc(s)
  return (tostring(s):gsub("[&<>\"]", {["&"] = "&amp;", ["<"] = "&lt;",
                                       [">"] = "&gt;", ['"'] = "&quot;"}))
end

-- Heading HTML for the sidebar and pager, where links cannot nest.
local function strip_links(html)
  return (html:gsub("</?a[^>]*>", ""))
end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local named = {['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n",
                   ["\t"] = "\\t", ["\r"] = "\\r"}
    return named[c] or ("\\u%04x"):format(c:byte())
  end) .. '"'
end

-- Paths: "a/./b/../c" -> "a/c"; a leading ".." stays.
local function normalize(p)
  local abs, parts = p:sub(1, 1) == "/", {}
  for part in p:gmatch("[^/]+") do
    if part == ".." and #parts > 0 and parts[#parts] ~= ".." then
      parts[#parts] = nil
    elseif part ~= "." then
      parts[#parts + 1] = part
    end
  end
  local s = table.concat(parts, "/")
  return abs and "/" .. s or (s == "" and "." or s)
end

local function join(a, b)
  if b:sub(1, 1) == "/" or a == "" or a == "." then return normalize(b) end
  return normalize(a .. "/" .. b)
end

local function dirname(p) return p:match("^(.*)/[^/]*$") or "." end
local function basename(p) return p:match("([^/]*)$") end

local function url_decode(s)
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

-- Percent-encode what may not stand in a relative URL's path.
local function url_encode_path(s)
  return (s:gsub("[^%w%-%._~/!$&'()*+,;=:@]", function(c)
    return ("%%%02X"):format(c:byte())
  end))
end

local function exists(p) return sys.exists(p) end

-- ---- options ------------------------------------------------------------

local function parse_args(args)
  local o = {keep_going = false, quick = false, solutions = false, pdf = false,
             timeout = 1800, jobs = 1}
  local i = 1
  local function value(flag)
    i = i + 1
    if args[i] == nil then error(flag .. " needs a value", 0) end
    return args[i]
  end
  while i <= #args do
    local a = args[i]
    if a == "--help" or a == "-h" then o.help = true
    elseif a == "--src" then o.src = value(a)
    elseif a == "--out" then o.out = value(a)
    elseif a == "--cache" then o.cache = value(a)
    elseif a == "--keep-going" or a == "-k" then o.keep_going = true
    elseif a == "--quick" then o.quick = true
    elseif a == "--solutions" then o.solutions = true
    elseif a == "--pdf" then o.pdf = true
    elseif a == "--timeout" then
      o.timeout = tonumber(value(a))
      if not o.timeout or o.timeout <= 0 then
        error("--timeout needs a positive number of seconds", 0)
      end
    elseif a == "--jobs" or a == "-j" then
      o.jobs = math.tointeger(tonumber(value(a)))
      if not o.jobs or o.jobs < 1 then error("--jobs needs a count >= 1", 0) end
    else
      local flags = {"--help", "--src", "--out", "--cache", "--keep-going", "--quick",
                     "--timeout", "--jobs", "--solutions", "--pdf"}
      local near = require("options").nearest(a, flags)
      error("unknown option '" .. a .. "' (" .. (near and "did you mean '" .. near .. "'? " or "")
            .. "see workbook book --help)", 0)
    end
    i = i + 1
  end
  if not o.src then
    o.src = exists("book.md") and "." or sys.home()
  end
  o.src = normalize(o.src)
  o.out = normalize(o.out or join(o.src, "build/book"))
  o.cache = normalize(o.cache or (o.out .. "-cache"))
  return o
end

-- ---- pages --------------------------------------------------------------

-- A page: {src = "chapters/ch9/index.md" (relative to the root), dir,
-- name ("index", "ch9"), out ("ch9.html"), title, r = render result}.
local function load_page(o, src, name)
  local text, err = read_file(join(o.src, src))
  if not text then return nil, src .. ": " .. err end
  local r, msg = core.render(text, src, o.src, dirname(src))
  if not r then return nil, msg end
  local page = {src = src, dir = dirname(src), name = name,
                out = name .. ".html", r = r, ids = {}}
  for _, h in ipairs(r.headings) do
    page.ids[h.id] = true
    if h.level == 1 and not page.title then
      page.title = h.text                       -- for <title> and search
      page.title_html = strip_links(h.html)     -- math typeset by KaTeX
    end
  end
  page.title = page.title or name
  page.title_html = page.title_html or esc(name)
  return page
end

local function is_external(url)
  return url:match("^[%a][%w+.-]*:") or url:sub(1, 2) == "//"
end

-- The chapters, in the order book.md links to them.
local function chapter_order(front)
  local seen, list = {}, {}
  for _, ref in ipairs(front.r.refs) do
    local path = ref.url:match("^([^#?]*)")
    if not ref.image and not is_external(ref.url) and path ~= "" then
      local target = join(front.dir, url_decode(path))
      local name = target:match("^chapters/([^/]+)/index%.md$")
      if name and not seen[target] then
        seen[target] = true
        list[#list + 1] = {src = target, name = name, line = ref.line}
      end
    end
  end
  return list
end

local function load_book(o, problems)
  local front, err = load_page(o, "book.md", "index")
  if not front then problems[#problems + 1] = err; return nil end
  local pages, by_src = {front}, {["book.md"] = front}
  for _, ch in ipairs(chapter_order(front)) do
    if exists(join(o.src, ch.src)) == "file" then
      local page, perr = load_page(o, ch.src, ch.name)
      if page then
        pages[#pages + 1] = page
        by_src[ch.src] = page
      else
        problems[#problems + 1] = perr
      end
    end   -- a missing chapter is reported by the link check
  end
  -- a page that did not render would make every link to it look broken
  if #problems > 0 then return nil end
  -- chapters on disk that the table of contents leaves out
  for _, name in ipairs(core.list(join(o.src, "chapters")) or {}) do
    local src = "chapters/" .. name .. "/index.md"
    if exists(join(o.src, src)) == "file" and not by_src[src] then
      warn("book: warning: ", src, " is not linked from book.md; left out\n")
    end
  end
  return pages, by_src
end

-- ---- links and images ---------------------------------------------------

-- Resolve every link and image of every page: ref.target is
-- {page=, frag=} for a book page, {file=} for a local file to copy, or
-- {url=} for the outside world. Problems are "file:line: message".
local function resolve_refs(o, pages, by_src, problems)
  local files = {}
  for _, page in ipairs(pages) do
    for _, ref in ipairs(page.r.refs) do
      local function bad(msg)
        problems[#problems + 1] = ("%s:%d: %s"):format(page.src, ref.line, msg)
      end
      local url = ref.url
      local path, frag = url:match("^([^#]*)#?(.*)$")
      path = path:gsub("%?.*$", "")
      frag = url_decode(frag)
      local what = ref.image and "image" or "link"
      if url == "" then
        bad("empty " .. what .. " URL")
      elseif is_external(url) then
        if ref.image then bad("image from the network (" .. url .. "): the book must work offline")
        else ref.target = {url = url} end
      elseif path == "" then
        if not page.ids[frag] then
          bad(("broken link: no heading with id '%s' on this page"):format(frag))
        end
        ref.target = {page = page, frag = frag}
      else
        local target = join(page.dir, url_decode(path))
        local kind = exists(join(o.src, target))
        if target:sub(1, 3) == ".." or target:sub(1, 1) == "/" then
          bad(("%s outside the book: %s"):format(what, url))
        elseif by_src[target] and not ref.image then
          local p = by_src[target]
          if frag ~= "" and not p.ids[frag] then
            bad(("broken link: %s has no heading with id '%s'"):format(target, frag))
          end
          ref.target = {page = p, frag = frag}
        elseif kind == "file" then
          if target:match("%.md$") and target:match("^chapters/[^/]+/index%.md$") then
            bad(("link to %s, which book.md does not list as a chapter"):format(target))
          end
          ref.target = {file = target, frag = frag}
          files[target] = true
        else
          bad(("broken %s: %s (%s)"):format(what, url,
              kind and "a folder" or "no such file " .. target))
        end
      end
    end
  end
  return files
end

-- The href of a resolved ref, seen from a page (mode "page") or from
-- print.html (mode "print", where every page is a section).
local function href(ref, mode)
  local t = ref.target
  if not t then return "#" end
  if t.url then return t.url end
  if t.file then
    return url_encode_path(t.file) .. (t.frag ~= "" and "#" .. t.frag or "")
  end
  if mode == "print" then
    return "#" .. t.page.name .. (t.frag ~= "" and "--" .. t.frag or "")
  end
  return t.page.out .. (t.frag ~= "" and "#" .. t.frag or "")
end

-- ---- labs: running and caching -------------------------------------------
--
-- Cache: a lab's entries live in CACHE/labs/KEY-VERSION, KEY = SHA-256 of the lab's
-- path, the mode (full/quick), the workbook binary's content and the
-- script's content. The entry's manifest lists every file the lab read
-- (logged by the prelude through WORKBOOK_READS) with its SHA-256; the
-- entry is used only while each still has that hash. So the full key is
-- script + binary + every file read; a failed run is never stored.
-- VERSION hashes the list of files read and their hashes; the last few
-- results of each lab stay (prune_cache), so undoing an edit of a lab or
-- of a file it reads finds the earlier result instead of running again.
-- File hashes are remembered by (size, mtime, inode) in CACHE/hashes so
-- an unchanged book is not rehashed.

local Hashes = {}
Hashes.__index = Hashes

local function load_hashes(path)
  local h = setmetatable({path = path, by = {}, dirty = false}, Hashes)
  local s = read_file(path)
  for line in (s or ""):gmatch("[^\n]+") do
    local hash, size, mtime, ino, p = line:match("^(%x+) (%d+) (%d+) (%d+) (.+)$")
    if hash then h.by[p] = {hash = hash, size = tonumber(size),
                            mtime = math.tointeger(tonumber(mtime)), ino = tonumber(ino)} end
  end
  return h
end

-- The SHA-256 of a file's content, or "missing".
function Hashes:get(path)
  local st = core.stat(path)
  if not st or st.dir then return "missing" end
  local e = self.by[path]
  if e and e.size == st.size and e.mtime == st.mtime and e.ino == st.ino then
    return e.hash
  end
  local hash = core.sha256_file(path) or "missing"
  self.by[path] = {hash = hash, size = st.size, mtime = st.mtime, ino = st.ino}
  self.dirty = true
  return hash
end

function Hashes:save()
  if not self.dirty then return end
  local lines = {}
  for p, e in pairs(self.by) do
    lines[#lines + 1] = ("%s %d %d %d %s"):format(e.hash, e.size, e.mtime, e.ino, p)
  end
  table.sort(lines)
  write_file(self.path, table.concat(lines, "\n") .. "\n")
end

local function serialize(v, indent)
  indent = indent or ""
  if type(v) == "string" then return ("%q"):format(v) end
  if type(v) ~= "table" then return tostring(v) end
  local keys, out = {}, {"{\n"}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if type(a) == type(b) then return a < b end
    return type(a) == "number"
  end)
  for _, k in ipairs(keys) do
    local key = type(k) == "number" and "" or ("[%q] = "):format(k)
    out[#out + 1] = indent .. "  " .. key .. serialize(v[k], indent .. "  ") .. ",\n"
  end
  out[#out + 1] = indent .. "}"
  return table.concat(out)
end

local function read_manifest(path)
  local s = read_file(path)
  if not s then return nil end
  local f = load(s, "=manifest", "t", {})
  local ok, m = pcall(f or error)
  return ok and type(m) == "table" and m or nil
end

-- A cached, still valid result for the lab, or nil. A lab may have
-- several entries, labs/KEY-VERSION, one per set of files it read (VERSION
-- hashes them): undoing an edit of a data file finds the earlier result,
-- as undoing an edit of the lab finds its earlier KEY. Sets lab.entry.
local function cache_lookup(ctx, lab)
  local dir = ctx.o.cache .. "/labs"
  if not ctx.entries then
    ctx.entries = {}
    for _, name in ipairs(core.list(dir) or {}) do
      local key = name:match("^(%x+)%-%x+$")
      if key then
        ctx.entries[key] = ctx.entries[key] or {}
        table.insert(ctx.entries[key], name)
      end
    end
  end
  for _, name in ipairs(ctx.entries[lab.key] or {}) do
    local m = read_manifest(dir .. "/" .. name .. "/manifest.lua")
    local ok = m and m.key == lab.key
    for _, dep in ipairs(ok and m.deps or {}) do
      if ctx.hashes:get(join(ctx.o.src, dep[1])) ~= dep[2] then ok = false; break end
    end
    if ok then
      lab.entry = dir .. "/" .. name
      write_file(lab.entry .. "/used", ("%d\n"):format(os.time()))
      return m
    end
  end
  return nil
end

-- Every file below dir, as paths relative to it, sorted.
local function walk(dir, prefix, acc)
  acc = acc or {}
  for _, name in ipairs(core.list(dir) or {}) do
    local p = dir .. "/" .. name
    local rel = prefix and prefix .. "/" .. name or name
    if exists(p) == "directory" then walk(p, rel, acc)
    else acc[#acc + 1] = rel end
  end
  return acc
end

local FIGURE = {png = true, jpg = true, jpeg = true, gif = true, svg = true}

-- What the lab's log (WORKBOOK_READS, see runtime/lua/book.lua) says
-- besides its reads: per written file the cell it was written in, the
-- captions and labels of figures, the published values. Lines only: a
-- caption holding "R x" is not a read.
local function log_lines(log)
  return ("\n" .. log):gmatch("\n([^\n]+)")
end

local function read_log(log)
  local cell, written, meta, values = 0, {}, {}, {}
  for line in log_lines(log) do
    local kind, rest = line:match("^(%u) (.*)$")
    if kind == "C" then cell = tonumber(rest) or cell
    elseif kind == "W" and not written[rest] then written[rest] = cell
    elseif kind == "F" then
      local path, label, caption = rest:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      if path then meta[path] = {label = label ~= "" and label or nil,
                                 caption = caption ~= "" and caption or nil} end
    elseif kind == "V" then
      local name, text = rest:match("^([^\t]*)\t(.*)$")
      if name then values[name] = text end
    end
  end
  return written, meta, values
end

-- The figures a lab wrote, in the order it asked out() for them:
-- {file = path under outdir, cell = k, caption =, label =}.
local function figures_of(outdir, log)
  local files, order, rank = walk(outdir), {}, {}
  local written, meta = read_log(log)
  for _, f in ipairs(files) do
    local ext = f:match("%.(%w+)$")
    if ext and FIGURE[ext:lower()] then order[#order + 1] = f end
  end
  local n, cell = 0, {}
  for path in log_lines(log) do
    path = path:match("^W (.+)$")
    local rel = path and path:sub(1, #outdir + 1) == outdir .. "/" and path:sub(#outdir + 2)
    if rel and not rank[rel] then n = n + 1; rank[rel] = n; cell[rel] = written[path] end
  end
  table.sort(order, function(a, b)
    local ra, rb = rank[a] or math.huge, rank[b] or math.huge
    if ra ~= rb then return ra < rb end
    return a < b
  end)
  local list = {}
  for i, f in ipairs(order) do
    local m = {}
    for path, x in pairs(meta) do   -- the path as the lab named it
      if path == f or path:sub(-#f - 1) == "/" .. f then m = x end
    end
    list[i] = {file = f, cell = cell[f] or 0, caption = m.caption, label = m.label}
  end
  return list
end

-- The files a lab read, relative to the root when inside it, without
-- its own outputs: {{path, hash}, ...}.
local function deps_of(ctx, lab, log, outdir)
  local root = core.realpath(ctx.o.src)
  local seen, deps = {}, {}
  local function add(p)
    local real = core.realpath(p:sub(1, 1) == "/" and p or join(ctx.o.src, p))
    if not real or seen[real] or real:sub(1, #outdir + 1) == outdir .. "/" then return end
    seen[real] = true
    local rel = real:sub(1, #root + 1) == root .. "/" and real:sub(#root + 2) or real
    deps[#deps + 1] = {rel, ctx.hashes:get(join(ctx.o.src, rel))}
  end
  add(lab.path)
  add(ctx.exe)
  for _, p in ipairs(lab.extra or {}) do add(p) end
  for line in log_lines(log) do
    local p = line:match("^R (.+)$")
    if p then add(p) end
  end
  return deps
end

-- extra: more files whose content the result depends on (an
-- exercise's check file and the exercise itself, for a solution check).
local function lab_key(ctx, path, kind, extra)
  local parts = {"workbook-book-lab 2", path,
    ctx.o.quick and "quick" or "full", ctx.exe_hash,
    ctx.hashes:get(join(ctx.o.src, path))}
  if kind then parts[#parts + 1] = kind end
  for _, p in ipairs(extra or {}) do
    parts[#parts + 1] = p .. " " .. ctx.hashes:get(join(ctx.o.src, p))
  end
  return core.sha256(table.concat(parts, "\n"))
end

-- Clean a lab's text for the page: progress lines redrawn with \r keep
-- their last state; terminal colour codes go; a huge output is cut.
local function clean_output(s)
  s = s:gsub("\27%[[%d;]*%a", "")
  local lines = {}
  for line in (s .. "\n"):gmatch("([^\n]*)\n") do
    line = line:gsub("\r+$", "")
    lines[#lines + 1] = line:match("([^\r]*)$")
  end
  if lines[#lines] == "" then lines[#lines] = nil end
  local max = 2000
  if #lines > max then
    local cut = #lines - max
    for _ = 1, cut do table.remove(lines, max // 2 + 1) end
    table.insert(lines, max // 2 + 1, ("... (%d lines left out) ..."):format(cut))
  end
  return table.concat(lines, "\n")
end

local function start_lab(ctx, lab)
  local tmp = ("%s/tmp/%s.%d"):format(ctx.cache_abs, lab.key:sub(1, 16), #ctx.started + 1)
  core.rmtree(tmp)
  sys.mkdir_p(tmp .. "/out")
  lab.tmp = tmp
  local env = {WORKBOOK_OUT = tmp .. "/out", WORKBOOK_READS = tmp .. "/reads.log",
               WORKBOOK_QUICK = ctx.o.quick and "1" or false, WORKBOOK_CELLS = "1"}
  local pid, err = core.spawn({ctx.exe, lab.command or "run", lab.path}, env, ctx.o.src,
                              tmp .. "/output.txt")
  if not pid then error("book: cannot start " .. lab.path .. ": " .. err, 0) end
  lab.pid, lab.t0 = pid, sys.clock()
  ctx.started[#ctx.started + 1] = lab
  say(("book: running %s%s\n"):format(lab.name or lab.path, ctx.o.quick and " (quick)" or ""))
end

-- The lab's error message and traceback out of its output.
local function failure_text(lab)
  local text = lab.output or ""
  -- a script error: its "file:line: message" line(s) then the traceback;
  -- the message starts at the last positioned line before the traceback
  local tb = text:find("\nstack traceback:", 1, true)
  local from
  if tb then
    local pos = 1
    while true do
      local a = text:find("[^\n]+:%d+: ", pos)
      if not a or a > tb then break end
      if a == 1 or text:sub(a - 1, a - 1) == "\n" then from = a end
      pos = a + 1
    end
  end
  local other = text:find("workbook: ", 1, true)   -- any other failure
  if from then
    text = text:sub(from)
  elseif other and (other == 1 or text:sub(other - 1, other - 1) == "\n") then
    text = text:sub(other + #"workbook: ")
  else
    local lines = {}
    for l in text:gmatch("[^\n]+") do lines[#lines + 1] = l end
    text = table.concat(lines, "\n", math.max(1, #lines - 19))
  end
  if lab.timed_out then
    return ("%s: timed out after %s s"):format(lab.path, lab.timeout_s)
  elseif lab.code < 0 then
    return ("%s: killed by signal %d\n%s"):format(lab.path, -lab.code, text)
  end
  return text
end

-- Store a finished lab: in the cache on success, else report it.
local function finish_lab(ctx, lab)
  lab.seconds = sys.clock() - lab.t0
  local raw = read_file(lab.tmp .. "/output.txt") or ""
  lab.output = clean_output(raw)
  if lab.code == 0 then
    local log = read_file(lab.tmp .. "/reads.log") or ""
    local outdir = core.realpath(lab.tmp .. "/out")
    local _, _, values = read_log(log)
    local m = {key = lab.key, lab = lab.name or lab.path, quick = ctx.o.quick,
               seconds = lab.seconds, figures = figures_of(outdir, log), values = values,
               deps = deps_of(ctx, lab, log, outdir)}
    write_file(lab.tmp .. "/output.txt", lab.output)
    write_file(lab.tmp .. "/manifest.lua", "return " .. serialize(m) .. "\n")
    write_file(lab.tmp .. "/used", ("%d\n"):format(os.time()))
    local deps = {}
    for _, d in ipairs(m.deps) do deps[#deps + 1] = d[1] .. " " .. d[2] end
    lab.entry = ("%s/labs/%s-%s"):format(ctx.o.cache, lab.key,
                                         core.sha256(table.concat(deps, "\n")):sub(1, 12))
    core.rmtree(lab.entry)
    sys.mkdir_p(dirname(lab.entry))
    assert(os.rename(lab.tmp, lab.entry))
    lab.tmp_done = true
    lab.manifest = m
    say(("book: %s done in %.1f s\n"):format(lab.name or lab.path, lab.seconds))
  else
    lab.failed = true
    lab.message = failure_text(lab)
    if lab.command == "check" then
      warn(("book: the solution %s fails its checks (exercise of %s)\n%s\n"):format(
        lab.path, lab.page.src, lab.message))
    else
      warn(("book: LAB %s failed (run from %s:%d)\n%s\n"):format(
        lab.path, lab.page.src, lab.line, lab.message))
    end
    core.rmtree(lab.tmp)
    lab.tmp_done = true
  end
end

-- Stop the labs started and not yet reaped: SIGINT first, so that each
-- stops at a safe point and removes its own temporary files (a lab may
-- write outside its output folder), SIGKILL for any still running after a
-- grace period; then remove every lab folder not yet moved into the
-- cache or removed (finish_lab sets lab.tmp_done).
local STOP_GRACE = 5
local function stop_labs(ctx)
  local live = {}
  for _, lab in ipairs(ctx.started) do
    if lab.code == nil and not lab.stopped then
      core.interrupt(lab.pid)
      live[#live + 1] = lab
    end
  end
  local t0, left = sys.clock(), #live
  while left > 0 and sys.clock() - t0 < STOP_GRACE do
    core.sleep(0.02)
    left = 0
    for _, lab in ipairs(live) do
      if not lab.stopped then
        local code, err = core.poll(lab.pid)
        if code or err then lab.stopped = true else left = left + 1 end
      end
    end
  end
  for _, lab in ipairs(live) do
    if not lab.stopped then core.kill(lab.pid); lab.stopped = true end
  end
  for _, lab in ipairs(ctx.started) do
    if not lab.tmp_done then core.rmtree(lab.tmp); lab.tmp_done = true end
  end
  os.remove(ctx.cache_abs .. "/tmp")    -- only if empty: not another build's
end

-- What the builder is doing, for the interrupt message.
local function say_doing(running)
  local names = {}
  for _, lab in ipairs(running) do names[#names + 1] = lab.name or lab.path end
  sys.doing(#names > 0 and "book: running " .. table.concat(names, ", ") or nil)
end

-- Run what the cache cannot answer, ctx.o.jobs at a time. Ctrl-C (the
-- host's handler, main.c) calls the sys.on_interrupt function set here at
-- the next safe point; SIGTERM and SIGHUP are polled (core.interrupted).
local function run_labs(ctx, labs)
  local queue, running, stop = {}, {}, false
  for _, lab in ipairs(labs) do
    lab.manifest = cache_lookup(ctx, lab)
    if lab.manifest then ctx.cached = ctx.cached + 1
    else queue[#queue + 1] = lab end
  end
  if #queue == 0 then return end
  core.catch_signals()
  local previous = sys.on_interrupt(function() stop_labs(ctx) end)
  local i = 1
  while (i <= #queue and not stop) or #running > 0 do
    local sig = core.interrupted()
    if sig then
      local doing = sys.doing()
      stop_labs(ctx)
      error(("book: stopped by signal %d%s"):format(sig,
        doing and " during " .. doing or ""), 0)
    end
    while i <= #queue and #running < ctx.o.jobs and not stop do
      start_lab(ctx, queue[i])
      running[#running + 1] = queue[i]
      i = i + 1
      say_doing(running)
    end
    core.sleep(0.02)
    for k = #running, 1, -1 do
      local lab = running[k]
      local code = core.poll(lab.pid)
      if not code and sys.clock() - lab.t0 > ctx.o.timeout then
        core.kill(lab.pid)
        code, lab.timed_out, lab.timeout_s = -9, true, ctx.o.timeout
      end
      if code then
        lab.code = code
        table.remove(running, k)
        ctx.ran = ctx.ran + 1
        finish_lab(ctx, lab)
        say_doing(running)
        if lab.failed and not ctx.o.keep_going then stop = true end
      end
    end
  end
  sys.on_interrupt(previous)
  sys.doing(nil)
end

-- Old entries of the labs just built (earlier versions of them).
local CACHE_VERSIONS = 4   -- results kept per lab (and mode): the newest used

local function prune_cache(ctx, labs)
  local current, keep = {}, {}
  for _, lab in ipairs(labs) do
    current[lab.name or lab.path] = true
    if lab.entry then keep[basename(lab.entry)] = true end
  end
  local dir = ctx.o.cache .. "/labs"
  local groups = {}
  for _, name in ipairs(core.list(dir) or {}) do
    local m = read_manifest(dir .. "/" .. name .. "/manifest.lua")
    if m and current[m.lab] and (m.quick or false) == ctx.o.quick then
      if not name:find("-", 1, true) then       -- an entry of the old layout
        core.rmtree(dir .. "/" .. name)
      elseif not keep[name] then
        local used = tonumber(read_file(dir .. "/" .. name .. "/used") or "") or 0
        groups[m.lab] = groups[m.lab] or {}
        table.insert(groups[m.lab], {name = name, used = used})
      end
    end
  end
  for _, list in pairs(groups) do
    table.sort(list, function(x, y)
      if x.used ~= y.used then return x.used > y.used end
      return x.name < y.name
    end)
    for i = CACHE_VERSIONS, #list do core.rmtree(dir .. "/" .. list[i].name) end
  end
  core.rmtree(ctx.o.cache .. "/tmp")
end

-- ---- HTML ---------------------------------------------------------------

-- Width and height of a PNG from its header, or nil.
local function png_size(path)
  local f = io.open(path, "rb")
  local head = f and f:read(24)
  if f then f:close() end
  if not head or #head < 24 or head:sub(1, 8) ~= "\137PNG\r\n\26\n" then return nil end
  return string.unpack(">I4I4", head, 17)
end

-- A lab figure: natural size up to the column (CSS); a small one is
-- scaled up by a whole factor, pixels kept sharp (data-scale, book.js);
-- its caption from the lab (caption=), numbered when it has a label.
local failed_id
local function figure_html(ctx, lab, fig)
  local f = fig.file
  local url = esc(url_encode_path("figures/" .. f))
  ctx.figures[f] = lab.entry .. "/out/" .. f
  local w, h = png_size(ctx.figures[f])
  local size = w and (' width="%d" height="%d"'):format(w, h) or ""
  local cls = w and w >= 1000 and "lab-figure wide" or "lab-figure"
  local id = fig.label and (' id="%s"'):format(esc(fig.label)) or ""
  local num = fig.label and ctx.labels[fig.label]
  local cap = fig.caption and esc(fig.caption) or ('<span class="file">%s</span>'):format(esc(basename(f)))
  if num and num.lab_figure == fig then
    cap = ('<span class="label-num">%s</span> %s'):format(esc(num.text), cap)
  end
  return ('<figure class="%s"%s><a class="zoom" href="%s"><img src="%s" alt="%s"%s loading="lazy"></a>'
    .. '<figcaption>%s</figcaption></figure>\n'):format(cls, id, url, url,
    esc(fig.caption or basename(f)), size, cap)
end

-- What a failed lab printed, then why it stopped.
local function failed_output(lab)
  local text = ("\n" .. (lab.output or "")):gsub("\nworkbook: ", "\n"):sub(2)
  if lab.timed_out or lab.code < 0 then
    text = text .. (text ~= "" and "\n" or "") .. lab.message:match("^[^\n]*")
  end
  return text
end

-- A lab's output split at the cell markers the running lab printed
-- (book._cell): {[0] = text before the first marker, [k] = cell k's}.
local function cell_outputs(out)
  local cells, k, cur = {}, 0, {}
  for line in (out .. "\n"):gmatch("([^\n]*)\n") do
    local before, n = line:match("^(.-)\30wb%-cell:(%d+)\30$")
    if n then
      if before ~= "" then cur[#cur + 1] = before end
      cells[k] = table.concat(cur, "\n")
      k, cur = tonumber(n), {}
    else
      cur[#cur + 1] = line
    end
  end
  while cur[#cur] == "" do cur[#cur] = nil end
  cells[k] = table.concat(cur, "\n")
  return cells
end

-- Printed text; a long one folded with its last lines (the results)
-- showing.
local FOLD_LINES, FOLD_KEEP = 40, 20
local function output_html(text)
  if not text:match("%S") then return "" end
  local lines = {}
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  while lines[#lines] == "" do lines[#lines] = nil end
  while lines[1] == "" do table.remove(lines, 1) end
  if #lines <= FOLD_LINES then
    return ('<pre class="lab-output"><code class="nohighlight">%s</code></pre>\n')
      :format(esc(table.concat(lines, "\n")))
  end
  local cut = #lines - FOLD_KEEP
  return ('<details class="output-fold"><summary>출력 앞부분 %d줄 펼치기</summary>'
    .. '<pre class="lab-output"><code class="nohighlight">%s</code></pre></details>\n'
    .. '<pre class="lab-output folded"><code class="nohighlight">%s</code></pre>\n')
    :format(cut, esc(table.concat(lines, "\n", 1, cut)),
            esc(table.concat(lines, "\n", cut + 1)))
end

-- <!--wb-run:R-->: above a whole lab, its name, a download link, time.
local function lab_head_html(ctx, lab)
  ctx.lab_files[lab.path] = true
  local parts = {}
  if lab.manifest then parts[#parts + 1] = ("%.1f초"):format(lab.manifest.seconds) end
  if ctx.o.quick then parts[#parts + 1] = "빠른 실행(--quick)" end
  if lab.failed then parts[#parts + 1] = "실행 실패" end
  local meta = table.concat(parts, " · ")
  return ('<div class="lab-banner" data-lab="%s"><span class="lab-name">%s</span>'
    .. '<a class="download" href="%s" download>이 실습 내려받기</a>'
    .. '<span class="lab-meta">%s</span></div>\n'):format(esc(lab.path), esc(basename(lab.path)),
    esc(url_encode_path(lab.path)), meta)
end

-- <!--wb-cell:R:k-->: what cell k printed and drew (k = -1: the whole lab).
local function cell_html(ctx, lab, k)
  if lab.failed then return "" end    -- the failure shows at the end
  local m = lab.manifest
  lab.outputs = lab.outputs or cell_outputs(read_file(lab.entry .. "/output.txt") or "")
  local text
  if k < 0 then
    local keys, all = {}, {}
    for i in pairs(lab.outputs) do keys[#keys + 1] = i end
    table.sort(keys)
    for _, i in ipairs(keys) do
      if lab.outputs[i] ~= "" then all[#all + 1] = lab.outputs[i] end
    end
    text = table.concat(all, "\n")
  else
    text = lab.outputs[k] or ""
  end
  local figs = {}
  for _, f in ipairs(m.figures) do
    if k < 0 or f.cell == k then figs[#figs + 1] = figure_html(ctx, lab, f) end
  end
  local body = output_html(text)
  if body == "" and #figs == 0 then return "" end
  local parts = {('<div class="lab-result" data-lab="%s" data-cell="%d">\n'):format(esc(lab.path), k), body}
  if #figs > 0 then
    parts[#parts + 1] = '<div class="figures">\n' .. table.concat(figs) .. '</div>\n'
  end
  parts[#parts + 1] = "</div>\n"
  return table.concat(parts)
end

-- The id of a failed lab's box, for the banner's link.
failed_id = function(lab)
  return "failed-" .. lab.path:gsub("[^%w]+", "-")
end

-- <!--wb-end:R-->: after the lab's last piece; a failure shows here.
local function lab_end_html(ctx, lab)
  if not lab.failed then return "" end
  local quick = ctx.o.quick and " · 빠른 실행(--quick)" or ""
  return ('<div class="lab-result failed" id="%s" data-lab="%s"><div class="lab-head">'
    .. '실행 실패: <code>%s</code>%s</div>'
    .. '<pre class="lab-output"><code class="nohighlight">%s</code></pre></div>\n')
    :format(failed_id(lab), esc(lab.path), esc(lab.path), quick, esc(failed_output(lab)))
end

-- ---- exercises -------------------------------------------------------------
--
-- A chapter's exercises are chapters/NAME/exercises/exK.lua (K = 1, 2,
-- ...), each beside exK.check.lua and exK.solution.lua (check.lua). The
-- chapter's page gets an "연습 문제" section at its end: per exercise its
-- title (the first comment line), its instructions (the rest of the
-- leading comment block), its code, a link to a copy of the file in the
-- output folder and the `workbook check` command. With --solutions the
-- solution and its `workbook check` output (run like a lab, cached) sit
-- in a <details> below; without it no solution text is written.

-- The leading comment block of an exercise file: title, instruction
-- lines (the "exercise: chN/exK" tag line left out), the code after it.
local function parse_exercise(text)
  local lines, n = {}, 0
  for line in (text:gsub("\r\n", "\n") .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    lines[n] = line
  end
  local title, body, k = nil, {}, 1
  while k <= n and lines[k]:match("^%-%-") do
    local l = lines[k]:gsub("^%-%- ?", "")
    if not title then
      title = l
    elseif not l:match("^exercise:%s") then
      body[#body + 1] = l
    end
    k = k + 1
  end
  while body[1] == "" do table.remove(body, 1) end
  while body[#body] == "" do body[#body] = nil end
  while lines[k] == "" do k = k + 1 end
  local code = table.concat(lines, "\n", k, n):gsub("\n+$", "")
  return title, table.concat(body, "\n"), code
end

-- Instruction text as HTML: paragraphs at blank lines, each line kept
-- (the comments are laid out by hand: lists, indented hints), `code`.
local function instructions_html(text)
  local paras = {}
  for para in (text .. "\n\n"):gmatch("(.-)\n\n+") do
    if para:match("%S") then   -- `code` spans as in Markdown
      paras[#paras + 1] = "<p>" .. esc(para):gsub("`([^`\n]+)`", "<code>%1</code>") .. "</p>"
    end
  end
  return '<div class="exercise-text">' .. table.concat(paras, "\n") .. "</div>\n"
end

local function code_block(path, code)
  return ('<figure class="code"><figcaption>%s</figcaption><pre><code class="language-lua">'
    .. '%s\n</code></pre></figure>\n'):format(esc(path), esc(code))
end

local function heading(level, id, html)
  return ('<h%d id="%s">%s<a class="anchor" href="#%s" aria-hidden="true">#</a></h%d>\n')
    :format(level, esc(id), html, esc(id), level)
end

-- A heading id not yet on the page.
local function free_id(page, id)
  local base, k = id, 1
  while page.ids[id] do id = ("%s-%d"):format(base, k); k = k + 1 end
  page.ids[id] = true
  return id
end

-- Find each chapter's exercises; append their section to the page's
-- HTML and headings (for the sidebar, search and links). Returns the
-- exercise files to copy into the output folder.
local function add_exercises(o, pages, problems)
  local files = {}
  for _, page in ipairs(pages) do
    local dir = page.dir .. "/exercises"
    local found = {}
    if page.src:match("^chapters/[^/]+/index%.md$") then
      for _, name in ipairs(core.list(join(o.src, dir)) or {}) do
        local k = name:match("^ex(%d+)%.lua$")
        if k then found[#found + 1] = {k = tonumber(k), name = name} end
      end
    end
    table.sort(found, function(a, b) return a.k < b.k end)
    page.exercises = {}
    if #found > 0 then
      local sid = free_id(page, "연습-문제")
      local parts = {'<section class="exercises">\n', heading(2, sid, "연습 문제")}
      local heads = {{level = 2, id = sid, text = "연습 문제", html = "연습 문제", body = "",
                      extra = true}}
      for _, f in ipairs(found) do
        local stem = "ex" .. f.k
        local path = dir .. "/" .. f.name
        local text, err = read_file(join(o.src, path))
        if not text then problems[#problems + 1] = path .. ": " .. tostring(err); goto next end
        local title, instr, code = parse_exercise(text)
        if not title or title == "" then
          problems[#problems + 1] = path .. ":1: an exercise starts with a comment line: its title"
          goto next
        end
        local check = dir .. "/" .. stem .. ".check.lua"
        local solution = dir .. "/" .. stem .. ".solution.lua"
        if exists(join(o.src, check)) ~= "file" then
          if o.solutions then
            problems[#problems + 1] = path .. ": no check file " .. check
          else
            warn("book: warning: ", path, " has no check file ", check, "\n")
          end
        end
        if o.solutions and exists(join(o.src, solution)) ~= "file" then
          problems[#problems + 1] = path .. ": no solution file " .. solution
            .. " (--solutions shows every exercise's solution)"
        end
        local ex = {path = path, title = title, check = check, solution = solution,
                    command = ("./workbook check %s/%s.lua"):format(page.name, stem),
                    id = free_id(page, ("ex-%s-%d"):format(page.name, f.k))}
        page.exercises[#page.exercises + 1] = ex
        files[path] = true
        heads[#heads + 1] = {level = 3, id = ex.id, text = title, html = esc(title), body = instr,
                             extra = true}
        parts[#parts + 1] = ('<div class="exercise" data-exercise="%s">\n'):format(esc(path))
        parts[#parts + 1] = heading(3, ex.id, esc(title))
        parts[#parts + 1] = instructions_html(instr)
        parts[#parts + 1] = code_block(path, code)
        parts[#parts + 1] = ('<p class="exercise-links"><a class="download" href="%s" download>'
          .. '%s 내려받기</a> · 확인: <code class="exercise-check">%s</code></p>\n')
          :format(esc(url_encode_path(path)), esc(basename(path)), esc(ex.command))
        if o.solutions then
          parts[#parts + 1] = ("<!--wb-solution:%d-->\n"):format(#page.exercises)
        end
        parts[#parts + 1] = "</div>\n"
        ::next::
      end
      parts[#parts + 1] = "</section>\n"
      page.r.html = page.r.html .. table.concat(parts)
      for _, h in ipairs(heads) do page.r.headings[#page.r.headings + 1] = h end
    end
  end
  return files
end

-- The instructor's view of an exercise: its solution and what
-- `workbook check` said of it, folded.
local function solution_html(ctx, ex, mode)
  local lab = ex.lab
  local code = read_file(join(ctx.o.src, ex.solution)) or ""
  local parts = {('<details class="solution"%s><summary>풀이 보기 (강사용)</summary>\n')
      :format(mode == "print" and " open" or ""),
    code_block(ex.solution, (code:gsub("\n+$", "")))}
  if lab.failed then
    parts[#parts + 1] = ('<div class="lab-result failed"><div class="lab-head">'
      .. '검사 실패: <code>./workbook check %s</code></div>'
      .. '<pre class="lab-output"><code class="nohighlight">%s</code></pre></div>\n')
      :format(esc(ex.solution), esc(failed_output(lab)))
  else
    local out = read_file(lab.entry .. "/output.txt") or ""
    parts[#parts + 1] = ('<div class="lab-result check-result"><div class="lab-head">'
      .. '<code>./workbook check %s</code> 결과<span class="lab-meta">%.1f초</span></div>\n'
      .. '<pre class="lab-output"><code class="nohighlight">%s</code></pre></div>\n')
      :format(esc(ex.solution), lab.manifest.seconds, esc(out))
  end
  parts[#parts + 1] = "</details>\n"
  return table.concat(parts)
end

-- ---- numbers, references, values ------------------------------------------
--
-- Per chapter (a page named chN): sections N.1, N.1.1; figures, tables
-- and equations N.1, N.2 ... in page order, a lab figure counted where
-- its cell's output shows. Labels are unique in the whole book, so a
-- reference may point to another chapter.

local function label_text(kind, num)
  if kind == "fig" then return "그림 " .. num
  elseif kind == "tbl" then return "표 " .. num
  elseif kind == "eq" then return "식 (" .. num .. ")"
  end
  return num .. "절"
end

local function number_labels(ctx, problems)
  ctx.labels = {}
  local function define(page, id, kind, num, line, extra)
    local old = ctx.labels[id]
    if old then
      problems[#problems + 1] = ("%s:%d: label '%s' is defined twice (also at %s:%d)")
        :format(page.src, line, id, old.page.src, old.line)
      return
    end
    local e = {page = page, kind = kind, num = num, line = line, text = label_text(kind, num)}
    for k, v in pairs(extra or {}) do e[k] = v end
    ctx.labels[id] = e
  end
  for _, page in ipairs(ctx.pages) do
    local chap = page.name:match("^ch(%d+)$")
    local function num(n) return chap and chap .. "." .. n or tostring(n) end
    local h2, h3 = 0, 0
    page.heading_by_id = {}
    for _, h in ipairs(page.r.headings) do
      if chap and not h.extra then
        if h.level == 2 then h2, h3 = h2 + 1, 0; h.number = chap .. "." .. h2
        elseif h.level == 3 and h2 > 0 then h3 = h3 + 1; h.number = ("%s.%d.%d"):format(chap, h2, h3)
        end
      end
      page.heading_by_id[h.id] = h
    end
    local count = {fig = 0, tbl = 0, eq = 0}
    for what, a, b in page.r.html:gmatch("<!%-%-wb%-(%a+):(%d+):?(%-?%d*)%-%->") do
      if what == "label" then
        local l = page.r.labels[tonumber(a) + 1]
        if l.kind ~= "sec" then
          count[l.kind] = count[l.kind] + 1
          define(page, l.id, l.kind, num(count[l.kind]), l.line)
        end
      elseif what == "cell" then
        local lab, k = page.labs[tonumber(a) + 1], tonumber(b)
        for _, f in ipairs(lab.manifest and lab.manifest.figures or {}) do
          local seen = f.label and ctx.labels[f.label]
          if f.label and (k < 0 or f.cell == k) and not (seen and seen.lab_figure == f) then
            count.fig = count.fig + 1
            define(page, f.label, "fig", num(count.fig), page.r.runs[tonumber(a) + 1].line,
                   {lab_figure = f})
          end
        end
      end
    end
    for _, l in ipairs(page.r.labels) do
      if l.kind == "sec" then
        local h = page.heading_by_id[l.id]
        if h and h.level == 1 and chap then
          define(page, l.id, "sec", chap, l.line, {text = chap .. "장"})
        elseif h and h.number then
          define(page, l.id, "sec", h.number, l.line)
        else
          define(page, l.id, "sec", "", l.line, {text = "‘" .. (h and h.text or l.id) .. "’"})
        end
      end
    end
  end
end

-- The line in a lab file of a reference or value written in one of its
-- Markdown cells: the nth comment line holding needle (n counts the
-- earlier ones of this page), else the line within the cell.
local function lab_line(ctx, page, x)
  ctx.lab_text = ctx.lab_text or {}
  local text = ctx.lab_text[x.file]
  if text == nil then
    text = read_file(join(ctx.o.src, x.file)) or false
    ctx.lab_text[x.file] = text
  end
  local needle = x.value and x.key or "@" .. x.key
  page.seen_in_lab = page.seen_in_lab or {}
  local id = x.file .. "\0" .. needle
  local want = (page.seen_in_lab[id] or 0) + 1
  page.seen_in_lab[id] = want
  local n, first = 0, nil
  for line in ((text or "") .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    local comment = line:match("^%s*%-%-(.*)$")
    if comment and comment:find(needle, 1, true) then
      first = first or n
      want = want - 1
      if want == 0 then return n end
    end
  end
  return first or x.line
end

-- The lab file a {{key}} value names: "lab2.x" a lab in dir (the page's
-- or the lab's folder), "ch8/lab1.x" a lab of chapter ch8. nil and a
-- message for a chapter the book does not have.
local function value_lab(ctx, dir, key)
  local base, name = key:match("^(.-)%.(.+)$")
  local chap, lab = base:match("^([^/]+)/([^/]+)$")
  if not chap then return join(dir, base .. ".lua"), name end
  local src = "chapters/" .. chap .. "/index.md"
  for _, p in ipairs(ctx.pages) do
    if p.src == src then return "chapters/" .. chap .. "/" .. lab .. ".lua", name end
  end
  local names = {}
  for _, p in ipairs(ctx.pages) do
    local c = p.src:match("^chapters/([^/]+)/index%.md$")
    if c then names[#names + 1] = c end
  end
  return nil, name, ("no chapter '%s' in this book (chapters: %s)")
    :format(chap, #names > 0 and table.concat(names, ", ") or "none")
end

-- Check every reference and {{lab.name}} value (in the prose and in the
-- labs' Markdown cells); a value's HTML is kept on the reference. With
-- --keep-going a failed lab's values (and any label that lab might have
-- defined) show as "??" instead. Every lab has run before this, so a
-- value of a lab shown on another page is there whatever the order or
-- --jobs.
local function check_xrefs(ctx, labs, problems)
  local by_path, any_failed = {}, false
  for _, lab in ipairs(labs) do
    if lab.command ~= "check" then by_path[lab.path] = lab end
    any_failed = any_failed or lab.failed
  end
  for _, page in ipairs(ctx.pages) do
    for _, x in ipairs(page.r.xrefs) do
      local src, line = page.src, x.line
      if x.file then src, line = x.file, lab_line(ctx, page, x) end
      local function bad(fmt, ...)
        problems[#problems + 1] = ("%s:%d: " .. fmt):format(src, line, ...)
      end
      if x.value then
        local path, name, err = value_lab(ctx, x.file and dirname(x.file) or page.dir, x.key)
        local lab = path and by_path[path]
        local values = lab and lab.manifest and lab.manifest.values or {}
        if not path then
          bad("{{%s}}: %s", x.key, err)
        elseif not lab then
          bad("{{%s}}: %s is not run in this book (include it with `run`%s)", x.key, path,
              exists(join(ctx.o.src, path)) == "file" and "" or "; no such file")
        elseif lab.failed then
          x.html = '<span class="value missing" title="실습 실패">??</span>'
        elseif values[name] == nil then
          local names = {}
          for k in pairs(values) do names[#names + 1] = k end
          table.sort(names)
          bad("{{%s}}: %s published no value '%s' (book.value; it published: %s)", x.key,
              path, name, #names > 0 and table.concat(names, ", ") or "nothing")
        else
          x.html = ('<span class="value" title="%s">%s</span>')
            :format(esc(basename(path) .. "의 실행 결과"), esc(values[name]))
        end
      elseif not ctx.labels[x.key] then
        if any_failed and ctx.o.keep_going then
          warn(("book: warning: %s:%d: unknown reference @%s (a failed lab may define it)\n")
               :format(src, line, x.key))
        else
          bad("unknown reference @%s: no figure, table, equation or section has that label", x.key)
        end
      end
    end
  end
end

-- Section numbers on a page's headings.
local xrefs_html
local function number_headings(page, html)
  return (html:gsub('(<h[23] id="([^"]+)">)', function(open, id)
    local h = page.heading_by_id and page.heading_by_id[id]
    if h and h.number then return open .. ('<span class="secnum">%s</span> '):format(h.number) end
  end))
end

-- Tokens to text: label numbers in captions, references as links,
-- published values.
xrefs_html = function(ctx, page, html, mode)
  html = html:gsub("<!%-%-wb%-label:(%d+)%-%->", function(n)
    local l = page.r.labels[tonumber(n) + 1]
    local e = ctx.labels[l.id]
    if not e or e.page ~= page then return "" end
    if l.kind == "eq" then return "(" .. e.num .. ")" end
    return ('<span class="label-num">%s</span> '):format(esc(e.text))
  end)
  return (html:gsub("<!%-%-wb%-xref:(%d+)%-%->", function(n)
    local x = page.r.xrefs[tonumber(n) + 1]
    if x.value then return x.html or "??" end
    local e = ctx.labels[x.key]
    if not e then return '<span class="xref missing">??</span>' end
    local target
    if mode == "print" then
      target = "#" .. (e.kind == "sec" and e.page.name .. "--" or "") .. x.key
    elseif e.page == page then
      target = "#" .. x.key
    else
      target = e.page.out .. "#" .. x.key
    end
    return ('<a class="xref" href="%s">%s</a>'):format(esc(target), esc(e.text))
  end))
end

-- A page's article HTML, for its own file or for print.html.
local function body_html(ctx, page, mode)
  local html = number_headings(page, page.r.html)
  if mode == "print" then
    local p = page.name .. "--"
    html = html:gsub('(<h%d id=")', "%1" .. p):gsub('href="#', 'href="#' .. p)
  end
  html = html:gsub('(%a+)="wb%-url:(%d+)"', function(attr, n)
    local ref = page.r.refs[tonumber(n) + 1]
    return ('%s="%s"'):format(attr, esc(href(ref, mode)))
  end)
  html = html:gsub("<!%-%-wb%-run:(%d+)%-%->", function(n)
    return lab_head_html(ctx, page.labs[tonumber(n) + 1])
  end)
  html = html:gsub("<!%-%-wb%-cell:(%d+):(%-?%d+)%-%->", function(n, k)
    return cell_html(ctx, page.labs[tonumber(n) + 1], tonumber(k))
  end)
  html = html:gsub("<!%-%-wb%-end:(%d+)%-%->", function(n)
    return lab_end_html(ctx, page.labs[tonumber(n) + 1])
  end)
  html = xrefs_html(ctx, page, html, mode)
  html = html:gsub("<!%-%-wb%-solution:(%d+)%-%->", function(n)
    return solution_html(ctx, page.exercises[tonumber(n)], mode)
  end)
  if mode == "print" then   -- paper shows folded output in full
    html = html:gsub('<details class="output%-fold">', '<details class="output-fold" open>')
  end
  html = html:gsub("<table>", '<div class="table-wrap"><table>')
             :gsub("</table>", "</table></div>")
  return html
end


local function notices(ctx, page)
  local s = {}
  if ctx.o.solutions then
    s[#s + 1] = '<p class="notice instructor"><strong>강사용 판</strong>'
      .. '(<code>--solutions</code>): 연습 문제의 풀이와 그 검사 결과가 들어 있습니다. '
      .. '학생에게 나누어 주지 마세요.</p>\n'
  end
  if ctx.o.quick then
    s[#s + 1] = '<p class="notice quick">이 책은 <strong>빠른 실행 모드</strong>'
      .. '(<code>--quick</code>, <code>WORKBOOK_QUICK=1</code>)로 만들었습니다. '
      .. '실습 결과는 작은 데이터로 짧게 실행한 것이라 '
      .. '정식 빌드의 결과와 다릅니다.</p>\n'
  end
  local failed, seen = {}, {}
  for _, lab in ipairs(page.labs or {}) do
    if lab.failed and not seen[lab] then
      seen[lab] = true
      failed[#failed + 1] = ('<a href="#%s"><code>%s</code></a>'):format(failed_id(lab),
                                                                      esc(basename(lab.path)))
    end
  end
  if #failed > 0 then
    s[#s + 1] = ('<p class="notice failed">'
      .. '이 페이지의 실습 %d개가 실행에 실패했습니다: %s</p>\n'):format(#failed,
      table.concat(failed, ", "))
  end
  return table.concat(s)
end

-- Marks the pages this builder wrote (only those are ever removed).
local GENERATOR = '<meta name="generator" content="workbook book">'

local function head_html(title, extra)
  return ([[<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
%s
<title>%s</title>
<link rel="stylesheet" href="assets/katex/katex.min.css">
<link rel="stylesheet" href="assets/highlight/github.css">
<link rel="stylesheet" href="assets/book.css">
</head>
<body%s>
]]):format(GENERATOR, esc(title), extra or "")
end

local SCRIPTS = [[
<script src="assets/katex/katex.min.js"></script>
<script src="assets/highlight/highlight.min.js"></script>
<script src="assets/search-index.js"></script>
<script src="assets/book.js"></script>
</body>
</html>
]]

local function sidebar(ctx, current)
  local front = ctx.pages[1]
  local s = {'<nav class="sidebar" id="wb-sidebar" aria-label="목차">\n',
    ('<a class="book-title" href="index.html">%s</a>\n'):format(esc(front.title)),
    '<div class="search"><input type="search" id="wb-search" placeholder="검색 (예: 합성곱)" '
      .. 'aria-label="책 검색" autocomplete="off"><ol id="wb-results" hidden></ol></div>\n',
    '<ol class="toc">\n'}
  for _, page in ipairs(ctx.pages) do
    local cls = page == current and ' class="current"' or ""
    local label = page == front and "처음으로" or page.title_html
    s[#s + 1] = ('<li%s><a href="%s">%s</a>'):format(cls, esc(page.out), label)
    if page == current then
      local subs = {}
      for _, h in ipairs(page.r.headings) do
        if h.level == 2 then
          subs[#subs + 1] = ('<li><a href="#%s">%s%s</a></li>\n')
            :format(esc(h.id), h.number and ('<span class="secnum">%s</span> '):format(h.number) or "",
                    strip_links(h.html))
        end
      end
      if #subs > 0 then s[#s + 1] = '\n<ol class="sections">\n' .. table.concat(subs) .. "</ol>" end
    end
    s[#s + 1] = "</li>\n"
  end
  s[#s + 1] = '</ol>\n<a class="print-link" href="print.html">전체 인쇄용 페이지</a>\n'
    .. '</nav>\n'
  return table.concat(s)
end

local function pager(ctx, i)
  local prev, nxt = ctx.pages[i - 1], ctx.pages[i + 1]
  local s = {'<nav class="pager" aria-label="이전/다음">'}
  if prev then
    s[#s + 1] = ('<a class="prev" rel="prev" href="%s"><span>이전</span>%s</a>')
      :format(esc(prev.out), prev.title_html)
  end
  if nxt then
    s[#s + 1] = ('<a class="next" rel="next" href="%s"><span>다음</span>%s</a>')
      :format(esc(nxt.out), nxt.title_html)
  end
  s[#s + 1] = "</nav>\n"
  return table.concat(s)
end

local function page_html(ctx, i)
  local page = ctx.pages[i]
  local title = page == ctx.pages[1] and page.title or page.title .. " - " .. ctx.pages[1].title
  return table.concat {
    head_html(title, (' data-math="%d"'):format(page.r.nmath)),
    '<input type="checkbox" id="wb-nav-toggle" hidden>',
    '<label for="wb-nav-toggle" class="nav-button" aria-label="목차 열기">☰</label>\n',
    sidebar(ctx, page),
    '<main>\n', notices(ctx, page),
    '<article class="content">\n', body_html(ctx, page, "page"), "</article>\n",
    pager(ctx, i), "</main>\n", SCRIPTS}
end

local function print_html(ctx)
  local front, nmath = ctx.pages[1], 0
  local s = {"", '<main class="print">\n', notices(ctx, {}),
    ('<section class="cover"><h1 class="cover-title">%s</h1><ol class="print-toc">\n')
      :format(esc(front.title))}
  for k = 2, #ctx.pages do
    local p = ctx.pages[k]
    local subs = {}
    for _, h in ipairs(p.r.headings) do
      if h.level == 2 then
        subs[#subs + 1] = ('<li><a href="#%s--%s">%s%s</a></li>\n'):format(esc(p.name), esc(h.id),
          h.number and ('<span class="secnum">%s</span> '):format(h.number) or "", strip_links(h.html))
      end
    end
    s[#s + 1] = ('<li><a href="#%s">%s</a>%s</li>\n'):format(esc(p.name), p.title_html,
      #subs > 0 and '\n<ol class="print-sections">\n' .. table.concat(subs) .. "</ol>" or "")
  end
  s[#s + 1] = "</ol></section>\n"
  for _, page in ipairs(ctx.pages) do
    nmath = nmath + page.r.nmath
    local body = body_html(ctx, page, "print")
    if page == front then   -- the cover already shows the book's title
      body = body:gsub("^<h1.-</h1>\n", "", 1)
    end
    s[#s + 1] = ('<section class="chapter" id="%s">\n%s</section>\n')
      :format(esc(page.name), body)
  end
  s[1] = head_html(front.title .. " (인쇄용)",
                   (' class="print-page" data-math="%d"'):format(nmath))
  s[#s + 1] = "</main>\n" .. SCRIPTS
  return table.concat(s)
end

local function search_index(ctx)
  local items = {}
  for _, page in ipairs(ctx.pages) do
    items[#items + 1] = ("{u:%s,t:%s,p:%s,b:%s}"):format(json_string(page.out),
      json_string(page.title), json_string(page.title), json_string(page.r.intro))
    for _, h in ipairs(page.r.headings) do
      items[#items + 1] = ("{u:%s,t:%s,p:%s,b:%s}"):format(
        json_string(page.out .. "#" .. h.id), json_string(h.text),
        json_string(page.title), json_string(h.body))
    end
  end
  return "window.WB_SEARCH = [\n" .. table.concat(items, ",\n") .. "\n];\n"
end

-- ---- output files -------------------------------------------------------

-- Copy when the target is missing or differs in size or time (bf_copy
-- keeps the source's modification time).
local function sync_file(from, to)
  local a, b = core.stat(from), core.stat(to)
  if not a then return nil, "missing " .. from end
  if b and a.size == b.size and a.mtime == b.mtime then return true end
  sys.mkdir_p(dirname(to))
  return core.copy(from, to)
end

local function asset_dir(env, default, what, pkg)
  local d = os.getenv(env)
  d = (d and d ~= "") and d or default
  if exists(d) ~= "directory" then
    error(("book: %s not found in %s: install Debian's %s (make deps)"):format(what, d, pkg), 0)
  end
  return d
end

local function copy_assets(ctx)
  local out = ctx.o.out .. "/assets"
  local katex = asset_dir("WORKBOOK_KATEX_DIR", "/usr/share/javascript/katex",
                          "KaTeX", "libjs-katex")
  local hljs = asset_dir("WORKBOOK_HLJS_DIR", "/usr/share/javascript/highlight.js",
                         "highlight.js", "libjs-highlight.js")
  local list = {{katex .. "/katex.min.js", out .. "/katex/katex.min.js"},
                {katex .. "/katex.min.css", out .. "/katex/katex.min.css"},
                {hljs .. "/highlight.min.js", out .. "/highlight/highlight.min.js"},
                {hljs .. "/styles/github.css", out .. "/highlight/github.css"}}
  for _, f in ipairs(core.list(katex .. "/fonts") or {}) do
    list[#list + 1] = {katex .. "/fonts/" .. f, out .. "/katex/fonts/" .. f}
  end
  for _, pair in ipairs(list) do
    local ok, err = sync_file(pair[1], pair[2])
    if not ok then error("book: cannot copy " .. pair[1] .. ": " .. tostring(err), 0) end
  end
  write_file(out .. "/book.css", theme.css)
  write_file(out .. "/book.js", theme.js)
  write_file(out .. "/search-index.js", search_index(ctx))
end

-- Figures of the labs and files the pages link to; stale figures go.
local function copy_files(ctx, files)
  for rel, from in pairs(ctx.figures) do
    local ok, err = sync_file(from, ctx.o.out .. "/figures/" .. rel)
    if not ok then error("book: cannot copy figure: " .. tostring(err), 0) end
  end
  for _, rel in ipairs(walk(ctx.o.out .. "/figures")) do
    if not ctx.figures[rel] then os.remove(ctx.o.out .. "/figures/" .. rel) end
  end
  for rel in pairs(files) do
    local ok, err = sync_file(join(ctx.o.src, rel), ctx.o.out .. "/" .. rel)
    if not ok then error("book: cannot copy " .. rel .. ": " .. tostring(err), 0) end
  end
end

-- ---- TeX, checked at build time -------------------------------------------
--
-- Every formula of every page goes through KaTeX's own parser (Debian's
-- libjs-katex under Node.js, one process for the whole book), with the
-- options book.js renders with, so bad TeX fails the build at file:line
-- instead of showing red in the browser. A book whose formulas all passed
-- before is not checked again (CACHE/tex-ok holds the hash).

local TEX_CHECK_JS = [==[
const katex = require(process.argv[2]);
const list = JSON.parse(require("fs").readFileSync(process.argv[3], "utf8"));
const bad = [];
list.forEach((f, i) => {
  try { katex.renderToString(f[0], {displayMode: f[1] === 1, throwOnError: true, strict: "ignore"}); }
  catch (e) { bad.push([i, String(e && e.message || e)]); }
});
process.stdout.write(JSON.stringify(bad) + "\n");
]==]

local function html_unescape(s)
  return (s:gsub("&(%a+);", {amp = "&", lt = "<", gt = ">", quot = '"'}))
end

-- The formulas of a page with the source line of each (found by their
-- TeX in the page's source, in order).
local function formulas(o, page, acc)
  local src = read_file(join(o.src, page.src)) or ""
  local pos, line, last = 1, 1, 1
  for tag, kind, body in page.r.html:gmatch('<(%a+) class="math (%a+)">(.-)</%1>') do
    local tex = html_unescape(body)
    local a = src:find(tex, pos, true)
    if a then
      for _ in src:sub(last, a - 1):gmatch("\n") do line = line + 1 end
      last, pos = a, a + 1
    end
    acc[#acc + 1] = {tex = tex, display = kind == "display", src = page.src, line = line}
  end
  return acc
end

-- The path of the first of these programs on PATH, or nil.
local function find_program(names)
  for _, name in ipairs(names) do
    local p = io.popen("command -v " .. name .. " 2>/dev/null")
    local path = p and p:read("l")
    if p then p:close() end
    if path and path ~= "" then return path end
  end
end

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function check_tex(o, pages, problems)
  local list = {}
  for _, page in ipairs(pages) do formulas(o, page, list) end
  if #list == 0 then return end
  local katex = (os.getenv("WORKBOOK_KATEX_DIR") or "") ~= "" and os.getenv("WORKBOOK_KATEX_DIR")
                or "/usr/share/javascript/katex"
  katex = core.realpath(katex .. "/katex.min.js") or katex .. "/katex.min.js"
  local items = {}
  for i, f in ipairs(list) do items[i] = ("[%s,%d]"):format(json_string(f.tex), f.display and 1 or 0) end
  local json = "[" .. table.concat(items, ",\n") .. "]"
  local st = core.stat(katex)
  local hash = core.sha256(("tex-check 1\n%s %s\n%s"):format(katex, st and st.size or 0, json))
  local okfile = o.cache .. "/tex-ok"
  if read_file(okfile) == hash .. "\n" then return end
  local node = find_program {"node", "nodejs"}
  if not node then
    warn("book: warning: TeX not checked: Node.js (node) not found; install Debian's nodejs\n")
    return
  end
  sys.mkdir_p(o.cache .. "/tmp")
  local script, input = o.cache .. "/tmp/tex-check.js", o.cache .. "/tmp/tex-check.json"
  write_file(script, TEX_CHECK_JS)
  write_file(input, json)
  sys.doing("book: checking TeX with KaTeX")
  local p = io.popen(("%s %s %s %s 2>&1"):format(q(node), q(script), q(katex), q(input)))
  local out = p:read("a")
  p:close()
  os.remove(input)
  local found = 0
  for i, msg in out:gmatch('%[(%d+),("[^\n]-")%]') do
    local f = list[tonumber(i) + 1]
    local text = load("return " .. msg:gsub("\\u(%x%x%x%x)", function(h)
      return utf8.char(tonumber(h, 16)) end), "=json", "t", {})
    text = text and select(2, pcall(text)) or msg
    if f then
      found = found + 1
      problems[#problems + 1] = ("%s:%d: TeX: %s"):format(f.src, f.line,
        tostring(text):gsub("^KaTeX parse error: ", ""))
    end
  end
  if found == 0 then
    if out:match("^%[%]") then write_file(okfile, hash .. "\n")
    else warn("book: warning: TeX not checked: ", (out:gsub("\n+$", "")), "\n") end
  end
end

-- ---- PDF -----------------------------------------------------------------
--
-- print.html through headless Chromium: the cover and its table of
-- contents, every chapter from a new page, page numbers in the footer
-- (book.css's @page rules), the PDF's outline from the headings.

local function write_pdf(o)
  local chromium = find_program {"chromium", "chromium-browser"}
  if not chromium then
    error("book: --pdf needs Chromium: install it with sh scripts/deps.sh browser", 0)
  end
  local out = core.realpath(o.out)
  local final = out .. "/book.pdf"
  local tmp = out .. "/.book.pdf.tmp"
  local profile = (core.realpath(o.cache) or o.cache) .. "/chromium"
  sys.doing("book: printing " .. final)
  local cmd = ("%s --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions "
    .. "--disable-background-networking --disable-sync --user-data-dir=%s "
    .. "--allow-file-access-from-files --no-pdf-header-footer --generate-pdf-document-outline "
    .. "--virtual-time-budget=30000 --run-all-compositor-stages-before-draw "
    .. "--print-to-pdf=%s %s 2>&1"):format(q(chromium), q(profile), q(tmp),
    q("file://" .. url_encode_path(out .. "/print.html")))
  local p = io.popen(cmd)
  local log = p:read("a")
  p:close()
  local head = read_file(tmp)
  if not head or head:sub(1, 5) ~= "%PDF-" then
    os.remove(tmp)
    error("book: Chromium did not write the PDF:\n" .. log, 0)
  end
  assert(os.rename(tmp, final))
  return final
end

-- ---- main ---------------------------------------------------------------

local function report_problems(problems)
  for _, p in ipairs(problems) do warn("book: ", p, "\n") end
  warn(("book: %d problem%s; nothing written\n"):format(#problems, #problems == 1 and "" or "s"))
  return 1
end

-- The labs of every page, one per script, in book order.
local function collect_labs(ctx)
  local labs, by_path = {}, {}
  for _, page in ipairs(ctx.pages) do
    page.labs = {}
    for k, run in ipairs(page.r.runs) do
      local lab = by_path[run.path]
      if not lab then
        local key = lab_key(ctx, run.path)
        lab = {path = run.path, key = key, page = page, line = run.line,
               entry = false}
        by_path[run.path] = lab
        labs[#labs + 1] = lab
      end
      page.labs[k] = lab
    end
    for _, ex in ipairs(ctx.o.solutions and page.exercises or {}) do
      local extra = {ex.path, ex.check}
      local key = lab_key(ctx, ex.solution, "check", extra)
      ex.lab = {path = ex.solution, name = "check " .. ex.solution, command = "check",
                key = key, page = page, line = 1, extra = extra,
                entry = false}
      labs[#labs + 1] = ex.lab
    end
  end
  return labs
end

local function summary(failed)
  warn(("book: %d lab%s failed:\n"):format(#failed, #failed == 1 and "" or "s"))
  for _, lab in ipairs(failed) do
    warn("  ", (lab.message:match("^[^\n]*")), "\n")
  end
end

local function build(o)
  local t0 = sys.clock()
  if exists(join(o.src, "book.md")) ~= "file" then
    warn("book: no book.md in ", o.src, " (use --src DIR)\n")
    return 2
  end
  local problems = {}
  sys.doing("book: reading the pages")
  local pages, by_src = load_book(o, problems)
  if not pages then return report_problems(problems) end
  local ex_files = add_exercises(o, pages, problems)
  local files = resolve_refs(o, pages, by_src, problems)
  if #problems == 0 then check_tex(o, pages, problems) end
  if #problems > 0 then return report_problems(problems) end
  for f in pairs(ex_files) do files[f] = true end

  sys.mkdir_p(o.cache .. "/labs")
  local ctx = {o = o, pages = pages, figures = {}, lab_files = {}, started = {}, ran = 0, cached = 0,
               exe = core.realpath("/proc/self/exe"),
               cache_abs = core.realpath(o.cache),
               hashes = load_hashes(o.cache .. "/hashes")}
  ctx.exe_hash = ctx.hashes:get(ctx.exe)
  local labs = collect_labs(ctx)
  run_labs(ctx, labs)
  ctx.hashes:save()
  local failed = {}
  for _, lab in ipairs(labs) do if lab.failed then failed[#failed + 1] = lab end end
  if #failed > 0 and not o.keep_going then
    summary(failed)
    return 1
  end
  number_labels(ctx, problems)
  check_xrefs(ctx, labs, problems)
  if #problems > 0 then return report_problems(problems) end
  prune_cache(ctx, labs)

  sys.doing("book: writing " .. o.out)
  sys.mkdir_p(o.out)
  local written = {["print.html"] = true}
  for i, page in ipairs(pages) do
    write_file(o.out .. "/" .. page.out, page_html(ctx, i))
    written[page.out] = true
  end
  for _, name in ipairs(core.list(o.out) or {}) do   -- pages of removed chapters
    local path = o.out .. "/" .. name
    if name:match("%.html$") and not written[name]
       and (read_file(path) or ""):find(GENERATOR, 1, true) then
      os.remove(path)
    end
  end
  write_file(o.out .. "/print.html", print_html(ctx))
  copy_assets(ctx)
  for f in pairs(ctx.lab_files) do files[f] = true end
  copy_files(ctx, files)
  local pdf = o.pdf and write_pdf(o)
  sys.doing(nil)
  local nchecks = 0
  for _, lab in ipairs(labs) do if lab.command == "check" then nchecks = nchecks + 1 end end
  say(("book: wrote %s/index.html: %d pages, %d labs%s (%d run, %d cached) in %.2f s\n")
      :format(o.out, #pages, #labs - nchecks,
              o.solutions and (" + %d solution checks"):format(nchecks) or "",
              ctx.ran, ctx.cached, sys.clock() - t0))
  if pdf then say(("book: wrote %s\n"):format(pdf)) end
  if #failed > 0 then summary(failed); return 1 end
  return 0
end

function M.main(...)
  local ok, o = pcall(parse_args, {...})
  if not ok then warn("book: ", o, "\n"); return 2 end
  if o.help then say(USAGE); return 0 end
  local okb, code = xpcall(build, function(e)
    -- our own errors say "book: ..."; anything else is a bug: show where
    if type(e) == "string" and e:match("^book: ") then return e end
    return debug.traceback("book: internal error: " .. tostring(e), 2)
  end, o)
  sys.doing(nil)
  if not okb then
    warn(tostring(code), "\n")
    local sig = core.interrupted()
    return sig and 128 + sig or 1
  end
  return code
end

-- for the tests
M.normalize, M.clean_output = normalize, clean_output

return M
