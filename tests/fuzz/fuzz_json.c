/* fuzz_json.c - the JSON reader (runtime/lua/frame_json.lua) through
 * frame.read_json on the input as a file, and on success the frame's
 * head and summary; then the decoder alone on the same text. */
#include "fuzz_lua.h"

static const char driver[] =
"local frame = require 'frame'\n"
"local decode = require 'frame_json'\n"
"return function(s)\n"
"  local f = assert(io.open(path, 'wb'))\n"
"  f:write(s)\n"
"  f:close()\n"
"  local ok, df = pcall(frame.read_json, path)\n"
"  if ok then\n"
"    pcall(function() return tostring(df:head()) end)\n"
"    pcall(function() return df:describe() end)\n"
"  end\n"
"  pcall(decode, s, 'fuzz.json')\n"
"end\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_lua_setup_file("=fuzz_json", ".json", driver);
  fuzz_lua_run(data, size);
  return 0;
}
