-- conv.lua - one batch-32 training step of the course CNN driven from
-- Lua through the nn kernel binding (what the model API will pay per
-- step, allocation and GC included), next to the same step in C
-- (bench/cnn_step.c measures that one and the GEMM floor).
-- The second pair of lines reuses every output and gradient buffer
-- across steps (opts.out, opts.idx, opts.dx, opts.dw, opts.db), as a fit
-- loop can: no allocation, no zero-filling, no garbage.
--   ./workbook run bench/conv.lua [steps]
-- Prints figures, asserts nothing.
local T = require "tensor"
local nn = package.preload["nn.core"] and require "nn.core" or require "nn"
local sys = require "sys"

local steps = tonumber(arg and arg[1]) or 200
local B = 32
T.seed(1)

local function param(...)
  local w = T.zeros(...)
  local p = {w = w, m = T.zeros(...), v = T.zeros(...)}
  if select("#", ...) > 1 then nn.init("glorot_uniform", w) end
  return p
end

local net = {
  k1 = param(3, 3, 1, 32), b1 = param(32),
  k2 = param(3, 3, 32, 64), b2 = param(64),
  k3 = param(3, 3, 64, 32), b3 = param(32),
  d1 = param(1568, 128), e1 = param(128),
  d2 = param(128, 32), e2 = param(32),
  d3 = param(32, 10), e3 = param(10),
}
local order = {"k1", "b1", "k2", "b2", "k3", "b3", "d1", "e1", "d2", "e2",
               "d3", "e3"}
local x = T.rand(B, 28, 28, 1)
local labels = T.zeros(B)
for i = 1, B do labels[i] = (i - 1) % 10 end

local t = 0
local reuse = false
local bufs = {}    -- call tag -> {opts key = tensor}, kept between steps

-- opts for the call `tag`: in reuse mode, plus its kept output buffers
local function with(tag, opts)
  for k, v in pairs(reuse and bufs[tag] or {}) do opts[k] = v end
  return opts
end

-- pass the results through; in reuse mode remember them under keys
local function keep(tag, keys, ...)
  if reuse and not bufs[tag] then
    local b, vals = {}, {...}
    for i, k in ipairs(keys) do b[k] = vals[i] end
    bufs[tag] = b
  end
  return ...
end

local OUT, POOL, GRAD = {"out"}, {"out", "idx"}, {"dx", "dw", "db"}
local function relu(y) return {padding = "same", activation = "relu", y = y} end

local function step()
  t = t + 1
  local n, c = net, nn.conv2d_forward
  local y1 = keep("c1", OUT, c(x, n.k1.w, n.b1.w, with("c1", relu())))
  local q1, i1 = keep("p1", POOL, nn.maxpool2d_forward(y1, with("p1", {})))
  local y2 = keep("c2", OUT, c(q1, n.k2.w, n.b2.w, with("c2", relu())))
  local q2, i2 = keep("p2", POOL, nn.maxpool2d_forward(y2, with("p2", {})))
  local y3 = keep("c3", OUT, c(q2, n.k3.w, n.b3.w, with("c3", relu())))
  local flat = y3:reshape(B, 1568)
  local d = nn.dense_forward
  local h1 = keep("d1", OUT, d(flat, n.d1.w, n.e1.w,
                               with("d1", {activation = "relu"})))
  local h2 = keep("d2", OUT, d(h1, n.d2.w, n.e2.w,
                               with("d2", {activation = "relu"})))
  local z = keep("d3", OUT, d(h2, n.d3.w, n.e3.w, with("d3", {})))
  local loss, dz = nn.sparse_softmax_crossentropy(z, labels)

  local g, db = {}, nn.dense_backward
  local dh2, dh1, dflat, dq2, dq1, _
  dh2, g.d3, g.e3 = keep("b3", GRAD, db(h2, n.d3.w, dz, with("b3", {})))
  dh1, g.d2, g.e2 = keep("b2", GRAD, db(h1, n.d2.w, dh2, with("b2",
    {activation = "relu", y = h2})))
  dflat, g.d1, g.e1 = keep("b1", GRAD, db(flat, n.d1.w, dh1, with("b1",
    {activation = "relu", y = h1})))
  local cb = nn.conv2d_backward
  dq2, g.k3, g.b3 = keep("g3", GRAD, cb(q2, n.k3.w,
    dflat:reshape(B, 7, 7, 32), with("g3", relu(y3))))
  local dy2 = keep("u2", {"dx"}, nn.maxpool2d_backward(y2, i2, dq2,
                                                       with("u2", {})))
  dq1, g.k2, g.b2 = keep("g2", GRAD, cb(q1, n.k2.w, dy2, with("g2", relu(y2))))
  local dy1 = keep("u1", {"dx"}, nn.maxpool2d_backward(y1, i1, dq1,
                                                       with("u1", {})))
  local o1 = relu(y1)
  o1.need_dx = false
  _, g.k1, g.b1 = keep("g1", {"dx", "dw", "db"}, cb(x, n.k1.w, dy1,
                                                    with("g1", o1)))
  for _, k in ipairs(order) do
    local p = n[k]
    nn.adam_step(p.w, g[k], p.m, p.v, t)
  end
  return loss
end

local function time_steps(count)
  for _ = 1, 5 do step() end
  collectgarbage()
  local t0 = sys.clock()
  for _ = 1, count do step() end
  return (sys.clock() - t0) / count
end

local threads = nn.threads()
print(("conv.lua: batch %d training step of the course CNN from Lua "
       .. "(%d steps)"):format(B, steps))
for _, mode in ipairs {false, true} do
  reuse = mode
  nn.threads(1)
  local t1 = time_steps(steps)
  nn.threads(threads)
  local tn = time_steps(steps)
  local how = mode and "reused buffers" or "new tensors"
  print(("  1 thread   %7.2f ms  epoch %5.1f s  (%s)")
        :format(t1 * 1e3, t1 * 1875, how))
  print(("  %d threads  %7.2f ms  epoch %5.1f s  (%s)")
        :format(threads, tn * 1e3, tn * 1875, how))
end
