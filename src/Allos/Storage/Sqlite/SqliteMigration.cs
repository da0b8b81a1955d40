namespace Allos.Storage.Sqlite;

/// <summary>One schema change: applied once, in its own transaction, in version order.</summary>
/// <param name="Version">The schema version the migration brings the file to.</param>
/// <param name="Sql">The statements.</param>
internal sealed record SqliteMigration(int Version, string Sql);
