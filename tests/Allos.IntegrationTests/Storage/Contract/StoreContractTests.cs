using Allos.Storage;

namespace Allos.IntegrationTests.Storage.Contract;

/// <summary>
/// The base of the store contract tests: each test runs against a fresh store from <see cref="Harness"/>, so every
/// subclass (SQLite, PostgreSQL) checks the same behaviour.
/// </summary>
public abstract class StoreContractTests(IStoreHarness harness) : IAsyncLifetime
{
    protected IStoreHarness Harness { get; } = harness;

    protected TestStore Store { get; set; } = null!;

    protected ISessionStore Sessions => Store.Sessions;

    protected ITelemetryStore Telemetry => Store.Telemetry;

    protected IKeyStore Keys => Store.Keys;

    public async Task InitializeAsync()
    {
        await Harness.InitializeAsync();
        Store = await OpenAsync();
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await Harness.DisposeAsync();
    }

    protected Task<TestStore> OpenAsync(Action<StoreSettings>? configure = null)
    {
        var settings = new StoreSettings();
        configure?.Invoke(settings);
        return Harness.OpenAsync(settings);
    }

    protected object? Scalar(string sql) => Harness.Scalar(sql);

    /// <summary>The same query in each store's dialect.</summary>
    protected object? Scalar(string sqlite, string postgres) => Harness.Scalar(Harness.IsPostgres ? postgres : sqlite);
}
