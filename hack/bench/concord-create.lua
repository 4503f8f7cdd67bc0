-- wrk script: POST one new 1 KiB ConfigMap per request to concord server.
-- Environment: BENCH_TOKEN (bearer token), BENCH_NAMESPACE, BENCH_PREFIX (unique per run).
local threads = 0
function setup(thread)
   thread:set("tid", threads)
   threads = threads + 1
end

local counter = 0
local prefix
local path
local headers = {}
local head, tail

function init(args)
   prefix = (os.getenv("BENCH_PREFIX") or "cm") .. "-" .. tid .. "-"
   path = "/api/v1/namespaces/" .. (os.getenv("BENCH_NAMESPACE") or "bench") .. "/configmaps"
   headers["Content-Type"] = "application/json"
   headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
   head = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"'
   tail = '"},"data":{"value":"' .. string.rep("x", 1024) .. '"}}'
end

function request()
   counter = counter + 1
   return wrk.format("POST", path, headers, head .. prefix .. counter .. tail)
end
