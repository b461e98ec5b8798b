-- book_exercises.lua - the exercise section of `workbook book`: a small
-- book in a temporary folder whose chapter has two exercises in the
-- chapters/ch9/exercises format (exK.lua, exK.check.lua,
-- exK.solution.lua). Checks the section (title, instructions, code,
-- download link and its copy, check command), that no solution text is
-- written without --solutions, and the instructor's edition
-- (--solutions: banner, solution and its `workbook check` output in a
-- <details>, cached like labs; a failing solution fails the build).
local t = require "tap"
local sh, q, read, write, has, hasnt = t.sh, t.q, t.read, t.write, t.has, t.hasnt
local bin = os.getenv("WORKBOOK") or "./workbook"
if bin:sub(1, 1) ~= "/" then bin = os.getenv("PWD") .. "/" .. bin end

local tmp = os.tmpname()
local base = tmp .. "_bookex"
local src, out = base .. "/src", base .. "/out"

local function book(args)
  return sh(q(bin) .. " book --src " .. q(src) .. " --out " .. q(out) .. " " .. (args or ""))
end

-- ---- the book ------------------------------------------------------------------
local ex = src .. "/chapters/chq/exercises/"
sh("rm -rf " .. q(base))
write(src .. "/book.md", "# 연습 시험 책\n\n- [큐 장](chapters/chq/index.md)\n- [빈 장](chapters/che/index.md)\n")
write(src .. "/chapters/chq/index.md", "# 큐 장\n\n본문이다. [첫 연습](#ex-chq-1)\n\n## 첫 절\n\n내용.\n")
write(src .. "/chapters/che/index.md", "# 빈 장\n\n연습이 없는 장.\n")

local EX1 = [[
-- 연습 Q-1: 두 수 더하기
-- exercise: chq/ex1   (이 줄은 그대로 두세요)
--
-- 함수 `add(a, b)`를 만들어 두 수의 합을 돌려주세요.
--
-- 할 일
--   1. add가 a + b를 돌려주게 하세요.
--
-- 확인: ./workbook check chq/ex1.lua

-- TODO: 합을 돌려주세요
function add(a, b)
  return nil
end
]]
write(ex .. "ex1.lua", EX1)
write(ex .. "ex1.check.lua", [[
return {
  limits = {seconds = 30},
  checks = {
    {name = "작은 수", run = function(s, c) c.equal(s.add(1, 2), 3, "1 + 2") end},
    {name = "음수", run = function(s, c) c.equal(s.add(-4, 1), -3, "-4 + 1") end},
  },
}
]])
write(ex .. "ex1.solution.lua", [[
-- 연습 Q-1 풀이 (강사용)
-- exercise: chq/ex1
function add(a, b)
  return a + b   -- SOLUTION-MARK-ONE
end
]])
write(ex .. "ex2.lua", [[
-- 연습 Q-2: 제곱 텐서
-- exercise: chq/ex2   (이 줄은 그대로 두세요)
--
-- 1부터 5까지의 제곱을 담은 텐서 `squares`를 만드세요 & 출력하세요.
--
-- 확인: ./workbook check chq/ex2.lua
local tensor = require "tensor"

-- TODO: squares = ...
squares = nil
]])
write(ex .. "ex2.check.lua", [[
local tensor = require "tensor"
return {
  checks = {
    {name = "모양", run = function(s, c) c.shape(s.squares, {5}, "원소 5개") end},
    {name = "값", run = function(s, c)
      local v = c.shape(s.squares, {5}, "원소 5개")
      for i = 1, 5 do c.near(v[i], i * i, 1e-9, "제곱") end
    end},
  },
}
]])
write(ex .. "ex2.solution.lua", [[
-- 연습 Q-2 풀이 (강사용)
local tensor = require "tensor"
squares = tensor{1, 4, 9, 16, 25}   -- SOLUTION-MARK-TWO
print(squares)
]])

-- ---- the student's edition -----------------------------------------------------
local s, rc = book()
t.is(rc, 0, "the book with exercises builds")
if rc ~= 0 then t.diag(s) end
local page = read(out .. "/chq.html") or ""
has(page, '<h2 id="연습-문제">연습 문제', "an exercise section")
has(page, '<h3 id="ex-chq-1">연습 Q-1: 두 수 더하기', "exercise 1's title")
has(page, '<h3 id="ex-chq-2">연습 Q-2: 제곱 텐서', "exercise 2's title")
t.ok((page:find("ex-chq-1", 1, true) or math.huge) < (page:find('id="ex-chq-2"', 1, true) or 0),
     "in order")
t.ok((page:find("첫 절", 1, true) or math.huge) < (page:find("연습 문제", 1, true) or 0),
     "at the end of the chapter")
has(page, "함수 <code>add(a, b)</code>를 만들어 두 수의 합을 돌려주세요.", "instructions, with code spans")
has(page, "할 일\n  1. add가 a + b를 돌려주게 하세요.", "instruction lines kept")
has(page, "&amp; 출력하세요", "instructions escaped")
hasnt(page, "exercise: chq/ex1", "the tag line is left out")
has(page, '<code class="language-lua">-- TODO: 합을 돌려주세요\nfunction add(a, b)\n  return nil\nend\n</code>',
    "the exercise's code, highlighted as Lua")
has(page, '<a class="download" href="chapters/chq/exercises/ex1.lua" download>', "a download link")
t.is(read(out .. "/chapters/chq/exercises/ex1.lua"), EX1, "the downloaded file equals the exercise")
t.is(read(out .. "/chapters/chq/exercises/ex2.lua"), read(ex .. "ex2.lua"), "both files are copied")
has(page, '<code class="exercise-check">./workbook check chq/ex1.lua</code>', "the check command")
has(page, '<code class="exercise-check">./workbook check chq/ex2.lua</code>', "for each exercise")
has(page, '<li><a href="#연습-문제">연습 문제</a></li>', "the sidebar lists the section")
has(page, 'href="#ex-chq-1"', "a link to an exercise resolves")
hasnt(page, "notice instructor", "no instructor banner")
hasnt(read(out .. "/che.html"), "연습 문제", "a chapter without exercises has no section")
has(read(out .. "/assets/search-index.js"), '"연습 Q-2: 제곱 텐서"', "search finds the exercises")
local print_page = read(out .. "/print.html") or ""
has(print_page, '<h3 id="chq--ex-chq-1">', "the print page has the exercises")
has(print_page, "./workbook check chq/ex2.lua", "with their commands")
local grep = sh("grep -rl SOLUTION-MARK " .. q(out))
t.is(grep, "", "no solution text anywhere in the output folder")
t.ok(not read(out .. "/chapters/chq/exercises/ex1.solution.lua"), "no solution file copied")

-- ---- the instructor's edition ----------------------------------------------------
s, rc = book("--solutions")
t.is(rc, 0, "--solutions builds")
if rc ~= 0 then t.diag(s) end
has(s, "0 labs + 2 solution checks (2 run, 0 cached)", "each solution is checked")
page = read(out .. "/chq.html") or ""
has(page, '<p class="notice instructor"><strong>강사용 판</strong>', "an instructor's banner")
has(read(out .. "/che.html"), '<p class="notice instructor">', "on every page")
has(read(out .. "/index.html"), '<p class="notice instructor">', "the front page too")
local d1 = page:match('<details class="solution">.-</details>') or ""
has(d1, "return a + b   -- SOLUTION-MARK-ONE", "solution 1's code in a <details>")
has(d1, "✔ 작은 수: 통과", "with its check output")
has(d1, "점수: 2/2", "and its score")
local d2 = page:match('<details class="solution">.-</details>', #d1 > 0 and page:find(d1, 1, true) + #d1 or 1) or ""
has(d2, "SOLUTION-MARK-TWO", "solution 2 in its own <details>")
has(d2, "점수: 2/2", "with its score")
has(d2, "[ 1,  4,  9, 16, 25]", "and what it printed")
has(read(out .. "/print.html"), '<details class="solution" open>', "the print page shows solutions open")
hasnt(read(out .. "/assets/search-index.js"), "SOLUTION-MARK", "search does not index solutions")

s, rc = book("--solutions")
t.ok(rc == 0 and s:find("(0 run, 2 cached)", 1, true) ~= nil, "solution checks are cached")
write(ex .. "ex2.check.lua", read(ex .. "ex2.check.lua") .. "-- changed\n")
s, rc = book("--solutions")
t.ok(rc == 0 and s:find("(1 run, 1 cached)", 1, true) ~= nil, "a changed check file reruns its check")

-- back to the student's edition: the solutions are gone again
s, rc = book()
t.is(rc, 0, "the student's edition builds again")
t.is(sh("grep -rl SOLUTION-MARK " .. q(out)), "", "and removes every solution text")
hasnt(read(out .. "/chq.html"), "notice instructor", "and the banner")

-- ---- order, failures, flags ----------------------------------------------------------
write(ex .. "ex10.lua", "-- 연습 Q-10: 열째\nx = nil\n")
write(ex .. "ex10.check.lua", "return {checks = {{name = \"x\", run = function(s, c) c.equal(s.x, 1, \"x = 1\") end}}}\n")
write(ex .. "ex10.solution.lua", "x = 2   -- wrong on purpose\n")
s, rc = book()
page = read(out .. "/chq.html") or ""
t.ok(rc == 0 and (page:find('id="ex-chq-2"', 1, true) or math.huge) < (page:find('id="ex-chq-10"', 1, true) or 0),
     "ex10 comes after ex2")
s, rc = book("--solutions")
t.ok(rc ~= 0, "a solution that fails its checks fails the --solutions build")
has(s, "book: the solution chapters/chq/exercises/ex10.solution.lua fails its checks", "and says which")
os.remove(ex .. "ex10.solution.lua")
s, rc = book("--solutions")
t.ok(rc ~= 0, "a missing solution file fails the --solutions build")
has(s, "no solution file chapters/chq/exercises/ex10.solution.lua", "and names it")
s, rc = book()
t.is(rc, 0, "without --solutions a missing solution file is fine")

s, rc = book("--solution")
t.is(rc, 2, "a misspelt flag is a usage error")
has(s, "did you mean '--solutions'?", "with a suggestion")
s = book("--help")
has(s, "--solutions", "--help lists --solutions")

sh("rm -rf " .. q(base) .. " " .. q(tmp))
t.done()
