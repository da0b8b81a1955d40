using System.Net;

namespace Allos.IntegrationTests.GatewayServer;

/// <summary>Every way a chat completion fails, in OpenAI's error shape with the right status, before and during a stream.</summary>
public sealed class OpenAIIngressErrorTests : IAsyncLifetime
{
    private OpenAIIngressFixture _fx = null!;

    public async Task InitializeAsync() => _fx = await OpenAIIngressFixture.StartAsync(server => server.Models.Add("openai/*"));

    public async Task DisposeAsync() => await _fx.DisposeAsync();

    [Fact]
    public async Task ChatCompletions_MalformedJson_Is400InOpenAIsShape()
    {
        using HttpResponseMessage response = await _fx.PostAsync("""{"model":"oa","messages":[""");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        string body = await response.Content.ReadAsStringAsync();
        body.ShouldStartWith("""{"error":{"message":"The request body is not valid JSON (""");
        body.ShouldEndWith(""","type":"invalid_request_error","param":"body","code":null}}""");
        _fx.Upstream.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""{"model":"oa","messages":[{"role":"user","content":"Hi"}],"temperature":"hot"}""", "temperature", "\"temperature\" must be a number, not a string.")]
    [InlineData("""{"model":"oa","messages":[{"role":"user","content":"Hi"}],"n":2}""", "n", "This gateway returns one choice per request; \"n\" must be 1 (it was 2). Send several requests for several answers.")]
    [InlineData("""{"messages":[{"role":"user","content":"Hi"}]}""", "model", "\"model\" is required: an alias from the gateway's allos.yaml or a provider/model id (GET /v1/models lists them).")]
    [InlineData("""{"model":"oa","messages":"Hi"}""", "messages", "\"messages\" must be an array of messages, not a string.")]
    [InlineData("""{"model":"oa","messages":[{"role":"user","content":42}]}""", "messages[0].content", "\"messages[0].content\" must be a string or an array of content parts, not a number.")]
    [InlineData("""{"model":"oa","messages":[{"role":"wizard","content":"Hi"}]}""", "messages[0].role", "messages[0].role 'wizard' is not one of system, developer, user, assistant, tool.")]
    [InlineData("""{"model":"oa","messages":[{"role":"user","content":"Hi"}],"stop":[1]}""", "stop", "\"stop\" must be a string or an array of strings, not an array.")]
    [InlineData("""{"model":"oa","messages":[{"role":"user","content":"Hi"}],"stream":"yes"}""", "stream", "\"stream\" must be true or false, not a string.")]
    public async Task ChatCompletions_WrongField_Is400NamingIt(string request, string param, string message)
    {
        using HttpResponseMessage response = await _fx.PostAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldBe(
            "{\"error\":{\"message\":\"" + System.Text.Json.JsonEncodedText.Encode(message, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping) + "\",\"type\":\"invalid_request_error\",\"param\":\"" + param + "\",\"code\":null}}");
    }

    [Fact]
    public async Task ChatCompletions_UnknownAlias_Is400NamingModel()
    {
        using HttpResponseMessage response = await _fx.PostAsync("""{"model":"openai/gpt-unknown","messages":[{"role":"user","content":"Hi"}]}""");

        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body);
        body.ShouldContain("\"type\":\"invalid_request_error\",\"param\":\"model\"");
    }

    [Fact]
    public async Task ChatCompletions_ModelOutsideGatewayModels_Is404AndNeverReachesTheUpstream()
    {
        using HttpResponseMessage response = await _fx.PostAsync("""{"model":"anthropic/claude-sonnet-4-5","messages":[{"role":"user","content":"Hi"}]}""");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldBe(
            """{"error":{"message":"The model 'anthropic/claude-sonnet-4-5' is not served by this gateway: use an alias or a model GET /v1/models lists (allos.yaml gateway.models allows more).","type":"not_found_error","param":"model","code":null}}""");
        _fx.Upstream.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChatCompletions_Upstream429_Is429WithRetryAfter(bool stream)
    {
        _fx.Upstream.Enqueue(FakeTurn.ProviderError(429, "Rate limit reached for requests", "rate_limit_exceeded").WithHeader("retry-after", "7"));

        using HttpResponseMessage response = await _fx.PostAsync("{\"model\":\"oa\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":" + (stream ? "true" : "false") + "}");

        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(7));
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        string body = await response.Content.ReadAsStringAsync();
        body.ShouldStartWith("{\"error\":{\"message\":\"");
        body.ShouldContain("Rate limit reached for requests");
        body.ShouldEndWith("\"type\":\"rate_limit_error\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}");
    }

    [Theory]
    [InlineData("oa")]
    [InlineData("an")]
    public async Task ChatCompletions_Upstream500_Is502ApiError(string alias)
    {
        _fx.Upstream.Enqueue(FakeTurn.ProviderError(500, "The server had an error while processing your request"));

        using HttpResponseMessage response = await _fx.PostAsync("{\"model\":\"" + alias + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        string body = await response.Content.ReadAsStringAsync();
        body.ShouldContain("The server had an error while processing your request");
        body.ShouldEndWith("\"type\":\"api_error\",\"param\":null,\"code\":null}}");
        body.ShouldNotContain("sk-test");
    }

    [Theory]
    [MemberData(nameof(OpenAIIngressFixture.Upstreams), MemberType = typeof(OpenAIIngressFixture))]
    public async Task ChatCompletions_UpstreamBreaksMidStream_EndsWithAnErrorEventNotDone(string alias)
    {
        _fx.Upstream.Enqueue(FakeTurn.Text("partial answer that is long").WithTextChunkSize(4).WithChunkDelay(TimeSpan.FromMilliseconds(20)).DropConnectionAfter(5));

        using HttpResponseMessage response = await _fx.PostAsync("{\"model\":\"" + alias + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}");

        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldContain("\"delta\":{\"content\":\"part\"}");
        string last = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[^1];
        last.ShouldStartWith("event: error\ndata: {\"error\":{\"message\":\"");
        last.ShouldEndWith(",\"param\":null,\"code\":null}}");
        body.ShouldNotContain("[DONE]");
        body.ShouldNotContain("finish_reason\":\"stop\"");
    }

    [Fact]
    public async Task ChatCompletions_UpstreamStreamError_IsAnErrorEvent()
    {
        _fx.Upstream.Enqueue(FakeTurn.Text("Hello").WithStreamError("The model is overloaded", "server_error"));

        using HttpResponseMessage response = await _fx.PostAsync("""{"model":"oa","messages":[{"role":"user","content":"Hi"}],"stream":true}""");

        string body = await response.Content.ReadAsStringAsync();
        string last = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[^1];
        last.ShouldStartWith("event: error\ndata: {\"error\":{\"message\":\"");
        last.ShouldContain("The model is overloaded");
        body.ShouldNotContain("[DONE]");
    }

    [Fact]
    public async Task ChatCompletions_ClientDisconnects_CancelsTheUpstreamCall()
    {
        _fx.Upstream.Enqueue(FakeTurn.Text("a very long answer that takes a while to stream out").WithTextChunkSize(3).WithChunkDelay(TimeSpan.FromMilliseconds(200)));

        using (HttpResponseMessage response = await _fx.PostAsync("""{"model":"oa","messages":[{"role":"user","content":"Hi"}],"stream":true}""", HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            string? line;
            while ((line = await reader.ReadLineAsync()) is not null && !line.Contains("\"content\":\"a v\"", StringComparison.Ordinal))
            {
            }

            line.ShouldNotBeNull();
        }

        // Disposing the response drops the connection; the gateway must drop its own to the upstream.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!_fx.Upstream.Requests[0].ClientDisconnected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        _fx.Upstream.Requests[0].ClientDisconnected.ShouldBeTrue("the upstream saw the gateway hang up");
    }
}
