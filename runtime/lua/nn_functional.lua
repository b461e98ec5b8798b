-- nn_functional.lua - Keras's functional API on top of nn_model.lua's
-- graph runner: nn.Input, calling a layer (or a model) on a node (the
-- merge layers, Concatenate and Add, are called on a list of nodes),
-- nn.Model{inputs, outputs}, and summary() in Keras 2.6's layout
-- (print_summary, "Connected to" column).
--
-- Layers are ordered as Keras's functional._map_graph_network orders
-- model.layers: by depth (longest path to the output) from the deepest,
-- ties by first visit in a depth-first walk from the output. Summary
-- rows and HDF5 weight matching both follow that order.
local T = require "tensor"
local B = require "nn_base"
local text = require "nn_text"

local M = {}
local fail = B.fail

-- ---- nodes -------------------------------------------------------------

local Node = {}
Node.__index = Node
function Node:__tostring()
  return ("<node %s %s>"):format(self.layer.name, text.shape_str(self.shape))
end

local function is_node(v) return getmetatable(v) == Node end

local function new_node(layer, inbound, shape, node_index)
  return setmetatable({layer = layer, inbound = inbound, shape = shape,
                       node_index = node_index or 0}, Node)
end

M.is_node = is_node

-- InputLayer: the layer behind nn.Input (no weights, never run)
local InputLayer = B.layer_class("InputLayer", "input")
function InputLayer.build(self, s) return s end

local function check_shape(shape)
  if type(shape) ~= "table" or #shape == 0 then
    fail("Input: shape must be a table of sizes such as {28, 28, 1}, got %s", tostring(shape))
  end
  local out = {}
  for i, v in ipairs(shape) do
    if type(v) ~= "number" or v < 1 or v % 1 ~= 0 then
      fail("Input: shape entry %d must be a positive integer, got %s", i, tostring(v))
    end
    out[i] = v
  end
  return out
end

local INPUT = {shape = "table", name = "string"}

-- nn.Input{shape = {28, 28, 1}, name = ...} (or nn.Input{28, 28, 1}) -> a node
function M.Input(o)
  if type(o) ~= "table" then fail("Input: give a table {shape = {...}}") end
  B.check("Input", o, INPUT, true)
  if o.shape and o[1] then fail("Input: give the shape once (shape = {...} or a list)") end
  local shape = check_shape(o.shape or (o[1] and o))
  local l = B.new_layer(InputLayer, {name = o.name or B.unique_name1("input")})
  l.output_shape = shape
  local node = new_node(l, {}, shape)
  node.is_input = true
  l.node = node
  return node
end

-- ---- calling a layer on nodes --------------------------------------------

local function describe(v)
  if B.is_layer(v) then return "a layer ('" .. v.name .. "'); call it on a node" end
  if T.is_tensor(v) then return "a tensor; use nn.Input{shape = ...} to start a graph" end
  return type(v)
end

-- the inbound nodes of a call: one node, or a list for a merge layer
local function inbound_of(layer, x)
  if layer.multi_input then
    if type(x) ~= "table" or is_node(x) or #x < 2 then
      fail("%s '%s': expects a list of at least 2 nodes, got %s", layer.class, layer.name,
           is_node(x) and "one node" or
           (type(x) == "table" and not T.is_tensor(x)) and ("a list of " .. #x) or describe(x))
    end
    for i, v in ipairs(x) do
      if not is_node(v) then
        fail("%s '%s': entry %d is %s, not a node", layer.class, layer.name, i, describe(v))
      end
    end
    return x
  end
  if type(x) == "table" and not is_node(x) and #x == 1 then x = x[1] end
  if not is_node(x) then
    fail("%s '%s': can only be called on a node (nn.Input or a layer's output), got %s",
         layer.class, layer.name, describe(x))
  end
  return {x}
end

-- A recurrent layer with return_state = true gives, as in Keras, its
-- output and then its final states (h; LSTM: h, c) as nodes; each state
-- node runs a hidden StateOutput layer that reads the states the layer
-- kept and hands their gradients back to it (state_grads).
local StateOutput = B.layer_class("StateOutput", "state")
StateOutput.hidden = true
StateOutput.per_sample = true    -- inference: each sample on its own (nn_model.lua streams)
function StateOutput:build() return {self.parent.units} end
function StateOutput:forward() return self.parent.states[self.index]:contiguous() end
function StateOutput:backward(dy)
  local p = self.parent
  p.state_grads = p.state_grads or {}
  p.state_grads[self.index] = dy
  -- nothing flows through the layer's main output from here
  return T.zeros(B.with_batch(dy:size(1), p.output_shape))
end

local function state_nodes(layer, node)
  local out = {}
  for k = 1, layer.kind == "lstm" and 2 or 1 do
    local l = B.new_layer(StateOutput, {name = layer.name .. "_state" .. k})
    l.parent, l.index = layer, k
    l.output_shape = {layer.units}
    l.node = new_node(l, {node}, l.output_shape)
    l.node.tensor_index = k
    out[k] = l.node
  end
  return out
end

-- the input shape(s) of a call, as text
local function inbound_key(inbound)
  local t = {}
  for i, p in ipairs(inbound) do t[i] = B.batch_shape_str(p.shape) end
  return table.concat(t, ", ")
end

-- A layer called again (on another input) keeps its weights: the new
-- node shares them, so a decoder built by calling an autoencoder's
-- layers on a new nn.Input decodes with the trained weights. The input
-- must have the shape of the first call. One model may hold a layer
-- once (its per-call state is the layer's): nn.Model checks that.
local function call_again(layer, inbound)
  if layer.class == "InputLayer" then
    fail("InputLayer '%s': cannot be called; use the node nn.Input returned", layer.name)
  end
  if layer.return_state then
    fail("%s '%s': a layer with return_state = true cannot be called twice", layer.class, layer.name)
  end
  local key = inbound_key(inbound)
  if key ~= layer.called_on then
    fail("%s '%s': called again on input %s, but it was built for %s", layer.class,
         layer.name, key, layer.called_on)
  end
  layer.calls = (layer.calls or 1) + 1
  local node = new_node(layer, inbound, layer.output_shape,
                        (layer.is_model and 1 or 0) + layer.calls - 1)
  return node
end

function M.call_layer(layer, x)
  local inbound = inbound_of(layer, x)
  if layer.node or layer.class == "InputLayer" then return call_again(layer, inbound) end
  if layer.output_shape and not layer.is_model and #layer.weights > 0 then
    fail("%s '%s': already built inside a Sequential; it cannot join a functional graph " ..
         "(build the graph from nn.Input, or call the Sequential model itself)", layer.class, layer.name)
  end
  layer.called_on = inbound_key(inbound)
  local shape
  if layer.multi_input then
    local shapes = {}
    for i, p in ipairs(inbound) do shapes[i] = p.shape end
    shape = layer:build(shapes)
  else
    shape = B.build_layer(layer, inbound[1].shape)
  end
  layer.output_shape = shape
  -- a model's node 0 links its own inputs and outputs (as in Keras), so
  -- its first call is node 1: "vgg16[1][0]" in the summary
  local node = new_node(layer, inbound, shape, layer.is_model and 1 or 0)
  layer.node = node
  if layer.return_state then return node, table.unpack(state_nodes(layer, node)) end
  return node
end

-- ---- the graph: Keras's layer order ----------------------------------------

-- Depth-first from the output: pre-order visit numbers (Keras's
-- layer_indices) and the nodes in post-order (inputs first).
local function walk(output)
  local index, post, state = {}, {}, {}
  local count = 0
  local function visit(node)
    if state[node] == "done" then return end
    if state[node] == "busy" then fail("Model: the graph has a cycle at '%s'", node.layer.name) end
    if not index[node] then count = count + 1; index[node] = count end
    state[node] = "busy"
    for _, p in ipairs(node.inbound) do visit(p) end
    state[node] = "done"
    post[#post + 1] = node
  end
  visit(output)
  return index, post
end

-- depth of a node: its longest path to the output
local function depths(post)
  local depth = {}
  for i = #post, 1, -1 do
    local node = post[i]
    local d = depth[node] or 0
    depth[node] = d
    for _, p in ipairs(node.inbound) do
      depth[p] = math.max(depth[p] or 0, d + 1)
    end
  end
  return depth
end

local function sorted_nodes(output)
  local index, post = walk(output)
  local depth = depths(post)
  local nodes = {table.unpack(post)}
  table.sort(nodes, function(a, b)
    if depth[a] ~= depth[b] then return depth[a] > depth[b] end
    return index[a] < index[b]
  end)
  return nodes, depth
end

local function single(v, what)
  if type(v) == "table" and not is_node(v) then
    if #v ~= 1 then fail("Model: %s must be one node (several are not supported yet), got %d", what, #v) end
    v = v[1]
  end
  if not is_node(v) then fail("Model: %s must be a node, got %s", what, describe(v)) end
  return v
end

local MODEL = {inputs = "table", outputs = "table", name = "string"}

-- nn.Model{inputs = x, outputs = y, name = ...}
function M.Model(o)
  if type(o) ~= "table" then fail("Model: give a table {inputs = ..., outputs = ...}") end
  B.check("Model", o, MODEL)
  local input = single(o.inputs, "inputs")
  local output = single(o.outputs, "outputs")
  if not input.is_input then
    fail("Model: inputs must come from nn.Input, got the output of '%s'", input.layer.name)
  end
  local nodes, depth = sorted_nodes(output)
  local node_of = {}
  for _, node in ipairs(nodes) do
    local l = node.layer
    if node_of[l] and not l.hidden then
      fail("Model: layer '%s' is used twice in this graph; sharing a layer inside one model " ..
           "is not supported (create a second layer)", l.name)
    end
    node_of[l] = node
  end
  local m = setmetatable({name = o.name or B.unique_name("model"), class = "Functional",
                          trainable = true, built = true, layers = {}, order = {}}, B.Model)
  for _, node in ipairs(nodes) do
    if node.is_input and node ~= input then
      fail("Model: the graph is disconnected: '%s' needs input '%s', which is not in inputs",
           output.layer.name, node.layer.name)
    end
    if not node.layer.hidden then m.layers[#m.layers + 1] = node.layer end
    if not node.is_input then m.order[#m.order + 1] = node end
  end
  m.nodes, m.depth, m.node_of = nodes, depth, node_of
  m.input_node, m.output_node = input, output
  m.input, m.output = input, output
  m.input_shape, m.output_shape = input.shape, output.shape
  return m
end

-- ---- summary -----------------------------------------------------------------

-- Keras's print_summary calls a graph "sequential-like" when every depth
-- holds one node with at most one inbound layer; it then prints the
-- 65-column table without "Connected to".
local function sequential_like(m)
  if m.class == "Sequential" then return true end
  local seen = {}
  for _, node in ipairs(m.nodes) do
    local d = m.depth[node]
    if node.layer.hidden then goto next end
    if seen[d] or #node.inbound > 1 then return false end
    seen[d] = true
    ::next::
  end
  return true
end

local function shape_text(l)
  if l.class == "InputLayer" then return "[" .. text.shape_str(l.output_shape) .. "]" end
  if l.return_state then      -- the output and the states, as Keras lists them
    local parts = {text.shape_str(l.output_shape)}
    for _ = 1, l.kind == "lstm" and 2 or 1 do parts[#parts + 1] = text.shape_str({l.units}) end
    return "[" .. table.concat(parts, ", ") .. "]"
  end
  return text.shape_str(l.output_shape)
end

local function connections(node)
  local out = {}
  for _, p in ipairs(node.inbound) do
    -- a Sequential's input node has no InputLayer (Keras hides it too);
    -- a state node is its recurrent layer's output number k
    if p.layer and p.layer.hidden then
      local q = p.inbound[1]
      out[#out + 1] = ("%s[%d][%d]"):format(q.layer.name, q.node_index, p.tensor_index)
    elseif p.layer then
      out[#out + 1] = ("%s[%d][0]"):format(p.layer.name, p.node_index)
    end
  end
  return out
end

function M.summary(m, print_fn)
  local rows = {}
  local nodes = m.nodes
  if not nodes then          -- a Sequential: its chain, without the input
    nodes = {table.unpack(m.order)}
  end
  for _, node in ipairs(nodes) do
    local l = node.layer
    if l.hidden then goto next end
    local tr, non = B.param_counts(l, false)
    rows[#rows + 1] = {name = l.name, type = l.class, shape_text = shape_text(l),
                       params = tr + non, connected = connections(node)}
    ::next::
  end
  local tr, non = m:count_params()
  if sequential_like(m) then
    text.summary(m.name, rows, tr, non, print_fn)
  else
    text.summary_functional(m.name, rows, tr, non, print_fn)
  end
end

return M
