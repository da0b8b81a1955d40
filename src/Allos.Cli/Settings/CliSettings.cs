using Allos.Agents;
using Allos.Configuration;
using Allos.Gateway;
using Allos.Memory;
using Allos.Providers;
using Allos.Tools.BuiltIn;

namespace Allos.Cli.Settings;

/// <summary>
/// The effective settings of a run: flags, then the environment, then <c>./allos.yaml</c>, then the user's config file,
/// then defaults. Each value remembers where it came from, for <c>allos config show</c> and error hints.
/// </summary>
internal sealed class CliSettings
{
    /// <summary>The default model of each provider that has an obvious one, for <c>--provider</c> without <c>--model</c>.</summary>
    public static IReadOnlyDictionary<string, string> ProviderDefaults { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["openai"] = "gpt-5-mini",
        ["anthropic"] = "claude-sonnet-5-5",
        ["gemini"] = "gemini-2.5-flash",
        ["ollama"] = "llama3.1",
        ["groq"] = "llama-3.3-70b-versatile",
        ["mistral"] = "mistral-small-latest",
        ["deepseek"] = "deepseek-chat",
        ["xai"] = "grok-4",
        ["cohere"] = "command-a-03-2025",
        ["vertex"] = "gemini-2.5-flash",
        ["bedrock"] = "us.anthropic.claude-sonnet-4-20250514-v1:0",
    };

    public static IReadOnlyList<string> DefaultTools { get; } = ["files", "search", "shell"];

    public required string Model { get; init; }

    public required string ModelSource { get; init; }

    public required IReadOnlyList<string> Tools { get; init; }

    /// <summary>Gets a value indicating whether <see cref="Tools"/> came from <c>--tools</c>, which overrides an agent's own.</summary>
    public bool ToolsFromFlag { get; init; }

    /// <summary>Gets a value indicating whether <see cref="Model"/> came from <c>--model</c> or <c>--provider</c>, which override an agent's own.</summary>
    public bool ModelFromFlag => ModelSource is "--model" or "--provider";

    public required AutonomyLevel Autonomy { get; init; }

    /// <summary>Gets the shell tool's sandbox (<c>sandbox:</c> and <c>sandbox_network:</c> of the project's, else the user's allos.yaml).</summary>
    public ShellSandboxOptions Sandbox { get; init; } = new();

    public bool AutoApprove { get; init; }

    public bool Verbose { get; init; }

    /// <summary>Gets a value indicating whether only the answer is printed (<c>--quiet</c>): no status lines either.</summary>
    public bool Quiet { get; init; }

    public bool Streaming { get; init; } = true;

    /// <summary>Gets a value indicating whether a session another process runs on is waited for (<c>--wait</c>) rather than refused.</summary>
    public bool WaitForLock { get; init; }

    public int? MaxIterations { get; init; }

    /// <summary>Gets the entry agent's memory mode from <c>--memory</c> or <c>allos.yaml</c>, if either says.</summary>
    public MemoryMode? Memory { get; init; }

    public string? System { get; init; }

    public required string Workspace { get; init; }

    public string? Agent { get; init; }

    public string? AgentsFile { get; init; }

    /// <summary>Gets the <c>store:</c> of allos.yaml (the project's, then the user's); <c>ALLOS_DATABASE_URL</c> overrides it when the store opens.</summary>
    public string? Store => ProjectConfig?.Store ?? UserConfig?.Store;

    /// <summary>Gets <c>./allos.yaml</c>, bound once here, or <see langword="null"/> when there is none.</summary>
    public AllosOptions? ProjectConfig { get; init; }

    /// <summary>Gets the user's <c>allos.yaml</c>, bound once here, or <see langword="null"/> when there is none.</summary>
    public AllosOptions? UserConfig { get; init; }

    public string? RouterConfigPath { get; init; }

    /// <summary>Gets the MCP servers of allos.yaml (the project's, then the user's) and ./.mcp.json; none is started until its tools are used.</summary>
    public IReadOnlyList<Mcp.McpServerOptions> McpServers { get; init; } = [];

    /// <summary>Loads the configuration files and the environment and merges them under <paramref name="request"/>.</summary>
    /// <exception cref="ConfigurationException">Something is missing or invalid; the message says what to set.</exception>
    public static CliSettings Load(RunRequest request)
    {
        AllosOptions? project = ReadConfig(Path.GetFullPath("allos.yaml"));
        AllosOptions? user = ReadConfig(Path.Combine(AllosPaths.ConfigDirectory, "allos.yaml"));
        (string model, string source) = ResolveModel(request, project, user);

        string workspace = Path.GetFullPath(request.Cwd ?? Environment.CurrentDirectory);
        if (!Directory.Exists(workspace))
        {
            throw new ConfigurationException($"The workspace folder '{workspace}' does not exist. Pass an existing folder to --cwd.");
        }

        IReadOnlyList<string> tools = request.Tools is string flag
            ? flag.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? [] : [.. flag.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
            : (IReadOnlyList<string>?)(project?.Tools ?? user?.Tools)?.ToArray() ?? DefaultTools;

        AutonomyLevel autonomy = request.AutoApprove ? AutonomyLevel.Autonomous
            : request.Autonomy is string flagAutonomy ? ParseAutonomy(flagAutonomy)
            : project?.Autonomy ?? user?.Autonomy ?? AutonomyLevel.Supervised;

        string? agentsFile = project?.AgentsFile ?? user?.AgentsFile ?? (File.Exists("agents.yaml") ? Path.GetFullPath("agents.yaml") : null);
        return new CliSettings
        {
            Model = model,
            ModelSource = source,
            Tools = tools,
            ToolsFromFlag = request.Tools is not null,
            Autonomy = autonomy,
            Sandbox = SandboxOf(project, user),
            AutoApprove = request.AutoApprove,
            Verbose = request.Verbose,
            Quiet = request.Quiet,
            Streaming = !request.NoStream,
            WaitForLock = request.Wait,
            MaxIterations = request.MaxIterations ?? project?.MaxIterations ?? user?.MaxIterations,
            Memory = request.Memory is { } memory ? (memory.Trim() == "recall" ? MemoryMode.Recall : MemoryMode.None) : project?.Memory ?? user?.Memory,
            System = request.System ?? project?.System ?? user?.System,
            Workspace = workspace,
            Agent = request.Agent,
            AgentsFile = agentsFile,
            ProjectConfig = project,
            UserConfig = user,
            RouterConfigPath = RouterConfig(project, user)?.Source,
            McpServers = Commands.McpServerConfig.Load(project, user),
        };
    }

    /// <summary>Builds the Router's options: groups from the config file that has them, this run's model as the default.</summary>
    /// <remarks>Opens the configured response cache; call it once, for the Router of this run.</remarks>
    public RouterOptions RouterOptions()
    {
        RouterOptions options = RouterConfig(ProjectConfig, UserConfig)?.CreateRouterOptions() ?? new RouterOptions();
        options.DefaultModel = Model;
        return options;
    }

    /// <summary>The file whose router and models sections apply: the project's if it has them, else the user's.</summary>
    private static AllosOptions? RouterConfig(AllosOptions? project, AllosOptions? user) =>
        project?.HasRouter == true ? project : user?.HasRouter == true ? user : null;

    /// <summary>The <c>store:</c> setting for the commands that need no other settings (sessions, stats).</summary>
    /// <exception cref="ConfigurationException">A config file is invalid.</exception>
    public static string? StoreSetting() =>
        ReadConfig(Path.GetFullPath("allos.yaml"))?.Store ?? ReadConfig(Path.Combine(AllosPaths.ConfigDirectory, "allos.yaml"))?.Store;

    /// <summary>The shell sandbox of allos.yaml (<c>sandbox:</c>, <c>sandbox_network:</c>) for the commands that need no other settings (<c>mcp serve</c>).</summary>
    /// <exception cref="ConfigurationException">A config file is invalid.</exception>
    public static ShellSandboxOptions SandboxSetting() =>
        SandboxOf(ReadConfig(Path.GetFullPath("allos.yaml")), ReadConfig(Path.Combine(AllosPaths.ConfigDirectory, "allos.yaml")));

    private static ShellSandboxOptions SandboxOf(AllosOptions? project, AllosOptions? user) => new()
    {
        Mode = project?.Sandbox ?? user?.Sandbox ?? ShellSandboxMode.Auto,
        AllowNetwork = project?.SandboxNetwork ?? user?.SandboxNetwork ?? false,
    };

    /// <summary>Binds one config file, or returns <see langword="null"/> when it does not exist.</summary>
    /// <exception cref="ConfigurationException">The file is not valid YAML or has an unknown key or a bad value; the message gives the line.</exception>
    private static AllosOptions? ReadConfig(string path) => File.Exists(path) ? AllosConfiguration.LoadFile(path) : null;

    /// <summary>Returns the first of Anthropic, OpenAI and Gemini whose key is set, with the variable: the default when nothing names a model.</summary>
    public static (string Provider, string Variable)? ProviderWithKey(Func<string, string?> environment)
    {
        foreach ((string provider, string variable) in new[] { ("anthropic", "ANTHROPIC_API_KEY"), ("openai", "OPENAI_API_KEY"), ("gemini", "GEMINI_API_KEY"), ("gemini", "GOOGLE_API_KEY") })
        {
            if (environment(variable) is { Length: > 0 })
            {
                return (provider, variable);
            }
        }

        return null;
    }

    public static AutonomyLevel ParseAutonomy(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "supervised" => AutonomyLevel.Supervised,
        "manual" => AutonomyLevel.Manual,
        "autonomous" or "auto" => AutonomyLevel.Autonomous,
        _ => throw new ConfigurationException($"Unknown autonomy '{text}'. Use manual, supervised or autonomous."),
    };

    private static (string Model, string Source) ResolveModel(RunRequest request, AllosOptions? project, AllosOptions? user)
    {
        string? provider = request.Provider?.Trim();
        if (provider is { Length: > 0 } && !ProviderRegistry.Default.Contains(provider))
        {
            throw new ConfigurationException($"Unknown provider '{provider}'. Known providers: {string.Join(", ", ProviderRegistry.Default.Providers)}. See `allos providers`.");
        }

        if (request.Model is { Length: > 0 } flag)
        {
            return (provider is { Length: > 0 } && !flag.Contains('/', StringComparison.Ordinal) ? $"{provider}/{flag}" : flag, "--model");
        }

        if (provider is { Length: > 0 })
        {
            return ProviderDefaults.TryGetValue(provider, out string? model)
                ? ($"{provider}/{model}", "--provider")
                : throw new ConfigurationException($"Provider '{provider}' has no default model. Name one with --model, for example --model {provider}/MODEL.");
        }

        if (Environment.GetEnvironmentVariable("ALLOS_MODEL") is { Length: > 0 } env)
        {
            return (env.Trim(), "ALLOS_MODEL");
        }

        if (project?.DefaultModel is string projectModel)
        {
            return (projectModel, project.Source!);
        }

        if (user?.DefaultModel is string userModel)
        {
            return (userModel, user.Source!);
        }

        if (Environment.GetEnvironmentVariable("AI_PROVIDER") is { Length: > 0 } aiProvider && ProviderDefaults.TryGetValue(aiProvider.Trim(), out string? aiModel))
        {
            return ($"{aiProvider.Trim().ToLowerInvariant()}/{aiModel}", "AI_PROVIDER");
        }

        // Nothing chosen: the first provider whose key is set.
        if (ProviderWithKey(Environment.GetEnvironmentVariable) is (string name, string variable))
        {
            return ($"{name}/{ProviderDefaults[name]}", variable);
        }

        throw new ConfigurationException(
            "No model chosen. Pass --model provider/model (for example --model openai/gpt-5-mini), set ALLOS_MODEL, " +
            "or set a provider key such as OPENAI_API_KEY or ANTHROPIC_API_KEY.", "ALLOS_MODEL");
    }
}
