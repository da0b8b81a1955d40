namespace Allos.Storage.Redis;

/// <summary>
/// The Lua scripts of <see cref="RedisSharedLimits"/>: each runs atomically in Redis, so one script call does what one
/// <c>allos_reserve</c> transaction does in PostgreSQL, with the same checks in the same order and the same answers.
/// </summary>
/// <remarks>
/// <para>
/// Every key starts with <see cref="Prefix"/>, written <c>{allos}:</c> below; its hash tag keeps all of one database's keys
/// in one slot. Per account
/// (<c>kind:id</c>): a hash <c>{allos}:a:…</c> with its limits and spend as the database last held them (<c>seeded</c>,
/// <c>state</c> yes|skip|gone, <c>budget</c>, <c>reset</c>, <c>spend</c>, <c>rpm</c>, <c>tpm</c>, <c>par</c>), the live
/// <c>held</c> (nanos reserved) and <c>busy</c> (requests in flight), and <c>settles</c> (a count, so a seed can tell
/// whether a settle ran while it read the database); a hash <c>{allos}:w:…</c> of the rate window, fields
/// <c>r&lt;second&gt;</c> and <c>t&lt;second&gt;</c>. Per lease a hash <c>{allos}:l:&lt;id&gt;</c>; per instance a sorted
/// set of its leases <c>{allos}:li:&lt;instance&gt;</c> and a key <c>{allos}:i:&lt;instance&gt;</c> that lives while it beats.
/// </para>
/// <para>Amounts are integer nanodollars; Lua compares them as doubles, exact up to 2^53 (about 9 million dollars).</para>
/// </remarks>
internal static class RedisLimitScripts
{
    /// <summary>The prefix of every key of one database's limits: its hash tag names the database, so several share one Redis.</summary>
    public static string Prefix(string database) => "{allos:" + database + "}:";

    /// <summary>
    /// KEYS: the instance's lease set, the lease, the set of instances, the instance's alive key, then each account's hash
    /// and window in lock order. ARGV: now (ms), amount (nanos), tokens, lease id, instance, the oldest seed to trust (ms),
    /// the accounts (for reclaim), the instance timeout (ms), the requests held (1 for a call, more for a block).
    /// Returns {0} when reserved; {-1, settles of each account} when an account must be seeded from the database first; otherwise
    /// {i, reason, in flight, spent, reserved, reset at or -1, retry after ms or -1}.
    /// </summary>
    public const string Reserve = """
        local now = tonumber(ARGV[1])
        local amount = tonumber(ARGV[2])
        local tokens = tonumber(ARGV[3])
        local max_age = tonumber(ARGV[6])
        local req = tonumber(ARGV[9])
        local n = (#KEYS - 4) / 2
        local sec = math.floor(now / 1000)
        local counted = {}
        for i = 1, n do
          local a = KEYS[3 + 2 * i]
          local w = KEYS[4 + 2 * i]
          local h = redis.call('HMGET', a, 'seeded', 'state', 'budget', 'reset', 'spend', 'held', 'busy', 'rpm', 'tpm', 'par', 'settles')
          local seeded = tonumber(h[1])
          local reset = tonumber(h[4])
          if seeded == nil or now - seeded > max_age or (reset ~= nil and reset <= now) then
            local stale = {-1}
            for j = 1, n do
              table.insert(stale, tonumber(redis.call('HGET', KEYS[3 + 2 * j], 'settles')) or 0)
            end
            return stale
          end
          if h[2] == 'gone' then
            return {i, 'gone', 0, 0, 0, -1, -1}
          end
          counted[i] = '0'
          if h[2] == 'yes' then
            local spend = tonumber(h[5]) or 0
            local held = tonumber(h[6]) or 0
            local busy = tonumber(h[7]) or 0
            local budget = tonumber(h[3])
            local rpm = tonumber(h[8])
            local tpm = tonumber(h[9])
            local par = tonumber(h[10])
            local reset_out = reset or -1
            if par ~= nil and busy + req > par then
              return {i, 'parallel', busy, spend, held, reset_out, 1000}
            end
            if budget ~= nil and (spend + held >= budget or spend + held + amount > budget) then
              -- Only calls in flight stand in the way when the call fits beside what is spent: retry in a second.
              local retry = -1
              if spend < budget and spend + amount <= budget then retry = 1000 elseif reset ~= nil then retry = reset - now end
              return {i, 'budget', busy, spend, held, reset_out, retry}
            end
            counted[i] = '1'
            if rpm ~= nil or tpm ~= nil then
              -- 61 whole seconds, this one included: never more than the limit in any 60 seconds.
              local fields = redis.call('HGETALL', w)
              local requests, used, oldest = 0, 0, nil
              for j = 1, #fields, 2 do
                local f = fields[j]
                local s = tonumber(string.sub(f, 2))
                if s < sec - 60 then
                  redis.call('HDEL', w, f)
                elseif string.sub(f, 1, 1) == 'r' then
                  requests = requests + tonumber(fields[j + 1])
                  if oldest == nil or s < oldest then oldest = s end
                else
                  used = used + tonumber(fields[j + 1])
                end
              end
              -- A call whose estimate alone exceeds the tpm is admitted into an empty window, as in one process.
              if (rpm ~= nil and requests + req > rpm) or (tpm ~= nil and used > 0 and used + tokens > tpm) then
                return {i, 'rate', busy, spend, held, reset_out, math.max(1000, ((oldest or sec) + 61) * 1000 - now)}
              end
              counted[i] = '2'
            end
          end
        end
        for i = 1, n do
          if counted[i] ~= '0' then
            local a = KEYS[3 + 2 * i]
            redis.call('HINCRBY', a, 'busy', req)
            redis.call('HINCRBY', a, 'held', amount)
            if counted[i] == '2' then
              local w = KEYS[4 + 2 * i]
              redis.call('HINCRBY', w, 'r' .. sec, req)
              redis.call('HINCRBY', w, 't' .. sec, tokens)
              redis.call('PEXPIRE', w, 125000)
            end
          end
        end
        redis.call('HSET', KEYS[2], 'inst', ARGV[5], 'created', now, 'sec', sec, 'amount', amount, 'tokens', tokens,
          'flags', table.concat(counted), 'accounts', ARGV[7], 'req', req)
        redis.call('ZADD', KEYS[1], now, ARGV[4])
        redis.call('SADD', KEYS[3], ARGV[5])
        -- A Redis restarted empty has no alive key for this instance until its next beat: without one here, another
        -- instance's beat would take over (and charge) this live reservation.
        redis.call('SET', KEYS[4], now, 'PX', ARGV[8])
        return {0}
        """;

    /// <summary>
    /// KEYS: the account's hash. ARGV: the settle count the reservation saw, now, state (yes|skip|gone), budget, reset,
    /// spend, rpm, tpm, parallel (-1 for none). When a settle ran meanwhile, its charge may be missing from the spend read,
    /// so the larger of the two is kept (the next seed, a second later, corrects an overcount).
    /// </summary>
    public const string Seed = """
        local current = redis.call('HMGET', KEYS[1], 'settles', 'spend')
        local spend = tonumber(ARGV[6])
        if (tonumber(current[1]) or 0) ~= tonumber(ARGV[1]) and tonumber(current[2]) ~= nil then
          spend = math.max(spend, tonumber(current[2]))
        end
        redis.call('HSET', KEYS[1], 'seeded', ARGV[2], 'state', ARGV[3], 'spend', spend)
        local fields = {budget = 4, reset = 5, rpm = 7, tpm = 8, par = 9}
        for name, at in pairs(fields) do
          if ARGV[at] == '-1' then redis.call('HDEL', KEYS[1], name) else redis.call('HSET', KEYS[1], name, ARGV[at]) end
        end
        return 1
        """;

    /// <summary>
    /// Settles a batch of leases in one call. ARGV: the key prefix, then per lease its id, actual cost (nanos), actual
    /// tokens, requests used (of those it holds; the others leave the window) and number of accounts n. KEYS: per lease,
    /// the lease, then each of its n accounts' hash and window as reserved. Gives back each lease's requests and budget and charges its actual cost; a lease already gone (settled,
    /// taken over, or lost with Redis's data) changes nothing, so a batch can be sent again. Returns how many were settled.
    /// </summary>
    public const string Settle = """
        local k = 1
        local settled = 0
        for a = 2, #ARGV, 5 do
          local n = tonumber(ARGV[a + 4])
          local l = redis.call('HMGET', KEYS[k], 'sec', 'amount', 'tokens', 'flags', 'inst', 'req')
          if l[1] then
            local amount = tonumber(l[2])
            local delta = tonumber(ARGV[a + 2]) - tonumber(l[3])
            local req = tonumber(l[6]) or 1
            local unused = math.min(tonumber(ARGV[a + 3]), req) - req
            for i = 1, n do
              local f = string.sub(l[4], i, i)
              if f == '1' or f == '2' then
                local acct = KEYS[k + 2 * i - 1]
                redis.call('HINCRBY', acct, 'busy', -req)
                -- 0 - amount, not -amount: Lua's -0 reaches Redis as "-0", which HINCRBY refuses (a call with no price).
                redis.call('HINCRBY', acct, 'held', 0 - amount)
                redis.call('HINCRBY', acct, 'spend', ARGV[a + 1])
                redis.call('HINCRBY', acct, 'settles', 1)
                local w = KEYS[k + 2 * i]
                if f == '2' and delta ~= 0 and redis.call('HEXISTS', w, 't' .. l[1]) == 1 then
                  redis.call('HINCRBY', w, 't' .. l[1], delta)
                end
                if f == '2' and unused ~= 0 and redis.call('HEXISTS', w, 'r' .. l[1]) == 1 then
                  redis.call('HINCRBY', w, 'r' .. l[1], unused)
                end
              end
            end
            redis.call('DEL', KEYS[k])
            redis.call('ZREM', ARGV[1] .. 'li:' .. l[5], ARGV[a])
            settled = settled + 1
          end
          k = k + 1 + 2 * n
        end
        return settled
        """;

    /// <summary>
    /// KEYS: the set of instances, this instance's alive key, this instance's lease set. ARGV: now, timeout (ms), this
    /// instance, the key prefix. Marks this instance alive, then takes over the leases of every instance whose alive key has expired and
    /// returns them as {id, amount, tokens, accounts, requests, ...} for this instance to settle at their estimates.
    /// </summary>
    public const string Beat = """
        local now = tonumber(ARGV[1])
        redis.call('SET', KEYS[2], now, 'PX', ARGV[2])
        redis.call('SADD', KEYS[1], ARGV[3])
        local out = {}
        for _, inst in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          if inst ~= ARGV[3] and redis.call('EXISTS', ARGV[4] .. 'i:' .. inst) == 0 then
            local set = ARGV[4] .. 'li:' .. inst
            local ids = redis.call('ZRANGE', set, 0, 999)
            for _, id in ipairs(ids) do
              local lk = ARGV[4] .. 'l:' .. id
              local l = redis.call('HMGET', lk, 'amount', 'tokens', 'accounts', 'req')
              if l[1] then
                redis.call('HSET', lk, 'inst', ARGV[3])
                redis.call('ZADD', KEYS[3], now, id)
                table.insert(out, id)
                table.insert(out, l[1])
                table.insert(out, l[2])
                table.insert(out, l[3])
                table.insert(out, l[4] or '1')
              end
              redis.call('ZREM', set, id)
            end
            if redis.call('ZCARD', set) == 0 then redis.call('SREM', KEYS[1], inst) end
          end
        end
        return out
        """;
}
