using Allos.Gateway;
using Allos.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Allos.Tests.Gateway.Layers;

public sealed class RateLimitChatClientTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task GetResponseAsync_OverRequestsPerMinuteWithoutQueue_FailsFastWithoutCalling()
    {
        var inner = TestChatClient.Answering("ok");
        using IChatClient client = inner.AsBuilder().UseRateLimits(options =>
        {
            options.RequestsPerMinute = 1;
            options.QueueTimeout = TimeSpan.Zero;
            options.TimeProvider = _time;
        }).Build();

        (await client.GetResponseAsync("hi")).Text.ShouldBe("ok");
        var error = await Should.ThrowAsync<RateLimitException>(() => client.GetResponseAsync("hi"));

        error.ErrorCode.ShouldBe("allos_rate_limited");
        error.RetryAfter.ShouldNotBeNull();
        inner.Calls.Count.ShouldBe(1);

        _time.Advance(TimeSpan.FromMinutes(1));
        (await client.GetResponseAsync("hi")).Text.ShouldBe("ok");
    }

    [Fact]
    public async Task GetResponseAsync_EstimatedInputFillsTokensPerMinute_RefusesTheNextCallUntilTheWindowMoves()
    {
        // No usage reported: the limiter keeps the input estimate (~1,000 tokens for 4,000 characters).
        var inner = TestChatClient.Replying("first", "second");
        using IChatClient client = inner.AsBuilder().UseRateLimits(options =>
        {
            options.TokensPerMinute = 1_000;
            options.QueueTimeout = TimeSpan.Zero;
            options.TimeProvider = _time;
        }).Build();
        var small = new ChatOptions { MaxOutputTokens = 10 };

        (await client.GetResponseAsync(new string('x', 4_000), small)).Text.ShouldBe("first");
        await Should.ThrowAsync<RateLimitException>(() => client.GetResponseAsync("hi", small));
        inner.Calls.Count.ShouldBe(1);

        _time.Advance(TimeSpan.FromMinutes(1));
        (await client.GetResponseAsync("hi", small)).Text.ShouldBe("second");
    }
}
