using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;

namespace Allos.Storage.Postgres;

/// <summary>
/// Creates the spend log's monthly partitions as rows need them (and the current and next month at open), under an
/// advisory lock so instances creating the same month do not race. Months known to exist are remembered.
/// </summary>
/// <remarks>Not thread-safe for writes: only the single telemetry writer (and opening) call it.</remarks>
internal sealed class PostgresPartitions
{
    private const long PartitionLock = 0x616c6c6f735f70;
    private readonly ConcurrentDictionary<long, bool> _known = new();
    private List<long>? _pendingAfterCommit;

    public static long MonthOf(long timeMs)
    {
        DateTimeOffset time = DateTimeOffset.FromUnixTimeMilliseconds(timeMs);
        return new DateTimeOffset(time.Year, time.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    }

    public async Task EnsureAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IEnumerable<long> timesMs, CancellationToken cancellationToken)
    {
        // A batch that rolled back left its months pending: they were never created.
        _pendingAfterCommit = null;
        var missing = timesMs.Select(MonthOf).Distinct().Where(month => !_known.ContainsKey(month)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var sql = new System.Text.StringBuilder("SELECT pg_advisory_xact_lock(@lock);\n");
        foreach (long month in missing)
        {
            DateTimeOffset start = DateTimeOffset.FromUnixTimeMilliseconds(month);
            long end = start.AddMonths(1).ToUnixTimeMilliseconds();
            sql.Append(CultureInfo.InvariantCulture,
                $"CREATE TABLE IF NOT EXISTS model_calls_{start:yyyy}_{start:MM} PARTITION OF model_calls FOR VALUES FROM ({month}) TO ({end});\n");
        }

        // Without a transaction of the caller's the lock lasts for this one implicit transaction.
        using NpgsqlCommand create = PostgresDatabase.Command(connection, transaction, sql.ToString());
        create.Parameters.Long("lock", PartitionLock);
        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (transaction is null)
        {
            Remember(missing);
        }
        else
        {
            // Known only once committed: a rolled-back batch rolls the partition back too.
            _pendingAfterCommit = missing;
        }
    }

    /// <summary>Called after the caller's transaction committed.</summary>
    public void Committed()
    {
        if (_pendingAfterCommit is { } months)
        {
            Remember(months);
            _pendingAfterCommit = null;
        }
    }

    private void Remember(IEnumerable<long> months)
    {
        foreach (long month in months)
        {
            _known[month] = true;
        }
    }
}
