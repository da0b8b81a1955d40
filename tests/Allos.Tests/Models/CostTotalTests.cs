using Allos.Models;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Models;

public sealed class CostTotalTests
{
    [Fact]
    public void Sum_AllCallsKnown_AddsThem()
    {
        CostTotal total = CostTotal.Sum([0.01m, 0.02m, 0m]);

        total.Amount.ShouldBe(0.03m);
        total.IsKnown.ShouldBeTrue();
        total.Calls.ShouldBe(3);
    }

    [Fact]
    public void Sum_OneCallUnknown_MakesTheTotalUnknownButKeepsTheKnownPart()
    {
        CostTotal total = CostTotal.Sum([0.01m, null, 0.02m]);

        total.Amount.ShouldBeNull();
        total.IsKnown.ShouldBeFalse();
        total.KnownAmount.ShouldBe(0.03m);
        total.UnknownCalls.ShouldBe(1);
        total.Calls.ShouldBe(3);
    }

    [Fact]
    public void Default_NoCalls_IsAKnownZero()
    {
        CostTotal total = default;

        total.Amount.ShouldBe(0m);
        total.Calls.ShouldBe(0);
    }

    [Fact]
    public void Plus_RunTotals_AddUpToTheSessionTotalAndStayUnknownIfAnyRunIs()
    {
        CostTotal first = default(CostTotal).Add(0.5m);
        CostTotal second = default(CostTotal).Add(0.25m).Add(0.25m);
        CostTotal unknown = default(CostTotal).Add(null);

        (first + second).Amount.ShouldBe(1m);
        (first + second).Calls.ShouldBe(3);
        first.Add(second).Add(unknown).Amount.ShouldBeNull();
    }

    [Fact]
    public void Add_ModelAndUsage_PricesTheCall()
    {
        var priced = new ModelInfo("acme/model", 8_192, 1_024) { Pricing = new ModelPricing(1m, 2m) };
        var unpriced = new ModelInfo("acme/other", 8_192, 1_024);
        var usage = new UsageDetails { InputTokenCount = 1_000_000, OutputTokenCount = 1_000_000 };

        CostTotal total = default(CostTotal).Add(priced, usage);
        total.Amount.ShouldBe(3m);
        total.Add(unpriced, usage).Amount.ShouldBeNull();
    }
}
