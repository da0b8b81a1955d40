using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Allos.Providers;
using Allos.Providers.Bedrock;

namespace Allos.IntegrationTests.Providers.Bedrock;

public sealed class BedrockChatClientTests : IAsyncLifetime, IDisposable
{
    private const string Claude = "anthropic.claude-sonnet-4-20250514-v1:0";
    // Made-up access keys are written in two pieces, so no literal has a real key's exact format.
    private const string Akia = "AKIA";
    private const string AccessKey = Akia + "IOSFODNN7EXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private readonly string _home = Directory.CreateTempSubdirectory("allos-bedrock-").FullName;
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task GetResponseAsync_PlainReply_ReturnsTextUsageLatencyAndFinishReason()
    {
        _server.Enqueue(FakeTurn.Text("Hello there!").WithUsage(12, 3));
        IChatClient chat = _server.CreateClient("bedrock/" + Claude, apiKey: "bedrock-api-key-123");

        ChatResponse response = await chat.GetResponseAsync([new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi")],
            new ChatOptions { MaxOutputTokens = 100, Temperature = 0.5f, TopP = 0.9f, StopSequences = ["END"] });

        response.Text.ShouldBe("Hello there!");
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        response.ModelId.ShouldBe(Claude);
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(12);
        response.Usage.OutputTokenCount.ShouldBe(3);
        response.Usage.TotalTokenCount.ShouldBe(15);
        response.AdditionalProperties![BedrockResponseParser.LatencyKey].ShouldBe(321L);

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe($"/model/{Claude}/converse");
        request.Format.ShouldBe(FakeWireFormat.Bedrock);
        request.Streaming.ShouldBeFalse();
        request.Headers["Authorization"].ShouldBe("Bearer bedrock-api-key-123");
        request.Json.GetProperty("system")[0].GetProperty("text").GetString().ShouldBe("Be brief.");
        JsonElement messages = request.Json.GetProperty("messages");
        messages.GetArrayLength().ShouldBe(1);
        messages[0].GetProperty("role").GetString().ShouldBe("user");
        messages[0].GetProperty("content")[0].GetProperty("text").GetString().ShouldBe("Hi");
        JsonElement inference = request.Json.GetProperty("inferenceConfig");
        inference.GetProperty("maxTokens").GetInt32().ShouldBe(100);
        inference.GetProperty("temperature").GetSingle().ShouldBe(0.5f);
        inference.GetProperty("topP").GetSingle().ShouldBe(0.9f);
        inference.GetProperty("stopSequences")[0].GetString().ShouldBe("END");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Text_DecodesEventStreamWithUsageAndFinishReason()
    {
        _server.Enqueue(FakeTurn.Text("The quick brown fox").WithUsage(20, 4).WithFinishReason(FakeFinishReason.Length));
        IChatClient chat = _server.CreateClient("bedrock/amazon.nova-pro-v1:0");

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("Say it").ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        updates.Count(u => u.Text.Length > 0).ShouldBe(4);
        response.Text.ShouldBe("The quick brown fox");
        response.ModelId.ShouldBe("amazon.nova-pro-v1:0");
        response.FinishReason.ShouldBe(ChatFinishReason.Length);
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(20);
        response.Usage.OutputTokenCount.ShouldBe(4);
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/model/amazon.nova-pro-v1:0/converse-stream");
        request.Streaming.ShouldBeTrue();
    }

    [Fact]
    public async Task GetResponseAsync_ToolRoundTrip_SecondRequestHasToolUseAndToolResultBlocks()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("tooluse_abc123", "get_weather", """{"location":"Boston, MA"}""")).WithText("Let me check.").WithUsage(82, 17),
            FakeTurn.Text("It is 22 degrees in Boston."));
        IChatClient chat = _server.CreateClient("bedrock/" + Claude);
        AIFunction weather = AIFunctionFactory.Create((string location) => "22C", "get_weather", "Get the current weather");
        var options = new ChatOptions { Tools = [weather], ToolMode = ChatToolMode.RequireSpecific("get_weather") };
        List<ChatMessage> history = [new(ChatRole.User, "Weather in Boston?")];

        ChatResponse first = await chat.GetResponseAsync(history, options);

        first.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        FunctionCallContent call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.CallId.ShouldBe("tooluse_abc123");
        call.Name.ShouldBe("get_weather");
        call.Arguments.ShouldNotBeNull()["location"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("Boston, MA");

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("tooluse_abc123", JsonDocument.Parse("""{"temperature":22}""").RootElement)]));
        history.Add(new ChatMessage(ChatRole.User, "And tomorrow?"));
        options.ToolMode = ChatToolMode.RequireAny;
        ChatResponse second = await chat.GetResponseAsync(history, options);

        second.Text.ShouldBe("It is 22 degrees in Boston.");
        JsonElement toolConfig = _server.Requests[0].Json.GetProperty("toolConfig");
        JsonElement spec = toolConfig.GetProperty("tools")[0].GetProperty("toolSpec");
        spec.GetProperty("name").GetString().ShouldBe("get_weather");
        spec.GetProperty("description").GetString().ShouldBe("Get the current weather");
        spec.GetProperty("inputSchema").GetProperty("json").GetProperty("properties").GetProperty("location").GetProperty("type").GetString().ShouldBe("string");
        toolConfig.GetProperty("toolChoice").GetProperty("tool").GetProperty("name").GetString().ShouldBe("get_weather");
        _server.Requests[1].Json.GetProperty("toolConfig").GetProperty("toolChoice").TryGetProperty("any", out _).ShouldBeTrue();

        JsonElement messages = _server.Requests[1].Json.GetProperty("messages");
        messages.GetArrayLength().ShouldBe(3); // the tool result and the next question merge into one user turn
        JsonElement assistant = messages[1];
        assistant.GetProperty("role").GetString().ShouldBe("assistant");
        JsonElement use = assistant.GetProperty("content")[0].GetProperty("toolUse"); // the blocks keep the model's order
        assistant.GetProperty("content")[1].GetProperty("text").GetString().ShouldBe("Let me check.");
        use.GetProperty("toolUseId").GetString().ShouldBe("tooluse_abc123");
        use.GetProperty("name").GetString().ShouldBe("get_weather");
        use.GetProperty("input").GetProperty("location").GetString().ShouldBe("Boston, MA");
        JsonElement user = messages[2];
        user.GetProperty("role").GetString().ShouldBe("user");
        JsonElement result = user.GetProperty("content")[0].GetProperty("toolResult");
        result.GetProperty("toolUseId").GetString().ShouldBe("tooluse_abc123");
        result.GetProperty("content")[0].GetProperty("json").GetProperty("temperature").GetInt32().ShouldBe(22);
        result.TryGetProperty("status", out _).ShouldBeFalse();
        user.GetProperty("content")[1].GetProperty("text").GetString().ShouldBe("And tomorrow?");
    }

    [Fact]
    public async Task GetResponseAsync_FailedToolResult_IsTextWithStatusError()
    {
        _server.Enqueue(FakeTurn.Text("Sorry."));
        IChatClient chat = _server.CreateClient("bedrock/" + Claude);
        List<ChatMessage> history =
        [
            new(ChatRole.User, "Weather?"),
            new(ChatRole.Assistant, [new FunctionCallContent("t1", "get_weather", new Dictionary<string, object?>())]),
            new(ChatRole.Tool, [new FunctionResultContent("t1", null) { Exception = new InvalidOperationException("station offline") }]),
        ];

        await chat.GetResponseAsync(history);

        JsonElement result = _server.Requests[0].Json.GetProperty("messages")[2].GetProperty("content")[0].GetProperty("toolResult");
        result.GetProperty("status").GetString().ShouldBe("error");
        result.GetProperty("content")[0].GetProperty("text").GetString()!.ShouldContain("station offline");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ToolInputDeltas_AreAssembledIntoOneCall()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("tooluse_1", "search", """{"query":"event streams","limit":5}""")).WithArgumentChunkSize(4));
        IChatClient chat = _server.CreateClient("bedrock/" + Claude);

        List<ChatResponseUpdate> updates = await chat.GetStreamingResponseAsync("find it", new ChatOptions { Tools = [AIFunctionFactory.Create((string query, int limit) => "", "search")] }).ToListAsync();
        ChatResponse response = updates.ToChatResponse();

        FunctionCallContent call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.CallId.ShouldBe("tooluse_1");
        call.Name.ShouldBe("search");
        ((JsonElement)call.Arguments!["query"]!).GetString().ShouldBe("event streams");
        ((JsonElement)call.Arguments["limit"]!).GetInt32().ShouldBe(5);
        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
    }

    [Fact]
    public async Task GetResponseAsync_Image_IsSentAsBase64BytesWithItsFormat()
    {
        _server.Enqueue(FakeTurn.Text("A red dot."));
        IChatClient chat = _server.CreateClient("bedrock/amazon.nova-lite-v1:0");
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3];

        await chat.GetResponseAsync([new ChatMessage(ChatRole.User, [new TextContent("What is this?"), new DataContent(png, "image/png")])]);

        JsonElement content = _server.Requests[0].Json.GetProperty("messages")[0].GetProperty("content");
        content[0].GetProperty("text").GetString().ShouldBe("What is this?");
        JsonElement image = content[1].GetProperty("image");
        image.GetProperty("format").GetString().ShouldBe("png");
        image.GetProperty("source").GetProperty("bytes").GetString().ShouldBe(Convert.ToBase64String(png));
    }

    [Fact]
    public async Task GetResponseAsync_UnsupportedMedia_IsFeatureNotSupported()
    {
        IChatClient chat = _server.CreateClient("bedrock/" + Claude);

        FeatureNotSupportedException error = await Should.ThrowAsync<FeatureNotSupportedException>(() =>
            chat.GetResponseAsync([new ChatMessage(ChatRole.User, [new DataContent(new byte[] { 1 }, "audio/wav")])]));

        error.Message.ShouldContain("audio/wav");
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetResponseAsync_Reasoning_IsReasoningContentWithItsSignatureSentBack()
    {
        _server.Enqueue(FakeTurn.Text("42.").WithReasoning("Six times seven.", "sig-abc=="), FakeTurn.Text("Yes."));
        IChatClient chat = _server.CreateClient("bedrock/us." + Claude);
        var options = new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Medium } };

        ChatResponse first = await chat.GetResponseAsync("6*7?", options);

        TextReasoningContent reasoning = first.Messages[0].Contents.OfType<TextReasoningContent>().ShouldHaveSingleItem();
        reasoning.Text.ShouldBe("Six times seven.");
        reasoning.ProtectedData.ShouldBe("sig-abc==");
        first.Text.ShouldBe("42.");
        JsonElement thinking = _server.Requests[0].Json.GetProperty("additionalModelRequestFields").GetProperty("thinking");
        thinking.GetProperty("type").GetString().ShouldBe("enabled");
        thinking.GetProperty("budget_tokens").GetInt32().ShouldBe(4096);

        await chat.GetResponseAsync([new(ChatRole.User, "6*7?"), .. first.Messages, new(ChatRole.User, "Sure?")]);

        JsonElement block = _server.Requests[1].Json.GetProperty("messages")[1].GetProperty("content")
            .EnumerateArray().First(b => b.TryGetProperty("reasoningContent", out _)).GetProperty("reasoningContent").GetProperty("reasoningText");
        block.GetProperty("text").GetString().ShouldBe("Six times seven.");
        block.GetProperty("signature").GetString().ShouldBe("sig-abc==");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Reasoning_StreamsTextAndKeepsTheSignature()
    {
        _server.Enqueue(FakeTurn.Text("Done.").WithReasoning("Thinking it through carefully.", "sig-stream").WithTextChunkSize(8));
        IChatClient chat = _server.CreateClient("bedrock/" + Claude);

        ChatResponse response = (await chat.GetStreamingResponseAsync("go").ToListAsync()).ToChatResponse();

        TextReasoningContent reasoning = response.Messages[0].Contents.OfType<TextReasoningContent>().ShouldHaveSingleItem();
        reasoning.Text.ShouldBe("Thinking it through carefully.");
        reasoning.ProtectedData.ShouldBe("sig-stream");
        response.Text.ShouldBe("Done.");
    }

    [Fact]
    public async Task GetResponseAsync_CacheTokens_AreCountedInTheInput()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", """
            {"output":{"message":{"role":"assistant","content":[{"text":"ok"}]}},"stopReason":"end_turn",
             "usage":{"inputTokens":10,"outputTokens":5,"totalTokens":1515,"cacheReadInputTokens":1000,"cacheWriteInputTokens":500},
             "metrics":{"latencyMs":88}}
            """));
        IChatClient chat = _server.CreateClient("bedrock/" + Claude);

        ChatResponse response = await chat.GetResponseAsync("hi");

        UsageDetails usage = response.Usage.ShouldNotBeNull();
        usage.InputTokenCount.ShouldBe(1510);
        usage.CachedInputTokenCount.ShouldBe(1000);
        usage.AdditionalCounts![Allos.Models.CostCalculator.CacheWriteInputTokenCountKey].ShouldBe(500);
        usage.OutputTokenCount.ShouldBe(5);
        usage.TotalTokenCount.ShouldBe(1515);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CachedInput_ComesWithTheMetadataEvent()
    {
        _server.Enqueue(FakeTurn.Text("ok").WithUsage(100, 2, cachedInputTokens: 60));
        IChatClient chat = _server.CreateClient("bedrock/" + Claude);

        ChatResponse response = (await chat.GetStreamingResponseAsync("hi").ToListAsync()).ToChatResponse();

        response.Usage.ShouldNotBeNull().InputTokenCount.ShouldBe(100);
        response.Usage.CachedInputTokenCount.ShouldBe(60);
    }

    [Theory]
    [InlineData(400, "ValidationException", "Malformed input request", typeof(InvalidRequestException))]
    [InlineData(400, "ValidationException", "Input is too long for requested model.", typeof(ContextWindowExceededException))]
    [InlineData(403, "AccessDeniedException", "You don't have access to the model with the specified model ID.", typeof(ProviderPermissionException))]
    [InlineData(403, "UnrecognizedClientException", "The security token included in the request is invalid.", typeof(ProviderAuthenticationException))]
    [InlineData(403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.", typeof(ProviderAuthenticationException))]
    [InlineData(404, "ResourceNotFoundException", "Model not found.", typeof(ProviderNotFoundException))]
    [InlineData(408, "ModelTimeoutException", "Model timed out.", typeof(ProviderTimeoutException))]
    [InlineData(424, "ModelErrorException", "The model failed.", typeof(ProviderServerException))]
    [InlineData(429, "ThrottlingException", "Too many requests, please wait before trying again.", typeof(RateLimitException))]
    [InlineData(500, "InternalServerException", "Internal error.", typeof(ProviderServerException))]
    [InlineData(503, "ServiceUnavailableException", "Service unavailable.", typeof(ProviderOverloadedException))]
    public async Task GetResponseAsync_HttpError_IsTypedByItsErrorTypeHeader(int status, string type, string message, Type expected)
    {
        _server.Enqueue(FakeTurn.ProviderError(status, message, type));
        IChatClient chat = _server.CreateClient("bedrock/" + Claude);

        Exception error = await Should.ThrowAsync<Exception>(() => chat.GetResponseAsync("hi"));

        error.GetType().ShouldBe(expected, error.Message);
        var provider = (ProviderException)error;
        provider.Provider.ShouldBe("bedrock");
        provider.StatusCode.ShouldBe(status);
        provider.ErrorCode.ShouldBe(type);
        provider.RequestId.ShouldNotBeNullOrEmpty();
        error.Message.ShouldContain(message);
    }

    [Fact]
    public async Task GetResponseAsync_ErrorTypeHeader_WinsOverTheStatus()
    {
        // A 400 from Bedrock is not always the caller's fault: the header says it is the account's quota.
        _server.Enqueue(FakeTurn.ProviderError(400, "Too many tokens per day.", "ServiceQuotaExceededException"));
        IChatClient chat = _server.CreateClient("bedrock/" + Claude);

        await Should.ThrowAsync<RateLimitException>(() => chat.GetResponseAsync("hi"));
    }

    [Fact]
    public async Task GetResponseAsync_ThrottlingWithRetryAfter_CarriesTheHint()
    {
        _server.Enqueue(FakeTurn.ProviderError(429, "Too many requests", "ThrottlingException").WithHeader("retry-after", "7"));
        IChatClient chat = _server.CreateClient("bedrock/" + Claude);

        RateLimitException error = await Should.ThrowAsync<RateLimitException>(() => chat.GetStreamingResponseAsync("hi").ToListAsync().AsTask());

        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(7));
        error.IsTransient.ShouldBeTrue();
    }

    [Theory]
    [InlineData("throttlingException", typeof(RateLimitException))]
    [InlineData("modelStreamErrorException", typeof(ProviderServerException))]
    [InlineData("validationException", typeof(InvalidRequestException))]
    [InlineData("serviceUnavailableException", typeof(ProviderOverloadedException))]
    [InlineData("internalServerException", typeof(ProviderServerException))]
    public async Task GetStreamingResponseAsync_ExceptionMessageMidStream_IsTypedAfterTheTextBeforeIt(string exceptionType, Type expected)
    {
        _server.Enqueue(FakeTurn.Text("partial answer").WithStreamError("Something broke mid-stream.", exceptionType));
        IChatClient chat = _server.CreateClient("bedrock/" + Claude);
        var text = new StringBuilder();

        Exception error = await Should.ThrowAsync<Exception>(async () =>
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("hi"))
            {
                text.Append(update.Text);
            }
        });

        error.GetType().ShouldBe(expected, error.Message);
        error.Message.ShouldContain("Something broke mid-stream.");
        ((ProviderException)error).ErrorCode.ShouldBe(char.ToUpperInvariant(exceptionType[0]) + exceptionType[1..]);
        text.ToString().ShouldBe("partial answer");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CorruptMessageChecksum_IsAnInvalidResponse()
    {
        byte[] good = FakeEventStream.Event("messageStart", """{"role":"assistant"}""");
        byte[] corrupt = FakeEventStream.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"hello"}}""");
        corrupt[^6] ^= 0x20; // a flipped bit in the payload: the message CRC no longer matches
        _server.Enqueue(FakeTurn.RawBytes(FakeEventStream.ContentType, good, corrupt, Stop()));
        IChatClient chat = _server.CreateClient("bedrock/" + Claude);

        InvalidResponseException error = await Should.ThrowAsync<InvalidResponseException>(() => chat.GetStreamingResponseAsync("hi").ToListAsync().AsTask());

        error.Message.ShouldContain("message checksum");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CorruptPreludeChecksum_FailsAtOnceRatherThanWaiting()
    {
        byte[] corrupt = FakeEventStream.Event("messageStart", """{"role":"assistant"}""");
        BinaryPrimitives.WriteUInt32BigEndian(corrupt, 1_000_000); // a length that would make a naive reader wait for a megabyte
        _server.Enqueue(FakeTurn.RawBytes(FakeEventStream.ContentType, corrupt, Stop()));
        IChatClient chat = _server.CreateClient("bedrock/" + Claude);

        InvalidResponseException error = await Should.ThrowAsync<InvalidResponseException>(() => chat.GetStreamingResponseAsync("hi").ToListAsync().AsTask());

        error.Message.ShouldContain("prelude checksum");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_BodyEndsInsideAMessage_IsAConnectionError()
    {
        byte[] start = FakeEventStream.Event("messageStart", """{"role":"assistant"}""");
        byte[] delta = FakeEventStream.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"hello"}}""");
        _server.Enqueue(FakeTurn.RawBytes(FakeEventStream.ContentType, start, delta[..(delta.Length - 5)]));
        IChatClient chat = _server.CreateClient("bedrock/" + Claude);

        ProviderConnectionException error = await Should.ThrowAsync<ProviderConnectionException>(() => chat.GetStreamingResponseAsync("hi").ToListAsync().AsTask());

        error.Message.ShouldContain("inside an event-stream message");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_BodyEndsBeforeMessageStop_IsAConnectionError()
    {
        _server.Enqueue(FakeTurn.Text("one two three four").WithTextChunkSize(4).TruncateAfter(3));
        IChatClient chat = _server.CreateClient("bedrock/" + Claude);

        ProviderConnectionException error = await Should.ThrowAsync<ProviderConnectionException>(() => chat.GetStreamingResponseAsync("hi").ToListAsync().AsTask());

        error.Message.ShouldContain("messageStop");
    }

    [Fact]
    public async Task Create_AccessKeysFromTheEnvironment_SignsTheRequestCorrectly()
    {
        _server.Enqueue(FakeTurn.Text("signed"));
        var environment = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
            ["AWS_SESSION_TOKEN"] = "session-token-xyz",
            ["AWS_REGION"] = "us-west-2",
            ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = _server.BaseUri.AbsoluteUri,
        };
        var registry = new ProviderRegistry(name => environment.GetValueOrDefault(name));

        ChatResponse response = await registry.Create("bedrock/" + Claude).GetResponseAsync("hi");

        response.Text.ShouldBe("signed");
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Headers["x-amz-security-token"].ShouldBe("session-token-xyz");
        string authorization = request.Headers["Authorization"];
        authorization.ShouldStartWith($"AWS4-HMAC-SHA256 Credential={AccessKey}/");
        authorization.ShouldContain("/us-west-2/bedrock/aws4_request");
        authorization.ShouldNotContain(SecretKey);
        authorization.ShouldBe(ExpectedAuthorization(request, SecretKey, "us-west-2", "session-token-xyz"));
    }

    [Fact]
    public async Task Create_ProfileFromTheSharedFiles_SignsWithItsKeysAndRegion()
    {
        string aws = Directory.CreateDirectory(Path.Combine(_home, ".aws")).FullName;
        File.WriteAllText(Path.Combine(aws, "credentials"), $$"""
            [default]
            aws_access_key_id = {{Akia}}DEFAULTDEFAULT00
            aws_secret_access_key = default-secret

            [work]
            aws_access_key_id = {{Akia}}WORKPROFILE00001
            aws_secret_access_key = work-secret-key
            region = eu-central-1
            """);
        _server.Enqueue(FakeTurn.Text("from the profile"));
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = _home,
            ["AWS_PROFILE"] = "work",
            ["BEDROCK_BASE_URL"] = _server.BaseUri.AbsoluteUri,
        };
        var registry = new ProviderRegistry(name => environment.GetValueOrDefault(name));

        ChatResponse response = await registry.Create("bedrock/" + Claude).GetResponseAsync("hi");

        response.Text.ShouldBe("from the profile");
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Headers["Authorization"].ShouldBe(ExpectedAuthorization(request, "work-secret-key", "eu-central-1", null));
        request.Headers["Authorization"].ShouldContain($"Credential={Akia}WORKPROFILE00001/");
    }

    [Fact]
    public async Task Create_ProfileRegionInTheConfigFile_IsUsed()
    {
        string aws = Directory.CreateDirectory(Path.Combine(_home, ".aws")).FullName;
        File.WriteAllText(Path.Combine(aws, "credentials"), $$"""
            [team]
            aws_access_key_id = {{Akia}}TEAMPROFILE00001
            aws_secret_access_key = team-secret-key
            """);
        File.WriteAllText(Path.Combine(aws, "config"), """
            [profile team]
            region = sa-east-1
            """);
        _server.Enqueue(FakeTurn.Text("ok"));
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = _home,
            ["AWS_PROFILE"] = "team",
            ["BEDROCK_BASE_URL"] = _server.BaseUri.AbsoluteUri,
        };
        var registry = new ProviderRegistry(name => environment.GetValueOrDefault(name));

        await registry.Create("bedrock/" + Claude).GetResponseAsync("hi");

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Headers["Authorization"].ShouldBe(ExpectedAuthorization(request, "team-secret-key", "sa-east-1", null));
    }

    [Fact]
    public async Task Create_SharedCredentialsFileVariable_IsRead()
    {
        string file = Path.Combine(_home, "elsewhere-credentials");
        File.WriteAllText(file, $$"""
            [default]
            aws_access_key_id = {{Akia}}ELSEWHERE0000001
            aws_secret_access_key = elsewhere-secret
            """);
        _server.Enqueue(FakeTurn.Text("ok"));
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = _home,
            ["AWS_SHARED_CREDENTIALS_FILE"] = file,
            ["AWS_DEFAULT_REGION"] = "ap-southeast-2",
            ["AWS_ENDPOINT_URL"] = _server.BaseUri.AbsoluteUri,
        };
        var registry = new ProviderRegistry(name => environment.GetValueOrDefault(name));

        await registry.Create("bedrock/" + Claude).GetResponseAsync("hi");

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Headers["Authorization"].ShouldBe(ExpectedAuthorization(request, "elsewhere-secret", "ap-southeast-2", null));
    }

    [Fact]
    public async Task Create_BearerTokenVariable_IsSentInsteadOfASignature()
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        var environment = new Dictionary<string, string>
        {
            ["AWS_BEARER_TOKEN_BEDROCK"] = "ABSKbedrockapikey",
            ["AWS_ACCESS_KEY_ID"] = AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
            ["BEDROCK_BASE_URL"] = _server.BaseUri.AbsoluteUri,
        };
        var registry = new ProviderRegistry(name => environment.GetValueOrDefault(name));

        await registry.Create("bedrock/" + Claude).GetResponseAsync("hi");

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Headers["Authorization"].ShouldBe("Bearer ABSKbedrockapikey");
        request.Headers.ContainsKey("x-amz-date").ShouldBeFalse();
    }

    [Fact]
    public void Create_NoCredentials_NamesTheVariablesToSetWithoutProbingInstanceMetadata()
    {
        var registry = new ProviderRegistry(name => name switch { "HOME" => _home, "AWS_REGION" => "us-east-1", _ => null });

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Create("bedrock/" + Claude));

        error.Message.ShouldContain("AWS_ACCESS_KEY_ID");
        error.Message.ShouldContain("AWS_SECRET_ACCESS_KEY");
        error.Message.ShouldContain("AWS_PROFILE");
        error.Message.ShouldContain("AWS_BEARER_TOKEN_BEDROCK");
    }

    [Fact]
    public void Create_UnknownProfile_NamesAwsProfile()
    {
        var registry = new ProviderRegistry(name => name switch { "HOME" => _home, "AWS_PROFILE" => "nope", "AWS_REGION" => "us-east-1", _ => null });

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Create("bedrock/" + Claude));

        error.Message.ShouldContain("AWS_PROFILE");
        error.Message.ShouldContain("'nope'");
    }

    [Fact]
    public void Create_KeyWithoutSecret_NamesTheMissingVariableAndNoSecret()
    {
        var registry = new ProviderRegistry(name => name switch { "AWS_ACCESS_KEY_ID" => AccessKey, "AWS_REGION" => "us-east-1", _ => null });

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Create("bedrock/" + Claude));

        error.Message.ShouldContain("AWS_SECRET_ACCESS_KEY");
    }

    [Fact]
    public void Create_NoRegion_NamesAwsRegion()
    {
        var registry = new ProviderRegistry(name => name switch { "AWS_ACCESS_KEY_ID" => AccessKey, "AWS_SECRET_ACCESS_KEY" => SecretKey, "HOME" => _home, _ => null });

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Create("bedrock/" + Claude));

        error.Message.ShouldContain("AWS_REGION");
        error.Message.ShouldNotContain(SecretKey);
    }

    [Theory]
    [InlineData(null, "https://bedrock-runtime.eu-west-3.amazonaws.com/", "default", "eu-west-3", "AWS_REGION")]
    [InlineData("AWS_ENDPOINT_URL", "https://global.example.com/", "AWS_ENDPOINT_URL", "eu-west-3", "AWS_REGION")]
    [InlineData("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "https://service.example.com/", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "eu-west-3", "AWS_REGION")]
    [InlineData("BEDROCK_BASE_URL", "https://allos.example.com/", "BEDROCK_BASE_URL", "eu-west-3", "AWS_REGION")]
    [InlineData("base_url", "https://bedrock-runtime.ca-central-1.amazonaws.com/", "base_url", "ca-central-1", "endpoint host")]
    public void Resolve_EndpointVariables_FollowTheDocumentedPrecedence(string? winner, string endpoint, string source, string region, string regionSource)
    {
        // Every variable is set; each row takes away the ones above the winner.
        string[] order = ["base_url", .. BedrockSetup.EndpointVariables];
        var environment = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
            ["AWS_REGION"] = "eu-west-3",
            ["AWS_ENDPOINT_URL"] = "https://global.example.com",
            ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = "https://service.example.com",
            ["BEDROCK_BASE_URL"] = "https://allos.example.com",
        };
        int from = winner is null ? order.Length : Array.IndexOf(order, winner);
        foreach (string above in order[..from])
        {
            environment.Remove(above);
        }

        var options = new ChatClientOptions { Endpoint = winner == "base_url" ? new Uri("https://bedrock-runtime.ca-central-1.amazonaws.com") : null };
        BedrockSetup setup = BedrockSetup.Resolve(options, name => environment.GetValueOrDefault(name));

        setup.Endpoint.AbsoluteUri.ShouldBe(endpoint);
        setup.EndpointSource.ShouldBe(source);
        setup.Region.ShouldBe(region);
        setup.RegionSource.ShouldBe(regionSource);
        setup.CredentialSource.ShouldBe("AWS_ACCESS_KEY_ID");
    }

    [Fact]
    public void Resolve_BadEndpointVariable_NamesIt()
    {
        ConfigurationException error = Should.Throw<ConfigurationException>(() =>
            BedrockSetup.Resolve(null, name => name == "AWS_ENDPOINT_URL_BEDROCK_RUNTIME" ? "not a url" : null));

        error.Message.ShouldContain("AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
    }

    [Fact]
    public async Task FakeServer_UnsignedRequest_IsRefusedAsAwsRefusesIt()
    {
        using var http = new HttpClient();
        using var content = new StringContent("""{"messages":[]}""", Encoding.UTF8, "application/json");
        _server.Enqueue(FakeTurn.Text("never"));

        using HttpResponseMessage response = await http.PostAsync(new Uri(_server.BaseUri, $"model/{Uri.EscapeDataString(Claude)}/converse"), content);

        ((int)response.StatusCode).ShouldBe(403);
        response.Headers.GetValues("x-amzn-ErrorType").Single().ShouldStartWith("MissingAuthenticationTokenException:");
    }

    [Fact]
    public void CreateEmbeddingGenerator_Bedrock_IsAClearConfigurationError()
    {
        var registry = new ProviderRegistry(name => name == "AWS_BEARER_TOKEN_BEDROCK" ? "k" : null);

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.CreateEmbeddingGenerator("bedrock/amazon.titan-embed-text-v2:0"));

        error.Message.ShouldContain("openai/text-embedding-3-small");
    }

    private static byte[] Stop() => FakeEventStream.Event("messageStop", """{"stopReason":"end_turn"}""");

    /// <summary>SigV4 recomputed independently from what the server received: the path as sent, the signed headers, the body.</summary>
    private static string ExpectedAuthorization(RecordedRequest request, string secret, string region, string? token)
    {
        string amzDate = request.Headers["x-amz-date"];
        string host = request.Headers["Host"];
        string wirePath = string.Join('/', request.Path.Split('/').Select(Uri.EscapeDataString));
        string canonicalPath = string.Join('/', wirePath.Split('/').Select(Uri.EscapeDataString));
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = request.Headers["Content-Type"],
            ["host"] = host,
            ["x-amz-date"] = amzDate,
        };
        if (token is not null)
        {
            headers["x-amz-security-token"] = token;
        }

        string signed = string.Join(';', headers.Keys);
        string canonical = $"POST\n{canonicalPath}\n\n{string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n"))}\n{signed}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(request.Body)))}";
        string scope = $"{amzDate[..8]}/{region}/bedrock/aws4_request";
        string toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        byte[] key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (string part in (string[])[amzDate[..8], region, "bedrock", "aws4_request"])
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        string accessKey = request.Headers["Authorization"].Split("Credential=")[1].Split('/')[0];
        return $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders={signed}, Signature={Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)))}";
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLower(CultureInfo.InvariantCulture);
}
