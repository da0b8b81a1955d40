using Allos.Providers.Http;

namespace Allos.IntegrationTests.Providers.Faults;

/// <summary>
/// Every way a provider can misbehave, on every wire format, whole and streamed: each leaves the client as an
/// <see cref="AllosException"/> of the type a Router decides on, never as a raw framework exception or a silent answer.
/// </summary>
public sealed class ProviderFaultTests : IAsyncLifetime
{
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public enum Fault
    {
        EmptyObject,
        JsonArray,
        HtmlPage,
        EmptyBody,
        TruncatedJson,
        WrongTypes,
        CorruptGzip,
        CorruptBrotli,
        ConnectionDropped,
        StreamCut,
        HugeRetryAfter,
        CorruptGzipErrorBody,
        HtmlErrorBody,
    }

    public static TheoryData<string, bool, Fault> Matrix()
    {
        var data = new TheoryData<string, bool, Fault>();
        foreach ((string model, bool streaming) in Pairs())
        {
            foreach (Fault fault in Enum.GetValues<Fault>())
            {
                // The fake server cuts streams only; a whole body cut short is TruncatedJson.
                if (!streaming && fault is Fault.ConnectionDropped or Fault.StreamCut)
                {
                    continue;
                }

                data.Add(model, streaming, fault);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Call_ProviderFault_IsATypedAllosException(string model, bool streaming, Fault fault)
    {
        _server.Enqueue(Turn(model, streaming, fault));
        IChatClient chat = _server.CreateClient(model);

        Exception error = await Should.ThrowAsync<Exception>(() => CallAsync(chat, streaming));

        error.ShouldBeAssignableTo<AllosException>($"{fault} on {model} ({(streaming ? "stream" : "whole")}) escaped as {error.GetType()}: {error.Message}");
        ProviderException provider = error.ShouldBeAssignableTo<ProviderException>()!;
        Type expected = Expected(model, fault, streaming);
        error.GetType().ShouldBe(expected, $"{fault} on {model} ({(streaming ? "stream" : "whole")}): {error.Message}");
        provider.Provider.ShouldBe(model[..model.IndexOf('/')]);
        provider.IsTransient.ShouldBe(expected != typeof(InvalidResponseException), "a body that is not a response is not retried on the same deployment");
        if (fault == Fault.HugeRetryAfter)
        {
            ((RateLimitException)error).RetryAfter.ShouldBe(RetryAfterParser.MaxHint);
        }
    }

    [Fact]
    public async Task Call_GeminiRetryInfoCenturiesAway_IsClampedNotAnOverflow()
    {
        _server.Enqueue(FakeTurn.Error(429, """
            {"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED",
              "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1000000000000000s"}]}}
            """));
        IChatClient chat = _server.CreateClient("gemini/gemini-2.5-flash");

        RateLimitException error = await Should.ThrowAsync<RateLimitException>(() => chat.GetResponseAsync("hi"));

        error.RetryAfter.ShouldBe(RetryAfterParser.MaxHint);
    }

    private static IEnumerable<(string Model, bool Streaming)> Pairs()
    {
        foreach (string model in (string[])["openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5", "gemini/gemini-2.5-flash", "ollama/llama3.2", "cohere/command-a-03-2025",
            "vertex/gemini-2.5-flash", "vertex/claude-sonnet-4@20250514", "bedrock/anthropic.claude-sonnet-4-20250514-v1:0"])
        {
            yield return (model, false);
            yield return (model, true);
        }
    }

    private static async Task CallAsync(IChatClient chat, bool streaming)
    {
        if (streaming)
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("hi"))
            {
                _ = update;
            }
        }
        else
        {
            _ = await chat.GetResponseAsync("hi");
        }
    }

    /// <summary>Vertex AI's publishers speak Gemini's and Anthropic's bodies: their faults are those codecs'.</summary>
    private static string Codec(string model) =>
        !model.StartsWith("vertex/", StringComparison.Ordinal) ? model
        : model.StartsWith("vertex/claude", StringComparison.Ordinal) ? "anthropic/" + model["vertex/".Length..]
        : "gemini/" + model["vertex/".Length..];

    private static Type Expected(string model, Fault fault, bool streaming) => ExpectedFor(Codec(model), fault, streaming);

    private static Type ExpectedFor(string model, Fault fault, bool streaming) => fault switch
    {
        Fault.CorruptGzip or Fault.CorruptBrotli or Fault.ConnectionDropped or Fault.StreamCut => typeof(ProviderConnectionException),
        Fault.HugeRetryAfter => typeof(RateLimitException),
        Fault.CorruptGzipErrorBody or Fault.HtmlErrorBody => typeof(ProviderServerException),

        // A stream of well-formed objects that are not chunks never reaches the format's end: reported as cut. OpenAI's
        // [DONE] after no choice at all is not an answer.
        // An event stream with no event in it ends before its terminator; Ollama's NDJSON reader meets the HTML as a line.
        Fault.EmptyBody when streaming => typeof(ProviderConnectionException),
        // Bedrock's binary framing meets the HTML as a message whose checksum does not match.
        Fault.HtmlPage when streaming && model.StartsWith("bedrock/", StringComparison.Ordinal) => typeof(InvalidResponseException),
        Fault.HtmlPage when streaming && !model.StartsWith("ollama/", StringComparison.Ordinal) => typeof(ProviderConnectionException),
        Fault.EmptyObject when streaming && !model.StartsWith("openai/", StringComparison.Ordinal) => typeof(ProviderConnectionException),
        Fault.WrongTypes when streaming && (model.StartsWith("anthropic/", StringComparison.Ordinal) || model.StartsWith("cohere/", StringComparison.Ordinal)) => typeof(ProviderConnectionException),
        _ => typeof(InvalidResponseException),
    };

    private static FakeTurn Turn(string model, bool streaming, Fault fault)
    {
        bool ollama = model.StartsWith("ollama/", StringComparison.Ordinal);
        string json = ollama ? "application/x-ndjson" : "application/json";
        string contentType = streaming ? (ollama ? "application/x-ndjson" : "text/event-stream") : json;
        string Event(string data) => !streaming ? data : ollama ? data + "\n" : $"data: {data}\n\n";
        string[] Done() => streaming && model.StartsWith("openai/", StringComparison.Ordinal) ? ["data: [DONE]\n\n"] : [];

        // Bedrock streams binary event-stream messages: the faulty payloads travel inside well-formed ones.
        if (streaming && model.StartsWith("bedrock/", StringComparison.Ordinal) && fault is Fault.EmptyObject or Fault.JsonArray or Fault.TruncatedJson or Fault.WrongTypes)
        {
            string payload = fault switch
            {
                Fault.EmptyObject => "{}",
                Fault.JsonArray => "[1,2,3]",
                Fault.TruncatedJson => "{\"contentBlockIndex\":0,\"delta\":{\"te",
                _ => WrongTypes(model),
            };
            return FakeTurn.RawBytes(FakeEventStream.ContentType, FakeEventStream.Event("contentBlockDelta", payload));
        }


        return fault switch
        {
            Fault.EmptyObject => FakeTurn.Raw(contentType, [Event("{}"), .. Done()]),
            Fault.JsonArray => FakeTurn.Raw(contentType, [Event("[1,2,3]"), .. Done()]),
            Fault.HtmlPage => FakeTurn.Raw("text/html", "<html><body>Welcome to the hotel Wi-Fi</body></html>"),
            Fault.EmptyBody => FakeTurn.Raw(contentType, ""),
            Fault.TruncatedJson => FakeTurn.Raw(contentType, [Event("{\"id\":\"x\",\"choices\":[{\"index\":0,")]),

            // Well-formed JSON whose fields have impossible types or values.
            Fault.WrongTypes => FakeTurn.Raw(contentType, [Event(WrongTypes(model)), .. Done()]),
            Fault.CorruptGzip => FakeTurn.Raw(contentType, "this is not gzip data at all, just text").WithHeader("Content-Encoding", "gzip"),
            Fault.CorruptBrotli => FakeTurn.Raw(contentType, "this is not brotli data either, just plain text").WithHeader("Content-Encoding", "br"),
            Fault.ConnectionDropped => FakeTurn.Text("one two three four five six").WithTextChunkSize(4).DropConnectionAfter(2),
            Fault.StreamCut => FakeTurn.Text("one two three four five six").WithTextChunkSize(4).TruncateAfter(2),
            Fault.HugeRetryAfter => FakeTurn.ProviderError(429, "slow down").WithHeader("retry-after", "1e15"),
            Fault.CorruptGzipErrorBody => FakeTurn.Error(500, "not gzip", new Dictionary<string, string> { ["Content-Encoding"] = "gzip" }),
            Fault.HtmlErrorBody => FakeTurn.Error(502, "<html><body>Bad gateway</body></html>"),
            _ => throw new ArgumentOutOfRangeException(nameof(fault)),
        };
    }

    private static string WrongTypes(string model) => Codec(model)[..Codec(model).IndexOf('/')] switch
    {
        "openai" => """{"id":"x","object":"chat.completion","created":99999999999999999,"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}""",
        "anthropic" => """{"id":"x","type":"message","role":"assistant","content":"not a list","stop_reason":"end_turn"}""",
        "gemini" => """{"candidates":{"not":"a list"}}""",
        "cohere" => """{"id":"x","finish_reason":"COMPLETE","message":{"role":"assistant","content":"not a list"}}""",
        "bedrock" => """{"output":{"message":{"role":"assistant","content":"not a list"}},"contentBlockIndex":0,"delta":{"text":42},"stopReason":"end_turn"}""",
        _ => """{"model":"llama3.2","message":{"role":"assistant","content":42},"done":true}""",
    };
}
