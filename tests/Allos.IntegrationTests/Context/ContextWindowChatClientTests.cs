using System.Text.Json;
using Allos.Context;

namespace Allos.IntegrationTests.Context;

public sealed class ContextWindowChatClientTests : IAsyncLifetime
{
    // The verbatim OpenAI overflow error (wire-protocols.md, "Context too long").
    private const string OverflowBody = """{"error": {"message": "This model's maximum context length is 4097 tokens. However, you requested 4120 tokens (3120 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.", "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}}""";

    private static readonly ContextBudget LargeBudget = new(1_000_000, 4_000);
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GetResponseAsync_ContextWindowExceeded_CompactsAndRetriesOnce()
    {
        _server.Enqueue(FakeTurn.Error(400, OverflowBody), FakeTurn.Text("Recovered."));
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini").UseContextWindow(ContextPolicy.TruncateOldest(), LargeBudget);
        List<ChatMessage> history = History(40);

        ChatResponse response = await chat.GetResponseAsync(history);

        response.Text.ShouldBe("Recovered.");
        _server.Requests.Count.ShouldBe(2);
        JsonElement first = _server.Requests[0].Json.GetProperty("messages");
        JsonElement second = _server.Requests[1].Json.GetProperty("messages");
        first.GetArrayLength().ShouldBe(history.Count);
        second.GetArrayLength().ShouldBeLessThan(first.GetArrayLength());
        second[0].GetProperty("role").GetString().ShouldBe("system");
        second[1].GetProperty("role").GetString().ShouldBe("user");
        second[second.GetArrayLength() - 1].GetProperty("content").GetString().ShouldBe(history[^1].Text);
        ShouldPairToolCalls(second);
        history.Count.ShouldBe(1 + (40 * 4) + 1, "the caller's history is not modified");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ContextWindowExceededBeforeAnyUpdate_CompactsAndRetriesOnce()
    {
        _server.Enqueue(FakeTurn.Error(400, OverflowBody), FakeTurn.Text("Recovered from a stream."));
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini").UseContextWindow(ContextPolicy.SlidingWindow(), LargeBudget);
        List<ChatMessage> history = History(40);

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync(history).ToListAsync();

        updates.ToChatResponse().Text.ShouldBe("Recovered from a stream.");
        _server.Requests.Count.ShouldBe(2);
        _server.Requests[1].Streaming.ShouldBeTrue();
        JsonElement second = _server.Requests[1].Json.GetProperty("messages");
        second.GetArrayLength().ShouldBeLessThan(_server.Requests[0].Json.GetProperty("messages").GetArrayLength());
        ShouldPairToolCalls(second);
    }

    [Fact]
    public async Task GetResponseAsync_ContextWindowExceededTwice_ThrowsAfterOneRetry()
    {
        _server.Enqueue(FakeTurn.Error(400, OverflowBody), FakeTurn.Error(400, OverflowBody), FakeTurn.Text("never"));
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini").UseContextWindow(ContextPolicy.TruncateOldest(), LargeBudget);

        ContextWindowExceededException error = await Should.ThrowAsync<ContextWindowExceededException>(() => chat.GetResponseAsync(History(40)));

        error.ErrorCode.ShouldBe("context_length_exceeded");
        _server.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task GetResponseAsync_ContextWindowExceededWithNothingToDrop_ThrowsWithoutRetrying()
    {
        _server.Enqueue(FakeTurn.Error(400, OverflowBody), FakeTurn.Text("never"));
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini").UseContextWindow(ContextPolicy.None, LargeBudget);

        await Should.ThrowAsync<ContextWindowExceededException>(() => chat.GetResponseAsync(History(40)));

        _server.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task GetResponseAsync_UsageReported_NextEstimateIsReportedPlusTheDelta()
    {
        _server.Enqueue(FakeTurn.Text("First answer.").WithUsage(4_321, 7), FakeTurn.Text("Second answer.").WithUsage(4_400, 5));
        var policy = new RecordingPolicy(ContextPolicy.TruncateOldest());
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini").UseContextWindow(policy, LargeBudget);
        List<ChatMessage> history = History(3);

        ChatResponse first = await chat.GetResponseAsync(history);
        int covered = history.Count;
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.User, "And one more thing: " + new string('x', 200)));
        await chat.GetResponseAsync(history);

        policy.Calls.Count.ShouldBe(2);
        policy.Calls[0].Budget.Anchor.ShouldBeNull();
        policy.Calls[1].Budget.Anchor.ShouldBe(new UsageAnchor(4_321, covered));
        // gpt-4o-mini is counted with its own tokenizer (o200k_base).
        TokenEstimator estimator = TokenEstimator.ForModel("openai/gpt-4o-mini");
        long delta = estimator.Estimate(history.Skip(covered));
        policy.Calls[1].Fit.TokensBefore.ShouldBe(4_321 + delta);
        estimator.EstimateRequest(history, policy.Calls[1].Budget.Anchor).ShouldBe(4_321 + delta);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_UsageReported_AnchorsTheNextCall()
    {
        _server.Enqueue(FakeTurn.Text("Streamed.").WithUsage(999, 3), FakeTurn.Text("Again."));
        var policy = new RecordingPolicy(ContextPolicy.SlidingWindow());
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini").UseContextWindow(policy, LargeBudget);
        List<ChatMessage> history = History(2);

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync(history).ToListAsync();
        int covered = history.Count;
        history.AddRange(updates.ToChatResponse().Messages);
        history.Add(new ChatMessage(ChatRole.User, "next"));
        await chat.GetStreamingResponseAsync(history).ToListAsync();

        policy.Calls[1].Budget.Anchor.ShouldBe(new UsageAnchor(999, covered));
        policy.Calls[1].Fit.TokensBefore.ShouldBe(999 + TokenEstimator.ForModel("openai/gpt-4o-mini").Estimate(history.Skip(covered)));
    }

    [Theory]
    [InlineData("openai/gpt-4o-mini", "o200k_base", ImageTokenRule.OpenAI)]
    [InlineData("openai/gpt-4", "cl100k_base", ImageTokenRule.OpenAI)]
    [InlineData("anthropic/claude-sonnet-4-5", null, ImageTokenRule.Anthropic)]
    [InlineData("ollama/llama3.1", null, ImageTokenRule.Default)]
    public async Task GetResponseAsync_BudgetWithoutEstimator_CountsWithTheModelsTokenizer(string model, string? tokenizer, ImageTokenRule rule)
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        var policy = new RecordingPolicy(ContextPolicy.TruncateOldest());
        var chat = _server.CreateClient(model).UseContextWindow(policy, LargeBudget);

        await chat.GetResponseAsync(History(2));

        chat.Budget.Estimator.ShouldNotBeNull();
        chat.Budget.Estimator.TokenizerName.ShouldBe(tokenizer);
        chat.Budget.Estimator.ImageRule.ShouldBe(rule);
        policy.Calls[0].Budget.Estimator.ShouldBeSameAs(chat.Budget.Estimator);
    }

    [Fact]
    public async Task GetResponseAsync_BudgetWithAnEstimator_KeepsIt()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        var policy = new RecordingPolicy(ContextPolicy.TruncateOldest());
        var chat = _server.CreateClient("openai/gpt-4o-mini").UseContextWindow(policy, LargeBudget with { Estimator = TokenEstimator.Default });

        await chat.GetResponseAsync(History(2));

        policy.Calls[0].Budget.Estimator.ShouldBeSameAs(TokenEstimator.Default);
    }

    [Fact]
    public async Task GetResponseAsync_AnotherConversation_DoesNotUseTheAnchor()
    {
        _server.Enqueue(FakeTurn.Text("a").WithUsage(50_000, 1), FakeTurn.Text("b"));
        var policy = new RecordingPolicy(ContextPolicy.TruncateOldest());
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini").UseContextWindow(policy, LargeBudget);

        await chat.GetResponseAsync(History(3));
        await chat.GetResponseAsync(History(5));

        policy.Calls[1].Budget.Anchor.ShouldBeNull();
    }

    [Fact]
    public async Task GetResponseAsync_OverTheTrigger_SendsTheFittedHistoryAndReservesMaxOutputTokens()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        var policy = new RecordingPolicy(ContextPolicy.SlidingWindow());
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini").UseContextWindow(policy, new ContextBudget(10_000, 1_000) { KeepLastTurns = 2 });
        List<ChatMessage> history = History(100);

        await chat.GetResponseAsync(history, new ChatOptions { MaxOutputTokens = 2_000 });

        policy.Calls[0].Budget.ReservedOutputTokens.ShouldBe(2_000);
        _server.Requests[0].Json.GetProperty("messages").GetArrayLength().ShouldBe(1 + 4 + 1, "system, the last full turn and the final question");
    }

    private static List<ChatMessage> History(int turns)
    {
        List<ChatMessage> history = [new(ChatRole.System, "You are a helpful assistant.")];
        for (int t = 0; t < turns; t++)
        {
            history.Add(new ChatMessage(ChatRole.User, $"question {t} " + new string('q', 300)));
            history.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call_{t}", "read_file", new Dictionary<string, object?> { ["path"] = $"f{t}.txt" })]));
            history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent($"call_{t}", new string('r', 600))]));
            history.Add(new ChatMessage(ChatRole.Assistant, $"answer {t}"));
        }

        history.Add(new ChatMessage(ChatRole.User, "What did we learn?"));
        return history;
    }

    private static void ShouldPairToolCalls(JsonElement messages)
    {
        var calls = new HashSet<string>();
        foreach (JsonElement message in messages.EnumerateArray())
        {
            if (message.TryGetProperty("tool_calls", out JsonElement toolCalls))
            {
                foreach (JsonElement call in toolCalls.EnumerateArray())
                {
                    calls.Add(call.GetProperty("id").GetString()!);
                }
            }

            if (message.GetProperty("role").GetString() == "tool")
            {
                calls.Remove(message.GetProperty("tool_call_id").GetString()!).ShouldBeTrue("every tool result follows its call");
            }
        }

        calls.ShouldBeEmpty("every tool call has its result");
    }

    private sealed class RecordingPolicy(ContextPolicy inner) : ContextPolicy
    {
        public List<(ContextBudget Budget, ContextFit Fit)> Calls { get; } = [];

        public override async ValueTask<ContextFit> FitAsync(IReadOnlyList<ChatMessage> history, ContextBudget budget, CancellationToken cancellationToken = default)
        {
            ContextFit fit = await inner.FitAsync(history, budget, cancellationToken);
            Calls.Add((budget, fit));
            return fit;
        }
    }
}
