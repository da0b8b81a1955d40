using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Allos.Storage.Sqlite;

/// <summary>Virtual keys in SQLite: one row per key hash; spend in nano-dollars so additions are exact. Users and teams: SqliteKeyStore.Owners.cs.</summary>
internal sealed partial class SqliteKeyStore(SqliteDatabase database) : IKeyStore
{
    private const string Columns =
        "hash, key_name, alias, models, max_budget_nanos, budget_duration, budget_reset_at, spend_nanos, rpm_limit, tpm_limit, max_parallel_requests, expires, user_id, team_id, metadata, created, blocked";

    public async Task CreateAsync(VirtualKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(key.Hash, nameof(key));
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand insert = SqliteDatabase.Command(connection, null, $"""
            INSERT INTO virtual_keys ({Columns})
            VALUES ($hash, $name, $alias, $models, $budget, $duration, $reset, $spend, $rpm, $tpm, $parallel, $expires, $user, $team, $metadata, $created, $blocked);
            """);
        Bind(insert, key);
        insert.Parameters.AddWithValue("$name", SqliteDatabase.OrNull(key.KeyName));
        insert.Parameters.AddWithValue("$spend", SqliteDatabase.ToNanos(key.Spend));
        insert.Parameters.AddWithValue("$created", key.Created.ToUnixTimeMilliseconds());
        try
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new InvalidOperationException(Duplicate(key, e), e);
        }
    }

    public async Task<VirtualKey?> GetAsync(string hash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hash);
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand select = SqliteDatabase.Command(connection, null, $"SELECT {Columns} FROM virtual_keys WHERE hash = $hash;");
        select.Parameters.AddWithValue("$hash", hash);
        using SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<VirtualKey>> ListAsync(string? userId = null, string? teamId = null, CancellationToken cancellationToken = default)
    {
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand select = SqliteDatabase.Command(connection, null, $"""
            SELECT {Columns} FROM virtual_keys
            WHERE ($user IS NULL OR user_id = $user) AND ($team IS NULL OR team_id = $team)
            ORDER BY created DESC, hash;
            """);
        select.Parameters.AddWithValue("$user", SqliteDatabase.OrNull(userId));
        select.Parameters.AddWithValue("$team", SqliteDatabase.OrNull(teamId));
        using SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand update = SqliteDatabase.Command(connection, null, """
            UPDATE virtual_keys SET alias = $alias, models = $models, max_budget_nanos = $budget, budget_duration = $duration,
                budget_reset_at = $reset, rpm_limit = $rpm, tpm_limit = $tpm, max_parallel_requests = $parallel, expires = $expires,
                user_id = $user, team_id = $team, metadata = $metadata, blocked = $blocked
            WHERE hash = $hash;
            """);
        Bind(update, key);
        try
        {
            return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new InvalidOperationException(Duplicate(key, e), e);
        }
    }

    public async Task<IReadOnlyList<string>> DeleteAsync(IEnumerable<string> hashes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction();
        using SqliteCommand delete = SqliteDatabase.Command(connection, transaction, "DELETE FROM virtual_keys WHERE hash = $hash;");
        SqliteParameter parameter = delete.Parameters.Add("$hash", SqliteType.Text);
        var deleted = new List<string>();
        foreach (string hash in hashes.Distinct(StringComparer.Ordinal))
        {
            parameter.Value = hash;
            if (await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
            {
                deleted.Add(hash);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    public async Task AddSpendAsync(string hash, decimal amount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hash);
        using SqliteConnection connection = await database.OpenTelemetryConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand update = SqliteDatabase.Command(connection, null, "UPDATE virtual_keys SET spend_nanos = spend_nanos + $amount WHERE hash = $hash;");
        update.Parameters.AddWithValue("$hash", hash);
        update.Parameters.AddWithValue("$amount", SqliteDatabase.ToNanos(amount));
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task ResetSpendAsync(string hash, DateTimeOffset? nextReset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hash);
        using SqliteConnection connection = await database.OpenTelemetryConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand update = SqliteDatabase.Command(connection, null, "UPDATE virtual_keys SET spend_nanos = 0, budget_reset_at = $reset WHERE hash = $hash;");
        update.Parameters.AddWithValue("$hash", hash);
        update.Parameters.AddWithValue("$reset", Ms(nextReset));
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void Bind(SqliteCommand command, VirtualKey key)
    {
        command.Parameters.AddWithValue("$hash", key.Hash);
        command.Parameters.AddWithValue("$alias", SqliteDatabase.OrNull(key.Alias));
        command.Parameters.AddWithValue("$models", ModelsJson(key.Models));
        command.Parameters.AddWithValue("$budget", SqliteDatabase.ToNanos(key.MaxBudget));
        command.Parameters.AddWithValue("$duration", SqliteDatabase.OrNull(key.BudgetDuration));
        command.Parameters.AddWithValue("$reset", Ms(key.BudgetResetAt));
        command.Parameters.AddWithValue("$rpm", SqliteDatabase.OrNull(key.RpmLimit));
        command.Parameters.AddWithValue("$tpm", SqliteDatabase.OrNull(key.TpmLimit));
        command.Parameters.AddWithValue("$parallel", SqliteDatabase.OrNull(key.MaxParallelRequests));
        command.Parameters.AddWithValue("$expires", Ms(key.Expires));
        command.Parameters.AddWithValue("$user", SqliteDatabase.OrNull(key.UserId));
        command.Parameters.AddWithValue("$team", SqliteDatabase.OrNull(key.TeamId));
        command.Parameters.AddWithValue("$metadata", SqliteDatabase.OrNull(key.Metadata));
        command.Parameters.AddWithValue("$blocked", key.Blocked);
    }

    private static VirtualKey Read(SqliteDataReader reader) => new()
    {
        Hash = reader.GetString(0),
        KeyName = reader.IsDBNull(1) ? null : reader.GetString(1),
        Alias = reader.IsDBNull(2) ? null : reader.GetString(2),
        Models = ParseModels(reader.GetString(3)),
        MaxBudget = SqliteDatabase.FromNanos(reader, 4),
        BudgetDuration = reader.IsDBNull(5) ? null : reader.GetString(5),
        BudgetResetAt = reader.IsDBNull(6) ? null : SqliteDatabase.FromMs(reader.GetInt64(6)),
        Spend = SqliteDatabase.FromNanos(reader, 7) ?? 0,
        RpmLimit = reader.IsDBNull(8) ? null : reader.GetInt32(8),
        TpmLimit = reader.IsDBNull(9) ? null : reader.GetInt32(9),
        MaxParallelRequests = reader.IsDBNull(10) ? null : reader.GetInt32(10),
        Expires = reader.IsDBNull(11) ? null : SqliteDatabase.FromMs(reader.GetInt64(11)),
        UserId = reader.IsDBNull(12) ? null : reader.GetString(12),
        TeamId = reader.IsDBNull(13) ? null : reader.GetString(13),
        Metadata = reader.IsDBNull(14) ? null : reader.GetString(14),
        Created = SqliteDatabase.FromMs(reader.GetInt64(15)),
        Blocked = reader.GetBoolean(16),
    };

    private static object Ms(DateTimeOffset? time) => time is { } value ? value.ToUnixTimeMilliseconds() : DBNull.Value;

    internal static string ModelsJson(IReadOnlyList<string> models)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (string model in models)
            {
                json.WriteStringValue(model);
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static string[] ParseModels(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(model => model.GetString() ?? "")];
    }

    private static string Duplicate(VirtualKey key, SqliteException e) =>
        e.Message.Contains("alias", StringComparison.Ordinal)
            ? $"A key with the alias '{key.Alias}' exists; choose another alias."
            : "A key with the same hash exists.";
}
