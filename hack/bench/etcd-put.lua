-- wrk script: one 1 KiB put of a new key per request through etcd's HTTP/JSON gateway (/v3/kv/put).
-- Environment: BENCH_PREFIX (unique per run).
local threads = 0
function setup(thread)
   thread:set("tid", threads)
   threads = threads + 1
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(data)
   local out = {}
   for i = 1, #data, 3 do
      local a, b, c = data:byte(i, i + 2)
      local n = a * 65536 + (b or 0) * 256 + (c or 0)
      local c1 = math.floor(n / 262144) % 64
      local c2 = math.floor(n / 4096) % 64
      local c3 = math.floor(n / 64) % 64
      local c4 = n % 64
      out[#out + 1] = alphabet:sub(c1 + 1, c1 + 1) .. alphabet:sub(c2 + 1, c2 + 1)
         .. (b and alphabet:sub(c3 + 1, c3 + 1) or "=") .. (c and alphabet:sub(c4 + 1, c4 + 1) or "=")
   end
   return table.concat(out)
end

local counter = 0
local prefix
local headers = { ["Content-Type"] = "application/json" }
local tail

function init(args)
   prefix = "/bench/" .. (os.getenv("BENCH_PREFIX") or "k") .. "-" .. tid .. "-"
   tail = '","value":"' .. base64(string.rep("x", 1024)) .. '"}'
end

function request()
   counter = counter + 1
   return wrk.format("POST", "/v3/kv/put", headers, '{"key":"' .. base64(prefix .. counter) .. tail)
end
