using Allos.IntegrationTests.Storage.Contract;
using Allos.Storage;
using Allos.Storage.Sqlite;

namespace Allos.IntegrationTests.Storage;

/// <summary>The session store contract against a real SQLite file, and what only SQLite has (schema upgrades of old files).</summary>
public sealed class SqliteSessionStoreTests() : SessionStoreContractTests(new SqliteHarness())
{
    [Fact]
    public async Task OpenAsync_StoreFromVersion2_ReindexesToolCallsInPlace()
    {
        string folder = Directory.CreateTempSubdirectory("allos-upgrade-").FullName;
        var options = new SqliteStoreOptions { Path = Path.Combine(folder, "allos.db") };
        try
        {
            await using (SqliteStore old = await SqliteStore.OpenAsync(options, [.. SqliteMigrations.All.Where(m => m.Version <= 2)], CancellationToken.None))
            {
                await old.Sessions.CreateAsync(new SessionRecord { Id = "s" });
                ChatMessage call = new(ChatRole.Assistant, [new FunctionCallContent("c1", "write_file", new Dictionary<string, object?> { ["content"] = "an archipelago" })]);
                await old.Sessions.AppendMessagesAsync("s", [new(ChatRole.User, "keep this text"), call]);
            }

            // Version 2 wrote only the text parts into the index, as the stores users have did.
            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={options.Path};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "UPDATE messages SET text = '' WHERE seq = 2;";
                command.ExecuteNonQuery();
            }

            await using SqliteStore upgraded = await SqliteStore.OpenAsync(options);

            (await upgraded.Sessions.SearchAsync("archipelago")).ShouldHaveSingleItem().SessionId.ShouldBe("s");
            (await upgraded.Sessions.SearchAsync("keep")).ShouldHaveSingleItem();
            (await upgraded.Sessions.GetMessagesAsync("s")).Count.ShouldBe(2);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
