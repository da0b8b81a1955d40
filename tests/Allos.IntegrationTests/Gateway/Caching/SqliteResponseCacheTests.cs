using System.Text.Json;
using Allos.Gateway.Caching;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Allos.IntegrationTests.Gateway.Caching;

public sealed class SqliteResponseCacheTests : IDisposable
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly string _folder = Directory.CreateTempSubdirectory("allos-cache-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));

    private string DatabasePath => Path.Combine(_folder, "cache.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private SqliteResponseCache Open(int maxEntries = 10_000) => SqliteResponseCache.Open(DatabasePath, maxEntries, _clock);

    private static ChatResponse Response(string text) => new(new ChatMessage(ChatRole.Assistant, text));

    private long Rows()
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM response_cache;";
        return (long)command.ExecuteScalar()!;
    }

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
        using SqliteResponseCache cache = Open();

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
        using (SqliteResponseCache first = Open())
        {
            await first.SetAsync("k", Response("persisted"), Hour);
        }

        using SqliteResponseCache second = Open();

        (await second.GetAsync("k"))!.Text.ShouldBe("persisted");
        (await second.GetAsync("other")).ShouldBeNull();
    }

    [Fact]
    public async Task Open_MissingFolder_CreatesItAndTheTable()
    {
        string nested = Path.Combine(_folder, "a", "b", "cache.db");

        using (SqliteResponseCache cache = SqliteResponseCache.Open(nested, timeProvider: _clock))
        {
            await cache.SetAsync("k", Response("x"), Hour);
            (await cache.GetAsync("k"))!.Text.ShouldBe("x");
        }

        File.Exists(nested).ShouldBeTrue();
    }

    [Fact]
    public async Task Open_FileSharedWithOtherTables_LeavesThemAlone()
    {
        using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE other (x INTEGER); INSERT INTO other VALUES (7);";
            command.ExecuteNonQuery();
        }

        using SqliteResponseCache cache = Open();
        await cache.SetAsync("k", Response("x"), Hour);

        using var check = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        check.Open();
        using SqliteCommand select = check.CreateCommand();
        select.CommandText = "SELECT x FROM other;";
        ((long)select.ExecuteScalar()!).ShouldBe(7);
        select.CommandText = "PRAGMA journal_mode;";
        ((string)select.ExecuteScalar()!).ShouldBe("wal");
    }

    [Fact]
    public async Task SetAsync_SameKey_ReplacesRow()
    {
        using SqliteResponseCache cache = Open();

        await cache.SetAsync("k", Response("one"), Hour);
        await cache.SetAsync("k", Response("two"), Hour);

        (await cache.GetAsync("k"))!.Text.ShouldBe("two");
        Rows().ShouldBe(1);
    }

    [Fact]
    public async Task GetAsync_AfterTimeToLive_MissAndRowDeleted()
    {
        using SqliteResponseCache cache = Open();
        await cache.SetAsync("short", Response("s"), TimeSpan.FromMinutes(10));
        await cache.SetAsync("long", Response("l"), Hour);

        _clock.Advance(TimeSpan.FromMinutes(9));
        (await cache.GetAsync("short")).ShouldNotBeNull();
        _clock.Advance(TimeSpan.FromMinutes(1));

        (await cache.GetAsync("short")).ShouldBeNull();
        (await cache.GetAsync("long")).ShouldNotBeNull();
        Rows().ShouldBe(1);
    }

    [Fact]
    public async Task SetAsync_ExpiredRowsNeverRead_PurgedBySweep()
    {
        using SqliteResponseCache cache = Open();
        for (int i = 0; i < 50; i++)
        {
            await cache.SetAsync($"old{i}", Response("o"), TimeSpan.FromMinutes(1));
        }

        _clock.Advance(TimeSpan.FromMinutes(2));
        for (int i = 0; i < 300; i++)
        {
            await cache.SetAsync($"new{i}", Response("n"), Hour);
        }

        Rows().ShouldBe(300);
    }

    [Fact]
    public async Task SetAsync_BeyondMaxEntries_EvictsLeastRecentlyUsed()
    {
        // The clock stands still: recency must still follow the order of use.
        using SqliteResponseCache cache = Open(maxEntries: 3);
        await cache.SetAsync("a", Response("a"), Hour);
        await cache.SetAsync("b", Response("b"), Hour);
        await cache.SetAsync("c", Response("c"), Hour);
        (await cache.GetAsync("a")).ShouldNotBeNull();

        await cache.SetAsync("d", Response("d"), Hour);

        Rows().ShouldBe(3);
        (await cache.GetAsync("b")).ShouldBeNull();
        (await cache.GetAsync("a")).ShouldNotBeNull();
        (await cache.GetAsync("c")).ShouldNotBeNull();
        (await cache.GetAsync("d")).ShouldNotBeNull();
    }

    [Fact]
    public async Task Open_ExistingFileFullerThanTheNewBound_TrimmedOnNextStore()
    {
        using (SqliteResponseCache big = Open())
        {
            for (int i = 0; i < 10; i++)
            {
                await big.SetAsync($"k{i}", Response($"{i}"), Hour);
                _clock.Advance(TimeSpan.FromSeconds(1));
            }
        }

        using SqliteResponseCache small = Open(maxEntries: 4);
        await small.SetAsync("new", Response("n"), Hour);

        Rows().ShouldBe(4);
        (await small.GetAsync("new")).ShouldNotBeNull();
        (await small.GetAsync("k9")).ShouldNotBeNull();
        (await small.GetAsync("k6")).ShouldBeNull();
    }

    [Fact]
    public async Task GetAndSet_ManyThreadsAtOnce_StaysConsistentAndBounded()
    {
        using SqliteResponseCache cache = Open(maxEntries: 20);

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

        Rows().ShouldBeLessThanOrEqualTo(20);
        Rows().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task GetAsync_AfterDispose_Throws()
    {
        SqliteResponseCache cache = Open();
        cache.Dispose();

        await Should.ThrowAsync<ObjectDisposedException>(async () => await cache.GetAsync("k"));
    }
}
