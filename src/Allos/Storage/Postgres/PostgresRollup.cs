using System.Globalization;
using Npgsql;

namespace Allos.Storage.Postgres;

/// <summary>
/// The spend log's daily rollup: per UTC day, per dimension (each <see cref="StatsGrouping"/>, and <c>all</c>), per value,
/// the sums stats and spend need. The telemetry writer adds each batch in the transaction that inserts it.
/// </summary>
internal static class PostgresRollup
{
    public const long DayMs = 86_400_000;

    /// <summary>Session deletion detaches its calls; their rollup rows follow them to "no session".</summary>
    public const string MoveToNoSessionSql = """
        INSERT INTO model_call_daily AS d
        SELECT day, 'session', '', SUM(calls), SUM(input_tokens), SUM(output_tokens), SUM(cached_input_tokens), SUM(reasoning_tokens),
            SUM(cost_nanos), SUM(unknown_cost), SUM(cache_hits), SUM(retries), SUM(fallbacks), SUM(errors)
        FROM model_call_daily WHERE dimension = 'session' AND value IN (SELECT id FROM doomed_sessions) GROUP BY day
        ON CONFLICT (dimension, value, day) DO UPDATE SET
            calls = d.calls + excluded.calls, input_tokens = d.input_tokens + excluded.input_tokens,
            output_tokens = d.output_tokens + excluded.output_tokens, cached_input_tokens = d.cached_input_tokens + excluded.cached_input_tokens,
            reasoning_tokens = d.reasoning_tokens + excluded.reasoning_tokens,
            cost_nanos = CASE WHEN excluded.cost_nanos IS NULL THEN d.cost_nanos ELSE COALESCE(d.cost_nanos, 0) + excluded.cost_nanos END,
            unknown_cost = d.unknown_cost + excluded.unknown_cost, cache_hits = d.cache_hits + excluded.cache_hits,
            retries = d.retries + excluded.retries, fallbacks = d.fallbacks + excluded.fallbacks, errors = d.errors + excluded.errors;
        DELETE FROM model_call_daily WHERE dimension = 'session' AND value IN (SELECT id FROM doomed_sessions);
        """;

    public static long DayOf(long timeMs) => timeMs - (((timeMs % DayMs) + DayMs) % DayMs);

    public static string DayText(long dayMs) => DateTimeOffset.FromUnixTimeMilliseconds(dayMs).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Dimension(StatsGrouping by) => by switch
    {
        StatsGrouping.Model => "model",
        StatsGrouping.Provider => "provider",
        StatsGrouping.Day => "all",
        StatsGrouping.Session => "session",
        StatsGrouping.Alias => "alias",
        StatsGrouping.Deployment => "deployment",
        StatsGrouping.User => "user",
        StatsGrouping.Prompt => "prompt",
        StatsGrouping.Key => "key",
        StatsGrouping.Team => "team",
        _ => throw new ArgumentOutOfRangeException(nameof(by), by, "Unknown grouping."),
    };

    /// <summary>The value a call has in each dimension: the same keys the SQLite store groups by.</summary>
    public static IEnumerable<(string Dimension, string Value)> Values(ModelCallRecord call)
    {
        yield return ("all", "");
        // The Router and sessions record the full id (openai/gpt-4o) as the model; other writers the bare name.
        yield return ("model", call.Model.StartsWith(call.Provider + "/", StringComparison.Ordinal) ? call.Model : call.Provider + "/" + call.Model);
        yield return ("provider", call.Provider);
        yield return ("session", call.SessionId ?? "");
        yield return ("alias", call.Alias ?? "");
        yield return ("deployment", call.Deployment ?? "");
        yield return ("user", call.UserKey ?? "");
        yield return ("prompt", call.PromptName is null ? "" : call.PromptName + (call.PromptVersion is { } v ? "@" + v.ToString(CultureInfo.InvariantCulture) : ""));
        yield return ("key", call.KeyHash is null ? "" : call.KeyAlias ?? call.KeyHash[..Math.Min(12, call.KeyHash.Length)]);
        yield return ("team", call.TeamId ?? "");
    }

    /// <summary>Adds calls into per (day, dimension, value) sums.</summary>
    public static Dictionary<(long Day, string Dimension, string Value), Totals> Aggregate(IEnumerable<ModelCallRecord> calls)
    {
        var sums = new Dictionary<(long, string, string), Totals>();
        foreach (ModelCallRecord call in calls)
        {
            long day = DayOf(call.Time.ToUnixTimeMilliseconds());
            foreach ((string dimension, string value) in Values(call))
            {
                if (!sums.TryGetValue((day, dimension, value), out Totals? totals))
                {
                    sums[(day, dimension, value)] = totals = new Totals();
                }

                totals.Add(call);
            }
        }

        return sums;
    }

    /// <summary>Adds the sums into the table (one statement; the keys are distinct, so no row is updated twice).</summary>
    public static async Task AddAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Dictionary<(long Day, string Dimension, string Value), Totals> sums)
    {
        if (sums.Count == 0)
        {
            return;
        }

        var rows = sums.ToList();
        using NpgsqlCommand upsert = PostgresDatabase.Command(connection, transaction, """
            INSERT INTO model_call_daily AS d
            SELECT * FROM unnest(@day, @dimension, @value, @calls, @in, @out, @cached, @reasoning, @cost, @unknown, @hits, @retries, @fallbacks, @errors)
            ON CONFLICT (dimension, value, day) DO UPDATE SET
                calls = d.calls + excluded.calls, input_tokens = d.input_tokens + excluded.input_tokens,
                output_tokens = d.output_tokens + excluded.output_tokens, cached_input_tokens = d.cached_input_tokens + excluded.cached_input_tokens,
                reasoning_tokens = d.reasoning_tokens + excluded.reasoning_tokens,
                cost_nanos = CASE WHEN excluded.cost_nanos IS NULL THEN d.cost_nanos ELSE COALESCE(d.cost_nanos, 0) + excluded.cost_nanos END,
                unknown_cost = d.unknown_cost + excluded.unknown_cost, cache_hits = d.cache_hits + excluded.cache_hits,
                retries = d.retries + excluded.retries, fallbacks = d.fallbacks + excluded.fallbacks, errors = d.errors + excluded.errors;
            """);
        NpgsqlParameterCollection p = upsert.Parameters;
        p.AddWithValue("day", rows.Select(r => r.Key.Day).ToArray());
        p.AddWithValue("dimension", rows.Select(r => r.Key.Dimension).ToArray());
        p.AddWithValue("value", rows.Select(r => r.Key.Value).ToArray());
        p.AddWithValue("calls", rows.Select(r => r.Value.Calls).ToArray());
        p.AddWithValue("in", rows.Select(r => r.Value.InputTokens).ToArray());
        p.AddWithValue("out", rows.Select(r => r.Value.OutputTokens).ToArray());
        p.AddWithValue("cached", rows.Select(r => r.Value.CachedInputTokens).ToArray());
        p.AddWithValue("reasoning", rows.Select(r => r.Value.ReasoningTokens).ToArray());
        p.AddWithValue("cost", rows.Select(r => r.Value.CostNanos).ToArray());
        p.AddWithValue("unknown", rows.Select(r => r.Value.UnknownCost).ToArray());
        p.AddWithValue("hits", rows.Select(r => r.Value.CacheHits).ToArray());
        p.AddWithValue("retries", rows.Select(r => r.Value.Retries).ToArray());
        p.AddWithValue("fallbacks", rows.Select(r => r.Value.Fallbacks).ToArray());
        p.AddWithValue("errors", rows.Select(r => r.Value.Errors).ToArray());
        await upsert.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>Running sums for one rollup row or one stats key.</summary>
    internal sealed class Totals
    {
        public long Calls { get; set; }

        public long InputTokens { get; set; }

        public long OutputTokens { get; set; }

        public long CachedInputTokens { get; set; }

        public long ReasoningTokens { get; set; }

        /// <summary>Null while no call had a known cost, as SQL's SUM over only NULLs.</summary>
        public long? CostNanos { get; set; }

        public long UnknownCost { get; set; }

        public long CacheHits { get; set; }

        public long Retries { get; set; }

        public long Fallbacks { get; set; }

        public long Errors { get; set; }

        public void Add(ModelCallRecord call)
        {
            // A cache hit spent nothing: 0 (known and free), as the log stores it.
            long? cost = PostgresDatabase.ToNanos(call.CacheHit ? 0m : call.Cost);
            Calls++;
            InputTokens += call.InputTokens ?? 0;
            OutputTokens += call.OutputTokens ?? 0;
            CachedInputTokens += call.CachedInputTokens ?? 0;
            ReasoningTokens += call.ReasoningTokens ?? 0;
            CostNanos = cost is { } c ? (CostNanos ?? 0) + c : CostNanos;
            UnknownCost += cost is null && call.Status == "ok" ? 1 : 0;
            CacheHits += call.CacheHit ? 1 : 0;
            Retries += call.Retries;
            Fallbacks += call.Fallbacks;
            Errors += call.Status == "ok" ? 0 : 1;
        }

        public void Add(Totals other)
        {
            Calls += other.Calls;
            InputTokens += other.InputTokens;
            OutputTokens += other.OutputTokens;
            CachedInputTokens += other.CachedInputTokens;
            ReasoningTokens += other.ReasoningTokens;
            CostNanos = other.CostNanos is { } c ? (CostNanos ?? 0) + c : CostNanos;
            UnknownCost += other.UnknownCost;
            CacheHits += other.CacheHits;
            Retries += other.Retries;
            Fallbacks += other.Fallbacks;
            Errors += other.Errors;
        }

        public UsageStats ToStats(string key) => new(
            key, Calls, InputTokens, OutputTokens, CachedInputTokens, ReasoningTokens, CostNanos is { } c ? c / 1_000_000_000m : null,
            UnknownCost, CacheHits, Retries, Fallbacks, Errors);
    }
}
