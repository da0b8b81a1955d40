using Allos.Gateway.Server.Errors;
using Allos.Gateway.Server.Keys;
using Allos.IntegrationTests.Storage;
using Allos.Storage;
using Allos.Storage.Sqlite;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Allos.IntegrationTests.GatewayServer.Keys;

/// <summary>The per-key checks, against a real SQLite key store and a fake clock.</summary>
public sealed class KeyGateTests : IAsyncLifetime, IDisposable
{
    private const string Master = "sk-master-for-tests";
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDatabase _database = new();
    private readonly FakeTimeProvider _time = new(Start);
    private SqliteStore _store = null!;
    private KeyGate _gate = null!;

    public async Task InitializeAsync()
    {
        _store = await _database.OpenAsync();
        _gate = new KeyGate(_store.Keys, Master, _time);
    }

    public async Task DisposeAsync()
    {
        // Spend is written off the request path: let the last writes finish before the file goes.
        await _gate.FlushAsync();
        await _store.DisposeAsync();
    }

    public void Dispose() => _database.Dispose();

    private async Task<string> KeyAsync(Func<VirtualKey, VirtualKey>? configure = null)
    {
        string key = VirtualKeys.Generate();
        var record = new VirtualKey { Hash = VirtualKeys.Hash(key), KeyName = VirtualKeys.Name(key), Alias = "k-" + key[^6..], Created = Start };
        await _store.Keys.CreateAsync(configure?.Invoke(record) ?? record);
        return key;
    }

    private static DefaultHttpContext Request(string? key, string header = "Authorization")
    {
        var context = new DefaultHttpContext();
        if (key is not null)
        {
            context.Request.Headers[header] = header == "Authorization" ? "Bearer " + key : key;
        }

        return context;
    }

    private ValueTask<KeyAdmission> AdmitAsync(string? key, string model = "fast", decimal? cost = 0.01m, long tokens = 100, string header = "Authorization") =>
        _gate.AdmitAsync(Request(key, header), model, cost, tokens, null, CancellationToken.None);

    [Fact]
    public async Task AdmitAsync_200ConcurrentRequests_BudgetForTen_NeverOverspends()
    {
        string key = await KeyAsync(k => k with { MaxBudget = 0.10m });

        // Every admitted call holds its reservation until all have been decided, then spends its full estimate.
        KeyAdmission[] admissions = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => AdmitAsync(key).AsTask())));

        admissions.Count(a => a.Admitted).ShouldBe(10);
        admissions.Where(a => !a.Admitted).ShouldAllBe(a => a.Error!.Status == 429 && a.Error.Kind == GatewayErrorKind.Budget);
        foreach (KeyAdmission admitted in admissions.Where(a => a.Admitted))
        {
            admitted.Lease!.Settle(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 10 }, 0.01m);
        }

        KeyAdmission after = await AdmitAsync(key);
        after.Admitted.ShouldBeFalse();
        after.Error!.Message.ShouldContain("max_budget of $0.1");
        _gate.LiveSpend(VirtualKeys.Hash(key)).ShouldBe(0.10m);
        await _gate.FlushAsync();
        (await _store.Keys.GetAsync(VirtualKeys.Hash(key)))!.Spend.ShouldBe(0.10m);
    }

    [Fact]
    public async Task AdmitAsync_SettledBelowEstimate_GivesBackTheDifference()
    {
        string key = await KeyAsync(k => k with { MaxBudget = 0.02m });
        KeyAdmission first = await AdmitAsync(key);
        KeyAdmission second = await AdmitAsync(key);
        (await AdmitAsync(key)).Admitted.ShouldBeFalse();

        first.Lease!.Settle(null, 0.001m);
        second.Lease!.Dispose();

        (await AdmitAsync(key)).Admitted.ShouldBeTrue();
        _gate.LiveSpend(VirtualKeys.Hash(key)).ShouldBe(0.001m);
    }

    [Fact]
    public async Task AdmitAsync_BudgetSpent_429WithRetryAfterUntilReset_ThenAdmitsInTheNextPeriod()
    {
        string key = await KeyAsync(k => k with { MaxBudget = 0.01m, BudgetDuration = "1h", BudgetResetAt = Start.AddHours(1) });
        (await AdmitAsync(key)).Lease!.Settle(null, 0.01m);

        KeyAdmission refused = await AdmitAsync(key);
        refused.Error!.Status.ShouldBe(429);
        refused.Error.RetryAfter.ShouldBe(TimeSpan.FromHours(1));

        _time.Advance(TimeSpan.FromHours(1));
        KeyAdmission admitted = await AdmitAsync(key);
        admitted.Admitted.ShouldBeTrue();
        admitted.Lease.Dispose();
        await _gate.FlushAsync();
        VirtualKey stored = (await _store.Keys.GetAsync(VirtualKeys.Hash(key)))!;
        stored.Spend.ShouldBe(0m);
        stored.BudgetResetAt.ShouldBe(Start.AddHours(2));
    }

    [Fact]
    public async Task AdmitAsync_NoKeyOrUnknownKey_401_MasterKeyUnlimited_InEveryHeader()
    {
        (await AdmitAsync(null)).Error!.Status.ShouldBe(401);
        (await AdmitAsync("sk-not-a-key")).Error!.Status.ShouldBe(401);
        (await AdmitAsync(Master)).Lease.ShouldBeSameAs(KeyLease.Unlimited);

        string key = await KeyAsync();
        (await AdmitAsync(key, header: "x-api-key")).Admitted.ShouldBeTrue();
        (await AdmitAsync(key, header: "x-goog-api-key")).Admitted.ShouldBeTrue();
    }

    [Fact]
    public async Task AdmitAsync_WithoutMasterKey_AdmitsWithoutKey()
    {
        var open = new KeyGate(_store.Keys, null, _time);

        KeyAdmission admission = await open.AdmitAsync(Request(null), "fast", 1m, 1, null, CancellationToken.None);

        admission.Lease.ShouldBeSameAs(KeyLease.Unlimited);
    }

    [Fact]
    public async Task AdmitAsync_ModelNotAllowed_403NamingTheAllowedModels()
    {
        string key = await KeyAsync(k => k with { Models = ["fast", "openai/*"] });

        (await AdmitAsync(key, "fast")).Admitted.ShouldBeTrue();
        (await AdmitAsync(key, "openai/gpt-4o-mini")).Admitted.ShouldBeTrue();
        GatewayError error = (await AdmitAsync(key, "anthropic/claude-sonnet-4-5")).Error!;

        error.Status.ShouldBe(403);
        error.Message.ShouldContain("may use: fast, openai/*");
    }

    [Fact]
    public async Task AdmitAsync_Expired_401AtTheFirstRequestAfterExpiry()
    {
        string key = await KeyAsync(k => k with { Expires = Start.AddMinutes(5) });
        (await AdmitAsync(key)).Admitted.ShouldBeTrue();

        _time.Advance(TimeSpan.FromMinutes(5));
        GatewayError error = (await AdmitAsync(key)).Error!;

        error.Status.ShouldBe(401);
        error.Message.ShouldContain("expired");
    }

    [Fact]
    public async Task AdmitAsync_BlockedOrDeleted_RefusedAtTheNextRequest()
    {
        string key = await KeyAsync();
        string hash = VirtualKeys.Hash(key);
        (await AdmitAsync(key)).Admitted.ShouldBeTrue();

        await _store.Keys.UpdateAsync((await _store.Keys.GetAsync(hash))! with { Blocked = true });
        await _gate.RefreshAsync(hash, CancellationToken.None);
        (await AdmitAsync(key)).Error!.Message.ShouldContain("blocked");

        await _store.Keys.DeleteAsync([hash]);
        _gate.Forget([hash]);
        (await AdmitAsync(key)).Error!.Status.ShouldBe(401);
    }

    [Fact]
    public async Task AdmitAsync_MaxParallelRequests_429UntilOneEnds()
    {
        string key = await KeyAsync(k => k with { MaxParallelRequests = 2 });
        KeyAdmission first = await AdmitAsync(key);
        (await AdmitAsync(key)).Admitted.ShouldBeTrue();

        GatewayError error = (await AdmitAsync(key)).Error!;
        error.Status.ShouldBe(429);
        error.RetryAfter.ShouldNotBeNull();

        first.Lease!.Dispose();
        (await AdmitAsync(key)).Admitted.ShouldBeTrue();
    }

    [Fact]
    public async Task AdmitAsync_RpmLimit_429WithRetryAfter_ThenAdmitsWhenTheWindowSlides()
    {
        string key = await KeyAsync(k => k with { RpmLimit = 2 });
        (await AdmitAsync(key)).Lease!.Dispose();
        (await AdmitAsync(key)).Lease!.Dispose();

        GatewayError error = (await AdmitAsync(key)).Error!;
        error.Status.ShouldBe(429);
        error.Kind.ShouldBe(GatewayErrorKind.RateLimited);
        error.RetryAfter.ShouldBe(TimeSpan.FromMinutes(1));

        _time.Advance(TimeSpan.FromMinutes(1));
        (await AdmitAsync(key)).Admitted.ShouldBeTrue();
    }

    [Fact]
    public async Task AdmitAsync_TpmLimit_SettledUsageFreesTheEstimate()
    {
        string key = await KeyAsync(k => k with { TpmLimit = 1000 });
        KeyAdmission first = await AdmitAsync(key, tokens: 800);
        (await AdmitAsync(key, tokens: 800)).Error!.Status.ShouldBe(429);

        first.Lease!.Settle(new UsageDetails { InputTokenCount = 50, OutputTokenCount = 50, TotalTokenCount = 100 }, 0m);

        (await AdmitAsync(key, tokens: 800)).Admitted.ShouldBeTrue();
    }
}
