-- nn_submodel.lua - sub-models as chapter 12 uses them: Sequential
-- encoder and decoder composed in a Sequential (training the whole
-- trains the parts), an encoder nn.Model cut from an autoencoder's graph,
-- a decoder made by calling the autoencoder's own layers on a new
-- nn.Input (the same weights), get_layer, save/load of such a decoder,
-- and the errors for sharing a layer inside one model.
local t = require "tap"
local T = require "tensor"
local nn = require "nn"

-- enc and dec as two Sequentials, AE = nn.Sequential{enc, dec}
do
  T.seed(1)
  local enc = nn.Sequential{nn.Dense(2, {input_shape = {3}, activation = "elu"}),
                            nn.Dense(2, {activation = "elu"})}
  local dec = nn.Sequential{nn.Dense(2, {input_shape = {2}, activation = "elu"}),
                            nn.Dense(3, {activation = "elu"})}
  local AE = nn.Sequential{enc, dec}
  AE:compile{loss = "mse"}
  t.is(#AE.layers, 2, "the autoencoder's layers are the two models")
  t.is(select(1, AE:count_params()), 8 + 6 + 6 + 9, "parameters of both")
  local X = T.randn(64, 3)
  local r0 = enc:predict(X)
  AE:fit(X, X, {epochs = 2, verbose = 0})
  local r1 = enc:predict(X)
  t.ok((r1 - r0):abs():max() > 1e-4, "training AE changed the encoder's predictions")
  t.allclose(dec:predict(r1), AE:predict(X), 1e-6, "dec(enc(x)) = AE(x)")
  t.is(AE:get_layer(enc.name), enc, "get_layer finds the encoder by name")
end

-- functional: encoder and decoder from the autoencoder's graph
do
  T.seed(2)
  local inp = nn.Input{shape = {6}}
  local h = nn.Dense(4, {activation = "relu", name = "e1"})(inp)
  local code = nn.Dense(2, {name = "code"})(h)
  local d1 = nn.Dense(4, {activation = "relu", name = "d1"})
  local d2 = nn.Dense(6, {name = "d2"})
  local ae = nn.Model{inputs = inp, outputs = d2(d1(code))}
  local enc = nn.Model{inputs = inp, outputs = code, name = "encoder"}
  local zin = nn.Input{shape = {2}}
  local dec = nn.Model{inputs = zin, outputs = d2(d1(zin)), name = "decoder"}
  t.is(#enc.layers, 3, "encoder: input, e1, code")
  t.is(#dec.layers, 3, "decoder: its input and the two shared layers")
  t.is(select(1, dec:count_params()), 12 + 30, "decoder parameters")
  ae:compile{loss = "mse"}
  local X = T.randn(32, 6)
  local e0, p0 = enc:predict(X), dec:predict(T.ones(3, 2))
  ae:fit(X, X, {epochs = 3, verbose = 0})
  local e1 = enc:predict(X)
  t.ok((e1 - e0):abs():max() > 1e-4, "training the autoencoder changes the encoder")
  t.ok((dec:predict(T.ones(3, 2)) - p0):abs():max() > 1e-4, "... and the decoder")
  t.allclose(dec:predict(e1), ae:predict(X), 1e-6, "decoder(encoder(x)) = autoencoder(x)")
  t.is(ae:get_layer("d1"), d1, "get_layer('d1')")
  t.raises(function() ae:get_layer("d9") end, "has no layer named 'd9'", "get_layer of a missing name")
  -- training the decoder alone changes the autoencoder's layer too
  dec:compile{loss = "mse"}
  local before = d2.kernel.value:clone()
  dec:fit(e1, X, {epochs = 1, verbose = 0})
  t.ok((d2.kernel.value - before):abs():max() > 0, "training the decoder trains the shared layer")
  -- save and load the decoder alone
  local tmp = os.tmpname()
  os.remove(tmp)
  tmp = tmp .. ".h5"
  dec:save(tmp)
  local back = nn.models.load_model(tmp)
  t.allclose(back:predict(e1), dec:predict(e1), 0, "the saved decoder loads with the same outputs")
  os.remove(tmp)
  -- errors
  t.raises(function() d1(inp) end, "Dense 'd1': called again on input %(N, 6%), but it was built for %(N, 2%)",
           "a shared layer called on another shape")
  t.raises(function()
    local a = d1(zin)
    local m = nn.Model{inputs = zin, outputs = d1(nn.Dense(2)(a))}
    return m
  end, "layer 'd1' is used twice in this graph", "a layer twice in one model")
  local seq_layer = nn.Dense(3)
  nn.Sequential{nn.Dense(2, {input_shape = {2}}), seq_layer}
  t.raises(function() seq_layer(nn.Input{shape = {2}}) end,
           "already built inside a Sequential", "a Sequential's built layer in a graph")
end

-- a Sequential model called on a node of a functional model, twice
do
  T.seed(3)
  local dec = nn.Sequential{nn.Dense(3, {input_shape = {2}})}
  local a, b = nn.Input{shape = {2}}, nn.Input{shape = {2}}
  local m1 = nn.Model{inputs = a, outputs = dec(a)}
  local m2 = nn.Model{inputs = b, outputs = dec(b)}
  local x = T.randn(4, 2)
  t.allclose(m1:predict(x), m2:predict(x), 0, "one Sequential in two models: the same weights")
  t.allclose(m1:predict(x), dec:predict(x), 0, "... as the Sequential itself")
end

t.done()
