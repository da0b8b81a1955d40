using System.Net;
using System.Text.Json;

namespace Allos.IntegrationTests.GatewayServer;

/// <summary>
/// <c>POST /v1/messages</c> (whole answers) and <c>/v1/messages/count_tokens</c> over raw HTTP against the real server,
/// with each of the Anthropic, OpenAI, Gemini and Ollama fakes as the upstream.
/// </summary>
public sealed class AnthropicIngressTests : IAsyncLifetime
{
    /// <summary>A thinking signature as Anthropic sends them (base64 of a protobuf; long, with '+', '/' and '=').</summary>
    internal const string Signature =
        "ErUBCkYIBxgCIkB3JZ+Qq0vT8mRp/3n6yXb1hZr0d7Ue4Wc2LkOa9sVfNqHjEiTgYpMxUo5RlDzKwAe8Cb+1Ns4Ih7Fq2mGvEgxq3yWz0uV9tLbK1cMaDPo"
        + "Rm5sTuVwXyZaBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789+/AbCdEfGhIjKlMnOpQrStUvWxYz==";

    internal const string RedactedData =
        "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB8URj2pabvu+nl7+/JhkZQ==";

    private AnthropicGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await AnthropicGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Messages_TextFromAnthropic_ReturnsTheMessageJsonWithTheCallersModel()
    {
        _gateway.Upstream.Enqueue(FakeTurn.Text("Hello from Claude.").WithUsage(25, 7));

        using HttpResponseMessage response = await _gateway.PostAsync("""{"model":"claude","max_tokens":256,"messages":[{"role":"user","content":"Hi"}]}""");
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        AnthropicGateway.NormalizeIds(body).ShouldBe(
            """{"id":"msg_ID","type":"message","role":"assistant","model":"claude","content":[{"type":"text","text":"Hello from Claude."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":7}}""");

        // The upstream's own message id reaches the caller.
        JsonDocument.Parse(body).RootElement.GetProperty("id").GetString().ShouldStartWith("msg_fake");
        RecordedRequest upstream = _gateway.Upstream.Requests.ShouldHaveSingleItem();
        upstream.Path.ShouldBe("/v1/messages");
        upstream.Json.GetProperty("model").GetString().ShouldBe("claude-sonnet-4-5");
        upstream.Json.GetProperty("max_tokens").GetInt32().ShouldBe(256);
        upstream.Json.GetProperty("messages").GetRawText().ShouldBe("""[{"role":"user","content":[{"type":"text","text":"Hi"}]}]""");

        // The caller's betas reach the Anthropic upstream as they came (Claude Code's need them).
        upstream.Headers["anthropic-beta"].ShouldBe("prompt-caching-2024-07-31,interleaved-thinking-2025-05-14");
    }

    [Fact]
    public async Task Messages_ToAnOpenAIUpstream_SendsNoAnthropicHeadersOrBetaField()
    {
        _gateway.Upstream.Enqueue(FakeTurn.Text("Hi."));

        using HttpResponseMessage response = await _gateway.PostAsync("""{"model":"gpt","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}""");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        RecordedRequest upstream = _gateway.Upstream.Requests.ShouldHaveSingleItem();
        upstream.Headers.Keys.ShouldNotContain(key => key.StartsWith("anthropic", StringComparison.OrdinalIgnoreCase));
        upstream.Body.ShouldNotContain("beta");
    }

    [Fact]
    public async Task Messages_EveryFieldToAnthropic_ReachesTheUpstreamUnchanged()
    {
        _gateway.Upstream.Enqueue(FakeTurn.Text("Done."));
        string request = $$$$"""
            {
              "model": "claude", "max_tokens": 8192, "unknown_field": {"ignored": true},
              "system": [{"type":"text","text":"You are terse."},{"type":"text","text":"Project rules.","cache_control":{"type":"ephemeral"}}],
              "messages": [
                {"role":"user","content":[
                  {"type":"text","text":"What is in these?"},
                  {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
                  {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]},
                {"role":"assistant","content":[
                  {"type":"thinking","thinking":"Look at both.","signature":"{{{{Signature}}}}"},
                  {"type":"redacted_thinking","data":"{{{{RedactedData}}}}"},
                  {"type":"text","text":"Checking."},
                  {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris","days":[1,2]}}]},
                {"role":"user","content":[
                  {"type":"tool_result","tool_use_id":"toolu_01A","content":[{"type":"text","text":"18C"}],"cache_control":{"type":"ephemeral","ttl":"1h"}},
                  {"type":"text","text":"And tomorrow?"}]}
              ],
              "tools": [{"name":"get_weather","description":"Weather by city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"cache_control":{"type":"ephemeral"}}],
              "tool_choice": {"type":"auto","disable_parallel_tool_use":true},
              "temperature": 0.5, "top_p": 0.9, "top_k": 40, "stop_sequences": ["END"],
              "thinking": {"type":"enabled","budget_tokens":2000},
              "metadata": {"user_id":"user-42"}
            }
            """;

        using HttpResponseMessage response = await _gateway.PostAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        JsonElement sent = _gateway.Upstream.Requests.ShouldHaveSingleItem().Json;
        sent.GetProperty("system").GetRawText().ShouldBe("""[{"type":"text","text":"You are terse."},{"type":"text","text":"Project rules.","cache_control":{"type":"ephemeral"}}]""");
        JsonElement messages = sent.GetProperty("messages");
        messages.GetArrayLength().ShouldBe(3);
        messages[0].GetRawText().ShouldBe(
            """{"role":"user","content":[{"type":"text","text":"What is in these?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]}""");
        // The codec's writer escapes '+' as \u002B: the same JSON string, which is what Anthropic verifies.
        messages[1].GetProperty("content")[0].GetProperty("signature").GetString().ShouldBe(Signature);
        messages[1].GetProperty("content")[1].GetProperty("data").GetString().ShouldBe(RedactedData);
        messages[1].GetRawText().Replace("\\u002B", "+", StringComparison.Ordinal).ShouldBe(
            $$$$"""{"role":"assistant","content":[{"type":"thinking","thinking":"Look at both.","signature":"{{{{Signature}}}}"},{"type":"redacted_thinking","data":"{{{{RedactedData}}}}"},{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris","days":[1,2]}}]}""");
        messages[2].GetRawText().ShouldBe(
            """{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"18C","cache_control":{"type":"ephemeral","ttl":"1h"}},{"type":"text","text":"And tomorrow?"}]}""");
        JsonElement tool = sent.GetProperty("tools").EnumerateArray().ShouldHaveSingleItem();
        tool.GetProperty("name").GetString().ShouldBe("get_weather");
        tool.GetProperty("description").GetString().ShouldBe("Weather by city");
        tool.GetProperty("input_schema").GetProperty("required")[0].GetString().ShouldBe("city");
        tool.GetProperty("cache_control").GetRawText().ShouldBe("""{"type":"ephemeral"}""");
        sent.GetProperty("tool_choice").GetRawText().ShouldBe("""{"type":"auto","disable_parallel_tool_use":true}""");
        sent.GetProperty("thinking").GetRawText().ShouldBe("""{"type":"enabled","budget_tokens":2000}""");
        sent.GetProperty("max_tokens").GetInt32().ShouldBe(8192);
        sent.GetProperty("temperature").GetDouble().ShouldBe(0.5, 1e-6);
        sent.GetProperty("top_p").GetDouble().ShouldBe(0.9, 1e-6);
        sent.GetProperty("top_k").GetInt32().ShouldBe(40);
        sent.GetProperty("stop_sequences").GetRawText().ShouldBe("""["END"]""");
        sent.TryGetProperty("unknown_field", out _).ShouldBeFalse();
        sent.TryGetProperty("metadata", out _).ShouldBeFalse();
        _gateway.Upstream.Requests[0].Body.ShouldNotContain("allos.");
    }

    [Fact]
    public async Task Messages_ToolResultWithIsError_ReachesAnthropicAsAnError()
    {
        _gateway.Upstream.Enqueue(FakeTurn.Text("Sorry."));
        using HttpResponseMessage response = await _gateway.PostAsync("""
            {"model":"claude","max_tokens":100,"messages":[
              {"role":"user","content":"Weather?"},
              {"role":"assistant","content":[{"type":"tool_use","id":"toolu_9","name":"get_weather","input":{}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_9","content":"city not found","is_error":true}]}]}
            """);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        JsonElement result = _gateway.Upstream.Requests.ShouldHaveSingleItem().Json.GetProperty("messages")[2].GetProperty("content")[0];
        result.GetRawText().ShouldBe("""{"type":"tool_result","tool_use_id":"toolu_9","content":"city not found","is_error":true}""");
    }

    [Fact]
    public async Task Messages_ThinkingFromAnthropic_ReachesTheCallerByteForByte()
    {
        _gateway.Upstream.Enqueue(FakeTurn.Empty().WithReasoning("Six times seven.", Signature).WithText("42.").WithUsage(30, 12));

        using HttpResponseMessage response = await _gateway.PostAsync("""{"model":"claude","max_tokens":4096,"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"6*7?"}]}""");
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        JsonDocument.Parse(body).RootElement.GetProperty("content").GetRawText().ShouldBe(
            $$$$"""[{"type":"thinking","thinking":"Six times seven.","signature":"{{{{Signature}}}}"},{"type":"text","text":"42."}]""");
    }

    [Fact]
    public async Task Messages_RedactedThinkingStopSequenceAndCacheUsage_MapBackExactly()
    {
        _gateway.Upstream.Enqueue(FakeTurn.Raw("application/json", $$$$"""
            {"id":"msg_01XYZ","type":"message","role":"assistant","model":"claude-sonnet-4-5",
             "content":[{"type":"redacted_thinking","data":"{{{{RedactedData}}}}"},{"type":"text","text":"Counting: 1, 2"}],
             "stop_reason":"stop_sequence","stop_sequence":"3",
             "usage":{"input_tokens":10,"cache_creation_input_tokens":300,"cache_read_input_tokens":2000,"output_tokens":5}}
            """));

        using HttpResponseMessage response = await _gateway.PostAsync("""{"model":"claude","max_tokens":100,"stop_sequences":["3"],"messages":[{"role":"user","content":"Count"}]}""");
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldBe($$$$"""{"id":"msg_01XYZ","type":"message","role":"assistant","model":"claude","content":[{"type":"redacted_thinking","data":"{{{{RedactedData}}}}"},{"type":"text","text":"Counting: 1, 2"}],"stop_reason":"stop_sequence","stop_sequence":"3","usage":{"input_tokens":10,"cache_creation_input_tokens":300,"cache_read_input_tokens":2000,"output_tokens":5}}""");
    }

    [Fact]
    public async Task Messages_CachedTokensFromOpenAI_MapToCacheReadInputTokens()
    {
        _gateway.Upstream.Enqueue(FakeTurn.Text("cached").WithUsage(1200, 9, cachedInputTokens: 1000));

        using HttpResponseMessage response = await _gateway.PostAsync("""{"model":"gpt","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]}""");
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        JsonDocument.Parse(body).RootElement.GetProperty("usage").GetRawText().ShouldBe(
            """{"input_tokens":200,"cache_creation_input_tokens":0,"cache_read_input_tokens":1000,"output_tokens":9}""");
    }

    public static TheoryData<string, FakeWireFormat, string> OtherUpstreams => new()
    {
        { "gpt", FakeWireFormat.OpenAI, "/v1/chat/completions" },
        { "gemini", FakeWireFormat.Gemini, "/v1beta/models/gemini-2.5-flash:generateContent" },
        { "llama", FakeWireFormat.Ollama, "/api/chat" },
    };

    [Theory]
    [MemberData(nameof(OtherUpstreams))]
    public async Task Messages_ToolUseFromOtherUpstreams_ReturnsToolUseBlocks(string alias, FakeWireFormat format, string path)
    {
        _gateway.Upstream.Enqueue(FakeTurn.Text("Let me check.").WithToolCall("call_1", "get_weather", """{"city":"Paris"}""").WithUsage(30, 12));

        using HttpResponseMessage response = await _gateway.PostAsync($$$$"""
            {"model":"{{{{alias}}}}","max_tokens":100,"system":"Be brief.",
             "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}} }],
             "messages":[{"role":"user","content":"Weather in Paris?"}]}
            """);
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        JsonElement message = JsonDocument.Parse(body).RootElement;
        message.GetProperty("model").GetString().ShouldBe(alias);
        message.GetProperty("stop_reason").GetString().ShouldBe("tool_use");
        JsonElement content = message.GetProperty("content");
        content.GetArrayLength().ShouldBe(2);
        content[0].GetRawText().ShouldBe("""{"type":"text","text":"Let me check."}""");
        content[1].GetProperty("type").GetString().ShouldBe("tool_use");
        content[1].GetProperty("id").GetString().ShouldNotBeNullOrEmpty();
        content[1].GetProperty("name").GetString().ShouldBe("get_weather");
        content[1].GetProperty("input").GetRawText().ShouldBe("""{"city":"Paris"}""");
        message.GetProperty("usage").GetProperty("input_tokens").GetInt32().ShouldBe(30);
        message.GetProperty("usage").GetProperty("output_tokens").GetInt32().ShouldBe(12);
        RecordedRequest upstream = _gateway.Upstream.Requests.ShouldHaveSingleItem();
        upstream.Format.ShouldBe(format);
        upstream.Path.ShouldBe(path);
        upstream.Body.ShouldContain("Be brief.");
        upstream.Body.ShouldContain("get_weather");
    }

    [Fact]
    public async Task Messages_ToolResultsToOpenAI_BecomeToolMessages()
    {
        _gateway.Upstream.Enqueue(FakeTurn.Text("It is 18C."));

        using HttpResponseMessage response = await _gateway.PostAsync("""
            {"model":"gpt","max_tokens":100,"messages":[
              {"role":"user","content":"Weather?"},
              {"role":"assistant","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"18C"}]}]}
            """);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        JsonElement messages = _gateway.Upstream.Requests.ShouldHaveSingleItem().Json.GetProperty("messages");
        JsonElement call = messages[1].GetProperty("tool_calls")[0];
        call.GetProperty("id").GetString().ShouldBe("toolu_01A");
        call.GetProperty("function").GetProperty("name").GetString().ShouldBe("get_weather");
        call.GetProperty("function").GetProperty("arguments").GetString().ShouldBe("""{"city":"Paris"}""");
        messages[2].GetProperty("role").GetString().ShouldBe("tool");
        messages[2].GetProperty("tool_call_id").GetString().ShouldBe("toolu_01A");
        messages[2].GetProperty("content").GetString().ShouldBe("18C");
    }

    public static TheoryData<string, string> BadRequests => new()
    {
        { """{"model":"claude","messages":[{"role":"user","content":"Hi"}]}""", "max_tokens: Field required" },
        { """{"max_tokens":10,"messages":[]}""", "model: Field required" },
        { """{"model":"claude","max_tokens":"ten","messages":[]}""", "max_tokens: Input should be a positive integer" },
        { """{"model":"claude","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":5}]}]}""", "messages.0.content.0.text: Input should be a valid string" },
        { """{"model":"claude","max_tokens":10,"messages":[{"role":"system","content":"x"}]}""", "messages.0.role: Input should be 'user' or 'assistant', not 'system'" },
        { """{"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"sometimes"}}""", "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none', not 'sometimes'" },
        { """{"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"}],"stream":"yes"}""", "stream: Input should be a valid boolean" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Messages_InvalidRequest_Returns400NamingTheField(string request, string message)
    {
        using HttpResponseMessage response = await _gateway.PostAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        JsonElement body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        body.GetProperty("type").GetString().ShouldBe("error");
        body.GetProperty("error").GetProperty("type").GetString().ShouldBe("invalid_request_error");
        body.GetProperty("error").GetProperty("message").GetString().ShouldBe(message);
        _gateway.Upstream.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Messages_MalformedJson_Returns400()
    {
        using HttpResponseMessage response = await _gateway.PostAsync("""{"model":"claude","max_tokens":10,""");
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        JsonElement error = JsonDocument.Parse(body).RootElement;
        error.GetProperty("type").GetString().ShouldBe("error");
        error.GetProperty("error").GetProperty("type").GetString().ShouldBe("invalid_request_error");
        error.GetProperty("error").GetProperty("message").GetString()!.ShouldStartWith("The request body is not valid JSON");
    }

    [Fact]
    public async Task Messages_UnknownModel_Returns400()
    {
        using HttpResponseMessage response = await _gateway.PostAsync("""{"model":"no-such-alias","max_tokens":10,"messages":[{"role":"user","content":"x"}]}""");
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body);
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("invalid_request_error");
    }

    [Fact]
    public async Task Messages_UpstreamRateLimited_Returns429WithRetryAfter()
    {
        _gateway.Upstream.Enqueue(FakeTurn.ProviderError(429, "Number of request tokens has exceeded your per-minute rate limit").WithHeader("retry-after", "7"));

        using HttpResponseMessage response = await _gateway.PostAsync("""{"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"}]}""");
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, body);
        response.Headers.GetValues("retry-after").ShouldBe(["7"]);
        JsonElement error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        error.GetProperty("type").GetString().ShouldBe("rate_limit_error");
        error.GetProperty("message").GetString()!.ShouldContain("per-minute rate limit");
    }

    [Fact]
    public async Task Messages_Upstream500_Returns502ApiErrorWithoutTheUpstreamKey()
    {
        _gateway.Upstream.Enqueue(FakeTurn.ProviderError(500, "Internal server error"));

        using HttpResponseMessage response = await _gateway.PostAsync("""{"model":"gpt","max_tokens":10,"messages":[{"role":"user","content":"x"}]}""");
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway, body);
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("api_error");
        body.ShouldNotContain("sk-upstream-secret");
    }

    [Fact]
    public async Task Messages_UpstreamOverloaded_Returns529OverloadedError()
    {
        _gateway.Upstream.Enqueue(FakeTurn.ProviderError(529, "Overloaded"));

        using HttpResponseMessage response = await _gateway.PostAsync("""{"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"}]}""");
        string body = await response.Content.ReadAsStringAsync();

        ((int)response.StatusCode).ShouldBe(529, body);
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("overloaded_error");
    }

    [Fact]
    public async Task CountTokens_AnthropicUpstream_ForwardsToItsCountTokens()
    {
        _gateway.Upstream.Enqueue(FakeTurn.Raw("application/json", """{"input_tokens":1234}"""));

        using HttpResponseMessage response = await _gateway.PostAsync(
            """{"model":"claude","system":"Be brief.","messages":[{"role":"user","content":"Hi"}],"tools":[{"name":"t","input_schema":{"type":"object"}}]}""",
            "/v1/messages/count_tokens");
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldBe("""{"input_tokens":1234}""");
        response.Headers.GetValues("allos-token-count-method").ShouldBe(["exact"]);
        RecordedRequest upstream = _gateway.Upstream.Requests.ShouldHaveSingleItem();
        upstream.Path.ShouldBe("/v1/messages/count_tokens");
        upstream.Headers["x-api-key"].ShouldBe("sk-upstream-secret");
        upstream.Body.ShouldBe("""{"model":"claude-sonnet-4-5","system":"Be brief.","messages":[{"role":"user","content":"Hi"}],"tools":[{"name":"t","input_schema":{"type":"object"}}]}""");
    }

    [Fact]
    public async Task CountTokens_OtherUpstream_EstimatesWithoutCallingIt()
    {
        static string Request(string text) => $$$$"""{"model":"gpt","messages":[{"role":"user","content":"{{{{text}}}}"}]}""";

        using HttpResponseMessage small = await _gateway.PostAsync(Request("Hi"), "/v1/messages/count_tokens");
        using HttpResponseMessage large = await _gateway.PostAsync(Request(string.Join(' ', Enumerable.Repeat("The quick brown fox jumps.", 50))), "/v1/messages/count_tokens");

        small.StatusCode.ShouldBe(HttpStatusCode.OK);
        long smallCount = JsonDocument.Parse(await small.Content.ReadAsStringAsync()).RootElement.GetProperty("input_tokens").GetInt64();
        long largeCount = JsonDocument.Parse(await large.Content.ReadAsStringAsync()).RootElement.GetProperty("input_tokens").GetInt64();
        smallCount.ShouldBeGreaterThan(0);
        largeCount.ShouldBeGreaterThan(smallCount + 200);
        _gateway.Upstream.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task CountTokens_GeminiUpstream_AsksItsCountTokensAndSaysExact()
    {
        _gateway.Upstream.Enqueue(FakeTurn.TokenCount(321));

        using HttpResponseMessage response = await _gateway.PostAsync(
            """{"model":"gemini","system":"Be brief.","messages":[{"role":"user","content":"Hi"}],"tools":[{"name":"t","input_schema":{"type":"object"}}]}""",
            "/v1/messages/count_tokens");
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldBe("""{"input_tokens":321}""");
        response.Headers.GetValues("allos-token-count-method").ShouldBe(["exact"]);
        RecordedRequest upstream = _gateway.Upstream.Requests.ShouldHaveSingleItem();
        upstream.Path.ShouldBe("/v1beta/models/gemini-2.5-flash:countTokens");
        upstream.Headers["x-goog-api-key"].ShouldBe("sk-upstream-secret");
        JsonElement generate = upstream.Json.GetProperty("generateContentRequest");
        generate.GetProperty("model").GetString().ShouldBe("models/gemini-2.5-flash");
        generate.GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString().ShouldBe("Be brief.");
        generate.GetProperty("tools")[0].GetProperty("functionDeclarations")[0].GetProperty("name").GetString().ShouldBe("t");
    }

    [Fact]
    public async Task CountTokens_GeminiUpstreamFails_AnswersTheErrorWithoutAnEstimate()
    {
        _gateway.Upstream.Enqueue(FakeTurn.ProviderError(403, "Permission denied"));

        using HttpResponseMessage response = await _gateway.PostAsync("""{"model":"gemini","messages":[{"role":"user","content":"Hi"}]}""", "/v1/messages/count_tokens");
        string body = await response.Content.ReadAsStringAsync();

        response.IsSuccessStatusCode.ShouldBeFalse(body);
        body.ShouldNotContain("input_tokens");
        body.ShouldNotContain("sk-upstream-secret");
    }

    [Fact]
    public async Task CountTokens_OpenAIUpstream_CountsWithTheTokenizer()
    {
        using HttpResponseMessage response = await _gateway.PostAsync("""{"model":"gpt","messages":[{"role":"user","content":"Hi"}]}""", "/v1/messages/count_tokens");
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);

        // 3 per message + "user" + "Hi" + 3 to prime the reply, in gpt-4o-mini's o200k_base.
        body.ShouldBe("""{"input_tokens":8}""");
        response.Headers.GetValues("allos-token-count-method").ShouldBe(["tokenizer"]);
        _gateway.Upstream.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task CountTokens_OllamaUpstream_EstimatesAndSaysSo()
    {
        using HttpResponseMessage response = await _gateway.PostAsync("""{"model":"llama","messages":[{"role":"user","content":"Hi"}]}""", "/v1/messages/count_tokens");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("allos-token-count-method").ShouldBe(["estimate"]);
        _gateway.Upstream.Requests.ShouldBeEmpty();
    }
}
