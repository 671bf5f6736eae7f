-- wrk script for group_commit_bench.sh: every request POSTs one new EventBridge GuardDuty event
-- (finding id and attacker address unique per wrk thread and request) to /v1/findings.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local counter = 0
local token = os.getenv("TOKEN")
local head = '{"version":"0","id":"ev","detail-type":"GuardDuty Finding","source":"aws.guardduty",'
  .. '"detail":{"schemaVersion":"2.0","accountId":"444455556666","region":"us-east-2","id":"gc-'

function request()
  counter = counter + 1
  local i = (tid or 0) * 1000000 + counter
  local ip = string.format("46.%d.%d.%d", 1 + math.floor(i / 62500) % 250,
    1 + math.floor(i / 250) % 250, 1 + i % 250)
  local body = head .. i .. '","type":"Recon:EC2/PortProbeUnprotectedPort","severity":5,'
    .. '"service":{"action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":'
    .. '{"connectionDirection":"INBOUND","remoteIpDetails":{"ipAddressV4":"' .. ip .. '"}}},'
    .. '"eventLastSeen":"2026-11-22T12:00:00Z","count":1},"updatedAt":"2026-11-22T12:00:00Z"}}'
  return wrk.format("POST", "/v1/findings",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
