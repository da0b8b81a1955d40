using Allos.Gateway;
using Allos.Gateway.Caching;
using Allos.Storage;
using Allos.Storage.Postgres;
using Allos.Yaml;
using YamlDotNet.RepresentationModel;

namespace Allos.Configuration;

/// <summary>Loads <see cref="RouterOptions"/> from <c>allos.yaml</c>: <c>default_model</c>, the <c>router</c> section and the <c>models</c> aliases.</summary>
/// <remarks>
/// <para>
/// The file is read whole, with the rules of <see cref="AllosConfiguration"/> (which also gives the other sections, such as
/// <c>tools</c> and <c>autonomy</c>): an unknown key anywhere in it is an error naming the line and the nearest valid key,
/// so a misspelt setting is not silently dropped.
/// </para>
/// <para>
/// <c>${VAR}</c> in a value is replaced by the environment variable; an unset one is an error naming it. Durations are
/// <c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>, <c>1d</c> or a bare number of seconds; amounts are US dollars, with an
/// optional leading <c>$</c>. A <c>type: sqlite</c> cache is opened while loading (its file and folder are created); a
/// <c>type: postgres</c> cache (<c>url:</c>, else the <c>store:</c> database) connects on first use.
/// </para>
/// </remarks>
/// <example>
/// <code language="yaml">
/// default_model: fast
/// router:
///   retries: 2
///   cache: { type: memory, ttl: 1h }
///   budgets:
///     - { scope: global, period: day, limit: 5.00 }
/// models:
///   fast:
///     fallbacks: [claude]
///     deployments:
///       - model: openai/gpt-4o-mini
///         api_key: ${OPENAI_KEY_2}
///       - groq/llama-3.1-8b-instant
///   claude: anthropic/claude-sonnet-4-5
/// </code>
/// </example>
public static class RouterConfiguration
{
    private static readonly string[] RouterKeys =
    [
        "strategy", "retries", "retry_delay", "max_retry_delay", "max_retry_after", "timeout", "stream_idle_timeout", "cooldown",
        "rate_limit_queue_timeout", "cache", "budgets",
    ];

    private static readonly string[] CooldownKeys = ["failures", "window", "duration"];
    private static readonly string[] CacheKeys = ["type", "max_entries", "max_bytes", "path", "url", "ttl"];
    private static readonly string[] BudgetKeys = ["scope", "key", "period", "limit"];

    private static readonly Dictionary<string, RoutingStrategy> Strategies = ModelGroupsConfiguration.Strategies;

    private static readonly Dictionary<string, BudgetScope> Scopes = new()
    {
        ["global"] = BudgetScope.Global,
        ["alias"] = BudgetScope.Alias,
        ["user"] = BudgetScope.User,
        ["session"] = BudgetScope.Session,
    };

    private static readonly Dictionary<string, BudgetPeriod> Periods = new()
    {
        ["day"] = BudgetPeriod.Day,
        ["month"] = BudgetPeriod.Month,
        ["total"] = BudgetPeriod.Total,
    };

    private static readonly Dictionary<string, ResponseCacheType> CacheTypes = new()
    {
        ["none"] = ResponseCacheType.None,
        ["memory"] = ResponseCacheType.Memory,
        ["sqlite"] = ResponseCacheType.Sqlite,
        ["postgres"] = ResponseCacheType.Postgres,
    };

    /// <summary>Loads router options from YAML text. A relative SQLite cache path is relative to the current directory.</summary>
    /// <param name="yaml">The whole <c>allos.yaml</c> text.</param>
    /// <param name="source">The name used in error messages. Default: <c>allos.yaml</c>.</param>
    /// <exception cref="ConfigurationException">The text is malformed or invalid; the message gives the line and what to fix.</exception>
    public static RouterOptions LoadYaml(string yaml, string source = "allos.yaml") =>
        Load(yaml, source, Environment.GetEnvironmentVariable, Directory.GetCurrentDirectory());

    /// <summary>Loads router options from a YAML file. A relative SQLite cache path is relative to the file's folder.</summary>
    /// <exception cref="ConfigurationException">The file is malformed or invalid; the message gives the line and what to fix.</exception>
    public static RouterOptions LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string fullPath = Path.GetFullPath(path);
        return Load(File.ReadAllText(fullPath), path, Environment.GetEnvironmentVariable, Path.GetDirectoryName(fullPath)!);
    }

    internal static RouterOptions LoadYaml(string yaml, string source, Func<string, string?> environment) =>
        Load(yaml, source, environment, Directory.GetCurrentDirectory());

    internal static RouterOptions Load(string yaml, string source, Func<string, string?> environment, string baseDirectory) =>
        AllosConfiguration.Load(yaml, source, environment, baseDirectory).CreateRouterOptions();

    /// <summary>Reads the <c>router:</c> section into <see cref="AllosOptions.Router"/> and <see cref="AllosOptions.Cache"/>.</summary>
    internal static void ReadRouter(ConfigurationReader reader, YamlMappingNode router, AllosOptions allos, Func<string, string?> environment, string baseDirectory)
    {
        RouterOptions options = allos.Router;
        reader.CheckKeys(router, "router", RouterKeys);
        options.Strategy = reader.Choice(router, "strategy", Strategies) ?? options.Strategy;
        options.MaxRetries = reader.Integer(router, "retries", 0) ?? options.MaxRetries;
        options.RetryDelay = reader.Duration(router, "retry_delay") ?? options.RetryDelay;
        options.MaxRetryDelay = reader.Duration(router, "max_retry_delay") ?? options.MaxRetryDelay;
        options.MaxRetryAfter = reader.Duration(router, "max_retry_after") ?? options.MaxRetryAfter;
        options.RequestTimeout = reader.Duration(router, "timeout", allowZero: false) ?? options.RequestTimeout;
        options.RateLimitQueueTimeout = reader.Duration(router, "rate_limit_queue_timeout") ?? options.RateLimitQueueTimeout;
        options.StreamIdleTimeout = reader.Duration(router, "stream_idle_timeout", allowZero: false) ?? options.StreamIdleTimeout;

        if (reader.Get(router, "cooldown") is { } cooldownNode)
        {
            YamlMappingNode cooldown = reader.Mapping(cooldownNode, "cooldown");
            reader.CheckKeys(cooldown, "cooldown", CooldownKeys);
            options.CooldownFailures = reader.Integer(cooldown, "failures", 1) ?? options.CooldownFailures;
            options.CooldownWindow = reader.Duration(cooldown, "window", allowZero: false) ?? options.CooldownWindow;
            options.CooldownDuration = reader.Duration(cooldown, "duration") ?? options.CooldownDuration;
        }

        if (reader.Get(router, "cache") is { } cacheNode)
        {
            allos.Cache = ReadCache(reader, cacheNode, allos, environment, baseDirectory);
        }

        switch (reader.Get(router, "budgets"))
        {
            case null:
                break;
            case YamlSequenceNode budgets:
                foreach (YamlNode budget in budgets)
                {
                    options.Budgets.Add(ReadBudget(reader, reader.Mapping(budget, "a budget")));
                }

                break;
            case YamlNode other:
                throw reader.Error(other, "budgets must be a list, each entry like { scope: global, period: day, limit: 5 }.");
        }
    }

    private static ResponseCacheOptions? ReadCache(ConfigurationReader reader, YamlNode node, AllosOptions allos, Func<string, string?> environment, string baseDirectory)
    {
        RouterOptions options = allos.Router;

        // `cache: none` (or memory, sqlite, postgres) is shorthand for `cache: { type: ... }`.
        YamlMappingNode cache = node is YamlScalarNode scalar
            ? new YamlMappingNode(new YamlScalarNode("type"), scalar)
            : reader.Mapping(node, "cache");
        reader.CheckKeys(cache, "cache", CacheKeys);

        string? path = reader.String(cache, "path");
        string? url = reader.String(cache, "url");

        // A path or a url alone says which; a PostgreSQL store alone does not (the default stays memory).
        ResponseCacheType type = reader.Choice(cache, "type", CacheTypes, "cache type")
            ?? (path is not null ? ResponseCacheType.Sqlite : url is not null ? ResponseCacheType.Postgres : ResponseCacheType.Memory);
        if (type != ResponseCacheType.Sqlite && reader.Get(cache, "path") is { } pathNode)
        {
            throw reader.Error(pathNode, "path applies only to a cache of type: sqlite.");
        }

        if (type != ResponseCacheType.Postgres && reader.Get(cache, "url") is { } urlNode)
        {
            throw reader.Error(urlNode, "url applies only to a cache of type: postgres.");
        }

        if (type != ResponseCacheType.Memory && reader.Get(cache, "max_bytes") is { } bytesNode)
        {
            throw reader.Error(bytesNode, "max_bytes applies only to a cache of type: memory.");
        }

        options.CacheTtl = reader.Duration(cache, "ttl", allowZero: false) ?? options.CacheTtl;
        int? maxEntries = reader.Integer(cache, "max_entries", 1);
        long? maxBytes = reader.Bytes(cache, "max_bytes");
        return type == ResponseCacheType.None ? null : new ResponseCacheOptions
        {
            Type = type,
            Path = type == ResponseCacheType.Sqlite ? ResolveCachePath(path, baseDirectory, environment) : null,
            Url = type == ResponseCacheType.Postgres ? ResolveCacheUrl(reader, cache, url, allos.Store, environment) : null,
            MaxEntries = maxEntries,
            MaxBytes = maxBytes,
        };
    }

    /// <summary>
    /// The PostgreSQL cache's database: <c>cache.url</c>, else the store setting in effect (<c>ALLOS_DATABASE_URL</c>, else
    /// <c>store:</c> of the same file), which must name PostgreSQL. Checked here so a mistake names its line; messages never
    /// repeat the setting, which may hold a password.
    /// </summary>
    private static string ResolveCacheUrl(ConfigurationReader reader, YamlMappingNode cache, string? url, string? store, Func<string, string?> environment)
    {
        if (url is not null)
        {
            YamlNode urlNode = reader.Get(cache, "url")!;
            if (!PostgresConnectionString.IsPostgres(url))
            {
                throw reader.Error(urlNode, "cache.url must name a PostgreSQL database: a postgres://user:password@host:port/database URL or a Host=…;Database=… connection string.");
            }

            CheckParses(reader, urlNode, url, "cache.url");
            return url;
        }

        string? setting = AllosStore.ResolveSetting(store, environment);
        YamlNode at = reader.Get(cache, "type") ?? cache;
        if (!PostgresConnectionString.IsPostgres(setting))
        {
            throw reader.Error(at,
                $"a cache of type: postgres needs a PostgreSQL database: set cache.url, or store: (or {AllosStore.DatabaseUrlVariable}) to a postgres://user:password@host:port/database URL.");
        }

        CheckParses(reader, at, setting!, environment(AllosStore.DatabaseUrlVariable) is { Length: > 0 } ? AllosStore.DatabaseUrlVariable : "store");
        return setting!;
    }

    private static void CheckParses(ConfigurationReader reader, YamlNode node, string setting, string name)
    {
        try
        {
            PostgresConnectionString.Parse(setting);
        }
        catch (ArgumentException ex)
        {
            throw reader.Error(node, $"{name} (for the PostgreSQL cache): {ex.Message}");
        }
    }

    /// <summary>
    /// The SQLite cache file: <c>~</c> at the start is the home folder, a relative path is relative to
    /// <paramref name="baseDirectory"/>, and no path is <c>cache.db</c> in the Allos data folder.
    /// </summary>
    internal static string ResolveCachePath(string? path, string baseDirectory, Func<string, string?> environment)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            string data = AllosPaths.Resolve(environment, "XDG_DATA_HOME", Environment.SpecialFolder.LocalApplicationData, ".local/share");
            return Path.Combine(data, "cache.db");
        }

        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
        {
            string home = environment("HOME") is { Length: > 0 } h ? h
                : environment("USERPROFILE") is { Length: > 0 } p ? p
                : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            path = path.Length <= 2 ? home : Path.Combine(home, path[2..]);
        }

        return Path.GetFullPath(path, baseDirectory);
    }

    private static Budget ReadBudget(ConfigurationReader reader, YamlMappingNode node)
    {
        reader.CheckKeys(node, "a budget", BudgetKeys);
        BudgetScope scope = reader.Choice(node, "scope", Scopes)
            ?? throw reader.Error(node, $"a budget needs a scope: {string.Join(", ", Scopes.Keys)}.");
        BudgetPeriod period = reader.Choice(node, "period", Periods)
            ?? throw reader.Error(node, $"a budget needs a period: {string.Join(", ", Periods.Keys)}.");
        decimal limit = reader.Money(node, "limit")
            ?? throw reader.Error(node, "a budget needs a limit in US dollars, such as limit: 5.00.");
        string? key = reader.String(node, "key");
        if (key is not null && scope == BudgetScope.Global)
        {
            throw reader.Error(reader.Get(node, "key")!, "a global budget has no key; remove it or use scope: alias, user or session.");
        }

        return new Budget(scope, period, limit) { Key = key };
    }

    /// <summary>Reads the <c>models:</c> aliases into <paramref name="options"/>.</summary>
    internal static void ReadModels(ConfigurationReader reader, YamlMappingNode models, RouterOptions options) =>
        ModelGroupsConfiguration.ReadModels(reader, models, options);
}
