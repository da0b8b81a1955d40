using System.Text;
using Allos.Storage.Sqlite;
using Npgsql;

namespace Allos.Storage.Postgres;

/// <summary>
/// Telemetry in PostgreSQL: recorded off the request path by the same batching <see cref="TelemetryWriter"/> as SQLite's,
/// each batch one transaction that inserts the rows and adds them to the daily rollup. Spend and stats read the rollup
/// for whole days and the log only for the part of the first day a period starts in.
/// </summary>
internal sealed class PostgresTelemetryStore(PostgresDatabase database, TelemetryWriter writer) : QueuedTelemetryStore(writer)
{
    private const string CallColumns = """
        time, session_id, run_id, provider, model, latency_ms, input_tokens, output_tokens, cached_input_tokens,
        reasoning_tokens, cost_nanos, status, error, alias, deployment, user_key, cache_hit, retries, fallbacks, streaming,
        ttft_ms, prompt_name, prompt_version, request_id, key_hash, key_alias, team_id, endpoint
        """;

    public override async Task<IReadOnlyList<UsageStats>> StatsAsync(StatsGrouping by, DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        string dimension = PostgresRollup.Dimension(by);
        var totals = new Dictionary<string, PostgresRollup.Totals>(StringComparer.Ordinal);
        PostgresRollup.Totals At(string key) =>
            totals.TryGetValue(key, out PostgresRollup.Totals? found) ? found : totals[key] = new PostgresRollup.Totals();

        long? sinceMs = since?.ToUnixTimeMilliseconds();
        long fromDay = sinceMs is { } s ? PostgresRollup.DayOf(s) : long.MinValue;
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (sinceMs is { } start && start != fromDay)
        {
            // The period starts inside a day: that day's part comes from the log (under a day of rows, by time).
            fromDay += PostgresRollup.DayMs;
            foreach (ModelCallRecord call in await ReadCallsAsync(connection, "time >= @since AND time < @until", p => p.Long("since", start).Long("until", fromDay), int.MaxValue, cancellationToken).ConfigureAwait(false))
            {
                string key = by == StatsGrouping.Day
                    ? PostgresRollup.DayText(PostgresRollup.DayOf(call.Time.ToUnixTimeMilliseconds()))
                    : PostgresRollup.Values(call).First(v => v.Dimension == dimension).Value;
                At(key).Add(call);
            }
        }

        using (NpgsqlCommand select = PostgresDatabase.Command(connection, null, """
            SELECT day, value, calls, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_nanos, unknown_cost,
                cache_hits, retries, fallbacks, errors
            FROM model_call_daily WHERE dimension = @dimension AND day >= @from;
            """))
        {
            select.Parameters.Text("dimension", dimension).Long("from", fromDay);
            using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                string key = by == StatsGrouping.Day ? PostgresRollup.DayText(reader.GetInt64(0)) : reader.GetString(1);
                At(key).Add(new PostgresRollup.Totals
                {
                    Calls = reader.GetInt64(2),
                    InputTokens = reader.GetInt64(3),
                    OutputTokens = reader.GetInt64(4),
                    CachedInputTokens = reader.GetInt64(5),
                    ReasoningTokens = reader.GetInt64(6),
                    CostNanos = reader.LongOrNull(7),
                    UnknownCost = reader.GetInt64(8),
                    CacheHits = reader.GetInt64(9),
                    Retries = reader.GetInt64(10),
                    Fallbacks = reader.GetInt64(11),
                    Errors = reader.GetInt64(12),
                });
            }
        }

        // The SQLite store's order: most spent first (unknown last), then most calls, then the key.
        return [.. totals
            .Where(t => t.Value.Calls > 0)
            .OrderBy(t => t.Value.CostNanos is null)
            .ThenByDescending(t => t.Value.CostNanos ?? 0)
            .ThenByDescending(t => t.Value.Calls)
            .ThenBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => t.Value.ToStats(t.Key))];
    }

    public override async Task<decimal> SpentAsync(SpendQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await FlushAsync(cancellationToken).ConfigureAwait(false);

        var filters = new List<(string Column, string Dimension, string Value)>();
        if (query.Alias is not null)
        {
            filters.Add(("alias", "alias", query.Alias));
        }

        if (query.UserKey is not null)
        {
            filters.Add(("user_key", "user", query.UserKey));
        }

        if (query.SessionId is not null)
        {
            filters.Add(("session_id", "session", query.SessionId));
        }

        long since = query.Since.ToUnixTimeMilliseconds();
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand select = PostgresDatabase.Command(connection, null, "");
        var where = new StringBuilder();
        for (int i = 0; i < filters.Count; i++)
        {
            where.Append(" AND ").Append(filters[i].Column).Append(" = @f").Append(i);
            select.Parameters.Text("f" + i, filters[i].Value);
        }

        select.Parameters.Long("since", since);
        if (filters.Count > 1)
        {
            // Rolled up one dimension at a time, so a combination reads the log (by the first filter's key-and-time index).
            select.CommandText = $"SELECT COALESCE(SUM(cost_nanos), 0)::bigint FROM model_calls WHERE time >= @since{where};";
        }
        else
        {
            long fromDay = PostgresRollup.DayOf(since);
            fromDay += since == fromDay ? 0 : PostgresRollup.DayMs;
            select.Parameters.Long("from", fromDay).Text("dimension", filters.Count == 0 ? "all" : filters[0].Dimension)
                .Text("value", filters.Count == 0 ? "" : filters[0].Value);
            select.CommandText = $"""
                SELECT (SELECT COALESCE(SUM(cost_nanos), 0) FROM model_calls WHERE time >= @since AND time < @from{where})
                    + (SELECT COALESCE(SUM(cost_nanos), 0) FROM model_call_daily WHERE dimension = @dimension AND value = @value AND day >= @from);
                """;
        }

        object? result = await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToDecimal(result, System.Globalization.CultureInfo.InvariantCulture) / 1_000_000_000m;
    }

    public override async Task<IReadOnlyList<ModelCallRecord>> GetModelCallsAsync(ModelCallQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        await FlushAsync(cancellationToken).ConfigureAwait(false);

        var where = new StringBuilder("true");
        var binds = new List<Action<NpgsqlParameterCollection>>();
        void Filter(string condition, Action<NpgsqlParameterCollection>? bind)
        {
            // Only the filters set go into the SQL, so the planner picks the (key, time) index for the one given.
            if (bind is not null)
            {
                where.Append(" AND ").Append(condition);
                binds.Add(bind);
            }
        }

        Filter("time >= @since", query.Since is { } since ? p => p.Long("since", since.ToUnixTimeMilliseconds()) : null);
        Filter("time < @until", query.Until is { } until ? p => p.Long("until", until.ToUnixTimeMilliseconds()) : null);
        Filter("key_hash = @key", query.KeyHash is { } key ? p => p.Text("key", key) : null);
        Filter("user_key = @user", query.UserKey is { } user ? p => p.Text("user", user) : null);
        Filter("team_id = @team", query.TeamId is { } team ? p => p.Text("team", team) : null);
        Filter("(alias = @model OR model = @model)", query.Model is { } model ? p => p.Text("model", model) : null);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadCallsAsync(connection, where.ToString(), p => binds.ForEach(b => b(p)), query.Limit, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<ModelCallRecord>> ReadCallsAsync(
        NpgsqlConnection connection, string where, Action<NpgsqlParameterCollection> bind, int limit, CancellationToken cancellationToken)
    {
        using NpgsqlCommand select = PostgresDatabase.Command(connection, null,
            $"SELECT {CallColumns} FROM model_calls WHERE {where} ORDER BY time DESC, id DESC LIMIT @limit;");
        bind(select.Parameters);
        select.Parameters.Int("limit", limit);
        var calls = new List<ModelCallRecord>();
        using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            calls.Add(new ModelCallRecord
            {
                Time = PostgresDatabase.FromMs(reader.GetInt64(0)),
                SessionId = reader.TextOrNull(1),
                RunId = reader.TextOrNull(2),
                Provider = reader.GetString(3),
                Model = reader.GetString(4),
                LatencyMs = reader.GetDouble(5),
                InputTokens = reader.LongOrNull(6),
                OutputTokens = reader.LongOrNull(7),
                CachedInputTokens = reader.LongOrNull(8),
                ReasoningTokens = reader.LongOrNull(9),
                Cost = PostgresDatabase.FromNanos(reader, 10),
                Status = reader.GetString(11),
                Error = reader.TextOrNull(12),
                Alias = reader.TextOrNull(13),
                Deployment = reader.TextOrNull(14),
                UserKey = reader.TextOrNull(15),
                CacheHit = reader.GetBoolean(16),
                Retries = reader.GetInt32(17),
                Fallbacks = reader.GetInt32(18),
                Streaming = reader.GetBoolean(19),
                TimeToFirstTokenMs = reader.IsDBNull(20) ? null : reader.GetDouble(20),
                PromptName = reader.TextOrNull(21),
                PromptVersion = reader.IsDBNull(22) ? null : reader.GetInt32(22),
                RequestId = reader.TextOrNull(23),
                KeyHash = reader.TextOrNull(24),
                KeyAlias = reader.TextOrNull(25),
                TeamId = reader.TextOrNull(26),
                Endpoint = reader.TextOrNull(27),
            });
        }

        return calls;
    }

    public override async Task<IReadOnlyList<StoredRunStep>> GetRunStepsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand select = PostgresDatabase.Command(connection, null, """
            SELECT run_id, time, kind, agent, model, tool_name, call_id, input, output, status,
                input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, latency_ms
            FROM run_steps WHERE session_id = @session ORDER BY time, id;
            """);
        select.Parameters.Text("session", sessionId);
        var steps = new List<StoredRunStep>();
        using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            steps.Add(new StoredRunStep(reader.GetString(0), new RunStep(
                PostgresDatabase.FromMs(reader.GetInt64(1)),
                TelemetryStatements.KindOf(reader.GetString(2)),
                reader.GetString(3),
                reader.TextOrNull(4),
                reader.TextOrNull(5),
                reader.TextOrNull(6),
                reader.TextOrNull(7),
                reader.TextOrNull(8),
                reader.TextOrNull(9),
                reader.LongOrNull(10),
                reader.LongOrNull(11),
                reader.LongOrNull(12),
                reader.LongOrNull(13),
                reader.GetDouble(14))));
        }

        return steps;
    }

    public override async Task<CleanupResult> CleanupAsync(DateTimeOffset olderThan, bool keepPinned = true, CancellationToken cancellationToken = default)
    {
        long cutoff = olderThan.ToUnixTimeMilliseconds();
        string pinnedFilter = keepPinned ? "AND session_id NOT IN (SELECT id FROM sessions WHERE pinned)" : "";
        string sessionFilter = keepPinned ? "updated < @cutoff AND NOT pinned" : "updated < @cutoff";

        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int sessions = await PostgresSessionStore.DeleteSessionsAsync(
            connection, transaction, sessionFilter, p => p.Long("cutoff", cutoff), cancellationToken).ConfigureAwait(false);

        async Task<int> DeleteOldAsync(string table)
        {
            // "session_id IS NULL OR" keeps the NOT IN filter from dropping rows without a session.
            using NpgsqlCommand delete = PostgresDatabase.Command(connection, transaction,
                $"DELETE FROM {table} WHERE time < @cutoff AND (session_id IS NULL OR true {pinnedFilter});");
            delete.Parameters.Long("cutoff", cutoff);
            return await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        int calls = await DeleteOldAsync("model_calls").ConfigureAwait(false);
        int executions = await DeleteOldAsync("tool_executions").ConfigureAwait(false);
        int steps = await DeleteOldAsync("run_steps").ConfigureAwait(false);
        if (calls > 0)
        {
            // The days the cleanup reached are rolled up again from the calls they kept (pinned sessions', and the
            // cutoff day's newer part).
            long end = PostgresRollup.DayOf(cutoff) + PostgresRollup.DayMs;
            using (NpgsqlCommand forget = PostgresDatabase.Command(connection, transaction, "DELETE FROM model_call_daily WHERE day < @end;"))
            {
                forget.Parameters.Long("end", end);
                await forget.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            List<ModelCallRecord> kept = await ReadCallsAsync(connection, "time < @end", p => p.Long("end", end), int.MaxValue, cancellationToken).ConfigureAwait(false);
            await PostgresRollup.AddAsync(connection, transaction, PostgresRollup.Aggregate(kept)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return new CleanupResult(sessions, calls, executions, steps);
    }
}
