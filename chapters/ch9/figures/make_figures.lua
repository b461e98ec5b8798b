-- make_figures.lua - draws the chapter 9 diagrams as SVG files.
--
--   ./workbook run chapters/ch9/figures/make_figures.lua [OUTDIR]
--
-- writes one NAME.svg per figure into OUTDIR (default: the folder this
-- script is in). The numbers in the grids (padding, pooling) are computed
-- here from the chapter's own examples, so the figures agree with the
-- text. Every figure uses the same palette, fonts and white rounded
-- background (so it reads on light and dark pages) and needs nothing
-- outside its own file. tests/lua/book_diagrams.lua checks that the
-- committed files are what this script writes.

local sys = require "sys"

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local outdir = (arg and arg[1]) or here

-- ---- style ------------------------------------------------------------

local FONT = "'Noto Sans KR','Noto Sans CJK KR','NanumBarunGothic','NanumGothic',"
          .. "'Malgun Gothic','Apple SD Gothic Neo',sans-serif"

local INK, MUTED, LINE = "#1f2328", "#57606a", "#6e7781"

-- {fill, stroke} per kind of thing drawn
local K = {
  input  = {"#dbeafe", "#1d4ed8"},   -- data, inputs, feature maps
  conv   = {"#ffedd5", "#c2410c"},   -- convolution
  reduce = {"#fef9c3", "#a16207"},   -- 1x1 bottleneck convolution
  pool   = {"#dcfce7", "#15803d"},   -- pooling
  fc     = {"#ede9fe", "#6d28d9"},   -- fully connected
  norm   = {"#f1f5f9", "#475569"},   -- batch normalization, activations
  hot    = {"#fecaca", "#dc2626"},   -- the one thing a figure points at
  field  = {"#fde68a", "#b45309"},   -- a receptive field
  pad    = {"#f3f4f6", "#9ca3af"},   -- zero padding
  plain  = {"#ffffff", "#6e7781"},
}

-- ---- a tiny SVG writer ------------------------------------------------

local function xml(s)
  return (tostring(s):gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

local function num(v)
  if v == math.floor(v) and math.abs(v) < 1e15 then
    local s = ("%d"):format(v)
    return (s:gsub("^%-", "−"))
  end
  return (("%g"):format(v):gsub("^%-", "−"))
end

local function attrs(o, keys)
  local parts = {}
  for _, kv in ipairs(keys) do
    local v = o[kv[1]]
    if v ~= nil then parts[#parts + 1] = ('%s="%s"'):format(kv[2], xml(v)) end
  end
  return table.concat(parts, " ")
end

local SHAPE = {{"fill", "fill"}, {"stroke", "stroke"}, {"sw", "stroke-width"},
               {"dash", "stroke-dasharray"}, {"opacity", "opacity"},
               {"fo", "fill-opacity"}, {"cap", "stroke-linecap"},
               {"join", "stroke-linejoin"}, {"marker", "marker-end"}}

local Canvas = {}
Canvas.__index = Canvas

local function canvas(name, w, h, title, desc)
  local c = setmetatable({name = name, w = w, h = h, body = {}}, Canvas)
  c.title, c.desc = title, desc
  c.arrow_id = name .. "-arrow"
  return c
end

function Canvas:add(s) self.body[#self.body + 1] = s end

function Canvas:rect(x, y, w, h, o)
  o = o or {}
  local r = o.rx and (' rx="%s"'):format(o.rx) or ""
  self:add(('<rect x="%g" y="%g" width="%g" height="%g"%s %s/>'):format(
    x, y, w, h, r, attrs({fill = o.fill or "none", stroke = o.stroke, sw = o.sw,
                          dash = o.dash, opacity = o.opacity, fo = o.fo}, SHAPE)))
end

function Canvas:box(x, y, w, h, kind, o)
  o = o or {}
  local k = K[kind] or kind
  self:rect(x, y, w, h, {fill = k[1], stroke = k[2], sw = o.sw or 1.5, rx = o.rx or 6,
                         dash = o.dash})
end

function Canvas:circle(cx, cy, r, o)
  o = o or {}
  self:add(('<circle cx="%g" cy="%g" r="%g" %s/>'):format(cx, cy, r,
    attrs({fill = o.fill or "none", stroke = o.stroke, sw = o.sw}, SHAPE)))
end

function Canvas:path(d, o)
  o = o or {}
  self:add(('<path d="%s" %s/>'):format(d, attrs({fill = o.fill or "none",
    stroke = o.stroke or LINE, sw = o.sw or 1.5, dash = o.dash, join = "round",
    cap = o.cap, marker = o.arrow and ("url(#" .. self.arrow_id .. ")") or nil}, SHAPE)))
end

function Canvas:line(x1, y1, x2, y2, o)
  self:path(("M%g,%g L%g,%g"):format(x1, y1, x2, y2), o)
end

-- an arrow through the points {x1, y1, x2, y2, ...}, head at the end
function Canvas:arrow(pts, o)
  o = o or {}
  local d = {("M%g,%g"):format(pts[1], pts[2])}
  for i = 3, #pts, 2 do d[#d + 1] = ("L%g,%g"):format(pts[i], pts[i + 1]) end
  self:path(table.concat(d, " "), {stroke = o.stroke or LINE, sw = o.sw or 1.6,
                                   dash = o.dash, arrow = true})
end

-- Text. `s` may hold subscripts written x_{c}; o.size (px), o.anchor
-- ("start", "middle", "end"), o.weight, o.color, o.italic.
function Canvas:text(x, y, s, o)
  o = o or {}
  local size = o.size or 15
  local a = {('x="%g" y="%g"'):format(x, y)}
  if (o.anchor or "start") ~= "start" then a[#a + 1] = ('text-anchor="%s"'):format(o.anchor) end
  if size ~= 15 then a[#a + 1] = ('font-size="%g"'):format(size) end
  if o.weight then a[#a + 1] = ('font-weight="%s"'):format(o.weight) end
  if o.italic then a[#a + 1] = 'font-style="italic"' end
  if o.color and o.color ~= INK then a[#a + 1] = ('fill="%s"'):format(o.color) end
  local inner, pos, down, shifted = {}, 1, size * 0.3, false
  while true do
    local i, j, sub = s:find("_{(.-)}", pos)
    local plain = xml(s:sub(pos, (i or #s + 1) - 1))
    if shifted then
      inner[#inner + 1] = ('<tspan dy="%g">%s</tspan>'):format(-down, plain)
    else
      inner[#inner + 1] = plain
    end
    if not i then break end
    inner[#inner + 1] = ('<tspan dy="%g" font-size="%g">%s</tspan>'):format(down, size * 0.72, xml(sub))
    shifted, pos = true, j + 1
  end
  self:add(("<text %s>%s</text>"):format(table.concat(a, " "), table.concat(inner)))
end

-- A labelled box: lines of text centred in it (first line bold unless
-- o.plain); o.sub makes the later lines small and muted.
function Canvas:label_box(x, y, w, h, kind, lines, o)
  o = o or {}
  self:box(x, y, w, h, kind, o)
  local n, gap = #lines, o.gap or 18
  local y0 = y + h / 2 - (n - 1) * gap / 2 + 5
  for i, s in ipairs(lines) do
    local first = i == 1
    self:text(x + w / 2, y0 + (i - 1) * gap, s, {anchor = "middle",
      size = first and (o.size or 15) or (o.subsize or 13),
      weight = (first and not o.plain) and "bold" or nil,
      color = first and INK or MUTED})
  end
end

-- A rows x cols grid of square cells at (x, y). o.value(i, j) -> text or
-- nil, o.fill(i, j) -> colour or nil, o.stroke, o.size (font), o.dash(i, j).
function Canvas:grid(x, y, rows, cols, cell, o)
  o = o or {}
  for i = 0, rows - 1 do
    for j = 0, cols - 1 do
      local cx, cy = x + j * cell, y + i * cell
      local fill = (o.fill and o.fill(i, j)) or "#ffffff"
      local dash = o.dash and o.dash(i, j) or nil
      self:rect(cx, cy, cell, cell, {fill = fill, stroke = (o.stroke_of and o.stroke_of(i, j)) or o.stroke or "#8c959f",
                                     sw = 1, dash = dash})
      local v = o.value and o.value(i, j)
      if v then
        local bold = o.bold and o.bold(i, j)
        self:text(cx + cell / 2, cy + cell / 2 + (o.size or 14) * 0.35, v,
                  {anchor = "middle", size = o.size or 14, weight = bold and "bold" or nil,
                   color = (o.color and o.color(i, j)) or INK})
      end
    end
  end
end

-- an outline around cells (r0, c0) .. (r1, c1) of a grid at (x, y)
function Canvas:cells_outline(x, y, cell, r0, c0, r1, c1, stroke, o)
  o = o or {}
  local inset = o.inset or 0
  self:rect(x + c0 * cell + inset, y + r0 * cell + inset,
            (c1 - c0 + 1) * cell - 2 * inset, (r1 - r0 + 1) * cell - 2 * inset,
            {stroke = stroke, sw = o.sw or 2.5, dash = o.dash, rx = o.rx})
end

-- a pseudo-3D cuboid: front face a x b at (x, y), depth d up and right
function Canvas:cuboid(x, y, a, b, d, kind)
  local k = K[kind] or kind
  local dx, dy = d * 0.8, d * 0.6
  local top = ("M%g,%g L%g,%g L%g,%g L%g,%g Z"):format(x, y, x + dx, y - dy, x + a + dx, y - dy, x + a, y)
  local side = ("M%g,%g L%g,%g L%g,%g L%g,%g Z"):format(x + a, y, x + a + dx, y - dy, x + a + dx, y + b - dy, x + a, y + b)
  self:path(top, {fill = k[1], stroke = k[2], sw = 1.2})
  self:path(side, {fill = "#ffffff", stroke = k[2], sw = 1.2})
  self:add(('<path d="%s" fill="%s" fill-opacity="0.55" stroke="%s" stroke-width="1.2" stroke-linejoin="round"/>')
           :format(side, k[2], k[2]))
  self:rect(x, y, a, b, {fill = k[1], stroke = k[2], sw = 1.2})
end

function Canvas:finish()
  local head = {
    ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-title %s-desc" font-family="%s" font-size="15" fill="%s">')
      :format(self.w, self.h, self.w, self.h, self.name, self.name, xml(FONT), INK),
    ('<title id="%s-title">%s</title>'):format(self.name, xml(self.title)),
    ('<desc id="%s-desc">%s</desc>'):format(self.name, xml(self.desc)),
    ('<defs><marker id="%s" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="%s"/></marker></defs>')
      :format(self.arrow_id, LINE),
    ('<rect x="1" y="1" width="%d" height="%d" rx="14" fill="#ffffff" stroke="#d0d7de" stroke-width="1.5"/>')
      :format(self.w - 2, self.h - 2),
  }
  local body = table.concat(self.body, "\n")
  if self.shift then body = ('<g transform="translate(0,%g)">\n%s\n</g>'):format(self.shift, body) end
  return table.concat(head, "\n") .. "\n" .. body .. "\n</svg>\n"
end

-- a small legend entry: swatch then text; returns the x after it
function Canvas:legend(x, y, kind, label, o)
  o = o or {}
  local k = K[kind] or kind
  self:rect(x, y - 11, 16, 14, {fill = k[1], stroke = k[2], sw = o.sw or 1.5, rx = 3, dash = o.dash})
  self:text(x + 22, y + 1, label, {size = 13, color = MUTED})
end

-- ---- the figures -------------------------------------------------------

local figures = {}

-- Receptive field: two stacked 3x3 convolutions ('valid'), 7x7 -> 5x5 -> 3x3.
figures["receptive-field"] = function()
  local c = canvas("receptive-field", 760, 370,
    "두 번 쌓은 3×3 합성곱의 수용장",
    "7×7 입력, 3×3 합성곱 1의 5×5 출력, 3×3 합성곱 2의 3×3 출력. 합성곱 2 출력의 가운데 뉴런은 합성곱 1 출력의 3×3 영역을, 그 영역은 입력의 5×5 영역을 본다.")
  local cell = 28
  local gx = {40, 330, 590}
  local gy = {92, 92 + cell, 92 + 2 * cell}
  local n = {7, 5, 3}
  -- projection lines first, so the grids cover them
  local function proj(a, r0, r1, b, s0, s1)
    -- right edge of rows r0..r1 (last column of the field) of grid a to
    -- left edge of rows s0..s1 of grid b's field
    local ax = gx[a] + (n[a] == 7 and 6 or 4) * cell
    local bx = gx[b] + (b == 2 and 1 or 1) * cell
    c:line(ax, gy[a] + r0 * cell, bx, gy[b] + s0 * cell, {stroke = "#b45309", sw = 1.2, dash = "4 3"})
    c:line(ax, gy[a] + (r1 + 1) * cell, bx, gy[b] + (s1 + 1) * cell, {stroke = "#b45309", sw = 1.2, dash = "4 3"})
  end
  proj(1, 1, 5, 2, 1, 3)
  proj(2, 1, 3, 3, 1, 1)
  -- input: 5x5 field (rows/cols 1..5)
  c:grid(gx[1], gy[1], 7, 7, cell, {fill = function(i, j)
    return (i >= 1 and i <= 5 and j >= 1 and j <= 5) and K.field[1] or nil end})
  c:cells_outline(gx[1], gy[1], cell, 1, 1, 5, 5, K.field[2])
  -- what one neuron of conv 1 (row 1, col 1 of its output) sees: 3x3
  c:cells_outline(gx[1], gy[1], cell, 1, 1, 3, 3, K.input[2], {dash = "5 3", inset = 3, sw = 2})
  -- conv 1 output: 3x3 field (rows/cols 1..3)
  c:grid(gx[2], gy[2], 5, 5, cell, {fill = function(i, j)
    return (i >= 1 and i <= 3 and j >= 1 and j <= 3) and K.conv[1] or nil end})
  c:cells_outline(gx[2], gy[2], cell, 1, 1, 3, 3, K.conv[2])
  c:cells_outline(gx[2], gy[2], cell, 1, 1, 1, 1, K.input[2], {dash = "5 3", inset = 3, sw = 2})
  -- conv 2 output: the neuron
  c:grid(gx[3], gy[3], 3, 3, cell, {fill = function(i, j)
    return (i == 1 and j == 1) and K.hot[1] or nil end})
  c:cells_outline(gx[3], gy[3], cell, 1, 1, 1, 1, K.hot[2])
  -- titles
  local titles = {{"입력", "7×7"}, {"합성곱 1 (3×3) 출력", "5×5"}, {"합성곱 2 (3×3) 출력", "3×3"}}
  for g = 1, 3 do
    local cx = gx[g] + n[g] * cell / 2
    c:text(cx, 46, titles[g][1], {anchor = "middle", weight = "bold"})
    c:text(cx, 68, titles[g][2], {anchor = "middle", size = 13, color = MUTED})
  end
  -- what each colour means, under each grid
  c:legend(gx[1], 312, "field", "입력에서 본 수용장: 5×5")
  c:legend(gx[1], 336, {"#ffffff", K.input[2]}, "점선: 합성곱 1의 뉴런 하나가 보는 3×3", {dash = "4 2"})
  c:legend(gx[2] - 20, 312, "conv", "합성곱 1 출력에서 본 수용장: 3×3")
  c:legend(gx[3] - 20, 312, "hot", "합성곱 2의 뉴런 하나")
  return c
end

-- Padding and stride on the chapter's 5x5 example (three columns of 0,
-- two of 9) with the 3x3 Laplacian filter.
local LAPLACIAN = {{0, 1, 0}, {1, -4, 1}, {0, 1, 0}}
local EDGE = {}
for i = 1, 5 do EDGE[i] = {0, 0, 0, 9, 9} end

-- cross-correlation of img (n x n) with a 3x3 kernel: pad p, stride s
local function conv2d(img, ker, p, s)
  local n, k = #img, #ker
  local function at(i, j)   -- 1-based in the padded image
    i, j = i - p, j - p
    if i < 1 or j < 1 or i > n or j > n then return 0 end
    return img[i][j]
  end
  local m = (n + 2 * p - k) // s + 1
  local out = {}
  for i = 1, m do
    out[i] = {}
    for j = 1, m do
      local acc = 0
      for u = 1, k do
        for v = 1, k do acc = acc + at((i - 1) * s + u, (j - 1) * s + v) * ker[u][v] end
      end
      out[i][j] = acc
    end
  end
  return out
end

figures["padding-stride"] = function()
  local c = canvas("padding-stride", 760, 616,
    "패딩과 스트라이드에 따른 출력 크기",
    "왼쪽 세 열이 0, 오른쪽 두 열이 9인 5×5 입력에 3×3 라플라시안 필터를 적용한다. 패딩 없음(valid)은 3×3, same 패딩은 5×5, same 패딩에 스트라이드 2는 3×3 출력을 만든다.")
  local cell = 26
  -- the filter, top centre
  local fx = 380 - 1.5 * cell
  c:text(fx - 16, 30 + 1.5 * cell + 5, "필터 (3×3 라플라시안)", {anchor = "end", weight = "bold"})
  c:grid(fx, 30, 3, 3, cell, {value = function(i, j) return num(LAPLACIAN[i + 1][j + 1]) end,
    fill = function() return K.conv[1] end, stroke = K.conv[2], size = 13})
  c:text(fx + 3 * cell + 16, 30 + 1.5 * cell + 5, "필터를 겹친 자리의 가중합이 출력 한 칸",
         {size = 13, color = MUTED})

  local panels = {
    {title = "(가) 패딩 없음 (valid)", sub = "p = 0, s = 1", p = 0, s = 1},
    {title = "(나) same 패딩", sub = "p = 1, s = 1", p = 1, s = 1},
    {title = "(다) 스트라이드 2", sub = "p = 1, s = 2", p = 1, s = 2},
  }
  local top, second = 160, {K.input[2], "5 3"}
  for idx, P in ipairs(panels) do
    local cx = 125 + (idx - 1) * 255
    c:text(cx, 128, P.title, {anchor = "middle", weight = "bold"})
    c:text(cx, 148, P.sub, {anchor = "middle", size = 13, color = MUTED})
    local n = 5 + 2 * P.p
    local x0 = cx - 3.5 * cell            -- a 7x7 grid's left edge
    local y0 = top
    local ix = x0 + (P.p == 0 and cell or 0)
    local iy = y0 + (P.p == 0 and cell or 0)
    c:grid(ix, iy, n, n, cell, {
      value = function(i, j)
        local a, b = i - P.p, j - P.p
        if a < 0 or b < 0 or a > 4 or b > 4 then return "0" end
        return num(EDGE[a + 1][b + 1])
      end,
      fill = function(i, j)
        local a, b = i - P.p, j - P.p
        if a < 0 or b < 0 or a > 4 or b > 4 then return K.pad[1] end
        return (i < 3 and j < 3) and K.hot[1] or K.input[1]
      end,
      stroke_of = function(i, j)
        local a, b = i - P.p, j - P.p
        if a < 0 or b < 0 or a > 4 or b > 4 then return K.pad[2] end
      end,
      dash = function(i, j)
        local a, b = i - P.p, j - P.p
        if a < 0 or b < 0 or a > 4 or b > 4 then return "3 2" end
      end,
      color = function(i, j)
        local a, b = i - P.p, j - P.p
        if a < 0 or b < 0 or a > 4 or b > 4 then return "#8c959f" end
      end,
      size = 13})
    c:cells_outline(ix, iy, cell, 0, 0, 2, 2, K.hot[2])
    if P.s == 2 then
      c:cells_outline(ix, iy, cell, 0, 2, 2, 4, second[1], {dash = second[2], inset = 3, sw = 2})
    end
    -- size labels
    local bottom = y0 + 7 * cell
    c:text(cx, bottom + 20, P.p == 0 and "입력 5×5" or "입력 5×5 + 패딩 (회색 0)",
           {anchor = "middle", size = 13, color = MUTED})
    c:arrow({cx, bottom + 30, cx, bottom + 58})
    -- output
    local out = conv2d(EDGE, LAPLACIAN, P.p, P.s)
    local m = #out
    local ocell = 28
    local ox, oy = cx - m * ocell / 2, bottom + 68
    c:grid(ox, oy, m, m, ocell, {value = function(i, j) return num(out[i + 1][j + 1]) end,
      fill = function(i, j)
        if i == 0 and j == 0 then return K.hot[1] end
        return K.conv[1]
      end, stroke = "#8c959f", size = 13})
    c:cells_outline(ox, oy, ocell, 0, 0, 0, 0, K.hot[2])
    if P.s == 2 then c:cells_outline(ox, oy, ocell, 0, 1, 0, 1, second[1], {dash = second[2], inset = 3, sw = 2}) end
    local oy2 = oy + 5 * ocell + 26
    c:text(cx, oy2, ("출력 %d×%d"):format(m, m), {anchor = "middle", weight = "bold", size = 14})
    c:text(cx, oy2 + 22, ("⌊(5 + %d − 3) / %d⌋ + 1 = %d"):format(2 * P.p, P.s, m),
           {anchor = "middle", size = 13, color = MUTED})
  end
  return c
end

-- Pooling: the chapter's 4x4 example, 2x2 regions, stride 2.
local POOL_IN = {{1, 3, 2, 0}, {5, 6, 1, 2}, {0, 2, 4, 8}, {1, 1, 3, 7}}

figures["pooling"] = function()
  local c = canvas("pooling", 760, 360,
    "4×4 입력에 2×2 최대 풀링과 평균 풀링을 적용한 결과",
    "입력 [[1,3,2,0],[5,6,1,2],[0,2,4,8],[1,1,3,7]]. 최대 풀링 [[6,2],[2,8]], 평균 풀링 [[3.75,1.25],[1,5.5]].")
  local region = {{"#dbeafe", "#1d4ed8"}, {"#ffedd5", "#c2410c"},
                  {"#dcfce7", "#15803d"}, {"#ede9fe", "#6d28d9"}}
  local function rid(i, j) return (i // 2) * 2 + (j // 2) + 1 end
  local maxv, avg = {}, {}
  for r = 0, 1 do
    for s = 0, 1 do
      local m, sum = -math.huge, 0
      for i = 2 * r, 2 * r + 1 do
        for j = 2 * s, 2 * s + 1 do
          local v = POOL_IN[i + 1][j + 1]
          m, sum = math.max(m, v), sum + v
        end
      end
      maxv[r * 2 + s + 1], avg[r * 2 + s + 1] = m, sum / 4
    end
  end
  local cell = 52
  local x0, y0 = 40, 84
  c:text(x0 + 2 * cell, 50, "입력 4×4", {anchor = "middle", weight = "bold"})
  c:grid(x0, y0, 4, 4, cell, {
    value = function(i, j) return num(POOL_IN[i + 1][j + 1]) end,
    fill = function(i, j) return region[rid(i, j)][1] end,
    bold = function(i, j) return POOL_IN[i + 1][j + 1] == maxv[rid(i, j)] end,
    size = 18})
  for i = 0, 3 do
    for j = 0, 3 do
      if POOL_IN[i + 1][j + 1] == maxv[rid(i, j)] then
        c:circle(x0 + (j + 0.5) * cell, y0 + (i + 0.5) * cell, 17, {stroke = K.hot[2], sw = 2})
      end
    end
  end
  for r = 0, 1 do
    for s = 0, 1 do
      c:cells_outline(x0, y0, cell, 2 * r, 2 * s, 2 * r + 1, 2 * s + 1, region[r * 2 + s + 1][2], {sw = 3})
    end
  end
  c:text(x0 + 2 * cell, y0 + 4 * cell + 28, "2×2 영역, 스트라이드 2", {anchor = "middle", size = 13, color = MUTED})
  c:text(x0 + 2 * cell, y0 + 4 * cell + 48, "빨간 원: 영역의 최댓값", {anchor = "middle", size = 13, color = MUTED})

  local ocell = 52
  local ox = 380
  local outs = {
    {y = 72, title = "최대 풀링 (max pooling)", v = maxv,
     note = {"왼쪽 위 영역:", ("max{1, 3, 5, 6} = %s"):format(num(maxv[1]))}},
    {y = 228, title = "평균 풀링 (average pooling)", v = avg,
     note = {"왼쪽 위 영역:", ("(1 + 3 + 5 + 6) / 4 = %s"):format(num(avg[1]))}},
  }
  for _, O in ipairs(outs) do
    c:text(ox, O.y - 14, O.title, {weight = "bold"})
    c:grid(ox, O.y, 2, 2, ocell, {value = function(i, j) return num(O.v[i * 2 + j + 1]) end,
      fill = function(i, j) return region[i * 2 + j + 1][1] end, size = 17})
    for i = 0, 1 do
      for j = 0, 1 do c:cells_outline(ox, O.y, ocell, i, j, i, j, region[i * 2 + j + 1][2], {sw = 3}) end
    end
    c:arrow({x0 + 4 * cell + 12, y0 + 2 * cell + (O.y < 150 and -30 or 30), ox - 12, O.y + ocell})
    c:text(ox + 2 * ocell + 24, O.y + 44, O.note[1], {size = 14, color = MUTED})
    c:text(ox + 2 * ocell + 24, O.y + 66, O.note[2], {size = 14})
  end
  return c
end

-- Multi-channel convolution: a 5x5x3 input, two 3x3x3 filters, a
-- 3x3x2 output ('valid').
figures["multichannel"] = function()
  local c = canvas("multichannel", 760, 400,
    "다중 채널 입력의 합성곱",
    "5×5×3 입력의 같은 자리 3×3 영역(세 채널)에 3×3×3 필터를 겹쳐 27개 곱을 모두 더하고 편향을 더하면 출력 한 칸이 된다. 필터 두 개는 출력 채널 두 개를 만든다.")
  c.shift = -40   -- drawn with room above; move it up
  local chan = {{"#fee2e2", "#b91c1c", "R"}, {"#dcfce7", "#15803d", "G"}, {"#dbeafe", "#1d4ed8", "B"}}
  -- input: the 3x3 window of every channel in a deeper tint
  local win = {{"#fca5a5", "#b91c1c", "R"}, {"#86efac", "#15803d", "G"}, {"#93c5fd", "#1d4ed8", "B"}}
  for k = 3, 1, -1 do
    local cx, cy = 60 + (k - 1) * 18, 180 - (k - 1) * 18
    c:grid(cx, cy, 5, 5, 24, {fill = function(i, j)
      return (i < 3 and j < 3) and win[k][1] or chan[k][1] end, stroke = chan[k][2]})
    c:cells_outline(cx, cy, 24, 0, 0, 2, 2, INK, {sw = 2.2})
    c:text(cx - 5, cy + 13, chan[k][3], {anchor = "end", size = 13, weight = "bold", color = chan[k][2]})
  end
  c:text(138, 112, "입력 5×5×3", {anchor = "middle", weight = "bold"})
  c:text(138, 318, "굵은 테두리: 세 채널의 같은 3×3 자리", {anchor = "middle", size = 13, color = MUTED})

  local filt = {
    {y = 130, kind = K.conv, name = "필터 1 (3×3×3)", out = "출력 채널 1", b = "b_{1}"},
    {y = 280, kind = K.fc, name = "필터 2 (3×3×3)", out = "출력 채널 2", b = "b_{2}"},
  }
  for idx, F in ipairs(filt) do
    for k = 3, 1, -1 do   -- one 3x3 slice per input channel, back to front
      c:grid(320 + (k - 1) * 12, F.y - (k - 1) * 12, 3, 3, 20, {
        fill = function() return F.kind[1] end, stroke = F.kind[2]})
    end
    c:text(365, F.y + 84, F.name, {anchor = "middle", size = 14, weight = "bold"})
    -- from the input window to the filter
    c:arrow({232, 212 + (idx == 1 and -12 or 12), 308, F.y + 30})
    -- output channel: a 3x3 grid, first cell hot
    local ox, oy = 560, F.y - 8
    c:grid(ox, oy, 3, 3, 24, {fill = function(i, j)
      return (i == 0 and j == 0) and F.kind[2] or F.kind[1] end, stroke = F.kind[2]})
    c:text(ox + 36, oy + 96, F.out, {anchor = "middle", size = 14, weight = "bold"})
    c:arrow({414, F.y + 12, 554, oy + 12})
    c:text(484, F.y - 2, "27개 곱의 합 + " .. F.b, {anchor = "middle", size = 13, color = MUTED})
  end
  c:path("M660,122 Q672,122 672,140 L672,340 Q672,358 660,358", {stroke = MUTED, sw = 1.5})
  c:text(682, 236, "출력", {size = 14, weight = "bold"})
  c:text(682, 256, "3×3×2", {size = 13, color = MUTED})
  c:text(380, 396, "필터 하나는 입력의 모든 채널에 걸쳐 있고 출력 채널 하나를 만든다: 필터 C_{out}개 → 출력 C_{out}채널",
         {anchor = "middle", size = 14})
  c:text(380, 420, "파라미터 수 = k×k×C_{in}×C_{out} + C_{out} = 3×3×3×2 + 2 = 56",
         {anchor = "middle", size = 14, color = MUTED})
  return c
end

-- The first inception module of GoogLeNet (3a): four branches, depth
-- concatenation; channel counts from the GoogLeNet paper's table.
figures["inception"] = function()
  local c = canvas("inception", 760, 470,
    "GoogLeNet의 인셉션 모듈",
    "28×28×192 입력이 네 갈래(1×1 합성곱 64, 1×1 병목 96 뒤 3×3 합성곱 128, 1×1 병목 16 뒤 5×5 합성곱 32, 3×3 최대 풀링 뒤 1×1 합성곱 32)로 나뉘고, 깊이 연결로 28×28×256 출력이 된다.")
  local cols = {110, 290, 470, 650}
  local bw, bh = 164, 56
  c:label_box(240, 22, 280, 52, "input", {"입력 (이전 계층)", "28×28×192"})
  -- the bus from the input to the four branches
  c:line(380, 74, 380, 96)
  c:line(cols[1], 96, cols[4], 96)
  local row1, row2 = 128, 226
  local function box(col, y, kind, lines)
    c:label_box(cols[col] - bw / 2, y, bw, bh, kind, lines, {size = 14})
  end
  box(2, row1, "reduce", {"합성곱 1×1 + 1(S)", "96채널 (병목)"})
  box(3, row1, "reduce", {"합성곱 1×1 + 1(S)", "16채널 (병목)"})
  box(4, row1, "pool", {"최대 풀링 3×3 + 1(S)", "192채널"})
  box(1, row2, "conv", {"합성곱 1×1 + 1(S)", "64채널"})
  box(2, row2, "conv", {"합성곱 3×3 + 1(S)", "128채널"})
  box(3, row2, "conv", {"합성곱 5×5 + 1(S)", "32채널"})
  box(4, row2, "reduce", {"합성곱 1×1 + 1(S)", "32채널"})
  c:arrow({cols[1], 96, cols[1], row2 - 4})
  for k = 2, 4 do
    c:arrow({cols[k], 96, cols[k], row1 - 4})
    c:arrow({cols[k], row1 + bh, cols[k], row2 - 4})
  end
  local cy = 330
  for k = 1, 4 do c:arrow({cols[k], row2 + bh, cols[k], cy - 4}) end
  c:label_box(cols[1] - bw / 2, cy, cols[4] - cols[1] + bw, 56, "input",
    {"깊이 연결 (depth concatenation)", "28×28×(64 + 128 + 32 + 32) = 28×28×256"})
  local ly = 424
  c:legend(30, ly, "reduce", "1×1 병목 (bottleneck): 채널 수를 줄임")
  c:legend(290, ly, "conv", "합성곱 (convolution)")
  c:legend(460, ly, "pool", "최대 풀링 (max pooling)")
  c:text(30, ly + 26, "“+ 1(S)”: 스트라이드 1, SAME 패딩. 모든 갈래의 출력은 입력과 같은 28×28이어서 채널 방향으로 이어 붙일 수 있다.",
         {size = 13, color = MUTED})
  return c
end

-- The residual unit: (가) identity shortcut, (나) a projection shortcut
-- (1x1 convolution, stride 2) when the shape changes.
figures["residual"] = function()
  local c = canvas("residual", 760, 556,
    "ResNet의 잔차 유닛",
    "입력 x가 합성곱 3×3, 배치 정규화, ReLU, 합성곱 3×3, 배치 정규화를 거친 f(x)에 스킵 연결로 더해지고 ReLU를 거쳐 h(x) = f(x) + x가 된다. 크기가 바뀌는 유닛에서는 지름길에 스트라이드 2인 1×1 합성곱을 둔다.")
  local bw, bh = 160, 36
  local function unit(cx, skipx, P)
    local x = cx - bw / 2
    c:text(cx + (skipx - cx) / 2 - 20, 34, P.title, {anchor = "middle", weight = "bold", size = 16})
    local ys = {58, 114, 166, 218, 270, 322}
    local steps = {
      {"input", P.input}, {"conv", P.conv1}, {"norm", "배치 정규화 (BN)"}, {"norm", "ReLU"},
      {"conv", "합성곱 3×3 + 1(S)"}, {"norm", "배치 정규화 (BN)"},
    }
    for i, st in ipairs(steps) do
      c:label_box(x, ys[i], bw, bh, st[1], {st[2]}, {size = 14, plain = i > 1})
      if i > 1 then c:arrow({cx, ys[i - 1] + bh, cx, ys[i] - 3}) end
    end
    local sy = 392   -- the sum
    c:arrow({cx, ys[6] + bh, cx, sy - 17})
    c:circle(cx, sy, 15, {fill = "#ffffff", stroke = INK, sw = 1.8})
    c:text(cx, sy + 7, "+", {anchor = "middle", size = 22, weight = "bold"})
    local ry, oy = 430, 486
    c:arrow({cx, sy + 15, cx, ry - 3})
    c:label_box(x, ry, bw, bh, "norm", {"ReLU"}, {size = 14, plain = true})
    c:arrow({cx, ry + bh, cx, oy - 3})
    c:label_box(x - 10, oy, bw + 20, 52, "input", P.output, {size = 14})
    -- the skip connection
    local top = ys[1] + bh / 2
    if P.shortcut then
      local sbw, sbh, sbx = 130, 72, skipx - 65
      local sby = 190
      c:path(("M%g,%g L%g,%g L%g,%g"):format(x + bw, top, skipx, top, skipx, sby - 3),
             {stroke = K.input[2], sw = 2, arrow = true})
      c:label_box(sbx, sby, sbw, sbh, "reduce", P.shortcut, {size = 14, gap = 20})
      c:path(("M%g,%g L%g,%g L%g,%g"):format(skipx, sby + sbh, skipx, sy, cx + 17, sy),
             {stroke = K.input[2], sw = 2, arrow = true})
    else
      c:path(("M%g,%g L%g,%g L%g,%g L%g,%g"):format(x + bw, top, skipx, top, skipx, sy, cx + 17, sy),
             {stroke = K.input[2], sw = 2, arrow = true})
      c:text(skipx + 10, 220, "스킵 연결", {size = 14, weight = "bold", color = K.input[2]})
      c:text(skipx + 10, 240, "(skip connection)", {size = 13, color = K.input[2]})
      c:text(skipx + 10, 262, "x를 그대로 더함", {size = 13, color = MUTED})
    end
    if P.bracket then
      local bx = x - 14
      c:path(("M%g,%g Q%g,%g %g,%g L%g,%g Q%g,%g %g,%g"):format(
        bx + 6, ys[2], bx, ys[2], bx, ys[2] + 8, bx, ys[6] + bh - 8, bx, ys[6] + bh, bx + 6, ys[6] + bh),
        {stroke = K.conv[2], sw = 1.8})
      c:text(bx - 8, 218, "f(x)", {anchor = "end", size = 16, weight = "bold", color = K.conv[2]})
      c:text(bx - 8, 240, "잔차", {anchor = "end", size = 13, color = MUTED})
      c:text(bx - 8, 258, "(residual)", {anchor = "end", size = 13, color = MUTED})
    end
  end
  unit(200, 320, {title = "(가) 잔차 유닛 (residual unit)", input = "입력 x",
    conv1 = "합성곱 3×3 + 1(S)", output = {"출력 h(x) = f(x) + x"}, bracket = true})
  unit(535, 688, {title = "(나) 크기가 바뀌는 잔차 유닛", input = "입력 x: 56×56×64",
    conv1 = "합성곱 3×3 + 2(S)", output = {"출력: 28×28×128"},
    shortcut = {"지름길 (shortcut)", "1×1 합성곱 + 2(S)", "128채널"}})
  return c
end

-- The SE block: squeeze (global average pooling), excitation (two dense
-- layers), scale. Six channels stand for C; the excitation values are an
-- example.
local SE_E = {0.9, 0.2, 0.7, 0.4, 1.0, 0.1}

figures["se-block"] = function()
  local c = canvas("se-block", 760, 400,
    "SE 블록",
    "특성 맵 U(H×W×C)를 채널마다 전역 평균 풀링하여 벡터 s(1×1×C)로 줄이고(스퀴즈), C/16개와 C개 뉴런의 완전 연결 계층(ReLU, 시그모이드)으로 채널마다 0과 1 사이의 값 e를 만든 뒤(익사이테이션), 각 특성 맵에 그 값을 곱한다(스케일).")
  local n = #SE_E
  local tint = {"#93c5fd", "#86efac", "#fca5a5", "#fcd34d", "#c4b5fd", "#67e8f9"}
  local edge = {"#1d4ed8", "#15803d", "#b91c1c", "#a16207", "#6d28d9", "#0e7490"}
  local cy, ly = 200, 300
  local a, d = 56, 6
  local function maps(x, weights)
    for k = n, 1, -1 do
      local mx, my = x + (k - 1) * d, cy - a / 2 + 12 - (k - 1) * d
      c:rect(mx, my, a, a, {fill = "#ffffff", stroke = edge[k], sw = 1.2})
      c:rect(mx, my, a, a, {fill = tint[k], fo = weights and weights[k] or 1, stroke = edge[k], sw = 1.2})
    end
  end
  local function label(x, l1, l2)
    c:text(x, ly, l1, {anchor = "middle", weight = "bold", size = 14})
    c:text(x, ly + 20, l2, {anchor = "middle", size = 13, color = MUTED})
  end
  -- U
  maps(24)
  label(67, "특성 맵 U", "H×W×C")
  c:arrow({114, cy, 128, cy})
  -- ① squeeze
  c:label_box(132, cy - 34, 110, 68, "pool", {"① 스퀴즈", "(squeeze)", "전역 평균 풀링"}, {size = 14})
  c:arrow({246, cy, 262, cy})
  -- a vector: one cell per channel, in the channel's colour
  local function column(x, w, values, text)
    local cell = 20
    local y0 = cy - n * cell / 2
    for k = 1, n do
      c:rect(x, y0 + (k - 1) * cell, w, cell, {fill = "#ffffff", stroke = edge[k], sw = 1})
      c:rect(x, y0 + (k - 1) * cell, w, cell, {fill = tint[k], fo = values and values[k] or 1,
                                              stroke = edge[k], sw = 1})
      if text then
        c:text(x + w / 2, y0 + (k - 1) * cell + 14.5, text(k), {anchor = "middle", size = 12})
      end
    end
  end
  column(266, 22)
  label(277, "s", "1×1×C")
  -- ② excitation: two dense layers, one above the other
  c:rect(306, cy - 78, 168, 156, {stroke = K.fc[2], sw = 1.2, dash = "5 4", rx = 10})
  c:text(390, cy - 88, "② 익사이테이션 (excitation)", {anchor = "middle", weight = "bold", size = 14})
  c:label_box(314, cy - 68, 152, 52, "fc", {"완전 연결 C/16", "ReLU"}, {size = 14})
  c:arrow({390, cy - 16, 390, cy + 13})
  c:label_box(314, cy + 16, 152, 52, "fc", {"완전 연결 C", "시그모이드 (sigmoid)"}, {size = 14})
  c:arrow({292, cy, 300, cy, 300, cy - 42, 311, cy - 42})
  c:arrow({466, cy + 42, 484, cy + 42, 484, cy, 496, cy})
  column(500, 32, SE_E, function(k) return ("%.1f"):format(SE_E[k]) end)
  label(516, "e", "1×1×C")
  c:arrow({536, cy, 555, cy})
  -- ③ scale
  local sx = 574
  c:circle(sx, cy, 16, {fill = "#ffffff", stroke = INK, sw = 1.8})
  c:text(sx, cy + 7, "×", {anchor = "middle", size = 22, weight = "bold"})
  c:text(sx + 2, cy + 42, "③ 스케일", {anchor = "middle", weight = "bold", size = 14})
  c:text(sx + 2, cy + 60, "(scale)", {anchor = "middle", size = 13, color = MUTED})
  -- U goes over the top to the product
  c:path(("M%g,%g L%g,%g L%g,%g"):format(60, cy - a / 2 + 12 - (n - 1) * d, 60, 82, sx, 82),
         {stroke = LINE, sw = 1.6})
  c:arrow({sx, 82, sx, cy - 19})
  c:text(317, 74, "원래의 특성 맵 U", {anchor = "middle", size = 13, color = MUTED})
  c:arrow({592, cy, 610, cy})
  maps(614, SE_E)
  label(657, "보정된 특성 맵", "H×W×C")
  -- the three formulas
  local fy = 356
  c:text(160, fy, "s_{c} = (1/HW) Σ_{i,j} u_{i,j,c}", {anchor = "middle", size = 14})
  c:text(390, fy, "e = σ(W_{2} ReLU(W_{1} s))", {anchor = "middle", size = 14})
  c:text(616, fy, "ũ_{i,j,c} = e_{c} u_{i,j,c}", {anchor = "middle", size = 14})
  c:text(380, fy + 26, "e의 값은 예시: 값이 작은 채널의 특성 맵은 흐려지고(억제) 큰 채널은 그대로 남는다.",
         {anchor = "middle", size = 13, color = MUTED})
  return c
end

-- Architecture strips for LeNet-5 and AlexNet: each stage a glyph (a
-- cuboid for a stack of feature maps, a bar for a vector) over a box.
local function arch(c, stages, o)
  local function glyph_h(st)
    if st.size then return o.side(st.size) + o.depth(st.ch) * 0.6 end
    return o.bar(st.units)
  end
  for idx, st in ipairs(stages) do
    local row = (idx - 1) // o.per_row
    local col = (idx - 1) % o.per_row
    local x = o.x0 + col * (o.bw + o.gap)
    local base = o.y0 + row * o.row_h           -- glyph baseline
    local by = base + 12                        -- box top
    local cx = x + o.bw / 2
    local kind = K[st.kind]
    if st.size then
      local a = o.side(st.size)
      local d = o.depth(st.ch)
      c:cuboid(cx - (a + d * 0.8) / 2, base - a, a, a, d, st.kind)
    else
      local h = o.bar(st.units)
      c:rect(cx - 8, base - h, 16, h, {fill = kind[1], stroke = kind[2], sw = 1.2, rx = 2})
    end
    c:box(x, by, o.bw, o.bh, st.kind)
    local lines = {st.name, st.op, st.shape}
    for i, s in ipairs(lines) do
      if s and s ~= "" then
        c:text(cx, by + 23 + (i - 1) * 21, s, {anchor = "middle",
          size = i == 1 and 15 or 14, weight = i == 1 and "bold" or nil,
          color = i == 2 and MUTED or INK})
      end
    end
    -- arrow to the next stage; from the end of a row down to the next
    if idx < #stages then
      if col < o.per_row - 1 then
        c:arrow({x + o.bw + 3, by + o.bh / 2, x + o.bw + o.gap - 3, by + o.bh / 2})
      else
        local nx = o.x0 + o.bw / 2
        local ty = base + o.row_h - glyph_h(stages[idx + 1]) - 6
        c:arrow({cx, by + o.bh + 2, cx, by + o.bh + 16, nx, by + o.bh + 16, nx, ty})
      end
    end
  end
end

-- thousands with a comma: 4096 -> "4,096"
local function thousands(n)
  local s = tostring(n)
  while true do
    local t, k = s:gsub("^(%d+)(%d%d%d)", "%1,%2")
    s = t
    if k == 0 then return s end
  end
end

-- A network figure. spec.stages rows: {name, op, kind, size, channels}
-- for a stack of size x size feature maps (1 x 1 ones drawn as a bar),
-- {name, op, kind, nil, units} for a vector; the shape under each box is
-- written from those numbers.
local function arch_figure(spec)
  local c = canvas(spec.name, 760, spec.h, spec.title, spec.desc)
  local stages = {}
  for i, r in ipairs(spec.stages) do
    local map = r[4] and r[4] > 1   -- a 1x1 map is drawn as a vector
    stages[i] = {name = r[1], op = r[2], kind = r[3], size = map and r[4] or nil,
                 ch = map and r[5] or nil, units = not map and r[5] or nil,
                 shape = r[4] and ("%d×%d×%d"):format(r[4], r[4], r[5]) or thousands(r[5])}
  end
  local o = spec.layout
  o.x0, o.bw, o.bh, o.gap, o.per_row = 26, 160, 76, 26, 4
  arch(c, stages, o)
  for i, note in ipairs(spec.notes) do c:text(26, 12 + 20 * i, note, {size = 13, color = MUTED}) end
  local x = 24
  for _, it in ipairs {{"input", "입력", 70}, {"conv", "합성곱 (convolution)", 180},
                       {"pool", spec.pool, 220}, {"fc", "완전 연결 (fully connected)", 0}} do
    c:legend(x, spec.h - 24, it[1], it[2])
    x = x + it[3]
  end
  return c
end

figures["lenet5"] = function()
  return arch_figure {name = "lenet5", h = 500, title = "LeNet-5의 구조",
    desc = "32×32×1 입력, C1 합성곱 5×5 28×28×6, S2 평균 풀링 14×14×6, C3 합성곱 5×5 10×10×16, S4 평균 풀링 5×5×16, C5 합성곱 5×5 1×1×120, F6 완전 연결 84, 출력 10(RBF).",
    stages = {
      {"입력", "회색조 (grayscale)", "input", 32, 1},
      {"C1 합성곱", "5×5, tanh", "conv", 28, 6},
      {"S2 평균 풀링", "2×2, s2, tanh", "pool", 14, 6},
      {"C3 합성곱", "5×5, tanh", "conv", 10, 16},
      {"S4 평균 풀링", "2×2, s2, tanh", "pool", 5, 16},
      {"C5 합성곱", "5×5, tanh", "conv", 1, 120},
      {"F6 완전 연결", "tanh", "fc", nil, 84},
      {"출력", "RBF", "fc", nil, 10},
    },
    layout = {y0 = 150, row_h = 200,
      side = function(n) return 2.5 * n end,
      depth = function(ch) return 4 + 4 * math.log(ch, 2) end,
      bar = function(u) return 12 * math.log(u, 2) end},
    notes = {"특성 맵의 가로세로는 실제 비율(1픽셀 = 2.5)로, 채널 수와 뉴런 수는 로그 눈금으로 그렸다."},
    pool = "평균 풀링 (average pooling)"}
end

figures["alexnet"] = function()
  return arch_figure {name = "alexnet", h = 740, title = "AlexNet의 구조",
    desc = "227×227×3 입력, C1 합성곱 11×11 스트라이드 4 55×55×96, S2 최대 풀링 27×27×96, C3 합성곱 5×5 27×27×256, S4 최대 풀링 13×13×256, C5 13×13×384, C6 13×13×384, C7 13×13×256, S8 최대 풀링 6×6×256, F9 4,096, F10 4,096, 출력 1,000.",
    stages = {
      {"입력", "컬러 (RGB)", "input", 227, 3},
      {"C1 합성곱", "11×11, s4, VALID", "conv", 55, 96},
      {"S2 최대 풀링", "3×3, s2", "pool", 27, 96},
      {"C3 합성곱", "5×5, s1, SAME", "conv", 27, 256},
      {"S4 최대 풀링", "3×3, s2", "pool", 13, 256},
      {"C5 합성곱", "3×3, s1, SAME", "conv", 13, 384},
      {"C6 합성곱", "3×3, s1, SAME", "conv", 13, 384},
      {"C7 합성곱", "3×3, s1, SAME", "conv", 13, 256},
      {"S8 최대 풀링", "3×3, s2", "pool", 6, 256},
      {"F9 완전 연결", "ReLU, 드롭아웃", "fc", nil, 4096},
      {"F10 완전 연결", "ReLU, 드롭아웃", "fc", nil, 4096},
      {"출력", "소프트맥스 (softmax)", "fc", nil, 1000},
    },
    layout = {y0 = 176, row_h = 205,
      side = function(n) return 6.5 * math.sqrt(n) end,
      depth = function(ch) return 3 * math.log(ch, 2) end,
      bar = function(u) return 7 * math.log(u, 2) end},
    notes = {"합성곱 계층의 활성화 함수는 모두 ReLU이다.",
             "특성 맵의 가로세로는 제곱근 눈금, 채널 수와 뉴런 수는 로그 눈금으로 그렸다."},
    pool = "최대 풀링 (max pooling)"}
end

-- ---- write ---------------------------------------------------------------

local names = {}
for name in pairs(figures) do names[#names + 1] = name end
table.sort(names)
sys.mkdir_p(outdir)
for _, name in ipairs(names) do
  local svg = figures[name]():finish()
  local path = outdir .. "/" .. name .. ".svg"
  sys.atomic_write(path, function(tmp)
    local f = assert(io.open(tmp, "wb"))
    assert(f:write(svg))
    assert(f:close())
  end)
  print(("%s (%d bytes)"):format(path, #svg))
end
