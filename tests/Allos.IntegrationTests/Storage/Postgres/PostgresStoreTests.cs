using Allos.Storage;
using Allos.Storage.Postgres;
using Npgsql;

namespace Allos.IntegrationTests.Storage.Postgres;

/// <summary>What only the PostgreSQL store has: concurrent migration, spend-log partitions, the daily rollup, errors naming the server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresServer server)
{
    private static readonly DateTimeOffset Day1 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static object? Scalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    [Fact]
    public async Task OpenAsync_SeveralInstancesAtOnce_MigrateOnceAndAllOpen()
    {
        string database = await server.CreateDatabaseAsync("migrate");

        PostgresStore[] stores = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostgresStore.OpenAsync(database)));
        try
        {
            Scalar(database, "SELECT COUNT(*) FROM schema_migrations").ShouldBe((long)PostgresMigrations.All.Count);
            Scalar(database, "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations")
                .ShouldBe(string.Join(',', PostgresMigrations.All.Select(m => m.Version)));
            await stores[3].Sessions.CreateAsync(new SessionRecord { Id = "s" });
            (await stores[5].Sessions.GetAsync("s")).ShouldNotBeNull();
        }
        finally
        {
            foreach (PostgresStore store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task RecordModelCall_AnyMonth_CreatesItsPartitionAndTheCurrentOnesExistAhead()
    {
        string database = await server.CreateDatabaseAsync("partitions");
        await using PostgresStore store = await PostgresStore.OpenAsync(database);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        DateTimeOffset next = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);

        store.Telemetry.RecordModelCall(new ModelCallRecord { Time = new DateTimeOffset(2019, 7, 15, 0, 0, 0, TimeSpan.Zero), Provider = "p", Model = "m", Cost = 1m });
        await store.Telemetry.FlushAsync();

        string partitions = (string)Scalar(database, """
            SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'model_calls'
            """)!;
        partitions.ShouldContain("model_calls_2019_07");
        partitions.ShouldContain($"model_calls_{now:yyyy_MM}");
        partitions.ShouldContain($"model_calls_{next:yyyy_MM}");
        Scalar(database, "SELECT COUNT(*) FROM model_calls_2019_07").ShouldBe(1L);
    }

    [Fact]
    public async Task SpentAsync_WholeDays_AreReadFromTheDailyRollupNotTheLog()
    {
        string database = await server.CreateDatabaseAsync("rollup");
        await using PostgresStore store = await PostgresStore.OpenAsync(database);
        for (int i = 0; i < 10; i++)
        {
            store.Telemetry.RecordModelCall(new ModelCallRecord { Time = Day1.AddHours(i), Provider = "p", Model = "m", Alias = "chat", UserKey = "alice", Cost = 0.1m });
        }

        await store.Telemetry.FlushAsync();
        Scalar(database, "SELECT calls FROM model_call_daily WHERE dimension = 'alias' AND value = 'chat'").ShouldBe(10L);

        // With the log emptied behind the store's back, what whole days spent still comes from the rollup, and the
        // partial first day (from the log) counts nothing.
        Scalar(database, "DELETE FROM model_calls; SELECT 1");
        DateTimeOffset midnight = new(Day1.Year, Day1.Month, Day1.Day, 0, 0, 0, TimeSpan.Zero);
        (await store.Telemetry.SpentAsync(new SpendQuery { Since = midnight, Alias = "chat" })).ShouldBe(1m);
        (await store.Telemetry.SpentAsync(new SpendQuery { Since = midnight, UserKey = "alice" })).ShouldBe(1m);
        (await store.Telemetry.SpentAsync(new SpendQuery { Since = midnight.AddHours(1) })).ShouldBe(0m);
        (await store.Telemetry.StatsAsync(StatsGrouping.Alias)).ShouldHaveSingleItem().Calls.ShouldBe(10);
    }

    [Fact]
    public async Task AddSpendAsync_ManyInstancesAtOnce_LosesNoAddition()
    {
        // 20 connections each: many writers at once, within the server's connection limit.
        string database = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("spend")) { MaxPoolSize = 20 }.ConnectionString;
        await using PostgresStore first = await PostgresStore.OpenAsync(database);
        await using PostgresStore second = await PostgresStore.OpenAsync(database);
        await first.Keys.CreateAsync(new VirtualKey { Hash = "h", Created = Day1 });
        await first.Keys.CreateOwnerAsync(new KeyOwner { Kind = KeyOwnerKind.Team, Id = "t", Created = Day1 });

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => i % 2 == 0
            ? Task.WhenAll((i % 4 == 0 ? first : second).Keys.AddSpendAsync("h", 0.01m), (i % 4 == 0 ? second : first).Keys.AddOwnerSpendAsync(KeyOwnerKind.Team, "t", 0.001m))
            : Task.WhenAll(second.Keys.AddSpendAsync("h", 0.01m), first.Keys.AddOwnerSpendAsync(KeyOwnerKind.Team, "t", 0.001m))));

        (await first.Keys.GetAsync("h"))!.Spend.ShouldBe(2m);
        (await second.Keys.GetOwnerAsync(KeyOwnerKind.Team, "t"))!.Spend.ShouldBe(0.2m);
    }

    [Fact]
    public async Task OpenAsync_UnreachableServer_IsUnavailableNamingTheHostNeverThePassword()
    {
        StoreUnavailableException error = await Should.ThrowAsync<StoreUnavailableException>(
            () => PostgresStore.OpenAsync("postgres://allos:hunter2secret@127.0.0.1:1/allos"));

        error.Message.ShouldContain("127.0.0.1:1/allos");
        error.Message.ShouldNotContain("hunter2secret");
        error.ToString().ShouldNotContain("hunter2secret");
    }

    [Fact]
    public async Task OpenAsync_UnknownDatabase_SaysSoNamingIt()
    {
        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString("postgres")) { Database = "no_such_db", Password = "hunter2secret" };

        StoreUnavailableException error = await Should.ThrowAsync<StoreUnavailableException>(() => PostgresStore.OpenAsync(builder.ConnectionString));

        error.Message.ShouldContain("no_such_db");
        error.Message.ShouldContain("no such database");
        error.ToString().ShouldNotContain("hunter2secret");
    }

    [Theory]
    [InlineData("postgres://allos:hunter2secret@db.example:5433/app?bogus_setting=1")]
    [InlineData("postgres://allos:hunter2secret@/app")]
    [InlineData("Host=db;Password=hunter2secret;Bogus Thing=1")]
    public async Task OpenAsync_MalformedSetting_ThrowsWithoutThePassword(string setting)
    {
        ArgumentException error = await Should.ThrowAsync<ArgumentException>(() => PostgresStore.OpenAsync(setting));

        error.ToString().ShouldNotContain("hunter2secret");
    }

    [Fact]
    public void Parse_Url_ReadsUserPasswordHostPortDatabaseAndPoolSettings()
    {
        NpgsqlConnectionStringBuilder builder = PostgresConnectionString.Parse("postgres://al%40ice:p%3Ass@db.example:5433/allos?maximum_pool_size=40&sslmode=disable");

        builder.Host.ShouldBe("db.example");
        builder.Port.ShouldBe(5433);
        builder.Database.ShouldBe("allos");
        builder.Username.ShouldBe("al@ice");
        builder.Password.ShouldBe("p:ss");
        builder.MaxPoolSize.ShouldBe(40);
        builder.SslMode.ShouldBe(SslMode.Disable);
        PostgresConnectionString.Describe(builder).ShouldBe("db.example:5433/allos");
    }

    [Theory]
    [InlineData("postgres://allos@db/allos")]
    [InlineData("Host=db;Database=allos;Username=allos")]
    public void Parse_NoPoolSettingsNamed_PreparesStatementsAndSkipsTheConnectionReset(string setting)
    {
        NpgsqlConnectionStringBuilder builder = PostgresConnectionString.Parse(setting);

        builder.MaxAutoPrepare.ShouldBe(20);
        builder.NoResetOnClose.ShouldBeTrue();
    }

    [Theory]
    [InlineData("postgres://allos@db/allos?max_auto_prepare=0&no_reset_on_close=false")]
    [InlineData("Host=db;Database=allos;Max Auto Prepare=0;No Reset On Close=false")]
    public void Parse_PoolSettingsNamed_AreKept(string setting)
    {
        NpgsqlConnectionStringBuilder builder = PostgresConnectionString.Parse(setting);

        builder.MaxAutoPrepare.ShouldBe(0);
        builder.NoResetOnClose.ShouldBeFalse();
    }
}
