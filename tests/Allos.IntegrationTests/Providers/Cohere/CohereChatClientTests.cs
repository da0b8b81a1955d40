using System.Text.Json;
using Allos.Providers;
using Allos.Providers.Cohere;

namespace Allos.IntegrationTests.Providers.Cohere;

public sealed class CohereChatClientTests : IAsyncLifetime
{
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GetResponseAsync_PlainReply_ReturnsTextBilledUsageAndFinishReason()
    {
        _server.Enqueue(FakeTurn.Text("Hello there!").WithUsage(12, 3));
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025", apiKey: "co-test-123");

        ChatResponse response = await chat.GetResponseAsync([new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi")]);

        response.Text.ShouldBe("Hello there!");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.ModelId.ShouldBe("command-a-03-2025");
        response.ResponseId.ShouldNotBeNullOrEmpty();
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(12); // billed units, what the price applies to
        response.Usage.OutputTokenCount.ShouldBe(3);
        response.Usage.TotalTokenCount.ShouldBe(15);
        response.Usage.AdditionalCounts![CohereResponseParser.ModelInputTokensKey].ShouldBe(212);
        response.Usage.AdditionalCounts[CohereResponseParser.ModelOutputTokensKey].ShouldBe(5);

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/v2/chat");
        request.Format.ShouldBe(FakeWireFormat.Cohere);
        request.Headers["Authorization"].ShouldBe("Bearer co-test-123");
        request.Json.GetProperty("model").GetString().ShouldBe("command-a-03-2025");
        request.Json.TryGetProperty("stream", out _).ShouldBeFalse();
        JsonElement messages = request.Json.GetProperty("messages");
        messages.GetArrayLength().ShouldBe(2);
        messages[0].GetProperty("role").GetString().ShouldBe("system");
        messages[0].GetProperty("content").GetString().ShouldBe("Be brief.");
        messages[1].GetProperty("role").GetString().ShouldBe("user");
        messages[1].GetProperty("content").GetString().ShouldBe("Hi");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Text_StreamsDeltasWithUsageAndFinishReason()
    {
        _server.Enqueue(FakeTurn.Text("The quick brown fox").WithUsage(20, 4));
        IChatClient chat = _server.CreateClient("cohere/command-r-08-2024");

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("Say it").ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        updates.Count(u => u.Text.Length > 0).ShouldBe(4);
        response.Text.ShouldBe("The quick brown fox");
        response.ModelId.ShouldBe("command-r-08-2024");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(20);
        response.Usage.OutputTokenCount.ShouldBe(4);
        _server.Requests.ShouldHaveSingleItem().Json.GetProperty("stream").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task GetResponseAsync_ToolRoundTrip_SecondRequestHasExactWireShape()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("get_weather_abc123", "get_weather", """{"location":"Boston, MA"}""")).WithReasoning("I will look up the weather.").WithUsage(82, 17),
            FakeTurn.Text("It is 22 degrees in Boston."));
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025");
        AIFunction weather = AIFunctionFactory.Create((string location) => "22C", "get_weather", "Get the current weather");
        var options = new ChatOptions { Tools = [weather] };
        List<ChatMessage> history = [new(ChatRole.User, "Weather in Boston?")];

        ChatResponse first = await chat.GetResponseAsync(history, options);

        first.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        FunctionCallContent call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.CallId.ShouldBe("get_weather_abc123");
        call.Name.ShouldBe("get_weather");
        call.Arguments.ShouldNotBeNull()["location"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("Boston, MA");

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("get_weather_abc123", """{"temperature":22}""")]));
        ChatResponse second = await chat.GetResponseAsync(history, options);

        second.Text.ShouldBe("It is 22 degrees in Boston.");
        JsonElement tools = _server.Requests[0].Json.GetProperty("tools");
        tools[0].GetProperty("type").GetString().ShouldBe("function");
        tools[0].GetProperty("function").GetProperty("name").GetString().ShouldBe("get_weather");
        tools[0].GetProperty("function").GetProperty("description").GetString().ShouldBe("Get the current weather");
        tools[0].GetProperty("function").GetProperty("parameters").GetProperty("properties").GetProperty("location").GetProperty("type").GetString().ShouldBe("string");

        JsonElement messages = _server.Requests[1].Json.GetProperty("messages");
        messages.GetArrayLength().ShouldBe(3);
        JsonElement assistant = messages[1];
        assistant.GetProperty("role").GetString().ShouldBe("assistant");
        assistant.TryGetProperty("content", out _).ShouldBeFalse();
        JsonElement wireCall = assistant.GetProperty("tool_calls").EnumerateArray().ShouldHaveSingleItem();
        wireCall.GetProperty("id").GetString().ShouldBe("get_weather_abc123");
        wireCall.GetProperty("type").GetString().ShouldBe("function");
        wireCall.GetProperty("function").GetProperty("name").GetString().ShouldBe("get_weather");
        wireCall.GetProperty("function").GetProperty("arguments").GetString().ShouldBe("""{"location":"Boston, MA"}""");
        JsonElement tool = messages[2];
        tool.GetProperty("role").GetString().ShouldBe("tool");
        tool.GetProperty("tool_call_id").GetString().ShouldBe("get_weather_abc123");
        tool.GetProperty("content").GetString().ShouldBe("""{"temperature":22}""");
    }

    [Fact]
    public async Task GetResponseAsync_ToolPlan_IsReasoningAndGoesBackWithTheCalls()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", """
            {"id":"r1","finish_reason":"TOOL_CALL","message":{"role":"assistant","tool_plan":"I will check the weather.",
             "tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}}]},
             "usage":{"billed_units":{"input_tokens":5,"output_tokens":7},"tokens":{"input_tokens":900,"output_tokens":40}}}
            """), FakeTurn.Text("Sunny."));
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025");
        List<ChatMessage> history = [new(ChatRole.User, "Paris?")];

        ChatResponse first = await chat.GetResponseAsync(history);
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "sunny")]));
        await chat.GetResponseAsync(history);

        first.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ShouldHaveSingleItem().Text.ShouldBe("I will check the weather.");
        JsonElement assistant = _server.Requests[1].Json.GetProperty("messages")[1];
        assistant.GetProperty("tool_plan").GetString().ShouldBe("I will check the weather.");
        assistant.GetProperty("tool_calls")[0].GetProperty("id").GetString().ShouldBe("c1");
    }

    [Fact]
    public async Task GetResponseAsync_ThinkingModel_ReturnsReasoningWholeAndStreamedAndSendsTheBudget()
    {
        _server.Enqueue(
            FakeTurn.Text("42.").WithReasoning("Six times seven."),
            FakeTurn.Text("42.").WithReasoning("Six times seven."));
        IChatClient chat = _server.CreateClient("cohere/command-a-reasoning-08-2025");
        var options = new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low } };

        ChatResponse whole = await chat.GetResponseAsync("6*7?", options);
        ChatResponse streamed = (await chat.GetStreamingResponseAsync("6*7?", options).ToListAsync()).ToChatResponse();

        foreach (ChatResponse response in new[] { whole, streamed })
        {
            response.Text.ShouldBe("42.");
            string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text)).ShouldBe("Six times seven.");
        }

        JsonElement thinking = _server.Requests[0].Json.GetProperty("thinking");
        thinking.GetProperty("type").GetString().ShouldBe("enabled");
        thinking.GetProperty("token_budget").GetInt32().ShouldBe(1024);
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
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025");

        ChatResponse response = (await chat.GetStreamingResponseAsync("Read both").ToListAsync()).ToChatResponse();

        FunctionCallContent[] calls = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
        calls.Length.ShouldBe(2);
        calls[0].CallId.ShouldBe("call_1");
        calls[0].Name.ShouldBe("read_file");
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
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025");

        ChatResponse response = await chat.GetResponseAsync("Write it");

        FunctionCallContent call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.Name.ShouldBe("write_file");
        call.Exception.ShouldNotBeNull();
    }

    private const string CitedBody = """
        {"id":"r2","finish_reason":"COMPLETE","message":{"role":"assistant",
         "content":[{"type":"text","text":"Emperor penguins are the tallest."}],
         "citations":[{"start":0,"end":16,"text":"Emperor penguins","type":"TEXT_CONTENT",
           "sources":[{"type":"document","id":"doc:0","document":{"id":"doc:0","title":"Penguins","text":"Emperor penguins are the tallest."}},
                      {"type":"tool","id":"search_1:0","tool_output":{"tool_name":"search","text":"…"}}]}]},
         "usage":{"billed_units":{"input_tokens":30,"output_tokens":8}}}
        """;

    [Fact]
    public async Task GetResponseAsync_Citations_BecomeCitationAnnotationsOnTheText()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", CitedBody));
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025");

        ChatResponse response = await chat.GetResponseAsync("Which penguins are tallest?");

        TextContent text = response.Messages.SelectMany(m => m.Contents).OfType<TextContent>().ShouldHaveSingleItem();
        CitationAnnotation[] citations = [.. text.Annotations.ShouldNotBeNull().OfType<CitationAnnotation>()];
        citations.Length.ShouldBe(2);
        citations[0].Snippet.ShouldBe("Emperor penguins");
        citations[0].FileId.ShouldBe("doc:0");
        citations[0].Title.ShouldBe("Penguins");
        TextSpanAnnotatedRegion region = citations[0].AnnotatedRegions.ShouldNotBeNull().OfType<TextSpanAnnotatedRegion>().ShouldHaveSingleItem();
        region.StartIndex.ShouldBe(0);
        region.EndIndex.ShouldBe(16);
        citations[1].FileId.ShouldBe("search_1:0");
        citations[1].ToolName.ShouldBe("search");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CitationStart_YieldsCitationAnnotation()
    {
        _server.Enqueue(FakeTurn.Raw("text/event-stream",
            "event: message-start\ndata: {\"id\":\"r3\",\"type\":\"message-start\",\"delta\":{\"message\":{\"role\":\"assistant\",\"content\":[],\"tool_plan\":\"\",\"tool_calls\":[],\"citations\":[]}}}\n\n",
            "event: content-start\ndata: {\"type\":\"content-start\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"type\":\"text\",\"text\":\"\"}}}}\n\n",
            "event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"Emperor penguins\"}}}}\n\n",
            "event: citation-start\ndata: {\"type\":\"citation-start\",\"index\":0,\"delta\":{\"message\":{\"citations\":{\"start\":0,\"end\":16,\"text\":\"Emperor penguins\",\"sources\":[{\"type\":\"document\",\"id\":\"doc:0\",\"document\":{\"id\":\"doc:0\"}}]}}}}\n\n",
            "event: citation-end\ndata: {\"type\":\"citation-end\",\"index\":0}\n\n",
            "event: content-end\ndata: {\"type\":\"content-end\",\"index\":0}\n\n",
            "event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"COMPLETE\",\"usage\":{\"billed_units\":{\"input_tokens\":3,\"output_tokens\":2},\"tokens\":{\"input_tokens\":70,\"output_tokens\":2}}}}\n\n"));
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025");

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("Tallest?").ToListAsync();

        CitationAnnotation citation = updates.SelectMany(u => u.Contents).SelectMany(c => c.Annotations ?? []).OfType<CitationAnnotation>().ShouldHaveSingleItem();
        citation.FileId.ShouldBe("doc:0");
        citation.Snippet.ShouldBe("Emperor penguins");
        ChatResponse response = updates.ToChatResponse();
        response.Text.ShouldBe("Emperor penguins");
        response.ResponseId.ShouldBe("r3");
        response.Usage!.InputTokenCount.ShouldBe(3);
    }

    [Fact]
    public async Task GetResponseAsync_Images_SendsDataUriAndUrlParts()
    {
        _server.Enqueue(FakeTurn.Text("A cat and a dog."));
        IChatClient chat = _server.CreateClient("cohere/command-a-vision-07-2025");
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
        content[0].GetProperty("text").GetString().ShouldBe("What is in these images?");
        content[1].GetProperty("type").GetString().ShouldBe("image_url");
        content[1].GetProperty("image_url").GetProperty("url").GetString().ShouldBe("data:image/png;base64," + Convert.ToBase64String(png));
        content[2].GetProperty("image_url").GetProperty("url").GetString().ShouldBe("https://example.com/dog.jpg");
    }

    [Fact]
    public async Task GetResponseAsync_Audio_IsRefusedBeforeSending()
    {
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025");
        var message = new ChatMessage(ChatRole.User, [new TextContent("Listen"), new DataContent(new byte[] { 1, 2, 3 }, "audio/wav")]);

        FeatureNotSupportedException error = await Should.ThrowAsync<FeatureNotSupportedException>(() => chat.GetResponseAsync([message]));

        error.Provider.ShouldBe("cohere");
        error.Message.ShouldContain("audio/wav");
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetResponseAsync_Options_MapToV2ChatFields()
    {
        _server.Enqueue(FakeTurn.Text("{}"), FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025");
        JsonElement schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""").RootElement;
        var options = new ChatOptions
        {
            Instructions = "Answer in JSON.",
            Temperature = 0.5f,
            TopP = 0.9f,
            TopK = 40,
            MaxOutputTokens = 100,
            Seed = 42,
            StopSequences = ["END"],
            FrequencyPenalty = 0.1f,
            PresencePenalty = 0.2f,
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "person"),
            AdditionalProperties = new() { ["safety_mode"] = "STRICT" },
        };
        AIFunction lookup = AIFunctionFactory.Create(() => "x", "lookup");

        await chat.GetResponseAsync("Who?", options);
        await chat.GetResponseAsync("call it", new ChatOptions { Tools = [lookup], ToolMode = ChatToolMode.RequireAny });

        JsonElement body = _server.Requests[0].Json;
        body.GetProperty("messages")[0].GetProperty("role").GetString().ShouldBe("system");
        body.GetProperty("messages")[0].GetProperty("content").GetString().ShouldBe("Answer in JSON.");
        body.GetProperty("temperature").GetDouble().ShouldBe(0.5, 1e-6);
        body.GetProperty("p").GetDouble().ShouldBe(0.9, 1e-6);
        body.GetProperty("k").GetInt32().ShouldBe(40);
        body.GetProperty("max_tokens").GetInt32().ShouldBe(100);
        body.GetProperty("seed").GetInt64().ShouldBe(42);
        body.GetProperty("stop_sequences")[0].GetString().ShouldBe("END");
        body.GetProperty("frequency_penalty").GetDouble().ShouldBe(0.1, 1e-6);
        body.GetProperty("presence_penalty").GetDouble().ShouldBe(0.2, 1e-6);
        body.GetProperty("safety_mode").GetString().ShouldBe("STRICT");
        JsonElement format = body.GetProperty("response_format");
        format.GetProperty("type").GetString().ShouldBe("json_object");
        format.GetProperty("json_schema").GetProperty("required")[0].GetString().ShouldBe("name");
        _server.Requests[1].Json.GetProperty("tool_choice").GetString().ShouldBe("REQUIRED");
    }

    [Fact]
    public async Task GetResponseAsync_RequireSpecificTool_IsRefusedNotDropped()
    {
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025");
        AIFunction lookup = AIFunctionFactory.Create(() => "x", "lookup");

        FeatureNotSupportedException error = await Should.ThrowAsync<FeatureNotSupportedException>(
            () => chat.GetResponseAsync("hi", new ChatOptions { Tools = [lookup], ToolMode = ChatToolMode.RequireSpecific("lookup") }));

        error.Message.ShouldContain("RequireAny");
        _server.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(FakeFinishReason.Length, "length")]
    [InlineData(FakeFinishReason.Stop, "stop")]
    [InlineData(FakeFinishReason.ContentFilter, "content_filter")]
    public async Task GetResponseAsync_FinishReasons_AreMapped(FakeFinishReason reason, string expected)
    {
        _server.Enqueue(FakeTurn.Text("partial").WithFinishReason(reason), FakeTurn.Text("partial").WithFinishReason(reason));
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025");

        ChatResponse whole = await chat.GetResponseAsync("go");
        ChatResponse streamed = (await chat.GetStreamingResponseAsync("go").ToListAsync()).ToChatResponse();

        whole.FinishReason!.Value.Value.ShouldBe(expected);
        streamed.FinishReason!.Value.Value.ShouldBe(expected);
    }

    public static TheoryData<int, string, Type> ErrorCases => new()
    {
        { 400, """{"id":"e1","message":"invalid request: model 'nope' not found, make sure the correct model ID was used"}""", typeof(InvalidRequestException) },
        { 400, """{"id":"e2","message":"too many tokens: total number of tokens in the prompt cannot exceed 256000 - received 301233. Try using a shorter prompt"}""", typeof(ContextWindowExceededException) },
        { 401, """{"id":"e3","message":"invalid api token"}""", typeof(ProviderAuthenticationException) },
        { 402, """{"id":"e4","message":"Please add or update your payment method"}""", typeof(QuotaExceededException) },
        { 404, """{"id":"e5","message":"model 'command-x' not found"}""", typeof(ProviderNotFoundException) },
        { 498, """{"id":"e6","message":"blocked output: please adjust your prompt and try again"}""", typeof(ContentFilteredException) },
        { 500, """{"id":"e7","message":"internal server error, this has been reported to our developers"}""", typeof(ProviderServerException) },
        { 503, """{"id":"e8","message":"service unavailable"}""", typeof(ProviderOverloadedException) },
        { 504, "<html>gateway timeout</html>", typeof(ProviderTimeoutException) },
    };

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public async Task GetResponseAsync_ErrorBodies_MapToOneHierarchy(int status, string body, Type expected)
    {
        _server.Enqueue(FakeTurn.Error(status, body));
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025", apiKey: "co-secret-value-that-must-not-leak");

        ProviderException error = await Should.ThrowAsync<ProviderException>(() => chat.GetResponseAsync("hi"));

        error.ShouldBeOfType(expected);
        error.StatusCode.ShouldBe(status);
        error.Provider.ShouldBe("cohere");
        error.Message.ShouldNotContain("co-secret-value-that-must-not-leak");
        if (body.StartsWith('{'))
        {
            error.RequestId.ShouldStartWith("e");
        }

        error.IsTransient.ShouldBe(expected == typeof(ProviderServerException) || expected == typeof(ProviderOverloadedException) || expected == typeof(ProviderTimeoutException));
    }

    [Fact]
    public async Task GetResponseAsync_RateLimited_IsRateLimitWithRetryAfter()
    {
        _server.Enqueue(FakeTurn.ProviderError(429, "You are using a Trial key, which is limited to 20 API calls / minute.").WithHeader("retry-after", "7"));
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025");

        RateLimitException error = await Should.ThrowAsync<RateLimitException>(() => chat.GetResponseAsync("hi"));

        error.IsTransient.ShouldBeTrue();
        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(7));
        error.Message.ShouldContain("Trial key");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_GenerationFailsMidStream_RaisesServerErrorAfterTheText()
    {
        _server.Enqueue(FakeTurn.Text("The question is").WithStreamError("internal error while generating"));
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025");
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
        error.Message.ShouldContain("internal error while generating");
    }

    [Fact]
    public async Task GetResponseAsync_FinishReasonError_RaisesServerError()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", """{"id":"r4","finish_reason":"ERROR","message":{"role":"assistant","content":[{"type":"text","text":"half"}]}}"""));
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025");

        ProviderServerException error = await Should.ThrowAsync<ProviderServerException>(() => chat.GetResponseAsync("q"));

        error.Message.ShouldContain("ERROR");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StreamEndsBeforeMessageEnd_RaisesTransientConnectionError()
    {
        _server.Enqueue(FakeTurn.Text("one two three four").TruncateAfter(3));
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025");

        ProviderConnectionException error = await Should.ThrowAsync<ProviderConnectionException>(
            async () => await chat.GetStreamingResponseAsync("count").ToListAsync());

        error.IsTransient.ShouldBeTrue();
        error.Message.ShouldContain("message-end");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConnectionDropped_RaisesTransientConnectionError()
    {
        _server.Enqueue(FakeTurn.Text("one two three four").DropConnectionAfter(2));
        IChatClient chat = _server.CreateClient("cohere/command-a-03-2025");

        ProviderConnectionException error = await Should.ThrowAsync<ProviderConnectionException>(
            async () => await chat.GetStreamingResponseAsync("count").ToListAsync());

        error.IsTransient.ShouldBeTrue();
    }

    [Fact]
    public void Create_NoKey_NamesCohereApiKey()
    {
        var registry = new ProviderRegistry(_ => null);

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Create("cohere/command-a-03-2025"));

        error.Message.ShouldContain("COHERE_API_KEY");
    }

    [Fact]
    public async Task Create_CohereBaseUrl_SendsThereWithTheEnvironmentKey()
    {
        _server.Enqueue(FakeTurn.Text("from the override"));
        var environment = new Dictionary<string, string>
        {
            ["COHERE_API_KEY"] = "co-env-key",
            ["COHERE_BASE_URL"] = new Uri(_server.BaseUri, "v2").AbsoluteUri, // written with its version segment, tolerated
        };
        var registry = new ProviderRegistry(name => environment.GetValueOrDefault(name));

        ChatResponse response = await registry.Create("cohere/command-r7b-12-2024").GetResponseAsync("hi");

        response.Text.ShouldBe("from the override");
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/v2/chat");
        request.Headers["Authorization"].ShouldBe("Bearer co-env-key");
        ProviderInfo info = registry.Describe("cohere").ShouldNotBeNull();
        info.EndpointVariable.ShouldBe("COHERE_BASE_URL");
        info.DefaultEndpoint.ShouldBe("https://api.cohere.com");
        info.ApiKeyVariables.ShouldBe(["COHERE_API_KEY"]);
    }

    [Fact]
    public void CreateEmbeddingGenerator_Cohere_IsAClearConfigurationError()
    {
        var registry = new ProviderRegistry(name => name == "COHERE_API_KEY" ? "k" : null);

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.CreateEmbeddingGenerator("cohere/embed-v4.0"));

        error.Message.ShouldContain("openai/text-embedding-3-small");
    }
}
