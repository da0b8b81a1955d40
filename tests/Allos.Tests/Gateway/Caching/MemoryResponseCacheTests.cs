using Allos.Gateway.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Allos.Tests.Gateway.Caching;

public sealed class MemoryResponseCacheTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static ChatResponse Response(string text) => new(new ChatMessage(ChatRole.Assistant, text));

    [Fact]
    public async Task GetAsync_UnknownKey_ReturnsNull()
    {
        var cache = new MemoryResponseCache(timeProvider: _clock);

        (await cache.GetAsync("missing")).ShouldBeNull();
    }

    [Fact]
    public async Task GetAsync_RichResponse_RoundTripsEveryPart()
    {
        var cache = new MemoryResponseCache(timeProvider: _clock);

        await cache.SetAsync("k", RichResponses.Create(), Hour);

        (await cache.GetAsync("k")).ShouldMatchRich();
    }

    [Fact]
    public async Task SetAsync_SameKey_ReplacesEntry()
    {
        var cache = new MemoryResponseCache(timeProvider: _clock);

        await cache.SetAsync("k", Response("one"), Hour);
        await cache.SetAsync("k", Response("two"), Hour);

        (await cache.GetAsync("k"))!.Text.ShouldBe("two");
        cache.Count.ShouldBe(1);
    }

    [Fact]
    public async Task SetAsync_BeyondMaxEntries_EvictsLeastRecentlyUsed()
    {
        var cache = new MemoryResponseCache(maxEntries: 3, timeProvider: _clock);
        await cache.SetAsync("a", Response("a"), Hour);
        await cache.SetAsync("b", Response("b"), Hour);
        await cache.SetAsync("c", Response("c"), Hour);

        // Reading "a" makes "b" the least recently used.
        (await cache.GetAsync("a")).ShouldNotBeNull();
        await cache.SetAsync("d", Response("d"), Hour);

        (await cache.GetAsync("b")).ShouldBeNull();
        (await cache.GetAsync("a")).ShouldNotBeNull();
        (await cache.GetAsync("c")).ShouldNotBeNull();
        (await cache.GetAsync("d")).ShouldNotBeNull();
        cache.Count.ShouldBe(3);

        // Now "a" is the oldest use again.
        await cache.SetAsync("e", Response("e"), Hour);
        (await cache.GetAsync("a")).ShouldBeNull();
    }

    [Fact]
    public async Task SetAsync_BeyondMaxBytes_EvictsLeastRecentlyUsedUntilUnderTheBound()
    {
        var probe = new MemoryResponseCache(timeProvider: _clock);
        await probe.SetAsync("a", Response(new string('x', 1000)), Hour);
        long entrySize = probe.SizeInBytes;

        // Room for two entries of this size, not three.
        var cache = new MemoryResponseCache(maxEntries: 100, timeProvider: _clock, maxBytes: (entrySize * 2) + (entrySize / 2));
        await cache.SetAsync("a", Response(new string('x', 1000)), Hour);
        await cache.SetAsync("b", Response(new string('y', 1000)), Hour);
        (await cache.GetAsync("a")).ShouldNotBeNull();
        await cache.SetAsync("c", Response(new string('z', 1000)), Hour);

        (await cache.GetAsync("b")).ShouldBeNull();
        (await cache.GetAsync("a")).ShouldNotBeNull();
        (await cache.GetAsync("c")).ShouldNotBeNull();
        cache.SizeInBytes.ShouldBeLessThanOrEqualTo((entrySize * 2) + (entrySize / 2));
    }

    [Fact]
    public async Task SetAsync_SizeGrowsWithText_AndShrinksWhenReplaced()
    {
        var cache = new MemoryResponseCache(timeProvider: _clock);

        await cache.SetAsync("k", Response(new string('x', 10_000)), Hour);
        long large = cache.SizeInBytes;
        await cache.SetAsync("k", Response("small"), Hour);

        large.ShouldBeGreaterThan(10_000);
        cache.SizeInBytes.ShouldBeLessThan(large - 9_000);
    }

    [Fact]
    public async Task SetAsync_ResponseLargerThanTheWholeBound_NotStoredAndOldEntryRemoved()
    {
        var cache = new MemoryResponseCache(timeProvider: _clock, maxBytes: 2000);
        await cache.SetAsync("k", Response("small"), Hour);
        await cache.SetAsync("other", Response("kept"), Hour);

        await cache.SetAsync("k", Response(new string('x', 5000)), Hour);

        (await cache.GetAsync("k")).ShouldBeNull();
        (await cache.GetAsync("other"))!.Text.ShouldBe("kept");
    }

    [Fact]
    public async Task GetAsync_AfterTimeToLive_MissAndEntryRemoved()
    {
        var cache = new MemoryResponseCache(timeProvider: _clock);
        await cache.SetAsync("short", Response("s"), TimeSpan.FromMinutes(10));
        await cache.SetAsync("long", Response("l"), Hour);

        _clock.Advance(TimeSpan.FromMinutes(9));
        (await cache.GetAsync("short")).ShouldNotBeNull();

        _clock.Advance(TimeSpan.FromMinutes(1));
        (await cache.GetAsync("short")).ShouldBeNull();
        (await cache.GetAsync("long")).ShouldNotBeNull();
        cache.Count.ShouldBe(1);
    }

    [Fact]
    public async Task SetAsync_ManyStoresAfterExpiry_SweepRemovesExpiredEntriesNeverRead()
    {
        var cache = new MemoryResponseCache(maxEntries: 10_000, timeProvider: _clock);
        for (int i = 0; i < 100; i++)
        {
            await cache.SetAsync($"old{i}", Response("o"), TimeSpan.FromMinutes(1));
        }

        _clock.Advance(TimeSpan.FromMinutes(2));
        for (int i = 0; i < 300; i++)
        {
            await cache.SetAsync($"new{i}", Response("n"), Hour);
        }

        cache.Count.ShouldBe(300);
    }

    [Fact]
    public async Task SetAsync_MaximumTimeToLive_DoesNotOverflow()
    {
        var cache = new MemoryResponseCache(timeProvider: _clock);

        await cache.SetAsync("k", Response("forever"), TimeSpan.MaxValue);
        _clock.Advance(TimeSpan.FromDays(10_000));

        (await cache.GetAsync("k"))!.Text.ShouldBe("forever");
    }

    [Fact]
    public async Task SetAsync_NonPositiveTimeToLive_Throws()
    {
        var cache = new MemoryResponseCache(timeProvider: _clock);

        await Should.ThrowAsync<ArgumentOutOfRangeException>(async () => await cache.SetAsync("k", Response("x"), TimeSpan.Zero));
    }

    [Fact]
    public async Task GetAsync_CallerMutatesReturnedResponse_NextHitUnchanged()
    {
        var cache = new MemoryResponseCache(timeProvider: _clock);
        await cache.SetAsync("k", RichResponses.Create(), Hour);

        ChatResponse first = (await cache.GetAsync("k"))!;
        first.Messages[0].Contents.Clear();
        first.Messages.Add(new ChatMessage(ChatRole.User, "injected"));
        first.Usage!.AdditionalCounts!["cache_creation_input_tokens"] = 0;
        first.ResponseId = "changed";

        ChatResponse second = (await cache.GetAsync("k"))!;
        second.ShouldNotBeSameAs(first);
        second.ShouldMatchRich();
    }

    [Fact]
    public async Task SetAsync_CallerMutatesStoredResponseAfterwards_CacheUnchanged()
    {
        var cache = new MemoryResponseCache(timeProvider: _clock);
        ChatResponse response = RichResponses.Create();
        await cache.SetAsync("k", response, Hour);

        response.Messages.Clear();
        response.Usage!.InputTokenCount = 1;

        (await cache.GetAsync("k")).ShouldMatchRich();
    }

    [Fact]
    public async Task GetAndSet_ManyThreadsAtOnce_StaysConsistentAndBounded()
    {
        var cache = new MemoryResponseCache(maxEntries: 50, timeProvider: _clock);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (int i = 0; i < 500; i++)
            {
                string key = $"k{(worker * 31 + i) % 120}";
                ChatResponse? hit = await cache.GetAsync(key);
                if (hit is not null)
                {
                    // Whatever was stored under a key is that key's response, never another's.
                    hit.Text.ShouldBe(key);
                }

                await cache.SetAsync(key, Response(key), Hour);
            }
        })));

        cache.Count.ShouldBeLessThanOrEqualTo(50);
        long sum = 0;
        for (int i = 0; i < 120; i++)
        {
            if (await cache.GetAsync($"k{i}") is { } hit)
            {
                hit.Text.ShouldBe($"k{i}");
                sum++;
            }
        }

        sum.ShouldBe(cache.Count);
        cache.SizeInBytes.ShouldBeGreaterThan(0);
    }
}
