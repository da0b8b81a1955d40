namespace Allos.Storage.Redis;

/// <summary>
/// Redis in front of the PostgreSQL store's shared limits (<c>redis:</c> in <c>allos.yaml</c>): the same budgets, requests in
/// flight and rate windows, counted by Lua scripts in Redis instead of row locks in the database, and settled into it.
/// </summary>
public sealed class RedisOptions
{
    /// <summary>The environment variable that overrides <see cref="Url"/>.</summary>
    public const string UrlVariable = "ALLOS_REDIS_URL";

    /// <summary>Gets or sets the server: <c>redis://[user:password@]host:port[/database]</c>, or <c>rediss://</c> for TLS. Required.</summary>
    public string Url { get; set; } = "";

    /// <summary>Gets or sets what happens while Redis cannot be reached. Default <see cref="RedisFailureMode.FailOpen"/>.</summary>
    public RedisFailureMode OnFailure { get; set; } = RedisFailureMode.FailOpen;
}
