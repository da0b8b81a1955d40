namespace Allos.Gateway.Caching;

/// <summary>Where the Router's response cache keeps responses.</summary>
public enum ResponseCacheType
{
    /// <summary>No cache.</summary>
    None,

    /// <summary>In-process memory (<see cref="MemoryResponseCache"/>).</summary>
    Memory,

    /// <summary>A SQLite file that survives restarts (<see cref="SqliteResponseCache"/>).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by every instance (<see cref="PostgresResponseCache"/>).</summary>
    Postgres,
}
