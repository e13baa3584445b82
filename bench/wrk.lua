-- wrk script of bench/run: counts the status codes of every response and prints one line
--   BENCH_JSON {"requests":…, "p50_us":…, "p95_us":…, "p99_us":…, "statuses":{"200":…}, …}
-- at the end. With BENCH_PATHS=<file> (one path per line), each request takes a random path
-- of the file (e.g. /api/v1/listings/<id> over a thousand real ids) instead of the URL's.

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  paths = nil
  local file = os.getenv("BENCH_PATHS")
  if file and file ~= "" then
    paths = {}
    for line in io.lines(file) do
      if line ~= "" then table.insert(paths, line) end
    end
    math.randomseed(os.time() * 100 + (thread_id or 0))
  end
end

function request()
  if paths then
    return wrk.format("GET", paths[math.random(#paths)])
  end
  return wrk.request()
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local codes = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    if s then
      for code, n in pairs(s) do codes[code] = (codes[code] or 0) + n end
    end
  end
  local parts = {}
  for code, n in pairs(codes) do
    table.insert(parts, string.format('"%d":%d', code, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"mean_us":%.1f,"p50_us":%d,"p90_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max,
    table.concat(parts, ",")))
end
