using Microsoft.Data.Sqlite;

namespace Allos.Storage.Sqlite;

/// <summary>The three prepared inserts of a telemetry batch, created on first use and reused for every row of the batch.</summary>
internal sealed class TelemetryStatements(SqliteConnection connection, SqliteTransaction transaction) : IDisposable
{
    private SqliteCommand? _modelCall;
    private SqliteCommand? _toolExecution;
    private SqliteCommand? _runStep;

    public Task InsertAsync(ModelCallRecord call)
    {
        _modelCall ??= Prepare("""
            INSERT INTO model_calls (time, session_id, run_id, provider, model, latency_ms, input_tokens, output_tokens,
                cached_input_tokens, reasoning_tokens, cost_nanos, status, error, alias, deployment, user_key, cache_hit,
                retries, fallbacks, streaming, ttft_ms, prompt_name, prompt_version, request_id, key_hash, key_alias, team_id, endpoint)
            VALUES ($time, $session, $run, $provider, $model, $latency, $in, $out, $cached, $reasoning, $cost, $status, $error,
                $alias, $deployment, $user, $cacheHit, $retries, $fallbacks, $streaming, $ttft, $promptName, $promptVersion,
                $requestId, $keyHash, $keyAlias, $team, $endpoint);
            """, "$time", "$session", "$run", "$provider", "$model", "$latency", "$in", "$out", "$cached", "$reasoning", "$cost", "$status", "$error",
            "$alias", "$deployment", "$user", "$cacheHit", "$retries", "$fallbacks", "$streaming", "$ttft", "$promptName", "$promptVersion",
            "$requestId", "$keyHash", "$keyAlias", "$team", "$endpoint");

        // A cache hit spent nothing: storing 0 (known and free) keeps stats and budget spend in agreement.
        decimal? cost = call.CacheHit ? 0m : call.Cost;
        return ExecuteAsync(_modelCall,
            call.Time.ToUnixTimeMilliseconds(), call.SessionId, call.RunId, call.Provider, call.Model, call.LatencyMs,
            call.InputTokens, call.OutputTokens, call.CachedInputTokens, call.ReasoningTokens, SqliteDatabase.ToNanos(cost),
            call.Status, call.Error, call.Alias, call.Deployment, call.UserKey, call.CacheHit ? 1 : 0, call.Retries, call.Fallbacks,
            call.Streaming ? 1 : 0, call.TimeToFirstTokenMs, call.PromptName, call.PromptVersion,
            // Generated here, in the background writer, so the request path never pays for an id nobody reported.
            call.RequestId ?? "req_" + Guid.NewGuid().ToString("N"), call.KeyHash, call.KeyAlias, call.TeamId, call.Endpoint);
    }

    public Task InsertAsync(ToolExecutionRecord execution)
    {
        _toolExecution ??= Prepare("""
            INSERT INTO tool_executions (time, session_id, run_id, tool_name, call_id, latency_ms, status, error)
            VALUES ($time, $session, $run, $tool, $call, $latency, $status, $error);
            """, "$time", "$session", "$run", "$tool", "$call", "$latency", "$status", "$error");
        return ExecuteAsync(_toolExecution,
            execution.Time.ToUnixTimeMilliseconds(), execution.SessionId, execution.RunId, execution.ToolName, execution.CallId,
            execution.LatencyMs, execution.Status, execution.Error);
    }

    public Task InsertAsync(TelemetryWriter.StepRow row)
    {
        _runStep ??= Prepare("""
            INSERT INTO run_steps (time, session_id, run_id, kind, agent, model, tool_name, call_id, input, output, status,
                input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, latency_ms)
            VALUES ($time, $session, $run, $kind, $agent, $model, $tool, $call, $input, $output, $status, $in, $out, $cached, $reasoning, $latency);
            """, "$time", "$session", "$run", "$kind", "$agent", "$model", "$tool", "$call", "$input", "$output", "$status", "$in", "$out", "$cached", "$reasoning", "$latency");
        RunStep step = row.Step;
        return ExecuteAsync(_runStep,
            step.Time.ToUnixTimeMilliseconds(), row.SessionId, row.RunId, KindText(step.Kind), step.Agent, step.Model, step.ToolName,
            step.CallId, step.Input, step.Output, step.Status, step.InputTokens, step.OutputTokens, step.CachedInputTokens,
            step.ReasoningTokens, step.LatencyMs);
    }

    public void Dispose()
    {
        _modelCall?.Dispose();
        _toolExecution?.Dispose();
        _runStep?.Dispose();
    }

    private SqliteCommand Prepare(string sql, params string[] names)
    {
        SqliteCommand command = SqliteDatabase.Command(connection, transaction, sql);
        foreach (string name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private static async Task ExecuteAsync(SqliteCommand command, params object?[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>Reads back what <see cref="KindText"/> wrote; a kind this version does not know reads as <see cref="RunStepKind.Respond"/>.</summary>
    public static RunStepKind KindOf(string text) => text switch
    {
        "model_call" => RunStepKind.ModelCall,
        "tool_call" => RunStepKind.ToolCall,
        "handoff" => RunStepKind.Handoff,
        "approval" => RunStepKind.Approval,
        _ => Enum.TryParse(text, ignoreCase: true, out RunStepKind kind) ? kind : RunStepKind.Respond,
    };

    internal static string KindText(RunStepKind kind) => kind switch
    {
        RunStepKind.ModelCall => "model_call",
        RunStepKind.ToolCall => "tool_call",
        RunStepKind.Respond => "respond",
        RunStepKind.Handoff => "handoff",
        RunStepKind.Approval => "approval",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
