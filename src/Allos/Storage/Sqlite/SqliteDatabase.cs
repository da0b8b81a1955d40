using Microsoft.Data.Sqlite;

namespace Allos.Storage.Sqlite;

/// <summary>Opens configured connections to one database file. Connections are pooled, so opening one per operation is cheap.</summary>
internal sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private readonly string _sessionPragmas;
    private readonly string _telemetryPragmas;

    public SqliteDatabase(string filePath, SqliteStoreOptions options, bool immutable = false)
    {
        FilePath = filePath;
        TimeProvider = options.TimeProvider;
        _connectionString = new SqliteConnectionStringBuilder
        {
            // immutable=1 reads a WAL file whose folder cannot hold the -shm index SQLite needs; only ever read-only.
            DataSource = immutable ? "file:" + Uri.EscapeDataString(filePath).Replace("%2F", "/", StringComparison.Ordinal) + "?immutable=1" : filePath,
            Mode = options.ReadOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            // Microsoft.Data.Sqlite also retries SQLITE_BUSY itself for up to the command timeout.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        }.ToString();

        // Per-connection settings, applied at every open because a pooled connection may come from either kind of use.
        string busy = $"PRAGMA busy_timeout={(long)options.BusyTimeout.TotalMilliseconds};";
        _sessionPragmas = busy + (options.DurableAgainstPowerLoss ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
        _telemetryPragmas = busy + "PRAGMA synchronous=NORMAL;";
    }

    public string FilePath { get; }

    public TimeProvider TimeProvider { get; }

    public long NowMs => TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Opens a connection for session data (durability as configured).</summary>
    public Task<SqliteConnection> OpenSessionConnectionAsync(CancellationToken cancellationToken) =>
        OpenAsync(_sessionPragmas, cancellationToken);

    /// <summary>Opens a connection for telemetry (always <c>synchronous=NORMAL</c>: losing the last rows to power loss is acceptable).</summary>
    public Task<SqliteConnection> OpenTelemetryConnectionAsync(CancellationToken cancellationToken) =>
        OpenAsync(_telemetryPragmas, cancellationToken);

    private async Task<SqliteConnection> OpenAsync(string pragmas, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Releases the pooled connections (and with them the file handles).</summary>
    public void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Costs are stored as integer nano-units so sums are exact in SQL (SQLite has no decimal type).</summary>
    public static object ToNanos(decimal? cost) =>
        cost is { } value ? (object)(long)decimal.Round(value * 1_000_000_000m, MidpointRounding.AwayFromZero) : DBNull.Value;

    public static decimal? FromNanos(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal) / 1_000_000_000m;

    public static object OrNull(object? value) => value ?? DBNull.Value;

    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
