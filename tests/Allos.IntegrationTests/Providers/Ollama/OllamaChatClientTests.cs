using System.Text.Json;
using System.Text.Json.Nodes;
using Allos.Providers;

namespace Allos.IntegrationTests.Providers.Ollama;

public sealed class OllamaChatClientTests : IAsyncLifetime
{
    private const string Ndjson = "application/x-ndjson";
    private const string Model = "llama3.2";

    private static readonly JsonElement WeatherSchema = JsonDocument.Parse(
        """{"type":"object","properties":{"city":{"type":"string","description":"The city to get the weather for"}},"required":["city"]}""").RootElement.Clone();

    private static readonly AIFunctionDeclaration Weather =
        AIFunctionFactory.CreateDeclaration("get_weather", "Get the weather in a given city", WeatherSchema);

    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GetResponseAsync_PlainReply_PostsApiChatWithStreamFalseAndNoAuthorization()
    {
        _server.Enqueue(FakeTurn.Text("Hello there!").WithUsage(12, 3));
        IChatClient chat = CreateKeylessClient();

        ChatResponse response = await chat.GetResponseAsync([new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi")]);

        response.Text.ShouldBe("Hello there!");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.ModelId.ShouldBe(Model);
        response.CreatedAt.ShouldBe(new DateTimeOffset(2025, 7, 7, 20, 22, 19, TimeSpan.Zero).AddTicks(1_847_890));
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(12);
        response.Usage.OutputTokenCount.ShouldBe(3);
        response.Usage.TotalTokenCount.ShouldBe(15);
        response.Messages.ShouldHaveSingleItem().Contents.ShouldHaveSingleItem().ShouldBeOfType<TextContent>();

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/api/chat");
        request.Headers.ContainsKey("Authorization").ShouldBeFalse();
        request.Json.GetProperty("model").GetString().ShouldBe(Model);
        request.Json.GetProperty("stream").ValueKind.ShouldBe(JsonValueKind.False);
        foreach (string absent in (string[])["options", "tools", "think", "format", "keep_alive"])
        {
            request.Json.TryGetProperty(absent, out _).ShouldBeFalse(absent);
        }

        JsonElement messages = request.Json.GetProperty("messages");
        messages.GetArrayLength().ShouldBe(2);
        messages[0].GetProperty("role").GetString().ShouldBe("system");
        messages[0].GetProperty("content").GetString().ShouldBe("Be brief.");
        messages[1].GetProperty("role").GetString().ShouldBe("user");
        messages[1].GetProperty("content").GetString().ShouldBe("Hi");
        messages[1].TryGetProperty("images", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task GetResponseAsync_InstructionsAndSystemMessages_SendsOneLeadingSystemMessage()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = CreateKeylessClient();

        await chat.GetResponseAsync(
            [new(ChatRole.User, "Hi"), new(ChatRole.System, "Answer in French.")],
            new ChatOptions { Instructions = "Be brief." });

        JsonElement messages = _server.Requests.ShouldHaveSingleItem().Json.GetProperty("messages");
        messages.GetArrayLength().ShouldBe(2);
        messages[0].GetProperty("role").GetString().ShouldBe("system");
        messages[0].GetProperty("content").GetString().ShouldBe("Be brief.\n\nAnswer in French.");
        messages[1].GetProperty("role").GetString().ShouldBe("user");
    }

    [Fact]
    public async Task GetResponseAsync_ApiKeyAndHeaders_SendsBearerTokenAndHeaders()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        var options = new ChatClientOptions();
        options.Headers["X-Trace"] = "abc";
        IChatClient chat = _server.CreateClient($"ollama/{Model}", apiKey: "ollama-cloud-key", options);

        await chat.GetResponseAsync("Hi");

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Headers["Authorization"].ShouldBe("Bearer ollama-cloud-key");
        request.Headers["X-Trace"].ShouldBe("abc");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Text_StreamsNdjsonDeltasWithUsageAndDurations()
    {
        _server.Enqueue(FakeTurn.Text("The quick brown fox").WithUsage(20, 4));
        IChatClient chat = CreateKeylessClient();

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("Say it").ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        updates.Where(u => u.Text.Length > 0).Select(u => u.Text).ShouldBe(["The", " quick", " brown", " fox"]);
        response.Text.ShouldBe("The quick brown fox");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.ModelId.ShouldBe(Model);
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(20);
        response.Usage.OutputTokenCount.ShouldBe(4);
        response.Usage.TotalTokenCount.ShouldBe(24);
        updates[^1].AdditionalProperties.ShouldNotBeNull()["ollama.total_duration_ns"].ShouldBe(182_242_375L);

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Json.GetProperty("stream").ValueKind.ShouldBe(JsonValueKind.True);
        request.Streaming.ShouldBeTrue();
    }

    [Fact]
    public async Task GetResponseAsync_Durations_ReportsNanosecondsInAdditionalProperties()
    {
        _server.Enqueue(FakeTurn.Text("ok").WithUsage(1, 1));
        IChatClient chat = CreateKeylessClient();

        ChatResponse response = await chat.GetResponseAsync("Hi");

        AdditionalPropertiesDictionary properties = response.AdditionalProperties.ShouldNotBeNull();
        properties["ollama.total_duration_ns"].ShouldBe(182_242_375L);
        properties["ollama.load_duration_ns"].ShouldBe(41_295_167L);
        properties["ollama.prompt_eval_duration_ns"].ShouldBe(24_573_166L);
        properties["ollama.eval_duration_ns"].ShouldBe(115_959_084L);
    }

    [Fact]
    public async Task GetResponseAsync_ToolRoundTrip_SendsArgumentsObjectAndToolName()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_abc", "get_weather", """{"city":"Toronto"}""")),
            FakeTurn.Text("It is 11 degrees in Toronto."));
        IChatClient chat = CreateKeylessClient();
        var options = new ChatOptions { Tools = [Weather] };
        List<ChatMessage> history = [new(ChatRole.User, "what is the weather in Toronto?")];

        ChatResponse first = await chat.GetResponseAsync(history, options);

        first.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        FunctionCallContent call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.CallId.ShouldBe("call_abc");
        call.Name.ShouldBe("get_weather");
        call.Arguments.ShouldNotBeNull()["city"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("Toronto");

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_abc", "11 degrees celsius")]));
        ChatResponse second = await chat.GetResponseAsync(history, options);

        second.Text.ShouldBe("It is 11 degrees in Toronto.");
        second.FinishReason.ShouldBe(ChatFinishReason.Stop);
        JsonShouldBe(_server.Requests[1].Json, $$"""
            {
              "model": "llama3.2",
              "messages": [
                { "role": "user", "content": "what is the weather in Toronto?" },
                {
                  "role": "assistant",
                  "content": "",
                  "tool_calls": [ { "id": "call_abc", "function": { "name": "get_weather", "arguments": { "city": "Toronto" } } } ]
                },
                { "role": "tool", "content": "11 degrees celsius", "tool_name": "get_weather", "tool_call_id": "call_abc" }
              ],
              "tools": [
                {
                  "type": "function",
                  "function": { "name": "get_weather", "description": "Get the weather in a given city", "parameters": {{WeatherSchema.GetRawText()}} }
                }
              ],
              "stream": false
            }
            """);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(null)]
    public async Task GetStreamingResponseAsync_SeveralCallsInOneTurn_EmitsEachWithUniqueGeneratedIds(int? argumentChunkSize)
    {
        _server.Enqueue(FakeTurn.ToolCalls(
                new FakeToolCall("", "get_weather", """{"city":"Paris"}"""),
                new FakeToolCall("", "get_time", """{"zone":"CET","precise":true}"""))
            .WithArgumentChunkSize(argumentChunkSize)
            .WithUsage(30, 12));
        IChatClient chat = CreateKeylessClient();

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("weather and time in Paris?", new ChatOptions { Tools = [Weather] }).ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        // Separate lines when the renderer is asked for "chunks", one line holding both calls otherwise.
        updates.Count(u => u.Contents.OfType<FunctionCallContent>().Any()).ShouldBe(argumentChunkSize is null ? 1 : 2);
        FunctionCallContent[] calls = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
        calls.Length.ShouldBe(2);
        calls.ShouldAllBe(c => c.CallId.StartsWith("call_") && c.CallId.Length == 21);
        calls.Select(c => c.CallId).Distinct().Count().ShouldBe(2);
        calls[0].Name.ShouldBe("get_weather");
        calls[0].Arguments.ShouldNotBeNull()["city"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("Paris");
        calls[1].Name.ShouldBe("get_time");
        calls[1].Arguments.ShouldNotBeNull()["precise"].ShouldBeOfType<JsonElement>().GetBoolean().ShouldBeTrue();
        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
    }

    [Fact]
    public async Task GetResponseAsync_SeveralCallsWithoutIds_GeneratesUniqueIds()
    {
        _server.Enqueue(FakeTurn.ToolCalls(
            new FakeToolCall("", "get_weather", """{"city":"Paris"}"""),
            new FakeToolCall("", "get_weather", """{"city":"Rome"}""")));
        IChatClient chat = CreateKeylessClient();

        ChatResponse response = await chat.GetResponseAsync("weather in Paris and Rome?", new ChatOptions { Tools = [Weather] });

        FunctionCallContent[] calls = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
        calls.ShouldAllBe(c => c.CallId.StartsWith("call_") && c.CallId.Length == 21);
        calls.Select(c => c.CallId).Distinct().Count().ShouldBe(2);
        calls.Select(c => ((JsonElement)c.Arguments!["city"]!).GetString()).ShouldBe(["Paris", "Rome"]);
        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
    }

    [Fact]
    public async Task GetResponseAsync_CallsWithoutIdsInTwoTurns_NeverRepeatAnId()
    {
        // Ollama sends no ids: positional ids (call_0 in every response) repeated within one conversation.
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("", "get_weather", """{"city":"Paris"}""")),
            FakeTurn.ToolCalls(new FakeToolCall("", "get_weather", """{"city":"Rome"}""")));
        IChatClient chat = CreateKeylessClient();
        var options = new ChatOptions { Tools = [Weather] };

        List<ChatMessage> history = [new(ChatRole.User, "weather in Paris, then Rome?")];
        ChatResponse first = await chat.GetResponseAsync(history, options);
        FunctionCallContent firstCall = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        history.AddMessages(first);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(firstCall.CallId, "11 degrees")]));
        ChatResponse second = await chat.GetStreamingResponseAsync(history, options).ToChatResponseAsync();

        FunctionCallContent secondCall = second.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        secondCall.CallId.ShouldNotBe(firstCall.CallId);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_VerbatimToolCallCapture_ParsesCallUsageAndDurations()
    {
        // §5.4 DERIVED: docs/api.md "Chat request (Streaming with tools)", one object per line.
        _server.Enqueue(FakeTurn.Raw(Ndjson,
            """{"model":"llama3.2","created_at":"2025-07-07T20:22:19.184789Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Tokyo"}}}]},"done":false}""" + "\n",
            """{"model":"llama3.2","created_at":"2025-07-07T20:22:19.19314Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":182242375,"load_duration":41295167,"prompt_eval_count":169,"prompt_eval_duration":24573166,"eval_count":15,"eval_duration":115959084}""" + "\n"));
        IChatClient chat = CreateKeylessClient();

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("weather in Tokyo?", new ChatOptions { Tools = [Weather] }).ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        FunctionCallContent call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.CallId.ShouldMatch("^call_[0-9a-f]{16}$");
        call.Name.ShouldBe("get_weather");
        call.Arguments.ShouldNotBeNull()["city"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("Tokyo");
        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        response.ModelId.ShouldBe("llama3.2");
        response.Text.ShouldBeEmpty();
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(169);
        response.Usage.OutputTokenCount.ShouldBe(15);
        response.Usage.TotalTokenCount.ShouldBe(184);
        updates[^1].AdditionalProperties.ShouldNotBeNull()["ollama.total_duration_ns"].ShouldBe(182_242_375L);
        updates[0].CreatedAt.ShouldBe(new DateTimeOffset(2025, 7, 7, 20, 22, 19, TimeSpan.Zero).AddTicks(1_847_890));
    }

    [Fact]
    public async Task GetResponseAsync_VerbatimNonStreamingToolCall_MapsStopWithCallsToToolCalls()
    {
        // §5.3 VERBATIM-DOC (minified): a tool call is reported with done_reason "stop" and no id.
        _server.Enqueue(FakeTurn.Raw("application/json",
            """{"model":"llama3.2","created_at":"2025-07-07T20:32:53.844124Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Tokyo"}}}]},"done_reason":"stop","done":true,"total_duration":3244883583,"load_duration":2969184542,"prompt_eval_count":169,"prompt_eval_duration":141656333,"eval_count":18,"eval_duration":133293625}"""));
        IChatClient chat = CreateKeylessClient();

        ChatResponse response = await chat.GetResponseAsync("weather in Tokyo?", new ChatOptions { Tools = [Weather] });

        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        FunctionCallContent call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.CallId.ShouldMatch("^call_[0-9a-f]{16}$");
        call.Arguments.ShouldNotBeNull()["city"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("Tokyo");
        response.Usage.ShouldNotBeNull().TotalTokenCount.ShouldBe(187);
        response.AdditionalProperties.ShouldNotBeNull()["ollama.total_duration_ns"].ShouldBe(3_244_883_583L);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CountersAbsent_ReportsNullNotZero()
    {
        // Go marks the counters omitempty: a fully cached prompt sends no prompt_eval_count.
        _server.Enqueue(FakeTurn.Raw(Ndjson,
            """{"model":"llama3.2","created_at":"2025-10-26T17:15:24.097767123Z","message":{"role":"assistant","content":"Hi"},"done":false}""" + "\n",
            """{"model":"llama3.2","created_at":"2025-10-26T17:15:24.109172Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":1000,"eval_count":5,"eval_duration":900}""" + "\n"));
        IChatClient chat = CreateKeylessClient();

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("Hi").ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        response.Text.ShouldBe("Hi");
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBeNull();
        response.Usage.OutputTokenCount.ShouldBe(5);
        response.Usage.TotalTokenCount.ShouldBeNull();

        // Go writes up to nine fractional digits.
        updates[0].CreatedAt.ShouldBe(new DateTimeOffset(2025, 10, 26, 17, 15, 24, TimeSpan.Zero).AddTicks(977_671));
    }

    [Fact]
    public async Task GetResponseAsync_NoCountersAtAll_ReportsNoUsage()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = CreateKeylessClient();

        ChatResponse response = await chat.GetResponseAsync("Hi");

        response.Text.ShouldBe("ok");
        response.Usage.ShouldBeNull();
    }

    [Theory]
    [InlineData(FakeFinishReason.Stop, "stop")]
    [InlineData(FakeFinishReason.Length, "length")]
    public async Task GetResponseAsync_DoneReason_MapsToFinishReason(FakeFinishReason reason, string expected)
    {
        _server.Enqueue(FakeTurn.Text("some text").WithFinishReason(reason), FakeTurn.Text("some text").WithFinishReason(reason));
        IChatClient chat = CreateKeylessClient();

        ChatResponse whole = await chat.GetResponseAsync("Hi");
        ChatResponse streamed = (await chat.GetStreamingResponseAsync("Hi").ToListAsync()).ToChatResponse();

        whole.FinishReason.ShouldBe(new ChatFinishReason(expected));
        streamed.FinishReason.ShouldBe(new ChatFinishReason(expected));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StopWithToolCalls_ReportsToolCalls()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("call_1", "get_weather", """{"city":"Oslo"}""")));
        IChatClient chat = CreateKeylessClient();

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("Oslo?", new ChatOptions { Tools = [Weather] }).ToListAsync();

        updates.Last(u => u.FinishReason is not null).FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem().CallId.ShouldBe("call_1");
    }

    [Theory]
    [InlineData("""{"model":"llama3.2","created_at":"2025-07-07T20:22:19.19314Z","message":{"role":"assistant","content":""},"done_reason":"load","done":true}""", "load")]
    [InlineData("""{"model":"llama3.2","created_at":"2025-07-07T20:22:19.19314Z","message":{"role":"assistant","content":""},"done_reason":"unload","done":true}""", "unload")]
    [InlineData("""{"model":"llama3.2","created_at":"2025-07-07T20:22:19.19314Z","message":{"role":"assistant","content":"."},"done":true}""", "stop")]
    public async Task GetStreamingResponseAsync_OtherOrAbsentDoneReason_KeepsValueOrDefaultsToStop(string doneLine, string expected)
    {
        _server.Enqueue(FakeTurn.Raw(Ndjson,
            """{"model":"llama3.2","created_at":"2025-07-07T20:22:19.184789Z","message":{"role":"assistant","content":"Yes"},"done":false}""" + "\n",
            doneLine + "\n"));
        IChatClient chat = CreateKeylessClient();

        ChatResponse response = (await chat.GetStreamingResponseAsync("Hi").ToListAsync()).ToChatResponse();

        response.FinishReason.ShouldBe(new ChatFinishReason(expected));
        response.Usage.ShouldBeNull();
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ThinkingDeltas_StreamsReasoningBeforeText()
    {
        _server.Enqueue(FakeTurn.Empty().WithReasoning("Let me think").WithText("The answer is 4").WithUsage(5, 9));
        IChatClient chat = CreateKeylessClient();

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("2+2?", new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Medium } }).ToListAsync();

        string[] reasoning = [.. updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Select(r => r.Text)];
        reasoning.ShouldBe(["Let", " me", " think"]);
        int lastReasoning = updates.FindLastIndex(u => u.Contents.OfType<TextReasoningContent>().Any());
        int firstText = updates.FindIndex(u => u.Text.Length > 0);
        lastReasoning.ShouldBeLessThan(firstText);
        updates.ToChatResponse().Text.ShouldBe("The answer is 4");
        _server.Requests.ShouldHaveSingleItem().Json.GetProperty("think").GetString().ShouldBe("medium");
    }

    [Fact]
    public async Task GetResponseAsync_Thinking_ReturnsReasoningContent()
    {
        _server.Enqueue(FakeTurn.Empty().WithReasoning("Two and two.").WithText("4"));
        IChatClient chat = CreateKeylessClient();

        ChatResponse response = await chat.GetResponseAsync("2+2?");

        IList<AIContent> contents = response.Messages.ShouldHaveSingleItem().Contents;
        contents.Count.ShouldBe(2);
        contents[0].ShouldBeOfType<TextReasoningContent>().Text.ShouldBe("Two and two.");
        contents[1].ShouldBeOfType<TextContent>().Text.ShouldBe("4");
    }

    [Theory]
    [InlineData(ReasoningEffort.None, "false")]
    [InlineData(ReasoningEffort.Low, "\"low\"")]
    [InlineData(ReasoningEffort.Medium, "\"medium\"")]
    [InlineData(ReasoningEffort.High, "\"high\"")]
    [InlineData(ReasoningEffort.ExtraHigh, "\"high\"")]
    public async Task GetResponseAsync_ReasoningEffort_MapsToThink(ReasoningEffort effort, string expectedJson)
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = CreateKeylessClient();

        await chat.GetResponseAsync("Hi", new ChatOptions { Reasoning = new ReasoningOptions { Effort = effort } });

        _server.Requests.ShouldHaveSingleItem().Json.GetProperty("think").GetRawText().ShouldBe(expectedJson);
    }

    [Fact]
    public async Task GetResponseAsync_AssistantReasoningInHistory_SendsThinking()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = CreateKeylessClient();

        await chat.GetResponseAsync(
        [
            new(ChatRole.User, "2+2?"),
            new(ChatRole.Assistant, [new TextReasoningContent("Two and two."), new TextContent("4")]),
            new(ChatRole.User, "And 3+3?"),
        ]);

        JsonElement assistant = _server.Requests.ShouldHaveSingleItem().Json.GetProperty("messages")[1];
        assistant.GetProperty("role").GetString().ShouldBe("assistant");
        assistant.GetProperty("content").GetString().ShouldBe("4");
        assistant.GetProperty("thinking").GetString().ShouldBe("Two and two.");
    }

    [Fact]
    public async Task GetResponseAsync_Images_SendsBase64WithoutDataPrefix()
    {
        _server.Enqueue(FakeTurn.Text("A red pixel."));
        IChatClient chat = CreateKeylessClient();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x01, 0x02];

        await chat.GetResponseAsync([new(ChatRole.User, [new TextContent("what is in this image?"), new DataContent(png, "image/png")])]);

        JsonElement message = _server.Requests.ShouldHaveSingleItem().Json.GetProperty("messages")[0];
        message.GetProperty("content").GetString().ShouldBe("what is in this image?");
        string image = message.GetProperty("images").EnumerateArray().ShouldHaveSingleItem().GetString()!;
        image.ShouldBe(Convert.ToBase64String(png));
        image.ShouldNotStartWith("data:");
    }

    [Fact]
    public async Task GetResponseAsync_ImageUrl_ThrowsFeatureNotSupportedWithoutSending()
    {
        IChatClient chat = CreateKeylessClient();

        FeatureNotSupportedException error = await Should.ThrowAsync<FeatureNotSupportedException>(() =>
            chat.GetResponseAsync([new(ChatRole.User, [new TextContent("what is this?"), new UriContent("https://example.com/cat.png", "image/png")])]));

        error.Provider.ShouldBe("ollama");
        error.Feature.ShouldBe("image URLs");
        error.Message.ShouldContain("DataContent");
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetStreamingResponseAsync_NonImageData_ThrowsFeatureNotSupported()
    {
        IChatClient chat = CreateKeylessClient();

        FeatureNotSupportedException error = await Should.ThrowAsync<FeatureNotSupportedException>(async () =>
            await chat.GetStreamingResponseAsync([new(ChatRole.User, [new DataContent(new byte[] { 1, 2, 3 }, "application/pdf")])]).ToListAsync());

        error.Feature.ShouldContain("application/pdf");
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetResponseAsync_JsonFormat_SendsJsonString()
    {
        _server.Enqueue(FakeTurn.Text("{}"));
        IChatClient chat = CreateKeylessClient();

        await chat.GetResponseAsync("Give JSON", new ChatOptions { ResponseFormat = ChatResponseFormat.Json });

        JsonElement format = _server.Requests.ShouldHaveSingleItem().Json.GetProperty("format");
        format.ValueKind.ShouldBe(JsonValueKind.String);
        format.GetString().ShouldBe("json");
    }

    [Fact]
    public async Task GetResponseAsync_JsonSchemaFormat_SendsSchemaObject()
    {
        _server.Enqueue(FakeTurn.Text("""{"city":"Oslo"}"""));
        IChatClient chat = CreateKeylessClient();

        await chat.GetResponseAsync("Give JSON", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(WeatherSchema, "weather") });

        JsonShouldBe(_server.Requests.ShouldHaveSingleItem().Json.GetProperty("format"), WeatherSchema.GetRawText());
    }

    [Fact]
    public async Task GetResponseAsync_SamplingOptions_MapToOptionsObject()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = CreateKeylessClient();

        await chat.GetResponseAsync("Hi", new ChatOptions
        {
            Temperature = 0.5f,
            TopP = 0.25f,
            TopK = 40,
            MaxOutputTokens = 128,
            Seed = 42,
            StopSequences = ["END", "\n\n"],
            FrequencyPenalty = 0.75f,
            PresencePenalty = 1.5f,
        });

        JsonShouldBe(_server.Requests.ShouldHaveSingleItem().Json.GetProperty("options"), """
            {"temperature":0.5,"top_p":0.25,"top_k":40,"num_predict":128,"seed":42,"stop":["END","\n\n"],"frequency_penalty":0.75,"presence_penalty":1.5}
            """);
    }

    [Fact]
    public async Task GetResponseAsync_AdditionalProperties_SentTopLevelAndOptionsReplaced()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = CreateKeylessClient();

        await chat.GetResponseAsync("Hi", new ChatOptions
        {
            Temperature = 0.5f,
            AdditionalProperties = new()
            {
                ["keep_alive"] = "5m",
                ["options"] = JsonDocument.Parse("""{"num_ctx":8192,"temperature":0.1}""").RootElement,
            },
        });

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Json.GetProperty("keep_alive").GetString().ShouldBe("5m");
        JsonShouldBe(request.Json.GetProperty("options"), """{"num_ctx":8192,"temperature":0.1}""");
        request.Body.Split("\"options\"").Length.ShouldBe(2); // the key is written once
    }

    [Fact]
    public async Task GetResponseAsync_StreamInAdditionalProperties_ThrowsArgumentException()
    {
        IChatClient chat = CreateKeylessClient();

        await Should.ThrowAsync<ArgumentException>(() =>
            chat.GetResponseAsync("Hi", new ChatOptions { AdditionalProperties = new() { ["stream"] = true } }));

        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetResponseAsync_RequiredToolMode_ThrowsFeatureNotSupported()
    {
        IChatClient chat = CreateKeylessClient();

        await Should.ThrowAsync<FeatureNotSupportedException>(() =>
            chat.GetResponseAsync("Hi", new ChatOptions { Tools = [Weather], ToolMode = ChatToolMode.RequireAny }));

        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetResponseAsync_NoneToolMode_SendsNoTools()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = CreateKeylessClient();

        await chat.GetResponseAsync("Hi", new ChatOptions { Tools = [Weather], ToolMode = ChatToolMode.None });

        _server.Requests.ShouldHaveSingleItem().Json.TryGetProperty("tools", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData(404, "model 'llama3' not found", typeof(ProviderNotFoundException))]
    [InlineData(404, "model \"llama3\" not found, try pulling it first", typeof(ProviderNotFoundException))]
    [InlineData(400, "registry.ollama.ai/library/gemma:2b does not support tools", typeof(InvalidRequestException))]
    [InlineData(400, "\"deepseek-coder:6.7b\" does not support thinking", typeof(InvalidRequestException))]
    [InlineData(500, "llama runner process has terminated: exit status 2", typeof(ProviderServerException))]
    [InlineData(502, "cloud model unreachable", typeof(ProviderServerException))]
    [InlineData(503, "server busy, please try again.  maximum pending requests exceeded", typeof(ProviderOverloadedException))]
    [InlineData(429, "too many requests", typeof(RateLimitException))]
    [InlineData(499, "request canceled", typeof(ProviderServerException))]
    [InlineData(500, "input exceeds maximum context length and cannot be truncated further", typeof(ContextWindowExceededException))]
    [InlineData(400, "the input length exceeds the context length", typeof(ContextWindowExceededException))]
    public async Task GetResponseAsync_HttpError_MapsToExceptionKeepingMessage(int status, string message, Type expected)
    {
        _server.Enqueue(FakeTurn.Error(status, new JsonObject { ["error"] = message }.ToJsonString()));
        IChatClient chat = CreateKeylessClient();

        ProviderException error = await Should.ThrowAsync<ProviderException>(() => chat.GetResponseAsync("Hi"));

        error.GetType().ShouldBe(expected);
        error.StatusCode.ShouldBe(status);
        error.Provider.ShouldBe("ollama");
        error.Message.ShouldContain(message);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_HttpError_ThrowsBeforeAnyUpdate()
    {
        _server.Enqueue(FakeTurn.ProviderError(404, "model 'llama3' not found"));
        IChatClient chat = CreateKeylessClient();

        ProviderNotFoundException error = await Should.ThrowAsync<ProviderNotFoundException>(async () =>
            await chat.GetStreamingResponseAsync("Hi").ToListAsync());

        error.Message.ShouldContain("model 'llama3' not found");
        _server.Requests.ShouldHaveSingleItem().Body.ShouldContain("\"stream\":true");
    }

    [Fact]
    public async Task GetResponseAsync_RateLimitedWithRetryAfter_ReportsRetryAfter()
    {
        _server.Enqueue(FakeTurn.ProviderError(429, "you have reached your hourly usage limit").WithHeader("retry-after", "7"));
        IChatClient chat = CreateKeylessClient();

        RateLimitException error = await Should.ThrowAsync<RateLimitException>(() => chat.GetResponseAsync("Hi"));

        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(7));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_VerbatimErrorLineMidStream_ThrowsServerErrorAfterDeltas()
    {
        // §5.5 VERBATIM-DOC (docs/api/errors.mdx), adapted from /api/generate's "response" to /api/chat's "message".
        _server.Enqueue(FakeTurn.Raw(Ndjson,
            """{"model":"gemma4","created_at":"2025-10-26T17:21:21.196249Z","message":{"role":"assistant","content":" Yes"},"done":false}""" + "\n",
            """{"model":"gemma4","created_at":"2025-10-26T17:21:21.207235Z","message":{"role":"assistant","content":"."},"done":false}""" + "\n",
            """{"model":"gemma4","created_at":"2025-10-26T17:21:21.219166Z","message":{"role":"assistant","content":"I"},"done":false}""" + "\n",
            """{"model":"gemma4","created_at":"2025-10-26T17:21:21.231094Z","message":{"role":"assistant","content":"can"},"done":false}""" + "\n",
            """{"error":"an error was encountered while running the model"}""" + "\n"));
        IChatClient chat = CreateKeylessClient();
        var received = new List<string>();

        ProviderServerException error = await Should.ThrowAsync<ProviderServerException>(async () =>
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("Hi"))
            {
                received.Add(update.Text);
            }
        });

        received.ShouldBe([" Yes", ".", "I", "can"]);
        error.Message.ShouldContain("an error was encountered while running the model");
        error.StatusCode.ShouldBeNull();
    }

    [Theory]
    [InlineData(429, typeof(RateLimitException))]
    [InlineData(503, typeof(ProviderOverloadedException))]
    [InlineData(500, typeof(ProviderServerException))]
    public async Task GetStreamingResponseAsync_ErrorLineWithStatus_MapsLikeHttpError(int status, Type expected)
    {
        _server.Enqueue(FakeTurn.Raw(Ndjson,
            """{"model":"gpt-oss:120b-cloud","created_at":"2025-10-26T17:21:21.196249Z","message":{"role":"assistant","content":"Hi"},"done":false}""" + "\n",
            $$"""{"error":"upstream failure","status":{{status}}}""" + "\n"));
        IChatClient chat = CreateKeylessClient();

        ProviderException error = await Should.ThrowAsync<ProviderException>(async () => await chat.GetStreamingResponseAsync("Hi").ToListAsync());

        error.GetType().ShouldBe(expected);
        error.Message.ShouldContain("upstream failure");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_RenderedStreamError_ThrowsServerError()
    {
        _server.Enqueue(FakeTurn.Text("partial answer").WithStreamError("model runner crashed"));
        IChatClient chat = CreateKeylessClient();

        ProviderServerException error = await Should.ThrowAsync<ProviderServerException>(async () => await chat.GetStreamingResponseAsync("Hi").ToListAsync());

        error.Message.ShouldContain("model runner crashed");
    }

    [Fact]
    public async Task GetResponseAsync_ErrorBodyWithStatus200_Throws()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", """{"error":"an error was encountered while running the model"}"""));
        IChatClient chat = CreateKeylessClient();

        ProviderServerException error = await Should.ThrowAsync<ProviderServerException>(() => chat.GetResponseAsync("Hi"));

        error.Message.ShouldContain("an error was encountered while running the model");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_TruncatedBeforeDoneLine_ThrowsConnectionError()
    {
        _server.Enqueue(FakeTurn.Text("one two three").TruncateAfter(2));
        IChatClient chat = CreateKeylessClient();
        var received = new List<string>();

        ProviderConnectionException error = await Should.ThrowAsync<ProviderConnectionException>(async () =>
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("Hi"))
            {
                received.Add(update.Text);
            }
        });

        received.ShouldBe(["one", " two"]);
        error.Message.ShouldContain("\"done\": true");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_DroppedConnection_ThrowsConnectionError()
    {
        _server.Enqueue(FakeTurn.Text("one two three").DropConnectionAfter(1));
        IChatClient chat = CreateKeylessClient();

        await Should.ThrowAsync<ProviderConnectionException>(async () => await chat.GetStreamingResponseAsync("Hi").ToListAsync());
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Canceled_StopsWithOperationCanceled()
    {
        _server.Enqueue(FakeTurn.Text("one two three four five six").WithChunkDelay(TimeSpan.FromMilliseconds(300)));
        IChatClient chat = CreateKeylessClient();
        using var cts = new CancellationTokenSource();

        Exception? error = null;
        var received = new List<string>();
        try
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("Hi", cancellationToken: cts.Token))
            {
                received.Add(update.Text);
                await cts.CancelAsync();
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }

        error.ShouldBeAssignableTo<OperationCanceledException>();
        received.ShouldBe(["one"]);

        // The connection is closed rather than drained, so the server stops generating.
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        for (int i = 0; i < 100 && !request.ClientDisconnected; i++)
        {
            await Task.Delay(50);
        }

        request.ClientDisconnected.ShouldBeTrue();
    }

    [Fact]
    public async Task GetResponseAsync_Canceled_ThrowsOperationCanceled()
    {
        _server.Enqueue(FakeTurn.Text("slow").WithChunkDelay(TimeSpan.FromSeconds(5)));
        IChatClient chat = CreateKeylessClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Exception? error = null;
        try
        {
            await chat.GetResponseAsync("Hi", cancellationToken: cts.Token);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        error.ShouldBeAssignableTo<OperationCanceledException>();
    }

    [Fact]
    public void GetService_Metadata_ReportsOllamaEndpointAndModel()
    {
        IChatClient chat = CreateKeylessClient();

        ChatClientMetadata metadata = chat.GetService<ChatClientMetadata>().ShouldNotBeNull();

        metadata.ProviderName.ShouldBe("ollama");
        metadata.ProviderUri.ShouldBe(_server.BaseUri);
        metadata.DefaultModelId.ShouldBe(Model);
    }

    /// <summary>A client built from an empty environment, so no OLLAMA_API_KEY of the machine leaks in.</summary>
    private IChatClient CreateKeylessClient() =>
        new ProviderRegistry(_ => null).Create($"ollama/{Model}", new ChatClientOptions { Endpoint = _server.BaseUri });

    private static void JsonShouldBe(JsonElement actual, string expected)
    {
        JsonNode? actualNode = JsonNode.Parse(actual.GetRawText());
        JsonNode? expectedNode = JsonNode.Parse(expected);
        JsonNode.DeepEquals(actualNode, expectedNode).ShouldBeTrue($"Expected {expectedNode?.ToJsonString()}\nbut was  {actualNode?.ToJsonString()}");
    }
}
