using Npgsql;
using NpgsqlTypes;

namespace Allos.Storage.Postgres;

/// <summary>The store's one <see cref="NpgsqlDataSource"/> (its pool) and the helpers its parts share.</summary>
internal sealed class PostgresDatabase(NpgsqlDataSource dataSource, string server, TimeProvider timeProvider) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    /// <summary>Gets host:port/database, for messages (never the password).</summary>
    public string Server { get; } = server;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public long NowMs => TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => DataSource.OpenConnectionAsync(cancellationToken);

    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql) =>
        new(sql, connection, transaction);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    /// <summary>Costs are integer nano-units, as in SQLite, so both stores round and sum alike.</summary>
    public static long? ToNanos(decimal? cost) =>
        cost is { } value ? (long)decimal.Round(value * 1_000_000_000m, MidpointRounding.AwayFromZero) : null;

    public static decimal? FromNanos(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal) / 1_000_000_000m;

    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
