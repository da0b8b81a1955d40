using System.Text;
using Microsoft.Data.Sqlite;

namespace Allos.Storage.Sqlite;

/// <summary>Telemetry in SQLite: records go through <see cref="TelemetryWriter"/>; queries read the tables directly.</summary>
internal sealed class SqliteTelemetryStore(SqliteDatabase database, TelemetryWriter writer) : QueuedTelemetryStore(writer)
{
    public override async Task<IReadOnlyList<UsageStats>> StatsAsync(StatsGrouping by, DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        string key = by switch
        {
            // The Router and sessions record the full id (openai/gpt-4o) as the model; other writers the bare name.
            StatsGrouping.Model => "CASE WHEN substr(model, 1, length(provider) + 1) = provider || '/' THEN model ELSE provider || '/' || model END",
            StatsGrouping.Provider => "provider",
            StatsGrouping.Day => "strftime('%Y-%m-%d', time / 1000, 'unixepoch')",
            StatsGrouping.Session => "COALESCE(session_id, '')",
            StatsGrouping.Alias => "COALESCE(alias, '')",
            StatsGrouping.Deployment => "COALESCE(deployment, '')",
            StatsGrouping.User => "COALESCE(user_key, '')",
            StatsGrouping.Prompt => "CASE WHEN prompt_name IS NULL THEN '' ELSE prompt_name || COALESCE('@' || prompt_version, '') END",
            StatsGrouping.Key => "CASE WHEN key_hash IS NULL THEN '' ELSE COALESCE(key_alias, substr(key_hash, 1, 12)) END",
            StatsGrouping.Team => "COALESCE(team_id, '')",
            _ => throw new ArgumentOutOfRangeException(nameof(by), by, "Unknown grouping."),
        };

        using SqliteConnection connection = await database.OpenTelemetryConnectionAsync(cancellationToken).ConfigureAwait(false);
        // SUM of integer nano-units is exact; SUM over only NULLs is NULL, so "no known cost" stays unknown.
        using SqliteCommand select = SqliteDatabase.Command(connection, null, $"""
            SELECT {key} AS k, COUNT(*), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),
                COALESCE(SUM(cached_input_tokens), 0), COALESCE(SUM(reasoning_tokens), 0), SUM(cost_nanos),
                SUM(CASE WHEN cost_nanos IS NULL AND status = 'ok' THEN 1 ELSE 0 END),
                SUM(cache_hit), SUM(retries), SUM(fallbacks), SUM(CASE WHEN status = 'ok' THEN 0 ELSE 1 END)
            FROM model_calls
            WHERE $since IS NULL OR time >= $since
            GROUP BY k
            ORDER BY SUM(cost_nanos) DESC NULLS LAST, COUNT(*) DESC, k;
            """);
        select.Parameters.AddWithValue("$since", SqliteDatabase.OrNull(since?.ToUnixTimeMilliseconds()));
        var stats = new List<UsageStats>();
        using SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            stats.Add(new UsageStats(
                reader.GetString(0),
                reader.GetInt64(1),
                reader.GetInt64(2),
                reader.GetInt64(3),
                reader.GetInt64(4),
                reader.GetInt64(5),
                SqliteDatabase.FromNanos(reader, 6),
                reader.GetInt64(7),
                reader.GetInt64(8),
                reader.GetInt64(9),
                reader.GetInt64(10),
                reader.GetInt64(11)));
        }

        return stats;
    }

    /// <remarks>Flushes first (rather than summing the queue) so one query over the table answers, whatever is queued.</remarks>
    public override async Task<decimal> SpentAsync(SpendQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await FlushAsync(cancellationToken).ConfigureAwait(false);

        // Only the filters set go into the SQL, so SQLite can pick the (key, time) index for the one given.
        var sql = new StringBuilder("SELECT COALESCE(SUM(cost_nanos), 0) FROM model_calls WHERE time >= $since");
        using SqliteConnection connection = await database.OpenTelemetryConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand select = SqliteDatabase.Command(connection, null, "");
        select.Parameters.AddWithValue("$since", query.Since.ToUnixTimeMilliseconds());
        void Filter(string column, string parameter, string? value)
        {
            if (value is not null)
            {
                sql.Append(" AND ").Append(column).Append(" = ").Append(parameter);
                select.Parameters.AddWithValue(parameter, value);
            }
        }

        Filter("alias", "$alias", query.Alias);
        Filter("user_key", "$user", query.UserKey);
        Filter("session_id", "$session", query.SessionId);
        select.CommandText = sql.Append(';').ToString();
        long nanos = (long)(await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return nanos / 1_000_000_000m;
    }

    public override async Task<IReadOnlyList<ModelCallRecord>> GetModelCallsAsync(ModelCallQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        await FlushAsync(cancellationToken).ConfigureAwait(false);

        var sql = new StringBuilder("""
            SELECT time, session_id, run_id, provider, model, latency_ms, input_tokens, output_tokens, cached_input_tokens,
                reasoning_tokens, cost_nanos, status, error, alias, deployment, user_key, cache_hit, retries, fallbacks, streaming,
                ttft_ms, prompt_name, prompt_version, request_id, key_hash, key_alias, team_id, endpoint
            FROM model_calls WHERE 1
            """);
        using SqliteConnection connection = await database.OpenTelemetryConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand select = SqliteDatabase.Command(connection, null, "");
        void Filter(string condition, string parameter, object? value)
        {
            // Only the filters set go into the SQL, so SQLite can pick the (key, time) index for the one given.
            if (value is not null)
            {
                sql.Append(" AND ").Append(condition);
                select.Parameters.AddWithValue(parameter, value);
            }
        }

        Filter("time >= $since", "$since", query.Since?.ToUnixTimeMilliseconds());
        Filter("time < $until", "$until", query.Until?.ToUnixTimeMilliseconds());
        Filter("key_hash = $key", "$key", query.KeyHash);
        Filter("user_key = $user", "$user", query.UserKey);
        Filter("team_id = $team", "$team", query.TeamId);
        Filter("(alias = $model OR model = $model)", "$model", query.Model);
        select.CommandText = sql.Append(" ORDER BY time DESC, id DESC LIMIT $limit;").ToString();
        select.Parameters.AddWithValue("$limit", query.Limit);

        var calls = new List<ModelCallRecord>();
        using SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        string? Text(int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
        long? Number(int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            calls.Add(new ModelCallRecord
            {
                Time = SqliteDatabase.FromMs(reader.GetInt64(0)),
                SessionId = Text(1),
                RunId = Text(2),
                Provider = reader.GetString(3),
                Model = reader.GetString(4),
                LatencyMs = reader.GetDouble(5),
                InputTokens = Number(6),
                OutputTokens = Number(7),
                CachedInputTokens = Number(8),
                ReasoningTokens = Number(9),
                Cost = SqliteDatabase.FromNanos(reader, 10),
                Status = reader.GetString(11),
                Error = Text(12),
                Alias = Text(13),
                Deployment = Text(14),
                UserKey = Text(15),
                CacheHit = reader.GetInt64(16) != 0,
                Retries = reader.GetInt32(17),
                Fallbacks = reader.GetInt32(18),
                Streaming = reader.GetInt64(19) != 0,
                TimeToFirstTokenMs = reader.IsDBNull(20) ? null : reader.GetDouble(20),
                PromptName = Text(21),
                PromptVersion = reader.IsDBNull(22) ? null : reader.GetInt32(22),
                RequestId = Text(23),
                KeyHash = Text(24),
                KeyAlias = Text(25),
                TeamId = Text(26),
                Endpoint = Text(27),
            });
        }

        return calls;
    }

    public override async Task<IReadOnlyList<StoredRunStep>> GetRunStepsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        using SqliteConnection connection = await database.OpenTelemetryConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand select = SqliteDatabase.Command(connection, null, """
            SELECT run_id, time, kind, agent, model, tool_name, call_id, input, output, status,
                input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, latency_ms
            FROM run_steps WHERE session_id = $session ORDER BY time, id;
            """);
        select.Parameters.AddWithValue("$session", sessionId);
        var steps = new List<StoredRunStep>();
        using SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        string? Text(int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
        long? Number(int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            steps.Add(new StoredRunStep(reader.GetString(0), new RunStep(
                SqliteDatabase.FromMs(reader.GetInt64(1)),
                TelemetryStatements.KindOf(reader.GetString(2)),
                reader.GetString(3),
                Text(4),
                Text(5),
                Text(6),
                Text(7),
                Text(8),
                Text(9),
                Number(10),
                Number(11),
                Number(12),
                Number(13),
                reader.GetDouble(14))));
        }

        return steps;
    }

    public override async Task<CleanupResult> CleanupAsync(DateTimeOffset olderThan, bool keepPinned = true, CancellationToken cancellationToken = default)
    {
        long cutoff = olderThan.ToUnixTimeMilliseconds();
        string pinnedFilter = keepPinned ? "AND session_id NOT IN (SELECT id FROM sessions WHERE pinned = 1)" : "";
        string sessionFilter = keepPinned ? "updated < $cutoff AND pinned = 0" : "updated < $cutoff";

        using SqliteConnection connection = await database.OpenTelemetryConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction();
        int sessions = await SqliteSessionStore.DeleteSessionsAsync(
            connection, transaction, sessionFilter, p => p.AddWithValue("$cutoff", cutoff), cancellationToken).ConfigureAwait(false);

        async Task<int> DeleteOldAsync(string table)
        {
            // "session_id IS NULL OR" keeps the NOT IN filter from dropping rows without a session.
            using SqliteCommand delete = SqliteDatabase.Command(connection, transaction,
                $"DELETE FROM {table} WHERE time < $cutoff AND (session_id IS NULL OR 1 {pinnedFilter});");
            delete.Parameters.AddWithValue("$cutoff", cutoff);
            return await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        int calls = await DeleteOldAsync("model_calls").ConfigureAwait(false);
        int executions = await DeleteOldAsync("tool_executions").ConfigureAwait(false);
        int steps = await DeleteOldAsync("run_steps").ConfigureAwait(false);
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return new CleanupResult(sessions, calls, executions, steps);
    }
}
