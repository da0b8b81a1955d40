using Allos.Storage;
using Allos.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace Allos.IntegrationTests.Storage;

/// <summary>Opening the file: pragmas, migrations, idempotent reopen.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task OpenAsync_NewFile_AppliesMigrationsInWalMode()
    {
        await using (SqliteStore store = await _database.OpenAsync())
        {
            store.FilePath.ShouldBe(_database.Path);
        }

        _database.Scalar("PRAGMA journal_mode").ShouldBe("wal");
        _database.Scalar("SELECT group_concat(version) FROM schema_version").ShouldBe(string.Join(',', SqliteMigrations.All.Select(m => m.Version)));
        _database.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('sessions', 'messages', 'messages_fts', 'runs', 'model_calls', 'tool_executions', 'run_steps')").ShouldBe(7L);
    }

    [Theory]
    [InlineData("random bytes")]
    [InlineData("a text file")]
    [InlineData("a truncated database")]
    public async Task OpenAsync_NotADatabase_ThrowsATypedErrorNamingTheFileAndLeavesItAlone(string kind)
    {
        byte[] content = kind switch
        {
            "random bytes" => [.. Enumerable.Range(0, 8192).Select(i => (byte)((i * 7919) % 251))],
            "a text file" => System.Text.Encoding.UTF8.GetBytes("my notes, not a database\n"),
            _ => [.. System.Text.Encoding.ASCII.GetBytes("SQLite format 3\0"), .. new byte[84]],
        };
        await File.WriteAllBytesAsync(_database.Path, content);

        StoreUnavailableException error = await Should.ThrowAsync<StoreUnavailableException>(() => _database.OpenAsync());

        error.FilePath.ShouldBe(_database.Path);
        error.Message.ShouldContain(_database.Path);
        error.Message.ShouldContain("left as it is");
        (await File.ReadAllBytesAsync(_database.Path)).ShouldBe(content);
    }

    [Fact]
    public async Task OpenAsync_ReadOnly_ReadsWithoutWritingAndRefusesWrites()
    {
        await using (SqliteStore writable = await _database.OpenAsync())
        {
            await writable.Sessions.CreateAsync(new SessionRecord { Id = "s" });
            await writable.Sessions.AppendMessagesAsync("s", [new(ChatRole.User, "hello walrus")]);
        }

        byte[] before = await File.ReadAllBytesAsync(_database.Path);
        await using (SqliteStore store = await _database.OpenAsync(options => options.ReadOnly = true))
        {
            (await store.Sessions.GetAsync("s")).ShouldNotBeNull();
            (await store.Sessions.SearchAsync("walrus")).ShouldHaveSingleItem();
            await Should.ThrowAsync<SqliteException>(() => store.Sessions.CreateAsync(new SessionRecord { Id = "t" }));
        }

        (await File.ReadAllBytesAsync(_database.Path)).ShouldBe(before);
    }

    [Fact]
    public async Task OpenAsync_ReadOnlyMissingFile_IsUnavailableAndCreatesNothing()
    {
        StoreUnavailableException error = await Should.ThrowAsync<StoreUnavailableException>(() => _database.OpenAsync(options => options.ReadOnly = true));

        error.Message.ShouldContain("does not exist");
        File.Exists(_database.Path).ShouldBeFalse();
    }

    [Fact]
    public async Task OpenAsync_ReadOnlyOlderSchema_SaysItNeedsAnUpgradeAndLeavesTheFile()
    {
        await using (await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = _database.Path }, [.. SqliteMigrations.All.Where(m => m.Version <= 2)], CancellationToken.None))
        {
        }

        StoreUnavailableException error = await Should.ThrowAsync<StoreUnavailableException>(() => _database.OpenAsync(options => options.ReadOnly = true));

        error.Message.ShouldContain($"schema 2, this one needs {SqliteMigrations.Latest}");
        _database.Scalar("SELECT MAX(version) FROM schema_version").ShouldBe(2L);
    }

    [Fact]
    public async Task OpenAsync_Folder_UsesDefaultFileName()
    {
        string folder = Path.GetDirectoryName(_database.Path)!;

        await using SqliteStore store = await SqliteStore.OpenAsync(folder);

        store.FilePath.ShouldBe(Path.Combine(folder, SqliteStoreOptions.DefaultFileName));
        File.Exists(store.FilePath).ShouldBeTrue();
    }

    [Fact]
    public async Task OpenAsync_NoPath_ThrowsWithFix()
    {
        ArgumentException error = await Should.ThrowAsync<ArgumentException>(() => SqliteStore.OpenAsync(new SqliteStoreOptions()));

        error.Message.ShouldContain("SqliteStoreOptions.Path");
    }

    [Fact]
    public async Task OpenAsync_Reopen_RunsEachMigrationOnceAndKeepsData()
    {
        SqliteMigration[] migrations =
        [
            .. SqliteMigrations.All,
            new(1000, "CREATE TABLE counter (n INTEGER); INSERT INTO counter VALUES (1);"),
        ];
        await using (SqliteStore first = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = _database.Path }, migrations, default))
        {
            await first.Sessions.CreateAsync(new SessionRecord { Id = "s" });
        }

        for (int i = 0; i < 3; i++)
        {
            await using SqliteStore again = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = _database.Path }, migrations, default);
            (await again.Sessions.GetAsync("s")).ShouldNotBeNull();
        }

        _database.Scalar("SELECT COUNT(*) FROM counter").ShouldBe(1L);
        _database.Scalar("SELECT COUNT(*) FROM schema_version").ShouldBe((long)migrations.Length);
    }

    [Fact]
    public async Task OpenAsync_FailingMigration_RollsBackThatMigrationOnly()
    {
        SqliteMigration[] migrations =
        [
            .. SqliteMigrations.All,
            new(1000, "CREATE TABLE half (n INTEGER); INSERT INTO nowhere VALUES (1);"),
        ];

        StoreUnavailableException error = await Should.ThrowAsync<StoreUnavailableException>(() => SqliteStore.OpenAsync(new SqliteStoreOptions { Path = _database.Path }, migrations, default));
        error.InnerException.ShouldBeOfType<SqliteException>();

        _database.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'").ShouldBe(0L);
        _database.Scalar("SELECT MAX(version) FROM schema_version").ShouldBe((long)SqliteMigrations.All[^1].Version);
    }

    [Fact]
    public async Task OpenAsync_Version1File_AddsGatewayColumnsAndKeepsOldCalls()
    {
        DateTimeOffset time = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
        await using (SqliteStore v1 = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = _database.Path }, [SqliteMigrations.All[0]], default))
        {
            // Written as version 1 wrote it: the batched writer now inserts the version 2 columns.
            _database.Scalar($"""
                INSERT INTO model_calls (time, session_id, provider, model, latency_ms, input_tokens, output_tokens, cost_nanos, status)
                VALUES ({time.ToUnixTimeMilliseconds()}, 's1', 'openai', 'gpt-4o', 12, 100, 10, 1500000000, 'ok');
                SELECT 1;
                """);
        }

        _database.Scalar("SELECT MAX(version) FROM schema_version").ShouldBe(1L);

        await using (SqliteStore store = await _database.OpenAsync())
        {
            store.Telemetry.RecordModelCall(new ModelCallRecord
            {
                Time = time.AddHours(1),
                SessionId = "s1",
                Provider = "openai",
                Model = "gpt-4o",
                Alias = "chat",
                Deployment = "chat-east",
                UserKey = "alice",
                Cost = 0.25m,
                Retries = 1,
            });
            store.Telemetry.RecordModelCall(new ModelCallRecord { Time = time.AddHours(2), Provider = "openai", Model = "gpt-4o", Alias = "chat", CacheHit = true });
            await store.Telemetry.FlushAsync();

            UsageStats byModel = (await store.Telemetry.StatsAsync(StatsGrouping.Model)).ShouldHaveSingleItem();
            byModel.Calls.ShouldBe(3);
            byModel.Cost.ShouldBe(1.75m);
            byModel.CacheHits.ShouldBe(1);
            byModel.Retries.ShouldBe(1);
            (await store.Telemetry.StatsAsync(StatsGrouping.Alias)).Select(s => (s.Key, s.Calls)).ShouldBe([("", 1L), ("chat", 2L)]);
            (await store.Telemetry.SpentAsync(new SpendQuery { Since = time, SessionId = "s1" })).ShouldBe(1.75m);
            (await store.Telemetry.SpentAsync(new SpendQuery { Since = time, Alias = "chat" })).ShouldBe(0.25m);
        }

        _database.Scalar("SELECT group_concat(version) FROM schema_version").ShouldBe(string.Join(',', SqliteMigrations.All.Select(m => m.Version)));
        _database.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('model_calls_alias_time', 'model_calls_user_time', 'model_calls_session_time')")
            .ShouldBe(3L);
        _database.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'model_calls_session'").ShouldBe(0L);
    }

    [Fact]
    public async Task OpenAsync_Version3File_AddsPromptColumnsAndKeepsOldCalls()
    {
        DateTimeOffset time = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
        await using (SqliteStore v3 = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = _database.Path }, [.. SqliteMigrations.All.Where(m => m.Version <= 3)], default))
        {
            // Written as version 3 wrote it: the batched writer now inserts the prompt columns.
            _database.Scalar($"""
                INSERT INTO model_calls (time, provider, model, latency_ms, cost_nanos, status, alias)
                VALUES ({time.ToUnixTimeMilliseconds()}, 'openai', 'gpt-4o', 12, 1500000000, 'ok', 'chat');
                SELECT 1;
                """);
        }

        _database.Scalar("SELECT MAX(version) FROM schema_version").ShouldBe(3L);

        await using (SqliteStore store = await _database.OpenAsync())
        {
            store.Telemetry.RecordModelCall(new ModelCallRecord
            {
                Time = time.AddHours(1),
                Provider = "openai",
                Model = "gpt-4o",
                Cost = 0.25m,
                PromptName = "code_review",
                PromptVersion = 3,
            });
            await store.Telemetry.FlushAsync();

            (await store.Telemetry.StatsAsync(StatsGrouping.Prompt)).Select(s => (s.Key, s.Calls, s.Cost)).ShouldBe([("", 1L, (decimal?)1.5m), ("code_review@3", 1L, 0.25m)]);
        }

        _database.Scalar("SELECT COUNT(*) FROM model_calls WHERE prompt_name IS NULL AND prompt_version IS NULL AND alias = 'chat'").ShouldBe(1L);
        _database.Scalar("SELECT prompt_name || '@' || prompt_version FROM model_calls WHERE prompt_name IS NOT NULL").ShouldBe("code_review@3");
        _database.Scalar("SELECT MAX(version) FROM schema_version").ShouldBe((long)SqliteMigrations.Latest);
    }

    [Fact]
    public async Task OpenAsync_ConcurrentOpensOfNewFile_ApplyMigrationsOnce()
    {
        SqliteStore[] stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => _database.OpenAsync())));
        foreach (SqliteStore store in stores)
        {
            await store.DisposeAsync();
        }

        _database.Scalar("SELECT COUNT(*) FROM schema_version").ShouldBe((long)SqliteMigrations.All.Count);
    }
}
