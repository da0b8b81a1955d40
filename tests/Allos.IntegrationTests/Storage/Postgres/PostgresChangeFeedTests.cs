using Allos.Storage;
using Allos.Storage.Postgres;

namespace Allos.IntegrationTests.Storage.Postgres;

/// <summary>
/// The change feed between instances: two stores on one database stand for two gateway processes; what one commits the
/// other's feed reports. Waits are for the item expected (up to 10 s), never for a time.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresChangeFeedTests(PostgresServer server)
{
    [Fact]
    public async Task Subscribe_KeyChangedThroughAnotherStore_EachChangeReachesThisStore()
    {
        string database = await server.CreateDatabaseAsync("feed_keys");
        await using PostgresStore writer = await PostgresStore.OpenAsync(database);
        await using PostgresStore reader = await PostgresStore.OpenAsync(database);
        Inbox<StoreChange> inbox = await ListeningAsync(reader);
        const string Hash = "sha256:ab:cd";

        await writer.Keys.CreateAsync(new VirtualKey { Hash = Hash, Created = DateTimeOffset.UtcNow });
        await inbox.NextAsync(c => c == new StoreChange(StoreChangeKind.Key, Hash), "notification of the created key");

        (await writer.Keys.UpdateAsync(new VirtualKey { Hash = Hash, Blocked = true })).ShouldBeTrue();
        await inbox.NextAsync(c => c == new StoreChange(StoreChangeKind.Key, Hash), "notification of the updated key");

        await writer.Keys.ResetSpendAsync(Hash, DateTimeOffset.UtcNow.AddDays(1));
        await inbox.NextAsync(c => c == new StoreChange(StoreChangeKind.Key, Hash), "notification of the reset spend");

        await writer.Keys.CreateAsync(new VirtualKey { Hash = "other", Created = DateTimeOffset.UtcNow });
        await inbox.NextAsync(c => c.Id == "other", "notification of the second key");
        (await writer.Keys.DeleteAsync([Hash, "other", "none"])).ShouldBe([Hash, "other"]);
        var deleted = new HashSet<string>
        {
            (await inbox.NextAsync(c => c.Kind == StoreChangeKind.Key, "notification of a deleted key")).Id,
            (await inbox.NextAsync(c => c.Kind == StoreChangeKind.Key, "notification of the other deleted key")).Id,
        };
        deleted.ShouldBe([Hash, "other"], ignoreOrder: true);
    }

    [Fact]
    public async Task Subscribe_OwnerChangedThroughAnotherStore_ReachesThisStoreAsUserOrTeam()
    {
        string database = await server.CreateDatabaseAsync("feed_owners");
        await using PostgresStore writer = await PostgresStore.OpenAsync(database);
        await using PostgresStore reader = await PostgresStore.OpenAsync(database);
        Inbox<StoreChange> inbox = await ListeningAsync(reader);
        var team = new KeyOwner { Kind = KeyOwnerKind.Team, Id = "ops:eu", Created = DateTimeOffset.UtcNow };

        await writer.Keys.CreateOwnerAsync(team);
        await inbox.NextAsync(c => c == new StoreChange(StoreChangeKind.Team, "ops:eu"), "notification of the created team");

        (await writer.Keys.UpdateOwnerAsync(team with { MaxBudget = 5m })).ShouldBeTrue();
        await inbox.NextAsync(c => c == new StoreChange(StoreChangeKind.Team, "ops:eu"), "notification of the updated team");

        await writer.Keys.CreateOwnerAsync(new KeyOwner { Kind = KeyOwnerKind.User, Id = "ana", Created = DateTimeOffset.UtcNow });
        await inbox.NextAsync(c => c == new StoreChange(StoreChangeKind.User, "ana"), "notification of the created user");

        (await writer.Keys.DeleteOwnersAsync(KeyOwnerKind.Team, ["ops:eu"])).ShouldBe(["ops:eu"]);
        await inbox.NextAsync(c => c == new StoreChange(StoreChangeKind.Team, "ops:eu"), "notification of the deleted team");
    }

    [Fact]
    public async Task CreateAsync_IdTooLongForANotification_CommitsAndSendsResyncInstead()
    {
        string database = await server.CreateDatabaseAsync("feed_long");
        await using PostgresStore writer = await PostgresStore.OpenAsync(database);
        await using PostgresStore reader = await PostgresStore.OpenAsync(database);
        Inbox<StoreChange> inbox = await ListeningAsync(reader);
        string hash = new('h', 9000);

        // pg_notify refuses payloads of 8000 bytes or more; the change must still commit and still be announced.
        await writer.Keys.CreateAsync(new VirtualKey { Hash = hash, Created = DateTimeOffset.UtcNow });

        (await reader.Keys.GetAsync(hash)).ShouldNotBeNull();
        await inbox.NextAsync(c => c.Kind == StoreChangeKind.Resync, "resync in place of the too-long notification");
    }

    [Theory]
    [InlineData("key:sha:1:2", "Key", "sha:1:2", null)]
    [InlineData("user:", "User", "", null)]
    [InlineData("team:a:b", "Team", "a:b", null)]
    [InlineData("cooldown:1700000000000:pool/ollama/llama3:8b", "Cooldown", "pool/ollama/llama3:8b", "1700000000000")]
    [InlineData("resync", "Resync", "", null)]
    public void Parse_Payload_SplitsTheKindAtTheFirstColonOnly(string payload, string kind, string id, string? extra) =>
        PostgresChangeFeed.Parse(payload).ShouldBe(new StoreChange(Enum.Parse<StoreChangeKind>(kind), id, extra));

    [Theory]
    [InlineData("quota:abc")]
    [InlineData("cooldown:soon:pool/a")]
    [InlineData("")]
    public void Parse_UnknownOrMalformed_IsIgnored(string payload) => PostgresChangeFeed.Parse(payload).ShouldBeNull();

    [Fact]
    public async Task Subscribe_ServerRestarts_ReconnectsDeliversResyncAndKeepsReporting()
    {
        var own = new PostgresServer();
        await own.InitializeAsync();
        try
        {
            string database = await own.CreateDatabaseAsync("feed_restart");
            await using PostgresStore reader = await PostgresStore.OpenAsync(database);
            Inbox<StoreChange> inbox = await ListeningAsync(reader);

            await own.StopAsync();
            await own.StartAgainAsync();

            await inbox.NextAsync(c => c.Kind == StoreChangeKind.Resync, "resync after the server came back");
            await using PostgresStore writer = await PostgresStore.OpenAsync(database);
            await writer.Keys.CreateAsync(new VirtualKey { Hash = "after", Created = DateTimeOffset.UtcNow });
            await inbox.NextAsync(c => c == new StoreChange(StoreChangeKind.Key, "after"), "notification on the new connection");
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    [Fact]
    public async Task DisposeAsync_ServerDown_ReturnsAndStopsTheFeed()
    {
        var own = new PostgresServer();
        await own.InitializeAsync();
        try
        {
            string database = await own.CreateDatabaseAsync("feed_down");
            PostgresStore store = await PostgresStore.OpenAsync(database);
            var inbox = new Inbox<StoreChange>();
            store.Changes.Subscribe(inbox.Add);
            await inbox.NextAsync(c => c.Kind == StoreChangeKind.Resync, "resync once listening");
            await own.StopAsync();

            // A guard against a hang, not a timing assertion: the feed is reconnecting to a server that is gone.
            await store.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

            Should.Throw<ObjectDisposedException>(() => store.Changes.Subscribe(inbox.Add));
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    /// <summary>Subscribes and waits for the first resync, which says LISTEN is in place: changes from now on are seen.</summary>
    private static async Task<Inbox<StoreChange>> ListeningAsync(PostgresStore store)
    {
        var inbox = new Inbox<StoreChange>();
        store.Changes.Subscribe(inbox.Add);
        await inbox.NextAsync(c => c.Kind == StoreChangeKind.Resync, "resync once listening");
        return inbox;
    }
}
