using Microsoft.Data.Sqlite;

namespace Allos.Storage.Sqlite;

/// <summary>Users and teams in SQLite: one row per kind and id in <c>budget_accounts</c>; spend in nano-dollars like keys.</summary>
internal sealed partial class SqliteKeyStore
{
    private const string OwnerColumns =
        "kind, id, alias, models, max_budget_nanos, budget_duration, budget_reset_at, spend_nanos, rpm_limit, tpm_limit, max_parallel_requests, metadata, created, blocked";

    public async Task CreateOwnerAsync(KeyOwner account, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentException.ThrowIfNullOrWhiteSpace(account.Id, nameof(account));
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand insert = SqliteDatabase.Command(connection, null, $"""
            INSERT INTO budget_accounts ({OwnerColumns})
            VALUES ($kind, $id, $alias, $models, $budget, $duration, $reset, $spend, $rpm, $tpm, $parallel, $metadata, $created, $blocked);
            """);
        Bind(insert, account);
        insert.Parameters.AddWithValue("$spend", SqliteDatabase.ToNanos(account.Spend));
        insert.Parameters.AddWithValue("$created", account.Created.ToUnixTimeMilliseconds());
        try
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new InvalidOperationException($"A {Kind(account.Kind)} with the id '{account.Id}' exists; choose another id.", e);
        }
    }

    public async Task<KeyOwner?> GetOwnerAsync(KeyOwnerKind kind, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand select = SqliteDatabase.Command(connection, null, $"SELECT {OwnerColumns} FROM budget_accounts WHERE kind = $kind AND id = $id;");
        select.Parameters.AddWithValue("$kind", Kind(kind));
        select.Parameters.AddWithValue("$id", id);
        using SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadOwner(reader) : null;
    }

    public async Task<IReadOnlyList<KeyOwner>> ListOwnersAsync(KeyOwnerKind kind, CancellationToken cancellationToken = default)
    {
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand select = SqliteDatabase.Command(connection, null, $"SELECT {OwnerColumns} FROM budget_accounts WHERE kind = $kind ORDER BY created DESC, id;");
        select.Parameters.AddWithValue("$kind", Kind(kind));
        using SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand update = SqliteDatabase.Command(connection, null, """
            UPDATE budget_accounts SET alias = $alias, models = $models, max_budget_nanos = $budget, budget_duration = $duration,
                budget_reset_at = $reset, rpm_limit = $rpm, tpm_limit = $tpm, max_parallel_requests = $parallel,
                metadata = $metadata, blocked = $blocked
            WHERE kind = $kind AND id = $id;
            """);
        Bind(update, account);
        return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<IReadOnlyList<string>> DeleteOwnersAsync(KeyOwnerKind kind, IEnumerable<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction();
        using SqliteCommand delete = SqliteDatabase.Command(connection, transaction, "DELETE FROM budget_accounts WHERE kind = $kind AND id = $id;");
        delete.Parameters.AddWithValue("$kind", Kind(kind));
        SqliteParameter parameter = delete.Parameters.Add("$id", SqliteType.Text);
        var deleted = new List<string>();
        foreach (string id in ids.Distinct(StringComparer.Ordinal))
        {
            parameter.Value = id;
            if (await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
            {
                deleted.Add(id);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    public async Task AddOwnerSpendAsync(KeyOwnerKind kind, string id, decimal amount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        using SqliteConnection connection = await database.OpenTelemetryConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand update = SqliteDatabase.Command(connection, null, "UPDATE budget_accounts SET spend_nanos = spend_nanos + $amount WHERE kind = $kind AND id = $id;");
        update.Parameters.AddWithValue("$kind", Kind(kind));
        update.Parameters.AddWithValue("$id", id);
        update.Parameters.AddWithValue("$amount", SqliteDatabase.ToNanos(amount));
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task ResetOwnerSpendAsync(KeyOwnerKind kind, string id, DateTimeOffset? nextReset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        using SqliteConnection connection = await database.OpenTelemetryConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand update = SqliteDatabase.Command(connection, null, "UPDATE budget_accounts SET spend_nanos = 0, budget_reset_at = $reset WHERE kind = $kind AND id = $id;");
        update.Parameters.AddWithValue("$kind", Kind(kind));
        update.Parameters.AddWithValue("$id", id);
        update.Parameters.AddWithValue("$reset", Ms(nextReset));
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Kind(KeyOwnerKind kind) => kind == KeyOwnerKind.Team ? "team" : "user";

    private static void Bind(SqliteCommand command, KeyOwner account)
    {
        command.Parameters.AddWithValue("$kind", Kind(account.Kind));
        command.Parameters.AddWithValue("$id", account.Id);
        command.Parameters.AddWithValue("$alias", SqliteDatabase.OrNull(account.Alias));
        command.Parameters.AddWithValue("$models", ModelsJson(account.Models));
        command.Parameters.AddWithValue("$budget", SqliteDatabase.ToNanos(account.MaxBudget));
        command.Parameters.AddWithValue("$duration", SqliteDatabase.OrNull(account.BudgetDuration));
        command.Parameters.AddWithValue("$reset", Ms(account.BudgetResetAt));
        command.Parameters.AddWithValue("$rpm", SqliteDatabase.OrNull(account.RpmLimit));
        command.Parameters.AddWithValue("$tpm", SqliteDatabase.OrNull(account.TpmLimit));
        command.Parameters.AddWithValue("$parallel", SqliteDatabase.OrNull(account.MaxParallelRequests));
        command.Parameters.AddWithValue("$metadata", SqliteDatabase.OrNull(account.Metadata));
        command.Parameters.AddWithValue("$blocked", account.Blocked);
    }

    private static KeyOwner ReadOwner(SqliteDataReader reader) => new()
    {
        Kind = reader.GetString(0) == "team" ? KeyOwnerKind.Team : KeyOwnerKind.User,
        Id = reader.GetString(1),
        Alias = reader.IsDBNull(2) ? null : reader.GetString(2),
        Models = ParseModels(reader.GetString(3)),
        MaxBudget = SqliteDatabase.FromNanos(reader, 4),
        BudgetDuration = reader.IsDBNull(5) ? null : reader.GetString(5),
        BudgetResetAt = reader.IsDBNull(6) ? null : SqliteDatabase.FromMs(reader.GetInt64(6)),
        Spend = SqliteDatabase.FromNanos(reader, 7) ?? 0,
        RpmLimit = reader.IsDBNull(8) ? null : reader.GetInt32(8),
        TpmLimit = reader.IsDBNull(9) ? null : reader.GetInt32(9),
        MaxParallelRequests = reader.IsDBNull(10) ? null : reader.GetInt32(10),
        Metadata = reader.IsDBNull(11) ? null : reader.GetString(11),
        Created = SqliteDatabase.FromMs(reader.GetInt64(12)),
        Blocked = reader.GetBoolean(13),
    };
}
