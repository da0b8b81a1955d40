using System.Text.Json;
using Allos.Context;
using Microsoft.Extensions.Logging;

namespace Allos.IntegrationTests.Context;

/// <summary>
/// <see cref="ContextWindowChatClient"/> asks the provider for an exact count only near the trigger, decides by it, and
/// falls back to the estimate when the count fails. Each history message costs 104 estimated tokens (400 characters / 4
/// plus 4), the system message 14: with 10 turns and a final question the history is estimated at 2,198 tokens.
/// </summary>
public sealed class ContextWindowExactCountTests : IAsyncLifetime
{
    private const long Estimate = 2_198;
    private const string OverflowBody = """{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 205429 tokens > 200000 maximum"},"request_id":"req_011CV5Jab6gR3ZNs9Sj6apiD"}""";

    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public void History_IsEstimatedAtTheFigureTheTestsAssume()
    {
        TokenEstimator.ForModel("anthropic/claude-sonnet-4-5").Estimate(History()).ShouldBe(Estimate);
    }

    [Fact]
    public async Task GetResponseAsync_FarBelowTheTrigger_MakesNoCountCall()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = Client("anthropic/claude-sonnet-4-5", trigger: 100_000);

        await chat.GetResponseAsync(History());

        _server.Requests.ShouldHaveSingleItem().Path.ShouldBe("/v1/messages");
    }

    [Fact]
    public async Task GetResponseAsync_FarAboveTheTrigger_TrimsByTheEstimateWithoutACountCall()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = Client("anthropic/claude-sonnet-4-5", trigger: 1_000);

        await chat.GetResponseAsync(History());

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/v1/messages");
        request.Json.GetProperty("messages").GetArrayLength().ShouldBeLessThan(21);
    }

    [Fact]
    public async Task GetResponseAsync_EstimateFitsButExactCountIsOver_Trims()
    {
        // 2,198 estimated is 4 % under a trigger of 2,300: near it, so the provider is asked, and says 2,600.
        _server.Enqueue(FakeTurn.TokenCount(2_600), FakeTurn.Text("ok"));
        IChatClient chat = Client("anthropic/claude-sonnet-4-5", trigger: 2_300);

        await chat.GetResponseAsync(History());

        _server.Requests.Select(r => r.Path).ShouldBe(["/v1/messages/count_tokens", "/v1/messages"]);
        _server.Requests[0].Json.GetProperty("messages").GetArrayLength().ShouldBe(21, "the whole history is counted");
        JsonElement sent = _server.Requests[1].Json.GetProperty("messages");
        sent.GetArrayLength().ShouldBeLessThan(21);
        sent[sent.GetArrayLength() - 1].GetProperty("content")[0].GetProperty("text").GetString().ShouldStartWith("last question");
    }

    [Fact]
    public async Task GetResponseAsync_EstimateIsOverButExactCountFits_SendsEverything()
    {
        // 2,198 estimated is 5 % over a trigger of 2,100, so the estimate alone would trim; the provider says 2,000.
        _server.Enqueue(FakeTurn.TokenCount(2_000), FakeTurn.Text("ok"));
        IChatClient chat = Client("anthropic/claude-sonnet-4-5", trigger: 2_100);

        await chat.GetResponseAsync(History());

        _server.Requests.Select(r => r.Path).ShouldBe(["/v1/messages/count_tokens", "/v1/messages"]);
        _server.Requests[1].Json.GetProperty("messages").GetArrayLength().ShouldBe(21);
    }

    [Fact]
    public async Task GetResponseAsync_SummarizingPolicy_EstimateIsOverButExactCountFits_NeverCallsTheSummarizer()
    {
        // Counting is decided before the policy runs: a fit by the estimate first would have summarized for nothing.
        await using FakeProviderServer summarizer = await FakeProviderServer.StartAsync();
        summarizer.Enqueue(FakeTurn.Text("a summary"));
        _server.Enqueue(FakeTurn.TokenCount(2_000), FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient("anthropic/claude-sonnet-4-5")
            .UseContextWindow(ContextPolicy.Summarize(summarizer.CreateClient("anthropic/claude-haiku-4-5")), Budget(2_100));

        await chat.GetResponseAsync(History());

        summarizer.Requests.ShouldBeEmpty();
        _server.Requests.Select(r => r.Path).ShouldBe(["/v1/messages/count_tokens", "/v1/messages"]);
        _server.Requests[1].Json.GetProperty("messages").GetArrayLength().ShouldBe(21);
    }

    [Fact]
    public async Task GetResponseAsync_EstimateIsOverAndNoCount_Trims()
    {
        // The same history and trigger as above with exact counting turned off: the estimate trims.
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = new ContextWindowChatClient(_server.CreateClient("anthropic/claude-sonnet-4-5"), ContextPolicy.TruncateOldest(), Budget(2_100)) { ExactCountBand = 0 };

        await chat.GetResponseAsync(History());

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Json.GetProperty("messages").GetArrayLength().ShouldBeLessThan(21);
    }

    [Fact]
    public async Task GetResponseAsync_CountCallFails_DecidesByTheEstimateWithoutThrowing()
    {
        _server.Enqueue(FakeTurn.ProviderError(500, "Internal error"), FakeTurn.Text("ok"));
        var logger = new ListLogger();
        IChatClient chat = new ContextWindowChatClient(_server.CreateClient("anthropic/claude-sonnet-4-5", apiKey: "sk-ant-" + "secret-key-1234567890"), ContextPolicy.TruncateOldest(), Budget(2_300), logger);

        ChatResponse response = await chat.GetResponseAsync(History());

        response.Text.ShouldBe("ok");
        (LogLevel Level, EventId Id, string Message) line = logger.Lines.ShouldHaveSingleItem();
        line.Level.ShouldBe(LogLevel.Warning);
        line.Id.Id.ShouldBe(4002);
        line.Message.ShouldContain("2198");
        line.Message.ShouldNotContain("sk-ant-secret");
        _server.Requests.Select(r => r.Path).ShouldBe(["/v1/messages/count_tokens", "/v1/messages"]);
        _server.Requests[1].Json.GetProperty("messages").GetArrayLength().ShouldBe(21, "the estimate says it fits");
    }

    [Fact]
    public async Task GetResponseAsync_OverflowRetryAndResend_CountTheRequestOnce()
    {
        _server.Enqueue(FakeTurn.TokenCount(2_000), FakeTurn.Error(400, OverflowBody), FakeTurn.Text("ok"), FakeTurn.Text("again"));
        IChatClient chat = Client("anthropic/claude-sonnet-4-5", trigger: 2_100);
        List<ChatMessage> history = History();

        await chat.GetResponseAsync(history);
        await chat.GetResponseAsync(history);

        _server.Requests.Select(r => r.Path).ShouldBe(["/v1/messages/count_tokens", "/v1/messages", "/v1/messages", "/v1/messages"]);
        _server.Requests[2].Json.GetProperty("messages").GetArrayLength().ShouldBeLessThan(21, "the overflow retry compacts");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_GeminiNearTheTrigger_CountsWithCountTokensAndTrims()
    {
        _server.Enqueue(FakeTurn.TokenCount(2_600), FakeTurn.Text("ok"));
        IChatClient chat = Client("gemini/gemini-2.5-flash", trigger: 2_300);

        await chat.GetStreamingResponseAsync(History()).ToListAsync();

        _server.Requests.Select(r => r.Path).ShouldBe(["/v1beta/models/gemini-2.5-flash:countTokens", "/v1beta/models/gemini-2.5-flash:streamGenerateContent"]);
        _server.Requests[1].Json.GetProperty("contents").GetArrayLength().ShouldBeLessThan(21);
    }

    [Fact]
    public async Task GetResponseAsync_NearTheTriggerWithoutAnExactCounter_MakesNoCountCall()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = Client("ollama/llama3.2", trigger: 2_300);

        await chat.GetResponseAsync(History());

        _server.Requests.ShouldHaveSingleItem().Path.ShouldBe("/api/chat");
    }

    private ContextWindowChatClient Client(string model, long trigger) =>
        _server.CreateClient(model).UseContextWindow(ContextPolicy.TruncateOldest(), Budget(trigger));

    private static ContextBudget Budget(long trigger) => new(trigger + 1_000, 1_000) { TriggerFraction = 1 };

    private static List<ChatMessage> History()
    {
        List<ChatMessage> history = [new(ChatRole.System, new string('s', 40))];
        for (int i = 0; i < 10; i++)
        {
            history.Add(new ChatMessage(ChatRole.User, $"question {i:D2} " + new string('q', 388)));
            history.Add(new ChatMessage(ChatRole.Assistant, $"answer {i:D2} " + new string('a', 390)));
        }

        history.Add(new ChatMessage(ChatRole.User, "last question " + new string('z', 386)));
        return history;
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, EventId Id, string Message)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add((logLevel, eventId, formatter(state, exception)));
            }
        }
    }
}
