using Allos.Storage;

namespace Allos.Gateway.Caching;

/// <summary>Describes the Router's response cache (the <c>router.cache</c> section of <c>allos.yaml</c>) without opening it.</summary>
/// <remarks>
/// Configuration is bound once at start-up, possibly from several files; the cache is opened only by <see cref="Create"/>,
/// for the options a Router is actually built from, so a file that is read but not used creates no SQLite file (and
/// opens no connection pool).
/// </remarks>
public sealed class ResponseCacheOptions
{
    /// <summary>Gets or sets where responses are kept. Default: <see cref="ResponseCacheType.Memory"/>.</summary>
    public ResponseCacheType Type { get; set; } = ResponseCacheType.Memory;

    /// <summary>Gets or sets the SQLite file (<see cref="ResponseCacheType.Sqlite"/> only). Default: <see langword="null"/> (<c>cache.db</c> in the Allos data folder).</summary>
    public string? Path { get; set; }

    /// <summary>
    /// Gets or sets the PostgreSQL database (<see cref="ResponseCacheType.Postgres"/> only): a <c>postgres://</c> URL or an
    /// Npgsql <c>Host=…</c> connection string. Default: <see langword="null"/> (the store's, <c>ALLOS_DATABASE_URL</c>,
    /// when it names PostgreSQL). <c>allos.yaml</c> fills it from <c>cache.url</c> or, without one, from the store setting.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>Gets or sets the most responses kept. Default: <see langword="null"/> (1000 in memory, 10000 in SQLite and PostgreSQL).</summary>
    public int? MaxEntries { get; set; }

    /// <summary>Gets or sets the most bytes kept in memory (<see cref="ResponseCacheType.Memory"/> only). Default: <see langword="null"/> (<see cref="MemoryResponseCache.DefaultMaxBytes"/>).</summary>
    public long? MaxBytes { get; set; }

    /// <summary>Opens the cache described; a SQLite file and its folder are created; a PostgreSQL cache connects on first use.</summary>
    /// <returns>The cache, or <see langword="null"/> for <see cref="ResponseCacheType.None"/>.</returns>
    /// <exception cref="InvalidOperationException">A PostgreSQL cache has no <see cref="Url"/> and <c>ALLOS_DATABASE_URL</c> names no PostgreSQL database.</exception>
    /// <exception cref="ArgumentException">The PostgreSQL URL or connection string is malformed.</exception>
    public IResponseCache? Create(TimeProvider? timeProvider = null) => Type switch
    {
        ResponseCacheType.Memory => new MemoryResponseCache(MaxEntries ?? 1000, timeProvider, MaxBytes ?? MemoryResponseCache.DefaultMaxBytes),
        ResponseCacheType.Sqlite => SqliteResponseCache.Open(
            Path ?? System.IO.Path.Combine(AllosPaths.DataDirectory, "cache.db"), MaxEntries ?? 10_000, timeProvider),
        ResponseCacheType.Postgres => PostgresResponseCache.Open(PostgresUrl(), MaxEntries ?? 10_000, timeProvider),
        _ => null,
    };

    private string PostgresUrl() =>
        (Url ?? AllosStore.ResolveSetting(null)) is { } url && AllosStore.IsPostgresSetting(url) ? url
        : throw new InvalidOperationException(
            $"A response cache of type Postgres needs a database: set {nameof(ResponseCacheOptions)}.{nameof(Url)} (cache.url in allos.yaml) or {AllosStore.DatabaseUrlVariable} to a postgres://user:password@host:port/database URL.");
}
