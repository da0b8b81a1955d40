using System.Net;
using System.Text.Json;

namespace Allos.IntegrationTests.GatewayServer;

/// <summary>POST /v1/chat/completions without streaming, over raw HTTP: the exact bytes a client reads, from each upstream format.</summary>
public sealed class OpenAIIngressTests : IAsyncLifetime
{
    private OpenAIIngressFixture _fx = null!;

    public async Task InitializeAsync() => _fx = await OpenAIIngressFixture.StartAsync();

    public async Task DisposeAsync() => await _fx.DisposeAsync();

    [Theory]
    [MemberData(nameof(OpenAIIngressFixture.Upstreams), MemberType = typeof(OpenAIIngressFixture))]
    public async Task ChatCompletions_PlainText_IsOpenAIsChatCompletionWithTheAliasAsModel(string alias)
    {
        _fx.Upstream.Enqueue(FakeTurn.Text("Hello there!").WithUsage(12, 3));

        using HttpResponseMessage response = await _fx.PostAsync($$$$"""{"model":"{{{{alias}}}}","messages":[{"role":"user","content":"Hi"}]}""");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        OpenAIIngressFixture.Normalize(await response.Content.ReadAsStringAsync()).ShouldBe(
            $$$$"""{"id":"chatcmpl-ID","object":"chat.completion","created":0,"model":"{{{{alias}}}}","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there!","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}""");
    }

    [Theory]
    [MemberData(nameof(OpenAIIngressFixture.Upstreams), MemberType = typeof(OpenAIIngressFixture))]
    public async Task ChatCompletions_ParallelToolCalls_AreToolCallsWithStringArguments(string alias)
    {
        _fx.Upstream.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("call_a", "get_weather", """{"city":"Paris"}"""), new FakeToolCall("call_b", "get_weather", """{"city":"Rome"}""")).WithUsage(40, 20));

        using HttpResponseMessage response = await _fx.PostAsync($$$$"""
            {"model":"{{{{alias}}}}","messages":[{"role":"user","content":"Weather in Paris and Rome?"}],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],
             "tool_choice":"auto","parallel_tool_calls":true}
            """);

        string body = OpenAIIngressFixture.Normalize(await response.Content.ReadAsStringAsync());
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        using JsonDocument json = JsonDocument.Parse(body);
        JsonElement message = json.RootElement.GetProperty("choices")[0].GetProperty("message");
        message.GetProperty("content").ValueKind.ShouldBe(JsonValueKind.Null);
        JsonElement calls = message.GetProperty("tool_calls");
        calls.GetArrayLength().ShouldBe(2);
        string expectedFirstId = alias is "ge" or "ol" ? calls[0].GetProperty("id").GetString()! : "call_a"; // Gemini and Ollama send no ids: the codec makes them
        calls[0].GetRawText().ShouldBe($$$$"""{"id":"{{{{expectedFirstId}}}}","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}""");
        calls[1].GetProperty("function").GetProperty("arguments").GetString().ShouldBe("""{"city":"Rome"}""");
        json.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("tool_calls");

        // The tool's schema reached the upstream in its own format.
        _fx.Upstream.Requests[^1].Body.ShouldContain("get_weather");
        _fx.Upstream.Requests[^1].Body.ShouldContain("Weather for a city");
    }

    [Fact]
    public async Task ChatCompletions_CachedAndReasoningTokens_AreInUsageDetailsAndReasoningIsReasoningContent()
    {
        _fx.Upstream.Enqueue(FakeTurn.Text("42").WithReasoning("Let me think.").WithUsage(1000, 50, cachedInputTokens: 800, reasoningTokens: 30));

        using HttpResponseMessage response = await _fx.PostAsync("""{"model":"oa","messages":[{"role":"user","content":"Answer?"}],"reasoning_effort":"high"}""");

        OpenAIIngressFixture.Normalize(await response.Content.ReadAsStringAsync()).ShouldBe(
            """{"id":"chatcmpl-ID","object":"chat.completion","created":0,"model":"oa","choices":[{"index":0,"message":{"role":"assistant","content":"42","reasoning_content":"Let me think.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":50,"total_tokens":1050,"prompt_tokens_details":{"cached_tokens":800},"completion_tokens_details":{"reasoning_tokens":30}}}""");
        _fx.Upstream.Requests[^1].Json.GetProperty("reasoning_effort").GetString().ShouldBe("high");
    }

    [Fact]
    public async Task ChatCompletions_CachedTokensFromAnthropic_AreCachedTokens()
    {
        _fx.Upstream.Enqueue(FakeTurn.Text("ok").WithUsage(100, 5, cachedInputTokens: 60));

        using HttpResponseMessage response = await _fx.PostAsync("""{"model":"an","messages":[{"role":"user","content":"Hi"}]}""");

        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32().ShouldBe(60);
    }

    [Fact]
    public async Task ChatCompletions_JsonSchemaAndSampling_ReachTheUpstream()
    {
        _fx.Upstream.Enqueue(FakeTurn.Text("""{"answer":4}"""));

        using HttpResponseMessage response = await _fx.PostAsync("""
            {"model":"oa","messages":[{"role":"system","content":"Be exact."},{"role":"developer","content":"JSON only."},{"role":"user","content":"2+2"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"sum","strict":true,"schema":{"type":"object","properties":{"answer":{"type":"integer"}},"required":["answer"]}}},
             "temperature":0.2,"top_p":0.9,"max_completion_tokens":50,"stop":"END","seed":7,"frequency_penalty":0.5,"presence_penalty":0.25,"user":"u-1","n":1,
             "some_future_field":{"ignored":true}}
            """);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        JsonElement sent = _fx.Upstream.Requests[^1].Json;
        JsonElement format = sent.GetProperty("response_format");
        format.GetProperty("type").GetString().ShouldBe("json_schema");
        format.GetProperty("json_schema").GetProperty("name").GetString().ShouldBe("sum");
        format.GetProperty("json_schema").GetProperty("schema").GetProperty("required")[0].GetString().ShouldBe("answer");
        format.GetProperty("json_schema").GetProperty("strict").GetBoolean().ShouldBeTrue("the caller asked for strict");
        sent.TryGetProperty("allos.strict_json_schema", out _).ShouldBeFalse("the gateway's note is not a request field");
        sent.GetProperty("temperature").GetDouble().ShouldBe(0.2, 1e-6);
        sent.GetProperty("top_p").GetDouble().ShouldBe(0.9, 1e-6);
        sent.GetProperty("stop")[0].GetString().ShouldBe("END");
        sent.GetProperty("seed").GetInt64().ShouldBe(7);
        sent.GetProperty("frequency_penalty").GetDouble().ShouldBe(0.5, 1e-6);
        sent.GetProperty("presence_penalty").GetDouble().ShouldBe(0.25, 1e-6);
        (sent.TryGetProperty("max_completion_tokens", out JsonElement max) ? max : sent.GetProperty("max_tokens")).GetInt32().ShouldBe(50);
        sent.TryGetProperty("user", out _).ShouldBeFalse("the caller's user is the gateway's to record, not the upstream's");
        sent.TryGetProperty("some_future_field", out _).ShouldBeFalse();
        sent.GetProperty("messages")[0].GetProperty("role").GetString().ShouldBe("system");
        sent.GetProperty("messages").GetArrayLength().ShouldBe(3);
    }

    [Fact]
    public async Task ChatCompletions_JsonSchemaWithoutStrict_SendsNoStrict()
    {
        _fx.Upstream.Enqueue(FakeTurn.Text("""{"answer":4}"""));

        using HttpResponseMessage response = await _fx.PostAsync("""
            {"model":"oa","messages":[{"role":"user","content":"2+2"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"sum","strict":false,"schema":{"type":"object"}}}}
            """);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        _fx.Upstream.Requests[^1].Json.GetProperty("response_format").GetProperty("json_schema").TryGetProperty("strict", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task ChatCompletions_Images_DataUrlsAndHttpUrlsReachTheUpstream()
    {
        _fx.Upstream.Enqueue(FakeTurn.Text("A red pixel and a cat."));
        const string Pixel = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

        using HttpResponseMessage response = await _fx.PostAsync($$$$"""
            {"model":"oa","messages":[{"role":"user","content":[{"type":"text","text":"What are these?"},
              {"type":"image_url","image_url":{"url":"{{{{Pixel}}}}","detail":"low"}},
              {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}]}
            """);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        JsonElement parts = _fx.Upstream.Requests[^1].Json.GetProperty("messages")[0].GetProperty("content");
        parts.GetArrayLength().ShouldBe(3);
        parts[0].GetProperty("text").GetString().ShouldBe("What are these?");
        parts[1].GetProperty("image_url").GetProperty("url").GetString().ShouldBe(Pixel);
        parts[2].GetProperty("image_url").GetProperty("url").GetString().ShouldBe("https://example.com/cat.jpg");
    }

    [Fact]
    public async Task ChatCompletions_ImageToAnthropic_IsABase64Source()
    {
        _fx.Upstream.Enqueue(FakeTurn.Text("A pixel."));

        using HttpResponseMessage response = await _fx.PostAsync("""
            {"model":"an","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},{"type":"text","text":"What?"}]}]}
            """);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        JsonElement block = _fx.Upstream.Requests[^1].Json.GetProperty("messages")[0].GetProperty("content")[0];
        block.GetProperty("type").GetString().ShouldBe("image");
        block.GetProperty("source").GetProperty("data").GetString().ShouldBe("iVBORw0KGgo=");
    }

    [Theory]
    [MemberData(nameof(OpenAIIngressFixture.Upstreams), MemberType = typeof(OpenAIIngressFixture))]
    public async Task ChatCompletions_ToolResultHistory_ReachesTheUpstreamPaired(string alias)
    {
        _fx.Upstream.Enqueue(FakeTurn.Text("It is sunny in Paris."));

        using HttpResponseMessage response = await _fx.PostAsync("""
            {"model":"ALIAS","messages":[
              {"role":"user","content":"Weather in Paris?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"sunny, 21C"}],
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}
            """.Replace("ALIAS", alias, StringComparison.Ordinal));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        string sent = _fx.Upstream.Requests[^1].Body;
        sent.ShouldContain("sunny, 21C");
        sent.ShouldContain("Paris");
        sent.ShouldContain("get_weather");
    }

    [Fact]
    public async Task ChatCompletions_NamedToolChoice_IsRequiredThatFunction()
    {
        _fx.Upstream.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("call_1", "lookup", "{}")));

        using HttpResponseMessage response = await _fx.PostAsync("""
            {"model":"oa","messages":[{"role":"user","content":"Look it up"}],
             "tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{}}}}],
             "tool_choice":{"type":"function","function":{"name":"lookup"}}}
            """);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        _fx.Upstream.Requests[^1].Json.GetProperty("tool_choice").GetProperty("function").GetProperty("name").GetString().ShouldBe("lookup");
    }
}
