-- helpers/figures.lua - what the plot tests share: a temporary folder
-- whose files are tracked (path), PNG size checks read from the IHDR
-- chunk, a colour counter over an image's pixels, and the final check
-- that nothing but the expected files was written.
--   local F = require("helpers.figures")(t, "plotml")
--   F.path("x.png"), F.png_size(p), F.is_png(p, name, w, h),
--   F.count_color(img, "#rrggbb", tol), F.listing(), F.finish(msg)
local T = require "tensor"
local sys = require "sys"

return function(t, tag)
  local F = {}
  local base = os.tmpname()            -- a file; our folder sits beside it
  F.dir = base .. "_" .. tag
  os.remove(base)
  sys.mkdir_p(F.dir)
  local written = {}

  function F.path(name)
    local p = F.dir .. "/" .. name
    written[#written + 1] = p
    return p
  end

  -- width and height from a PNG's IHDR chunk, or nil if not a PNG
  function F.png_size(p)
    local f = io.open(p, "rb")
    if not f then return nil end
    local head = f:read(24) or ""
    f:close()
    if #head < 24 or head:sub(1, 8) ~= "\137PNG\r\n\26\n" then return nil end
    return string.unpack(">I4I4", head, 17)
  end

  function F.is_png(p, name, w, h)
    local gw, gh = F.png_size(p)
    local r = t.ok(gw == w and gh == h, name)
    if not r then
      t.diag(("got %s x %s, want %d x %d"):format(tostring(gw), tostring(gh), w, h))
    end
    return r
  end

  -- how many pixels of img (H,W,3) are within tol of colour "#rrggbb"
  function F.count_color(img, hex, tol)
    local r, g, b = hex:match("#(%x%x)(%x%x)(%x%x)")
    local c = T{tonumber(r, 16) / 255, tonumber(g, 16) / 255, tonumber(b, 16) / 255}
    return (img - c):abs():max(3):lt(tol or 0.02):sum()
  end

  function F.listing()
    local p = io.popen('ls -A "' .. F.dir .. '"')
    local s = p:read("a")
    p:close()
    return s
  end

  -- remove the tracked files; the folder must then be empty
  function F.finish(msg)
    for _, f in ipairs(written) do os.remove(f) end
    t.is(F.listing(), "", msg or "every file written was expected")
    os.remove(F.dir)
  end
  return F
end
