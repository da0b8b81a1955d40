using System.Net;

namespace Allos.IntegrationTests.GatewayServer;

/// <summary>POST /v1/chat/completions with <c>"stream":true</c>: the exact SSE bytes, from each upstream format.</summary>
public sealed class OpenAIIngressStreamingTests : IAsyncLifetime
{
    private const string Header = "\"id\":\"chatcmpl-ID\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":";
    private OpenAIIngressFixture _fx = null!;

    public async Task InitializeAsync() => _fx = await OpenAIIngressFixture.StartAsync();

    public async Task DisposeAsync() => await _fx.DisposeAsync();

    [Theory]
    [MemberData(nameof(OpenAIIngressFixture.Upstreams), MemberType = typeof(OpenAIIngressFixture))]
    public async Task ChatCompletions_StreamWithUsage_IsOpenAIsChunkSequence(string alias)
    {
        _fx.Upstream.Enqueue(FakeTurn.Text("Hello world").WithTextChunkSize(6).WithUsage(9, 2));

        using HttpResponseMessage response = await _fx.PostAsync(
            "{\"model\":\"" + alias + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        string m = "\"" + alias + "\"";
        string body = OpenAIIngressFixture.Normalize(await response.Content.ReadAsStringAsync());
        body.ShouldBe(
            "data: {" + Header + m + ",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n" +
            "data: {" + Header + m + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello \"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n" +
            "data: {" + Header + m + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"world\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n" +
            "data: {" + Header + m + ",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n" +
            "data: {" + Header + m + ",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11,\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}\n\n" +
            "data: [DONE]\n\n");
    }

    [Fact]
    public async Task ChatCompletions_StreamWithoutIncludeUsage_HasNoUsageChunk()
    {
        _fx.Upstream.Enqueue(FakeTurn.Text("Hi").WithUsage(3, 1));

        using HttpResponseMessage response = await _fx.PostAsync("""{"model":"oa","messages":[{"role":"user","content":"Hi"}],"stream":true}""");

        OpenAIIngressFixture.Normalize(await response.Content.ReadAsStringAsync()).ShouldBe(
            "data: {" + Header + "\"oa\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n" +
            "data: {" + Header + "\"oa\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n" +
            "data: {" + Header + "\"oa\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n" +
            "data: [DONE]\n\n");
    }

    [Theory]
    [MemberData(nameof(OpenAIIngressFixture.Upstreams), MemberType = typeof(OpenAIIngressFixture))]
    public async Task ChatCompletions_StreamedParallelToolCalls_AreIndexedDeltasThenArguments(string alias)
    {
        _fx.Upstream.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("call_a", "get_weather", """{"city":"Paris"}"""), new FakeToolCall("call_b", "get_time", """{"tz":"CET"}""")));

        using HttpResponseMessage response = await _fx.PostAsync(
            "{\"model\":\"" + alias + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Go\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}},{\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"parameters\":{\"type\":\"object\"}}}]}");

        string body = OpenAIIngressFixture.Normalize(await response.Content.ReadAsStringAsync());
        string[] events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        events.Length.ShouldBe(7, body);
        string m = "\"" + alias + "\"";
        events[1].ShouldStartWith("data: {" + Header + m + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"");
        events[1].ShouldEndWith("\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"logprobs\":null,\"finish_reason\":null}]}");
        events[2].ShouldBe("data: {" + Header + m + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"logprobs\":null,\"finish_reason\":null}]}");
        events[3].ShouldContain("\"tool_calls\":[{\"index\":1,\"id\":\"");
        events[3].ShouldContain("\"name\":\"get_time\"");
        events[4].ShouldContain("{\"index\":1,\"function\":{\"arguments\":\"{\\\"tz\\\":\\\"CET\\\"}\"}}");
        events[5].ShouldBe("data: {" + Header + m + ",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}]}");
        events[6].ShouldBe("data: [DONE]");
        if (alias is "oa" or "an")
        {
            events[1].ShouldContain("\"id\":\"call_a\"");
        }
    }

    [Fact]
    public async Task ChatCompletions_StreamedReasoningAndCachedUsage_AreReasoningContentAndDetails()
    {
        _fx.Upstream.Enqueue(FakeTurn.Text("42").WithReasoning("Thinking.").WithUsage(500, 40, cachedInputTokens: 400, reasoningTokens: 25));

        using HttpResponseMessage response = await _fx.PostAsync("""{"model":"oa","messages":[{"role":"user","content":"?"}],"stream":true,"stream_options":{"include_usage":true}}""");

        string body = OpenAIIngressFixture.Normalize(await response.Content.ReadAsStringAsync());
        body.ShouldContain("\"delta\":{\"reasoning_content\":\"Thinking.\"}");
        body.ShouldContain("\"choices\":[],\"usage\":{\"prompt_tokens\":500,\"completion_tokens\":40,\"total_tokens\":540,\"prompt_tokens_details\":{\"cached_tokens\":400},\"completion_tokens_details\":{\"reasoning_tokens\":25}}}\n\ndata: [DONE]\n\n");
    }

    [Fact]
    public async Task ChatCompletions_EachEvent_IsFlushedAsItIsProduced()
    {
        _fx.Upstream.Enqueue(FakeTurn.Text("one two three").WithTextChunkSize(4).WithChunkDelay(TimeSpan.FromMilliseconds(400)));

        using HttpResponseMessage response = await _fx.PostAsync("""{"model":"oa","messages":[{"role":"user","content":"count"}],"stream":true}""", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var started = System.Diagnostics.Stopwatch.StartNew();
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null && !line.Contains("\"content\":\"one \"", StringComparison.Ordinal))
        {
        }

        line.ShouldNotBeNull();
        started.Elapsed.ShouldBeLessThan(TimeSpan.FromMilliseconds(1000), "the first delta arrives before the upstream has finished (it takes over 1.2 s)");
    }
}
