using System.Text.Json;
using Allos.Providers;

namespace Allos.IntegrationTests.Providers.OpenAI;

/// <summary>
/// Replays real captures from shared/reference/wire-protocols.md (§2, §8) byte for byte through the fake server, so the
/// codec is tested against what OpenAI and the compatible servers really send.
/// </summary>
public sealed class OpenAICompatibleCaptureTests : IAsyncLifetime
{
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string[] Sse(params string[] payloads) => [.. payloads.Select(p => $"data: {p}\n\n")];

    private async Task<ChatResponse> StreamAsync(string modelId, params string[] chunks)
    {
        _server.Enqueue(FakeTurn.Raw("text/event-stream", chunks));
        return (await _server.CreateClient(modelId).GetStreamingResponseAsync("go").ToListAsync()).ToChatResponse();
    }

    private static FunctionCallContent[] Calls(ChatResponse response) =>
        [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];

    [Fact]
    public async Task Stream_Gpt41ToolCallWithUsageChunkAfterFinish_AssemblesCallAndUsage()
    {
        // VERBATIM-RECORDED: coder/aibridge single_builtin_tool.txtar (streaming).
        string[] chunks = Sse(
            """{"id":"chatcmpl-BwkwXxA0yAyLKZelloERJWtxKor9z","object":"chat.completion.chunk","created":1753343173,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_HjeqP7YeRkoNj0de9e3U4X4B","type":"function","function":{"name":"read_file","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"id":"chatcmpl-BwkwXxA0yAyLKZelloERJWtxKor9z","object":"chat.completion.chunk","created":1753343173,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\""}}]},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"id":"chatcmpl-BwkwXxA0yAyLKZelloERJWtxKor9z","object":"chat.completion.chunk","created":1753343173,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"path"}}]},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"id":"chatcmpl-BwkwXxA0yAyLKZelloERJWtxKor9z","object":"chat.completion.chunk","created":1753343173,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\":\""}}]},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"id":"chatcmpl-BwkwXxA0yAyLKZelloERJWtxKor9z","object":"chat.completion.chunk","created":1753343173,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"README"}}]},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"id":"chatcmpl-BwkwXxA0yAyLKZelloERJWtxKor9z","object":"chat.completion.chunk","created":1753343173,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":".md"}}]},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"id":"chatcmpl-BwkwXxA0yAyLKZelloERJWtxKor9z","object":"chat.completion.chunk","created":1753343173,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"id":"chatcmpl-BwkwXxA0yAyLKZelloERJWtxKor9z","object":"chat.completion.chunk","created":1753343173,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}""",
            """{"id":"chatcmpl-BwkwXxA0yAyLKZelloERJWtxKor9z","object":"chat.completion.chunk","created":1753343173,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[],"usage":{"prompt_tokens":60,"completion_tokens":15,"total_tokens":75,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}""",
            "[DONE]");

        ChatResponse response = await StreamAsync("openai/gpt-4.1", chunks);

        FunctionCallContent call = Calls(response).ShouldHaveSingleItem();
        call.CallId.ShouldBe("call_HjeqP7YeRkoNj0de9e3U4X4B");
        call.Name.ShouldBe("read_file");
        call.Arguments!["path"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("README.md");
        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        response.ResponseId.ShouldBe("chatcmpl-BwkwXxA0yAyLKZelloERJWtxKor9z");
        response.ModelId.ShouldBe("gpt-4.1-2025-04-14");
        response.Usage!.InputTokenCount.ShouldBe(60);
        response.Usage.OutputTokenCount.ShouldBe(15);
        response.Usage.TotalTokenCount.ShouldBe(75);
    }

    [Fact]
    public async Task Stream_AzureLeadingChunkWithEmptyChoices_IsTolerated()
    {
        // VERBATIM-RECORDED first three payloads (vercel azure-model-router.1.chunks.txt); the finish chunk and [DONE] are added.
        string[] chunks = Sse(
            """{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":false,"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}]}""",
            """{"choices":[{"content_filter_results":{},"delta":{"content":"","refusal":null,"role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}],"created":1762317021,"id":"chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt","model":"gpt-5-nano-2025-08-07","obfuscation":"D3WbtIxo1Q2j1Q","object":"chat.completion.chunk","system_fingerprint":null,"usage":null}""",
            """{"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"delta":{"content":"Capital"},"finish_reason":null,"index":0,"logprobs":null}],"created":1762317021,"id":"chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt","model":"gpt-5-nano-2025-08-07","obfuscation":"NNpA6Dj2U","object":"chat.completion.chunk","system_fingerprint":null,"usage":null}""",
            """{"choices":[{"delta":{},"finish_reason":"stop","index":0}],"created":1762317021,"id":"chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt","model":"gpt-5-nano-2025-08-07","object":"chat.completion.chunk"}""",
            "[DONE]");

        ChatResponse response = await StreamAsync("azure/gpt-5-nano", chunks);

        response.Text.ShouldBe("Capital");
        response.ResponseId.ShouldBe("chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt"); // the empty id of the first chunk is not kept
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
    }

    [Fact]
    public async Task Stream_DeepSeekUsageOnFinishChunk_IsReportedWithReasoningAndCache()
    {
        // VERBATIM-RECORDED tail of vercel deepseek-reasoning.chunks.txt, preceded by one reasoning chunk of the same stream shape.
        string[] chunks = Sse(
            """{"id":"cac7192e-e619-40c6-96b0-ed4276bc03ac","object":"chat.completion.chunk","created":1764661832,"model":"deepseek-reasoner","system_fingerprint":"fp_eaab8d114b_prod0820_fp8_kvcache","choices":[{"index":0,"delta":{"content":null,"reasoning_content":"Think first."},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"id":"cac7192e-e619-40c6-96b0-ed4276bc03ac","object":"chat.completion.chunk","created":1764661832,"model":"deepseek-reasoner","system_fingerprint":"fp_eaab8d114b_prod0820_fp8_kvcache","choices":[{"index":0,"delta":{"content":"\"s","reasoning_content":null},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"id":"cac7192e-e619-40c6-96b0-ed4276bc03ac","object":"chat.completion.chunk","created":1764661832,"model":"deepseek-reasoner","system_fingerprint":"fp_eaab8d114b_prod0820_fp8_kvcache","choices":[{"index":0,"delta":{"content":".","reasoning_content":null},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"id":"cac7192e-e619-40c6-96b0-ed4276bc03ac","object":"chat.completion.chunk","created":1764661832,"model":"deepseek-reasoner","system_fingerprint":"fp_eaab8d114b_prod0820_fp8_kvcache","choices":[{"index":0,"delta":{"content":"","reasoning_content":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":18,"completion_tokens":219,"total_tokens":237,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":205},"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":18}}""",
            "[DONE]");

        ChatResponse response = await StreamAsync("deepseek/deepseek-reasoner", chunks);

        response.Text.ShouldBe("\"s.");
        response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text).ShouldBe(["Think first."]);
        response.Usage!.InputTokenCount.ShouldBe(18);
        response.Usage.OutputTokenCount.ShouldBe(219);
        response.Usage.ReasoningTokenCount.ShouldBe(205);
        response.Usage.CachedInputTokenCount.ShouldBe(0);
    }

    [Fact]
    public async Task Stream_GroqWholeToolCallAndUsageInXGroq_IsAssembled()
    {
        // VERBATIM-RECORDED: vercel groq-tool-call.chunks.txt.
        string[] chunks = Sse(
            """{"id":"chatcmpl-b610d559-f156-4aca-8827-24b4fe6af54f","object":"chat.completion.chunk","created":1770770843,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_f8b414701e","choices":[{"index":0,"delta":{"role":"assistant","content":null},"logprobs":null,"finish_reason":null}],"x_groq":{"id":"req_01kh52nj5yfcat8hrmvrk2j2hj","seed":689520654}}""",
            """{"id":"chatcmpl-b610d559-f156-4aca-8827-24b4fe6af54f","object":"chat.completion.chunk","created":1770770843,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_f8b414701e","choices":[{"index":0,"delta":{"tool_calls":[{"id":"tk85n1k4m","type":"function","function":{"name":"weather","arguments":"{}"},"index":0}]},"logprobs":null,"finish_reason":null}]}""",
            """{"id":"chatcmpl-b610d559-f156-4aca-8827-24b4fe6af54f","object":"chat.completion.chunk","created":1770770843,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_f8b414701e","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"x_groq":{"id":"req_01kh52nj5yfcat8hrmvrk2j2hj","usage":{"queue_time":0.041520249,"prompt_tokens":210,"prompt_time":0.010407901,"completion_tokens":15,"completion_time":0.046601227,"total_tokens":225,"total_time":0.057009128}},"usage":{"queue_time":0.041520249,"prompt_tokens":210,"prompt_time":0.010407901,"completion_tokens":15,"completion_time":0.046601227,"total_tokens":225,"total_time":0.057009128}}""",
            "[DONE]");

        ChatResponse response = await StreamAsync("groq/llama-3.3-70b-versatile", chunks);

        FunctionCallContent call = Calls(response).ShouldHaveSingleItem();
        call.CallId.ShouldBe("tk85n1k4m");
        call.Name.ShouldBe("weather");
        call.Arguments.ShouldNotBeNull().ShouldBeEmpty();
        response.Usage!.InputTokenCount.ShouldBe(210);
        response.Usage.OutputTokenCount.ShouldBe(15);
    }

    [Fact]
    public async Task Stream_MistralCallWithoutIndexOrTypeAndUsageOnFinishChunk_IsAssembled()
    {
        // VERBATIM-RECORDED: vercel mistral-tool-call.chunks.txt.
        string[] chunks = Sse(
            """{"id":"b3999b8c93e04e11bcbff7bcab829667","object":"chat.completion.chunk","created":1769088854,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null,"logprobs":null}]}""",
            """{"id":"b3999b8c93e04e11bcbff7bcab829667","object":"chat.completion.chunk","created":1769088854,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":null,"tool_calls":[{"id":"gSIMJiOkT","function":{"name":"weather","arguments":"{\"location\": \"San Francisco\"}"}}]},"finish_reason":"tool_calls","logprobs":null}],"usage":{"prompt_tokens":124,"total_tokens":146,"completion_tokens":22}}""",
            "[DONE]");

        ChatResponse response = await StreamAsync("mistral/mistral-small-latest", chunks);

        FunctionCallContent call = Calls(response).ShouldHaveSingleItem();
        call.CallId.ShouldBe("gSIMJiOkT");
        call.Arguments!["location"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("San Francisco");
        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        response.Usage!.TotalTokenCount.ShouldBe(146);
    }

    [Fact]
    public async Task Stream_ToolIndexStartingAtOneAfterText_IsAssembled()
    {
        // VERBATIM-RECORDED: vercel anthropic-fallback-tool-call.sse (a Claude-backed OpenAI-compatible gateway).
        string raw = """
            data: {"id":"msg_sanitized","object":"chat.completion.chunk","created":0,"model":"claude-haiku-4-5-20251001","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}

            data: {"id":"msg_sanitized","object":"chat.completion.chunk","created":0,"model":"claude-haiku-4-5-20251001","choices":[{"index":0,"delta":{"content":"Reading"},"finish_reason":null}]}

            data: {"id":"msg_sanitized","object":"chat.completion.chunk","created":0,"model":"claude-haiku-4-5-20251001","choices":[{"index":0,"delta":{"content":" it."},"finish_reason":null}]}

            data: {"id":"msg_sanitized","object":"chat.completion.chunk","created":0,"model":"claude-haiku-4-5-20251001","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"toolu_sanitized","type":"function","function":{"name":"read_file","arguments":""}}]},"finish_reason":null}]}

            data: {"id":"msg_sanitized","object":"chat.completion.chunk","created":0,"model":"claude-haiku-4-5-20251001","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":""}}]},"finish_reason":null}]}

            data: {"id":"msg_sanitized","object":"chat.completion.chunk","created":0,"model":"claude-haiku-4-5-20251001","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"pa"}}]},"finish_reason":null}]}

            data: {"id":"msg_sanitized","object":"chat.completion.chunk","created":0,"model":"claude-haiku-4-5-20251001","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"th\": \"a.txt\"}"}}]},"finish_reason":null}]}

            data: {"id":"msg_sanitized","object":"chat.completion.chunk","created":0,"model":"claude-haiku-4-5-20251001","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

            data: [DONE]


            """;

        ChatResponse response = await StreamAsync("openai-compatible/claude-haiku-4-5", raw);

        response.Text.ShouldBe("Reading it.");
        FunctionCallContent call = Calls(response).ShouldHaveSingleItem();
        call.CallId.ShouldBe("toolu_sanitized");
        call.Arguments!["path"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("a.txt");
    }

    [Fact]
    public async Task Stream_ContinuationWithEmptyName_KeepsTheKnownName()
    {
        // Shape of vercel mistral-incremental-tool-call.chunks.txt: a continuation carries "name":"".
        string[] chunks = Sse(
            """{"id":"x","object":"chat.completion.chunk","created":1,"model":"zai-glm-5-2","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"weather","arguments":"{\"loc"}}]},"finish_reason":null}]}""",
            """{"id":"x","object":"chat.completion.chunk","created":1,"model":"zai-glm-5-2","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"","arguments":"ation\":\"Paris\"}"}}]},"finish_reason":null}]}""",
            """{"id":"x","object":"chat.completion.chunk","created":1,"model":"zai-glm-5-2","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
            "[DONE]");

        ChatResponse response = await StreamAsync("openai-compatible/zai-glm-5-2", chunks);

        FunctionCallContent call = Calls(response).ShouldHaveSingleItem();
        call.Name.ShouldBe("weather");
        call.Arguments!["location"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("Paris");
    }

    [Fact]
    public async Task Stream_OpenAIErrorPayloadWithoutDone_RaisesServerError()
    {
        // VERBATIM-RECORDED: coder/aibridge stream_error.txtar.
        string[] chunks = Sse(
            """{"id":"chatcmpl-BwoiPTGRbKkY5rncfaM0s9KtWrq5N","object":"chat.completion.chunk","created":1753357673,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_51e1070cf2","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"id":"chatcmpl-BwoiPTGRbKkY5rncfaM0s9KtWrq5N","object":"chat.completion.chunk","created":1753357673,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_51e1070cf2","choices":[{"index":0,"delta":{"content":"The"},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"error": {"message": "The server had an error while processing your request. Sorry about that!", "type": "server_error"}}""");

        await Should.ThrowAsync<ProviderServerException>(() => StreamAsync("openai/gpt-4.1", chunks));
    }

    [Fact]
    public async Task Stream_OpenRouterErrorChunkWithFinishReasonError_RaisesServerError()
    {
        // VERBATIM (OpenRouter streaming docs): mid-stream error with HTTP 200.
        string[] chunks = Sse(
            """{"id":"cmpl-abc123","object":"chat.completion.chunk","created":1234567890,"model":"gpt-3.5-turbo","provider":"openai","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}""",
            """{"id":"cmpl-abc123","object":"chat.completion.chunk","created":1234567890,"model":"gpt-3.5-turbo","provider":"openai","error":{"code":"server_error","message":"Provider disconnected unexpectedly"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}""");

        ProviderServerException error = await Should.ThrowAsync<ProviderServerException>(() => StreamAsync("openrouter/openai/gpt-3.5-turbo", chunks));

        error.Message.ShouldContain("Provider disconnected unexpectedly");
        error.Provider.ShouldBe("openrouter");
    }

    [Fact]
    public async Task Stream_VllmFlatErrorObject_RaisesContextWindowError()
    {
        string[] chunks = Sse(
            """{"object":"error","message":"This model's maximum context length is 16384 tokens. However, you requested 19591 tokens (9591 in the messages, 10000 in the completion). Please reduce the length of the messages or completion. None","type":"BadRequestError","param":null,"code":400}""");

        await Should.ThrowAsync<ContextWindowExceededException>(() => StreamAsync("vllm/qwen3", chunks));
    }

    [Fact]
    public async Task Stream_CommentsCrlfAndMultiLineData_AreParsed()
    {
        // SSE framing rules (§1.1): comments, CRLF line endings, and a JSON payload split over two data: lines.
        string raw =
            ": OPENROUTER PROCESSING\r\n\r\n" +
            ": keep-alive\r\n\r\n" +
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\r\n" +
            "data: \"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}\r\n\r\n" +
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" world\"},\"finish_reason\":\"stop\"}]}\r\n\r\n" +
            "data: [DONE]\r\n\r\n";

        ChatResponse response = await StreamAsync("openrouter/m", raw);

        response.Text.ShouldBe("Hello world");
    }

    [Fact]
    public async Task Response_DeepSeekToolCallWithReasoning_RoundTripsReasoningContent()
    {
        // VERBATIM-RECORDED: vercel deepseek-tool-call.json.
        string body = """
            {"id":"7a630f5b-b7e6-4878-82f8-d77db164d42b","object":"chat.completion","created":1764665845,"model":"deepseek-reasoner",
             "choices":[{"index":0,"message":{"role":"assistant","content":"","reasoning_content":"The user is asking for the weather in San Francisco. I have a weather tool available that can get weather information for a location. I should use this tool with the location parameter set to \"San Francisco\". Let me call the weather function.",
               "tool_calls":[{"index":0,"id":"call_00_9V0vrf86Pc9aelHCJMZqnJBo","type":"function","function":{"name":"weather","arguments":"{\"location\": \"San Francisco\"}"}}]},"logprobs":null,"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":339,"completion_tokens":92,"total_tokens":431,"prompt_tokens_details":{"cached_tokens":320},"completion_tokens_details":{"reasoning_tokens":48},"prompt_cache_hit_tokens":320,"prompt_cache_miss_tokens":19},
             "system_fingerprint":"fp_eaab8d114b_prod0820_fp8_kvcache"}
            """;
        _server.Enqueue(FakeTurn.Raw("application/json", body), FakeTurn.Text("Sunny."));
        IChatClient chat = _server.CreateClient("deepseek/deepseek-reasoner");
        List<ChatMessage> history = [new(ChatRole.User, "Weather in SF?")];

        ChatResponse first = await chat.GetResponseAsync(history);
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_00_9V0vrf86Pc9aelHCJMZqnJBo", "sunny")]));
        await chat.GetResponseAsync(history);

        first.Usage!.CachedInputTokenCount.ShouldBe(320);
        first.Usage.ReasoningTokenCount.ShouldBe(48);
        string reasoning = first.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ShouldHaveSingleItem().Text;
        JsonElement assistant = _server.Requests[1].Json.GetProperty("messages")[1];
        assistant.GetProperty("reasoning_content").GetString().ShouldBe(reasoning);
        assistant.GetProperty("tool_calls")[0].GetProperty("id").GetString().ShouldBe("call_00_9V0vrf86Pc9aelHCJMZqnJBo");
    }

    [Fact]
    public async Task Response_XaiReasoningCountedOutsideCompletion_IsAddedToOutput()
    {
        // Numbers from vercel xai-tool-call.json (§2.7): total 588 = 333 prompt+completion + 255 reasoning.
        string body = """
            {"id":"x1","object":"chat.completion","created":1,"model":"grok-4","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":300,"completion_tokens":33,"total_tokens":588,"prompt_tokens_details":{"text_tokens":300,"image_tokens":0,"cached_tokens":5},"completion_tokens_details":{"reasoning_tokens":255}}}
            """;
        _server.Enqueue(FakeTurn.Raw("application/json", body));

        ChatResponse response = await _server.CreateClient("xai/grok-4").GetResponseAsync("hi");

        response.Usage!.OutputTokenCount.ShouldBe(288);
        response.Usage.ReasoningTokenCount.ShouldBe(255);
        response.Usage.TotalTokenCount.ShouldBe(588);
    }

    [Fact]
    public async Task Response_MistralArrayContentWithThinking_SplitsReasoningFromText()
    {
        string body = """
            {"id":"m1","object":"chat.completion","created":1,"model":"magistral-medium","choices":[{"index":0,"message":{"role":"assistant",
             "content":[{"type":"thinking","thinking":[{"type":"text","text":"Let me think."}]},{"type":"text","text":"42"}]},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}
            """;
        _server.Enqueue(FakeTurn.Raw("application/json", body));

        ChatResponse response = await _server.CreateClient("mistral/magistral-medium").GetResponseAsync("?");

        response.Text.ShouldBe("42");
        response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ShouldHaveSingleItem().Text.ShouldBe("Let me think.");
    }

    [Fact]
    public async Task Azure_UsesDeploymentPathApiVersionAndApiKeyHeader()
    {
        _server.Enqueue(FakeTurn.Text("hi"));
        var env = new Dictionary<string, string?>
        {
            ["AZURE_OPENAI_API_KEY"] = "azure-key",
            ["AZURE_OPENAI_ENDPOINT"] = _server.BaseUri.AbsoluteUri,
        };
        IChatClient chat = new ProviderRegistry(name => env.GetValueOrDefault(name)).Create("azure/my-gpt4o-deployment");

        await chat.GetResponseAsync("hello");

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/openai/deployments/my-gpt4o-deployment/chat/completions");
        request.Query.ShouldBe("?api-version=2024-10-21");
        request.Headers["api-key"].ShouldBe("azure-key");
        request.Headers.ContainsKey("Authorization").ShouldBeFalse();
    }

    [Theory]
    [InlineData("groq", "GROQ", "/openai/v1")]
    [InlineData("mistral", "MISTRAL", "/v1")]
    [InlineData("deepseek", "DEEPSEEK", "/v1")]
    [InlineData("openrouter", "OPENROUTER", "/api/v1")]
    [InlineData("together", "TOGETHER", "/v1")]
    [InlineData("xai", "XAI", "/v1")]
    [InlineData("fireworks", "FIREWORKS", "/inference/v1")]
    [InlineData("lmstudio", "LMSTUDIO", "/v1")]
    [InlineData("vllm", "VLLM", "/v1")]
    [InlineData("openai-compatible", "OPENAI_COMPATIBLE", "/custom/v1")]
    public async Task Presets_ReadKeyAndBaseUrlFromTheirVariables(string provider, string prefix, string basePath)
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        var env = new Dictionary<string, string?>
        {
            [$"{prefix}_API_KEY"] = $"{provider}-key",
            [$"{prefix}_BASE_URL"] = _server.BaseUri.AbsoluteUri.TrimEnd('/') + basePath,
        };
        IChatClient chat = new ProviderRegistry(name => env.GetValueOrDefault(name)).Create($"{provider}/some-model");

        ChatResponse response = await chat.GetResponseAsync("hello");

        response.Text.ShouldBe("ok");
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe(basePath + "/chat/completions");
        request.Headers["Authorization"].ShouldBe($"Bearer {provider}-key");
        request.Json.GetProperty("model").GetString().ShouldBe("some-model");
        chat.GetService<ChatClientMetadata>()!.ProviderName.ShouldBe(provider);
    }
}
