using Allos.Storage.Sqlite;
using Npgsql;

namespace Allos.Storage.Postgres;

/// <summary>
/// Virtual keys in PostgreSQL: one row per key hash, spend in nano-dollars added by one atomic <c>UPDATE … SET spend =
/// spend + @x</c>, so instances adding spend at once never lose an addition. Users and teams: PostgresKeyStore.Owners.cs.
/// </summary>
/// <remarks>
/// Every change but added spend notifies the other instances (<see cref="PostgresChangeFeed"/>, <c>key:&lt;hash&gt;</c>)
/// in the statement that makes it, so the notification arrives only once the change is committed. A spend reset notifies
/// too: it starts a new budget period, once per period, which the other instances must not miss (they reload the key
/// instead of each resetting it again); additions do not, as they are every request's and each instance settles its own.
/// </remarks>
internal sealed partial class PostgresKeyStore(PostgresDatabase database) : IKeyStore
{
    /// <summary>Gets the store's shared limits (set by <see cref="PostgresStore"/>), which the gateway's key checks use.</summary>
    internal Func<Limits.LimitBlocks> SharedLimits { get; init; } = () => throw new InvalidOperationException("This key store has no shared limits.");

    /// <summary>
    /// Gets what runs once a change to an account's limits or spend is committed (set by <see cref="PostgresStore"/>): with
    /// Redis in front, its copy is dropped, so the next request through any instance reads the change.
    /// </summary>
    internal Func<Limits.LimitAccount, Task> Changed { get; init; } = _ => Task.CompletedTask;

    /// <summary>Gets the store's change feed (set by <see cref="PostgresStore"/>), which tells the gateway's key cache what other instances changed.</summary>
    internal PostgresChangeFeed? Changes { get; init; }

    /// <summary>The notification of a change to the key of the row's <c>hash</c>.</summary>
    private static readonly string KeyChanged = PostgresChangeFeed.Notify("'key:' || hash");

    private const string Columns =
        "hash, key_name, alias, models, max_budget_nanos, budget_duration, budget_reset_at, spend_nanos, rpm_limit, tpm_limit, max_parallel_requests, expires, user_id, team_id, metadata, created, blocked";

    public async Task CreateAsync(VirtualKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(key.Hash, nameof(key));
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand insert = PostgresDatabase.Command(connection, null, $"""
            WITH created AS (
                INSERT INTO virtual_keys ({Columns})
                VALUES (@hash, @name, @alias, @models, @budget, @duration, @reset, @spend, @rpm, @tpm, @parallel, @expires, @user, @team, @metadata, @created, @blocked)
                RETURNING hash)
            SELECT {KeyChanged} FROM created;
            """);
        Bind(insert, key);
        insert.Parameters.Text("name", key.KeyName).Long("spend", PostgresDatabase.ToNanos(key.Spend)).Long("created", key.Created.ToUnixTimeMilliseconds());
        try
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await Changed(new(Limits.LimitAccountKind.Key, key.Hash)).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new InvalidOperationException(Duplicate(key, e), e);
        }
    }

    public async Task<VirtualKey?> GetAsync(string hash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hash);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand select = PostgresDatabase.Command(connection, null, $"SELECT {Columns} FROM virtual_keys WHERE hash = @hash;");
        select.Parameters.Text("hash", hash);
        using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<VirtualKey>> ListAsync(string? userId = null, string? teamId = null, CancellationToken cancellationToken = default)
    {
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand select = PostgresDatabase.Command(connection, null, $"""
            SELECT {Columns} FROM virtual_keys
            WHERE (@user::text IS NULL OR user_id = @user) AND (@team::text IS NULL OR team_id = @team)
            ORDER BY created DESC, hash;
            """);
        select.Parameters.Text("user", userId).Text("team", teamId);
        using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<VirtualKey>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(Read(reader));
        }

        return keys;
    }

    public async Task<bool> UpdateAsync(VirtualKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand update = PostgresDatabase.Command(connection, null, $"""
            WITH changed AS (
                UPDATE virtual_keys SET alias = @alias, models = @models, max_budget_nanos = @budget, budget_duration = @duration,
                    budget_reset_at = @reset, rpm_limit = @rpm, tpm_limit = @tpm, max_parallel_requests = @parallel, expires = @expires,
                    user_id = @user, team_id = @team, metadata = @metadata, blocked = @blocked
                WHERE hash = @hash
                RETURNING hash)
            SELECT hash, {KeyChanged} FROM changed;
            """);
        Bind(update, key);
        try
        {
            bool updated = await RowsAsync(update, cancellationToken).ConfigureAwait(false) > 0;
            await Changed(new(Limits.LimitAccountKind.Key, key.Hash)).ConfigureAwait(false);
            return updated;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new InvalidOperationException(Duplicate(key, e), e);
        }
    }

    public async Task<IReadOnlyList<string>> DeleteAsync(IEnumerable<string> hashes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand delete = PostgresDatabase.Command(connection, null, $"""
            WITH gone AS (DELETE FROM virtual_keys WHERE hash = ANY(@hashes) RETURNING hash)
            SELECT hash, {KeyChanged} FROM gone;
            """);
        string[] wanted = [.. hashes.Distinct(StringComparer.Ordinal)];
        delete.Parameters.AddWithValue("hashes", wanted);
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        using (NpgsqlDataReader reader = await delete.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                deleted.Add(reader.GetString(0));
            }
        }

        foreach (string hash in deleted)
        {
            await Changed(new(Limits.LimitAccountKind.Key, hash)).ConfigureAwait(false);
        }

        // In the order asked, as the SQLite store returns them.
        return [.. wanted.Where(deleted.Contains)];
    }

    public async Task AddSpendAsync(string hash, decimal amount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hash);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand update = PostgresDatabase.Command(connection, null, "UPDATE virtual_keys SET spend_nanos = spend_nanos + @amount WHERE hash = @hash;");
        update.Parameters.Text("hash", hash).Long("amount", PostgresDatabase.ToNanos(amount));
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task ResetSpendAsync(string hash, DateTimeOffset? nextReset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hash);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand update = PostgresDatabase.Command(connection, null, $"""
            WITH reset AS (UPDATE virtual_keys SET spend_nanos = 0, budget_reset_at = @reset WHERE hash = @hash RETURNING hash)
            SELECT {KeyChanged} FROM reset;
            """);
        update.Parameters.Text("hash", hash).Long("reset", nextReset?.ToUnixTimeMilliseconds());
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await Changed(new(Limits.LimitAccountKind.Key, hash)).ConfigureAwait(false);
    }

    /// <summary>Counts the rows a statement returns (a data-modifying CTE's, whose SELECT's row count is not reported as affected).</summary>
    private static async Task<int> RowsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        int rows = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows++;
        }

        return rows;
    }

    private static void Bind(NpgsqlCommand command, VirtualKey key) =>
        command.Parameters.Text("hash", key.Hash).Text("alias", key.Alias).Text("models", SqliteKeyStore.ModelsJson(key.Models))
            .Long("budget", PostgresDatabase.ToNanos(key.MaxBudget)).Text("duration", key.BudgetDuration).Long("reset", key.BudgetResetAt?.ToUnixTimeMilliseconds())
            .Int("rpm", key.RpmLimit).Int("tpm", key.TpmLimit).Int("parallel", key.MaxParallelRequests).Long("expires", key.Expires?.ToUnixTimeMilliseconds())
            .Text("user", key.UserId).Text("team", key.TeamId).Text("metadata", key.Metadata).Bool("blocked", key.Blocked);

    private static VirtualKey Read(NpgsqlDataReader reader) => new()
    {
        Hash = reader.GetString(0),
        KeyName = reader.TextOrNull(1),
        Alias = reader.TextOrNull(2),
        Models = SqliteKeyStore.ParseModels(reader.GetString(3)),
        MaxBudget = PostgresDatabase.FromNanos(reader, 4),
        BudgetDuration = reader.TextOrNull(5),
        BudgetResetAt = Time(reader, 6),
        Spend = PostgresDatabase.FromNanos(reader, 7) ?? 0,
        RpmLimit = reader.IsDBNull(8) ? null : reader.GetInt32(8),
        TpmLimit = reader.IsDBNull(9) ? null : reader.GetInt32(9),
        MaxParallelRequests = reader.IsDBNull(10) ? null : reader.GetInt32(10),
        Expires = Time(reader, 11),
        UserId = reader.TextOrNull(12),
        TeamId = reader.TextOrNull(13),
        Metadata = reader.TextOrNull(14),
        Created = PostgresDatabase.FromMs(reader.GetInt64(15)),
        Blocked = reader.GetBoolean(16),
    };

    private static DateTimeOffset? Time(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : PostgresDatabase.FromMs(reader.GetInt64(ordinal));

    private static string Duplicate(VirtualKey key, PostgresException e) =>
        e.ConstraintName is { } constraint && constraint.Contains("alias", StringComparison.Ordinal)
            ? $"A key with the alias '{key.Alias}' exists; choose another alias."
            : "A key with the same hash exists.";
}
