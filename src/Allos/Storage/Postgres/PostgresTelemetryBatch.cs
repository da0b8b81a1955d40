using Allos.Storage.Sqlite;
using Npgsql;

namespace Allos.Storage.Postgres;

/// <summary>Writes one telemetry batch in one transaction: the rows, the spend log's partitions they need, and the rollup.</summary>
internal sealed class PostgresTelemetryBatch(PostgresDatabase database, PostgresPartitions partitions)
{
    public async Task WriteAsync(List<object> batch)
    {
        var calls = batch.OfType<ModelCallRecord>().ToList();
        var executions = batch.OfType<ToolExecutionRecord>().ToList();
        var steps = batch.OfType<TelemetryWriter.StepRow>().ToList();

        using NpgsqlConnection connection = await database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        using NpgsqlTransaction transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        if (calls.Count > 0)
        {
            await partitions.EnsureAsync(connection, transaction, calls.Select(c => c.Time.ToUnixTimeMilliseconds()), CancellationToken.None).ConfigureAwait(false);
            await InsertCallsAsync(connection, transaction, calls).ConfigureAwait(false);
            await PostgresRollup.AddAsync(connection, transaction, PostgresRollup.Aggregate(calls)).ConfigureAwait(false);
        }

        if (executions.Count > 0)
        {
            using NpgsqlCommand insert = PostgresDatabase.Command(connection, transaction, """
                INSERT INTO tool_executions (time, session_id, run_id, tool_name, call_id, latency_ms, status, error)
                SELECT * FROM unnest(@time, @session, @run, @tool, @call, @latency, @status, @error);
                """);
            insert.Parameters.AddWithValue("time", executions.Select(e => e.Time.ToUnixTimeMilliseconds()).ToArray());
            insert.Parameters.AddWithValue("session", Texts(executions.Select(e => e.SessionId)));
            insert.Parameters.AddWithValue("run", Texts(executions.Select(e => e.RunId)));
            insert.Parameters.AddWithValue("tool", executions.Select(e => e.ToolName).ToArray());
            insert.Parameters.AddWithValue("call", Texts(executions.Select(e => e.CallId)));
            insert.Parameters.AddWithValue("latency", executions.Select(e => e.LatencyMs).ToArray());
            insert.Parameters.AddWithValue("status", executions.Select(e => e.Status).ToArray());
            insert.Parameters.AddWithValue("error", Texts(executions.Select(e => e.Error)));
            await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        if (steps.Count > 0)
        {
            using NpgsqlCommand insert = PostgresDatabase.Command(connection, transaction, """
                INSERT INTO run_steps (time, session_id, run_id, kind, agent, model, tool_name, call_id, input, output, status,
                    input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, latency_ms)
                SELECT * FROM unnest(@time, @session, @run, @kind, @agent, @model, @tool, @call, @input, @output, @status, @in, @out, @cached, @reasoning, @latency);
                """);
            NpgsqlParameterCollection p = insert.Parameters;
            p.AddWithValue("time", steps.Select(s => s.Step.Time.ToUnixTimeMilliseconds()).ToArray());
            p.AddWithValue("session", Texts(steps.Select(s => s.SessionId)));
            p.AddWithValue("run", steps.Select(s => s.RunId).ToArray());
            p.AddWithValue("kind", steps.Select(s => TelemetryStatements.KindText(s.Step.Kind)).ToArray());
            p.AddWithValue("agent", steps.Select(s => s.Step.Agent).ToArray());
            p.AddWithValue("model", Texts(steps.Select(s => s.Step.Model)));
            p.AddWithValue("tool", Texts(steps.Select(s => s.Step.ToolName)));
            p.AddWithValue("call", Texts(steps.Select(s => s.Step.CallId)));
            p.AddWithValue("input", Texts(steps.Select(s => s.Step.Input)));
            p.AddWithValue("output", Texts(steps.Select(s => s.Step.Output)));
            p.AddWithValue("status", Texts(steps.Select(s => s.Step.Status)));
            p.AddWithValue("in", steps.Select(s => s.Step.InputTokens).ToArray());
            p.AddWithValue("out", steps.Select(s => s.Step.OutputTokens).ToArray());
            p.AddWithValue("cached", steps.Select(s => s.Step.CachedInputTokens).ToArray());
            p.AddWithValue("reasoning", steps.Select(s => s.Step.ReasoningTokens).ToArray());
            p.AddWithValue("latency", steps.Select(s => s.Step.LatencyMs).ToArray());
            await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        partitions.Committed();
    }

    private static async Task InsertCallsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<ModelCallRecord> calls)
    {
        using NpgsqlCommand insert = PostgresDatabase.Command(connection, transaction, """
            INSERT INTO model_calls (time, session_id, run_id, provider, model, latency_ms, input_tokens, output_tokens,
                cached_input_tokens, reasoning_tokens, cost_nanos, status, error, alias, deployment, user_key, cache_hit,
                retries, fallbacks, streaming, ttft_ms, prompt_name, prompt_version, request_id, key_hash, key_alias, team_id, endpoint)
            SELECT * FROM unnest(@time, @session, @run, @provider, @model, @latency, @in, @out, @cached, @reasoning, @cost, @status, @error,
                @alias, @deployment, @user, @cacheHit, @retries, @fallbacks, @streaming, @ttft, @promptName, @promptVersion,
                @requestId, @keyHash, @keyAlias, @team, @endpoint);
            """);
        NpgsqlParameterCollection p = insert.Parameters;
        p.AddWithValue("time", calls.Select(c => c.Time.ToUnixTimeMilliseconds()).ToArray());
        p.AddWithValue("session", Texts(calls.Select(c => c.SessionId)));
        p.AddWithValue("run", Texts(calls.Select(c => c.RunId)));
        p.AddWithValue("provider", calls.Select(c => c.Provider).ToArray());
        p.AddWithValue("model", calls.Select(c => c.Model).ToArray());
        p.AddWithValue("latency", calls.Select(c => c.LatencyMs).ToArray());
        p.AddWithValue("in", calls.Select(c => c.InputTokens).ToArray());
        p.AddWithValue("out", calls.Select(c => c.OutputTokens).ToArray());
        p.AddWithValue("cached", calls.Select(c => c.CachedInputTokens).ToArray());
        p.AddWithValue("reasoning", calls.Select(c => c.ReasoningTokens).ToArray());
        // A cache hit spent nothing: storing 0 (known and free) keeps stats and budget spend in agreement.
        p.AddWithValue("cost", calls.Select(c => PostgresDatabase.ToNanos(c.CacheHit ? 0m : c.Cost)).ToArray());
        p.AddWithValue("status", calls.Select(c => c.Status).ToArray());
        p.AddWithValue("error", Texts(calls.Select(c => c.Error)));
        p.AddWithValue("alias", Texts(calls.Select(c => c.Alias)));
        p.AddWithValue("deployment", Texts(calls.Select(c => c.Deployment)));
        p.AddWithValue("user", Texts(calls.Select(c => c.UserKey)));
        p.AddWithValue("cacheHit", calls.Select(c => c.CacheHit).ToArray());
        p.AddWithValue("retries", calls.Select(c => c.Retries).ToArray());
        p.AddWithValue("fallbacks", calls.Select(c => c.Fallbacks).ToArray());
        p.AddWithValue("streaming", calls.Select(c => c.Streaming).ToArray());
        p.AddWithValue("ttft", calls.Select(c => c.TimeToFirstTokenMs).ToArray());
        p.AddWithValue("promptName", Texts(calls.Select(c => c.PromptName)));
        p.AddWithValue("promptVersion", calls.Select(c => c.PromptVersion).ToArray());
        // Generated here, in the background writer, so the request path never pays for an id nobody reported.
        p.AddWithValue("requestId", calls.Select(c => c.RequestId ?? "req_" + Guid.NewGuid().ToString("N")).ToArray());
        p.AddWithValue("keyHash", Texts(calls.Select(c => c.KeyHash)));
        p.AddWithValue("keyAlias", Texts(calls.Select(c => c.KeyAlias)));
        p.AddWithValue("team", Texts(calls.Select(c => c.TeamId)));
        p.AddWithValue("endpoint", Texts(calls.Select(c => c.Endpoint)));
        await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>A text[] that may hold nulls.</summary>
    private static string?[] Texts(IEnumerable<string?> values) => [.. values];
}
