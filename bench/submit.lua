-- wrk script for bench/surveys.py: POST pre-opened answer forms, one job per request.
-- Arguments: <jobs file> <threads> <output folder>. A jobs line is "token<TAB>cookie<TAB>body";
-- thread k takes lines k, k + threads, ... Every response is logged as "<status> <token> <Location>"
-- to <output folder>/thread-<k>.log the moment it arrives, so the caller can count them and
-- stop wrk (SIGINT) when all jobs are answered. A thread never stops by itself: with
-- gunicorn's sync workers a stopped thread can leave a connection open that holds a worker
-- until its timeout. Once through its jobs it repeats the last one, logged as "repeat".

local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local jobs = {}
local tokens = {}
local next_job = 1
local answered = 0
local log

function init(args)
  local path, threads, folder = args[1], tonumber(args[2]), args[3]
  local n = 0
  for line in io.lines(path) do
    if n % threads == id then
      local token, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      tokens[#jobs + 1] = token
      jobs[#jobs + 1] = wrk.format("POST", "/s/" .. token .. "/", {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["Cookie"] = cookie,
      }, body)
    end
    n = n + 1
  end
  if id == 0 then
    -- wrk calls request() once on thread 0 before connecting, to see whether the script
    -- pipelines; that call gets a copy of the first job (jobs[0]) and uses up nothing.
    jobs[0] = jobs[1]
    next_job = 0
  end
  log = io.open(folder .. "/thread-" .. id .. ".log", "w")
  log:setvbuf("line")
end

function request()
  local job = jobs[math.min(next_job, #jobs)]
  next_job = next_job + 1
  return job
end

function response(status, headers, body)
  answered = answered + 1
  if answered <= #jobs then
    log:write(status, " ", tokens[answered], " ", headers["Location"] or "-", "\n")
  else
    log:write("repeat ", status, "\n")
  end
end

function done(summary, latency, requests)
  io.write(string.format(
    "WRK requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
