using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic;

namespace Allos.ConformanceTests;

/// <summary>
/// Replays the same scripted turns through Allos's Anthropic codec and through the official Anthropic SDK's
/// <see cref="IChatClient"/> adapter (<c>AnthropicClient.AsIChatClient</c>, package Anthropic 13.12.0), both against the
/// fake server, and checks that both read them the same way: text, tool calls (id, name, parsed arguments), usage and
/// finish reason, streaming and not.
/// </summary>
/// <remarks>
/// The SDK serializes its request models with reflection-based System.Text.Json, which is why these tests live in a
/// project of their own with reflection on.
/// </remarks>
public sealed class AnthropicSdkConformanceTests : IAsyncLifetime
{
    private const string Model = "claude-sonnet-4-5";

    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<bool> Streaming => new() { false, true };

    [Theory]
    [MemberData(nameof(Streaming))]
    public async Task Text_BothClients_AgreeOnTextUsageAndFinishReason(bool streaming)
    {
        static FakeTurn Turn() => FakeTurn.Text("Hello from the fake Claude.").WithUsage(25, 7);
        ChatResponse ours = await OursAsync(Turn(), streaming);

        ours.Text.ShouldBe("Hello from the fake Claude.");
        ours.FinishReason.ShouldBe(ChatFinishReason.Stop);
        ours.Usage!.InputTokenCount.ShouldBe(25);
        ours.Usage.OutputTokenCount.ShouldBe(7);
        ChatResponse sdk = await SdkAsync(Turn(), streaming);

        sdk.Text.ShouldBe(ours.Text);
        sdk.FinishReason.ShouldBe(ours.FinishReason);
        sdk.Usage.ShouldNotBeNull();
        sdk.Usage.InputTokenCount.ShouldBe(ours.Usage.InputTokenCount);
        sdk.Usage.OutputTokenCount.ShouldBe(ours.Usage.OutputTokenCount);
        sdk.ModelId.ShouldBe(ours.ModelId);
    }

    [Theory]
    [MemberData(nameof(Streaming))]
    public async Task TextAndTwoToolCalls_BothClients_AgreeOnCalls(bool streaming)
    {
        static FakeTurn Turn() => FakeTurn.Text("Let me look both up.")
            .WithToolCall("toolu_01A", "get_weather", """{"location":"San Francisco, CA","unit":"celsius"}""")
            .WithToolCall("toolu_01B", "get_time", """{"timezone":"America/Los_Angeles","format":{"hour12":true,"fields":["h","m"]}}""")
            .WithArgumentChunkSize(7)
            .WithUsage(120, 64);
        ChatResponse ours = await OursAsync(Turn(), streaming);

        ours.Text.ShouldBe("Let me look both up.");
        FunctionCallContent[] ourCalls = Calls(ours);
        ourCalls.Length.ShouldBe(2);
        ourCalls[0].CallId.ShouldBe("toolu_01A");
        ourCalls[0].Name.ShouldBe("get_weather");
        ArgumentsJson(ourCalls[0]).ShouldBe("""{"location":"San Francisco, CA","unit":"celsius"}""");
        ourCalls[1].CallId.ShouldBe("toolu_01B");
        ArgumentsJson(ourCalls[1]).ShouldBe("""{"timezone":"America/Los_Angeles","format":{"hour12":true,"fields":["h","m"]}}""");
        ours.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        ChatResponse sdk = await SdkAsync(Turn(), streaming);

        sdk.Text.ShouldBe(ours.Text);
        FunctionCallContent[] sdkCalls = Calls(sdk);
        sdkCalls.Length.ShouldBe(2);
        for (int i = 0; i < 2; i++)
        {
            sdkCalls[i].CallId.ShouldBe(ourCalls[i].CallId);
            sdkCalls[i].Name.ShouldBe(ourCalls[i].Name);
            ArgumentsJson(sdkCalls[i]).ShouldBe(ArgumentsJson(ourCalls[i]));
        }

        sdk.FinishReason.ShouldBe(ours.FinishReason);
        sdk.Usage!.InputTokenCount.ShouldBe(ours.Usage!.InputTokenCount);
        sdk.Usage.OutputTokenCount.ShouldBe(ours.Usage.OutputTokenCount);
    }

    [Theory]
    [MemberData(nameof(Streaming))]
    public async Task MaxTokens_BothClients_ReportLength(bool streaming)
    {
        static FakeTurn Turn() => FakeTurn.Text("This answer was cut").WithFinishReason(FakeFinishReason.Length).WithUsage(10, 5);
        ChatResponse ours = await OursAsync(Turn(), streaming);

        ours.FinishReason.ShouldBe(ChatFinishReason.Length);
        ours.Text.ShouldBe("This answer was cut");
        ChatResponse sdk = await SdkAsync(Turn(), streaming);

        sdk.FinishReason.ShouldBe(ChatFinishReason.Length);
        sdk.Text.ShouldBe(ours.Text);
    }

    [Theory]
    [MemberData(nameof(Streaming))]
    public async Task CachedInput_BothClients_CountCacheReadsAsInput(bool streaming)
    {
        // The fake server sends input_tokens = 100 - 60 = 40 and cache_read_input_tokens = 60.
        static FakeTurn Turn() => FakeTurn.Text("cached").WithUsage(100, 9, cachedInputTokens: 60);
        ChatResponse ours = await OursAsync(Turn(), streaming);

        // Allos: InputTokenCount is the whole prompt (input + cache reads + cache writes), as every Allos codec reports it.
        ours.Usage!.InputTokenCount.ShouldBe(100);
        ours.Usage.CachedInputTokenCount.ShouldBe(60);
        ours.Usage.OutputTokenCount.ShouldBe(9);
        ChatResponse sdk = await SdkAsync(Turn(), streaming);

        // Observed with 13.12.0: the SDK adapter uses the same semantics (no legitimate difference to note).
        sdk.Usage!.InputTokenCount.ShouldBe(ours.Usage.InputTokenCount);
        sdk.Usage.CachedInputTokenCount.ShouldBe(ours.Usage.CachedInputTokenCount);
        sdk.Usage.OutputTokenCount.ShouldBe(9);
    }

    [Theory]
    [MemberData(nameof(Streaming))]
    public async Task JsonSchemaWithTools_BothClients_SendTheSameOutputConfig(bool streaming)
    {
        JsonElement schema = JsonDocument.Parse("""
            {"type":"object","properties":{"city":{"type":"string"},"degrees":{"type":"integer"}},"required":["city","degrees"],"additionalProperties":false}
            """).RootElement;
        AIFunction weather = AIFunctionFactory.Create((string location) => "15 degrees", "get_weather", "Gets the weather.");
        ChatOptions Options() => new() { Tools = [weather], ResponseFormat = ChatResponseFormat.ForJsonSchema(schema) };
        static FakeTurn Turn() => FakeTurn.Text("""{"city":"Paris","degrees":15}""").WithUsage(30, 9);

        ChatResponse ours = await OursAsync(Turn(), streaming, Options());
        JsonElement ourBody = _server.Requests[^1].Json;
        ChatResponse sdk = await SdkAsync(Turn(), streaming, Options());
        JsonElement sdkBody = _server.Requests[^1].Json;

        ours.Text.ShouldBe("""{"city":"Paris","degrees":15}""");
        sdk.Text.ShouldBe(ours.Text);
        JsonNode.DeepEquals(JsonNode.Parse(ourBody.GetProperty("output_config").GetRawText()), JsonNode.Parse(sdkBody.GetProperty("output_config").GetRawText()))
            .ShouldBeTrue($"ours {ourBody.GetProperty("output_config")} vs SDK {sdkBody.GetProperty("output_config")}");
        ourBody.GetProperty("tools").GetArrayLength().ShouldBe(sdkBody.GetProperty("tools").GetArrayLength());
        ourBody.TryGetProperty("tool_choice", out _).ShouldBe(sdkBody.TryGetProperty("tool_choice", out _));

        // Structured output is GA: neither client asks for a beta.
        _server.Requests.TakeLast(2).ShouldAllBe(r => !r.Headers.ContainsKey("anthropic-beta"));
    }

    private async Task<ChatResponse> OursAsync(FakeTurn turn, bool streaming, ChatOptions? options = null)
    {
        _server.Enqueue(turn);
        IChatClient ours = _server.CreateClient("anthropic/" + Model);
        List<ChatMessage> messages = [new(ChatRole.User, "Hello")];
        ChatResponse response = streaming
            ? await ours.GetStreamingResponseAsync(messages, options).ToChatResponseAsync()
            : await ours.GetResponseAsync(messages, options);
        _server.Requests[^1].Streaming.ShouldBe(streaming);
        return response;
    }

    /// <summary>Sends the turn through the SDK's adapter.</summary>
    private async Task<ChatResponse> SdkAsync(FakeTurn turn, bool streaming, ChatOptions? options = null)
    {
        _server.Enqueue(turn);
        int before = _server.Requests.Count;
        using IChatClient sdk = new AnthropicClient { ApiKey = "sk-ant-test", BaseUrl = _server.BaseUri.AbsoluteUri.TrimEnd('/'), MaxRetries = 0 }
            .AsIChatClient(Model, defaultMaxOutputTokens: 8192);
        List<ChatMessage> messages = [new(ChatRole.User, "Hello")];
        ChatResponse response = streaming
            ? await sdk.GetStreamingResponseAsync(messages, options).ToChatResponseAsync()
            : await sdk.GetResponseAsync(messages, options);
        _server.Requests.Count.ShouldBe(before + 1);
        RecordedRequest request = _server.Requests[^1];
        request.Path.ShouldBe("/v1/messages");
        request.Streaming.ShouldBe(streaming);
        return response;
    }

    private static FunctionCallContent[] Calls(ChatResponse response) =>
        [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];

    /// <summary>The arguments as canonical JSON, whatever CLR types each client chose for the values.</summary>
    private static string ArgumentsJson(FunctionCallContent call)
    {
        var node = new JsonObject();
        foreach (KeyValuePair<string, object?> argument in call.Arguments ?? new Dictionary<string, object?>())
        {
            node[argument.Key] = argument.Value switch
            {
                null => null,
                JsonElement element => JsonNode.Parse(element.GetRawText()),
                JsonNode n => n.DeepClone(),
                object value => JsonNode.Parse(JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()))),
            };
        }

        return node.ToJsonString();
    }
}
