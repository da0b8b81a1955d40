using Allos.Gateway;
using Allos.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Allos.Tests.Gateway.Layers;

public sealed class CooldownChatClientTests
{
    private readonly FakeTimeProvider _time = new();
    private int _calls;
    private bool _failing = true;

    private TestChatClient Deployment() => new()
    {
        Metadata = new ChatClientMetadata("openai"),
        GetResponseAsyncCallback = (_, _, _) =>
        {
            _calls++;
            return _failing
                ? throw new ProviderServerException("openai", "down", 503)
                : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "up")));
        },
    };

    [Fact]
    public async Task GetResponseAsync_AfterFailuresWithinTheWindow_RefusesWithoutCallingUntilTheCooldownEnds()
    {
        using IChatClient client = Deployment().AsBuilder().UseCooldown(options =>
        {
            options.Failures = 2;
            options.Duration = TimeSpan.FromSeconds(30);
            options.TimeProvider = _time;
        }).Build();

        await Should.ThrowAsync<ProviderServerException>(() => client.GetResponseAsync("hi"));
        await Should.ThrowAsync<ProviderServerException>(() => client.GetResponseAsync("hi"));
        var refused = await Should.ThrowAsync<RateLimitException>(() => client.GetResponseAsync("hi"));

        _calls.ShouldBe(2);
        refused.ErrorCode.ShouldBe("allos_cooldown");
        refused.RetryAfter.ShouldBe(TimeSpan.FromSeconds(30));

        // After the cooldown one call probes the deployment; its success closes the breaker.
        _time.Advance(TimeSpan.FromSeconds(30));
        _failing = false;
        (await client.GetResponseAsync("hi")).Text.ShouldBe("up");
        (await client.GetResponseAsync("hi")).Text.ShouldBe("up");
        _calls.ShouldBe(4);
    }

    [Fact]
    public async Task GetResponseAsync_TheCallersFault_DoesNotCountTowardTheCooldown()
    {
        var inner = new TestChatClient { GetResponseAsyncCallback = (_, _, _) => { _calls++; throw new InvalidRequestException("openai", "bad"); } };
        using IChatClient client = inner.AsBuilder().UseCooldown(options => { options.Failures = 1; options.TimeProvider = _time; }).Build();

        await Should.ThrowAsync<InvalidRequestException>(() => client.GetResponseAsync("hi"));
        await Should.ThrowAsync<InvalidRequestException>(() => client.GetResponseAsync("hi"));
        _calls.ShouldBe(2);
    }
}
