using Microsoft.Data.Sqlite;

namespace Allos.Storage.Sqlite;

/// <summary>One schema change: applied once, in its own transaction, in version order.</summary>
/// <param name="Version">The schema version the migration brings the file to.</param>
/// <param name="Sql">The statements.</param>
/// <param name="Code">Work SQL alone cannot do (recomputing rows in C#), run after <paramref name="Sql"/> in the same transaction.</param>
internal sealed record SqliteMigration(int Version, string Sql, Func<SqliteConnection, SqliteTransaction, CancellationToken, Task>? Code = null);
