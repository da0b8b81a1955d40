using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace Allos.Gateway.Caching;

/// <summary>A response cache in a SQLite file: it survives restarts and can be shared by the processes of one machine.</summary>
/// <remarks>
/// <para>
/// The cache keeps its own table (<c>response_cache</c>), created if missing, so it can live in its own file or in the Allos
/// database. The file is in WAL mode, so readers run beside the one writer. Responses are stored as the JSON
/// Microsoft.Extensions.AI writes for them; raw provider objects are not kept.
/// </para>
/// <para>
/// Thread-safe (one pooled connection per operation). Expired rows count as misses; they are deleted when met and in a
/// sweep every few hundred stores. Beyond <c>maxEntries</c> rows, the least recently used go first. The row count is tracked
/// in memory and re-read at each sweep, so several processes writing to one file keep it near, not exactly at, the bound.
/// </para>
/// </remarks>
public sealed class SqliteResponseCache : IResponseCache, IDisposable
{
    private const int SweepEveryStores = 256;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS response_cache (
            key TEXT PRIMARY KEY,
            json TEXT NOT NULL,
            created INTEGER NOT NULL,
            expires INTEGER NOT NULL,
            last_used INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS response_cache_last_used ON response_cache (last_used);
        CREATE INDEX IF NOT EXISTS response_cache_expires ON response_cache (expires);
        """;

    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(5);

    private readonly string _connectionString;
    private readonly int _maxEntries;
    private readonly TimeProvider _timeProvider;
    private readonly RecencyClock _recency = new();
    private long _count;
    private int _storesSinceSweep;
    private int _disposed;

    private SqliteResponseCache(string connectionString, int maxEntries, TimeProvider timeProvider, long count)
    {
        _connectionString = connectionString;
        _maxEntries = maxEntries;
        _timeProvider = timeProvider;
        _count = count;
    }

    /// <summary>Opens (creating if needed) the cache in the SQLite file at <paramref name="path"/>; its folder is created too.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="maxEntries">The most rows kept. Default: 10,000.</param>
    /// <param name="timeProvider">The clock for expiry and recency. Default: <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="SqliteException">The file cannot be opened or is not a SQLite database.</exception>
    public static SqliteResponseCache Open(string path, int maxEntries = 10_000, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        string fullPath = Path.GetFullPath(path);
        if (Path.GetDirectoryName(fullPath) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        string connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite also retries SQLITE_BUSY itself for up to the command timeout.
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();

        long count;
        using (SqliteConnection connection = OpenConnection(connectionString))
        {
            // WAL is a property of the file: set once, it stays.
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Execute(connection, Schema);
            using SqliteCommand counting = connection.CreateCommand();
            counting.CommandText = "SELECT COUNT(*) FROM response_cache;";
            count = (long)counting.ExecuteScalar()!;
        }

        return new SqliteResponseCache(connectionString, maxEntries, timeProvider ?? TimeProvider.System, count);
    }

    /// <inheritdoc />
    public async ValueTask<ChatResponse?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        long now = NowMs();
        using SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // Read first: a miss, the common case for new requests, then takes no write lock at all.
        string json;
        long expires;
        using (SqliteCommand select = connection.CreateCommand())
        {
            select.CommandText = "SELECT json, expires FROM response_cache WHERE key = $key;";
            select.Parameters.AddWithValue("$key", key);
            using SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            json = reader.GetString(0);
            expires = reader.GetInt64(1);
        }

        if (expires <= now)
        {
            using SqliteCommand purge = connection.CreateCommand();
            purge.CommandText = "DELETE FROM response_cache WHERE key = $key AND expires <= $now;";
            purge.Parameters.AddWithValue("$key", key);
            purge.Parameters.AddWithValue("$now", now);
            if (await purge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
            {
                Interlocked.Decrement(ref _count);
            }

            return null;
        }

        using (SqliteCommand touch = connection.CreateCommand())
        {
            touch.CommandText = "UPDATE response_cache SET last_used = $used WHERE key = $key;";
            touch.Parameters.AddWithValue("$used", _recency.Next(now));
            touch.Parameters.AddWithValue("$key", key);
            await touch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return ResponseJson.Deserialize(json);
    }

    /// <inheritdoc />
    public async ValueTask SetAsync(string key, ChatResponse response, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(response);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        string json = ResponseJson.Serialize(response);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        long nowMs = now.ToUnixTimeMilliseconds();
        long expires = ResponseJson.ExpiresAt(now, timeToLive).ToUnixTimeMilliseconds();
        using SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        bool inserted;
        // One immediate transaction: the update and insert cannot interleave with another writer, and commit once.
        using (SqliteTransaction transaction = connection.BeginTransaction(deferred: false))
        using (SqliteCommand upsert = connection.CreateCommand())
        {
            upsert.Transaction = transaction;
            // Update first, insert if there was nothing to update: the last statement tells whether the key was new, which
            // keeps the in-memory row count right without COUNT(*) scans.
            upsert.CommandText = """
                UPDATE response_cache SET json = $json, created = $now, expires = $expires, last_used = $used WHERE key = $key;
                INSERT OR IGNORE INTO response_cache (key, json, created, expires, last_used) VALUES ($key, $json, $now, $expires, $used);
                SELECT changes();
                """;
            upsert.Parameters.AddWithValue("$key", key);
            upsert.Parameters.AddWithValue("$json", json);
            upsert.Parameters.AddWithValue("$now", nowMs);
            upsert.Parameters.AddWithValue("$expires", expires);
            upsert.Parameters.AddWithValue("$used", _recency.Next(nowMs));
            inserted = await upsert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long changes && changes > 0;
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        long count = inserted ? Interlocked.Increment(ref _count) : Volatile.Read(ref _count);
        if (Interlocked.Increment(ref _storesSinceSweep) >= SweepEveryStores)
        {
            Interlocked.Exchange(ref _storesSinceSweep, 0);
            await SweepAsync(connection, nowMs, cancellationToken).ConfigureAwait(false);
        }
        else if (count > _maxEntries)
        {
            await EvictAsync(connection, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Releases the pooled connections, and with them the file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private async Task SweepAsync(SqliteConnection connection, long nowMs, CancellationToken cancellationToken)
    {
        using (SqliteCommand purge = connection.CreateCommand())
        {
            purge.CommandText = "DELETE FROM response_cache WHERE expires <= $now;";
            purge.Parameters.AddWithValue("$now", nowMs);
            await purge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await EvictAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    private async Task EvictAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using SqliteCommand evict = connection.CreateCommand();
        // Re-counting here corrects drift from other processes sharing the file.
        evict.CommandText = """
            DELETE FROM response_cache WHERE key IN
                (SELECT key FROM response_cache ORDER BY last_used DESC LIMIT -1 OFFSET $max);
            SELECT COUNT(*) FROM response_cache;
            """;
        evict.Parameters.AddWithValue("$max", _maxEntries);
        object? count = await evict.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _count, Convert.ToInt64(count, CultureInfo.InvariantCulture));
    }

    private long NowMs() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            Execute(connection, BusyPragma);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string BusyPragma => $"PRAGMA busy_timeout={(long)BusyTimeout.TotalMilliseconds}; PRAGMA synchronous=NORMAL;";

    private static SqliteConnection OpenConnection(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            Execute(connection, BusyPragma);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
