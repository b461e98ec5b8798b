-- helpers/aelayers_fixtures.lua - the fixtures of tests/fixtures/
-- make_aelayers.py for nn_regularize.lua and nn_custom_layer.lua:
-- load(name) reads aelayers/<name>.npy, info(name) the numbers of
-- info.json (saved as info_<name>.npy) as a list.
local T = require "tensor"
local here = arg[0]:match("^(.*)/[^/]*$") or "."
local fx = here .. "/../fixtures/aelayers/"
local M = {}
function M.load(name) return T.load(fx .. name .. ".npy") end
function M.info(name) return M.load("info_" .. name):totable() end
return M
