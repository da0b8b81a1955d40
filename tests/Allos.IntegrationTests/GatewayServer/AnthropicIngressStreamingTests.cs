using System.Net;
using System.Text.Json;

namespace Allos.IntegrationTests.GatewayServer;

/// <summary><c>POST /v1/messages</c> with <c>"stream": true</c>: the exact server-sent events, errors before and after the first event, and disconnects.</summary>
public sealed class AnthropicIngressStreamingTests : IAsyncLifetime
{
    private const string Signature = AnthropicIngressTests.Signature;

    private AnthropicGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await AnthropicGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static string Request(string model, string extra = "") =>
        $$"""{"model":"{{model}}","max_tokens":1024,"stream":true{{extra}},"messages":[{"role":"user","content":"Hi"}]}""";

    [Fact]
    public async Task Stream_TextFromAnthropic_WritesTheExactEventSequence()
    {
        _gateway.Upstream.Enqueue(FakeTurn.Text("Hello there").WithTextChunkSize(5).WithUsage(25, 7));

        using HttpResponseMessage response = await _gateway.PostAsync(Request("claude"));
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        AnthropicGateway.NormalizeIds(body).ShouldBe(string.Concat(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_ID\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            "event: ping\ndata: {\"type\": \"ping\"}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" ther\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"e\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":25,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":7}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
        _gateway.Upstream.Requests.ShouldHaveSingleItem().Streaming.ShouldBeTrue();
    }

    [Fact]
    public async Task Stream_ThinkingTextAndToolUseFromAnthropic_IndexesBlocksAndKeepsTheSignature()
    {
        _gateway.Upstream.Enqueue(FakeTurn.Empty()
            .WithReasoning("Think first.", Signature)
            .WithText("Checking.")
            .WithToolCall("toolu_01A", "get_weather", """{"city":"Paris"}""")
            .WithTextChunkSize(100)
            .WithUsage(40, 20, cachedInputTokens: 30));

        using HttpResponseMessage response = await _gateway.PostAsync(Request("claude", ""","thinking":{"type":"enabled","budget_tokens":1024}"""));
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        List<(string Event, string Data)> events = AnthropicGateway.Events(body);
        events.Select(e => e.Event).ShouldBe([
            "message_start",
            "content_block_start", "ping", "content_block_delta", "content_block_delta", "content_block_stop",
            "content_block_start", "content_block_delta", "content_block_stop",
            "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
            "message_delta", "message_stop"]);
        string[] data = [.. events.Select(e => e.Data)];
        data[0].ShouldContain("""
            "usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":30,"output_tokens":1}
            """, customMessage: "Anthropic reports the input in message_start; so does the gateway");
        data[1].ShouldBe("""{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}""");
        data[3].ShouldBe("""{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Think first."}}""");
        data[4].ShouldBe($$$"""{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"{{{Signature}}}"}}""");
        data[5].ShouldBe("""{"type":"content_block_stop","index":0}""");
        data[6].ShouldBe("""{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}""");
        data[7].ShouldBe("""{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Checking."}}""");
        data[8].ShouldBe("""{"type":"content_block_stop","index":1}""");
        data[9].ShouldBe("""{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{}}}""");
        // The upstream's pieces (8 characters each), as they came.
        data[10].ShouldBe("""{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}""");
        data[11].ShouldBe("""{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}""");
        data[12].ShouldBe("""{"type":"content_block_stop","index":2}""");
        data[13].ShouldBe("""{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":30,"output_tokens":20}}""");
    }

    [Fact]
    public async Task Stream_RedactedThinkingFromAnthropic_IsOneBlockWithItsData()
    {
        const string Data = AnthropicIngressTests.RedactedData;
        _gateway.Upstream.Enqueue(FakeTurn.Raw("text/event-stream",
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01R\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n",
            $"event: content_block_start\ndata: {{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{{\"type\":\"redacted_thinking\",\"data\":\"{Data}\"}}}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Done\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));

        using HttpResponseMessage response = await _gateway.PostAsync(Request("claude"));
        string body = await response.Content.ReadAsStringAsync();

        List<(string Event, string Data)> events = AnthropicGateway.Events(body);
        events[0].Data.ShouldContain("\"id\":\"msg_01R\"");
        events[1].Data.ShouldBe($$$"""{"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"{{{Data}}}"}}""");
        events[2].Event.ShouldBe("ping");
        events[3].Data.ShouldBe("""{"type":"content_block_stop","index":0}""");
        events[4].Data.ShouldBe("""{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}""");
        events[^2].Data.ShouldBe("""{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":9,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":3}}""");
    }

    [Fact]
    public async Task Stream_StopSequenceFromAnthropic_IsInMessageDelta()
    {
        _gateway.Upstream.Enqueue(FakeTurn.Raw("text/event-stream",
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"1, 2\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"stop_sequence\",\"stop_sequence\":\"3\"},\"usage\":{\"output_tokens\":4}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));

        using HttpResponseMessage response = await _gateway.PostAsync(Request("claude", ""","stop_sequences":["3"]"""));
        List<(string Event, string Data)> events = AnthropicGateway.Events(await response.Content.ReadAsStringAsync());

        events[^2].Data.ShouldBe("""{"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"3"},"usage":{"input_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":4}}""");
    }

    [Theory]
    [InlineData("gpt")]
    [InlineData("gemini")]
    [InlineData("llama")]
    public async Task Stream_TextAndToolUseFromOtherUpstreams_WritesAnthropicEvents(string alias)
    {
        _gateway.Upstream.Enqueue(FakeTurn.Text("Let me check.").WithToolCall("call_1", "get_weather", """{"city":"Paris"}""").WithUsage(30, 12));

        using HttpResponseMessage response = await _gateway.PostAsync(Request(alias));
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        List<(string Event, string Data)> events = AnthropicGateway.Events(body);
        events[0].Event.ShouldBe("message_start");
        events[1].Data.ShouldBe("""{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""");
        events[2].Event.ShouldBe("ping");
        string text = string.Concat(events.Where(e => e.Data.Contains("\"text_delta\"", StringComparison.Ordinal))
            .Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("delta").GetProperty("text").GetString()));
        text.ShouldBe("Let me check.");
        int toolStart = events.FindIndex(e => e.Data.Contains("\"tool_use\"", StringComparison.Ordinal));
        events[toolStart - 1].Data.ShouldBe("""{"type":"content_block_stop","index":0}""");
        JsonElement tool = JsonDocument.Parse(events[toolStart].Data).RootElement;
        tool.GetProperty("index").GetInt32().ShouldBe(1);
        tool.GetProperty("content_block").GetProperty("name").GetString().ShouldBe("get_weather");
        // OpenAI streams the arguments in pieces (8 characters each from the fake) and they pass through as they come;
        // Gemini and Ollama send a call whole, so it is one delta.
        int toolStop = events.FindIndex(toolStart, e => e.Event == "content_block_stop");
        string[] pieces = [.. events[(toolStart + 1)..toolStop].Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("delta").GetProperty("partial_json").GetString()!)];
        pieces.Length.ShouldBe(alias == "gpt" ? 2 : 1);
        string.Concat(pieces).ShouldBe("""{"city":"Paris"}""");
        events[toolStop].Data.ShouldBe("""{"type":"content_block_stop","index":1}""");
        events[0].Data.ShouldContain("""
            "usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}
            """, customMessage: "these upstreams report usage only at the end, and an estimate is not a report");
        events[^2].Data.ShouldBe("""{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":30,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":12}}""");
        events[^1].Event.ShouldBe("message_stop");
    }

    [Fact]
    public async Task Stream_UpstreamRateLimitedBeforeTheFirstEvent_Returns429Json()
    {
        _gateway.Upstream.Enqueue(FakeTurn.ProviderError(429, "Slow down").WithHeader("retry-after", "3"));

        using HttpResponseMessage response = await _gateway.PostAsync(Request("claude"));
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, body);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        response.Headers.GetValues("retry-after").ShouldBe(["3"]);
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("rate_limit_error");
    }

    [Fact]
    public async Task Stream_UpstreamDropsMidStream_EndsWithAnErrorEvent()
    {
        // message_start, ping, content_block_start and a few deltas reach the gateway; then the connection drops.
        _gateway.Upstream.Enqueue(FakeTurn.Text("one two three four five six seven").WithTextChunkSize(4).WithChunkDelay(TimeSpan.FromMilliseconds(30)).DropConnectionAfter(6));

        using HttpResponseMessage response = await _gateway.PostAsync(Request("claude"));
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        List<(string Event, string Data)> events = AnthropicGateway.Events(body);
        events.Select(e => e.Event).Distinct().ShouldBe(["message_start", "content_block_start", "ping", "content_block_delta", "error"]);
        events[^2].Event.ShouldBe("content_block_delta");
        JsonElement error = JsonDocument.Parse(events[^1].Data).RootElement;
        error.GetProperty("type").GetString().ShouldBe("error");
        error.GetProperty("error").GetProperty("type").GetString().ShouldBe("api_error");
        error.GetProperty("error").GetProperty("message").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Stream_UpstreamErrorEventMidStream_IsForwardedAsOverloaded()
    {
        _gateway.Upstream.Enqueue(FakeTurn.Text("partial").WithStreamError("Overloaded", "overloaded_error"));

        using HttpResponseMessage response = await _gateway.PostAsync(Request("claude"));
        string body = await response.Content.ReadAsStringAsync();

        List<(string Event, string Data)> events = AnthropicGateway.Events(body);
        events[^1].Event.ShouldBe("error");
        JsonElement error = JsonDocument.Parse(events[^1].Data).RootElement;
        error.GetProperty("type").GetString().ShouldBe("error");
        error.GetProperty("error").GetProperty("type").GetString().ShouldBe("overloaded_error");
        error.GetProperty("error").GetProperty("message").GetString().ShouldEndWith("Overloaded");
        events.ShouldNotContain(e => e.Event == "message_stop");
    }

    [Fact]
    public async Task Stream_ClientDisconnects_CancelsTheUpstreamCall()
    {
        _gateway.Upstream.Enqueue(FakeTurn.Text(string.Concat(Enumerable.Repeat("slow words ", 100))).WithTextChunkSize(5).WithChunkDelay(TimeSpan.FromMilliseconds(100)));

        using (HttpResponseMessage response = await _gateway.PostAsync(Request("claude"), completion: HttpCompletionOption.ResponseHeadersRead))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            (await reader.ReadLineAsync()).ShouldBe("event: message_start");
        }

        // Closing the response aborts the gateway's request; the gateway then cancels its upstream call.
        _gateway.Client.CancelPendingRequests();
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (!_gateway.Upstream.Requests[0].ClientDisconnected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        _gateway.Upstream.Requests[0].ClientDisconnected.ShouldBeTrue("the gateway kept reading the upstream after its caller left");
    }
}
