using Allos.Gateway;
using Allos.Models;
using Allos.Tests.Shared;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Gateway.Layers;

public sealed class BudgetChatClientTests
{
    private static readonly ModelInfo Model = ModelCatalog.Default.Get("openai/gpt-4o-mini");

    [Fact]
    public async Task GetResponseAsync_SpendingReachesTheLimit_RefusesTheNextCallBeforeSendingIt()
    {
        var inner = TestChatClient.Answering("ok");
        decimal oneCall = CostCalculator.Cost(Model, new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 })!.Value;
        using IChatClient client = inner.AsBuilder().UseBudgets(options =>
            options.Budgets.Add(new Budget(BudgetScope.Global, BudgetPeriod.Total, oneCall))).Build();
        var options = new ChatOptions { ModelId = "openai/gpt-4o-mini", MaxOutputTokens = 1 };

        // The reservation (a few input tokens, one output token) fits; the actual cost then uses the whole budget.
        (await client.GetResponseAsync("hi", options)).Text.ShouldBe("ok");
        var refused = await Should.ThrowAsync<BudgetExceededException>(() => client.GetResponseAsync("hi", options));

        refused.Spent.ShouldBe(oneCall);
        inner.Calls.Count.ShouldBe(1);
    }

    [Fact]
    public async Task GetResponseAsync_EstimateAboveWhatIsLeft_Refuses()
    {
        var inner = TestChatClient.Answering("ok");
        using IChatClient client = inner.AsBuilder().UseBudgets(options =>
            options.Budgets.Add(new Budget(BudgetScope.User, BudgetPeriod.Day, 0.0001m))).Build();

        // 16,384 output tokens of gpt-4o-mini could cost about 1 cent: more than this user's budget.
        var options = new ChatOptions { ModelId = "openai/gpt-4o-mini" }.WithUser("alice");
        var refused = await Should.ThrowAsync<BudgetExceededException>(() => client.GetResponseAsync("hi", options));

        refused.Key.ShouldBe("alice");
        refused.EstimatedCost.ShouldNotBeNull().ShouldBeGreaterThan(0.0001m);
        inner.Calls.Count.ShouldBe(0);

        // Another user, or none, is not counted against alice's budget.
        (await client.GetResponseAsync("hi", new ChatOptions { ModelId = "openai/gpt-4o-mini" })).Text.ShouldBe("ok");
    }
}
