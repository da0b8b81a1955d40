using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Allos.IntegrationTests.Providers.Anthropic;

public sealed class AnthropicChatClientTests : IAsyncLifetime
{
    private const string Model = "anthropic/claude-sonnet-4-5";

    // Listed in the catalog without native structured output (an alias of claude-sonnet-4).
    private const string OlderModel = "anthropic/claude-sonnet-4-0";

    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    // ---- plain replies and request shape ----

    [Fact]
    public async Task GetResponseAsync_PlainReply_SendsHeadersTopLevelSystemAndDefaultMaxTokens()
    {
        _server.Enqueue(FakeTurn.Text("Hello there!").WithUsage(12, 3));
        var options = new ChatClientOptions();
        options.Headers["anthropic-beta"] = "some-beta";
        IChatClient chat = _server.CreateClient(Model, apiKey: "sk-ant-test", options);

        ChatResponse response = await chat.GetResponseAsync(
            [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi")],
            new ChatOptions { Instructions = "You are Allos." });

        response.Text.ShouldBe("Hello there!");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.ModelId.ShouldBe("claude-sonnet-4-5");
        response.ResponseId.ShouldNotBeNullOrEmpty();
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(12);
        response.Usage.OutputTokenCount.ShouldBe(3);
        response.Usage.TotalTokenCount.ShouldBe(15);

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/v1/messages");
        request.Headers["x-api-key"].ShouldBe("sk-ant-test");
        request.Headers["anthropic-version"].ShouldBe("2023-06-01");
        request.Headers["anthropic-beta"].ShouldBe("some-beta");
        request.Headers.ContainsKey("Authorization").ShouldBeFalse();
        request.Json.GetProperty("model").GetString().ShouldBe("claude-sonnet-4-5");
        request.Json.GetProperty("max_tokens").GetInt32().ShouldBe(8192);
        request.Json.GetProperty("system").GetString().ShouldBe("You are Allos.\n\nBe brief.");
        request.Json.TryGetProperty("stream", out _).ShouldBeFalse();
        AssertJson(request.Json.GetProperty("messages"), """[{"role":"user","content":[{"type":"text","text":"Hi"}]}]""");
    }

    [Theory]
    [InlineData("anthropic/claude-3-haiku-20240307", 4096)]
    [InlineData("anthropic/claude-3-opus-20240229", 4096)]
    [InlineData("anthropic/claude-3-5-sonnet-20241022", 8192)]
    [InlineData("anthropic/claude-3-7-sonnet-latest", 8192)]
    [InlineData("anthropic/claude-opus-4-1", 8192)]
    public async Task GetResponseAsync_NoMaxOutputTokens_SendsModelDefault(string model, int expected)
    {
        _server.Enqueue(FakeTurn.Text("ok"));

        await _server.CreateClient(model).GetResponseAsync("Hi");

        _server.Requests.ShouldHaveSingleItem().Json.GetProperty("max_tokens").GetInt32().ShouldBe(expected);
    }

    [Fact]
    public async Task GetResponseAsync_Options_MapsSamplingToolsChoiceThinkingAndExtraFields()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        AIFunction weather = AIFunctionFactory.Create((string city) => "sunny", "get_weather", "Gets the weather.");
        var options = new ChatOptions
        {
            Temperature = 0.5f,
            TopP = 0.9f,
            TopK = 40,
            StopSequences = ["END"],
            MaxOutputTokens = 2000,
            Tools = [weather],
            ToolMode = ChatToolMode.Auto,
            AllowMultipleToolCalls = false,
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Medium },
            AdditionalProperties = new() { ["metadata"] = JsonDocument.Parse("""{"user_id":"u-1"}""").RootElement },
        };

        await _server.CreateClient(Model).GetResponseAsync("Weather?", options);

        JsonElement body = _server.Requests.ShouldHaveSingleItem().Json;
        body.GetProperty("temperature").GetSingle().ShouldBe(0.5f);
        body.GetProperty("top_p").GetSingle().ShouldBe(0.9f);
        body.GetProperty("top_k").GetInt32().ShouldBe(40);
        AssertJson(body.GetProperty("stop_sequences"), """["END"]""");
        AssertJson(body.GetProperty("thinking"), """{"type":"enabled","budget_tokens":4096}""");

        // The budget must stay below max_tokens: 4096 >= 2000, so max_tokens becomes budget + 4096.
        body.GetProperty("max_tokens").GetInt32().ShouldBe(8192);
        AssertJson(body.GetProperty("tool_choice"), """{"type":"auto","disable_parallel_tool_use":true}""");
        AssertJson(body.GetProperty("metadata"), """{"user_id":"u-1"}""");
        JsonElement tool = body.GetProperty("tools").EnumerateArray().ShouldHaveSingleItem();
        tool.GetProperty("name").GetString().ShouldBe("get_weather");
        tool.GetProperty("description").GetString().ShouldBe("Gets the weather.");
        tool.GetProperty("input_schema").GetProperty("type").GetString().ShouldBe("object");
        tool.GetProperty("input_schema").GetProperty("properties").GetProperty("city").GetProperty("type").GetString().ShouldBe("string");
        tool.TryGetProperty("type", out _).ShouldBeFalse();
    }

    public static TheoryData<string, int?> Efforts => new()
    {
        { "Low", 1024 },
        { "Medium", 4096 },
        { "High", 16384 },
        { "ExtraHigh", 32768 },
        { "None", null },
    };

    [Theory]
    [MemberData(nameof(Efforts))]
    public async Task GetResponseAsync_ReasoningEffort_SendsThinkingBudget(string effort, int? budget)
    {
        _server.Enqueue(FakeTurn.Text("ok"));

        await _server.CreateClient(Model).GetResponseAsync("Hi", new ChatOptions { Reasoning = new ReasoningOptions { Effort = Enum.Parse<ReasoningEffort>(effort) } });

        JsonElement body = _server.Requests.ShouldHaveSingleItem().Json;
        if (budget is int b)
        {
            AssertJson(body.GetProperty("thinking"), $$"""{"type":"enabled","budget_tokens":{{b}}}""");
            body.GetProperty("max_tokens").GetInt32().ShouldBe(b >= 8192 ? b + 4096 : 8192);
        }
        else
        {
            body.TryGetProperty("thinking", out _).ShouldBeFalse();
        }
    }

    public static TheoryData<string, string> ToolModes => new()
    {
        { "auto", """{"type":"auto"}""" },
        { "any", """{"type":"any"}""" },
        { "named", """{"type":"tool","name":"get_weather"}""" },
        { "none", """{"type":"none"}""" },
    };

    [Theory]
    [MemberData(nameof(ToolModes))]
    public async Task GetResponseAsync_ToolMode_SendsToolChoice(string mode, string expected)
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        ChatToolMode toolMode = mode switch
        {
            "auto" => ChatToolMode.Auto,
            "any" => ChatToolMode.RequireAny,
            "named" => ChatToolMode.RequireSpecific("get_weather"),
            _ => ChatToolMode.None,
        };

        await _server.CreateClient(Model).GetResponseAsync("Hi", new ChatOptions { Tools = [WeatherTool()], ToolMode = toolMode });

        AssertJson(_server.Requests.ShouldHaveSingleItem().Json.GetProperty("tool_choice"), expected);
    }

    [Fact]
    public async Task GetResponseAsync_Seed_ThrowsFeatureNotSupported()
    {
        IChatClient chat = _server.CreateClient(Model);

        FeatureNotSupportedException ex = await Should.ThrowAsync<FeatureNotSupportedException>(() => chat.GetResponseAsync("Hi", new ChatOptions { Seed = 7 }));

        ex.Provider.ShouldBe("anthropic");
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetResponseAsync_Penalties_ThrowFeatureNotSupported()
    {
        IChatClient chat = _server.CreateClient(Model);

        await Should.ThrowAsync<FeatureNotSupportedException>(() => chat.GetResponseAsync("Hi", new ChatOptions { FrequencyPenalty = 0.5f }));
        await Should.ThrowAsync<FeatureNotSupportedException>(() => chat.GetResponseAsync("Hi", new ChatOptions { PresencePenalty = 0.5f }));
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetResponseAsync_ForcedToolWithThinking_ThrowsFeatureNotSupported()
    {
        var options = new ChatOptions
        {
            Tools = [WeatherTool()],
            ToolMode = ChatToolMode.RequireAny,
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low },
        };

        await Should.ThrowAsync<FeatureNotSupportedException>(() => _server.CreateClient(Model).GetResponseAsync("Hi", options));
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetResponseAsync_EndpointWithVersionSegment_PostsToV1Messages()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        var options = new ChatClientOptions { Endpoint = new Uri(_server.BaseUri, "v1/") };

        await _server.CreateClient(Model, options: options).GetResponseAsync("Hi");

        _server.Requests.ShouldHaveSingleItem().Path.ShouldBe("/v1/messages");
    }

    // ---- streaming ----

    [Fact]
    public async Task GetStreamingResponseAsync_Text_StreamsDeltasAndUsage()
    {
        _server.Enqueue(FakeTurn.Text("The quick brown fox").WithUsage(20, 4, cachedInputTokens: 5));
        IChatClient chat = _server.CreateClient(Model);

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("Say it").ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        updates.Count(u => u.Text.Length > 0).ShouldBe(4);
        response.Text.ShouldBe("The quick brown fox");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.ModelId.ShouldBe("claude-sonnet-4-5");
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(20);
        response.Usage.CachedInputTokenCount.ShouldBe(5);

        // message_start says output_tokens 1, message_delta says 4: cumulative, so the last value wins.
        response.Usage.OutputTokenCount.ShouldBe(4);
        response.Usage.TotalTokenCount.ShouldBe(24);
        _server.Requests.ShouldHaveSingleItem().Json.GetProperty("stream").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task GetStreamingResponseAsync_SdkCaptureWithPingInsideBlock_YieldsTextAndToolCall()
    {
        _server.Enqueue(FakeTurn.Raw("text/event-stream", AnthropicCaptures.ToolUseStream));

        ChatResponse response = await _server.CreateClient(Model).GetStreamingResponseAsync("Weather in Paris?").ToChatResponseAsync();

        response.Text.ShouldBe("I'll check the current weather in Paris for you.");
        FunctionCallContent call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.CallId.ShouldBe("toolu_01NRLabsLyVHZPKxbKvkfSMn");
        call.Name.ShouldBe("get_weather");
        call.Arguments.ShouldNotBeNull();
        call.Arguments["location"]!.ToString().ShouldBe("Paris");
        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        response.ResponseId.ShouldBe("msg_019Q1hrJbZG26Fb9BQhrkHEr");
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(377);
        response.Usage.OutputTokenCount.ShouldBe(65);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_SeveralToolCalls_AssemblesFragmentsPerBlock()
    {
        _server.Enqueue(FakeTurn.ToolCalls(
                new FakeToolCall("toolu_1", "get_weather", """{"city":"Paris","unit":"celsius"}"""),
                new FakeToolCall("toolu_2", "get_time", """{"timezone":"Europe/Paris"}"""))
            .WithArgumentChunkSize(5)
            .WithUsage(30, 12));

        List<ChatResponseUpdate> updates = await _server.CreateClient(Model).GetStreamingResponseAsync("Both?").ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        FunctionCallContent[] calls = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
        calls.Length.ShouldBe(2);
        calls[0].CallId.ShouldBe("toolu_1");
        calls[0].Name.ShouldBe("get_weather");
        calls[0].Arguments!["city"]!.ToString().ShouldBe("Paris");
        calls[0].Arguments!["unit"]!.ToString().ShouldBe("celsius");
        calls[1].CallId.ShouldBe("toolu_2");
        calls[1].Arguments!["timezone"]!.ToString().ShouldBe("Europe/Paris");
        calls.ShouldAllBe(c => c.Exception == null);
        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_NoArgumentTool_YieldsEmptyArguments()
    {
        const string Stream = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_01LRmxn9vGM1d2DZSDBowdZ1","name":"updateIssueList","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":10,"output_tokens":20}}

            event: message_stop
            data: {"type":"message_stop"}


            """;
        _server.Enqueue(FakeTurn.Raw("text/event-stream", Stream));

        ChatResponse response = await _server.CreateClient(Model).GetStreamingResponseAsync("Update").ToChatResponseAsync();

        FunctionCallContent call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.Name.ShouldBe("updateIssueList");
        call.Exception.ShouldBeNull();
        call.Arguments.ShouldNotBeNull();
        call.Arguments.ShouldBeEmpty();
        response.Usage!.OutputTokenCount.ShouldBe(20);
        response.Usage.InputTokenCount.ShouldBe(10);
    }

    [Fact]
    public async Task GetResponseAsync_NoArgumentToolCapture_YieldsEmptyArgumentsAndToolCalls()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", AnthropicCaptures.ToolNoArgsJson));

        ChatResponse response = await _server.CreateClient(Model).GetResponseAsync("Update");

        response.Text.ShouldStartWith("<thinking>\nThe updateIssueList tool");
        FunctionCallContent call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.CallId.ShouldBe("toolu_01LRmxn9vGM1d2DZSDBowdZ1");
        call.Arguments.ShouldNotBeNull();
        call.Arguments.ShouldBeEmpty();
        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        response.Usage!.InputTokenCount.ShouldBe(602);
        response.Usage.OutputTokenCount.ShouldBe(93);
        response.Usage.TotalTokenCount.ShouldBe(695);
        response.Usage.AdditionalCounts.ShouldBeNull();
    }

    // ---- tools and history ----

    [Fact]
    public async Task GetResponseAsync_ToolRoundTrip_SendsExactToolUseAndToolResult()
    {
        _server.Enqueue(
            FakeTurn.Text("I'll check the current weather.").WithToolCall("toolu_01A09q90qw90lq917835lq9", "get_weather", """{"location":"San Francisco, CA","unit":"celsius"}"""),
            FakeTurn.Text("It is 15 degrees in San Francisco."));
        IChatClient chat = _server.CreateClient(Model);
        var options = new ChatOptions { Tools = [WeatherTool()] };
        List<ChatMessage> history = [new(ChatRole.User, "What's the weather in San Francisco?")];

        ChatResponse first = await chat.GetResponseAsync(history, options);
        first.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        FunctionCallContent call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "15 degrees")]));
        ChatResponse second = await chat.GetResponseAsync(history, options);

        second.Text.ShouldBe("It is 15 degrees in San Francisco.");
        AssertJson(_server.Requests[1].Json.GetProperty("messages"), """
            [
              {"role":"user","content":[{"type":"text","text":"What's the weather in San Francisco?"}]},
              {"role":"assistant","content":[
                {"type":"text","text":"I'll check the current weather."},
                {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"San Francisco, CA","unit":"celsius"}}
              ]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A09q90qw90lq917835lq9","content":"15 degrees"}]}
            ]
            """);
    }

    [Fact]
    public async Task GetResponseAsync_FailedToolResult_SendsIsError()
    {
        _server.Enqueue(FakeTurn.Text("Sorry."));
        List<ChatMessage> history =
        [
            new(ChatRole.User, "Weather?"),
            new(ChatRole.Assistant, [new FunctionCallContent("toolu_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("toolu_1", null) { Exception = new InvalidOperationException("service down") }]),
        ];

        await _server.CreateClient(Model).GetResponseAsync(history);

        JsonElement result = _server.Requests.ShouldHaveSingleItem().Json.GetProperty("messages")[2].GetProperty("content")[0];
        AssertJson(result, """{"type":"tool_result","tool_use_id":"toolu_1","content":"Error: service down","is_error":true}""");
    }

    [Fact]
    public async Task GetResponseAsync_ConsecutiveSameRoleMessages_MergesTurnsWithToolResultsFirst()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        List<ChatMessage> history =
        [
            new(ChatRole.User, "First."),
            new(ChatRole.User, "Second."),
            new(ChatRole.Assistant, "Let me look."),
            new(ChatRole.Assistant, [new FunctionCallContent("toolu_1", "lookup", new Dictionary<string, object?> { ["q"] = "x" })]),
            new(ChatRole.Tool, [new FunctionResultContent("toolu_1", "found")]),
            new(ChatRole.User, "Thanks, and now?"),
        ];

        await _server.CreateClient(Model).GetResponseAsync(history);

        AssertJson(_server.Requests.ShouldHaveSingleItem().Json.GetProperty("messages"), """
            [
              {"role":"user","content":[{"type":"text","text":"First."},{"type":"text","text":"Second."}]},
              {"role":"assistant","content":[{"type":"text","text":"Let me look."},{"type":"tool_use","id":"toolu_1","name":"lookup","input":{"q":"x"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"found"},{"type":"text","text":"Thanks, and now?"}]}
            ]
            """);
    }

    [Fact]
    public async Task GetResponseAsync_UserTextBeforeToolResultInOneMessage_PutsToolResultFirst()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        List<ChatMessage> history =
        [
            new(ChatRole.User, "Go."),
            new(ChatRole.Assistant, [new FunctionCallContent("toolu_1", "lookup", new Dictionary<string, object?>())]),
            new(ChatRole.User, [new TextContent("Here it is:"), new FunctionResultContent("toolu_1", "42")]),
        ];

        await _server.CreateClient(Model).GetResponseAsync(history);

        JsonElement content = _server.Requests.ShouldHaveSingleItem().Json.GetProperty("messages")[2].GetProperty("content");
        content[0].GetProperty("type").GetString().ShouldBe("tool_result");
        content[1].GetProperty("type").GetString().ShouldBe("text");
    }

    [Fact]
    public async Task GetResponseAsync_ImagesAndPdf_SendsBase64UrlAndDocumentBlocks()
    {
        _server.Enqueue(FakeTurn.Text("A cat."));
        byte[] png = [0x89, 0x50, 0x4E, 0x47];
        byte[] pdf = [0x25, 0x50, 0x44, 0x46];
        var message = new ChatMessage(ChatRole.User,
        [
            new DataContent(png, "image/png"),
            new UriContent(new Uri("https://example.com/cat.jpg"), "image/jpeg"),
            new DataContent(pdf, "application/pdf"),
            new TextContent("What is this?"),
        ]);

        await _server.CreateClient(Model).GetResponseAsync([message]);

        AssertJson(_server.Requests.ShouldHaveSingleItem().Json.GetProperty("messages")[0].GetProperty("content"), $$$"""
            [
              {"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{Convert.ToBase64String(png)}}}"}},
              {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}},
              {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"{{{Convert.ToBase64String(pdf)}}}"}},
              {"type":"text","text":"What is this?"}
            ]
            """);
    }

    [Fact]
    public async Task GetResponseAsync_UnsupportedContent_ThrowsFeatureNotSupported()
    {
        IChatClient chat = _server.CreateClient(Model);
        var audio = new ChatMessage(ChatRole.User, [new DataContent(new byte[] { 1, 2 }, "audio/wav")]);

        await Should.ThrowAsync<FeatureNotSupportedException>(() => chat.GetResponseAsync([audio]));
        _server.Requests.ShouldBeEmpty();
    }

    // ---- usage and finish reasons ----

    [Fact]
    public async Task GetResponseAsync_CacheReadAndCreation_SumsInputAndReportsCacheCounts()
    {
        const string Body = """
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hi"}],
             "stop_reason":"end_turn","stop_sequence":null,
             "usage":{"input_tokens":2,"cache_creation_input_tokens":22,"cache_read_input_tokens":13993,"output_tokens":50,
                      "output_tokens_details":{"thinking_tokens":30},"service_tier":"standard"}}
            """;
        _server.Enqueue(FakeTurn.Raw("application/json", Body));

        ChatResponse response = await _server.CreateClient(Model).GetResponseAsync("Hi");

        UsageDetails usage = response.Usage.ShouldNotBeNull();
        usage.InputTokenCount.ShouldBe(2 + 22 + 13993);
        usage.CachedInputTokenCount.ShouldBe(13993);
        usage.OutputTokenCount.ShouldBe(50);
        usage.ReasoningTokenCount.ShouldBe(30);
        usage.TotalTokenCount.ShouldBe(2 + 22 + 13993 + 50);
        usage.AdditionalCounts.ShouldNotBeNull();
        usage.AdditionalCounts["CacheWriteInputTokenCount"].ShouldBe(22);
    }

    public static TheoryData<FakeFinishReason, string> FakeFinishReasons => new()
    {
        { FakeFinishReason.Stop, "stop" },
        { FakeFinishReason.Length, "length" },
        { FakeFinishReason.ToolCalls, "tool_calls" },
        { FakeFinishReason.ContentFilter, "content_filter" },
    };

    [Theory]
    [MemberData(nameof(FakeFinishReasons))]
    public async Task GetResponseAsync_StopReason_MapsFinishReason(FakeFinishReason reason, string expected)
    {
        FakeTurn turn = reason == FakeFinishReason.ToolCalls
            ? FakeTurn.ToolCalls(new FakeToolCall("toolu_1", "lookup", "{}"))
            : FakeTurn.Text("partial").WithFinishReason(reason);
        _server.Enqueue(turn);

        ChatResponse response = await _server.CreateClient(Model).GetResponseAsync("Hi");

        response.FinishReason.ShouldBe(new ChatFinishReason(expected));
    }

    [Theory]
    [MemberData(nameof(FakeFinishReasons))]
    public async Task GetStreamingResponseAsync_StopReason_MapsFinishReason(FakeFinishReason reason, string expected)
    {
        FakeTurn turn = reason == FakeFinishReason.ToolCalls
            ? FakeTurn.ToolCalls(new FakeToolCall("toolu_1", "lookup", "{}"))
            : FakeTurn.Text("partial").WithFinishReason(reason);
        _server.Enqueue(turn);

        ChatResponse response = await _server.CreateClient(Model).GetStreamingResponseAsync("Hi").ToChatResponseAsync();

        response.FinishReason.ShouldBe(new ChatFinishReason(expected));
    }

    [Theory]
    [InlineData("stop_sequence", "stop")]
    [InlineData("model_context_window_exceeded", "length")]
    [InlineData("compaction", "compaction")]
    public async Task GetResponseAsync_OtherStopReasons_MapsFinishReason(string stopReason, string expected)
    {
        _server.Enqueue(FakeTurn.Raw("application/json", MessageBody("Hi", stopReason)));

        ChatResponse response = await _server.CreateClient(Model).GetResponseAsync("Hi");

        response.FinishReason.ShouldBe(new ChatFinishReason(expected));
        if (stopReason == "stop_sequence")
        {
            // A stop sequence is kept beside the finish reason (AnthropicProperties.StopSequenceKey); the others are not.
            response.AdditionalProperties!["anthropic.stop_reason"].ShouldBe("stop_sequence");
        }
        else
        {
            response.AdditionalProperties.ShouldBeNull();
        }
    }

    [Fact]
    public async Task GetResponseAsync_PauseTurn_ReportsStopAndMarksResponse()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", MessageBody("Searching…", "pause_turn")));

        ChatResponse response = await _server.CreateClient(Model).GetResponseAsync("Hi");

        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.AdditionalProperties.ShouldNotBeNull();
        response.AdditionalProperties["anthropic.stop_reason"].ShouldBe("pause_turn");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_RefusalCapture_ReportsContentFilter()
    {
        _server.Enqueue(FakeTurn.Raw("text/event-stream", AnthropicCaptures.RefusalStream));

        ChatResponse response = await _server.CreateClient(Model).GetStreamingResponseAsync("Hi").ToChatResponseAsync();

        response.FinishReason.ShouldBe(ChatFinishReason.ContentFilter);
        response.Text.ShouldBeEmpty();
        response.Usage!.InputTokenCount.ShouldBe(20);
        response.Usage.OutputTokenCount.ShouldBe(0);
    }

    // ---- JSON output ----

    // Structured output (output_config.format) is native on current Claude models; older ones get the forced tool.
    public static TheoryData<string, bool> StructuredOutputModels => new()
    {
        { "claude-sonnet-4-5", true },
        { "claude-sonnet-4-5-20250929", true },
        { "claude-opus-4-5", true },
        { "claude-haiku-4-5", true },
        { "claude-opus-5", true },
        { "claude-sonnet-9-0", true }, // not in the catalog: a newer model, assumed to have it
        { "claude-opus-4-1", false },
        { "claude-opus-4-0", false },
        { "claude-sonnet-4-0", false },
        { "claude-3-7-sonnet-20250219", false },
        { "claude-3-5-haiku-20241022", false },
    };

    [Theory]
    [MemberData(nameof(StructuredOutputModels))]
    public async Task GetResponseAsync_JsonSchema_UsesOutputConfigOnlyWhereTheModelHasIt(string model, bool native)
    {
        _server.Enqueue(native ? FakeTurn.Text("""{"name":"Ada"}""") : FakeTurn.ToolCalls(new FakeToolCall("toolu_1", "json_response", """{"name":"Ada"}""")));
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(PersonSchema()) };

        ChatResponse response = await _server.CreateClient("anthropic/" + model).GetResponseAsync("Who?", options);

        response.Text.ShouldBe("""{"name":"Ada"}""");
        JsonElement body = _server.Requests.ShouldHaveSingleItem().Json;
        body.TryGetProperty("output_config", out _).ShouldBe(native);
        body.TryGetProperty("tools", out _).ShouldBe(!native);
        body.TryGetProperty("tool_choice", out _).ShouldBe(!native);
    }

    [Fact]
    public async Task GetResponseAsync_JsonSchema_SendsStrictSchemaInOutputConfigAndReturnsTheText()
    {
        _server.Enqueue(FakeTurn.Text("""{"name":"Ada","age":36,"address":{"city":"London"},"tags":["x"],"kind":"human"}"""));
        JsonElement schema = JsonDocument.Parse("""
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
             "properties":{
               "name":{"type":"string","minLength":1},
               "age":{"type":"integer","description":"Years.","minimum":0},
               "address":{"type":["object","null"],"properties":{"city":{"type":"string","format":"hostname"}},"additionalProperties":true},
               "tags":{"type":"array","items":{"type":"string","format":"color"},"minItems":1,"maxItems":3},
               "kind":{"oneOf":[{"const":"human"},{"type":"null"}]}},
             "required":["name","age","address","tags","kind"]}
            """).RootElement;
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "person", "A person.") };

        ChatResponse response = await _server.CreateClient(Model).GetResponseAsync("Who?", options);

        response.Text.ShouldBe("""{"name":"Ada","age":36,"address":{"city":"London"},"tags":["x"],"kind":"human"}""");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldBeEmpty();
        JsonElement body = _server.Requests.ShouldHaveSingleItem().Json;

        // As the official SDKs rewrite it: additionalProperties false on every object, oneOf as anyOf, supported formats
        // and minItems 0/1 kept, other constraints moved into the description; $schema dropped.
        AssertJson(body.GetProperty("output_config"), """
            {"format":{"type":"json_schema","schema":{"type":"object","description":"A person.",
             "properties":{
               "name":{"type":"string","description":"{minLength: 1}"},
               "age":{"type":"integer","description":"Years.\n\n{minimum: 0}"},
               "address":{"type":["object","null"],"properties":{"city":{"type":"string","format":"hostname"}},"additionalProperties":false},
               "tags":{"type":"array","items":{"type":"string","description":"{format: \"color\"}"},"minItems":1,"description":"{maxItems: 3}"},
               "kind":{"anyOf":[{"const":"human"},{"type":"null"}]}},
             "required":["name","age","address","tags","kind"],"additionalProperties":false}}}
            """);
        body.TryGetProperty("tools", out _).ShouldBeFalse();
        body.TryGetProperty("tool_choice", out _).ShouldBeFalse();
        body.TryGetProperty("system", out _).ShouldBeFalse();
        _server.Requests[0].Headers.Keys.ShouldNotContain(k => k.Equals("anthropic-beta", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task GetResponseAsync_JsonSchemaWithTools_KeepsToolsAndToolChoiceAndReturnsToolCalls()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("toolu_1", "get_weather", """{"location":"Paris","unit":"celsius"}""")));
        var options = new ChatOptions
        {
            Tools = [WeatherTool()],
            ToolMode = ChatToolMode.Auto,
            AllowMultipleToolCalls = false,
            ResponseFormat = ChatResponseFormat.ForJsonSchema(PersonSchema()),
        };

        ChatResponse response = await _server.CreateClient(Model).GetResponseAsync("Weather?", options);

        FunctionCallContent call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.Name.ShouldBe("get_weather");
        call.CallId.ShouldBe("toolu_1");
        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        JsonElement body = _server.Requests.ShouldHaveSingleItem().Json;
        body.GetProperty("tools").EnumerateArray().ShouldHaveSingleItem().GetProperty("name").GetString().ShouldBe("get_weather");
        AssertJson(body.GetProperty("tool_choice"), """{"type":"auto","disable_parallel_tool_use":true}""");
        body.GetProperty("output_config").GetProperty("format").GetProperty("type").GetString().ShouldBe("json_schema");
    }

    [Fact]
    public async Task GetResponseAsyncOfT_WithTools_CallsTheToolThenReturnsTheTypedAnswer()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("toolu_1", "get_weather", """{"location":"Paris","unit":"celsius"}""")),
            FakeTurn.Text("""{"city":"Paris","degrees":15,"note":null}"""));
        using IChatClient chat = _server.CreateClient(Model).AsBuilder().UseFunctionInvocation().Build();
        var json = new JsonSerializerOptions(AIJsonUtilities.DefaultOptions);
        json.TypeInfoResolverChain.Insert(0, WeatherReportJsonContext.Default);

        ChatResponse<WeatherReport> response = await chat.GetResponseAsync<WeatherReport>(
            "Weather in Paris?", json, new ChatOptions { Tools = [WeatherTool()] });

        response.Result.ShouldBe(new WeatherReport("Paris", 15, null));
        _server.Requests.Count.ShouldBe(2);
        foreach (RecordedRequest request in _server.Requests)
        {
            JsonElement schema = request.Json.GetProperty("output_config").GetProperty("format").GetProperty("schema");
            schema.GetProperty("additionalProperties").GetBoolean().ShouldBeFalse();
            schema.GetProperty("properties").GetProperty("degrees").GetProperty("type").GetString().ShouldBe("integer");
            schema.TryGetProperty("$schema", out _).ShouldBeFalse();
            request.Json.GetProperty("tools").EnumerateArray().ShouldHaveSingleItem().GetProperty("name").GetString().ShouldBe("get_weather");
            request.Json.TryGetProperty("tool_choice", out _).ShouldBeFalse();
        }

        JsonElement result = _server.Requests[1].Json.GetProperty("messages")[2].GetProperty("content")[0];
        AssertJson(result, """{"type":"tool_result","tool_use_id":"toolu_1","content":"15 degrees"}""");
    }

    [Fact]
    public async Task GetResponseAsync_JsonSchemaWithThinking_SendsThinkingAndOutputConfig()
    {
        _server.Enqueue(FakeTurn.Empty().WithReasoning("Ada is the person meant.", "sig-1").WithText("""{"name":"Ada"}"""));
        var options = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(PersonSchema()),
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low },
        };

        ChatResponse response = await _server.CreateClient(Model).GetResponseAsync("Who?", options);

        response.Text.ShouldBe("""{"name":"Ada"}""");
        response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ShouldHaveSingleItem().Text.ShouldBe("Ada is the person meant.");
        JsonElement body = _server.Requests.ShouldHaveSingleItem().Json;
        AssertJson(body.GetProperty("thinking"), """{"type":"enabled","budget_tokens":1024}""");
        body.GetProperty("output_config").GetProperty("format").GetProperty("type").GetString().ShouldBe("json_schema");
        body.TryGetProperty("tool_choice", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task GetStreamingResponseAsync_JsonSchema_StreamsTheJsonAsTextDeltas()
    {
        _server.Enqueue(FakeTurn.Text("""{"name":"Ada","age":36}""").WithTextChunkSize(5));
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(PersonSchema()) };

        List<ChatResponseUpdate> updates = await _server.CreateClient(Model).GetStreamingResponseAsync("Who?", options).ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        updates.Count(u => u.Text.Length > 0).ShouldBe(5);
        response.Text.ShouldBe("""{"name":"Ada","age":36}""");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        JsonElement body = _server.Requests.ShouldHaveSingleItem().Json;
        body.GetProperty("stream").GetBoolean().ShouldBeTrue();
        body.GetProperty("output_config").GetProperty("format").GetProperty("type").GetString().ShouldBe("json_schema");
        body.TryGetProperty("tools", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task GetResponseAsync_JsonSchemaAndOutputConfigInAdditionalProperties_MergesThemIntoOneField()
    {
        _server.Enqueue(FakeTurn.Text("""{"name":"Ada"}"""));
        var options = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(PersonSchema()),
            AdditionalProperties = new() { ["output_config"] = JsonDocument.Parse("""{"effort":"high"}""").RootElement },
        };

        await _server.CreateClient(Model).GetResponseAsync("Who?", options);

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        JsonElement config = request.Json.GetProperty("output_config");
        config.GetProperty("effort").GetString().ShouldBe("high");
        config.GetProperty("format").GetProperty("type").GetString().ShouldBe("json_schema");
        request.Body.Split("\"output_config\"").Length.ShouldBe(2);
    }

    [Fact]
    public async Task GetResponseAsync_JsonSchemaOnOlderModel_ForcesToolAndReturnsItsInputAsText()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("toolu_1", "person", """{"name":"Ada","age":36}""")));
        JsonElement schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]}""").RootElement;
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "person", "A person.") };

        ChatResponse response = await _server.CreateClient(OlderModel).GetResponseAsync("Who?", options);

        AssertJson(JsonDocument.Parse(response.Text).RootElement, """{"name":"Ada","age":36}""");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldBeEmpty();
        JsonElement body = _server.Requests.ShouldHaveSingleItem().Json;
        AssertJson(body.GetProperty("tools"), $$$"""[{"name":"person","description":"A person.","input_schema":{{{schema.GetRawText()}}}}]""");
        AssertJson(body.GetProperty("tool_choice"), """{"type":"tool","name":"person"}""");
        body.TryGetProperty("output_config", out _).ShouldBeFalse();
        body.TryGetProperty("system", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task GetStreamingResponseAsync_JsonSchemaOnOlderModel_EmitsBufferedInputAsTextAtBlockStop()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("toolu_1", "json_response", """{"name":"Ada","age":36}""")).WithArgumentChunkSize(4));
        JsonElement schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"}}}""").RootElement;
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema) };

        List<ChatResponseUpdate> updates = await _server.CreateClient(OlderModel).GetStreamingResponseAsync("Who?", options).ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        updates.Count(u => u.Text.Length > 0).ShouldBe(1);
        response.Text.ShouldBe("""{"name":"Ada","age":36}""");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldBeEmpty();
        AssertJson(_server.Requests.ShouldHaveSingleItem().Json.GetProperty("tool_choice"), """{"type":"tool","name":"json_response"}""");
    }

    [Fact]
    public async Task GetResponseAsync_JsonWithoutSchema_AppendsInstructionToSystemPrompt()
    {
        _server.Enqueue(FakeTurn.Text("""{"ok":true}"""));

        ChatResponse response = await _server.CreateClient(Model).GetResponseAsync(
            [new(ChatRole.System, "Be terse."), new(ChatRole.User, "Status?")],
            new ChatOptions { ResponseFormat = ChatResponseFormat.Json });

        response.Text.ShouldBe("""{"ok":true}""");
        JsonElement body = _server.Requests.ShouldHaveSingleItem().Json;
        body.GetProperty("system").GetString().ShouldBe("Be terse.\n\nRespond with a single JSON object and nothing else.");
        body.TryGetProperty("tools", out _).ShouldBeFalse();
        body.TryGetProperty("tool_choice", out _).ShouldBeFalse();
        body.TryGetProperty("output_config", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task GetResponseAsync_JsonSchemaWithToolsOnOlderModel_ThrowsFeatureNotSupported()
    {
        var options = new ChatOptions { Tools = [WeatherTool()], ResponseFormat = ChatResponseFormat.ForJsonSchema(PersonSchema()) };

        FeatureNotSupportedException ex = await Should.ThrowAsync<FeatureNotSupportedException>(() => _server.CreateClient(OlderModel).GetResponseAsync("Hi", options));

        ex.Feature.ShouldContain("JSON schema output together with tools");
        ex.Message.ShouldContain("claude-sonnet-4-0");
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetResponseAsync_JsonSchemaWithThinkingOnOlderModel_ThrowsFeatureNotSupported()
    {
        var options = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(PersonSchema()),
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low },
        };

        await Should.ThrowAsync<FeatureNotSupportedException>(() => _server.CreateClient(OlderModel).GetResponseAsync("Hi", options));
        _server.Requests.ShouldBeEmpty();
    }

    // ---- thinking ----

    [Fact]
    public async Task GetResponseAsync_ThinkingCapture_RoundTripsTextAndSignatureExactly()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", AnthropicCaptures.ThinkingJson), FakeTurn.Text("Done."));
        IChatClient chat = _server.CreateClient(Model);
        List<ChatMessage> history = [new(ChatRole.User, "925 / 5?")];

        ChatResponse first = await chat.GetResponseAsync(history);
        TextReasoningContent reasoning = first.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ShouldHaveSingleItem();
        reasoning.Text.ShouldBe("925 divided by 5 = 185");
        JsonElement captured = JsonDocument.Parse(AnthropicCaptures.ThinkingJson).RootElement.GetProperty("content")[0];
        reasoning.ProtectedData.ShouldBe(captured.GetProperty("signature").GetString());
        first.Text.ShouldBe("925 ÷ 5 = 185");
        first.Usage!.InputTokenCount.ShouldBe(69);

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.User, "Thanks"));
        await chat.GetResponseAsync(history);

        JsonElement assistant = _server.Requests[1].Json.GetProperty("messages")[1];
        assistant.GetProperty("role").GetString().ShouldBe("assistant");
        AssertJson(assistant.GetProperty("content")[0], captured.GetRawText());
        AssertJson(assistant.GetProperty("content")[1], """{"type":"text","text":"925 ÷ 5 = 185"}""");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ThinkingToolCapture_KeepsSignatureToolCallAndUsage()
    {
        _server.Enqueue(FakeTurn.Raw("text/event-stream", AnthropicCaptures.ThinkingToolStream), FakeTurn.Text("The file says hi."));
        IChatClient chat = _server.CreateClient(Model);
        List<ChatMessage> history = [new(ChatRole.User, "Read foo")];
        const string Signature = "Eu8BCkYICxgCKkBR++kFr7Za2JhF/9OCpjEc46/EcipL75RK+MEbxJ/VBJPWQTWrNGfwb5khWYJtKEpjjkH07cR/MQvThfb7t7CkEgwU4pKwL7NuZXd1/wgaDILyd0bYMqQovWo3dyIw95Ny7yZPljNBDLsvMBdBr7w+RtbU+AlSftjBuBZHp0VzI54/W+9u6f7qfx0JXsVBKldqqOjFvewT8Xm6Qp/77g6/j0zBiuAQABj/6vS1qATjd8KSIFDg9G/tCtzwmV/T/egmzswWd5CBiAhW6lgJgEDRr+gRUrFSOB7o3hypW8FUnUrr1JtzzwMYAQ==";

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync(history).ToListAsync();
        ChatResponse first = updates.ToChatResponse();

        // Thinking text streams as it arrives; the signature follows in one empty reasoning update at the block's end.
        updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Count(r => r.Text.Length > 0).ShouldBe(7);
        TextReasoningContent reasoning = first.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ShouldHaveSingleItem();
        reasoning.Text.ShouldBe("The user wants me to read a file called \"foo\". Let me find and read it.");
        reasoning.ProtectedData.ShouldBe(Signature);
        FunctionCallContent call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.CallId.ShouldBe("toolu_01RX68weRSquLx6HUTj65iBo");
        call.Name.ShouldBe("Read");
        call.Arguments!["file_path"]!.ToString().ShouldBe("/tmp/blah/foo");
        first.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        first.Usage!.InputTokenCount.ShouldBe(2 + 22 + 13993);
        first.Usage.CachedInputTokenCount.ShouldBe(13993);
        first.Usage.OutputTokenCount.ShouldBe(61);
        first.Usage.AdditionalCounts!["CacheWriteInputTokenCount"].ShouldBe(22);

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "hi")]));
        await chat.GetResponseAsync(history);

        AssertJson(_server.Requests[1].Json.GetProperty("messages")[1], $$$"""
            {"role":"assistant","content":[
              {"type":"thinking","thinking":"The user wants me to read a file called \"foo\". Let me find and read it.","signature":"{{{Signature}}}"},
              {"type":"tool_use","id":"toolu_01RX68weRSquLx6HUTj65iBo","name":"Read","input":{"file_path":"/tmp/blah/foo"}}
            ]}
            """);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FakeThinking_CoalescesToOneSignedBlockThatRoundTrips()
    {
        _server.Enqueue(
            FakeTurn.Empty().WithReasoning("First I add, then I check.", "sig-123").WithText("It is 4.").WithUsage(10, 8, reasoningTokens: 5),
            FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient(Model);
        List<ChatMessage> history = [new(ChatRole.User, "2+2?")];

        ChatResponse first = await chat.GetStreamingResponseAsync(history).ToChatResponseAsync();

        TextReasoningContent reasoning = first.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ShouldHaveSingleItem();
        reasoning.Text.ShouldBe("First I add, then I check.");
        reasoning.ProtectedData.ShouldBe("sig-123");
        first.Text.ShouldBe("It is 4.");
        first.Usage!.ReasoningTokenCount.ShouldBe(5);

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.User, "Sure?"));
        await chat.GetStreamingResponseAsync(history).ToListAsync();

        AssertJson(_server.Requests[1].Json.GetProperty("messages")[1].GetProperty("content"), """
            [{"type":"thinking","thinking":"First I add, then I check.","signature":"sig-123"},{"type":"text","text":"It is 4."}]
            """);
    }

    [Fact]
    public async Task GetResponseAsync_RedactedThinking_RoundTripsData()
    {
        const string Body = """
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
             "content":[{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"},{"type":"text","text":"Answer."}],
             "stop_reason":"end_turn","usage":{"input_tokens":5,"output_tokens":7}}
            """;
        _server.Enqueue(FakeTurn.Raw("application/json", Body), FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient(Model);
        List<ChatMessage> history = [new(ChatRole.User, "Hi")];

        ChatResponse first = await chat.GetResponseAsync(history);
        TextReasoningContent redacted = first.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ShouldHaveSingleItem();
        redacted.Text.ShouldBeEmpty();
        redacted.ProtectedData.ShouldBe("EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP");
        redacted.AdditionalProperties!["anthropic.redacted_thinking"].ShouldBe(true);

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.User, "More"));
        await chat.GetResponseAsync(history);

        AssertJson(_server.Requests[1].Json.GetProperty("messages")[1].GetProperty("content")[0],
            """{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"}""");
    }

    [Fact]
    public async Task GetResponseAsync_UnsignedReasoningFromAnotherProvider_IsNotSent()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        List<ChatMessage> history =
        [
            new(ChatRole.User, "Hi"),
            new(ChatRole.Assistant, [new TextReasoningContent("private thoughts"), new TextContent("Hello.")]),
            new(ChatRole.User, "Again"),
        ];

        await _server.CreateClient(Model).GetResponseAsync(history);

        AssertJson(_server.Requests.ShouldHaveSingleItem().Json.GetProperty("messages")[1], """{"role":"assistant","content":[{"type":"text","text":"Hello."}]}""");
    }

    // ---- errors ----

    public static TheoryData<int, string, Type, string> HttpErrors => new()
    {
        { 400, """{"type":"error","error":{"type":"invalid_request_error","message":"messages: field required"},"request_id":"req_1"}""", typeof(InvalidRequestException), "invalid_request_error" },
        { 400, """{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 205429 tokens > 200000 maximum"},"request_id":"req_011CV5Jab6gR3ZNs9Sj6apiD"}""", typeof(ContextWindowExceededException), "invalid_request_error" },
        { 401, """{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}""", typeof(ProviderAuthenticationException), "authentication_error" },
        { 402, """{"type":"error","error":{"type":"billing_error","message":"Your credit balance is too low."}}""", typeof(QuotaExceededException), "billing_error" },
        { 403, """{"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission to use the specified resource."}}""", typeof(ProviderPermissionException), "permission_error" },
        { 404, """{"type":"error","error":{"type":"not_found_error","message":"The requested resource could not be found."},"request_id":"req_x"}""", typeof(ProviderNotFoundException), "not_found_error" },
        { 413, """{"type":"error","error":{"type":"request_too_large","message":"Request exceeds the maximum allowed number of bytes."}}""", typeof(InvalidRequestException), "request_too_large" },
        { 429, """{"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed your account's rate limit. Please try again later."},"request_id":"req_011CcR9mkMvXdaiWP4739PSN"}""", typeof(RateLimitException), "rate_limit_error" },
        { 429, """{"type":"error","error":{"type":"rate_limit_error","message":"You have reached your specified API usage limits.","details":{"error_code":"enforced_spend_limit_reached"}}}""", typeof(QuotaExceededException), "rate_limit_error" },
        { 500, """{"type":"error","error":{"type":"api_error","message":"Internal server error"}}""", typeof(ProviderServerException), "api_error" },
        { 504, """{"type":"error","error":{"type":"timeout_error","message":"Request timed out"}}""", typeof(ProviderTimeoutException), "timeout_error" },
        { 529, """{"type":"error","error":{"details":null,"type":"overloaded_error","message":"Overloaded"}}""", typeof(ProviderOverloadedException), "overloaded_error" },
        { 418, """{"type":"error","error":{"type":"teapot_error","message":"short and stout"}}""", typeof(InvalidRequestException), "teapot_error" },
        { 503, "<html>upstream unavailable</html>", typeof(ProviderOverloadedException), "" },
    };

    [Theory]
    [MemberData(nameof(HttpErrors))]
    public async Task GetResponseAsync_HttpError_ThrowsTypedException(int status, string body, Type expected, string code)
    {
        _server.Enqueue(FakeTurn.Error(status, body));

        ProviderException ex = await Should.ThrowAsync<ProviderException>(() => _server.CreateClient(Model).GetResponseAsync("Hi"));

        ex.GetType().ShouldBe(expected);
        ex.StatusCode.ShouldBe(status);
        ex.Provider.ShouldBe("anthropic");
        ex.ErrorCode.ShouldBe(code.Length == 0 ? null : code);
    }

    [Fact]
    public async Task GetResponseAsync_ErrorBodyRequestId_IsReportedWhenNoHeader()
    {
        _server.Enqueue(FakeTurn.Error(400, """{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 205429 tokens > 200000 maximum"},"request_id":"req_011CV5Jab6gR3ZNs9Sj6apiD"}"""));

        ContextWindowExceededException ex = await Should.ThrowAsync<ContextWindowExceededException>(() => _server.CreateClient(Model).GetResponseAsync("Hi"));

        ex.RequestId.ShouldBe("req_011CV5Jab6gR3ZNs9Sj6apiD");
        ex.Message.ShouldContain("prompt is too long");
    }

    [Fact]
    public async Task GetResponseAsync_RequestIdHeader_WinsOverBody()
    {
        _server.Enqueue(FakeTurn.ProviderError(404, "nope").WithHeader("request-id", "req_from_header"));

        ProviderNotFoundException ex = await Should.ThrowAsync<ProviderNotFoundException>(() => _server.CreateClient(Model).GetResponseAsync("Hi"));

        ex.RequestId.ShouldBe("req_from_header");
    }

    [Fact]
    public async Task GetResponseAsync_RateLimitWithRetryAfter_ReportsRetryAfter()
    {
        _server.Enqueue(FakeTurn.ProviderError(429, "This request would exceed your account's rate limit.").WithHeader("retry-after", "7"));

        RateLimitException ex = await Should.ThrowAsync<RateLimitException>(() => _server.CreateClient(Model).GetResponseAsync("Hi"));

        ex.RetryAfter.ShouldBe(TimeSpan.FromSeconds(7));
        ex.ErrorCode.ShouldBe("rate_limit_error");
        ex.IsTransient.ShouldBeTrue();
    }

    [Fact]
    public async Task GetResponseAsync_RateLimitWithResetHeadersOnly_ReportsLatestReset()
    {
        var now = new DateTimeOffset(2025, 8, 21, 12, 40, 30, TimeSpan.Zero);
        _server.Enqueue(FakeTurn.ProviderError(429, "rate limited")
            .WithHeader("anthropic-ratelimit-requests-reset", "2025-08-21T12:40:59Z")
            .WithHeader("anthropic-ratelimit-tokens-reset", "2025-08-21T12:41:00Z"));
        var options = new ChatClientOptions { TimeProvider = new FakeTimeProvider(now) };

        RateLimitException ex = await Should.ThrowAsync<RateLimitException>(() => _server.CreateClient(Model, options: options).GetResponseAsync("Hi"));

        ex.RetryAfter.ShouldBe(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_HttpErrorBeforeStream_ThrowsTypedException()
    {
        _server.Enqueue(FakeTurn.Error(529, """{"type":"error","error":{"details":null,"type":"overloaded_error","message":"Overloaded"}}"""));

        ProviderOverloadedException ex = await Should.ThrowAsync<ProviderOverloadedException>(
            async () => await _server.CreateClient(Model).GetStreamingResponseAsync("Hi").ToListAsync());

        ex.StatusCode.ShouldBe(529);
        ex.IsTransient.ShouldBeTrue();
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ErrorEventCapture_ThrowsAfterPartialOutput()
    {
        _server.Enqueue(FakeTurn.Raw("text/event-stream", AnthropicCaptures.StreamError));
        var received = new List<ChatResponseUpdate>();

        ProviderServerException ex = await Should.ThrowAsync<ProviderServerException>(async () =>
        {
            await foreach (ChatResponseUpdate update in _server.CreateClient(Model).GetStreamingResponseAsync("Hi"))
            {
                received.Add(update);
            }
        });

        // The capture's error type is api_error (a server failure) even though its message says "Overloaded".
        ex.ErrorCode.ShouldBe("api_error");
        ex.Message.ShouldContain("Overloaded");
        ex.StatusCode.ShouldBeNull();
    }

    [Theory]
    [InlineData("overloaded_error", typeof(ProviderOverloadedException))]
    [InlineData("rate_limit_error", typeof(RateLimitException))]
    [InlineData("api_error", typeof(ProviderServerException))]
    [InlineData("invalid_request_error", typeof(InvalidRequestException))]
    [InlineData("something_new", typeof(ProviderServerException))]
    public async Task GetStreamingResponseAsync_ErrorEvent_ThrowsSameTypeAsHttpError(string type, Type expected)
    {
        _server.Enqueue(FakeTurn.Text("Partial answer").WithStreamError("It broke", type));
        var received = new List<ChatResponseUpdate>();

        ProviderException ex = await Should.ThrowAsync<ProviderException>(async () =>
        {
            await foreach (ChatResponseUpdate update in _server.CreateClient(Model).GetStreamingResponseAsync("Hi"))
            {
                received.Add(update);
            }
        });

        ex.GetType().ShouldBe(expected);
        string.Concat(received.Select(u => u.Text)).ShouldBe("Partial answer");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_EndsBeforeMessageStop_ThrowsConnectionException()
    {
        _server.Enqueue(FakeTurn.Text("one two three four").WithUsage(3, 4).TruncateAfter(5));

        ProviderConnectionException ex = await Should.ThrowAsync<ProviderConnectionException>(
            async () => await _server.CreateClient(Model).GetStreamingResponseAsync("Hi").ToListAsync());

        ex.Message.ShouldContain("message_stop");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConnectionDropped_ThrowsConnectionException()
    {
        _server.Enqueue(FakeTurn.Text("one two three four").DropConnectionAfter(4));

        await Should.ThrowAsync<ProviderConnectionException>(
            async () => await _server.CreateClient(Model).GetStreamingResponseAsync("Hi").ToListAsync());
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CancelledMidStream_ThrowsOperationCanceledAndDisconnects()
    {
        // Long enough to outlast SocketsHttpHandler's drain of an abandoned response (2 s by default), which otherwise reads a
        // short remainder to the end to reuse the connection; the server then sees the client go away.
        string words = string.Join(' ', Enumerable.Range(1, 60).Select(i => "w" + i));
        _server.Enqueue(FakeTurn.Text(words).WithChunkDelay(TimeSpan.FromMilliseconds(100)));
        using var cts = new CancellationTokenSource();
        int received = 0;

        Exception? caught = null;
        try
        {
            await foreach (ChatResponseUpdate update in _server.CreateClient(Model).GetStreamingResponseAsync("Hi", cancellationToken: cts.Token))
            {
                if (update.Text.Length > 0 && ++received == 1)
                {
                    await cts.CancelAsync();
                }
            }
        }
        catch (Exception ex)
        {
            caught = ex;
        }

        caught.ShouldBeAssignableTo<OperationCanceledException>();
        received.ShouldBe(1);
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        for (int i = 0; i < 100 && !request.ClientDisconnected; i++)
        {
            await Task.Delay(50);
        }

        request.ClientDisconnected.ShouldBeTrue();
    }

    // ---- helpers ----

    private static AIFunction WeatherTool() =>
        AIFunctionFactory.Create((string location, string unit) => "15 degrees", "get_weather", "Get the current weather in a given location");

    private static JsonElement PersonSchema() =>
        JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""").RootElement;

    private static string MessageBody(string text, string stopReason) =>
        $$$"""{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"{{{text}}}"}],"stop_reason":"{{{stopReason}}}","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}""";

    private static void AssertJson(JsonElement actual, string expected)
    {
        JsonNode? actualNode = JsonNode.Parse(actual.GetRawText());
        JsonNode? expectedNode = JsonNode.Parse(expected);
        JsonNode.DeepEquals(actualNode, expectedNode).ShouldBeTrue($"Expected {expectedNode?.ToJsonString()} but got {actualNode?.ToJsonString()}");
    }
}
