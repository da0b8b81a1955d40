using Allos.Agents;
using Allos.Gateway.Caching;
using Allos.Gateway;
using Allos.Memory;

namespace Allos.Configuration;

/// <summary>
/// The whole of an <c>allos.yaml</c> (or of an <c>Allos</c> configuration section): the defaults of a run, the Router's
/// <c>router:</c> section and the <c>models:</c> aliases. Load it with <see cref="AllosConfiguration"/>.
/// </summary>
/// <remarks>
/// A value left <see langword="null"/> was not set, so a caller can layer several sources (flags, the project's file, the
/// user's file) and still tell where each value came from. The tree is plain data: nothing is opened while binding it.
/// </remarks>
public sealed class AllosOptions
{
    /// <summary>Gets or sets where the options were read from (a file path or a configuration section), for messages. Default: <see langword="null"/>.</summary>
    public string? Source { get; set; }

    /// <summary>Gets or sets the alias or model id used when none is named (<c>default_model</c>). Default: <see langword="null"/>.</summary>
    public string? DefaultModel { get; set; }

    /// <summary>Gets or sets the tools or tool groups an agent may use (<c>tools</c>). Default: <see langword="null"/> (the command's own: files, search, shell).</summary>
    public IList<string>? Tools { get; set; }

    /// <summary>Gets or sets when tools ask first (<c>autonomy</c>). Default: <see langword="null"/> (<see cref="AutonomyLevel.Supervised"/>).</summary>
    public AutonomyLevel? Autonomy { get; set; }

    /// <summary>
    /// Gets or sets the <c>shell</c> tool's sandbox (<c>sandbox: auto | bwrap | none</c>). Default: <see langword="null"/>
    /// (<see cref="Tools.BuiltIn.ShellSandboxMode.Auto"/>: bubblewrap when it is installed).
    /// </summary>
    public Tools.BuiltIn.ShellSandboxMode? Sandbox { get; set; }

    /// <summary>Gets or sets whether sandboxed commands may use the network (<c>sandbox_network</c>). Default: <see langword="null"/> (no network).</summary>
    public bool? SandboxNetwork { get; set; }

    /// <summary>Gets or sets the most model calls in one run (<c>max_iterations</c>). Default: <see langword="null"/> (20).</summary>
    public int? MaxIterations { get; set; }

    /// <summary>Gets or sets what the agent recalls of earlier sessions (<c>memory: recall | none</c>). Default: <see langword="null"/> (none).</summary>
    public MemoryMode? Memory { get; set; }

    /// <summary>Gets or sets the system prompt (<c>system</c>). Default: <see langword="null"/> (Allos's own).</summary>
    public string? System { get; set; }

    /// <summary>Gets or sets the full path of the team file for <c>--agent</c> (<c>agents</c>, relative to the config file). Default: <see langword="null"/>.</summary>
    public string? AgentsFile { get; set; }

    /// <summary>
    /// Gets or sets the full paths of the folders of prompt files (<c>prompts</c>, relative to the config file), read besides
    /// <see cref="Prompts.PromptLibrary.DefaultFolders"/>. Default: <see langword="null"/>.
    /// </summary>
    public IList<string>? PromptFolders { get; set; }

    /// <summary>Gets the MCP servers of <c>mcp_servers:</c>, in the file's order. Default: empty.</summary>
    public IList<Mcp.McpServerOptions> McpServers { get; } = [];

    /// <summary>Gets the Router's settings (<c>router:</c>) and aliases (<c>models:</c>); <see cref="RouterOptions.DefaultModel"/> is <see cref="DefaultModel"/>.</summary>
    /// <remarks>Its <see cref="RouterOptions.Cache"/> stays <see langword="null"/>; <see cref="CreateRouterOptions"/> opens the one <see cref="Cache"/> describes.</remarks>
    public RouterOptions Router { get; } = new();

    /// <summary>Gets or sets the response cache of <c>router.cache</c>. Default: <see langword="null"/> (no cache).</summary>
    public ResponseCacheOptions? Cache { get; set; }

    /// <summary>
    /// Gets or sets the store (<c>store:</c>): a <c>postgres://user:password@host:port/database</c> URL or <c>Host=…</c>
    /// connection string for the shared PostgreSQL store, or a SQLite file. Default: <see langword="null"/> (the user's
    /// SQLite file). The <c>ALLOS_DATABASE_URL</c> environment variable overrides it (see <see cref="Storage.AllosStore"/>).
    /// </summary>
    public string? Store { get; set; }

    /// <summary>
    /// Gets or sets the Redis in front of the PostgreSQL store's shared limits (<c>redis:</c>, a URL or <c>url:</c> and
    /// <c>on_failure:</c>). Default: <see langword="null"/> (limits counted in the database alone).
    /// </summary>
    public Storage.Redis.RedisOptions? Redis { get; set; }

    /// <summary>Gets or sets the gateway server's settings (<c>gateway:</c>). Default: <see langword="null"/> (none given).</summary>
    public GatewaySettings? Gateway { get; set; }

    /// <summary>Gets or sets whether a <c>router:</c> or <c>models:</c> section was given. Default: <see langword="false"/>.</summary>
    public bool HasRouter { get; set; }

    /// <summary>Returns <see cref="Router"/> with its cache opened (once; later calls return the same options).</summary>
    /// <remarks>Not thread-safe; call it once at start-up, for the options a Router is built from.</remarks>
    public RouterOptions CreateRouterOptions()
    {
        Router.Cache ??= Cache?.Create(Router.TimeProvider);
        return Router;
    }
}
