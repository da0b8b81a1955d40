using System.Text.Json;
using Allos.Context;
using Allos.Providers;

namespace Allos.IntegrationTests.Providers.Vertex;

/// <summary>Gemini and Claude on Vertex AI against the fake server: URLs, Bearer token, bodies, streams, tools, usage and errors.</summary>
public sealed class VertexChatClientTests : IAsyncLifetime
{
    private const string GeminiRoot = "/v1/projects/fake-project/locations/us-central1/publishers/google/models/";
    private const string ClaudeRoot = "/v1/projects/fake-project/locations/us-central1/publishers/anthropic/models/";

    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Gemini_CountTokens_PostsVertexsTopLevelBody_AndClaudeOnVertexOffersNoCount()
    {
        _server.Enqueue(FakeTurn.TokenCount(42));
        IChatClient gemini = _server.CreateClient("vertex/gemini-2.5-flash");
        IChatClient claude = _server.CreateClient("vertex/claude-sonnet-4@20250514");

        InputTokenCount count = await gemini.CountInputTokensAsync([new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi")]);

        count.Tokens.ShouldBe(42);
        count.Method.ShouldBe(TokenCountMethod.Exact);
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe(GeminiRoot + "gemini-2.5-flash:countTokens");
        request.Json.TryGetProperty("generateContentRequest", out _).ShouldBeFalse("Vertex takes the fields at the top level");
        request.Json.GetProperty("contents")[0].GetProperty("parts")[0].GetProperty("text").GetString().ShouldBe("Hi");
        request.Json.GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString().ShouldBe("Be brief.");

        // Claude's model URL would answer (and bill) a message: it offers no exact count, so the estimate stands.
        claude.GetService(typeof(IInputTokenCounter)).ShouldBeNull();
        (await claude.CountInputTokensAsync([new(ChatRole.User, "Hi")])).Method.ShouldNotBe(TokenCountMethod.Exact);
        _server.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Gemini_GetResponseAsync_PlainReply_PostsToThePublisherUrlWithTheBearerToken()
    {
        _server.Enqueue(FakeTurn.Text("Hello from Vertex.").WithUsage(11, 4));
        IChatClient chat = _server.CreateClient("vertex/gemini-2.5-flash", apiKey: "ya29.test-token");

        ChatResponse response = await chat.GetResponseAsync([new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi")]);

        response.Text.ShouldBe("Hello from Vertex.");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.Usage!.InputTokenCount.ShouldBe(11);
        response.Usage.OutputTokenCount.ShouldBe(4);
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe(GeminiRoot + "gemini-2.5-flash:generateContent");
        request.Format.ShouldBe(FakeWireFormat.Gemini);
        request.Headers["Authorization"].ShouldBe("Bearer ya29.test-token");
        request.Headers.ContainsKey("x-goog-api-key").ShouldBeFalse();
        request.Json.GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString().ShouldBe("Be brief.");
        JsonElement content = request.Json.GetProperty("contents").EnumerateArray().ShouldHaveSingleItem();
        content.GetProperty("role").GetString().ShouldBe("user");
        content.GetProperty("parts")[0].GetProperty("text").GetString().ShouldBe("Hi");
    }

    [Fact]
    public async Task Gemini_GetStreamingResponseAsync_Text_StreamsFromStreamGenerateContentWithAltSse()
    {
        _server.Enqueue(FakeTurn.Text("The quick brown fox").WithUsage(20, 4));
        IChatClient chat = _server.CreateClient("vertex/gemini-2.5-pro");

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("Say it").ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        updates.Count(u => u.Text.Length > 0).ShouldBe(4);
        response.Text.ShouldBe("The quick brown fox");
        response.Usage!.InputTokenCount.ShouldBe(20);
        response.Usage.OutputTokenCount.ShouldBe(4);
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe(GeminiRoot + "gemini-2.5-pro:streamGenerateContent");
        request.Query.ShouldBe("?alt=sse");
        request.Streaming.ShouldBeTrue();
    }

    [Fact]
    public async Task Gemini_GetResponseAsync_ToolRoundTrip_SendsTheDeclarationAndTheResult()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("c1", "get_weather", """{"location":"Paris"}""")), FakeTurn.Text("Sunny in Paris."));
        IChatClient chat = _server.CreateClient("vertex/gemini-2.5-flash");
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string location) => "sunny", "get_weather", "Get the weather")] };
        List<ChatMessage> history = [new(ChatRole.User, "Weather in Paris?")];

        ChatResponse first = await chat.GetResponseAsync(history, options);
        FunctionCallContent call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "sunny")]));
        ChatResponse second = await chat.GetResponseAsync(history, options);

        call.Name.ShouldBe("get_weather");
        call.Arguments!["location"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("Paris");
        second.Text.ShouldBe("Sunny in Paris.");
        _server.Requests[0].Json.GetProperty("tools")[0].GetProperty("functionDeclarations")[0].GetProperty("name").GetString().ShouldBe("get_weather");
        JsonElement contents = _server.Requests[1].Json.GetProperty("contents");
        contents[1].GetProperty("parts")[0].GetProperty("functionCall").GetProperty("name").GetString().ShouldBe("get_weather");
        contents[2].GetProperty("parts")[0].GetProperty("functionResponse").GetProperty("name").GetString().ShouldBe("get_weather");
    }

    [Fact]
    public async Task Claude_GetResponseAsync_PlainReply_PostsRawPredictWithTheVersionInTheBodyAndNoModel()
    {
        _server.Enqueue(FakeTurn.Text("Hello from Claude.").WithUsage(15, 5, cachedInputTokens: 3));
        IChatClient chat = _server.CreateClient("vertex/claude-sonnet-4@20250514", apiKey: "ya29.claude-token");

        ChatResponse response = await chat.GetResponseAsync([new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi")]);

        response.Text.ShouldBe("Hello from Claude.");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.ModelId.ShouldBe("claude-sonnet-4@20250514");
        response.Usage!.InputTokenCount.ShouldBe(15);
        response.Usage.CachedInputTokenCount.ShouldBe(3);
        response.Usage.OutputTokenCount.ShouldBe(5);
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe(ClaudeRoot + "claude-sonnet-4@20250514:rawPredict");
        request.Format.ShouldBe(FakeWireFormat.Anthropic);
        request.Headers["Authorization"].ShouldBe("Bearer ya29.claude-token");
        request.Headers.ContainsKey("x-api-key").ShouldBeFalse();
        request.Headers.ContainsKey("anthropic-version").ShouldBeFalse();
        request.Json.GetProperty("anthropic_version").GetString().ShouldBe("vertex-2023-10-16");
        request.Json.TryGetProperty("model", out _).ShouldBeFalse();
        request.Json.TryGetProperty("stream", out _).ShouldBeFalse();
        request.Json.GetProperty("max_tokens").GetInt32().ShouldBeGreaterThan(0);
        request.Json.GetProperty("system").GetString().ShouldBe("Be brief.");
        request.Json.GetProperty("messages")[0].GetProperty("role").GetString().ShouldBe("user");
    }

    [Fact]
    public async Task Claude_GetStreamingResponseAsync_Text_StreamsFromStreamRawPredict()
    {
        _server.Enqueue(FakeTurn.Text("one two three").WithUsage(9, 3));
        IChatClient chat = _server.CreateClient("vertex/claude-3-5-haiku@20241022");

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("count").ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        response.Text.ShouldBe("one two three");
        response.Usage!.InputTokenCount.ShouldBe(9);
        response.Usage.OutputTokenCount.ShouldBe(3);
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe(ClaudeRoot + "claude-3-5-haiku@20241022:streamRawPredict");
        request.Streaming.ShouldBeTrue();
        request.Json.GetProperty("stream").GetBoolean().ShouldBeTrue();
        request.Json.GetProperty("anthropic_version").GetString().ShouldBe("vertex-2023-10-16");
        request.Json.TryGetProperty("model", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Claude_GetResponseAsync_ToolRoundTrip_SendsToolUseAndToolResult()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("toolu_1", "get_weather", """{"location":"Oslo"}""")).WithUsage(40, 12), FakeTurn.Text("Cold in Oslo."));
        IChatClient chat = _server.CreateClient("vertex/claude-opus-4-1@20250805");
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string location) => "cold", "get_weather", "Get the weather")] };
        List<ChatMessage> history = [new(ChatRole.User, "Weather in Oslo?")];

        ChatResponse first = await chat.GetResponseAsync(history, options);
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("toolu_1", "cold")]));
        ChatResponse second = await chat.GetResponseAsync(history, options);

        first.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        FunctionCallContent call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.CallId.ShouldBe("toolu_1");
        call.Arguments!["location"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("Oslo");
        second.Text.ShouldBe("Cold in Oslo.");
        _server.Requests[0].Json.GetProperty("tools")[0].GetProperty("name").GetString().ShouldBe("get_weather");
        JsonElement messages = _server.Requests[1].Json.GetProperty("messages");
        messages[1].GetProperty("content")[0].GetProperty("type").GetString().ShouldBe("tool_use");
        JsonElement result = messages[2].GetProperty("content")[0];
        result.GetProperty("type").GetString().ShouldBe("tool_result");
        result.GetProperty("tool_use_id").GetString().ShouldBe("toolu_1");
        _server.Requests[1].Path.ShouldBe(ClaudeRoot + "claude-opus-4-1@20250805:rawPredict");
    }

    [Fact]
    public async Task Claude_Thinking_ReturnsReasoningWholeAndStreamedAndSendsTheBudget()
    {
        _server.Enqueue(FakeTurn.Text("42.").WithReasoning("Six times seven.", "sig-1"), FakeTurn.Text("42.").WithReasoning("Six times seven.", "sig-1"));
        IChatClient chat = _server.CreateClient("vertex/claude-sonnet-4@20250514");
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
        thinking.GetProperty("budget_tokens").GetInt32().ShouldBeGreaterThan(0);
        _server.Requests[1].Path.ShouldEndWith(":streamRawPredict");
    }

    [Fact]
    public async Task GetResponseAsync_PerCallModelId_GoesToThatModelsUrl()
    {
        _server.Enqueue(FakeTurn.Text("a"), FakeTurn.Text("b"));
        IChatClient claude = _server.CreateClient("vertex/claude-sonnet-4@20250514");
        IChatClient gemini = _server.CreateClient("vertex/gemini-2.5-flash");

        await claude.GetResponseAsync("x", new ChatOptions { ModelId = "claude-opus-4-1@20250805" });
        await gemini.GetResponseAsync("x", new ChatOptions { ModelId = "gemini-2.5-pro" });

        _server.Requests[0].Path.ShouldBe(ClaudeRoot + "claude-opus-4-1@20250805:rawPredict");
        _server.Requests[1].Path.ShouldBe(GeminiRoot + "gemini-2.5-pro:generateContent");
    }

    [Fact]
    public async Task Create_LocationAndProjectFromTheEnvironment_BuildTheUrl()
    {
        _server.Enqueue(FakeTurn.Text("ok"), FakeTurn.Text("ok"));
        var environment = new Dictionary<string, string>
        {
            ["VERTEX_ACCESS_TOKEN"] = "ya29.env-token",
            ["VERTEX_PROJECT"] = "my-proj",
            ["VERTEX_LOCATION"] = "europe-west4",
            ["VERTEX_BASE_URL"] = _server.BaseUri.AbsoluteUri,
        };
        var registry = new ProviderRegistry(name => environment.GetValueOrDefault(name), () => false);

        await registry.Create("vertex/gemini-2.5-flash").GetResponseAsync("hi");
        environment["VERTEX_LOCATION"] = "global";
        await registry.Create("vertex/claude-sonnet-4@20250514").GetResponseAsync("hi");

        _server.Requests[0].Path.ShouldBe("/v1/projects/my-proj/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent");
        _server.Requests[0].Headers["Authorization"].ShouldBe("Bearer ya29.env-token");
        _server.Requests[1].Path.ShouldBe("/v1/projects/my-proj/locations/global/publishers/anthropic/models/claude-sonnet-4@20250514:rawPredict");
    }

    [Theory]
    [InlineData("us-central1", "https://us-central1-aiplatform.googleapis.com/")]
    [InlineData("europe-west4", "https://europe-west4-aiplatform.googleapis.com/")]
    [InlineData("global", "https://aiplatform.googleapis.com/")]
    public void Create_NoBaseUrl_UsesTheLocationsHost(string location, string expected)
    {
        var registry = new ProviderRegistry(name => name switch
        {
            "VERTEX_ACCESS_TOKEN" => "t",
            "VERTEX_PROJECT" => "p",
            "VERTEX_LOCATION" => location,
            _ => null,
        }, () => false);

        IChatClient chat = registry.Create("vertex/gemini-2.5-flash");

        chat.GetService<ChatClientMetadata>()!.ProviderUri!.AbsoluteUri.ShouldBe(expected);
    }

    [Fact]
    public void Create_NoProject_NamesVertexProject()
    {
        var registry = new ProviderRegistry(name => name == "VERTEX_ACCESS_TOKEN" ? "t" : null, () => false);

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Create("vertex/gemini-2.5-flash"));

        error.Message.ShouldContain("VERTEX_PROJECT");
        error.VariableName.ShouldBe("VERTEX_PROJECT");
    }

    [Fact]
    public void Create_NoCredentials_NamesGoogleApplicationCredentialsAndGcloud()
    {
        string home = Directory.CreateTempSubdirectory("allos-vertex-home").FullName;
        var registry = new ProviderRegistry(name => name switch { "VERTEX_PROJECT" => "p", "HOME" => home, "APPDATA" => home, _ => null }, () => false);

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Create("vertex/gemini-2.5-flash"));

        error.Message.ShouldContain("GOOGLE_APPLICATION_CREDENTIALS");
        error.Message.ShouldContain("gcloud auth application-default login");
        error.Message.ShouldContain("VERTEX_ACCESS_TOKEN");
        error.VariableName.ShouldBe("GOOGLE_APPLICATION_CREDENTIALS");
    }

    [Fact]
    public void Create_BadLocation_IsRefused()
    {
        var registry = new ProviderRegistry(name => name switch { "VERTEX_ACCESS_TOKEN" => "t", "VERTEX_PROJECT" => "p", "VERTEX_LOCATION" => "evil.example.com/x", _ => null }, () => false);

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Create("vertex/gemini-2.5-flash"));

        error.VariableName.ShouldBe("VERTEX_LOCATION");
    }

    [Fact]
    public async Task Call_WrongBearerToken_IsAuthenticationErrorFromTheServer()
    {
        _server.VertexAccessToken = "ya29.the-right-one";
        IChatClient chat = _server.CreateClient("vertex/claude-sonnet-4@20250514", apiKey: "ya29.a-wrong-one");

        ProviderAuthenticationException error = await Should.ThrowAsync<ProviderAuthenticationException>(() => chat.GetResponseAsync("hi"));

        error.StatusCode.ShouldBe(401);
        error.Provider.ShouldBe("vertex");
        error.Message.ShouldNotContain("ya29.a-wrong-one");
    }

    [Fact]
    public void CreateEmbeddingGenerator_Vertex_IsRefusedWithAnAlternative()
    {
        var registry = new ProviderRegistry(name => name == "VERTEX_ACCESS_TOKEN" ? "t" : null, () => false);

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.CreateEmbeddingGenerator("vertex/text-embedding-005"));

        error.Message.ShouldContain("gemini/gemini-embedding-001");
    }

    public static TheoryData<string, int, string, Type> ErrorCases()
    {
        var data = new TheoryData<string, int, string, Type>();
        foreach (string model in (string[])["vertex/gemini-2.5-flash", "vertex/claude-sonnet-4@20250514"])
        {
            data.Add(model, 400, Google(400, "INVALID_ARGUMENT", "Request contains an invalid argument."), typeof(InvalidRequestException));
            data.Add(model, 400, Google(400, "INVALID_ARGUMENT", "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."), typeof(ContextWindowExceededException));
            data.Add(model, 401, Google(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."), typeof(ProviderAuthenticationException));
            data.Add(model, 403, Google(403, "PERMISSION_DENIED", "Permission 'aiplatform.endpoints.predict' denied on resource."), typeof(ProviderPermissionException));
            data.Add(model, 404, Google(404, "NOT_FOUND", "Publisher Model was not found or your project does not have access to it."), typeof(ProviderNotFoundException));
            data.Add(model, 429, Google(429, "RESOURCE_EXHAUSTED", "Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model."), typeof(RateLimitException));
            data.Add(model, 500, Google(500, "INTERNAL", "Internal error encountered."), typeof(ProviderServerException));
            data.Add(model, 503, Google(503, "UNAVAILABLE", "The service is currently unavailable."), typeof(ProviderOverloadedException));
        }

        // Claude's own errors, passed through by Vertex AI in Anthropic's shape.
        data.Add("vertex/claude-sonnet-4@20250514", 529, """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", typeof(ProviderOverloadedException));
        data.Add("vertex/claude-sonnet-4@20250514", 400, """{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}""", typeof(ContextWindowExceededException));
        return data;

        static string Google(int code, string status, string message) =>
            "{\"error\":{\"code\":" + code.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",\"message\":\"" + message + "\",\"status\":\"" + status + "\"}}";
    }

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public async Task Call_ErrorBodies_MapToOneHierarchyWholeAndStreamed(string model, int status, string body, Type expected)
    {
        _server.Enqueue(FakeTurn.Error(status, body), FakeTurn.Error(status, body));
        IChatClient chat = _server.CreateClient(model, apiKey: "ya29.secret-token-that-must-not-leak");

        ProviderException whole = await Should.ThrowAsync<ProviderException>(() => chat.GetResponseAsync("hi"));
        ProviderException streamed = await Should.ThrowAsync<ProviderException>(async () => await chat.GetStreamingResponseAsync("hi").ToListAsync());

        foreach (ProviderException error in new[] { whole, streamed })
        {
            error.ShouldBeOfType(expected);
            error.StatusCode.ShouldBe(status);
            error.Provider.ShouldBe("vertex");
            error.Message.ShouldNotContain("ya29.secret-token-that-must-not-leak");
        }
    }

    [Theory]
    [InlineData("vertex/gemini-2.5-flash")]
    [InlineData("vertex/claude-sonnet-4@20250514")]
    public async Task Call_ResourceExhaustedWithRetryInfo_IsRateLimitWithTheHint(string model)
    {
        _server.Enqueue(FakeTurn.Error(429, """
            {"error":{"code":429,"message":"Resource exhausted. Please try again later.","status":"RESOURCE_EXHAUSTED",
              "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"17s"}]}}
            """));
        IChatClient chat = _server.CreateClient(model);

        RateLimitException error = await Should.ThrowAsync<RateLimitException>(() => chat.GetResponseAsync("hi"));

        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(17));
        error.IsTransient.ShouldBeTrue();
    }

    [Theory]
    [InlineData("vertex/gemini-2.5-flash")]
    [InlineData("vertex/claude-sonnet-4@20250514")]
    public async Task Call_RetryAfterHeader_IsTheHint(string model)
    {
        _server.Enqueue(FakeTurn.ProviderError(429, "Quota exceeded.", "RESOURCE_EXHAUSTED").WithHeader("retry-after", "9"));
        IChatClient chat = _server.CreateClient(model);

        RateLimitException error = await Should.ThrowAsync<RateLimitException>(() => chat.GetResponseAsync("hi"));

        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(9));
    }

    [Fact]
    public async Task Claude_ErrorEventMidStream_IsTypedAfterTheText()
    {
        _server.Enqueue(FakeTurn.Text("The answer is").WithStreamError("Overloaded", "overloaded_error"));
        IChatClient chat = _server.CreateClient("vertex/claude-sonnet-4@20250514");
        var received = new List<string>();

        ProviderOverloadedException error = await Should.ThrowAsync<ProviderOverloadedException>(async () =>
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("q"))
            {
                received.Add(update.Text);
            }
        });

        string.Concat(received).ShouldBe("The answer is");
        error.IsTransient.ShouldBeTrue();
    }
}
