-- plot_surface.lua - plot.surface: the error surface of a line fit
-- (mean squared error over w and b) with gradient descent's steps on
-- it writes a PNG of the asked size whose pixels hold the colour map's
-- ends and the red path; a tensor of z works too; bad input is an
-- error at this script's line.
local t = require "tap"
local T = require "tensor"
local plot = require "plot"
local image = require "image"
local sys = require "sys"

local dir = os.tmpname()
os.remove(dir)
sys.mkdir_p(dir)

-- pixels of img within tol of the colour {r, g, b} (0..1)
local function pixels_near(img, rgb, tol)
  local d = (img - T(rgb)):abs():max(3)
  return d:lt(tol):sum()
end

-- data on the line y = 2x + 1; MSE(w, b) and its gradient
local xs, ys = {0, 1, 2, 3, 4}, {1, 3, 5, 7, 9}
local function mse(w, b)
  local s = 0
  for i = 1, #xs do s = s + (w * xs[i] + b - ys[i]) ^ 2 end
  return s / #xs
end
local steps, w, b = {}, -1, -3
for _ = 1, 15 do
  steps[#steps + 1] = {w, b, mse(w, b)}
  local gw, gb = 0, 0
  for i = 1, #xs do
    local e = w * xs[i] + b - ys[i]
    gw, gb = gw + 2 * e * xs[i] / #xs, gb + 2 * e / #xs
  end
  w, b = w - 0.05 * gw, b - 0.05 * gb
end

local p = dir .. "/surface.png"
t.is(plot.surface(mse, p, {xlim = {-2, 5}, ylim = {-4, 6}, title = "오차 곡면 (error surface)",
                         xlabel = "w", ylabel = "b", zlabel = "MSE", path = steps,
                         width = 600, height = 500}), p, "returns the path")
local img = image.load(p)
t.is(img:shape()[1] .. "x" .. img:shape()[2], "500x600", "the asked size")
t.ok(pixels_near(img, {0x44 / 255, 0x01 / 255, 0x54 / 255}, 0.08) > 20, "viridis's dark end (low error)")
local yellowish = img:select(3, 2):gt(0.75):sum()   -- green high: viridis's upper end
t.ok(yellowish > 20, "viridis's yellow-green end (high error)")
t.ok(pixels_near(img, {0.84, 0.15, 0.16}, 0.06) > 30, "the gradient-descent path in red")

local Z = T.zeros(3, 4)
Z[2][3] = 1
local q = dir .. "/grid.png"
plot.surface(Z, q, {cmap = "coolwarm", elev = 60, azim = 30})
t.is(image.load(q):shape()[2], 640, "a (rows, cols) tensor, default width")

t.raises(function() plot.surface(mse, dir .. "/x.png", {xlim = {0, 1}}) end,
         "xlim = {lo, hi} and ylim", "a function needs both ranges")
t.raises(function() plot.surface(function() return 0 / 0 end, dir .. "/x.png",
                                 {xlim = {0, 1}, ylim = {0, 1}}) end,
         "expected a finite number", "NaN from f")
t.raises(function() plot.surface(Z, dir .. "/x.png", {path = {{1, 2}}}) end,
         "path point 1 must be {x, y, z}", "a bad path point")
t.raises(function() plot.surface(Z, dir .. "/x.png", {elevation = 10}) end,
         "elev", "misspelt option")

os.execute("rm -rf '" .. dir .. "'")
t.done()
