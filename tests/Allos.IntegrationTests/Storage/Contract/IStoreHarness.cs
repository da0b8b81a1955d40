namespace Allos.IntegrationTests.Storage.Contract;

/// <summary>Where a contract test's store lives: a SQLite file or a PostgreSQL database, made fresh for each test.</summary>
public interface IStoreHarness : IAsyncDisposable
{
    bool IsPostgres { get; }

    Task InitializeAsync();

    Task<TestStore> OpenAsync(StoreSettings settings);

    /// <summary>Runs SQL outside the store and returns the first column of the first row.</summary>
    object? Scalar(string sql);

    /// <summary>Checks the full-text index agrees with the messages table.</summary>
    void AssertSearchIndexIntact();
}
