-- wrk: client-credentials token requests with HTTP Basic client authentication.
-- Usage: CLIENT_ID=... CLIENT_SECRET=... wrk -s token-cc.lua http://host:port
local id = os.getenv("CLIENT_ID")
local secret = os.getenv("CLIENT_SECRET")
local function b64(data)
  local chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  return ((data:gsub('.', function(x)
    local r, byte = '', x:byte()
    for i = 8, 1, -1 do r = r .. (byte % 2 ^ i - byte % 2 ^ (i - 1) > 0 and '1' or '0') end
    return r
  end) .. '0000'):gsub('%d%d%d?%d?%d?%d?', function(x)
    if #x < 6 then return '' end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == '1' and 2 ^ (6 - i) or 0) end
    return chars:sub(c + 1, c + 1)
  end) .. ({ '', '==', '=' })[#data % 3 + 1])
end
wrk.method = "POST"
wrk.path = os.getenv("TOKEN_PATH") or "/oauth2/token"
local scope = os.getenv("SCOPE") or "api.read"
wrk.body = "grant_type=client_credentials" .. (scope ~= "" and ("&scope=" .. scope) or "")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. b64(id .. ":" .. secret)

function done(summary, latency, requests)
  io.write(string.format("RESULT tokens_per_s=%.1f p50_ms=%.1f p99_ms=%.1f requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
