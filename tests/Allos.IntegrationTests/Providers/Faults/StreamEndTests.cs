namespace Allos.IntegrationTests.Providers.Faults;

/// <summary>
/// A stream whose answer finished is complete even without the format's terminator (Portkey's Gemini route, some vLLM
/// and LM Studio versions end OpenAI streams this way); only a stream cut before any finish reason is an error.
/// </summary>
public sealed class StreamEndTests : IAsyncLifetime
{
    private const string Sse = "text/event-stream";

    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task OpenAIStream_FinishReasonWithoutDone_IsCompleteWithTheLastRunningTotal()
    {
        // Usage on every chunk as running totals (as such gateways send it): the last one counts, nothing is summed.
        _server.Enqueue(FakeTurn.Raw(Sse,
            """data: {"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"gemini-2.5-flash","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}""" + "\n\n",
            """data: {"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"gemini-2.5-flash","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""" + "\n\n",
            """data: {"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"gemini-2.5-flash","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}""" + "\n\n"));
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini");

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("hi").ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        response.Text.ShouldBe("Hello");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(5);
        response.Usage.OutputTokenCount.ShouldBe(3);
        response.Usage.TotalTokenCount.ShouldBe(8);
        updates.SelectMany(u => u.Contents).OfType<UsageContent>().Count().ShouldBe(1);
    }

    [Fact]
    public async Task OpenAIStream_ToolCallFinishedWithoutDone_EmitsTheCall()
    {
        _server.Enqueue(FakeTurn.Raw(Sse,
            """data: {"id":"c2","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"get_weather","arguments":"{\"city\":"}}]},"finish_reason":null}]}""" + "\n\n",
            """data: {"id":"c2","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Oslo\"}"}}]},"finish_reason":"tool_calls"}]}""" + "\n\n"));
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini");

        ChatResponse response = await chat.GetStreamingResponseAsync("weather?").ToChatResponseAsync();

        FunctionCallContent call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.CallId.ShouldBe("call_9");
        call.Arguments.ShouldNotBeNull()["city"]!.ToString().ShouldBe("Oslo");
        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
    }

    [Fact]
    public async Task OpenAIStream_CutBeforeAnyFinishReason_IsABrokenConnection()
    {
        _server.Enqueue(FakeTurn.Raw(Sse,
            """data: {"id":"c3","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}""" + "\n\n"));
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini");

        ProviderConnectionException error = await Should.ThrowAsync<ProviderConnectionException>(() => chat.GetStreamingResponseAsync("hi").ToListAsync().AsTask());

        error.Message.ShouldContain("[DONE]");
    }

    [Fact]
    public async Task AnthropicStream_MessageDeltaWithoutMessageStop_IsComplete()
    {
        _server.Enqueue(FakeTurn.Raw(Sse,
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi there\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":7}}\n\n"));
        IChatClient chat = _server.CreateClient("anthropic/claude-sonnet-4-5");

        ChatResponse response = await chat.GetStreamingResponseAsync("hi").ToChatResponseAsync();

        response.Text.ShouldBe("Hi there");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.Usage.ShouldNotBeNull().OutputTokenCount.ShouldBe(7);
        response.Usage.InputTokenCount.ShouldBe(12);
    }

    [Fact]
    public async Task AnthropicStream_CutBeforeTheStopReason_IsABrokenConnection()
    {
        _server.Enqueue(FakeTurn.Raw(Sse,
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n"));
        IChatClient chat = _server.CreateClient("anthropic/claude-sonnet-4-5");

        await Should.ThrowAsync<ProviderConnectionException>(() => chat.GetStreamingResponseAsync("hi").ToListAsync().AsTask());
    }
}
