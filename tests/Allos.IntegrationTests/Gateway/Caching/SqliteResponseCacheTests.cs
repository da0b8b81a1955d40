using Allos.Gateway.Caching;
using Microsoft.Data.Sqlite;

namespace Allos.IntegrationTests.Gateway.Caching;

/// <summary>The response cache contract on a SQLite file, and what only the file has: its folder, its neighbours, WAL.</summary>
public sealed class SqliteResponseCacheTests : ResponseCacheContractTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allos-cache-").FullName;

    private string DatabasePath => Path.Combine(_folder, "cache.db");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    protected override IResponseCache OpenCache(int maxEntries) => SqliteResponseCache.Open(DatabasePath, maxEntries, Clock);

    protected override long Rows()
    {
        using SqliteConnection connection = Connect();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM response_cache;";
        return (long)command.ExecuteScalar()!;
    }

    protected override void Execute(string sql)
    {
        using SqliteConnection connection = Connect();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    [Fact]
    public async Task Open_MissingFolder_CreatesItAndTheTable()
    {
        string nested = Path.Combine(_folder, "a", "b", "cache.db");

        using (SqliteResponseCache cache = SqliteResponseCache.Open(nested, timeProvider: Clock))
        {
            await cache.SetAsync("k", Response("x"), Hour);
            (await cache.GetAsync("k"))!.Text.ShouldBe("x");
        }

        File.Exists(nested).ShouldBeTrue();
    }

    [Fact]
    public async Task Open_FileSharedWithOtherTables_LeavesThemAlone()
    {
        Execute("CREATE TABLE other (x INTEGER); INSERT INTO other VALUES (7);");

        IResponseCache cache = Open();
        await cache.SetAsync("k", Response("x"), Hour);

        using SqliteConnection check = Connect();
        using SqliteCommand select = check.CreateCommand();
        select.CommandText = "SELECT x FROM other;";
        ((long)select.ExecuteScalar()!).ShouldBe(7);
        select.CommandText = "PRAGMA journal_mode;";
        ((string)select.ExecuteScalar()!).ShouldBe("wal");
    }

    [Fact]
    public async Task GetAsync_AfterTimeToLive_RowDeletedWhenMet()
    {
        IResponseCache cache = Open();
        await cache.SetAsync("short", Response("s"), TimeSpan.FromMinutes(10));
        await cache.SetAsync("long", Response("l"), Hour);
        Clock.Advance(TimeSpan.FromMinutes(10));

        (await cache.GetAsync("short")).ShouldBeNull();

        Rows().ShouldBe(1);
    }
}
