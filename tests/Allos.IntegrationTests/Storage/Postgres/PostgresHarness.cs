using Allos.IntegrationTests.Storage.Contract;
using Allos.Storage.Postgres;
using Npgsql;

namespace Allos.IntegrationTests.Storage.Postgres;

/// <summary>A fresh database on the run's PostgreSQL server (see <see cref="PostgresServer"/>), for one test.</summary>
public sealed class PostgresHarness(PostgresServer server) : IStoreHarness
{
    public bool IsPostgres => true;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await server.CreateDatabaseAsync("contract");

    public async Task<TestStore> OpenAsync(StoreSettings settings)
    {
        var options = new PostgresStoreOptions { ConnectionString = ConnectionString };
        options.TelemetryFlushInterval = settings.TelemetryFlushInterval ?? options.TelemetryFlushInterval;
        options.TelemetryBatchSize = settings.TelemetryBatchSize ?? options.TelemetryBatchSize;
        options.TimeProvider = settings.TimeProvider ?? options.TimeProvider;
        PostgresStore store = await PostgresStore.OpenAsync(options);
        return new TestStore(store.Sessions, store.Telemetry, store.Keys, store.DisposeAsync);
    }

    public object? Scalar(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    // The index is a column of messages, so it cannot outlive them: check no message outlived its session.
    public void AssertSearchIndexIntact() =>
        Scalar("SELECT COUNT(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = m.session_id)").ShouldBe(0L);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
