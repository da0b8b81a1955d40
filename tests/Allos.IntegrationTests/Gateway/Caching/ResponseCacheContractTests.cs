using System.Text.Json;
using Allos.Gateway.Caching;
using Microsoft.Extensions.Time.Testing;

namespace Allos.IntegrationTests.Gateway.Caching;

/// <summary>
/// What every persistent response cache does, whatever it keeps rows in: each subclass (SQLite, PostgreSQL) opens its
/// caches over one fresh file or database per test, so the same cases check both.
/// </summary>
public abstract class ResponseCacheContractTests : IAsyncLifetime
{
    protected static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly List<IResponseCache> _opened = [];

    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (IResponseCache cache in _opened)
        {
            await CloseAsync(cache);
        }
    }

    /// <summary>Opens a cache over this test's file or database (the same one each time), on <see cref="Clock"/>.</summary>
    protected abstract IResponseCache OpenCache(int maxEntries);

    /// <summary>Counts the rows of <c>response_cache</c>, from outside the cache.</summary>
    protected abstract long Rows();

    /// <summary>Runs SQL on the cache's table from outside the cache.</summary>
    protected abstract void Execute(string sql);

    /// <summary>Waits for clean-up the cache runs in the background; nothing to wait for where it runs inline.</summary>
    protected virtual Task SettledAsync(IResponseCache cache) => Task.CompletedTask;

    protected IResponseCache Open(int maxEntries = 10_000)
    {
        IResponseCache cache = OpenCache(maxEntries);
        _opened.Add(cache);
        return cache;
    }

    protected static async Task CloseAsync(IResponseCache cache)
    {
        switch (cache)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    protected static ChatResponse Response(string text) => new(new ChatMessage(ChatRole.Assistant, text));

    private static ChatResponse Rich() => new(
    [
        new ChatMessage(ChatRole.Assistant,
        [
            new TextReasoningContent("Let me think.") { ProtectedData = "sig-123" },
            new TextContent("The answer is 42."),
            new FunctionCallContent("call-1", "lookup", new Dictionary<string, object?> { ["word"] = "answer" }),
        ]),
    ])
    {
        ResponseId = "resp-1",
        ModelId = "gpt-4o-mini-2024-07-18",
        FinishReason = ChatFinishReason.ToolCalls,
        Usage = new UsageDetails
        {
            InputTokenCount = 100,
            OutputTokenCount = 20,
            TotalTokenCount = 120,
            CachedInputTokenCount = 60,
            ReasoningTokenCount = 5,
            AdditionalCounts = new() { ["cache_creation_input_tokens"] = 40 },
        },
    };

    [Fact]
    public async Task GetAsync_RichResponse_RoundTripsEveryPart()
    {
        IResponseCache cache = Open();

        await cache.SetAsync("k", Rich(), Hour);
        ChatResponse? response = await cache.GetAsync("k");

        response.ShouldNotBeNull();
        response.ResponseId.ShouldBe("resp-1");
        response.ModelId.ShouldBe("gpt-4o-mini-2024-07-18");
        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        response.Text.ShouldBe("The answer is 42.");
        response.Usage!.InputTokenCount.ShouldBe(100);
        response.Usage.OutputTokenCount.ShouldBe(20);
        response.Usage.TotalTokenCount.ShouldBe(120);
        response.Usage.CachedInputTokenCount.ShouldBe(60);
        response.Usage.ReasoningTokenCount.ShouldBe(5);
        response.Usage.AdditionalCounts!["cache_creation_input_tokens"].ShouldBe(40);
        IList<AIContent> contents = response.Messages.ShouldHaveSingleItem().Contents;
        TextReasoningContent reasoning = contents[0].ShouldBeOfType<TextReasoningContent>();
        reasoning.Text.ShouldBe("Let me think.");
        reasoning.ProtectedData.ShouldBe("sig-123");
        FunctionCallContent call = contents[2].ShouldBeOfType<FunctionCallContent>();
        call.CallId.ShouldBe("call-1");
        call.Name.ShouldBe("lookup");
        ((JsonElement)call.Arguments!["word"]!).GetString().ShouldBe("answer");
    }

    [Fact]
    public async Task GetAsync_AfterReopen_ReturnsWhatWasStored()
    {
        IResponseCache first = Open();
        await first.SetAsync("k", Response("persisted"), Hour);
        await CloseAsync(first);

        IResponseCache second = Open();

        (await second.GetAsync("k"))!.Text.ShouldBe("persisted");
        (await second.GetAsync("other")).ShouldBeNull();
    }

    [Fact]
    public async Task SetAsync_SameKey_ReplacesRow()
    {
        IResponseCache cache = Open();

        await cache.SetAsync("k", Response("one"), Hour);
        await cache.SetAsync("k", Response("two"), Hour);

        (await cache.GetAsync("k"))!.Text.ShouldBe("two");
        Rows().ShouldBe(1);
    }

    [Fact]
    public async Task GetAsync_AfterTimeToLive_Miss()
    {
        IResponseCache cache = Open();
        await cache.SetAsync("short", Response("s"), TimeSpan.FromMinutes(10));
        await cache.SetAsync("long", Response("l"), Hour);

        Clock.Advance(TimeSpan.FromMinutes(9));
        (await cache.GetAsync("short")).ShouldNotBeNull();
        Clock.Advance(TimeSpan.FromMinutes(1));

        (await cache.GetAsync("short")).ShouldBeNull();
        (await cache.GetAsync("long")).ShouldNotBeNull();
    }

    [Fact]
    public async Task SetAsync_ExpiredRowsNeverRead_PurgedBySweep()
    {
        IResponseCache cache = Open();
        for (int i = 0; i < 50; i++)
        {
            await cache.SetAsync($"old{i}", Response("o"), TimeSpan.FromMinutes(1));
        }

        Clock.Advance(TimeSpan.FromMinutes(2));
        for (int i = 0; i < 300; i++)
        {
            await cache.SetAsync($"new{i}", Response("n"), Hour);
        }

        await SettledAsync(cache);
        Rows().ShouldBe(300);
    }

    [Fact]
    public async Task SetAsync_BeyondMaxEntries_EvictsLeastRecentlyUsed()
    {
        // The clock stands still: recency must still follow the order of use.
        IResponseCache cache = Open(maxEntries: 3);
        await cache.SetAsync("a", Response("a"), Hour);
        await cache.SetAsync("b", Response("b"), Hour);
        await cache.SetAsync("c", Response("c"), Hour);
        (await cache.GetAsync("a")).ShouldNotBeNull();

        await cache.SetAsync("d", Response("d"), Hour);
        await SettledAsync(cache);

        Rows().ShouldBe(3);
        (await cache.GetAsync("b")).ShouldBeNull();
        (await cache.GetAsync("a")).ShouldNotBeNull();
        (await cache.GetAsync("c")).ShouldNotBeNull();
        (await cache.GetAsync("d")).ShouldNotBeNull();
    }

    [Fact]
    public async Task Open_ExistingTableFullerThanTheNewBound_TrimmedOnNextStore()
    {
        IResponseCache big = Open();
        for (int i = 0; i < 10; i++)
        {
            await big.SetAsync($"k{i}", Response($"{i}"), Hour);
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        await CloseAsync(big);

        IResponseCache small = Open(maxEntries: 4);
        await small.SetAsync("new", Response("n"), Hour);
        await SettledAsync(small);

        Rows().ShouldBe(4);
        (await small.GetAsync("new")).ShouldNotBeNull();
        (await small.GetAsync("k9")).ShouldNotBeNull();
        (await small.GetAsync("k6")).ShouldBeNull();
    }

    [Fact]
    public async Task GetAndSet_ManyThreadsAtOnce_StaysConsistentAndBounded()
    {
        IResponseCache cache = Open(maxEntries: 20);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (int i = 0; i < 60; i++)
            {
                string key = $"k{(worker * 7 + i) % 40}";
                if (await cache.GetAsync(key) is { } hit)
                {
                    hit.Text.ShouldBe(key);
                }

                await cache.SetAsync(key, Response(key), Hour);
            }
        })));

        await SettledAsync(cache);
        Rows().ShouldBeLessThanOrEqualTo(20);
        Rows().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task GetAsync_AfterDispose_Throws()
    {
        IResponseCache cache = Open();
        await CloseAsync(cache);

        await Should.ThrowAsync<ObjectDisposedException>(async () => await cache.GetAsync("k"));
    }

    [Fact]
    public async Task GetAsync_CorruptRow_ThrowsSoTheCallerReportsAMiss_AndTheNextStoreReplacesIt()
    {
        IResponseCache cache = Open();
        await cache.SetAsync("k", Response("fine"), Hour);
        Execute("UPDATE response_cache SET json = '{not json' WHERE key = 'k';");

        await Should.ThrowAsync<JsonException>(async () => await cache.GetAsync("k"));
        Exception? reported = null;
        (await cache.TryGetAsync<object?>("k", (_, error) => reported = error, null, CancellationToken.None)).ShouldBeNull();
        reported.ShouldBeAssignableTo<JsonException>();

        await cache.SetAsync("k", Response("again"), Hour);
        (await cache.GetAsync("k"))!.Text.ShouldBe("again");
    }
}
