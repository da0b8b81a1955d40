using Allos.Storage;
using Allos.Storage.Sqlite;
using Microsoft.Data.Sqlite;

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

        await Should.ThrowAsync<SqliteException>(() => SqliteStore.OpenAsync(new SqliteStoreOptions { Path = _database.Path }, migrations, default));

        _database.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'").ShouldBe(0L);
        _database.Scalar("SELECT MAX(version) FROM schema_version").ShouldBe((long)SqliteMigrations.All[^1].Version);
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
