using Allos.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Allos.IntegrationTests.Storage;

/// <summary>A database file in its own temporary folder, deleted afterwards.</summary>
internal sealed class TempDatabase : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allos-store-").FullName;

    public string Path => System.IO.Path.Combine(_folder, "allos.db");

    public Task<SqliteStore> OpenAsync(Action<SqliteStoreOptions>? configure = null)
    {
        var options = new SqliteStoreOptions { Path = Path };
        configure?.Invoke(options);
        return SqliteStore.OpenAsync(options);
    }

    /// <summary>Runs a query on a plain connection, outside the store.</summary>
    public object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
