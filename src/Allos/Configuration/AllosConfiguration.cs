using System.Globalization;
using Allos.Agents;
using Allos.Gateway;
using Allos.Memory;
using Allos.Storage;
using Allos.Storage.Redis;
using Allos.Tools.BuiltIn;
using Allos.Yaml;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace Allos.Configuration;

/// <summary>Binds <see cref="AllosOptions"/> from <c>allos.yaml</c> or from <c>Microsoft.Extensions.Configuration</c>, with one set of rules.</summary>
/// <remarks>
/// <para>
/// Every key is checked: an unknown or misspelt one is an error that names it, the file and the line, and suggests the
/// nearest valid key, so a typo such as <c>autonmy: manual</c> does not silently leave approvals at their default.
/// A value of the wrong type names its key and line too; YAML syntax errors and keys given twice are
/// <see cref="ConfigurationException"/>s with the line.
/// </para>
/// <para>
/// <c>${VAR}</c> in a value is replaced by the environment variable; an unset one is an error naming it. Durations are
/// <c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>, <c>1d</c> or a bare number of seconds; amounts are US dollars, with an
/// optional leading <c>$</c>. The keys are those of <c>allos config init</c>'s template: <c>default_model</c>, <c>tools</c>,
/// <c>sandbox</c> (<c>auto</c>, <c>bwrap</c> or <c>none</c>) and <c>sandbox_network</c> (the shell tool's sandbox),
/// <c>autonomy</c>, <c>max_iterations</c>, <c>system</c>, <c>agents</c>, <c>prompts</c> (folders of prompt files), <c>router</c> and <c>models</c>
/// (see <see cref="RouterConfiguration"/> for the last two) and <c>mcp_servers</c> (see <see cref="Mcp.McpConfiguration"/>).
/// </para>
/// </remarks>
public static class AllosConfiguration
{
    /// <summary>The top-level keys of <c>allos.yaml</c>; a new section is added here and read in <see cref="Read"/>.</summary>
    private static readonly string[] TopLevelKeys =
        ["default_model", "model", "tools", "sandbox", "sandbox_network", "autonomy", "max_iterations", "memory", "system", "agents", "prompts", "router", "models", "mcp_servers", "gateway", "store", "redis"];

    private static readonly string[] GatewayKeys = ["host", "port", "models", "master_key", "metrics", "spend_log", "otlp_endpoint", "instance_heartbeat", "instance_timeout"];

    private static readonly Dictionary<string, RedisFailureMode> RedisFailures = new()
    {
        ["fail_open"] = RedisFailureMode.FailOpen,
        ["fail_closed"] = RedisFailureMode.FailClosed,
    };

    private static readonly Dictionary<string, MemoryMode> MemoryModes = new() { ["recall"] = MemoryMode.Recall, ["none"] = MemoryMode.None };

    private static readonly Dictionary<string, ShellSandboxMode> Sandboxes = new()
    {
        ["auto"] = ShellSandboxMode.Auto,
        ["bwrap"] = ShellSandboxMode.Bwrap,
        ["none"] = ShellSandboxMode.None,
    };

    private static readonly Dictionary<string, AutonomyLevel> Autonomies = new()
    {
        ["manual"] = AutonomyLevel.Manual,
        ["supervised"] = AutonomyLevel.Supervised,
        ["autonomous"] = AutonomyLevel.Autonomous,
        ["auto"] = AutonomyLevel.Autonomous,
    };

    /// <summary>Loads options from YAML text. Relative paths in it (the agents file, a SQLite cache) are relative to the current directory.</summary>
    /// <param name="yaml">The whole <c>allos.yaml</c> text.</param>
    /// <param name="source">The name used in error messages. Default: <c>allos.yaml</c>.</param>
    /// <exception cref="ConfigurationException">The text is malformed or invalid; the message gives the line and what to fix.</exception>
    public static AllosOptions LoadYaml(string yaml, string source = "allos.yaml") =>
        Load(yaml, source, Environment.GetEnvironmentVariable, Directory.GetCurrentDirectory());

    /// <summary>Loads options from a YAML file. Relative paths in it are relative to the file's folder.</summary>
    /// <exception cref="ConfigurationException">The file is malformed or invalid; the message gives the line and what to fix.</exception>
    public static AllosOptions LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string fullPath = Path.GetFullPath(path);
        return Load(File.ReadAllText(fullPath), path, Environment.GetEnvironmentVariable, Path.GetDirectoryName(fullPath)!);
    }

    /// <summary>
    /// Binds options from a configuration section, such as <c>configuration.GetSection("Allos")</c> over appsettings.json
    /// and environment variables (<c>Allos__Router__Retries=3</c>).
    /// </summary>
    /// <remarks>
    /// The keys are those of <c>allos.yaml</c>, in any case and with or without underscores (<c>DefaultModel</c>,
    /// <c>default_model</c>); lists are arrays. The same checks apply: an unknown key is an error that names its path.
    /// Relative paths are relative to the current directory.
    /// </remarks>
    /// <exception cref="ConfigurationException">A key is unknown or a value invalid; the message names its path.</exception>
    public static AllosOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string source = configuration is IConfigurationSection { Path: { Length: > 0 } path } ? path : "configuration";
        var tree = new ConfigurationTree(source);
        YamlMappingNode root = tree.Build(configuration);
        var reader = new ConfigurationReader(source, Environment.GetEnvironmentVariable, tree.Locate);
        return Read(reader, root, Directory.GetCurrentDirectory(), Environment.GetEnvironmentVariable);
    }

    internal static AllosOptions Load(string yaml, string source, Func<string, string?> environment, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(environment);

        if (ConfigurationReader.Parse(yaml, source) is not { } node)
        {
            return new AllosOptions { Source = source };
        }

        var reader = new ConfigurationReader(source, environment);
        return Read(reader, reader.Mapping(node, "the configuration"), baseDirectory, environment);
    }

    private static AllosOptions Read(ConfigurationReader reader, YamlMappingNode root, string baseDirectory, Func<string, string?> environment)
    {
        reader.CheckKeys(root, reader.Source, TopLevelKeys);
        var options = new AllosOptions
        {
            Source = reader.Source,
            DefaultModel = NonBlank(reader.String(root, "default_model")) ?? NonBlank(reader.String(root, "model")),
            Tools = reader.Get(root, "tools") is null ? null : [.. reader.Names(root, "tools")],
            Sandbox = reader.Choice(root, "sandbox", Sandboxes),
            SandboxNetwork = reader.Boolean(root, "sandbox_network"),
            Autonomy = reader.Choice(root, "autonomy", Autonomies),
            MaxIterations = reader.Integer(root, "max_iterations", 1),
            Memory = reader.Choice(root, "memory", MemoryModes),
            System = NonBlank(reader.String(root, "system")),
            AgentsFile = NonBlank(reader.String(root, "agents")) is { } agents ? Path.GetFullPath(agents, baseDirectory) : null,
            PromptFolders = reader.Get(root, "prompts") is null ? null : [.. reader.Names(root, "prompts").Select(folder => Path.GetFullPath(folder, baseDirectory))],
            HasRouter = reader.Get(root, "router") is not null || reader.Get(root, "models") is not null,
            Store = NonBlank(reader.String(root, "store")),
        };

        options.Router.DefaultModel = options.DefaultModel;
        if (reader.Get(root, "router") is { } router)
        {
            RouterConfiguration.ReadRouter(reader, reader.Mapping(router, "router"), options, environment, baseDirectory);
        }

        if (reader.Get(root, "models") is { } models)
        {
            RouterConfiguration.ReadModels(reader, reader.Mapping(models, "models"), options.Router);
        }

        if (reader.Get(root, "mcp_servers") is { } mcp)
        {
            foreach (Mcp.McpServerOptions server in Mcp.McpConfiguration.ReadServers(reader, reader.Mapping(mcp, "mcp_servers")))
            {
                options.McpServers.Add(server);
            }
        }

        if (reader.Get(root, "gateway") is { } gateway)
        {
            options.Gateway = ReadGateway(reader, reader.Mapping(gateway, "gateway"));
        }

        if (reader.Get(root, "redis") is { } redis)
        {
            options.Redis = ReadRedis(reader, redis, options.Store, environment);
        }

        return options;
    }

    /// <summary>
    /// <c>redis: redis://…</c>, or a mapping of <c>url</c> and <c>on_failure</c> (<c>fail_open</c>, the default, or
    /// <c>fail_closed</c>); <c>ALLOS_REDIS_URL</c> overrides the URL. Redis only fronts the PostgreSQL store's limits, so
    /// the store in effect must be PostgreSQL. Messages never repeat the URL, which may hold a password.
    /// </summary>
    private static RedisOptions ReadRedis(ConfigurationReader reader, YamlNode redis, string? store, Func<string, string?> environment)
    {
        var options = new RedisOptions();
        if (redis is YamlMappingNode mapping)
        {
            reader.CheckKeys(mapping, "redis", ["url", "on_failure"]);
            options.Url = NonBlank(reader.String(mapping, "url")) ?? "";
            options.OnFailure = reader.Choice(mapping, "on_failure", RedisFailures) ?? RedisFailureMode.FailOpen;
        }
        else
        {
            options.Url = NonBlank(reader.String(redis, "redis")) ?? "";
        }

        bool fromEnvironment = environment(RedisOptions.UrlVariable) is { Length: > 0 };
        if (fromEnvironment)
        {
            options.Url = environment(RedisOptions.UrlVariable)!;
        }

        YamlNode at = redis is YamlMappingNode map ? reader.Get(map, "url") ?? redis : redis;
        try
        {
            _ = RedisEndpoint.Parse(options.Url, out _);
        }
        catch (ArgumentException ex)
        {
            throw reader.Error(at, $"{(fromEnvironment ? RedisOptions.UrlVariable : "redis")}: {ex.Message}");
        }

        if (!AllosStore.IsPostgresSetting(AllosStore.ResolveSetting(store, environment)))
        {
            throw reader.Error(redis,
                $"redis: speeds up the shared limits of the PostgreSQL store; set store: (or {AllosStore.DatabaseUrlVariable}) to a postgres://user:password@host:port/database URL, or remove redis:.");
        }

        return options;
    }

    private static GatewaySettings ReadGateway(ConfigurationReader reader, YamlMappingNode gateway)
    {
        reader.CheckKeys(gateway, "gateway", GatewayKeys);
        int? port = reader.Integer(gateway, "port", 0);
        if (port > 65535)
        {
            throw reader.Error(reader.Get(gateway, "port")!, $"gateway.port must be a port number (0 to 65535), not {port}.");
        }

        Uri? otlp = null;
        if (NonBlank(reader.String(gateway, "otlp_endpoint")) is { } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out otlp) || otlp.Scheme is not ("http" or "https")))
        {
            throw reader.Error(reader.Get(gateway, "otlp_endpoint")!, $"gateway.otlp_endpoint must be an http:// or https:// address (an OTLP/HTTP collector such as http://localhost:4318), not '{endpoint}'.");
        }

        TimeSpan? heartbeat = reader.Duration(gateway, "instance_heartbeat", allowZero: false);
        TimeSpan? timeout = reader.Duration(gateway, "instance_timeout", allowZero: false);
        var defaults = new Storage.Postgres.PostgresStoreOptions();
        if ((heartbeat is not null || timeout is not null) && (timeout ?? defaults.InstanceTimeout) <= (heartbeat ?? defaults.InstanceHeartbeat))
        {
            // Live instances would look dead to each other between beats and lose their reservations.
            throw reader.Error(reader.Get(gateway, timeout is null ? "instance_heartbeat" : "instance_timeout")!,
                $"gateway.instance_timeout ({Shown(timeout, defaults.InstanceTimeout)}) must be longer than gateway.instance_heartbeat ({Shown(heartbeat, defaults.InstanceHeartbeat)}); set instance_timeout to several heartbeats, such as 6 times it.");
        }

        var settings = new GatewaySettings
        {
            Host = NonBlank(reader.String(gateway, "host")),
            Port = port,
            MasterKey = NonBlank(reader.String(gateway, "master_key")),
            Metrics = reader.Boolean(gateway, "metrics"),
            SpendLog = reader.Boolean(gateway, "spend_log"),
            OtlpEndpoint = otlp,
            InstanceHeartbeat = heartbeat,
            InstanceTimeout = timeout,
        };
        foreach (string model in reader.Names(gateway, "models"))
        {
            settings.Models.Add(model);
        }

        return settings;
    }

    private static string Shown(TimeSpan? configured, TimeSpan fallback) =>
        configured is { } value ? Seconds(value) : Seconds(fallback) + " by default";

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
