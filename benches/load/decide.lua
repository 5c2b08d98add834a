-- wrk script for benches/load/run.sh: POST /v1/decide with a rotation of
-- actions against the shipped protective-agency policy, with the bearer token
-- in $TOKEN. The service ignores the `history` and `at` given: every request
-- is one read of the actor's recorded actions, one evaluation and one
-- audit-log append.
local actions = {
  [[{"action":"post","at":"2026-03-14T15:05:00Z","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"twitter","content":{"kind":"industry"},"history":{"posts_today":9,"posts_this_week":20,"job_ads_this_week":2}}]],
  [[{"action":"post","at":"2026-03-14T16:00:00Z","actor":{"id":"b","role":"consultant","status":"employed"},"channel":"twitter","content":{"kind":"industry"},"history":{"posts_today":10,"posts_this_week":21,"job_ads_this_week":2}}]],
  [[{"action":"connect","at":"2026-05-02","actor":{"id":"c","role":"consultant","status":"on_notice"},"channel":"linkedin","target":{"relationship":"client","interacted":true},"history":{"invitations_this_week":3}}]],
  [[{"action":"post","at":"2026-03-14T09:00:00Z","actor":{"id":"d","role":"consultant","status":"employed"},"channel":"linkedin","content":{"kind":"job_ad"},"history":{"posts_today":1,"posts_this_week":5,"job_ads_this_week":3}}]],
}

-- EXPLAIN=false in the environment asks for the short, compiled answer.
local path = "/v1/decide"
if os.getenv("EXPLAIN") == "false" then path = "/v1/decide?explain=false" end

local requests = {}
local n = 0

init = function(args)
  for i, a in ipairs(actions) do
    requests[i] = wrk.format("POST", path,
      {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "")},
      '{"policy":"protective-agency","action":' .. a .. '}')
  end
end

request = function()
  n = n % #requests + 1
  return requests[n]
end

done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local failed = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests=%d seconds=%.1f decisions_per_s=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f failed=%d\n",
    summary.requests, secs, (summary.requests - failed) / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000, failed))
end
