using System.Text.Json;
using Allos.Context;
using Allos.Gateway;
using Allos.IntegrationTests.Gateway;

namespace Allos.IntegrationTests.Context;

/// <summary><see cref="ChatClientTokenCountExtensions.CountInputTokensAsync"/> against the fake provider server: which method each provider gets, the wire shape of the exact counts, and the fallback.</summary>
public sealed class ChatClientTokenCountTests : IAsyncLifetime
{
    private static readonly AIFunctionDeclaration Weather = AIFunctionFactory.CreateDeclaration(
        "weather", "Gets the weather.", JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement);

    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static ChatOptions Options() => new() { Instructions = "Be brief.", Tools = [Weather] };

    [Fact]
    public async Task CountInputTokensAsync_Anthropic_PostsCountTokensWithSystemAndToolsAndReportsExact()
    {
        _server.Enqueue(FakeTurn.TokenCount(1234));
        IChatClient chat = _server.CreateClient("anthropic/claude-sonnet-4-5");

        InputTokenCount count = await chat.CountInputTokensAsync([new ChatMessage(ChatRole.User, "Hi")], Options());

        count.ShouldBe(new InputTokenCount(1234, TokenCountMethod.Exact));
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/v1/messages/count_tokens");
        request.Headers["x-api-key"].ShouldBe("test-key");
        request.Json.GetProperty("model").GetString().ShouldBe("claude-sonnet-4-5");
        request.Json.GetProperty("system").GetRawText().ShouldContain("Be brief.");
        request.Json.GetProperty("tools")[0].GetProperty("name").GetString().ShouldBe("weather");
        request.Json.GetProperty("messages").GetArrayLength().ShouldBe(1);
        request.Json.TryGetProperty("max_tokens", out _).ShouldBeFalse("count_tokens rejects max_tokens");
        request.Json.TryGetProperty("stream", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task CountInputTokensAsync_Gemini_PostsCountTokensWithTheWholeGenerateContentRequest()
    {
        _server.Enqueue(FakeTurn.TokenCount(77));
        IChatClient chat = _server.CreateClient("gemini/gemini-2.5-flash");

        InputTokenCount count = await chat.CountInputTokensAsync([new ChatMessage(ChatRole.User, "Hi")], Options());

        count.ShouldBe(new InputTokenCount(77, TokenCountMethod.Exact));
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/v1beta/models/gemini-2.5-flash:countTokens");
        request.Headers["x-goog-api-key"].ShouldBe("test-key");
        JsonElement generate = request.Json.GetProperty("generateContentRequest");
        generate.GetProperty("model").GetString().ShouldBe("models/gemini-2.5-flash");
        generate.GetProperty("contents")[0].GetProperty("parts")[0].GetProperty("text").GetString().ShouldBe("Hi");
        generate.GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString().ShouldBe("Be brief.");
        generate.GetProperty("tools")[0].GetProperty("functionDeclarations")[0].GetProperty("name").GetString().ShouldBe("weather");
        request.Json.TryGetProperty("contents", out _).ShouldBeFalse("contents and generateContentRequest are exclusive");
    }

    [Fact]
    public async Task CountInputTokensAsync_GeminiWithAnotherModelInOptions_CountsWithThatModel()
    {
        _server.Enqueue(FakeTurn.TokenCount(5));
        IChatClient chat = _server.CreateClient("gemini/gemini-2.5-flash");

        await chat.CountInputTokensAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { ModelId = "gemini-2.5-pro" });

        _server.Requests.ShouldHaveSingleItem().Path.ShouldBe("/v1beta/models/gemini-2.5-pro:countTokens");
        _server.Requests[0].Json.GetProperty("generateContentRequest").GetProperty("model").GetString().ShouldBe("models/gemini-2.5-pro");
    }

    [Fact]
    public async Task CountInputTokensAsync_ExactCountFails_FallsBackToTheEstimateAndSaysWhy()
    {
        _server.Enqueue(FakeTurn.ProviderError(503, "Overloaded"));
        IChatClient chat = _server.CreateClient("anthropic/claude-sonnet-4-5");

        InputTokenCount count = await chat.CountInputTokensAsync([new ChatMessage(ChatRole.User, new string('a', 400))]);

        count.Method.ShouldBe(TokenCountMethod.Estimate);
        count.Tokens.ShouldBe(100 + TokenEstimator.MessageOverheadTokens);
        count.ExactCountFailure.ShouldBeAssignableTo<ProviderException>();
        _server.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task CountInputTokensAsync_OpenAI_CountsWithTheTokenizerWithoutACall()
    {
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini");

        InputTokenCount count = await chat.CountInputTokensAsync([new ChatMessage(ChatRole.User, "Hi")]);

        // 3 per message + "user" (1) + "Hi" (1) + 3 to prime the reply.
        count.ShouldBe(new InputTokenCount(8, TokenCountMethod.Tokenizer));
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task CountInputTokensAsync_Ollama_EstimatesAnchoredOnTheReportedUsage()
    {
        IChatClient chat = _server.CreateClient("ollama/llama3.2");
        List<ChatMessage> history = [new(ChatRole.User, "Hi"), new(ChatRole.Assistant, "Hello"), new(ChatRole.User, new string('b', 40))];

        InputTokenCount count = await chat.CountInputTokensAsync(history, anchor: new UsageAnchor(500, 2));

        count.ShouldBe(new InputTokenCount(500 + 10 + TokenEstimator.MessageOverheadTokens, TokenCountMethod.Estimate));
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task CountInputTokensAsync_ThroughMiddleware_StillCountsExactly()
    {
        _server.Enqueue(FakeTurn.TokenCount(42));
        IChatClient chat = new ChatClientBuilder(_server.CreateClient("anthropic/claude-sonnet-4-5"))
            .UseFunctionInvocation()
            .Build()
            .UseContextWindow(ContextPolicy.TruncateOldest(), new ContextBudget(200_000, 8_000));

        InputTokenCount count = await chat.CountInputTokensAsync([new ChatMessage(ChatRole.User, "Hi")]);

        count.ShouldBe(new InputTokenCount(42, TokenCountMethod.Exact));
    }

    [Fact]
    public async Task CountInputTokensAsync_RouterAlias_CountsWithTheFirstDeploymentsOwnModel()
    {
        _server.Enqueue(FakeTurn.TokenCount(9));
        using var router = new Router(RouterFixture.Options(new ModelGroup("smart", new Deployment("gemini/gemini-2.5-flash")
        {
            ApiKey = "k",
            Endpoint = _server.EndpointFor("gemini"),
        })));

        InputTokenCount count = await router.For("smart").CountInputTokensAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { ModelId = "smart" });

        count.ShouldBe(new InputTokenCount(9, TokenCountMethod.Exact));
        _server.Requests.ShouldHaveSingleItem().Path.ShouldBe("/v1beta/models/gemini-2.5-flash:countTokens");
    }
}
