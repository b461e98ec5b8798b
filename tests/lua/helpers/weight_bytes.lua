-- weight_bytes.lua - shared by the nn Lua tests (required as
-- "helpers.weight_bytes"; a helper, not a test): a list of tensors
-- (model:get_weights()) as one binary string, for bit-identity checks.
return function(list)
  local parts = {}
  for i, w in ipairs(list) do parts[i] = w:tobytes() end
  return table.concat(parts)
end
