namespace Allos.IntegrationTests.Providers.Faults;

/// <summary>A provider's redirect never carries the API key to another origin; one within the origin is followed.</summary>
public sealed class RedirectTests : IAsyncLifetime
{
    public static readonly TheoryData<string, string, bool> KeyHeaders = new()
    {
        { "openai/gpt-4o-mini", "Authorization", false },
        { "openai/gpt-4o-mini", "Authorization", true },
        { "anthropic/claude-sonnet-4-5", "x-api-key", false },
        { "anthropic/claude-sonnet-4-5", "x-api-key", true },
        { "gemini/gemini-2.5-flash", "x-goog-api-key", false },
        { "gemini/gemini-2.5-flash", "x-goog-api-key", true },
        { "ollama/llama3.2", "Authorization", false },
        { "azure/gpt-4o-mini", "api-key", false },
    };

    private const string Key = "secret-key-that-must-stay-home";

    private FakeProviderServer _server = null!;
    private FakeProviderServer _elsewhere = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeProviderServer.StartAsync();
        _elsewhere = await FakeProviderServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _elsewhere.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(KeyHeaders))]
    public async Task Call_RedirectToAnotherOrigin_IsRefusedAndTheKeyNeverLeaves(string model, string keyHeader, bool streaming)
    {
        _ = keyHeader; // the header is checked by the same-origin case; here nothing reaches the other server at all
        string target = new Uri(_elsewhere.BaseUri, PathFor(model, streaming)).AbsoluteUri;
        _server.Enqueue(FakeTurn.Error(307, "", new Dictionary<string, string> { ["Location"] = target }));
        _elsewhere.Enqueue(FakeTurn.Text("stolen"));
        IChatClient chat = _server.CreateClient(model, apiKey: Key, ApiVersion(model));

        InvalidResponseException error = await Should.ThrowAsync<InvalidResponseException>(() => CallAsync(chat, streaming));

        _elsewhere.Requests.ShouldBeEmpty("the other origin must not be contacted with the key");
        error.Message.ShouldContain(_elsewhere.BaseUri.GetLeftPart(UriPartial.Authority));
        error.Message.ShouldNotContain(Key);
        error.StatusCode.ShouldBe(307);
        error.IsTransient.ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(KeyHeaders))]
    public async Task Call_RedirectWithinTheOrigin_IsFollowedWithTheSameBodyAndKey(string model, string keyHeader, bool streaming)
    {
        string moved = "/moved" + PathFor(model, streaming);
        _server.Enqueue(FakeTurn.Error(308, "", new Dictionary<string, string> { ["Location"] = moved }), FakeTurn.Text("hello from the new place"));
        IChatClient chat = _server.CreateClient(model, apiKey: Key, ApiVersion(model));

        string text = await CallAsync(chat, streaming);

        text.ShouldBe("hello from the new place");
        _server.Requests.Count.ShouldBe(2);
        RecordedRequest first = _server.Requests[0], second = _server.Requests[1];
        second.Path.ShouldBe(moved.Split('?')[0]);
        second.Method.ShouldBe("POST");
        second.Body.ShouldBe(first.Body);
        second.Headers[keyHeader].ShouldContain(Key);
    }

    [Fact]
    public async Task Call_EndlessSameOriginRedirects_StopWithATypedError()
    {
        for (int i = 0; i < 10; i++)
        {
            _server.Enqueue(FakeTurn.Error(302, "", new Dictionary<string, string> { ["Location"] = $"/loop{i}/v1/chat/completions" }));
        }

        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini", apiKey: Key);

        InvalidResponseException error = await Should.ThrowAsync<InvalidResponseException>(() => chat.GetResponseAsync("hi"));

        error.Message.ShouldContain("more than 5 times");
        _server.Requests.Count.ShouldBe(6);
    }

    [Fact]
    public void IsSameOrigin_SchemeHostAndPort_DecideWithAnHttpsUpgradeAllowed()
    {
        static bool Same(string a, string b) => Allos.Providers.Http.ProviderTransport.IsSameOrigin(new Uri(a), new Uri(b));

        Same("https://api.example.com/v1/x", "https://API.example.com/other").ShouldBeTrue();
        Same("http://api.example.com/v1", "https://api.example.com/v1").ShouldBeTrue();
        Same("https://api.example.com/v1", "http://api.example.com/v1").ShouldBeFalse();
        Same("https://api.example.com/v1", "https://api.example.com:8443/v1").ShouldBeFalse();
        Same("https://api.example.com/v1", "https://evil.example.com/v1").ShouldBeFalse();
        Same("https://api.example.com/v1", "https://api.example.com.evil.net/v1").ShouldBeFalse();
        Same("http://127.0.0.1:5000/v1", "http://127.0.0.1:5001/v1").ShouldBeFalse();
    }

    private static string PathFor(string model, bool streaming) => model.Split('/')[0] switch
    {
        "anthropic" => "/v1/messages",
        "gemini" => streaming ? "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse" : "/v1beta/models/gemini-2.5-flash:generateContent",
        "ollama" => "/api/chat",
        "azure" => "/openai/deployments/gpt-4o-mini/chat/completions",
        _ => "/v1/chat/completions",
    };

    private static ChatClientOptions? ApiVersion(string model) =>
        model.StartsWith("azure/", StringComparison.Ordinal) ? new ChatClientOptions { ApiVersion = "2024-10-21" } : null;

    private static async Task<string> CallAsync(IChatClient chat, bool streaming) =>
        streaming ? (await chat.GetStreamingResponseAsync("hi").ToChatResponseAsync()).Text : (await chat.GetResponseAsync("hi")).Text;
}
