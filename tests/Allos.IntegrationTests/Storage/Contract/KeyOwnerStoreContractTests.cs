using Allos.Storage;

namespace Allos.IntegrationTests.Storage.Contract;

/// <summary>Users and teams: the contract every key store meets for key owners.</summary>
public abstract class KeyOwnerStoreContractTests(IStoreHarness harness) : StoreContractTests(harness)
{
    private static readonly DateTimeOffset Created = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private static KeyOwner Team(string id) => new()
    {
        Kind = KeyOwnerKind.Team,
        Id = id,
        Alias = "Search",
        Models = ["fast", "openai/*"],
        MaxBudget = 100m,
        BudgetDuration = "30d",
        BudgetResetAt = Created.AddDays(30),
        RpmLimit = 600,
        TpmLimit = 1_000_000,
        MaxParallelRequests = 20,
        Metadata = """{"cc":"42"}""",
        Created = Created,
        Blocked = true,
    };

    [Fact]
    public async Task CreateOwnerAsync_ThenGet_ReturnsEveryField_AndKindsAreApart()
    {
        KeyOwner team = Team("search");
        await Keys.CreateOwnerAsync(team);
        await Keys.CreateOwnerAsync(new KeyOwner { Kind = KeyOwnerKind.User, Id = "search", Created = Created });

        KeyOwner stored = (await Keys.GetOwnerAsync(KeyOwnerKind.Team, "search")).ShouldNotBeNull();
        stored.ShouldBe(team with { Models = stored.Models });
        stored.Models.ShouldBe(["fast", "openai/*"]);
        (await Keys.GetOwnerAsync(KeyOwnerKind.User, "search")).ShouldNotBeNull().MaxBudget.ShouldBeNull();
        (await Keys.ListOwnersAsync(KeyOwnerKind.Team)).Select(o => o.Id).ShouldBe(["search"]);
        await Should.ThrowAsync<InvalidOperationException>(() => Keys.CreateOwnerAsync(Team("search")));
    }

    [Fact]
    public async Task OwnerSpend_AddsExactly_ResetsToZero_UpdateKeepsIt_DeleteRemoves()
    {
        await Keys.CreateOwnerAsync(Team("t1"));
        for (int i = 0; i < 10; i++)
        {
            await Keys.AddOwnerSpendAsync(KeyOwnerKind.Team, "t1", 0.1m);
        }

        (await Keys.UpdateOwnerAsync(Team("t1") with { MaxBudget = 5m, Blocked = false })).ShouldBeTrue();
        KeyOwner updated = (await Keys.GetOwnerAsync(KeyOwnerKind.Team, "t1"))!;
        updated.Spend.ShouldBe(1.0m);
        updated.MaxBudget.ShouldBe(5m);
        updated.Blocked.ShouldBeFalse();

        await Keys.ResetOwnerSpendAsync(KeyOwnerKind.Team, "t1", Created.AddDays(60));
        KeyOwner reset = (await Keys.GetOwnerAsync(KeyOwnerKind.Team, "t1"))!;
        reset.Spend.ShouldBe(0m);
        reset.BudgetResetAt.ShouldBe(Created.AddDays(60));

        (await Keys.DeleteOwnersAsync(KeyOwnerKind.Team, ["t1", "nope"])).ShouldBe(["t1"]);
        (await Keys.GetOwnerAsync(KeyOwnerKind.Team, "t1")).ShouldBeNull();
        (await Keys.UpdateOwnerAsync(Team("t1"))).ShouldBeFalse();
    }
}
