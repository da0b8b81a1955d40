using System.Text.Json;

namespace Allos.IntegrationTests.Providers.Anthropic;

/// <summary>The <see cref="AnthropicProperties"/> keys on the wire: cache breakpoints, an exact thinking budget, the stop sequence.</summary>
public sealed class AnthropicPropertiesTests : IAsyncLifetime
{
    private static readonly JsonElement OneHour = JsonDocument.Parse("""{"type":"ephemeral","ttl":"1h"}""").RootElement.Clone();

    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task CacheControlKey_OnContentsToolsAndSystem_IsSentAsCacheControl()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient("anthropic/claude-sonnet-4-5");
        var system = new TextContent("Long project rules.") { AdditionalProperties = new() { [AnthropicProperties.CacheControlKey] = "ephemeral" } };
        var text = new TextContent("Question") { AdditionalProperties = new() { [AnthropicProperties.CacheControlKey] = OneHour } };
        var result = new FunctionResultContent("toolu_1", "18C") { AdditionalProperties = new() { [AnthropicProperties.CacheControlKey] = "ephemeral" } };
        AIFunctionDeclaration tool = new CachedTool();
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "Short rules."),
            new(ChatRole.System, [system]),
            new(ChatRole.User, "Weather?"),
            new(ChatRole.Assistant, [new FunctionCallContent("toolu_1", "get_weather", new Dictionary<string, object?>())]),
            new(ChatRole.User, [result, text]),
        ];

        await chat.GetResponseAsync(messages, new ChatOptions { Tools = [tool] });

        JsonElement body = _server.Requests.ShouldHaveSingleItem().Json;
        body.GetProperty("system").GetRawText().ShouldBe("""[{"type":"text","text":"Short rules."},{"type":"text","text":"Long project rules.","cache_control":{"type":"ephemeral"}}]""");
        body.GetProperty("messages")[2].GetProperty("content").GetRawText().ShouldBe(
            """[{"type":"tool_result","tool_use_id":"toolu_1","content":"18C","cache_control":{"type":"ephemeral"}},{"type":"text","text":"Question","cache_control":{"type":"ephemeral","ttl":"1h"}}]""");
        body.GetProperty("tools")[0].GetProperty("cache_control").GetRawText().ShouldBe("""{"type":"ephemeral"}""");
    }

    [Fact]
    public async Task CacheControlKey_Absent_SystemStaysOneString()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient("anthropic/claude-sonnet-4-5");

        await chat.GetResponseAsync([new(ChatRole.System, "A."), new(ChatRole.System, "B."), new(ChatRole.User, "Hi")]);

        JsonElement body = _server.Requests.ShouldHaveSingleItem().Json;
        body.GetProperty("system").GetString().ShouldBe("A.\n\nB.");
        body.GetProperty("messages")[0].GetRawText().ShouldNotContain("cache_control");
    }

    [Fact]
    public async Task ThinkingBudgetKey_WithReasoning_SendsTheExactBudget()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient("anthropic/claude-sonnet-4-5");
        var options = new ChatOptions
        {
            MaxOutputTokens = 8000,
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Medium },
            AdditionalProperties = new() { [AnthropicProperties.ThinkingBudgetKey] = 2500 },
        };

        await chat.GetResponseAsync("Hi", options);

        JsonElement body = _server.Requests.ShouldHaveSingleItem().Json;
        body.GetProperty("thinking").GetRawText().ShouldBe("""{"type":"enabled","budget_tokens":2500}""");
        _server.Requests[0].Body.ShouldNotContain(AnthropicProperties.ThinkingBudgetKey);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StopSequenceKey_StoppedOnASequence_IsReportedWithTheSequence(bool streaming)
    {
        _server.Enqueue(streaming
            ? FakeTurn.Raw("text/event-stream",
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n",
                "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"1, 2\"}}\n\n",
                "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
                "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"stop_sequence\",\"stop_sequence\":\"3\"},\"usage\":{\"output_tokens\":4}}\n\n",
                "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
            : FakeTurn.Raw("application/json",
                """{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"1, 2"}],"stop_reason":"stop_sequence","stop_sequence":"3","usage":{"input_tokens":3,"output_tokens":4}}"""));
        IChatClient chat = _server.CreateClient("anthropic/claude-sonnet-4-5");
        var options = new ChatOptions { StopSequences = ["3"] };

        AdditionalPropertiesDictionary? properties;
        if (streaming)
        {
            // The final update carries it (what the gateway's stream reads).
            List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("Count", options).ToListAsync();
            ChatResponseUpdate final = updates.Single(u => u.FinishReason is not null);
            final.FinishReason.ShouldBe(ChatFinishReason.Stop);
            properties = final.AdditionalProperties;
        }
        else
        {
            ChatResponse response = await chat.GetResponseAsync("Count", options);
            response.Text.ShouldBe("1, 2");
            response.FinishReason.ShouldBe(ChatFinishReason.Stop);
            properties = response.AdditionalProperties;
        }

        properties.ShouldNotBeNull();
        properties[AnthropicProperties.StopSequenceKey].ShouldBe("3");
    }

    private sealed class CachedTool : AIFunctionDeclaration
    {
        public override string Name => "get_weather";

        public override string Description => "Weather by city";

        public override JsonElement JsonSchema { get; } = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}}}""").RootElement.Clone();

        public override IReadOnlyDictionary<string, object?> AdditionalProperties { get; } = new Dictionary<string, object?> { [AnthropicProperties.CacheControlKey] = "ephemeral" };
    }
}
