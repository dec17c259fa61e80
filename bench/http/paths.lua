-- wrk script: GETs the paths listed in the file named by the PATHS environment variable, one per
-- line, round robin (each thread starting at its own offset).
local paths = {}
for line in io.lines(os.getenv("PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
end

function init(args)
  index = offset or 0
end

function request()
  index = index + 1
  return wrk.format("GET", paths[(index % #paths) + 1], {Accept = "application/fhir+json"})
end

done = function(summary, latency, requests)
  io.write(string.format(
      "{\"requests\":%d,\"requests_per_second\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"non_2xx\":%d,\"errors\":%d}\n",
      summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
      latency:percentile(99) / 1000, summary.errors.status,
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
