-- Allocation churn for the lua5.4 program workload: tables of strings built, concatenated, sorted and
-- dropped, generation after generation. usage: lua5.4 churn.lua ROUNDS. Prints a checksum of what it built.
local rounds = tonumber(arg[1]) or 10
local state = 42
local function rand(n)  -- a small LCG: the same numbers on every machine and Lua version
  state = (state * 1103515245 + 12345) % 2147483648
  return state % n
end

local checksum = 0
for round = 1, rounds do
  local words, records = {}, {}
  for i = 1, 20000 do
    words[i] = string.rep(string.char(97 + rand(26)), 1 + rand(40)) .. i
  end
  for i = 1, 20000 do
    local r = {id = i, name = words[1 + rand(#words)], tags = {}}
    for t = 1, rand(8) do r.tags[t] = words[1 + rand(#words)]:sub(1, 8) end
    records[i] = r
  end
  table.sort(records, function(a, b) if a.name ~= b.name then return a.name < b.name end return a.id < b.id end)
  local parts = {}
  for i = 1, #records, 7 do parts[#parts + 1] = records[i].name .. table.concat(records[i].tags, ",") end
  local joined = table.concat(parts, ";")
  local replaced = joined:gsub("a+", function(s) return #s end)
  for i = 1, #replaced, 97 do checksum = (checksum * 31 + replaced:byte(i)) % 1000000007 end
  for i = 1, #records, 2 do records[i] = nil end  -- half dies young, the rest at the end of the round
  collectgarbage("step", 100)
end
print(string.format("rounds=%d checksum=%d", rounds, checksum))
