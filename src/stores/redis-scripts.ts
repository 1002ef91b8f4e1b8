/**
 * Lua scripts of the Redis state store. Each runs atomically inside Redis, so any number of
 * processes can share one prefix. Layout under the prefix P:
 *   P:rec                 hash id -> JSON record {set, attempts, depth, updatedAt, enqueuedAt?, reason?,
 *                         owner?, leaseExpiresAt?} (older records: one-letter names, read too)
 *   P:set:<name>          sorted set per ID set; score = order (a counter) or, for leased, the expiry
 *   P:owner:<owner>       set of IDs leased by one owner
 *   P:due                 sorted set of scheduled IDs (done / notfound) scored by their due time;
 *                         the record keeps `dueAt` too
 *   P:seq / P:front       counters for tail and head positions
 *   P:meta                hash of metadata; P:workers + P:worker:<id> heartbeats
 * The prefix arrives as ARGV[1]; scripts build key names from it (single Redis, not Cluster).
 */

export const COMMON = `
local P = ARGV[1]
local function setkey(name) return P .. ':set:' .. name end
local function ownerkey(owner) return P .. ':owner:' .. owner end
local function getrec(id)
  local raw = redis.call('HGET', P .. ':rec', id)
  if not raw then return nil end
  local rec = cjson.decode(raw)
  -- Written before the fields had names (csdn-crawl state format 1): read it under today's names.
  if rec.s then
    return { set = rec.s, attempts = rec.a, depth = rec.d, updatedAt = rec.u, enqueuedAt = rec.e,
      reason = rec.r, owner = rec.o, leaseExpiresAt = rec.x }
  end
  return rec
end
local function putrec(id, rec) redis.call('HSET', P .. ':rec', id, cjson.encode(rec)) end
local function tail() return redis.call('INCR', P .. ':seq') end
local function head() return redis.call('DECR', P .. ':front') end
local function leave(id, rec)
  redis.call('ZREM', setkey(rec.set), id)
  if rec.set == 'leased' and rec.owner then redis.call('SREM', ownerkey(rec.owner), id) end
  -- Leaving done or notfound in any way unschedules the ID.
  if rec.dueAt then redis.call('ZREM', P .. ':due', id) end
  rec.owner = nil
  rec.leaseExpiresAt = nil
  rec.dueAt = nil
end
`;

/** ARGV: prefix, to, depth, recrawl (0/1), now, ids... -> number added */
export const ADD = `${COMMON}
local to, depth, recrawl, now = ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1', tonumber(ARGV[5])
local added = 0
for i = 6, #ARGV do
  local id = ARGV[i]
  local rec = getrec(id)
  local final = rec and (rec.set == 'done' or rec.set == 'notfound' or rec.set == 'failed')
  if not rec or (recrawl and final) then
    if rec then leave(id, rec) end
    local fresh = { set = to, attempts = 0, depth = rec and rec.depth or depth, updatedAt = now }
    if to == 'pending' then fresh.enqueuedAt = now end
    redis.call('ZADD', setkey(to), tail(), id)
    putrec(id, fresh)
    added = added + 1
  end
end
return added
`;

/** Pops up to n IDs from the front of one set to the tail of pending; `fresh(rec)` resets what moving resets. */
const TO_PENDING = `
local function to_pending(from, n, now, fresh)
  local items = redis.call('ZPOPMIN', setkey(from), n)
  local moved = 0
  for i = 1, #items, 2 do
    local id = items[i]
    local rec = getrec(id)
    if rec then
      fresh(rec)
      if rec.dueAt then redis.call('ZREM', P .. ':due', id) end
      rec.dueAt = nil
      rec.refresh = nil
      rec.set = 'pending'
      rec.enqueuedAt = now
      rec.updatedAt = now
      redis.call('ZADD', setkey('pending'), tail(), id)
      putrec(id, rec)
      moved = moved + 1
    end
  end
  return moved
end
`;

/** ARGV: prefix, n, now -> number promoted */
export const PROMOTE = `${COMMON}${TO_PENDING}
return to_pending('backlog', tonumber(ARGV[2]), tonumber(ARGV[3]), function(rec) end)
`;

/**
 * ARGV: prefix, owner, n, now, leaseMs, dueNow ('' = no due IDs)
 * -> flat list: id, attemptsBefore, enqueuedAt, depth, expiresAt, refresh (0/1)
 */
export const CLAIM = `${COMMON}
local owner, n, now, leaseMs = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local dueNow = tonumber(ARGV[6])
local expires = now + leaseMs
local out = {}
local function take(id, rec)
  local before = rec.attempts
  if rec.set == 'leased' and rec.owner then redis.call('SREM', ownerkey(rec.owner), id) end
  rec.set = 'leased'
  rec.attempts = before + 1
  rec.owner = owner
  rec.leaseExpiresAt = expires
  rec.updatedAt = now
  if not rec.enqueuedAt then rec.enqueuedAt = now end
  redis.call('ZADD', setkey('leased'), expires, id)
  redis.call('SADD', ownerkey(owner), id)
  putrec(id, rec)
  out[#out + 1] = id
  out[#out + 1] = before
  out[#out + 1] = rec.enqueuedAt
  out[#out + 1] = rec.depth
  out[#out + 1] = expires
  out[#out + 1] = rec.refresh and 1 or 0
end
local expired = redis.call('ZRANGEBYSCORE', setkey('leased'), '-inf', now, 'LIMIT', 0, n)
for _, id in ipairs(expired) do
  local rec = getrec(id)
  if rec and rec.set == 'leased' then take(id, rec) else redis.call('ZREM', setkey('leased'), id) end
end
local want = n - #out / 6
while want > 0 do
  local items = redis.call('ZPOPMIN', setkey('pending'), want)
  if #items == 0 then break end
  for i = 1, #items, 2 do
    local id = items[i]
    local rec = getrec(id)
    if rec and rec.set == 'pending' then
      take(id, rec)
      want = want - 1
    end
  end
end
-- Then refreshes that are due, earliest first: leased as a new request to crawl (enqueuedAt = dueAt).
while dueNow and want > 0 do
  local ids = redis.call('ZRANGEBYSCORE', P .. ':due', '-inf', ARGV[6], 'LIMIT', 0, want)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    local rec = getrec(id)
    if rec and (rec.set == 'done' or rec.set == 'notfound') and rec.dueAt then
      local dueAt = rec.dueAt
      leave(id, rec)
      rec.attempts = 0
      rec.enqueuedAt = dueAt
      rec.refresh = true
      take(id, rec)
      want = want - 1
    else
      redis.call('ZREM', P .. ':due', id)
    end
  end
end
return out
`;

/** ARGV: prefix, owner, now, leaseMs, ids... */
export const RENEW = `${COMMON}
local owner, now, leaseMs = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
for i = 5, #ARGV do
  local id = ARGV[i]
  local rec = getrec(id)
  if rec and rec.set == 'leased' and rec.owner == owner then
    rec.leaseExpiresAt = now + leaseMs
    rec.updatedAt = now
    redis.call('ZADD', setkey('leased'), rec.leaseExpiresAt, id)
    putrec(id, rec)
  end
end
return 0
`;

/**
 * ARGV: prefix, now, then groups of 5: owner, id, outcome, reason ('' = none), dueAt ('' = none)
 * -> list of 0/1
 */
export const COMPLETE = `${COMMON}
local now = tonumber(ARGV[2])
local out = {}
for i = 3, #ARGV, 5 do
  local owner, id, outcome, reason, dueAt = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local rec = getrec(id)
  if rec and rec.set == 'leased' and rec.owner == owner then
    leave(id, rec)
    rec.set = outcome
    rec.updatedAt = now
    if reason ~= '' then rec.reason = reason else rec.reason = nil end
    rec.refresh = nil
    if dueAt ~= '' and outcome ~= 'failed' then
      rec.dueAt = tonumber(dueAt)
      redis.call('ZADD', P .. ':due', dueAt, id)
    end
    redis.call('ZADD', setkey(outcome), tail(), id)
    putrec(id, rec)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
`;

const RELEASE_HELD = `
local function requeue(ids, now)
  -- Walk backwards so the first ID ends up first in pending.
  for i = #ids, 1, -1 do
    local id = ids[i]
    local rec = getrec(id)
    leave(id, rec)
    rec.set = 'pending'
    -- Still the same request to crawl it: enqueuedAt stays, so a result stored since answers it.
    if not rec.enqueuedAt then rec.enqueuedAt = now end
    rec.updatedAt = now
    redis.call('ZADD', setkey('pending'), head(), id)
    putrec(id, rec)
  end
end
`;

/** ARGV: prefix, owner, now, ids... -> number released */
export const RELEASE = `${COMMON}${RELEASE_HELD}
local owner, now = ARGV[2], tonumber(ARGV[3])
local held = {}
local seen = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  local rec = getrec(id)
  if not seen[id] and rec and rec.set == 'leased' and rec.owner == owner then held[#held + 1] = id end
  seen[id] = true
end
requeue(held, now)
return #held
`;

/** ARGV: prefix, owner, now -> number released */
export const RELEASE_OWNER = `${COMMON}${RELEASE_HELD}
local owner, now = ARGV[2], tonumber(ARGV[3])
local members = redis.call('SMEMBERS', ownerkey(owner))
local held = {}
for _, id in ipairs(members) do
  local rec = getrec(id)
  if rec and rec.set == 'leased' and rec.owner == owner then held[#held + 1] = id end
end
-- Keep the order in which they were leased, as far as the expiry tells.
local score = {}
for _, id in ipairs(held) do score[id] = tonumber(redis.call('ZSCORE', setkey('leased'), id)) or 0 end
table.sort(held, function(a, b)
  if score[a] == score[b] then return a < b end
  return score[a] < score[b]
end)
requeue(held, now)
redis.call('DEL', ownerkey(owner))
return #held
`;

/** ARGV: prefix, n, now, from ('failed' | 'notfound') -> number moved (call until it returns less than n) */
export const RETRY_FAILED = `${COMMON}${TO_PENDING}
local from = ARGV[4] == 'notfound' and 'notfound' or 'failed'
return to_pending(from, tonumber(ARGV[2]), tonumber(ARGV[3]), function(rec)
  rec.attempts = 0
  rec.reason = nil
end)
`;

/** ARGV: prefix -> six ZCARDs in ID_SETS order */
export const COUNTS = `${COMMON}
local out = {}
for _, name in ipairs({ 'backlog', 'pending', 'leased', 'done', 'notfound', 'failed' }) do
  out[#out + 1] = redis.call('ZCARD', setkey(name))
end
return out
`;

/**
 * ARGV: prefix, now, now + 1 h, now + 24 h -> dueNow, nextHour, nextDay, later, nextDueAt ('' = none).
 * ZCOUNTs: O(log N), whatever the number of IDs.
 */
export const DUE_SUMMARY = `${COMMON}
local key = P .. ':due'
local now, hour, day = ARGV[2], ARGV[3], ARGV[4]
local nextDue = redis.call('ZRANGEBYSCORE', key, '(' .. now, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
return {
  redis.call('ZCOUNT', key, '-inf', now),
  redis.call('ZCOUNT', key, '(' .. now, hour),
  redis.call('ZCOUNT', key, '(' .. hour, day),
  redis.call('ZCOUNT', key, '(' .. day, '+inf'),
  nextDue[2] or '',
}
`;

/** ARGV: prefix, set, limit, after ('' = from the start) -> flat list: id, record JSON */
export const LIST = `${COMMON}
local name, limit, after = ARGV[2], tonumber(ARGV[3]), ARGV[4]
local start = 0
if after ~= '' then
  local rank = redis.call('ZRANK', setkey(name), after)
  if not rank then return {} end
  start = rank + 1
end
if limit <= 0 then return {} end
local ids = redis.call('ZRANGE', setkey(name), start, start + limit - 1)
local out = {}
for _, id in ipairs(ids) do
  local raw = redis.call('HGET', P .. ':rec', id)
  if raw then
    out[#out + 1] = id
    out[#out + 1] = raw
  end
end
return out
`;

/** Every script above by the name the store calls it with. */
export const QUEUE_SCRIPTS = {
  ADD,
  CLAIM,
  COMPLETE,
  COUNTS,
  DUE_SUMMARY,
  LIST,
  PROMOTE,
  RELEASE,
  RELEASE_OWNER,
  RENEW,
  RETRY_FAILED,
};
