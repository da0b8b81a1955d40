using Allos.Storage.Sqlite;
using Npgsql;

namespace Allos.Storage.Postgres;

/// <summary>The gateway's users and teams: a budget, limits and models shared by their keys, spend added atomically.</summary>
/// <remarks>Changes notify as keys' do, as <c>user:&lt;id&gt;</c> or <c>team:&lt;id&gt;</c>.</remarks>
internal sealed partial class PostgresKeyStore
{
    /// <summary>The notification of a change to the row's account: its kind is the notification's (<c>user</c>, <c>team</c>).</summary>
    private static readonly string OwnerChanged = PostgresChangeFeed.Notify("kind || ':' || id");

    private const string OwnerColumns =
        "kind, id, alias, models, max_budget_nanos, budget_duration, budget_reset_at, spend_nanos, rpm_limit, tpm_limit, max_parallel_requests, metadata, created, blocked";

    public async Task CreateOwnerAsync(KeyOwner account, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentException.ThrowIfNullOrWhiteSpace(account.Id, nameof(account));
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand insert = PostgresDatabase.Command(connection, null, $"""
            WITH created AS (
                INSERT INTO budget_accounts ({OwnerColumns})
                VALUES (@kind, @id, @alias, @models, @budget, @duration, @reset, @spend, @rpm, @tpm, @parallel, @metadata, @created, @blocked)
                RETURNING kind, id)
            SELECT {OwnerChanged} FROM created;
            """);
        Bind(insert, account);
        insert.Parameters.Long("spend", PostgresDatabase.ToNanos(account.Spend)).Long("created", account.Created.ToUnixTimeMilliseconds());
        try
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await Changed(Account(account.Kind, account.Id)).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new InvalidOperationException($"A {Kind(account.Kind)} with the id '{account.Id}' exists; choose another id.", e);
        }
    }

    public async Task<KeyOwner?> GetOwnerAsync(KeyOwnerKind kind, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand select = PostgresDatabase.Command(connection, null, $"SELECT {OwnerColumns} FROM budget_accounts WHERE kind = @kind AND id = @id;");
        select.Parameters.Text("kind", Kind(kind)).Text("id", id);
        using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadOwner(reader) : null;
    }

    public async Task<IReadOnlyList<KeyOwner>> ListOwnersAsync(KeyOwnerKind kind, CancellationToken cancellationToken = default)
    {
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand select = PostgresDatabase.Command(connection, null, $"SELECT {OwnerColumns} FROM budget_accounts WHERE kind = @kind ORDER BY created DESC, id;");
        select.Parameters.Text("kind", Kind(kind));
        using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var accounts = new List<KeyOwner>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            accounts.Add(ReadOwner(reader));
        }

        return accounts;
    }

    public async Task<bool> UpdateOwnerAsync(KeyOwner account, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand update = PostgresDatabase.Command(connection, null, $"""
            WITH changed AS (
                UPDATE budget_accounts SET alias = @alias, models = @models, max_budget_nanos = @budget, budget_duration = @duration,
                    budget_reset_at = @reset, rpm_limit = @rpm, tpm_limit = @tpm, max_parallel_requests = @parallel,
                    metadata = @metadata, blocked = @blocked
                WHERE kind = @kind AND id = @id
                RETURNING kind, id)
            SELECT id, {OwnerChanged} FROM changed;
            """);
        Bind(update, account);
        bool updated = await RowsAsync(update, cancellationToken).ConfigureAwait(false) > 0;
        await Changed(Account(account.Kind, account.Id)).ConfigureAwait(false);
        return updated;
    }

    public async Task<IReadOnlyList<string>> DeleteOwnersAsync(KeyOwnerKind kind, IEnumerable<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        string[] wanted = [.. ids.Distinct(StringComparer.Ordinal)];
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand delete = PostgresDatabase.Command(connection, null, $"""
            WITH gone AS (DELETE FROM budget_accounts WHERE kind = @kind AND id = ANY(@ids) RETURNING kind, id)
            SELECT id, {OwnerChanged} FROM gone;
            """);
        delete.Parameters.Text("kind", Kind(kind));
        delete.Parameters.AddWithValue("ids", wanted);
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        using (NpgsqlDataReader reader = await delete.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                deleted.Add(reader.GetString(0));
            }
        }

        foreach (string id in deleted)
        {
            await Changed(Account(kind, id)).ConfigureAwait(false);
        }

        return [.. wanted.Where(deleted.Contains)];
    }

    public async Task AddOwnerSpendAsync(KeyOwnerKind kind, string id, decimal amount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand update = PostgresDatabase.Command(connection, null, "UPDATE budget_accounts SET spend_nanos = spend_nanos + @amount WHERE kind = @kind AND id = @id;");
        update.Parameters.Text("kind", Kind(kind)).Text("id", id).Long("amount", PostgresDatabase.ToNanos(amount));
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task ResetOwnerSpendAsync(KeyOwnerKind kind, string id, DateTimeOffset? nextReset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand update = PostgresDatabase.Command(connection, null, $"""
            WITH reset AS (UPDATE budget_accounts SET spend_nanos = 0, budget_reset_at = @reset WHERE kind = @kind AND id = @id RETURNING kind, id)
            SELECT {OwnerChanged} FROM reset;
            """);
        update.Parameters.Text("kind", Kind(kind)).Text("id", id).Long("reset", nextReset?.ToUnixTimeMilliseconds());
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await Changed(Account(kind, id)).ConfigureAwait(false);
    }

    private static Limits.LimitAccount Account(KeyOwnerKind kind, string id) =>
        new(kind == KeyOwnerKind.Team ? Limits.LimitAccountKind.Team : Limits.LimitAccountKind.User, id);

    private static string Kind(KeyOwnerKind kind) => kind == KeyOwnerKind.Team ? "team" : "user";

    private static void Bind(NpgsqlCommand command, KeyOwner account) =>
        command.Parameters.Text("kind", Kind(account.Kind)).Text("id", account.Id).Text("alias", account.Alias)
            .Text("models", SqliteKeyStore.ModelsJson(account.Models)).Long("budget", PostgresDatabase.ToNanos(account.MaxBudget))
            .Text("duration", account.BudgetDuration).Long("reset", account.BudgetResetAt?.ToUnixTimeMilliseconds())
            .Int("rpm", account.RpmLimit).Int("tpm", account.TpmLimit).Int("parallel", account.MaxParallelRequests)
            .Text("metadata", account.Metadata).Bool("blocked", account.Blocked);

    private static KeyOwner ReadOwner(NpgsqlDataReader reader) => new()
    {
        Kind = reader.GetString(0) == "team" ? KeyOwnerKind.Team : KeyOwnerKind.User,
        Id = reader.GetString(1),
        Alias = reader.TextOrNull(2),
        Models = SqliteKeyStore.ParseModels(reader.GetString(3)),
        MaxBudget = PostgresDatabase.FromNanos(reader, 4),
        BudgetDuration = reader.TextOrNull(5),
        BudgetResetAt = Time(reader, 6),
        Spend = PostgresDatabase.FromNanos(reader, 7) ?? 0,
        RpmLimit = reader.IsDBNull(8) ? null : reader.GetInt32(8),
        TpmLimit = reader.IsDBNull(9) ? null : reader.GetInt32(9),
        MaxParallelRequests = reader.IsDBNull(10) ? null : reader.GetInt32(10),
        Metadata = reader.TextOrNull(11),
        Created = PostgresDatabase.FromMs(reader.GetInt64(12)),
        Blocked = reader.GetBoolean(13),
    };
}
