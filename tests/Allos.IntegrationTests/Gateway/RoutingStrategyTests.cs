using Allos.Gateway;
using Allos.Tests.Shared;

namespace Allos.IntegrationTests.Gateway;

public sealed class RoutingStrategyTests
{
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "Hello")];

    [Fact]
    public async Task Priority_LowerPriorityFirst_WhateverTheListOrder()
    {
        var low = TestChatClient.Answering("second");
        var high = TestChatClient.Answering("first");
        using var router = Router(RoutingStrategy.Priority,
            new Deployment("openai/gpt-4o-mini") { Name = "b", Client = low, Priority = 5 },
            new Deployment("openai/gpt-4o-mini") { Name = "a", Client = high, Priority = 1 });

        (await router.For("g").GetResponseAsync(Hello)).Text.ShouldBe("first");
        low.Calls.Count.ShouldBe(0);
    }

    [Fact]
    public async Task LowestCost_PicksTheCheapestCatalogPrice_UnknownPricesLast()
    {
        var unknown = TestChatClient.Answering("unknown");
        var expensive = TestChatClient.Answering("expensive");
        var cheap = TestChatClient.Answering("cheap");
        using var router = Router(RoutingStrategy.LowestCost,
            new Deployment("openai/some-model-without-a-price") { Client = unknown },
            new Deployment("openai/gpt-4o") { Client = expensive },
            new Deployment("openai/gpt-4o-mini") { Client = cheap });

        (await router.For("g").GetResponseAsync(Hello)).Text.ShouldBe("cheap");
    }

    [Fact]
    public async Task LowestLatency_LearnsAndPrefersTheFasterDeployment()
    {
        var slow = TestChatClient.Answering("slow", TimeSpan.FromMilliseconds(150));
        var fast = TestChatClient.Answering("fast", TimeSpan.FromMilliseconds(1));
        using var router = Router(RoutingStrategy.LowestLatency,
            new Deployment("openai/gpt-4o-mini") { Name = "slow", Client = slow },
            new Deployment("openai/gpt-4o-mini") { Name = "fast", Client = fast });
        IChatClient group = router.For("g");

        // The first two calls measure each deployment once; after that the faster one wins.
        await group.GetResponseAsync(Hello);
        await group.GetResponseAsync(Hello);
        for (int i = 0; i < 5; i++)
        {
            (await group.GetResponseAsync(Hello)).Text.ShouldBe("fast");
        }

        slow.Calls.Count.ShouldBe(1);
    }

    [Fact]
    public async Task LeastBusy_SpreadsConcurrentCallsOverIdleDeployments()
    {
        var first = TestChatClient.Answering("one", TimeSpan.FromMilliseconds(200));
        var second = TestChatClient.Answering("two", TimeSpan.FromMilliseconds(200));
        using var router = Router(RoutingStrategy.LeastBusy,
            new Deployment("openai/gpt-4o-mini") { Name = "one", Client = first },
            new Deployment("openai/gpt-4o-mini") { Name = "two", Client = second });
        IChatClient group = router.For("g");

        Task<ChatResponse> a = group.GetResponseAsync(Hello);
        Task<ChatResponse> b = group.GetResponseAsync(Hello);
        await Task.WhenAll(a, b);

        first.Calls.Count.ShouldBe(1);
        second.Calls.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Deployment_ErrorFromAClientThatIsNotOurs_IsRetriedWhenItIsAnIOError()
    {
        int calls = 0;
        var flaky = TestChatClient.Answering("eventually", fail: () => ++calls < 3 ? new HttpRequestException("connection reset") : null);
        using var router = Router(RoutingStrategy.Priority, new Deployment("custom/model") { Client = flaky });

        (await router.For("g").GetResponseAsync(Hello)).Text.ShouldBe("eventually");
        flaky.Calls.Count.ShouldBe(3);
    }

    private static Router Router(RoutingStrategy strategy, params Deployment[] deployments)
    {
        RouterOptions options = RouterFixture.Options(new ModelGroup("g", deployments) { Strategy = strategy });
        return new Router(options);
    }
}
