using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Threading.Channels;
using Allos.Storage.Limits;
using Allos.Storage.Postgres;
using Npgsql;
using StackExchange.Redis;

namespace Allos.Storage.Redis;

/// <summary>
/// The shared limits with Redis in front of PostgreSQL: a reservation is one Lua script in Redis (<see
/// cref="RedisLimitScripts.Reserve"/>) instead of a transaction locking the accounts' rows; a settle charges the database
/// first, then gives the reservation back in Redis. The checks, their order and their answers are those of
/// <see cref="PostgresSharedLimits"/>.
/// </summary>
/// <remarks>
/// <para>
/// The database stays the record of spend and limits. Redis holds each account's limits and spend as read from it (read
/// again once the copy is older than a second, or when a budget period ends), plus the live counters: budget reserved,
/// requests in flight, the rate window. A call's reservation is held in Redis until its cost is in the database, so
/// Redis never believes in less spend than the database has taken; a settle that runs while a copy is read may be counted
/// twice until the next read (an overcount, never an undercount, for at most a second).
/// </para>
/// <para>
/// Redis unreachable: with <see cref="RedisFailureMode.FailOpen"/> reservations go to the database's own counters (the
/// calls Redis admitted that are still in flight are not counted there: the bound is what was in flight when it went);
/// with <see cref="RedisFailureMode.FailClosed"/> they fail with <see cref="StoreUnavailableException"/>. Either way
/// settles keep charging the database, and the instance goes back to Redis as soon as it answers. Redis restarted empty
/// forgets its windows and reservations: calls then in flight are not counted again, and an RPM window starts over.
/// </para>
/// <para>
/// A crashed instance's reservations are taken over by the others once its key in Redis expires
/// (<see cref="PostgresStoreOptions.InstanceTimeout"/>) and charged at their estimates, as the database does.
/// </para>
/// </remarks>
internal sealed partial class RedisSharedLimits : ISharedLimits
{
    private const int SettleBatch = 256;

    /// <summary>A copy of an account older than this is read from the database again: how soon a change there binds.</summary>
    private const long SeedAgeMs = 1000;

    /// <summary>How long reservations skip Redis after it failed one (timed out, or dropped the connection).</summary>
    private const long RetryRedisMs = 1000;

    private readonly PostgresDatabase _database;
    private readonly PostgresSharedLimits _fallback;
    private readonly ConnectionMultiplexer _redis;
    private readonly string _server;
    private readonly RedisFailureMode _onFailure;
    private readonly TimeSpan _heartbeat;
    private readonly TimeSpan _timeout;
    private readonly string _instance;
    private readonly string _prefix;
    private readonly RedisKey _instances;
    private readonly RedisKey _leaseSet;
    private readonly RedisKey _alive;
    private readonly ConcurrentDictionary<Guid, LimitAccount[]> _held = new();
    private readonly ConcurrentDictionary<Guid, byte> _viaDatabase = new();
    private readonly Channel<Settlement> _settles = Channel.CreateUnbounded<Settlement>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly SettleProgress _progress = new();
    private readonly Task _writer;
    private readonly Task _beating;
    private long _retryRedisAt;
    private long _rereadUntil;

    public RedisSharedLimits(PostgresDatabase database, PostgresSharedLimits fallback, RedisOptions options, PostgresStoreOptions storeOptions)
    {
        _database = database;
        _fallback = fallback;
        _onFailure = options.OnFailure;
        _heartbeat = storeOptions.InstanceHeartbeat;
        _timeout = storeOptions.InstanceTimeout;
        ConfigurationOptions configuration = RedisEndpoint.Parse(options.Url, out _server);
        // Returns at once when Redis is down (AbortOnConnectFail is off) and keeps reconnecting in the background.
        _redis = ConnectionMultiplexer.Connect(configuration);
        _instance = fallback.Instance;
        _prefix = RedisLimitScripts.Prefix(database.Server);
        _instances = _prefix + "insts";
        _leaseSet = _prefix + "li:" + _instance;
        _alive = _prefix + "i:" + _instance;
        _writer = Task.Run(WriteSettlesAsync);
        _beating = Task.Run(BeatAsync);
    }

    /// <summary>Gets this instance's name, as its reservations and its alive key in Redis carry it.</summary>
    internal string Instance => _instance;

    /// <summary>Gets the Redis server as host:port (never a password).</summary>
    public string Server => _server;

    public ValueTask<LimitOutcome> ReserveAsync(IReadOnlyList<LimitAccount> accounts, decimal amount, long tokens, CancellationToken cancellationToken) =>
        ReserveAsync(accounts, amount, tokens, 1, cancellationToken);

    public async ValueTask<LimitOutcome> ReserveAsync(IReadOnlyList<LimitAccount> accounts, decimal amount, long tokens, int requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentOutOfRangeException.ThrowIfLessThan(requests, 1);
        long now = Environment.TickCount64;
        Guid? attempted = null;
        if (_redis.IsConnected && now >= Volatile.Read(ref _retryRedisAt))
        {
            try
            {
                // Back from the database's counters: Redis's copies missed what was charged there, so for a second every
                // reservation reads its accounts again.
                bool reread = now < Volatile.Read(ref _rereadUntil);
                attempted = Guid.CreateVersion7();
                return await ReserveInRedisAsync(attempted.Value, accounts, PostgresDatabase.ToNanos(amount) ?? 0, tokens, requests, reread, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsRedisAway(ex))
            {
                // The script may have run and only its answer been lost: give the reservation back once Redis answers
                // (a lease it never made is a no-op), or it would hold the account's budget and requests for good.
                Enqueue(new Settlement(attempted!.Value, [.. accounts], 0, tokens, requests, Counted: false));
                // A Redis that hangs rather than drops keeps the connection up: without this, every request would wait
                // out the timeout. The next one after a second tries it again.
                Volatile.Write(ref _retryRedisAt, Environment.TickCount64 + RetryRedisMs);
                if (_onFailure == RedisFailureMode.FailClosed)
                {
                    throw Unavailable(ex);
                }
            }
        }
        else if (_onFailure == RedisFailureMode.FailClosed)
        {
            throw Unavailable(null);
        }

        Volatile.Write(ref _rereadUntil, Math.Max(Volatile.Read(ref _retryRedisAt), now) + SeedAgeMs);
        LimitOutcome outcome = await _fallback.ReserveAsync(accounts, amount, tokens, requests, cancellationToken).ConfigureAwait(false);
        if (outcome.Lease is { } lease)
        {
            _viaDatabase[lease] = 0;
        }

        return outcome;
    }

    public void Settle(Guid lease, decimal actual, long tokens) => Settle(lease, actual, tokens, 1);

    public void Settle(Guid lease, decimal actual, long tokens, int calls)
    {
        if (_viaDatabase.TryRemove(lease, out _))
        {
            _fallback.Settle(lease, actual, tokens, calls);
        }
        else if (_held.TryRemove(lease, out LimitAccount[]? accounts))
        {
            Enqueue(new Settlement(lease, accounts, PostgresDatabase.ToNanos(actual) ?? 0, tokens, calls));
        }
    }

    public bool SettlesPending => _progress.Pending || _fallback.SettlesPending;

    public Task FlushAsync() => Task.WhenAll(_progress.FlushAsync(), _fallback.FlushAsync());

    /// <summary>
    /// Drops Redis's copy of an account's limits and spend after a change to them is committed, so the next reservation
    /// through any instance reads them again. With Redis away there is no copy in use (and a copy left older than a
    /// second is read again anyway).
    /// </summary>
    public async Task ForgetAsync(LimitAccount account)
    {
        try
        {
            await _redis.GetDatabase().HashDeleteAsync(AccountKey(account), "seeded").ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedisAway(ex))
        {
        }
    }

    /// <summary>Marks this instance alive in Redis and takes over the reservations of instances that stopped beating.</summary>
    /// <returns>How many reservations were taken over (they are settled at their estimates off this call).</returns>
    internal async Task<int> BeatOnceAsync()
    {
        RedisResult result = await _redis.GetDatabase().ScriptEvaluateAsync(RedisLimitScripts.Beat,
            [_instances, _alive, _leaseSet],
            [_database.NowMs, (long)_timeout.TotalMilliseconds, _instance, _prefix]).ConfigureAwait(false);
        var taken = (RedisResult[])result!;
        for (int i = 0; i + 4 < taken.Length; i += 5)
        {
            // A block's requests all stay counted: how many it admitted died with its instance.
            Guid lease = Guid.ParseExact((string)taken[i]!, "N");
            var requests = (int)(long)taken[i + 4];
            Enqueue(new Settlement(lease, Decode((string)taken[i + 3]!), (long)taken[i + 1], (long)taken[i + 2], requests));
        }

        return taken.Length / 5;
    }

    public async ValueTask DisposeAsync()
    {
        await LimitWorkers.StopAsync(_settles.Writer, _writer, _beating, _stopping).ConfigureAwait(false);
        try
        {
            // Gone on purpose: reservations still held here are taken over by the others at their next beat.
            await _redis.GetDatabase().KeyDeleteAsync(_alive).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedisAway(ex))
        {
        }

        await _fallback.DisposeAsync().ConfigureAwait(false);
        await _redis.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task<LimitOutcome> ReserveInRedisAsync(Guid lease, IReadOnlyList<LimitAccount> accounts, long amount, long tokens, int requests, bool reread, CancellationToken cancellationToken)
    {
        var keys = new RedisKey[4 + (2 * accounts.Count)];
        keys[0] = _leaseSet;
        keys[1] = LeaseKey(lease);
        keys[2] = _instances;
        keys[3] = _alive;
        for (int i = 0; i < accounts.Count; i++)
        {
            keys[4 + (2 * i)] = AccountKey(accounts[i]);
            keys[5 + (2 * i)] = WindowKey(accounts[i]);
        }

        IDatabase redis = _redis.GetDatabase();
        StoreUnavailableException? databaseAway = null;
        for (int attempt = 0; attempt < 4; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // With the database away, the copies Redis has are trusted however old: only an account never read, or whose
            // budget period has ended, needs the database then.
            long maxAge = databaseAway is not null ? long.MaxValue / 2 : reread && attempt == 0 ? -1 : SeedAgeMs;
            RedisValue[] args = [_database.NowMs, amount, tokens, lease.ToString("N"), _instance, maxAge, Encode(accounts), (long)_timeout.TotalMilliseconds, requests];
            var reply = (RedisResult[])(await redis.ScriptEvaluateAsync(RedisLimitScripts.Reserve, keys, args).ConfigureAwait(false))!;
            long code = (long)reply[0];
            if (code == 0)
            {
                _held[lease] = [.. accounts];
                return LimitOutcome.Admitted(lease);
            }

            if (code > 0)
            {
                return Refused(reply);
            }

            if (databaseAway is not null)
            {
                throw databaseAway;
            }

            try
            {
                await SeedAsync(redis, accounts, reply, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreUnavailableException ex)
            {
                databaseAway = ex;
            }
        }

        throw new InvalidOperationException("Redis asked for the accounts' limits to be read again after each read; is another program writing the {allos:…}: keys?");
    }

    /// <summary>Reads the accounts' limits and spend from the database (starting due budget periods) and copies them into Redis.</summary>
    private async Task SeedAsync(IDatabase redis, IReadOnlyList<LimitAccount> accounts, RedisResult[] settles, CancellationToken cancellationToken)
    {
        (string[] kinds, string[] ids) = LimitAccount.Columns(accounts);
        long now = _database.NowMs;
        var seeds = new List<Task>(accounts.Count);
        try
        {
            using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            using NpgsqlCommand command = PostgresDatabase.Command(connection, null,
                "SELECT present, budget, reset_at, spend, rpm, tpm, parallel FROM allos_limit_state(@now, @kinds, @ids);");
            command.Parameters.Long("now", now).TextArray("kinds", kinds).TextArray("ids", ids);
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < accounts.Count && await reader.ReadAsync(cancellationToken).ConfigureAwait(false); i++)
            {
                bool present = reader.GetBoolean(0);
                string state = present ? "yes" : accounts[i].Kind == LimitAccountKind.Key ? "gone" : "skip";
                RedisValue[] args =
                [
                    (long)settles[1 + i], now, state, reader.LongOrNull(1) ?? -1, reader.LongOrNull(2) ?? -1, reader.GetInt64(3),
                    reader.IsDBNull(4) ? -1 : reader.GetInt32(4), reader.IsDBNull(5) ? -1 : reader.GetInt32(5), reader.IsDBNull(6) ? -1 : reader.GetInt32(6),
                ];
                seeds.Add(redis.ScriptEvaluateAsync(RedisLimitScripts.Seed, [AccountKey(accounts[i])], args));
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            throw PostgresStore.Unavailable(_database.Server, ex);
        }

        await Task.WhenAll(seeds).ConfigureAwait(false);
    }

    private static LimitOutcome Refused(RedisResult[] reply)
    {
        long reset = (long)reply[5];
        long retry = (long)reply[6];
        return new LimitOutcome
        {
            Account = (int)(long)reply[0] - 1,
            Refusal = (string)reply[1]! switch
            {
                "parallel" => LimitRefusal.Parallel,
                "budget" => LimitRefusal.Budget,
                "rate" => LimitRefusal.Rate,
                _ => LimitRefusal.Gone,
            },
            InFlight = (int)(long)reply[2],
            Spent = (long)reply[3] / 1_000_000_000m,
            Reserved = (long)reply[4] / 1_000_000_000m,
            ResetAt = reset >= 0 ? PostgresDatabase.FromMs(reset) : null,
            RetryAfter = retry >= 0 ? TimeSpan.FromMilliseconds(retry) : null,
        };
    }

    private async Task BeatAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await BeatOnceAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (IsRedisAway(ex))
            {
                // Redis is away: beat again at the next interval.
            }

            if (!await PauseAsync(_heartbeat).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private Task<bool> PauseAsync(TimeSpan wait) => LimitWorkers.PauseAsync(_database.TimeProvider, wait, _stopping.Token);

    private StoreUnavailableException Unavailable(Exception? ex) =>
        new("Redis " + _server,
            $"The Redis server {_server} cannot be reached (is it running, and are the host and port right?); redis on_failure is fail_closed, so requests with limits are refused until it answers.",
            ex);

    private static bool IsRedisAway(Exception ex) => ex is RedisConnectionException or RedisTimeoutException or ObjectDisposedException
        || (ex is RedisServerException server && server.Message.StartsWith("LOADING", StringComparison.Ordinal));

    private RedisKey AccountKey(LimitAccount account) => $"{_prefix}a:{account.KindName}:{account.Id}";

    private RedisKey WindowKey(LimitAccount account) => $"{_prefix}w:{account.KindName}:{account.Id}";

    private RedisKey LeaseKey(Guid lease) => $"{_prefix}l:{lease:N}";

    /// <summary>The accounts as the lease records them, for whoever takes it over: kind and id, separated by unit separators.</summary>
    private static string Encode(IReadOnlyList<LimitAccount> accounts) =>
        string.Join('\u001e', accounts.Select(a => a.KindName + '\u001f' + a.Id));

    private static LimitAccount[] Decode(string accounts) =>
        [.. accounts.Split('\u001e').Select(part => part.Split('\u001f', 2)).Select(p => new LimitAccount(LimitAccount.KindOf(p[0]), p[1]))];
}
