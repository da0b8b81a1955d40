using Allos.Configuration;
using Allos.Gateway;
using Allos.Gateway.Caching;
using Microsoft.Data.Sqlite;

namespace Allos.IntegrationTests.Gateway;

public sealed class RouterConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allos-config-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task LoadFile_SqliteCacheWithRelativePath_OpensTheFileBesideTheConfig()
    {
        string config = Path.Combine(_folder, "allos.yaml");
        await File.WriteAllTextAsync(config, """
            router:
              cache: { type: sqlite, path: cache/responses.db, max_entries: 5, ttl: 1d }
            """);

        RouterOptions options = RouterConfiguration.LoadFile(config);

        options.CacheTtl.ShouldBe(TimeSpan.FromDays(1));
        using SqliteResponseCache cache = options.Cache.ShouldBeOfType<SqliteResponseCache>();
        await cache.SetAsync("k", new ChatResponse(new ChatMessage(ChatRole.Assistant, "stored")), TimeSpan.FromHours(1));
        File.Exists(Path.Combine(_folder, "cache", "responses.db")).ShouldBeTrue();
        (await cache.GetAsync("k"))!.Text.ShouldBe("stored");
    }

    [Fact]
    public void LoadFile_Invalid_ErrorNamesTheFileAndLine()
    {
        string config = Path.Combine(_folder, "allos.yaml");
        File.WriteAllText(config, "router:\n  retries: many\n");

        ConfigurationException error = Should.Throw<ConfigurationException>(() => RouterConfiguration.LoadFile(config));

        error.Message.ShouldStartWith($"{config}:2: retries must be a whole number");
    }
}
