-- nn_custom_layer.lua - layers written in Lua (nn.Layer): their weights
-- are trained (the gradient a train_on_batch step applies equals a
-- central difference of the loss), their add_loss terms join the loss,
-- a variational autoencoder's Sampling layer with its KL term gives
-- torch's loss and SGD step (tests/fixtures/make_aelayers.py), and the
-- mistakes a custom layer can make get clear errors.
local t = require "tap"
local T = require "tensor"
local nn = require "nn"

local F = require "helpers.aelayers_fixtures"
local load = F.load
local function info(name) return F.info(name)[1] end

-- y = x * a + c per feature, plus the loss term lambda * sum(a^2)
local function Scale(lambda)
  return nn.Layer{
    class_name = "Scale",
    build = function(self, s)
      self.a = self:add_weight("a", {s[1]}, "ones")
      self.c = self:add_weight("c", {s[1]}, "zeros")
    end,
    forward = function(self, x)
      self.x = x
      local a = self.a.value
      self:add_loss(lambda * (a * a):sum())
      return x * a + self.c.value
    end,
    backward = function(self, dy)
      self.a.grad = (dy * self.x):sum(1) + self.a.value * (2 * lambda)
      self.c.grad = dy:sum(1)
      return dy * self.a.value
    end,
  }
end

do
  T.seed(4)
  local sc = Scale(0.1)
  t.is(sc.class, "Scale", "class_name")
  t.ok(sc.name:match("^scale") ~= nil, "default name from the class: " .. sc.name)
  local m = nn.Sequential{nn.Dense(3, {input_shape = {4}, activation = "tanh"}), sc, nn.Dense(1)}
  m:compile{loss = "mse", optimizer = nn.optimizers.SGD{learning_rate = 1}}
  t.is(select(1, m:count_params()), 15 + 6 + 4, "the custom layer's weights are counted")
  sc.a.value:copy(T({0.5, -1.2, 2.0}))
  sc.c.value:copy(T({0.1, 0.2, -0.3}))
  local x, y = T.randn(8, 4), T.randn(8, 1)
  local function loss() return m:evaluate(x, y, {batch_size = 8, verbose = 0}) end
  -- central differences of every weight of the model (float32: h = 1e-2)
  local ws = m:weights(true)
  local before, numeric = {}, {}
  for k, w in ipairs(ws) do
    before[k] = w.value:clone()
    local flat = w.value:reshape(-1)
    local g = {}
    for i = 1, flat:numel() do
      local v = flat:get(i)
      flat:set(i, v + 1e-2); local lp = loss()
      flat:set(i, v - 1e-2); local lm = loss()
      flat:set(i, v)
      g[i] = (lp - lm) / 2e-2
    end
    numeric[k] = T(g):reshape(w.value:shape())
  end
  local l0 = loss()
  local reported = m:train_on_batch(x, y)
  t.ok(math.abs(reported - l0) < 1e-6, ("the loss includes add_loss's term (%.6f = %.6f)"):format(reported, l0))
  t.ok(math.abs(l0 - (m:evaluate(x, y, {verbose = 0}) )) > 0, "training changed the loss")
  for k, w in ipairs(ws) do
    local applied = before[k] - w.value      -- SGD with learning rate 1
    t.allclose(applied, numeric[k], 2e-3, w.name .. ": gradient = central difference")
  end
  t.ok(#m:get_weights() == 6, "get_weights lists the custom layer's weights")
end

-- ---- a VAE's Sampling layer against torch ----------------------------------------
-- z = mu + exp(logvar / 2) * eps, with the KL term beta * mean over the
-- batch of -1/2 sum(1 + logvar - mu^2 - exp(logvar))
local function Sampling(beta, draw)
  return nn.Layer{
    class_name = "Sampling", multi_input = true,
    build = function(self, shapes) return shapes[1] end,
    forward = function(self, xs)
      local mu, lv = xs[1], xs[2]
      local n = mu:size(1)
      self.mu, self.lv, self.eps = mu, lv, draw(mu:shape())
      self.std = (lv * 0.5):exp()
      local kl = ((mu * mu) + lv:exp() - lv - 1):sum() * 0.5 / n
      self:add_loss(beta * kl)
      return mu + self.std * self.eps
    end,
    backward = function(self, dz)
      local n = dz:size(1)
      local dmu = dz + self.mu * (beta / n)
      local dlv = dz * self.eps * self.std * 0.5 + (self.lv:exp() - 1) * (0.5 * beta / n)
      return {dmu, dlv}
    end,
  }
end

do
  local eps = load("vae_eps")
  local beta = info("vae_beta")
  local inp = nn.Input{shape = {4}}
  local E = nn.Dense(3, {activation = "tanh"})
  local h = E(inp)
  local Mu, Lv = nn.Dense(2), nn.Dense(2)
  local mu, lv = Mu(h), Lv(h)
  local z = Sampling(beta, function() return eps end)({mu, lv})
  local Dd = nn.Dense(4, {activation = "sigmoid"})
  local vae = nn.Model{inputs = inp, outputs = Dd(z)}
  vae:compile{loss = "binary_crossentropy", optimizer = nn.optimizers.SGD{learning_rate = info("lr")}}
  local layers = {E = E, M = Mu, L = Lv, D = Dd}
  for k, l in pairs(layers) do
    l.kernel.value:copy(load("vae_" .. k .. "0"))
    l.bias.value:copy(load("vae_" .. k:lower() .. "0"))
  end
  local x = load("vae_x")
  local loss = vae:train_on_batch(x, x)
  local want = info("vae_loss")
  t.ok(math.abs(loss - want) < 1e-5 * want, ("VAE loss %.7f = torch %.7f"):format(loss, want))
  for k, l in pairs(layers) do
    t.allclose(l.kernel.value, load("vae_" .. k .. "1"), 1e-6, "VAE SGD step: kernel " .. k .. " = torch")
    t.allclose(l.bias.value, load("vae_" .. k:lower() .. "1"), 1e-6, "VAE SGD step: bias " .. k .. " = torch")
  end
  -- an encoder sub-model gives the means
  local enc = nn.Model{inputs = inp, outputs = mu}
  t.allclose(enc:predict(x), x:matmul(E.kernel.value):add(E.bias.value):tanh():matmul(Mu.kernel.value):add(Mu.bias.value),
             1e-5, "encoder sub-model: mu of the trained weights")
  t.raises(function() vae:save(os.tmpname() .. ".h5") end,
           "layer 'sampling[_%d]*' %(Sampling%) cannot be saved as a whole model yet; use save_weights",
           "a custom layer cannot be saved whole: a clear error")
end

-- ---- mistakes --------------------------------------------------------------------
do
  local function run(layer)
    local m = nn.Sequential{nn.Dense(2, {input_shape = {3}}), layer}
    m:compile{loss = "mse"}
    return m:train_on_batch(T.ones(2, 3), T.ones(2, 2))
  end
  t.raises(function() nn.Layer{build = function() end} end, "forward = function%(self, x, training%) is required",
           "forward is required")
  t.raises(function() nn.Layer{forwrd = function() end} end, "did you mean 'forward'", "misspelt key")
  t.raises(function() run(nn.Layer{forward = function() return 1 end}) end,
           "forward must return a tensor, got number", "forward returns a number")
  t.raises(function() run(nn.Layer{forward = function(_, x) return x end}) end,
           "training needs backward = function%(self, dy%)", "no backward")
  t.raises(function()
    run(nn.Layer{build = function(self) self.w = self:add_weight("w", {2}, "ones") end,
                 forward = function(_, x) return x end, backward = function(_, dy) return dy end})
  end, "backward must set the gradient of weight 'w' %(w.grad, shape %(2,%)%)", "a weight without grad")
  t.raises(function() run(nn.Layer{build = function() return "x" end, forward = function(_, x) return x end}) end,
           "build must return the output shape", "build returns junk")
  t.raises(function() run(nn.Layer{forward = function(self, x) self:add_loss(T.ones(2)); return x end,
                                   backward = function(_, dy) return dy end}) end,
           "add_loss takes a number or a 1%-element tensor", "add_loss of a vector")
  -- predict needs no backward
  local l = nn.Layer{forward = function(_, x) return x * 2 end}
  local m = nn.Sequential{nn.Dense(2, {input_shape = {3}, kernel_initializer = "ones"}), l}
  t.allclose(m:predict(T.ones(1, 3)), T({{6, 6}}), 1e-6, "predict without backward")
end

t.done()
