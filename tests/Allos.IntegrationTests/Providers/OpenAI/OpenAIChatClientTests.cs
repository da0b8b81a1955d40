using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

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
        request.Headers["Content-Type"].ShouldStartWith("application/json");
        request.Headers.ContainsKey("Content-Length").ShouldBeTrue("the body is sent with a length, not chunked");
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

    [Fact]
    public async Task GetResponseAsync_ToolRoundTrip_SecondRequestHasExactWireShape()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_abc123", "get_weather", """{"location":"Boston, MA"}""")).WithUsage(82, 17),
            FakeTurn.Text("It is 22 degrees in Boston."));
        IChatClient chat = _server.CreateClient("openai/gpt-4.1");
        AIFunction weather = AIFunctionFactory.Create((string location) => "22C", "get_weather", "Get the current weather");
        var options = new ChatOptions { Tools = [weather] };
        List<ChatMessage> history = [new(ChatRole.User, "Weather in Boston?")];

        ChatResponse first = await chat.GetResponseAsync(history, options);

        first.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        FunctionCallContent call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.CallId.ShouldBe("call_abc123");
        call.Name.ShouldBe("get_weather");
        call.Arguments.ShouldNotBeNull()["location"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("Boston, MA");

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_abc123", """{"temperature":22,"unit":"celsius"}""")]));
        ChatResponse second = await chat.GetResponseAsync(history, options);

        second.Text.ShouldBe("It is 22 degrees in Boston.");
        JsonElement tools = _server.Requests[0].Json.GetProperty("tools");
        tools[0].GetProperty("type").GetString().ShouldBe("function");
        tools[0].GetProperty("function").GetProperty("name").GetString().ShouldBe("get_weather");
        tools[0].GetProperty("function").GetProperty("parameters").GetProperty("type").GetString().ShouldBe("object");
        tools[0].GetProperty("function").GetProperty("parameters").GetProperty("properties").GetProperty("location").GetProperty("type").GetString().ShouldBe("string");

        JsonElement messages = _server.Requests[1].Json.GetProperty("messages");
        messages.GetArrayLength().ShouldBe(3);
        JsonElement assistant = messages[1];
        assistant.GetProperty("role").GetString().ShouldBe("assistant");
        assistant.GetProperty("content").ValueKind.ShouldBe(JsonValueKind.Null);
        JsonElement wireCall = assistant.GetProperty("tool_calls").EnumerateArray().ShouldHaveSingleItem();
        wireCall.GetProperty("id").GetString().ShouldBe("call_abc123");
        wireCall.GetProperty("type").GetString().ShouldBe("function");
        wireCall.GetProperty("function").GetProperty("name").GetString().ShouldBe("get_weather");
        wireCall.GetProperty("function").GetProperty("arguments").GetString().ShouldBe("""{"location":"Boston, MA"}"""); // compact, no wasted tokens
        JsonElement tool = messages[2];
        tool.GetProperty("role").GetString().ShouldBe("tool");
        tool.GetProperty("tool_call_id").GetString().ShouldBe("call_abc123");
        tool.GetProperty("content").GetString().ShouldBe("""{"temperature":22,"unit":"celsius"}""");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(null)]
    public async Task GetStreamingResponseAsync_SeveralToolCalls_AssemblesEachFromFragmentsOrWhole(int? fragmentSize)
    {
        _server.Enqueue(FakeTurn.ToolCalls(
                new FakeToolCall("call_1", "read_file", """{"path":"a.txt"}"""),
                new FakeToolCall("call_2", "read_file", """{"path":"b/c.txt","start_line":3}"""))
            .WithArgumentChunkSize(fragmentSize)
            .WithUsage(60, 15));
        IChatClient chat = _server.CreateClient("openai/gpt-4.1");

        ChatResponse response = (await chat.GetStreamingResponseAsync("Read both").ToListAsync()).ToChatResponse();

        FunctionCallContent[] calls = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
        calls.Length.ShouldBe(2);
        calls[0].CallId.ShouldBe("call_1");
        calls[0].Arguments!["path"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("a.txt");
        calls[1].CallId.ShouldBe("call_2");
        calls[1].Arguments!["path"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("b/c.txt");
        calls[1].Arguments!["start_line"].ShouldBeOfType<JsonElement>().GetInt32().ShouldBe(3);
        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        response.Usage!.InputTokenCount.ShouldBe(60);
    }

    [Fact]
    public async Task GetResponseAsync_MalformedToolArguments_ReturnsCallCarryingTheParseError()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("call_bad", "write_file", """{"path": "a.txt", "content": """)));
        IChatClient chat = _server.CreateClient("openai/gpt-4.1");

        ChatResponse response = await chat.GetResponseAsync("Write it");

        FunctionCallContent call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.Name.ShouldBe("write_file");
        call.Exception.ShouldNotBeNull();
    }

    [Fact]
    public async Task GetResponseAsync_Images_SendsDataUriAndUrlParts()
    {
        _server.Enqueue(FakeTurn.Text("A cat and a dog."));
        IChatClient chat = _server.CreateClient("openai/gpt-4o");
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        var message = new ChatMessage(ChatRole.User,
        [
            new TextContent("What is in these images?"),
            new DataContent(png, "image/png"),
            new UriContent("https://example.com/dog.jpg", "image/jpeg"),
        ]);

        await chat.GetResponseAsync([message]);

        JsonElement content = _server.Requests[0].Json.GetProperty("messages")[0].GetProperty("content");
        content.GetArrayLength().ShouldBe(3);
        content[0].GetProperty("type").GetString().ShouldBe("text");
        content[1].GetProperty("type").GetString().ShouldBe("image_url");
        content[1].GetProperty("image_url").GetProperty("url").GetString().ShouldBe("data:image/png;base64," + Convert.ToBase64String(png));
        content[2].GetProperty("image_url").GetProperty("url").GetString().ShouldBe("https://example.com/dog.jpg");
    }

    [Fact]
    public async Task GetResponseAsync_Options_MapToChatCompletionsFields()
    {
        _server.Enqueue(FakeTurn.Text("{}"));
        IChatClient chat = _server.CreateClient("openai/gpt-4o");
        JsonElement schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""").RootElement;
        var options = new ChatOptions
        {
            Instructions = "Answer in JSON.",
            Temperature = 0.5f,
            TopP = 0.9f,
            MaxOutputTokens = 100,
            Seed = 42,
            StopSequences = ["END"],
            FrequencyPenalty = 0.1f,
            PresencePenalty = 0.2f,
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "person", "A person"),
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low },
            AdditionalProperties = new() { ["user"] = "u-1", ["service_tier"] = "flex" },
        };

        await chat.GetResponseAsync("Who?", options);

        JsonElement body = _server.Requests[0].Json;
        body.GetProperty("messages")[0].GetProperty("content").GetString().ShouldBe("Answer in JSON.");
        body.GetProperty("temperature").GetDouble().ShouldBe(0.5, 1e-6);
        body.GetProperty("top_p").GetDouble().ShouldBe(0.9, 1e-6);
        body.GetProperty("max_completion_tokens").GetInt32().ShouldBe(100);
        body.TryGetProperty("max_tokens", out _).ShouldBeFalse();
        body.GetProperty("seed").GetInt64().ShouldBe(42);
        body.GetProperty("stop")[0].GetString().ShouldBe("END");
        body.GetProperty("frequency_penalty").GetDouble().ShouldBe(0.1, 1e-6);
        body.GetProperty("presence_penalty").GetDouble().ShouldBe(0.2, 1e-6);
        body.GetProperty("reasoning_effort").GetString().ShouldBe("low");
        body.GetProperty("user").GetString().ShouldBe("u-1");
        body.GetProperty("service_tier").GetString().ShouldBe("flex");
        JsonElement format = body.GetProperty("response_format");
        format.GetProperty("type").GetString().ShouldBe("json_schema");
        format.GetProperty("json_schema").GetProperty("name").GetString().ShouldBe("person");
        format.GetProperty("json_schema").GetProperty("schema").GetProperty("required")[0].GetString().ShouldBe("name");
    }

    [Fact]
    public async Task GetResponseAsync_JsonModeAndToolChoice_MapToWire()
    {
        _server.Enqueue(FakeTurn.Text("{}"), FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient("groq/llama-3.3-70b-versatile");
        AIFunction f = AIFunctionFactory.Create(() => "x", "lookup");

        await chat.GetResponseAsync("json please", new ChatOptions { ResponseFormat = ChatResponseFormat.Json, MaxOutputTokens = 50 });
        await chat.GetResponseAsync("call it", new ChatOptions { Tools = [f], ToolMode = ChatToolMode.RequireSpecific("lookup"), AllowMultipleToolCalls = false });

        JsonElement first = _server.Requests[0].Json;
        first.GetProperty("response_format").GetProperty("type").GetString().ShouldBe("json_object");
        first.GetProperty("max_tokens").GetInt32().ShouldBe(50); // compatible servers get the classic field
        JsonElement second = _server.Requests[1].Json;
        second.GetProperty("tool_choice").GetProperty("function").GetProperty("name").GetString().ShouldBe("lookup");
        second.GetProperty("parallel_tool_calls").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task GetResponseAsync_TopK_IsRefusedNotDropped()
    {
        IChatClient chat = _server.CreateClient("openai/gpt-4o");

        FeatureNotSupportedException error = await Should.ThrowAsync<FeatureNotSupportedException>(
            () => chat.GetResponseAsync("hi", new ChatOptions { TopK = 5 }));

        error.Provider.ShouldBe("openai");
        error.Message.ShouldContain("TopK");
        _server.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(FakeFinishReason.Length, "length")]
    [InlineData(FakeFinishReason.ContentFilter, "content_filter")]
    [InlineData(FakeFinishReason.Stop, "stop")]
    public async Task GetResponseAsync_FinishReasons_AreMapped(FakeFinishReason reason, string expected)
    {
        _server.Enqueue(FakeTurn.Text("partial").WithFinishReason(reason), FakeTurn.Text("partial").WithFinishReason(reason));
        IChatClient chat = _server.CreateClient("openai/gpt-4o");

        ChatResponse whole = await chat.GetResponseAsync("go");
        ChatResponse streamed = (await chat.GetStreamingResponseAsync("go").ToListAsync()).ToChatResponse();

        whole.FinishReason!.Value.Value.ShouldBe(expected);
        streamed.FinishReason!.Value.Value.ShouldBe(expected);
    }

    public static TheoryData<int, string, Type> ErrorCases => new()
    {
        { 400, """{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}}""", typeof(InvalidRequestException) },
        { 400, """{"error":{"message":"Input tokens exceed the configured limit of 272000 tokens. Your messages resulted in 3148588 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""", typeof(ContextWindowExceededException) },
        { 400, """{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","type":null,"param":"prompt","code":"content_filter","status":400}}""", typeof(ContentFilteredException) },
        { 401, """{"error":{"message":"Incorrect API key provided: sk-VKMI***wjh3.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""", typeof(ProviderAuthenticationException) },
        { 403, """{"error":{"message":"You are not allowed to sample from this model","type":"invalid_request_error","param":null,"code":null}}""", typeof(ProviderPermissionException) },
        { 404, """{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}""", typeof(ProviderNotFoundException) },
        { 429, """{"error": {"message": "You exceeded your current quota, please check your plan and billing details.", "type": "insufficient_quota", "param": null, "code": null}}""", typeof(QuotaExceededException) },
        { 402, """{"error":{"code":402,"message":"Insufficient credits"}}""", typeof(QuotaExceededException) },
        { 500, """{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}""", typeof(ProviderServerException) },
        { 503, """{"error":{"message":"Service Unavailable","type":"server_error"}}""", typeof(ProviderOverloadedException) },
        { 504, "<html>Gateway Timeout</html>", typeof(ProviderTimeoutException) },
        { 400, """{"object":"error","message":"This model's maximum context length is 16384 tokens. However, you requested 19591 tokens (9591 in the messages, 10000 in the completion). Please reduce the length of the messages or completion. None","type":"BadRequestError","param":null,"code":400}""", typeof(ContextWindowExceededException) },
        { 403, """{"error":{"message":"Input token count + max_tokens parameter must be less than the context length","type":"invalid_request_error"}}""", typeof(ContextWindowExceededException) },
    };

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public async Task GetResponseAsync_ErrorBodies_MapToOneHierarchy(int status, string body, Type expected)
    {
        _server.Enqueue(FakeTurn.Error(status, body, new Dictionary<string, string> { ["x-request-id"] = "req_123" }));
        IChatClient chat = _server.CreateClient("openai/gpt-4o", apiKey: "sk-secret-value-that-must-not-leak");

        ProviderException error = await Should.ThrowAsync<ProviderException>(() => chat.GetResponseAsync("hi"));

        error.ShouldBeOfType(expected);
        error.StatusCode.ShouldBe(status);
        error.Provider.ShouldBe("openai");
        error.RequestId.ShouldBe("req_123");
        error.Message.ShouldNotContain("sk-secret-value-that-must-not-leak");
        error.IsTransient.ShouldBe(expected == typeof(ProviderServerException) || expected == typeof(ProviderOverloadedException) || expected == typeof(ProviderTimeoutException));
    }

    [Theory]
    [InlineData("retry-after", "7", 7_000)]
    [InlineData("retry-after-ms", "1500", 1_500)]
    [InlineData("x-ratelimit-reset-tokens", "1m30s", 90_000)]
    public async Task GetResponseAsync_RateLimited_ParsesRetryAfter(string header, string value, int expectedMs)
    {
        _server.Enqueue(FakeTurn.ProviderError(429, "Rate limit reached for gpt-4 on tokens per min (TPM).").WithHeader(header, value));
        IChatClient chat = _server.CreateClient("openai/gpt-4o");

        RateLimitException error = await Should.ThrowAsync<RateLimitException>(() => chat.GetResponseAsync("hi"));

        error.IsTransient.ShouldBeTrue();
        error.RetryAfter.ShouldBe(TimeSpan.FromMilliseconds(expectedMs));
        error.ErrorCode.ShouldBe("rate_limit_exceeded");
    }

    [Fact]
    public async Task GetResponseAsync_RateLimitedWithHttpDate_ParsesRetryAfter()
    {
        var now = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        _server.Enqueue(FakeTurn.ProviderError(429, "slow down").WithHeader("retry-after", now.AddSeconds(30).ToString("r")));
        IChatClient chat = _server.CreateClient("openai/gpt-4o", options: new ChatClientOptions { TimeProvider = new FakeTimeProvider(now) });

        RateLimitException error = await Should.ThrowAsync<RateLimitException>(() => chat.GetResponseAsync("hi"));

        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ErrorChunkMidStream_RaisesServerError()
    {
        _server.Enqueue(FakeTurn.Text("The question is").WithStreamError("The server had an error while processing your request. Sorry about that!"));
        IChatClient chat = _server.CreateClient("openai/gpt-4.1");
        var received = new List<string>();

        ProviderServerException error = await Should.ThrowAsync<ProviderServerException>(async () =>
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("q"))
            {
                received.Add(update.Text);
            }
        });

        string.Concat(received).ShouldBe("The question is");
        error.IsTransient.ShouldBeTrue();
        error.Message.ShouldContain("Sorry about that");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StreamEndsBeforeDone_RaisesTransientConnectionError()
    {
        _server.Enqueue(FakeTurn.Text("one two three four").TruncateAfter(3));
        IChatClient chat = _server.CreateClient("openai/gpt-4o");

        ProviderConnectionException error = await Should.ThrowAsync<ProviderConnectionException>(
            async () => await chat.GetStreamingResponseAsync("count").ToListAsync());

        error.IsTransient.ShouldBeTrue();
        error.Message.ShouldContain("[DONE]");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConnectionDropped_RaisesTransientConnectionError()
    {
        _server.Enqueue(FakeTurn.Text("one two three four").DropConnectionAfter(2));
        IChatClient chat = _server.CreateClient("openai/gpt-4o");

        ProviderConnectionException error = await Should.ThrowAsync<ProviderConnectionException>(
            async () => await chat.GetStreamingResponseAsync("count").ToListAsync());

        error.IsTransient.ShouldBeTrue();
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CancelledMidStream_ThrowsCancellationAndReleasesConnection()
    {
        _server.Enqueue(FakeTurn.Text("a b c d e f g h").WithChunkDelay(TimeSpan.FromMilliseconds(200)));
        IChatClient chat = _server.CreateClient("openai/gpt-4o");
        using var cts = new CancellationTokenSource();

        await Should.ThrowAsync<OperationCanceledException>(async () =>
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("go", cancellationToken: cts.Token))
            {
                if (update.Text.Length > 0)
                {
                    await cts.CancelAsync();
                }
            }
        });

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        await WaitUntilAsync(() => request.ClientDisconnected);
    }

    [Fact]
    public async Task GetResponseAsync_SlowerThanTimeout_RaisesProviderTimeout()
    {
        _server.Enqueue(FakeTurn.Text("late").WithChunkDelay(TimeSpan.FromSeconds(5)));
        IChatClient chat = _server.CreateClient("openai/gpt-4o", options: new ChatClientOptions { Timeout = TimeSpan.FromMilliseconds(300) });

        ProviderTimeoutException error = await Should.ThrowAsync<ProviderTimeoutException>(() => chat.GetResponseAsync("hi"));

        error.IsTransient.ShouldBeTrue();
    }

    [Fact]
    public async Task GetResponseAsync_NothingListening_RaisesConnectionError()
    {
        IChatClient chat = ChatClients.Create("openai/gpt-4o", new ChatClientOptions { ApiKey = "k", Endpoint = new Uri("http://127.0.0.1:1/v1") });

        ProviderConnectionException error = await Should.ThrowAsync<ProviderConnectionException>(() => chat.GetResponseAsync("hi"));

        error.IsTransient.ShouldBeTrue();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        condition().ShouldBeTrue("the condition did not become true within 5 s");
    }
}
