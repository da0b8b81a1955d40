using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Allos.IntegrationTests.Providers.Gemini;

public sealed class GeminiChatClientTests : IAsyncLifetime
{
    private const string Model = "gemini/gemini-2.5-flash";
    private const string SignatureKey = "gemini.thought_signature";

    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GetResponseAsync_PlainReply_SendsCamelCaseRequestWithKeyHeaderAndSystemInstruction()
    {
        _server.Enqueue(FakeTurn.Text("Hello there!").WithUsage(12, 3));
        IChatClient chat = _server.CreateClient(Model, apiKey: "AIza-test-123");

        ChatResponse response = await chat.GetResponseAsync(
            [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi")],
            new ChatOptions { Instructions = "You are Neko.", MaxOutputTokens = 64 });

        response.Text.ShouldBe("Hello there!");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.ModelId.ShouldBe("gemini-2.5-flash");
        response.ResponseId.ShouldNotBeNullOrEmpty();

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/v1beta/models/gemini-2.5-flash:generateContent");
        request.Query.ShouldBe("");
        request.Headers["x-goog-api-key"].ShouldBe("AIza-test-123");
        request.Headers.ContainsKey("Authorization").ShouldBeFalse();
        request.Json.GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString().ShouldBe("You are Neko.\n\nBe brief.");
        request.Json.GetProperty("generationConfig").GetProperty("maxOutputTokens").GetInt32().ShouldBe(64);
        request.Body.ShouldNotContain("system_instruction");
        request.Body.ShouldNotContain("max_output_tokens");
        request.Body.ShouldNotContain("null");
        AssertJson(request.Json.GetProperty("contents"), """[{"role":"user","parts":[{"text":"Hi"}]}]""");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Text_UsesSsePathAndStreamsDeltas()
    {
        _server.Enqueue(FakeTurn.Text("The quick brown fox").WithUsage(20, 4));
        IChatClient chat = _server.CreateClient(Model);

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("Say it").ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        updates.Count(u => u.Text.Length > 0).ShouldBe(4);
        updates.Count(u => u.FinishReason is not null).ShouldBe(1);
        updates.SelectMany(u => u.Contents).OfType<UsageContent>().ShouldHaveSingleItem();
        response.Text.ShouldBe("The quick brown fox");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(20);
        response.Usage.OutputTokenCount.ShouldBe(4);
        response.Usage.TotalTokenCount.ShouldBe(24);

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent");
        request.Query.ShouldBe("?alt=sse");
        request.Streaming.ShouldBeTrue();
    }

    [Fact]
    public async Task GetResponseAsync_ToolRoundTrip_SendsModelFunctionCallAndUserFunctionResponse()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("ignored", "get_weather", """{"city":"Paris","days":2}""")));
        _server.Enqueue(FakeTurn.Text("18 degrees."));
        IChatClient chat = _server.CreateClient(Model);
        var options = new ChatOptions { Tools = [Declaration("get_weather", """{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city"]}""")] };
        List<ChatMessage> history = [new(ChatRole.User, "Weather in Paris?")];

        ChatResponse first = await chat.GetResponseAsync(history, options);

        first.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        FunctionCallContent call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.Name.ShouldBe("get_weather");
        call.CallId.ShouldNotBeNullOrEmpty();
        call.Arguments.ShouldNotBeNull();
        call.Arguments["city"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("Paris");

        history.AddMessages(first);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, JsonDocument.Parse("""{"temperature":18}""").RootElement)]));
        ChatResponse second = await chat.GetResponseAsync(history, options);

        second.Text.ShouldBe("18 degrees.");
        AssertJson(_server.Requests[1].Json.GetProperty("contents"), """
            [
              {"role":"user","parts":[{"text":"Weather in Paris?"}]},
              {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris","days":2}}}]},
              {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"name":"get_weather","content":{"temperature":18}}}}]}
            ]
            """);
    }

    [Fact]
    public async Task GetResponseAsync_SeveralCallsInOneTurn_ReturnsDistinctIdsAndAnswersEachByName()
    {
        _server.Enqueue(FakeTurn.ToolCalls(
            new FakeToolCall("a", "get_weather", """{"city":"Paris"}"""),
            new FakeToolCall("b", "get_time", """{"zone":"CET"}""")));
        _server.Enqueue(FakeTurn.Text("Done."));
        IChatClient chat = _server.CreateClient(Model);
        List<ChatMessage> history = [new(ChatRole.User, "Weather and time?")];

        ChatResponse first = await chat.GetResponseAsync(history);

        FunctionCallContent[] calls = [.. first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
        calls.Select(c => c.Name).ShouldBe(["get_weather", "get_time"]);
        calls[0].CallId.ShouldNotBe(calls[1].CallId);
        first.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);

        history.AddMessages(first);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(calls[1].CallId, "12:00"), new FunctionResultContent(calls[0].CallId, "sunny")]));
        await chat.GetResponseAsync(history);

        JsonElement contents = _server.Requests[1].Json.GetProperty("contents");
        contents.GetArrayLength().ShouldBe(3);
        contents[1].GetProperty("parts").GetArrayLength().ShouldBe(2);
        AssertJson(contents[2], """
            {"role":"user","parts":[
              {"functionResponse":{"name":"get_time","response":{"name":"get_time","content":"12:00"}}},
              {"functionResponse":{"name":"get_weather","response":{"name":"get_weather","content":"sunny"}}}
            ]}
            """);
    }

    [Fact]
    public async Task GetResponseAsync_ResultWithoutMatchingCall_UsesCallIdAsName()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient(Model);

        await chat.GetResponseAsync([new(ChatRole.User, "Go"), new(ChatRole.Tool, [new FunctionResultContent("lookup", "found")])]);

        AssertJson(_server.Requests[0].Json.GetProperty("contents"), """
            [{"role":"user","parts":[{"text":"Go"},{"functionResponse":{"name":"lookup","response":{"name":"lookup","content":"found"}}}]}]
            """);
    }

    [Fact]
    public async Task GetResponseAsync_CallIdFromProvider_IsEchoedOnCallAndResponse()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", """
            {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"id":"fc-42","name":"lookup","args":{}}}]},"finishReason":"STOP","index":0}]}
            """));
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient(Model);
        List<ChatMessage> history = [new(ChatRole.User, "Look it up")];

        ChatResponse first = await chat.GetResponseAsync(history);
        FunctionCallContent call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.CallId.ShouldBe("fc-42");
        history.AddMessages(first);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("fc-42", "found")]));
        await chat.GetResponseAsync(history);

        JsonElement contents = _server.Requests[1].Json.GetProperty("contents");
        contents[1].GetProperty("parts")[0].GetProperty("functionCall").GetProperty("id").GetString().ShouldBe("fc-42");
        contents[2].GetProperty("parts")[0].GetProperty("functionResponse").GetProperty("id").GetString().ShouldBe("fc-42");
    }

    [Fact]
    public async Task GetResponseAsync_Images_SendsInlineDataAndFileData()
    {
        _server.Enqueue(FakeTurn.Text("Two cats."));
        IChatClient chat = _server.CreateClient(Model);
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3];

        await chat.GetResponseAsync(new ChatMessage(ChatRole.User,
        [
            new TextContent("What is in these?"),
            new DataContent(png, "image/png"),
            new UriContent(new Uri("https://generativelanguage.googleapis.com/v1beta/files/abc123"), "image/jpeg"),
        ]));

        AssertJson(_server.Requests[0].Json.GetProperty("contents"), $$$"""
            [{"role":"user","parts":[
              {"text":"What is in these?"},
              {"inlineData":{"mimeType":"image/png","data":"{{{Convert.ToBase64String(png)}}}"}},
              {"fileData":{"mimeType":"image/jpeg","fileUri":"https://generativelanguage.googleapis.com/v1beta/files/abc123"}}
            ]}]
            """);
    }

    [Fact]
    public async Task GetResponseAsync_ConsecutiveSameRoleMessages_AreMergedIntoOneTurn()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient(Model);

        await chat.GetResponseAsync(
        [
            new(ChatRole.User, "a"),
            new(ChatRole.User, "b"),
            new(ChatRole.System, "sys"),
            new(ChatRole.Assistant, "c"),
            new(ChatRole.Assistant, "d"),
            new(ChatRole.User, "e"),
        ]);

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        AssertJson(request.Json.GetProperty("contents"), """
            [
              {"role":"user","parts":[{"text":"a"},{"text":"b"}]},
              {"role":"model","parts":[{"text":"c"},{"text":"d"}]},
              {"role":"user","parts":[{"text":"e"}]}
            ]
            """);
        request.Json.GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString().ShouldBe("sys");
    }

    [Fact]
    public async Task GetResponseAsync_UsageWithThoughtsAndCache_MapsEveryCount()
    {
        _server.Enqueue(FakeTurn.Text("Hi").WithUsage(100, 50, cachedInputTokens: 40, reasoningTokens: 30));
        IChatClient chat = _server.CreateClient(Model);

        ChatResponse response = await chat.GetResponseAsync("Hi");

        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(100);
        response.Usage.CachedInputTokenCount.ShouldBe(40);
        response.Usage.OutputTokenCount.ShouldBe(50);
        response.Usage.ReasoningTokenCount.ShouldBe(30);
        response.Usage.TotalTokenCount.ShouldBe(150);
    }

    [Fact]
    public async Task GetResponseAsync_RecordedToolCallWithThoughts_CountsThoughtsAsOutput()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", GeminiCaptures.ToolCallBody));
        IChatClient chat = _server.CreateClient(Model);

        ChatResponse response = await chat.GetResponseAsync("Weather in SF?");

        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        response.ModelId.ShouldBe("gemini-3-pro-preview");
        response.ResponseId.ShouldBe("m36LaZGyCLz1xs0PtNSB-QU");
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(29);
        response.Usage.OutputTokenCount.ShouldBe(15 + 893);
        response.Usage.ReasoningTokenCount.ShouldBe(893);
        response.Usage.TotalTokenCount.ShouldBe(937);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_FinishReasons_MapStopToolCallsLengthAndSafety(bool streaming)
    {
        _server.Enqueue(
            FakeTurn.Text("done"),
            FakeTurn.ToolCalls(new FakeToolCall("x", "lookup", "{}")),
            FakeTurn.Text("cut").WithFinishReason(FakeFinishReason.Length),
            FakeTurn.Text("bad").WithFinishReason(FakeFinishReason.ContentFilter));
        IChatClient chat = _server.CreateClient(Model);

        ChatFinishReason?[] reasons = new ChatFinishReason?[4];
        for (int i = 0; i < reasons.Length; i++)
        {
            reasons[i] = streaming
                ? (await chat.GetStreamingResponseAsync("go").ToListAsync()).ToChatResponse().FinishReason
                : (await chat.GetResponseAsync("go")).FinishReason;
        }

        reasons.ShouldBe(new ChatFinishReason?[] { ChatFinishReason.Stop, ChatFinishReason.ToolCalls, ChatFinishReason.Length, ChatFinishReason.ContentFilter });
    }

    [Fact]
    public async Task GetResponseAsync_UnknownFinishReason_IsKeptVerbatim()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", """{"candidates":[{"content":{"role":"model","parts":[]},"finishReason":"MALFORMED_FUNCTION_CALL","index":0}]}"""));
        IChatClient chat = _server.CreateClient(Model);

        ChatResponse response = await chat.GetResponseAsync("go");

        response.FinishReason.ShouldBe(new ChatFinishReason("MALFORMED_FUNCTION_CALL"));
    }

    [Fact]
    public async Task GetResponseAsync_PromptBlocked_ReturnsEmptyContentFilteredResponseWithBlockReason()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", BlockedBody));
        IChatClient chat = _server.CreateClient(Model);

        ChatResponse response = await chat.GetResponseAsync("something bad");

        response.Text.ShouldBeEmpty();
        response.FinishReason.ShouldBe(ChatFinishReason.ContentFilter);
        response.AdditionalProperties.ShouldNotBeNull();
        response.AdditionalProperties["gemini.block_reason"].ShouldBe("PROHIBITED_CONTENT");
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(7);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_PromptBlocked_CompletesWithContentFilter()
    {
        _server.Enqueue(FakeTurn.Raw("text/event-stream", Sse(BlockedBody)));
        IChatClient chat = _server.CreateClient(Model);

        ChatResponse response = (await chat.GetStreamingResponseAsync("something bad").ToListAsync()).ToChatResponse();

        response.Text.ShouldBeEmpty();
        response.FinishReason.ShouldBe(ChatFinishReason.ContentFilter);
        response.AdditionalProperties.ShouldNotBeNull();
        response.AdditionalProperties["gemini.block_reason"].ShouldBe("PROHIBITED_CONTENT");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_BadKeyWith400_ThrowsAuthentication(bool streaming)
    {
        _server.Enqueue(FakeTurn.Error(400, GeminiCaptures.BadKeyBody));
        IChatClient chat = _server.CreateClient(Model);

        ProviderAuthenticationException ex = await Should.ThrowAsync<ProviderAuthenticationException>(() => CallAsync(chat, streaming));

        ex.StatusCode.ShouldBe(400);
        ex.ErrorCode.ShouldBe("API_KEY_INVALID");
        ex.Message.ShouldContain("API key not valid");
    }

    [Fact]
    public async Task GetResponseAsync_RateLimitedWithRetryInfo_ThrowsRateLimitWithRetryAfter()
    {
        _server.Enqueue(FakeTurn.Error(429, GeminiCaptures.RetryInfoBody));
        IChatClient chat = _server.CreateClient(Model);

        RateLimitException ex = await Should.ThrowAsync<RateLimitException>(() => chat.GetResponseAsync("Hi"));

        ex.RetryAfter.ShouldNotBeNull();
        ex.RetryAfter.Value.TotalSeconds.ShouldBe(34.4, tolerance: 0.001);
        ex.StatusCode.ShouldBe(429);
        ex.ErrorCode.ShouldBe("RESOURCE_EXHAUSTED");
    }

    [Fact]
    public async Task GetResponseAsync_ContextTooLong_ThrowsContextWindowExceeded()
    {
        _server.Enqueue(FakeTurn.Error(400, GeminiCaptures.ContextTooLongBody));
        IChatClient chat = _server.CreateClient(Model);

        ContextWindowExceededException ex = await Should.ThrowAsync<ContextWindowExceededException>(() => chat.GetResponseAsync("Hi"));

        ex.Message.ShouldContain("132478");
    }

    [Fact]
    public async Task GetResponseAsync_Overloaded503_ThrowsOverloaded()
    {
        _server.Enqueue(FakeTurn.Error(503, GeminiCaptures.OverloadedBody));
        IChatClient chat = _server.CreateClient(Model);

        ProviderOverloadedException ex = await Should.ThrowAsync<ProviderOverloadedException>(() => chat.GetResponseAsync("Hi"));

        ex.IsTransient.ShouldBeTrue();
        ex.StatusCode.ShouldBe(503);
    }

    [Theory]
    [InlineData(400, typeof(InvalidRequestException))]
    [InlineData(401, typeof(ProviderAuthenticationException))]
    [InlineData(403, typeof(ProviderPermissionException))]
    [InlineData(404, typeof(ProviderNotFoundException))]
    [InlineData(429, typeof(RateLimitException))]
    [InlineData(500, typeof(ProviderServerException))]
    [InlineData(503, typeof(ProviderOverloadedException))]
    [InlineData(504, typeof(ProviderTimeoutException))]
    public async Task GetResponseAsync_StatusErrors_MapToExceptionTypes(int status, Type expected)
    {
        _server.Enqueue(FakeTurn.ProviderError(status, "scripted failure"));
        IChatClient chat = _server.CreateClient(Model);

        ProviderException ex = await Should.ThrowAsync<ProviderException>(() => chat.GetResponseAsync("Hi"));

        ex.GetType().ShouldBe(expected);
        ex.StatusCode.ShouldBe(status);
        ex.Message.ShouldContain("scripted failure");
    }

    [Theory]
    [InlineData(null, typeof(ProviderServerException))]
    [InlineData("UNAVAILABLE", typeof(ProviderOverloadedException))]
    [InlineData("RESOURCE_EXHAUSTED", typeof(RateLimitException))]
    public async Task GetStreamingResponseAsync_ErrorMidStream_ThrowsAfterPartialText(string? status, Type expected)
    {
        _server.Enqueue(FakeTurn.Text("partial answer").WithStreamError("stream broke", status));
        IChatClient chat = _server.CreateClient(Model);
        var received = new List<ChatResponseUpdate>();

        ProviderException ex = await Should.ThrowAsync<ProviderException>(async () =>
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("Hi"))
            {
                received.Add(update);
            }
        });

        ex.GetType().ShouldBe(expected);
        ex.Message.ShouldContain("stream broke");
        string.Concat(received.Select(u => u.Text)).ShouldBe("partial answer");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_EndsWithoutFinishReason_ThrowsConnection()
    {
        _server.Enqueue(FakeTurn.Text("one two three").TruncateAfter(2));
        IChatClient chat = _server.CreateClient(Model);

        ProviderConnectionException ex = await Should.ThrowAsync<ProviderConnectionException>(
            async () => await chat.GetStreamingResponseAsync("Hi").ToListAsync());

        ex.Message.ShouldContain("finishReason");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConnectionDropped_ThrowsConnection()
    {
        _server.Enqueue(FakeTurn.Text("one two three four").DropConnectionAfter(1));
        IChatClient chat = _server.CreateClient(Model);

        await Should.ThrowAsync<ProviderConnectionException>(async () => await chat.GetStreamingResponseAsync("Hi").ToListAsync());
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Cancelled_ThrowsOperationCanceledNotProviderError()
    {
        _server.Enqueue(FakeTurn.Text("one two three four").WithChunkDelay(TimeSpan.FromMilliseconds(300)));
        IChatClient chat = _server.CreateClient(Model);
        using var cts = new CancellationTokenSource();
        int received = 0;

        Exception ex = await Should.ThrowAsync<OperationCanceledException>(async () =>
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("Hi", cancellationToken: cts.Token))
            {
                received++;
                await cts.CancelAsync();
            }
        });

        ex.ShouldNotBeAssignableTo<AllosException>();
        received.ShouldBe(1);
    }

    [Fact]
    public async Task GetResponseAsync_Cancelled_ThrowsOperationCanceled()
    {
        _server.Enqueue(FakeTurn.Text("slow").WithChunkDelay(TimeSpan.FromSeconds(5)));
        IChatClient chat = _server.CreateClient(Model);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Should.ThrowAsync<OperationCanceledException>(() => chat.GetResponseAsync("Hi", cancellationToken: cts.Token));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_RecordedToolCall_KeepsThoughtSignatureAndEchoesItNextTurn()
    {
        string signature = JsonDocument.Parse(GeminiCaptures.ToolCallChunk1).RootElement
            .GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("thoughtSignature").GetString()!;
        _server.Enqueue(FakeTurn.Raw("text/event-stream", Sse(GeminiCaptures.ToolCallChunk1), Sse(GeminiCaptures.ToolCallChunk2)));
        _server.Enqueue(FakeTurn.Text("It is sunny."));
        IChatClient chat = _server.CreateClient("gemini/gemini-3-pro-preview");
        List<ChatMessage> history = [new(ChatRole.User, "Weather in San Francisco?")];

        ChatResponse first = (await chat.GetStreamingResponseAsync(history).ToListAsync()).ToChatResponse();

        first.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        first.Usage.ShouldNotBeNull();
        first.Usage.OutputTokenCount.ShouldBe(15 + 45);
        first.Usage.ReasoningTokenCount.ShouldBe(45);
        first.Usage.TotalTokenCount.ShouldBe(89);
        FunctionCallContent call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.Name.ShouldBe("weather");
        call.AdditionalProperties.ShouldNotBeNull();
        call.AdditionalProperties[SignatureKey].ShouldBe(signature);

        history.AddMessages(first);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "sunny")]));
        await chat.GetResponseAsync(history);

        JsonElement contents = _server.Requests[1].Json.GetProperty("contents");
        contents.GetArrayLength().ShouldBe(3);
        AssertJson(contents[1], $$$"""
            {"role":"model","parts":[{"functionCall":{"name":"weather","args":{"location":"San Francisco"}},"thoughtSignature":"{{{signature}}}"}]}
            """);
        AssertJson(contents[2], """
            {"role":"user","parts":[{"functionResponse":{"name":"weather","response":{"name":"weather","content":"sunny"}}}]}
            """);
    }

    [Fact]
    public async Task GetResponseAsync_RecordedToolCall_KeepsThoughtSignatureThroughJsonRoundTripOfHistory()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", GeminiCaptures.ToolCallBody));
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient("gemini/gemini-3-pro-preview");
        List<ChatMessage> history = [new(ChatRole.User, "Weather in San Francisco?")];

        ChatResponse first = await chat.GetResponseAsync(history);
        history.AddMessages(first);
        FunctionCallContent call = history[^1].Contents.OfType<FunctionCallContent>().ShouldHaveSingleItem();
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "sunny")]));

        // A stored session comes back with JsonElement values in AdditionalProperties.
        JsonTypeInfo messageType = AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage));
        List<ChatMessage> restored = [.. history.Select(m => (ChatMessage)JsonSerializer.Deserialize(JsonSerializer.Serialize(m, messageType), messageType)!)];
        restored[1].Contents.OfType<FunctionCallContent>().Single().AdditionalProperties!["gemini.thought_signature"].ShouldBeOfType<JsonElement>();
        await chat.GetResponseAsync(restored);

        JsonElement part = _server.Requests[1].Json.GetProperty("contents")[1].GetProperty("parts")[0];
        part.GetProperty("thoughtSignature").GetString().ShouldBe("EskgCsYgAb4+9vtF7/499YQS2bjZs3xcQI+iAl+ILn29nK1j0Kg6su7QsUUUk3nrAAfnS2w5WiVvlcCqu9fAebJ2cvfaEyBahEt5");
        part.GetProperty("functionCall").GetProperty("name").GetString().ShouldBe("weather");
    }

    [Fact]
    public async Task GetResponseAsync_TextPartWithSignature_EchoesSignatureOnTheTextPart()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", """
            {"candidates":[{"content":{"role":"model","parts":[{"text":"Hello","thoughtSignature":"c2lnLXRleHQ="}]},"finishReason":"STOP","index":0}]}
            """));
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient(Model);
        List<ChatMessage> history = [new(ChatRole.User, "Hi")];

        ChatResponse first = await chat.GetResponseAsync(history);
        first.Text.ShouldBe("Hello");
        first.Messages[0].Contents.OfType<TextReasoningContent>().ShouldBeEmpty();
        history.AddMessages(first);
        history.Add(new ChatMessage(ChatRole.User, "And?"));
        await chat.GetResponseAsync(history);

        AssertJson(_server.Requests[1].Json.GetProperty("contents")[1], """{"role":"model","parts":[{"text":"Hello","thoughtSignature":"c2lnLXRleHQ="}]}""");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_SignaturesOnLaterTextDeltaAndEmptyFinalPart_SurviveCoalescing()
    {
        _server.Enqueue(FakeTurn.Raw("text/event-stream",
            Sse("""{"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]},"index":0}]}"""),
            Sse("""{"candidates":[{"content":{"role":"model","parts":[{"text":"lo","thoughtSignature":"c2lnLTE="}]},"index":0}]}"""),
            Sse("""{"candidates":[{"content":{"role":"model","parts":[{"text":"","thoughtSignature":"c2lnLTI="}]},"finishReason":"STOP","index":0}]}""")));
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient(Model);
        List<ChatMessage> history = [new(ChatRole.User, "Hi")];

        ChatResponse first = (await chat.GetStreamingResponseAsync(history).ToListAsync()).ToChatResponse();
        first.Text.ShouldBe("Hello");
        history.AddMessages(first);
        history.Add(new ChatMessage(ChatRole.User, "And?"));
        await chat.GetResponseAsync(history);

        AssertJson(_server.Requests[1].Json.GetProperty("contents")[1], """
            {"role":"model","parts":[{"text":"Hello"},{"text":"","thoughtSignature":"c2lnLTE="},{"text":"","thoughtSignature":"c2lnLTI="}]}
            """);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_RecordedThoughtPart_BecomesReasoningNotText()
    {
        string thought = JsonDocument.Parse(GeminiCaptures.ThoughtChunk).RootElement
            .GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString()!;
        _server.Enqueue(FakeTurn.Raw("text/event-stream",
            Sse(GeminiCaptures.ThoughtChunk),
            Sse("""{"candidates":[{"content":{"role":"model","parts":[{"text":"Reading the theme now."}]},"finishReason":"STOP","index":0}]}""")));
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient("gemini/gemini-3-flash-preview");
        List<ChatMessage> history = [new(ChatRole.User, "Do it")];

        ChatResponse first = (await chat.GetStreamingResponseAsync(history).ToListAsync()).ToChatResponse();

        first.Text.ShouldBe("Reading the theme now.");
        first.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ShouldHaveSingleItem().Text.ShouldBe(thought);
        first.ModelId.ShouldBe("gemini-3-flash-preview");
        first.ResponseId.ShouldBe("_vr4aYiWEJnYodAPkujX0QM");

        history.AddMessages(first);
        history.Add(new ChatMessage(ChatRole.User, "Next"));
        await chat.GetResponseAsync(history);
        JsonElement modelParts = _server.Requests[1].Json.GetProperty("contents")[1].GetProperty("parts");
        modelParts[0].GetProperty("thought").GetBoolean().ShouldBeTrue();
        modelParts[0].GetProperty("text").GetString().ShouldBe(thought);
        modelParts[1].GetProperty("text").GetString().ShouldBe("Reading the theme now.");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ScriptedReasoningWithSignature_ReturnsReasoningWithProtectedData(bool streaming)
    {
        _server.Enqueue(FakeTurn.Empty().WithReasoning("Let me think about it.", signature: "dGhvdWdodA==").WithText("Answer."));
        IChatClient chat = _server.CreateClient(Model);

        ChatResponse response = streaming
            ? (await chat.GetStreamingResponseAsync("Q").ToListAsync()).ToChatResponse()
            : await chat.GetResponseAsync("Q");

        response.Text.ShouldBe("Answer.");
        TextReasoningContent reasoning = response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ShouldHaveSingleItem();
        reasoning.Text.ShouldBe("Let me think about it.");
        reasoning.ProtectedData.ShouldBe("dGhvdWdodA==");
    }

    [Fact]
    public async Task GetResponseAsync_ReasoningFromAnotherProvider_IsNotSentAsThought()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient(Model);

        await chat.GetResponseAsync(
        [
            new(ChatRole.User, "Q"),
            new(ChatRole.Assistant, [new TextReasoningContent("claude thinking") { ProtectedData = "anthropic-signature" }, new TextContent("A")]),
            new(ChatRole.User, "Q2"),
        ]);

        AssertJson(_server.Requests[0].Json.GetProperty("contents")[1], """{"role":"model","parts":[{"text":"A"}]}""");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CookbookCaptureWithCrlf_ReturnsFullText()
    {
        _server.Enqueue(FakeTurn.Raw("text/event-stream", [.. GeminiCaptures.CookbookChunks.Select(c => "data: " + c + "\r\n\r\n")]));
        IChatClient chat = _server.CreateClient("gemini/gemini-pro");

        ChatResponse response = (await chat.GetStreamingResponseAsync("Write a story").ToListAsync()).ToChatResponse();

        response.Text.ShouldBe(CookbookText());
        response.Text.ShouldEndWith("stronger than ever.");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_OldModelFinishReasonOnEveryChunk_ReadsToEof()
    {
        // As captured: a CRLF after the first event only, LF after the others.
        string[] chunks = [.. GeminiCaptures.CookbookChunks.Select((c, i) => "data: " + c + (i == 0 ? "\r\n\r\n" : "\n\n"))];
        _server.Enqueue(FakeTurn.Raw("text/event-stream", chunks));
        IChatClient chat = _server.CreateClient("gemini/gemini-pro");

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("Write a story").ToListAsync();

        updates.Count(u => u.Text.Length > 0).ShouldBe(GeminiCaptures.CookbookChunks.Length);
        updates.Count(u => u.FinishReason is not null).ShouldBe(1);
        updates[^1].FinishReason.ShouldBe(ChatFinishReason.Stop);
        updates.ToChatResponse().Text.ShouldBe(CookbookText());
    }

    [Fact]
    public async Task GetResponseAsync_ToolSchemaWithMcpExtras_IsSentClean()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient(Model);
        AIFunctionDeclaration search = Declaration("search", """
            {
              "$schema": "http://json-schema.org/draft-07/schema#",
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "query": { "type": "string", "description": "What to find", "examples": ["cats"] },
                "filter": { "$ref": "#/definitions/Filter" }
              },
              "required": ["query"],
              "definitions": {
                "Filter": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": { "since": { "type": ["string", "null"], "format": "date-time" } }
                }
              }
            }
            """);

        await chat.GetResponseAsync("Find cats", new ChatOptions { Tools = [search, Declaration("ping", """{"type":"object","properties":{}}""")] });

        JsonElement tools = _server.Requests[0].Json.GetProperty("tools");
        tools.GetArrayLength().ShouldBe(1);
        JsonElement declarations = tools[0].GetProperty("functionDeclarations");
        AssertJson(declarations[0], """
            {
              "name": "search",
              "description": "search tool",
              "parameters": {
                "type": "object",
                "properties": {
                  "query": { "type": "string", "description": "What to find" },
                  "filter": { "type": "object", "properties": { "since": { "type": "string", "nullable": true, "format": "date-time" } } }
                },
                "required": ["query"]
              }
            }
            """);
        AssertJson(declarations[1], """{"name":"ping","description":"ping tool"}""");
        _server.Requests[0].Json.TryGetProperty("toolConfig", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task GetResponseAsync_Options_MapToGenerationConfigAndTopLevelFields()
    {
        _server.Enqueue(FakeTurn.Text("{}"));
        IChatClient chat = _server.CreateClient(Model);
        JsonElement schema = JsonDocument.Parse("""{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"n":{"type":"integer"}},"additionalProperties":false}""").RootElement;

        await chat.GetResponseAsync("Go", new ChatOptions
        {
            Temperature = 0.5f,
            TopP = 0.25f,
            TopK = 40,
            MaxOutputTokens = 256,
            StopSequences = ["END"],
            Seed = 7,
            FrequencyPenalty = 0.5f,
            PresencePenalty = 0.75f,
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "answer"),
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Medium },
            AdditionalProperties = new() { ["cachedContent"] = "cachedContents/abc" },
        });

        JsonElement body = _server.Requests[0].Json;
        AssertJson(body.GetProperty("generationConfig"), """
            {
              "temperature": 0.5, "topP": 0.25, "topK": 40, "maxOutputTokens": 256, "stopSequences": ["END"], "seed": 7,
              "frequencyPenalty": 0.5, "presencePenalty": 0.75,
              "responseMimeType": "application/json",
              "responseSchema": {"type":"object","properties":{"n":{"type":"integer"}}},
              "thinkingConfig": {"includeThoughts": true, "thinkingBudget": 8192}
            }
            """);
        body.GetProperty("cachedContent").GetString().ShouldBe("cachedContents/abc");
    }

    [Theory]
    [InlineData(ReasoningEffort.None, ReasoningOutput.None, 0, false)]
    [InlineData(ReasoningEffort.Low, ReasoningOutput.Summary, 1024, true)]
    [InlineData(ReasoningEffort.High, ReasoningOutput.Full, 24576, true)]
    [InlineData(ReasoningEffort.ExtraHigh, ReasoningOutput.Full, 32768, true)]
    public async Task GetResponseAsync_ReasoningOptions_MapToThinkingConfig(ReasoningEffort effort, ReasoningOutput output, int budget, bool includeThoughts)
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient(Model);

        await chat.GetResponseAsync("Go", new ChatOptions { Reasoning = new ReasoningOptions { Effort = effort, Output = output } });

        JsonElement thinking = _server.Requests[0].Json.GetProperty("generationConfig").GetProperty("thinkingConfig");
        thinking.GetProperty("thinkingBudget").GetInt32().ShouldBe(budget);
        thinking.GetProperty("includeThoughts").GetBoolean().ShouldBe(includeThoughts);
    }

    [Theory]
    [InlineData("auto", """{"mode":"AUTO"}""")]
    [InlineData("any", """{"mode":"ANY"}""")]
    [InlineData("named", """{"mode":"ANY","allowedFunctionNames":["lookup"]}""")]
    [InlineData("none", """{"mode":"NONE"}""")]
    public async Task GetResponseAsync_ToolModes_MapToFunctionCallingConfig(string mode, string expected)
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        IChatClient chat = _server.CreateClient(Model);
        ChatToolMode toolMode = mode switch
        {
            "auto" => ChatToolMode.Auto,
            "any" => ChatToolMode.RequireAny,
            "named" => ChatToolMode.RequireSpecific("lookup"),
            _ => ChatToolMode.None,
        };

        await chat.GetResponseAsync("Go", new ChatOptions { Tools = [Declaration("lookup", """{"type":"object","properties":{"q":{"type":"string"}}}""")], ToolMode = toolMode });

        AssertJson(_server.Requests[0].Json.GetProperty("toolConfig").GetProperty("functionCallingConfig"), expected);
    }

    [Fact]
    public async Task GetResponseAsync_UnsupportedRequests_ThrowFeatureNotSupportedWithoutCalling()
    {
        IChatClient chat = _server.CreateClient(Model);

        await Should.ThrowAsync<FeatureNotSupportedException>(() => chat.GetResponseAsync(new ChatMessage(ChatRole.User, [new HostedFileContent("file-1")])));
        await Should.ThrowAsync<FeatureNotSupportedException>(() => chat.GetResponseAsync("Hi", new ChatOptions { AllowMultipleToolCalls = false }));

        _server.Requests.ShouldBeEmpty();
    }

    private const string BlockedBody = """
        {"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7},"modelVersion":"gemini-2.5-flash","responseId":"blocked-1"}
        """;

    private static string Sse(string payload) => "data: " + payload + "\n\n";

    private static Task CallAsync(IChatClient chat, bool streaming) =>
        streaming ? chat.GetStreamingResponseAsync("Hi").ToListAsync().AsTask() : (Task)chat.GetResponseAsync("Hi");

    private static AIFunctionDeclaration Declaration(string name, string schema) =>
        AIFunctionFactory.CreateDeclaration(name, name + " tool", JsonDocument.Parse(schema).RootElement);

    private static string CookbookText() => string.Concat(GeminiCaptures.CookbookChunks.Select(c =>
        JsonDocument.Parse(c).RootElement.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString()));

    private static void AssertJson(JsonElement actual, string expected)
    {
        JsonNode? actualNode = JsonNode.Parse(actual.GetRawText());
        JsonNode? expectedNode = JsonNode.Parse(expected);
        JsonNode.DeepEquals(actualNode, expectedNode).ShouldBeTrue($"expected {expectedNode?.ToJsonString()}\n but was {actualNode?.ToJsonString()}");
    }
}
