-- One wrk script for every figure of `make bench` (tests/src/load.rs runs it). What to send
-- comes from the environment:
--   BENCH_METHOD, BENCH_PATH, BENCH_BODY   the request (GET / when unset)
--   BENCH_HEADERS                          "Name: value" lines, separated by "\n"
--   BENCH_EXPECT                           the status every answer must have
--   BENCH_PATHS                            GET paths separated by "\n": instead of BENCH_PATH,
--     each connection sends them in turn (an administrator going through pages)
--   BENCH_DELAY_MS                         a pause before each request (a paced client)
--   BENCH_FLEET                            "agents,configPath,token1;token2;…": instead of the
--     above, a fleet of that many agent identities, each alternating a conditional poll of its
--     configuration (304 expected) with an unchanged heartbeat (204 expected); agent k uses
--     token k mod the number of tokens.
-- done() prints one line, "BENCH {json}", with the figures and the count of wrong answers.

local env = os.getenv
local method = env("BENCH_METHOD") or "GET"
local path = env("BENCH_PATH") or "/"
local body = env("BENCH_BODY")
local expect = tonumber(env("BENCH_EXPECT") or "0")
local headers = {}
for line in string.gmatch(env("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = string.match(line, "^([^:]+):%s*(.*)$")
  if name then headers[name] = value end
end

local pause = tonumber(env("BENCH_DELAY_MS") or "0")
if pause > 0 then
  function delay() return pause end
end

local paths = {}
for p in string.gmatch(env("BENCH_PATHS") or "", "[^\n]+") do paths[#paths + 1] = p end

local fleet = env("BENCH_FLEET")
local agents, config_path, tokens = 0, nil, {}
if fleet then
  local count, cpath, list = string.match(fleet, "^(%d+),([^,]+),(.+)$")
  agents, config_path = tonumber(count), cpath
  for t in string.gmatch(list, "[^;]+") do tokens[#tokens + 1] = t end
end

local threads = {}
local thread_index = 0
function setup(thread)
  thread_index = thread_index + 1
  thread:set("offset", thread_index * 7919)
  table.insert(threads, thread)
end

local n = 0
wrong = 0
function request()
  if #paths > 0 then
    n = n + 1
    return wrk.format("GET", paths[(n % #paths) + 1], headers, nil)
  end
  if not fleet then
    return wrk.format(method, path, headers, body)
  end
  n = n + 1
  local k = (offset + math.floor(n / 2)) % agents
  local h = { ["Authorization"] = "Bearer " .. tokens[(k % #tokens) + 1] }
  if n % 2 == 0 then
    h["If-Modified-Since"] = "Fri, 01 Jan 2100 00:00:00 GMT"
    return wrk.format("GET", config_path, h, nil)
  end
  h["Content-Type"] = "application/json"
  local beat = string.format(
    '{"id":"agent-%05d","version":"Telegraf 1.39.0","status":"OK","configurations":["%s"]}',
    k, config_path)
  return wrk.format("POST", "/agents/heartbeat", h, beat)
end

function response(status, hdrs, resp_body)
  if fleet then
    if status ~= 204 and status ~= 304 then wrong = wrong + 1 end
  elseif expect ~= 0 and status ~= expect then
    wrong = wrong + 1
  end
end

function done(summary, latency, requests)
  local total_wrong = 0
  for _, thread in ipairs(threads) do total_wrong = total_wrong + thread:get("wrong") end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"wrong":%d,"socket_errors":%d,' ..
    '"mean_us":%.1f,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, total_wrong,
    e.connect + e.read + e.write + e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(99), latency.max))
end
