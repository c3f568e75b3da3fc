-- Authenticated member traffic for bench/load.
-- Arguments (after `--`): TOKENS_FILE MODE, MODE one of
--   profile  GET /api/v1/me/profile
--   matches  GET /api/v1/me/matches
--   patch    PATCH /api/v1/me/profile (a new learning goal)
--   mix      5 profile : 4 matches : 1 patch, as members use the app
--   healthz  GET /healthz (no token, no database): the HTTP stack's ceiling
-- Each token is a different account: the server limits logins per account,
-- and many accounts spread the load over rows as real members do.

local tokens = {}
local mode = "profile"
local n = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  assert(#tokens > 0, "no tokens in " .. tostring(args[1]))
  mode = args[2] or mode
  -- Threads start at different accounts.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  n = math.random(#tokens)
end

local function get(path, token)
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end

local function patch(token)
  local body = string.format('{"learning_goal":"Belastbaarheid beter leren inschatten (%d)."}', n % 1000)
  return wrk.format("PATCH", "/api/v1/me/profile", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end

function request()
  n = n + 1
  if mode == "healthz" then return wrk.format("GET", "/healthz") end
  local token = tokens[(n % #tokens) + 1]
  if mode == "profile" then return get("/api/v1/me/profile", token) end
  if mode == "matches" then return get("/api/v1/me/matches", token) end
  if mode == "patch" then return patch(token) end
  local r = n % 10
  if r < 5 then return get("/api/v1/me/profile", token) end
  if r < 9 then return get("/api/v1/me/matches", token) end
  return patch(token)
end
