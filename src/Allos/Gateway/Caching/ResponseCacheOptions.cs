namespace Allos.Gateway.Caching;

/// <summary>Describes the Router's response cache (the <c>router.cache</c> section of <c>allos.yaml</c>) without opening it.</summary>
/// <remarks>
/// Configuration is bound once at start-up, possibly from several files; the cache is opened only by <see cref="Create"/>,
/// for the options a Router is actually built from, so a file that is read but not used creates no SQLite file.
/// </remarks>
public sealed class ResponseCacheOptions
{
    /// <summary>Gets or sets where responses are kept. Default: <see cref="ResponseCacheType.Memory"/>.</summary>
    public ResponseCacheType Type { get; set; } = ResponseCacheType.Memory;

    /// <summary>Gets or sets the SQLite file (<see cref="ResponseCacheType.Sqlite"/> only). Default: <see langword="null"/> (<c>cache.db</c> in the Allos data folder).</summary>
    public string? Path { get; set; }

    /// <summary>Gets or sets the most responses kept. Default: <see langword="null"/> (1000 in memory, 10000 in SQLite).</summary>
    public int? MaxEntries { get; set; }

    /// <summary>Gets or sets the most bytes kept in memory (<see cref="ResponseCacheType.Memory"/> only). Default: <see langword="null"/> (<see cref="MemoryResponseCache.DefaultMaxBytes"/>).</summary>
    public long? MaxBytes { get; set; }

    /// <summary>Opens the cache described; a SQLite file and its folder are created.</summary>
    /// <returns>The cache, or <see langword="null"/> for <see cref="ResponseCacheType.None"/>.</returns>
    public IResponseCache? Create(TimeProvider? timeProvider = null) => Type switch
    {
        ResponseCacheType.Memory => new MemoryResponseCache(MaxEntries ?? 1000, timeProvider, MaxBytes ?? MemoryResponseCache.DefaultMaxBytes),
        ResponseCacheType.Sqlite => SqliteResponseCache.Open(
            Path ?? System.IO.Path.Combine(AllosPaths.DataDirectory, "cache.db"), MaxEntries ?? 10_000, timeProvider),
        _ => null,
    };
}
