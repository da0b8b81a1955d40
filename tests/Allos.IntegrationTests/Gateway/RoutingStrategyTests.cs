using Allos.Gateway;

namespace Allos.IntegrationTests.Gateway;

public sealed class RoutingStrategyTests
{
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "Hello")];

    [Fact]
    public async Task Priority_LowerPriorityFirst_WhateverTheListOrder()
    {
        var low = new ScriptedClient("second");
        var high = new ScriptedClient("first");
        using var router = Router(RoutingStrategy.Priority,
            new Deployment("openai/gpt-4o-mini") { Name = "b", Client = low, Priority = 5 },
            new Deployment("openai/gpt-4o-mini") { Name = "a", Client = high, Priority = 1 });

        (await router.For("g").GetResponseAsync(Hello)).Text.ShouldBe("first");
        low.Calls.ShouldBe(0);
    }

    [Fact]
    public async Task LowestCost_PicksTheCheapestCatalogPrice_UnknownPricesLast()
    {
        var unknown = new ScriptedClient("unknown");
        var expensive = new ScriptedClient("expensive");
        var cheap = new ScriptedClient("cheap");
        using var router = Router(RoutingStrategy.LowestCost,
            new Deployment("openai/some-model-without-a-price") { Client = unknown },
            new Deployment("openai/gpt-4o") { Client = expensive },
            new Deployment("openai/gpt-4o-mini") { Client = cheap });

        (await router.For("g").GetResponseAsync(Hello)).Text.ShouldBe("cheap");
    }

    [Fact]
    public async Task LowestLatency_LearnsAndPrefersTheFasterDeployment()
    {
        var slow = new ScriptedClient("slow", TimeSpan.FromMilliseconds(150));
        var fast = new ScriptedClient("fast", TimeSpan.FromMilliseconds(1));
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

        slow.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task LeastBusy_SpreadsConcurrentCallsOverIdleDeployments()
    {
        var first = new ScriptedClient("one", TimeSpan.FromMilliseconds(200));
        var second = new ScriptedClient("two", TimeSpan.FromMilliseconds(200));
        using var router = Router(RoutingStrategy.LeastBusy,
            new Deployment("openai/gpt-4o-mini") { Name = "one", Client = first },
            new Deployment("openai/gpt-4o-mini") { Name = "two", Client = second });
        IChatClient group = router.For("g");

        Task<ChatResponse> a = group.GetResponseAsync(Hello);
        Task<ChatResponse> b = group.GetResponseAsync(Hello);
        await Task.WhenAll(a, b);

        first.Calls.ShouldBe(1);
        second.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task Deployment_ErrorFromAClientThatIsNotOurs_IsRetriedWhenItIsAnIOError()
    {
        int calls = 0;
        var flaky = new ScriptedClient("eventually") { Fail = () => ++calls < 3 ? new HttpRequestException("connection reset") : null };
        using var router = Router(RoutingStrategy.Priority, new Deployment("custom/model") { Client = flaky });

        (await router.For("g").GetResponseAsync(Hello)).Text.ShouldBe("eventually");
        flaky.Calls.ShouldBe(3);
    }

    private static Router Router(RoutingStrategy strategy, params Deployment[] deployments)
    {
        RouterOptions options = RouterFixture.Options(new ModelGroup("g", deployments) { Strategy = strategy });
        return new Router(options);
    }
}
