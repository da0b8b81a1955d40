using System.Text.Json;

namespace Allos.IntegrationTests.Providers.OpenAI;

public sealed class OpenAIChatClientTests : IAsyncLifetime
{
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GetResponseAsync_PlainReply_ReturnsTextUsageAndFinishReason()
    {
        _server.Enqueue(FakeTurn.Text("Hello there!").WithUsage(12, 3, cachedInputTokens: 4, reasoningTokens: 1));
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini", apiKey: "sk-test-123");

        ChatResponse response = await chat.GetResponseAsync([new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi")]);

        response.Text.ShouldBe("Hello there!");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.ModelId.ShouldBe("gpt-4o-mini");
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(12);
        response.Usage.OutputTokenCount.ShouldBe(3);
        response.Usage.TotalTokenCount.ShouldBe(15);
        response.Usage.CachedInputTokenCount.ShouldBe(4);
        response.Usage.ReasoningTokenCount.ShouldBe(1);

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/v1/chat/completions");
        request.Headers["Authorization"].ShouldBe("Bearer sk-test-123");
        request.Json.GetProperty("model").GetString().ShouldBe("gpt-4o-mini");
        request.Json.TryGetProperty("stream", out _).ShouldBeFalse();
        JsonElement messages = request.Json.GetProperty("messages");
        messages.GetArrayLength().ShouldBe(2);
        messages[0].GetProperty("role").GetString().ShouldBe("system");
        messages[0].GetProperty("content").GetString().ShouldBe("Be brief.");
        messages[1].GetProperty("role").GetString().ShouldBe("user");
        messages[1].GetProperty("content").GetString().ShouldBe("Hi");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Text_StreamsDeltasAndAlwaysAsksForUsage()
    {
        _server.Enqueue(FakeTurn.Text("The quick brown fox").WithUsage(20, 4));
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini");

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("Say it").ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        updates.Count(u => u.Text.Length > 0).ShouldBe(4);
        response.Text.ShouldBe("The quick brown fox");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(20);
        response.Usage.OutputTokenCount.ShouldBe(4);

        JsonElement body = _server.Requests.ShouldHaveSingleItem().Json;
        body.GetProperty("stream").GetBoolean().ShouldBeTrue();
        body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean().ShouldBeTrue();
    }
}
