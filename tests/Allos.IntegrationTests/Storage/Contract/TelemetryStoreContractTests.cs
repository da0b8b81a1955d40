using System.Diagnostics;
using Allos.Agents;
using Allos.Storage;

namespace Allos.IntegrationTests.Storage.Contract;

/// <summary>Telemetry batching, spend, stats and retention: the contract every telemetry store meets.</summary>
public abstract class TelemetryStoreContractTests(IStoreHarness harness) : StoreContractTests(harness)
{
    private static readonly DateTimeOffset Day1 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day2 = new(2026, 3, 2, 23, 30, 0, TimeSpan.Zero);

    private static ModelCallRecord Call(DateTimeOffset time, string provider, string model, decimal? cost, string? session = null, long input = 100, long output = 10) => new()
    {
        Time = time,
        SessionId = session,
        Provider = provider,
        Model = model,
        InputTokens = input,
        OutputTokens = output,
        CachedInputTokens = 5,
        ReasoningTokens = 1,
        Cost = cost,
        LatencyMs = 12.5,
    };

    private async Task RecordSampleAsync()
    {
        Telemetry.RecordModelCall(Call(Day1, "openai", "gpt-4o", 0.000125m, "s1"));
        Telemetry.RecordModelCall(Call(Day2, "openai", "gpt-4o", 0.000375m, "s1"));
        Telemetry.RecordModelCall(Call(Day2, "openai", "gpt-4o-mini", 0.01m, "s2", input: 1000));
        Telemetry.RecordModelCall(Call(Day1, "ollama", "llama3.1", null, "s2"));
        Telemetry.RecordModelCall(Call(Day2, "ollama", "llama3.1", null) with { Status = "rate_limited", Error = "429" });
        await Telemetry.FlushAsync();
    }

    [Fact]
    public async Task StatsAsync_ByModel_SumsTokensCallsAndExactCost()
    {
        await RecordSampleAsync();

        IReadOnlyList<UsageStats> stats = await Telemetry.StatsAsync(StatsGrouping.Model);

        stats.Select(s => s.Key).ShouldBe(["openai/gpt-4o-mini", "openai/gpt-4o", "ollama/llama3.1"]);
        UsageStats gpt4o = stats[1];
        gpt4o.Calls.ShouldBe(2);
        gpt4o.InputTokens.ShouldBe(200);
        gpt4o.OutputTokens.ShouldBe(20);
        gpt4o.CachedInputTokens.ShouldBe(10);
        gpt4o.ReasoningTokens.ShouldBe(2);
        gpt4o.Cost.ShouldBe(0.0005m);
        gpt4o.UnknownCostCalls.ShouldBe(0);
        UsageStats llama = stats[2];
        llama.Calls.ShouldBe(2);
        llama.Cost.ShouldBeNull(); // unknown, not 0
        llama.UnknownCostCalls.ShouldBe(1, "the rate-limited call is a failure, not a call of unknown price");
        llama.FailedCalls.ShouldBe(1);
        gpt4o.FailedCalls.ShouldBe(0);
    }

    [Fact]
    public async Task StatsAsync_ByProvider_MixesKnownAndUnknownCost()
    {
        await RecordSampleAsync();
        Telemetry.RecordModelCall(Call(Day2, "ollama", "qwen", 0.002m));
        await Telemetry.FlushAsync();

        IReadOnlyList<UsageStats> stats = await Telemetry.StatsAsync(StatsGrouping.Provider);

        stats.Single(s => s.Key == "openai").Cost.ShouldBe(0.0105m);
        UsageStats ollama = stats.Single(s => s.Key == "ollama");
        ollama.Calls.ShouldBe(3);
        ollama.Cost.ShouldBe(0.002m);
        ollama.UnknownCostCalls.ShouldBe(1);
        ollama.FailedCalls.ShouldBe(1);
    }

    [Fact]
    public async Task StatsAsync_ByDayAndSince_GroupsByUtcDay()
    {
        await RecordSampleAsync();

        IReadOnlyList<UsageStats> days = await Telemetry.StatsAsync(StatsGrouping.Day);
        days.Select(d => (d.Key, d.Calls)).OrderBy(d => d.Key).ShouldBe([("2026-03-01", 2L), ("2026-03-02", 3L)]);
        days.Single(d => d.Key == "2026-03-01").Cost.ShouldBe(0.000125m);

        IReadOnlyList<UsageStats> since = await Telemetry.StatsAsync(StatsGrouping.Day, since: Day2.AddHours(-1));
        since.Single().Key.ShouldBe("2026-03-02");
        since.Single().Cost.ShouldBe(0.010375m);
    }

    [Fact]
    public async Task StatsAsync_BySession_GroupsCallsWithoutSessionUnderEmptyKey()
    {
        await RecordSampleAsync();

        IReadOnlyList<UsageStats> stats = await Telemetry.StatsAsync(StatsGrouping.Session);

        stats.Single(s => s.Key == "s1").Cost.ShouldBe(0.0005m);
        UsageStats s2 = stats.Single(s => s.Key == "s2");
        s2.Calls.ShouldBe(2);
        s2.InputTokens.ShouldBe(1100);
        s2.Cost.ShouldBe(0.01m);
        s2.UnknownCostCalls.ShouldBe(1);
        stats.Single(s => s.Key == "").Cost.ShouldBeNull();
    }

    private static ModelCallRecord GatewayCall(DateTimeOffset time, decimal? cost, string alias, string? user = null, string? session = null) => new()
    {
        Time = time,
        SessionId = session,
        Provider = "openai",
        Model = "gpt-4o",
        Alias = alias,
        Deployment = alias + "-east",
        UserKey = user,
        Cost = cost,
        InputTokens = 10,
        OutputTokens = 2,
    };

    private async Task RecordGatewaySampleAsync()
    {
        Telemetry.RecordModelCall(GatewayCall(Day1, 0.1m, "chat", "alice", "s1"));
        Telemetry.RecordModelCall(GatewayCall(Day2, 0.2m, "chat", "alice", "s2"));
        Telemetry.RecordModelCall(GatewayCall(Day2, 0.000000001m, "chat", "bob", "s1"));
        Telemetry.RecordModelCall(GatewayCall(Day2, 0.04m, "embed", "alice"));
        Telemetry.RecordModelCall(GatewayCall(Day2, null, "chat", "alice")); // unknown price: spends nothing as far as budgets can tell
        Telemetry.RecordModelCall(Call(Day2, "anthropic", "claude", 1.5m)); // not through a Router: no alias, user or deployment
        await Telemetry.FlushAsync();
    }

    [Fact]
    public async Task RecordModelCall_GatewayFields_StoresEveryField()
    {
        Telemetry.RecordModelCall(GatewayCall(Day1, 0.25m, "chat", "alice", "s1") with
        {
            Retries = 2,
            Fallbacks = 1,
            Streaming = true,
            TimeToFirstTokenMs = 87.5,
        });
        await Telemetry.FlushAsync();

        Scalar("""
            SELECT alias || ',' || deployment || ',' || user_key || ',' || cache_hit || ',' || retries || ',' || fallbacks || ','
                || streaming || ',' || ttft_ms || ',' || cost_nanos FROM model_calls
            """, """
            SELECT alias || ',' || deployment || ',' || user_key || ',' || cache_hit::int || ',' || retries || ',' || fallbacks || ','
                || streaming::int || ',' || ttft_ms || ',' || cost_nanos FROM model_calls
            """).ShouldBe("chat,chat-east,alice,0,2,1,1,87.5,250000000");
    }

    [Fact]
    public async Task RecordModelCall_DefaultGatewayFields_StoresNullsAndZeros()
    {
        Telemetry.RecordModelCall(Call(Day1, "openai", "gpt-4o", 0.001m));
        await Telemetry.FlushAsync();

        Scalar("""
            SELECT COALESCE(alias, '-') || ',' || COALESCE(deployment, '-') || ',' || COALESCE(user_key, '-') || ',' || cache_hit || ','
                || retries || ',' || fallbacks || ',' || streaming || ',' || COALESCE(ttft_ms, '-') FROM model_calls
            """, """
            SELECT COALESCE(alias, '-') || ',' || COALESCE(deployment, '-') || ',' || COALESCE(user_key, '-') || ',' || cache_hit::int || ','
                || retries || ',' || fallbacks || ',' || streaming::int || ',' || COALESCE(ttft_ms::text, '-') FROM model_calls
            """).ShouldBe("-,-,-,0,0,0,0,-");
    }

    [Fact]
    public async Task SpentAsync_NoFilter_SumsEveryKnownCostSinceExactly()
    {
        await RecordGatewaySampleAsync();

        (await Telemetry.SpentAsync(new SpendQuery { Since = Day1 })).ShouldBe(1.840000001m);
        (await Telemetry.SpentAsync(new SpendQuery { Since = Day2 })).ShouldBe(1.740000001m);
        (await Telemetry.SpentAsync(new SpendQuery { Since = Day2.AddTicks(TimeSpan.TicksPerMillisecond) })).ShouldBe(0m);
    }

    [Theory]
    [InlineData("chat", null, null, "0.300000001")]
    [InlineData("embed", null, null, "0.04")]
    [InlineData(null, "alice", null, "0.34")]
    [InlineData(null, "bob", null, "0.000000001")]
    [InlineData(null, null, "s1", "0.100000001")]
    [InlineData("chat", "alice", null, "0.3")]
    [InlineData("chat", "alice", "s2", "0.2")]
    [InlineData("embed", "bob", null, "0")]
    [InlineData("nowhere", null, null, "0")]
    public async Task SpentAsync_Filters_SumCallsMatchingEveryFilter(string? alias, string? user, string? session, string expected)
    {
        await RecordGatewaySampleAsync();

        decimal spent = await Telemetry.SpentAsync(new SpendQuery { Since = Day1, Alias = alias, UserKey = user, SessionId = session });

        spent.ShouldBe(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task SpentAsync_SinceWithFilter_CountsOnlyLaterCalls()
    {
        await RecordGatewaySampleAsync();

        (await Telemetry.SpentAsync(new SpendQuery { Since = Day1.AddHours(1), Alias = "chat", UserKey = "alice" })).ShouldBe(0.2m);
    }

    [Fact]
    public async Task SpentAsync_CallsStillQueued_AreCounted()
    {
        // A writer that lingers an hour after a partial batch: the second call stays queued unless SpentAsync flushes.
        await Store.DisposeAsync();
        Store = await OpenAsync(o => o.TelemetryFlushInterval = TimeSpan.FromHours(1));
        Telemetry.RecordModelCall(GatewayCall(Day1, 0.5m, "chat"));
        for (int i = 0; i < 100 && (long)Scalar("SELECT COUNT(*) FROM model_calls")! == 0; i++)
        {
            await Task.Delay(50);
        }

        Telemetry.RecordModelCall(GatewayCall(Day1, 0.25m, "chat"));
        Scalar("SELECT COUNT(*) FROM model_calls").ShouldBe(1L);

        (await Telemetry.SpentAsync(new SpendQuery { Since = Day1, Alias = "chat" })).ShouldBe(0.75m);
    }

    [Fact]
    public async Task SpentAsync_NullQuery_Throws()
    {
        await Should.ThrowAsync<ArgumentNullException>(() => Telemetry.SpentAsync(null!));
    }

    [Fact]
    public async Task RecordModelCall_CacheHit_CountedInStatsAndFreeInSpend()
    {
        Telemetry.RecordModelCall(GatewayCall(Day1, 0.5m, "chat", "alice"));
        // A cache hit recorded with the price of the response it replayed, and one with no price: both cost nothing.
        Telemetry.RecordModelCall(GatewayCall(Day1, 0.5m, "chat", "alice") with { CacheHit = true, Deployment = null });
        Telemetry.RecordModelCall(GatewayCall(Day1, null, "chat", "alice") with { CacheHit = true, Deployment = null });
        await Telemetry.FlushAsync();

        (await Telemetry.SpentAsync(new SpendQuery { Since = Day1, UserKey = "alice" })).ShouldBe(0.5m);
        UsageStats chat = (await Telemetry.StatsAsync(StatsGrouping.Alias)).ShouldHaveSingleItem();
        chat.Calls.ShouldBe(3);
        chat.CacheHits.ShouldBe(2);
        chat.Cost.ShouldBe(0.5m);
        chat.UnknownCostCalls.ShouldBe(0);
        Scalar(
            "SELECT group_concat(cost_nanos) FROM model_calls WHERE cache_hit = 1",
            "SELECT string_agg(cost_nanos::text, ',') FROM model_calls WHERE cache_hit").ShouldBe("0,0");
    }

    [Fact]
    public async Task StatsAsync_ByAliasDeploymentAndUser_GroupsAndSumsRetriesAndFallbacks()
    {
        await RecordGatewaySampleAsync();
        Telemetry.RecordModelCall(GatewayCall(Day2, 0.01m, "chat", "bob") with { Retries = 2, Fallbacks = 1, Deployment = "embed-east" });
        Telemetry.RecordModelCall(GatewayCall(Day2, 0.01m, "chat", "bob") with { Retries = 1, CacheHit = true });
        await Telemetry.FlushAsync();

        IReadOnlyList<UsageStats> aliases = await Telemetry.StatsAsync(StatsGrouping.Alias);
        aliases.Select(s => s.Key).ShouldBe(["", "chat", "embed"]); // largest cost first: the call without an alias cost 1.5
        UsageStats chat = aliases[1];
        chat.Calls.ShouldBe(6);
        chat.Cost.ShouldBe(0.310000001m);
        chat.UnknownCostCalls.ShouldBe(1);
        chat.CacheHits.ShouldBe(1);
        chat.Retries.ShouldBe(3);
        chat.Fallbacks.ShouldBe(1);
        chat.InputTokens.ShouldBe(60);

        IReadOnlyList<UsageStats> deployments = await Telemetry.StatsAsync(StatsGrouping.Deployment);
        deployments.Single(s => s.Key == "chat-east").Calls.ShouldBe(5);
        deployments.Single(s => s.Key == "embed-east").Cost.ShouldBe(0.05m);
        deployments.Single(s => s.Key == "").Calls.ShouldBe(1);

        IReadOnlyList<UsageStats> users = await Telemetry.StatsAsync(StatsGrouping.User, since: Day2);
        users.Single(s => s.Key == "alice").Cost.ShouldBe(0.24m);
        UsageStats bob = users.Single(s => s.Key == "bob");
        bob.Calls.ShouldBe(3);
        bob.Cost.ShouldBe(0.010000001m);
        bob.Retries.ShouldBe(3);
        users.Single(s => s.Key == "").Cost.ShouldBe(1.5m);
    }

    [Fact]
    public async Task RecordModelCall_ManyThenFlush_WritesEveryRowInBatches()
    {
        const int Count = 5000;
        var stopwatch = Stopwatch.StartNew();
        for (int i = 0; i < Count; i++)
        {
            Telemetry.RecordModelCall(Call(Day1.AddSeconds(i), "openai", "gpt-4o", 0.001m, input: 1));
        }

        TimeSpan enqueue = stopwatch.Elapsed;
        await Telemetry.FlushAsync();

        Scalar("SELECT COUNT(*) FROM model_calls").ShouldBe((long)Count);
        (await Telemetry.StatsAsync(StatsGrouping.Model)).Single().Cost.ShouldBe(5m);
        // Enqueueing never waits for SQLite: 5,000 records take far less than writing them one transaction each would.
        enqueue.ShouldBeLessThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task RecordModelCall_WithoutFlush_IsWrittenWithinTheInterval()
    {
        Telemetry.RecordModelCall(Call(Day1, "openai", "gpt-4o", 0.001m));

        long count = 0;
        for (int i = 0; i < 100 && count == 0; i++)
        {
            await Task.Delay(50);
            count = (long)Scalar("SELECT COUNT(*) FROM model_calls")!;
        }

        count.ShouldBe(1);
    }

    [Fact]
    public async Task DisposeAsync_QueuedRows_AreWritten()
    {
        for (int i = 0; i < 300; i++)
        {
            Telemetry.RecordToolExecution(new ToolExecutionRecord { Time = Day1, ToolName = "grep", CallId = $"c{i}", LatencyMs = 3 });
        }

        await Store.DisposeAsync();

        Scalar("SELECT COUNT(*) FROM tool_executions").ShouldBe(300L);
        Should.Throw<ObjectDisposedException>(() => Store.Telemetry.RecordToolExecution(new ToolExecutionRecord { Time = Day1, ToolName = "x" }));
        Store = await OpenAsync();
    }

    [Fact]
    public async Task RecordRunSteps_Trace_StoresEveryField()
    {
        RunStep[] steps =
        [
            new(Day1, RunStepKind.ModelCall, "coder", Model: "openai/gpt-4o", Status: "tool_calls", InputTokens: 50, OutputTokens: 7, CachedInputTokens: 3, ReasoningTokens: 2, LatencyMs: 250),
            new(Day1.AddSeconds(1), RunStepKind.ToolCall, "coder", ToolName: "add", CallId: "c1", Input: """{"a":1}""", Output: "2", Status: "ok", LatencyMs: 1.5),
        ];

        Telemetry.RecordRunSteps("s", "run-1", steps);
        await Telemetry.FlushAsync();

        Scalar("SELECT COUNT(*) FROM run_steps WHERE run_id = 'run-1' AND session_id = 's'").ShouldBe(2L);
        Scalar("SELECT kind || ',' || model || ',' || status || ',' || input_tokens || ',' || reasoning_tokens FROM run_steps WHERE kind = 'model_call'")
            .ShouldBe("model_call,openai/gpt-4o,tool_calls,50,2");
        Scalar("SELECT tool_name || ',' || call_id || ',' || input || ',' || output FROM run_steps WHERE kind = 'tool_call'")
            .ShouldBe("""add,c1,{"a":1},2""");
    }

    [Fact]
    public async Task GetRunStepsAsync_Session_ReadsBackEveryFieldInOrderWithTheRun()
    {
        RunStep model = new(Day1, RunStepKind.ModelCall, "coder", Model: "openai/gpt-4o", Status: "tool_calls", InputTokens: 50, OutputTokens: 7, CachedInputTokens: 3, ReasoningTokens: 2, LatencyMs: 250);
        RunStep tool = new(Day1.AddSeconds(1), RunStepKind.ToolCall, "coder", ToolName: "add", CallId: "c1", Input: """{"a":1}""", Output: "2", Status: "ok", LatencyMs: 1.5);
        RunStep handoff = new(Day1.AddSeconds(2), RunStepKind.Handoff, "coder", ToolName: "reviewer", Input: "needs review");
        Telemetry.RecordRunSteps("s", "run-2", [handoff]);
        Telemetry.RecordRunSteps("s", "run-1", [tool, model]);
        Telemetry.RecordRunSteps("other", "run-3", [model]);
        await Telemetry.FlushAsync();

        IReadOnlyList<StoredRunStep> steps = await Telemetry.GetRunStepsAsync("s");

        steps.ShouldBe([new StoredRunStep("run-1", model), new StoredRunStep("run-1", tool), new StoredRunStep("run-2", handoff)]);
        (await Telemetry.GetRunStepsAsync("missing")).ShouldBeEmpty();
    }

    [Fact]
    public async Task CleanupAsync_OldRows_DeletesAllButPinnedSessionsAndRecentRows()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        DateTimeOffset old = now.AddDays(-60);
        await Store.Sessions.CreateAsync(new SessionRecord { Id = "old", Created = old, Updated = old });
        await Store.Sessions.CreateAsync(new SessionRecord { Id = "pinned", Created = old, Updated = old, Pinned = true });
        await Store.Sessions.CreateAsync(new SessionRecord { Id = "recent" });
        foreach (string id in new[] { "old", "pinned", "recent" })
        {
            await Store.Sessions.AppendMessagesAsync(id, [new ChatMessage(ChatRole.User, "hello")]);
        }

        // Appending touched "updated"; put the old sessions back in the past.
        Scalar($"UPDATE sessions SET updated = {old.ToUnixTimeMilliseconds()} WHERE id IN ('old', 'pinned'); SELECT 1");
        Telemetry.RecordModelCall(Call(old, "p", "m", 1m, "old"));
        Telemetry.RecordModelCall(Call(old, "p", "m", 1m, "pinned"));
        Telemetry.RecordModelCall(Call(old, "p", "m", 1m));
        Telemetry.RecordModelCall(Call(now, "p", "m", 1m, "recent"));
        Telemetry.RecordRunSteps("pinned", "r", [new RunStep(old, RunStepKind.Respond, "a")]);
        Telemetry.RecordRunSteps(null, "r2", [new RunStep(old, RunStepKind.Respond, "a")]);
        await Telemetry.FlushAsync();

        CleanupResult result = await Telemetry.CleanupAsync(now.AddDays(-30));

        result.ShouldBe(new CleanupResult(Sessions: 1, ModelCalls: 2, ToolExecutions: 0, RunSteps: 1));
        (await Store.Sessions.GetAsync("old")).ShouldBeNull();
        (await Store.Sessions.GetMessagesAsync("pinned")).Count.ShouldBe(1);
        (await Store.Sessions.GetMessagesAsync("recent")).Count.ShouldBe(1);
        Scalar(
            "SELECT group_concat(COALESCE(session_id, '-'), ',') FROM (SELECT session_id FROM model_calls ORDER BY session_id)",
            "SELECT string_agg(COALESCE(session_id, '-'), ',' ORDER BY session_id) FROM model_calls").ShouldBe("pinned,recent");
        Scalar("SELECT COUNT(*) FROM run_steps WHERE session_id = 'pinned'").ShouldBe(1L);
    }

    [Fact]
    public async Task CleanupAsync_KeepPinnedFalse_DeletesPinnedToo()
    {
        DateTimeOffset old = DateTimeOffset.UtcNow.AddDays(-60);
        await Store.Sessions.CreateAsync(new SessionRecord { Id = "pinned", Created = old, Updated = old, Pinned = true });

        CleanupResult result = await Telemetry.CleanupAsync(DateTimeOffset.UtcNow.AddDays(-1), keepPinned: false);

        result.Sessions.ShouldBe(1);
        (await Store.Sessions.GetAsync("pinned")).ShouldBeNull();
    }
}
