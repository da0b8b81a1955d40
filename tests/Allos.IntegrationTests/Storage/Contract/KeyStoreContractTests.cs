using Allos.Storage;

namespace Allos.IntegrationTests.Storage.Contract;

/// <summary>Virtual keys: stored by hash, updated without touching spend, charged exactly — the contract every key store meets.</summary>
public abstract class KeyStoreContractTests(IStoreHarness harness) : StoreContractTests(harness)
{
    private static readonly DateTimeOffset Created = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private static VirtualKey Key(string hash, string? alias = null, string? user = null, string? team = null) => new()
    {
        Hash = hash,
        KeyName = "sk-...abcd",
        Alias = alias,
        Models = ["fast", "openai/*"],
        MaxBudget = 12.5m,
        BudgetDuration = "30d",
        BudgetResetAt = Created.AddDays(30),
        RpmLimit = 60,
        TpmLimit = 100_000,
        MaxParallelRequests = 4,
        Expires = Created.AddDays(90),
        UserId = user,
        TeamId = team,
        Metadata = """{"env":"test"}""",
        Created = Created,
    };

    [Fact]
    public async Task CreateAsync_ThenGetAsync_ReturnsEveryField()
    {
        VirtualKey key = Key(new string('a', 64), "ci", "ann", "search");
        await Keys.CreateAsync(key);

        VirtualKey? read = await Keys.GetAsync(key.Hash);

        read.ShouldNotBeNull();
        read.ShouldBe(key with { Models = read.Models });
        read.Models.ShouldBe(["fast", "openai/*"]);
        (await Keys.GetAsync(new string('b', 64))).ShouldBeNull();
    }

    [Fact]
    public async Task CreateAsync_DuplicateAlias_ThrowsNamingTheAlias()
    {
        await Keys.CreateAsync(Key(new string('a', 64), "ci"));

        var error = await Should.ThrowAsync<InvalidOperationException>(() => Keys.CreateAsync(Key(new string('b', 64), "ci")));

        error.Message.ShouldContain("'ci'");
    }

    [Fact]
    public async Task UpdateAsync_ChangesLimitsButKeepsSpendAndCreation()
    {
        VirtualKey key = Key(new string('a', 64));
        await Keys.CreateAsync(key);
        await Keys.AddSpendAsync(key.Hash, 1.25m);

        bool updated = await Keys.UpdateAsync(key with { RpmLimit = null, Blocked = true, Spend = 99, Created = Created.AddDays(5), Models = [] });

        updated.ShouldBeTrue();
        VirtualKey read = (await Keys.GetAsync(key.Hash))!;
        read.RpmLimit.ShouldBeNull();
        read.Blocked.ShouldBeTrue();
        read.Models.ShouldBeEmpty();
        read.Spend.ShouldBe(1.25m);
        read.Created.ShouldBe(Created);
        (await Keys.UpdateAsync(Key(new string('c', 64)))).ShouldBeFalse();
    }

    [Fact]
    public async Task AddSpendAsync_ManyAdditions_SumExactly_AndResetStartsFromZero()
    {
        VirtualKey key = Key(new string('a', 64));
        await Keys.CreateAsync(key);

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Keys.AddSpendAsync(key.Hash, 0.000001m)));
        (await Keys.GetAsync(key.Hash))!.Spend.ShouldBe(0.00005m);

        await Keys.ResetSpendAsync(key.Hash, Created.AddDays(60));
        VirtualKey reset = (await Keys.GetAsync(key.Hash))!;
        reset.Spend.ShouldBe(0m);
        reset.BudgetResetAt.ShouldBe(Created.AddDays(60));
    }

    [Fact]
    public async Task ListAsync_FiltersByUserAndTeam_DeleteAsync_ReturnsOnlyExistingHashes()
    {
        await Keys.CreateAsync(Key(new string('a', 64), user: "ann", team: "t1"));
        await Keys.CreateAsync(Key(new string('b', 64), user: "bob", team: "t1") with { Created = Created.AddMinutes(1) });
        await Keys.CreateAsync(Key(new string('c', 64), user: "ann", team: "t2") with { Created = Created.AddMinutes(2) });

        (await Keys.ListAsync()).Select(k => k.Hash[0]).ShouldBe(['c', 'b', 'a']);
        (await Keys.ListAsync(userId: "ann")).Select(k => k.Hash[0]).ShouldBe(['c', 'a']);
        (await Keys.ListAsync(teamId: "t1")).Select(k => k.Hash[0]).ShouldBe(['b', 'a']);
        (await Keys.ListAsync("ann", "t1")).Select(k => k.Hash[0]).ShouldBe(['a']);

        IReadOnlyList<string> deleted = await Keys.DeleteAsync([new string('a', 64), new string('z', 64)]);

        deleted.ShouldBe([new string('a', 64)]);
        (await Keys.ListAsync()).Count.ShouldBe(2);
    }
}
