-- gradcheck.lua - shared by the nn Lua tests (required as
-- "helpers.gradcheck"; a helper, not a test: the suite runs only
-- tests/lua/*.lua). Checks a model's backward against central
-- differences: L = sum(r * model(x)) in the model's float arithmetic,
-- probed on a few inputs and weights with a step large enough for
-- float32 (smaller, h, for layers with a kink at 0, so that no probe
-- steps across it).
local T = require "tensor"
local nn = require "nn"

-- check(t, label, layers, shape [, n [, h]]): layers a layer or a list
return function(t, label, layers, shape, n, h)
  T.seed(11)
  local m = nn.Sequential(nn.is_layer(layers) and {layers} or layers)
  m:build(shape)
  local x = T.randn(n or 2, table.unpack(shape)) * 0.5
  local r = T.randn(table.unpack(m:predict(x):shape()))
  local function loss() return (m:forward(x, false) * r):sum() end
  m.need_dx = true
  m:forward(x, true)
  local dx = m:backward(r)
  local worst = 0
  h = h or 1e-2
  local function probe(v, g, k)
    local flat, gf = v:reshape(-1), g:reshape(-1)
    local keep = flat:get(k)
    flat:set(k, keep + h); local up = loss()
    flat:set(k, keep - h); local down = loss()
    flat:set(k, keep)
    local num = (up - down) / (2 * h)
    worst = math.max(worst, math.abs(num - gf:get(k)) / math.max(1, math.abs(num)))
  end
  if dx then
    for k = 1, math.min(6, x:numel()) do probe(x, dx, k) end
  end
  for _, w in ipairs(m:weights(true)) do
    for k = 1, math.min(4, w.value:numel()) do probe(w.value, w.grad, k) end
  end
  t.ok(worst < 2e-3, label .. ": backward = central differences")
  if worst >= 2e-3 then t.diag("worst relative difference " .. worst) end
end
