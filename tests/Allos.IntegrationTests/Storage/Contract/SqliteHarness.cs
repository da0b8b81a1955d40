using Allos.Storage.Sqlite;

namespace Allos.IntegrationTests.Storage.Contract;

/// <summary>A SQLite file in its own temporary folder.</summary>
public sealed class SqliteHarness : IStoreHarness
{
    private readonly TempDatabase _database = new();

    public bool IsPostgres => false;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task<TestStore> OpenAsync(StoreSettings settings)
    {
        SqliteStore store = await _database.OpenAsync(o =>
        {
            o.TelemetryFlushInterval = settings.TelemetryFlushInterval ?? o.TelemetryFlushInterval;
            o.TelemetryBatchSize = settings.TelemetryBatchSize ?? o.TelemetryBatchSize;
            o.TimeProvider = settings.TimeProvider ?? o.TimeProvider;
        });
        return new TestStore(store.Sessions, store.Telemetry, store.Keys, store.DisposeAsync);
    }

    public object? Scalar(string sql) => _database.Scalar(sql);

    public void AssertSearchIndexIntact() =>
        Scalar("INSERT INTO messages_fts(messages_fts, rank) VALUES('integrity-check', 1); SELECT 'ok'").ShouldBe("ok");

    public ValueTask DisposeAsync()
    {
        _database.Dispose();
        return ValueTask.CompletedTask;
    }
}
