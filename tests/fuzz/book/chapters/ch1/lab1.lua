-- lab1.lua - a fixture lab: reads data.txt beside it, prints, writes a PNG.
local dir = arg[0]:match("^(.*)/") or "."
-- ANCHOR: compute
local f = assert(io.open(dir .. "/data.txt"))
local text = f:read("a")
f:close()
print("data: " .. text:gsub("%s+$", ""))
-- ANCHOR_END: compute
io.stderr:write("to stderr <&>\n")
local png = "\137\80\78\71\13\10\26\10\0\0\0\13\73\72\68\82\0\0\0\4\0\0\0\4\8\2\0\0\0\38\147\9\41\0\0\0\19\73\68\65\84\120\156\99\248\207\192\0\68\96\226\63\3\113\28\0\158\163\15\241\127\25\149\139\0\0\0\0\73\69\78\68\174\66\96\130"
for _, name in ipairs {"b_second.png", "a_first.png"} do
  local o = assert(io.open(out(name), "wb"))
  o:write(png)
  o:close()
end
print("quick=" .. tostring(os.getenv("WORKBOOK_QUICK")))
