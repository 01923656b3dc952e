-- wrk script for benches/serve-load.sh: POSTs AdmissionReviews to
-- /validate, alternating an allowed object and a denied one, and (with
-- DELAY_MS) paces each connection so the offered rate is fixed rather
-- than "as fast as the server answers". With JITTER=1 each pause is drawn
-- uniformly from 0 to 2 x DELAY_MS (same mean): connections that all pause
-- exactly DELAY_MS stay in step and hit the server in bursts of 64, which
-- no API server does.

local function slurp(path)
  local file = assert(io.open(path, "rb"), "cannot open " .. path)
  local text = file:read("*a")
  file:close()
  return text
end

local allowed = slurp(os.getenv("ALLOWED_BODY"))
local denied = slurp(os.getenv("DENIED_BODY"))
local pause = tonumber(os.getenv("DELAY_MS") or "0")
local jitter = os.getenv("JITTER") == "1"

-- Each wrk thread has its own Lua state: give each its own random sequence.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("seed", threads)
end
init = function(args)
  math.randomseed(os.time() * 100 + (seed or 0))
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local sent = 0
local bad = 0

request = function()
  sent = sent + 1
  if sent % 2 == 0 then
    return wrk.format(nil, "/validate", nil, allowed)
  end
  return wrk.format(nil, "/validate", nil, denied)
end

if pause > 0 then
  delay = function()
    if jitter then
      return math.random(0, 2 * pause)
    end
    return pause
  end
end

-- Any status but 200 is an error of the run (wrk counts only >= 400 by itself
-- in "Non-2xx or 3xx responses"; this makes the check explicit).
response = function(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
  end
end
