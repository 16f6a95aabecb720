-- wrk script for the fault tests: cycles through the paths given after `--`
-- and tallies every answer by status and by path, with the wall-clock time
-- (ms since 1970) of the first and last answer that was neither a 200 nor a
-- 429 (nginx's rate limits answer 429 by design, whatever else happens).
--
--   wrk -t4 -c4 -d8s -s wrk_status.lua http://127.0.0.1:18280 -- /api/a /api/b
--
-- Run it with as many connections as threads (-c = -t): a thread then has one
-- request in flight at a time, so the path it asked last is the path the
-- answer belongs to. Each thread has its own Lua state; setup() keeps the
-- threads and done() sums their tallies (thread:get copies tables).
--
-- done() prints one fact a line, for the test to read:
--   requests N | status CODE N | path PATH CODE N | error CODE N (the
--   "code" of error bodies) | no_retry_after N (503s and 429s without it)
--   errors connect N read N write N timeout N | first_bad MS | last_bad MS

local ffi = require("ffi")
ffi.cdef [[
	typedef struct { long tv_sec; long tv_nsec; } wrk_timespec;
	int clock_gettime(int clock, wrk_timespec *ts);
]]
local ts = ffi.new("wrk_timespec")
local function now_ms()
	ffi.C.clock_gettime(0, ts) -- CLOCK_REALTIME, as `date +%s%3N`
	return tonumber(ts.tv_sec) * 1000 + math.floor(tonumber(ts.tv_nsec) / 1e6)
end

local threads = {}
function setup(thread)
	table.insert(threads, thread)
end

-- Per thread.
local paths, next_path, asked = {}, 0, nil
by_status, by_path, by_error, no_retry_after, first_bad, last_bad = {}, {}, {}, 0, 0, 0

function init(args)
	for _, p in ipairs(args) do
		table.insert(paths, p)
	end
	if #paths == 0 then
		paths = { "/" }
	end
end

function request()
	next_path = next_path % #paths + 1
	asked = paths[next_path]
	return wrk.format("GET", asked)
end

function response(status, headers, body)
	local code = tostring(status)
	by_status[code] = (by_status[code] or 0) + 1
	local key = asked .. " " .. code
	by_path[key] = (by_path[key] or 0) + 1
	if status == 200 then
		return
	end
	local err = body and body:match('"code"%s*:%s*"([%w_]+)"') or "none"
	by_error[err] = (by_error[err] or 0) + 1
	if (status == 503 or status == 429) and headers["Retry-After"] == nil then
		no_retry_after = no_retry_after + 1
	end
	if status ~= 429 then
		local t = now_ms()
		if first_bad == 0 then
			first_bad = t
		end
		last_bad = t
	end
end

function done(summary, latency, requests)
	local status, paths_seen, errors, missing, first, last = {}, {}, {}, 0, 0, 0
	for _, t in ipairs(threads) do
		for k, v in pairs(t:get("by_status")) do
			status[k] = (status[k] or 0) + v
		end
		for k, v in pairs(t:get("by_path")) do
			paths_seen[k] = (paths_seen[k] or 0) + v
		end
		for k, v in pairs(t:get("by_error")) do
			errors[k] = (errors[k] or 0) + v
		end
		missing = missing + t:get("no_retry_after")
		local f, l = t:get("first_bad"), t:get("last_bad")
		if f > 0 and (first == 0 or f < first) then
			first = f
		end
		if l > last then
			last = l
		end
	end
	io.write(string.format("requests %d\n", summary.requests))
	for k, v in pairs(status) do
		io.write(string.format("status %s %d\n", k, v))
	end
	for k, v in pairs(paths_seen) do
		io.write(string.format("path %s %d\n", k, v))
	end
	for k, v in pairs(errors) do
		io.write(string.format("error %s %d\n", k, v))
	end
	local e = summary.errors
	io.write(string.format("errors connect %d read %d write %d timeout %d\n",
		e.connect, e.read, e.write, e.timeout))
	io.write(string.format("no_retry_after %d\nfirst_bad %d\nlast_bad %d\n", missing, first, last))
end
