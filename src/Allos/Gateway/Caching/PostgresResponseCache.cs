using System.Globalization;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using Allos.Storage.Postgres;
using Microsoft.Extensions.AI;
using Npgsql;

namespace Allos.Gateway.Caching;

/// <summary>A response cache in a PostgreSQL database, shared by every process and gateway instance that uses it.</summary>
/// <remarks>
/// <para>
/// A response stored by one instance is a hit for all the others. The table (<c>response_cache</c>) is part of the Allos
/// schema and created by its migrations, which the cache applies itself on first use, so it works in the store's
/// database or in one of its own, fresh or not. Responses are stored as the JSON Microsoft.Extensions.AI writes for them;
/// raw provider objects are not kept.
/// </para>
/// <para>
/// Thread-safe, with its own connection pool (sized by the connection string's pool settings). Expired rows count as
/// misses. Clean-up runs off the request path, in the background: every few hundred stores, or as soon as the table
/// holds more than <c>maxEntries</c> rows, expired rows are deleted (by the index on expiry) and then the least recently
/// used. Instances sharing the table each count it at their clean-ups, so it stays near, not exactly at, the bound.
/// Writes are upserts: instances storing one key at once leave one row, the last answer.
/// </para>
/// <para>
/// Opening does not connect. A server that is down (at start-up or later) fails reads and writes with a
/// <see cref="StoreUnavailableException"/> naming the server, never the password; the Router reports it and treats it as
/// a miss. After a failed connection the cache fails at once for a few seconds instead of waiting for another connect
/// timeout on every request. A failed clean-up is thrown by the next <see cref="SetAsync"/>, after its own write, so the
/// caller hears of it.
/// </para>
/// </remarks>
public sealed class PostgresResponseCache : IResponseCache, IAsyncDisposable, IDisposable
{
    private const int SweepEveryStores = 256;

    /// <summary>How long a failed connection makes the cache fail at once rather than try the server again.</summary>
    private static readonly TimeSpan RetryDownAfter = TimeSpan.FromSeconds(5);

    // One statement: the read and the recency stamp are one round trip. A hit whose row another request is stamping
    // (or replacing) skips its own stamp instead of waiting for the row lock: the row is recent either way.
    private const string GetSql = """
        WITH hit AS (
            SELECT json FROM response_cache WHERE key = @key AND expires > @now
        ), touched AS (
            UPDATE response_cache c SET last_used = GREATEST(c.last_used, @used)
            FROM (SELECT key FROM response_cache WHERE key = @key AND expires > @now FOR UPDATE SKIP LOCKED) t
            WHERE c.key = t.key
        )
        SELECT json FROM hit;
        """;

    // xmax is 0 on a row version this statement inserted, not 0 on one it updated: whether the key was new, which keeps
    // the row count without COUNT(*) on the request path.
    private const string SetSql = """
        INSERT INTO response_cache AS c (key, json, created, expires, last_used) VALUES (@key, @json, @now, @expires, @used)
        ON CONFLICT (key) DO UPDATE SET json = EXCLUDED.json, created = EXCLUDED.created, expires = EXCLUDED.expires,
            last_used = GREATEST(c.last_used, EXCLUDED.last_used)
        RETURNING c.xmax = 0;
        """;

    // SKIP LOCKED: sweeps of several instances at once share the rows out instead of waiting on (or deadlocking over) them.
    private const string PurgeSql = """
        DELETE FROM response_cache WHERE key IN (SELECT key FROM response_cache WHERE expires <= @now FOR UPDATE SKIP LOCKED);
        """;

    private const string EvictSql = """
        DELETE FROM response_cache WHERE key IN (SELECT key FROM response_cache ORDER BY last_used LIMIT @excess FOR UPDATE SKIP LOCKED);
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly int _maxEntries;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _migrating = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private volatile bool _migrated;
    private long _downUntilMs = long.MinValue;
    private readonly RecencyClock _recency = new();
    private long _count;
    private int _storesSinceSweep;
    private int _sweeping;
    private int _sweepWanted;
    private Task _sweep = Task.CompletedTask;
    private Exception? _sweepFailure;
    private int _disposed;

    private PostgresResponseCache(NpgsqlDataSource dataSource, string server, int maxEntries, TimeProvider timeProvider)
    {
        _dataSource = dataSource;
        Server = server;
        _maxEntries = maxEntries;
        _timeProvider = timeProvider;
    }

    /// <summary>Gets the server as host:port/database, for messages (never the password).</summary>
    public string Server { get; }

    /// <summary>Completes when the clean-up running now (if any) has ended; for tests, which cannot wait for the background.</summary>
    internal Task Sweeping => Volatile.Read(ref _sweep);

    /// <summary>Prepares the cache in the database at <paramref name="connectionString"/>, without connecting yet.</summary>
    /// <param name="connectionString">A <c>postgres://user:password@host:port/database</c> URL or an Npgsql <c>Host=…;Database=…</c> connection string.</param>
    /// <param name="maxEntries">The most rows kept. Default: 10,000.</param>
    /// <param name="timeProvider">The clock for expiry and recency. Default: <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">The URL or connection string is malformed; the message never repeats it.</exception>
    public static PostgresResponseCache Open(string connectionString, int maxEntries = 10_000, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        NpgsqlConnectionStringBuilder builder = PostgresConnectionString.Parse(connectionString);

        // Its own pool rather than the store's: the cache is opened with the Router, from the cache settings, and may be
        // in another database; the store is opened on its own schedule (lazily, under DI) and may not exist at all.
        return new PostgresResponseCache(
            new NpgsqlDataSourceBuilder(builder.ConnectionString).Build(), PostgresConnectionString.Describe(builder), maxEntries, timeProvider ?? TimeProvider.System);
    }

    /// <inheritdoc />
    /// <exception cref="StoreUnavailableException">The server cannot be reached or refused the query.</exception>
    /// <exception cref="System.Text.Json.JsonException">The stored row is not a response (it stays until replaced or expired).</exception>
    public async ValueTask<ChatResponse?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        long now = NowMs();
        string? json;
        using (NpgsqlConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                using var command = new NpgsqlCommand(GetSql, connection);
                command.Parameters.Text("key", key).Long("now", now).Long("used", _recency.Next(now));
                json = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            }
            catch (NpgsqlException ex)
            {
                throw PostgresStore.Unavailable(Server, ex);
            }
        }

        return json is null ? null : ResponseJson.Deserialize(json);
    }

    /// <inheritdoc />
    /// <exception cref="StoreUnavailableException">The server cannot be reached or refused the write, or the last clean-up failed (then this write was made).</exception>
    public async ValueTask SetAsync(string key, ChatResponse response, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(response);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);

        string json = ResponseJson.Serialize(response);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        long nowMs = now.ToUnixTimeMilliseconds();
        bool inserted;
        using (NpgsqlConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                using var command = new NpgsqlCommand(SetSql, connection);
                command.Parameters.Text("key", key).Text("json", json).Long("now", nowMs)
                    .Long("expires", ResponseJson.ExpiresAt(now, timeToLive).ToUnixTimeMilliseconds()).Long("used", _recency.Next(nowMs));
                inserted = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
            }
            catch (NpgsqlException ex)
            {
                throw PostgresStore.Unavailable(Server, ex);
            }
        }

        long count = inserted ? Interlocked.Increment(ref _count) : Volatile.Read(ref _count);
        if (Interlocked.Increment(ref _storesSinceSweep) >= SweepEveryStores || count > _maxEntries)
        {
            Interlocked.Exchange(ref _storesSinceSweep, 0);
            RequestSweep();
        }

        if (Interlocked.Exchange(ref _sweepFailure, null) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>Stops the clean-up, waits for it, and closes the pool.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        await Volatile.Read(ref _sweep).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _disposing.Dispose();
        _migrating.Dispose();
    }

    /// <summary>Stops the clean-up, waits for it, and closes the pool.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>A connection with the schema in place; the first one applies the migrations.</summary>
    private async Task<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        long now = NowMs();
        if (now < Interlocked.Read(ref _downUntilMs))
        {
            throw new StoreUnavailableException(Server, string.Create(CultureInfo.InvariantCulture,
                $"The PostgreSQL server {Server} of the response cache failed moments ago; the cache tries it again within {RetryDownAfter.TotalSeconds:0} seconds and misses meanwhile."));
        }

        NpgsqlConnection? connection = null;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            if (!_migrated)
            {
                await MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            Interlocked.Exchange(ref _downUntilMs, now + (long)RetryDownAfter.TotalMilliseconds);
            throw PostgresStore.Unavailable(Server, ex);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private async Task MigrateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await _migrating.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_migrated)
            {
                return;
            }

            await PostgresMigrations.ApplyAsync(connection, PostgresMigrations.All, NowMs(), cancellationToken).ConfigureAwait(false);
            using (var counting = new NpgsqlCommand("SELECT COUNT(*) FROM response_cache;", connection))
            {
                Interlocked.Exchange(ref _count, (long)(await counting.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
            }

            _migrated = true;
        }
        finally
        {
            _migrating.Release();
        }
    }

    /// <summary>Starts the clean-up unless it runs already, in which case it goes round once more.</summary>
    private void RequestSweep()
    {
        Volatile.Write(ref _sweepWanted, 1);
        if (Interlocked.CompareExchange(ref _sweeping, 1, 0) == 0)
        {
            Volatile.Write(ref _sweep, Task.Run(SweepLoopAsync));
        }
    }

    private async Task SweepLoopAsync()
    {
        while (true)
        {
            while (Interlocked.Exchange(ref _sweepWanted, 0) == 1 && !_disposing.IsCancellationRequested)
            {
                await SweepAsync(_disposing.Token).ConfigureAwait(false);
            }

            Volatile.Write(ref _sweeping, 0);

            // A request that came between the last check and the release found the loop still running; take it up.
            if (Volatile.Read(ref _sweepWanted) == 0 || _disposing.IsCancellationRequested || Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        try
        {
            using NpgsqlConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            using (var purge = new NpgsqlCommand(PurgeSql, connection))
            {
                purge.Parameters.Long("now", NowMs());
                await purge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // Counting here corrects the drift from the other instances sharing the table. Stores made meanwhile are added
            // back (some may be counted twice): a count too high costs a sweep, one too low would let the table outgrow the bound.
            long before = Interlocked.Read(ref _count);
            long count;
            using (var counting = new NpgsqlCommand("SELECT COUNT(*) FROM response_cache;", connection))
            {
                count = (long)(await counting.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            if (count > _maxEntries)
            {
                using var evict = new NpgsqlCommand(EvictSql, connection);
                evict.Parameters.Long("excess", count - _maxEntries);
                count -= await evict.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            Interlocked.Add(ref _count, count - before);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed: nobody is left to tell.
        }
        catch (Exception ex)
        {
            Volatile.Write(ref _sweepFailure, ex is NpgsqlException npgsql ? PostgresStore.Unavailable(Server, npgsql) : ex);
        }
    }

    private long NowMs() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
}
