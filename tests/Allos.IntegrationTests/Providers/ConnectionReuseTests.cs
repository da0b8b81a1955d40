namespace Allos.IntegrationTests.Providers;

/// <summary>
/// Finished streams must leave their connection reusable (a new TCP and TLS handshake per call is slow), while a cancelled
/// stream must close it (so the provider stops generating). Checked for every wire format.
/// </summary>
public sealed class ConnectionReuseTests : IAsyncLifetime
{
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string> Models => new()
    {
        "openai/gpt-4o-mini",
        "anthropic/claude-sonnet-4-5",
        "gemini/gemini-2.5-flash",
        "ollama/llama3.1",
    };

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GetStreamingResponseAsync_ConsecutiveFinishedStreams_ReuseOneConnection(string model)
    {
        _server.Enqueue(FakeTurn.Text("first answer").WithUsage(3, 2), FakeTurn.Text("second answer").WithUsage(3, 2), FakeTurn.Text("third"));
        IChatClient chat = _server.CreateClient(model);

        (await chat.GetStreamingResponseAsync("one").ToChatResponseAsync()).Text.ShouldBe("first answer");
        (await chat.GetStreamingResponseAsync("two").ToChatResponseAsync()).Text.ShouldBe("second answer");
        (await chat.GetResponseAsync("three")).Text.ShouldBe("third");

        _server.Requests.Select(r => r.ConnectionId).Distinct().Count().ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GetStreamingResponseAsync_Cancelled_ClosesTheConnection(string model)
    {
        _server.Enqueue(FakeTurn.Text("a b c d e f g h i j").WithChunkDelay(TimeSpan.FromMilliseconds(150)));
        IChatClient chat = _server.CreateClient(model);
        using var cts = new CancellationTokenSource();

        await Should.ThrowAsync<OperationCanceledException>(async () =>
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("go", cancellationToken: cts.Token))
            {
                if (update.Text.Length > 0)
                {
                    await cts.CancelAsync();
                }
            }
        });

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        for (int i = 0; i < 60 && !request.ClientDisconnected; i++)
        {
            await Task.Delay(50);
        }

        request.ClientDisconnected.ShouldBeTrue("the server should see the client go away well before the stream ends");
    }
}
