using System.Runtime.CompilerServices;
using Allos.Gateway;
using Allos.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Allos.Tests.Gateway.Layers;

public sealed class RetryChatClientTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task GetResponseAsync_TransientFailuresThenAnswer_RetriesWithTheRandomizersJitterAndTellsOnRetry()
    {
        int calls = 0;
        var inner = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => ++calls <= 2
                ? throw new ProviderOverloadedException("openai", "busy")
                : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))),
        };
        var seen = new List<(int Attempt, TimeSpan Delay, string Error)>();
        using IChatClient client = inner.AsBuilder().UseRetries(options =>
        {
            options.TimeProvider = _time;
            options.Delay = TimeSpan.FromSeconds(1);
            options.Randomizer = () => 1.0; // the top of the ±25 % jitter
            options.OnRetry = args =>
            {
                seen.Add((args.AttemptNumber, args.Delay, args.Exception.GetType().Name));
                return ValueTask.CompletedTask;
            };
        }).Build();

        ChatResponse response = await LayerTestClock.RunAsync(_time, client.GetResponseAsync("hi"), TimeSpan.FromMilliseconds(250));

        response.Text.ShouldBe("ok");
        calls.ShouldBe(3);
        seen.ShouldBe([(0, TimeSpan.FromSeconds(1.25), nameof(ProviderOverloadedException)), (1, TimeSpan.FromSeconds(2.5), nameof(ProviderOverloadedException))]);
    }

    [Fact]
    public async Task GetResponseAsync_FatalFailure_IsNotRetried()
    {
        int calls = 0;
        var inner = new TestChatClient { GetResponseAsyncCallback = (_, _, _) => { calls++; throw new InvalidRequestException("openai", "bad"); } };
        using IChatClient client = inner.AsBuilder().UseRetries(options => options.TimeProvider = _time).Build();

        await Should.ThrowAsync<InvalidRequestException>(() => client.GetResponseAsync("hi"));
        calls.ShouldBe(1);
    }

    [Fact]
    public async Task GetResponseAsync_RetryAfterWithinLimit_WaitsWhatTheProviderAsked()
    {
        int calls = 0;
        var inner = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => ++calls == 1
                ? throw new RateLimitException("openai", "slow down", TimeSpan.FromSeconds(7))
                : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))),
        };
        TimeSpan? delay = null;
        using IChatClient client = inner.AsBuilder().UseRetries(options =>
        {
            options.TimeProvider = _time;
            options.OnRetry = args => { delay = args.Delay; return ValueTask.CompletedTask; };
        }).Build();

        (await LayerTestClock.RunAsync(_time, client.GetResponseAsync("hi"), TimeSpan.FromSeconds(1))).Text.ShouldBe("ok");
        delay.ShouldBe(TimeSpan.FromSeconds(7));
    }

    [Fact]
    public async Task GetResponseAsync_RetryAfterBeyondMaxRetryAfter_FailsWithoutRetrying()
    {
        int calls = 0;
        var inner = new TestChatClient { GetResponseAsyncCallback = (_, _, _) => { calls++; throw new RateLimitException("openai", "tomorrow", TimeSpan.FromHours(1)); } };
        using IChatClient client = inner.AsBuilder().UseRetries(options => options.TimeProvider = _time).Build();

        await Should.ThrowAsync<RateLimitException>(() => client.GetResponseAsync("hi"));
        calls.ShouldBe(1);
    }

    [Fact]
    public async Task GetResponseAsync_ShouldRetrySaysNo_RaisesTheFirstFailure()
    {
        int calls = 0;
        var inner = new TestChatClient { GetResponseAsyncCallback = (_, _, _) => { calls++; throw new ProviderOverloadedException("openai", "busy"); } };
        using IChatClient client = inner.AsBuilder().UseRetries(options =>
        {
            options.TimeProvider = _time;
            options.ShouldRetry = args => args.Exception is not ProviderOverloadedException;
        }).Build();

        await Should.ThrowAsync<ProviderOverloadedException>(() => client.GetResponseAsync("hi"));
        calls.ShouldBe(1);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FailureBeforeTheFirstUpdate_IsRetried_AfterItIsNot()
    {
        int calls = 0;
        var inner = new TestChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => Stream(++calls, ct) };
        using IChatClient client = inner.AsBuilder().UseRetries(options =>
        {
            options.TimeProvider = _time;
            options.Delay = TimeSpan.Zero;
        }).Build();

        var texts = new List<string>();
        var error = await Should.ThrowAsync<ProviderConnectionException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hi"))
            {
                texts.Add(update.Text);
            }
        });

        // Call 1 failed before anything was sent, so it was retried; call 2 failed after its first update reached the caller.
        calls.ShouldBe(2);
        texts.ShouldBe(["first"]);
        error.Message.ShouldBe("mid-stream");
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Stream(int call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        if (call == 1)
        {
            throw new ProviderConnectionException("openai", "before the first update");
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, "first");
        throw new ProviderConnectionException("openai", "mid-stream");
    }
}
