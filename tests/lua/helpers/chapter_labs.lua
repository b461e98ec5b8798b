-- chapter_labs.lua - shared by the chapter tests (chapters_ch*.lua;
-- required as "helpers.chapter_labs", a helper, not a test). Runs a lab
-- as a student runs it (./workbook run chN/labK.lua, WORKBOOK_QUICK=1) in
-- a child process writing into a temporary out folder, and checks what
-- it printed and drew.
--   local L = require("helpers.chapter_labs")(t, "ch4")
--   local s = L.lab("ch4/lab1.lua", {{text, name}, ...}, {{png, min_w, min_h}, ...})
--   L.has(s, text, name); L.number(s, pattern); L.near(a, b, tol, name); L.done()
local image = require "image"

return function(t, tag)
  local bin = os.getenv("WORKBOOK") or "./workbook"
  local tmp = os.tmpname()
  os.remove(tmp)
  local outdir = tmp .. "_" .. tag
  assert(os.execute("mkdir -p '" .. outdir .. "'"))
  local L = {outdir = outdir}

  -- the lab's output (stdout and stderr) and its exit status
  function L.run(lab)
    local p = io.popen(("WORKBOOK_QUICK=1 WORKBOOK_OUT='%s' %s run %s 2>&1; echo \"rc=$?\"")
                       :format(outdir, bin, lab))
    local s = p:read("a")
    p:close()
    local rc = tonumber(s:match("rc=(%d+)\n?$"))
    return (s:gsub("rc=%d+\n?$", "")), rc
  end

  function L.has(s, text, name)
    local ok = t.ok(s:find(text, 1, true) ~= nil, name)
    if not ok then t.diag("missing: " .. text) end
    return ok
  end

  -- a PNG of real content: not one flat colour, not (nearly) all white
  function L.figure(lab, name, min_w, min_h)
    local path = ("%s/%s/%s"):format(outdir, lab, name)
    local ok, img = pcall(image.load, path)
    if not t.ok(ok, lab .. "/" .. name .. " written and readable") then
      t.diag(tostring(img)); return
    end
    local s = img:shape()
    local g = img:mean(3)
    local white = g:gt(0.99):sum() / (s[1] * s[2])
    local good = s[2] >= min_w and s[1] >= min_h and white < 0.97 and g:max() - g:min() > 0.5
    if not t.ok(good, ("%s/%s: at least %dx%d, not blank"):format(lab, name, min_w, min_h)) then
      t.diag(("%dx%d, white fraction %.3f"):format(s[2], s[1], white))
    end
  end

  -- a number within tol of the wanted one (nil fails), the two shown if not
  function L.near(a, b, tol, name)
    local ok = t.ok(a and math.abs(a - b) <= tol, name)
    if not ok then t.diag(("got %s, want %.6g (tol %g)"):format(tostring(a), b, tol)) end
    return ok
  end

  function L.number(s, pattern)
    return tonumber(s:match(pattern))
  end

  -- run one lab: exit status 0, each {text, name} printed, each {png,
  -- min width, min height} drawn; the output for further checks
  function L.lab(path, lines, figures)
    local s, rc = L.run(path)
    t.is(rc, 0, path .. " exits 0")
    local dir = path:gsub("%.lua$", "")
    for _, l in ipairs(lines) do L.has(s, l[1], dir .. ": " .. l[2]) end
    for _, f in ipairs(figures) do L.figure(dir, f[1], f[2], f[3]) end
    return s
  end

  function L.done()
    os.execute("rm -rf '" .. outdir .. "'")
  end

  return L
end
