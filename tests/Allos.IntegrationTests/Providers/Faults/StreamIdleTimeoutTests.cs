using Microsoft.Extensions.Time.Testing;

namespace Allos.IntegrationTests.Providers.Faults;

/// <summary>A stream that goes quiet after it started ends as a transient timeout, on the injected clock.</summary>
public sealed class StreamIdleTimeoutTests : IAsyncLifetime
{
    public static readonly TheoryData<string> Models = new() { "openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5", "gemini/gemini-2.5-flash", "ollama/llama3.2" };

    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Stream_QuietLongerThanTheIdleTimeout_FailsAsTransientTimeout(string model)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _server.Enqueue(StalledTurn());
        IChatClient chat = _server.CreateClient(model, options: new ChatClientOptions { Timeout = TimeSpan.FromSeconds(60), TimeProvider = time, StreamIdleTimeout = TimeSpan.FromSeconds(30) });

        ProviderTimeoutException error = await StallAsync(chat, time, new ChatOptions(), TimeSpan.FromSeconds(31));

        error.IsTransient.ShouldBeTrue();
        error.Message.ShouldContain("sent nothing for 30 s");
        error.Provider.ShouldBe(model[..model.IndexOf('/')]);
    }

    [Fact]
    public async Task Stream_PerCallIdleTimeout_WinsOverTheClients()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _server.Enqueue(StalledTurn());
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini", options: new ChatClientOptions { Timeout = TimeSpan.FromSeconds(60), TimeProvider = time, StreamIdleTimeout = TimeSpan.FromHours(1) });

        ProviderTimeoutException error = await StallAsync(chat, time, new ChatOptions().WithStreamIdleTimeout(TimeSpan.FromSeconds(10)), TimeSpan.FromSeconds(11));

        error.Message.ShouldContain("sent nothing for 10 s");
        _server.Requests[0].Body.ShouldNotContain("allos.", customMessage: "Allos's own options are never sent to the provider");
    }

    [Fact]
    public async Task Stream_ConsumerPausesLongerThanTheIdleTimeout_IsNotTimedOut()
    {
        // The clock runs only while a read waits for bytes: a slow consumer is not a stalled server.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _server.Enqueue(FakeTurn.Text("one two three four").WithTextChunkSize(4).WithUsage(3, 4));
        IChatClient chat = _server.CreateClient("openai/gpt-4o-mini", options: new ChatClientOptions { Timeout = TimeSpan.FromSeconds(60), TimeProvider = time, StreamIdleTimeout = TimeSpan.FromSeconds(30) });

        var text = new System.Text.StringBuilder();
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("hi"))
        {
            text.Append(update.Text);
            time.Advance(TimeSpan.FromMinutes(5));
        }

        text.ToString().ShouldBe("one two three four");
    }

    [Fact]
    public void ChatClientOptions_NonPositiveIdleTimeout_IsAConfigurationError()
    {
        Should.Throw<ConfigurationException>(() => _server.CreateClient("openai/gpt-4o-mini", options: new ChatClientOptions { StreamIdleTimeout = TimeSpan.Zero }))
            .Message.ShouldContain("StreamIdleTimeout");
        Should.Throw<ArgumentOutOfRangeException>(() => new ChatOptions().WithStreamIdleTimeout(TimeSpan.FromSeconds(-1)));
    }

    /// <summary>The stream's first events, then silence on an open connection: only the idle timeout can end it.</summary>
    private static FakeTurn StalledTurn() => FakeTurn.Text("first second third").WithTextChunkSize(6).StallAfter(3);

    private static async Task<ProviderTimeoutException> StallAsync(IChatClient chat, FakeTimeProvider time, ChatOptions options, TimeSpan advance)
    {
        await using IAsyncEnumerator<ChatResponseUpdate> updates = chat.GetStreamingResponseAsync("hi", options).GetAsyncEnumerator();
        while (true)
        {
            Task<bool> next = updates.MoveNextAsync().AsTask();

            // Updates already sent arrive at once; a read still waiting after a moment of real time has met the stall.
            if (await Task.WhenAny(next, Task.Delay(500)) != next)
            {
                // The read may not have started waiting when the clock first moves; each advance re-arms the check. The
                // real-time bound only turns a missing idle timeout into a failure (the call's own 60 s timeout then ends it).
                var waited = System.Diagnostics.Stopwatch.StartNew();
                while (!next.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(30))
                {
                    time.Advance(advance);
                    await Task.WhenAny(next, Task.Delay(50));
                }
            }

            // On a loaded machine an update may have been merely late: take it and wait for the stall again.
            if (next.IsCompletedSuccessfully)
            {
                next.Result.ShouldBeTrue("the stream must stall, not end");
                continue;
            }

            return await Should.ThrowAsync<ProviderTimeoutException>(() => next);
        }
    }
}
