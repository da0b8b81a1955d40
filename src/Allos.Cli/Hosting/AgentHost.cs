using Allos.Agents;
using Allos.Cli.Settings;
using Allos.Gateway;
using Allos.Hosting;
using Allos.Mcp;
using Allos.Memory;
using Allos.Prompts;
using Allos.Sessions;
using Allos.Storage;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Cli.Hosting;

/// <summary>Everything a run or a chat needs: the store, the Router every model call goes through, sessions and the agent.</summary>
internal sealed class AgentHost : IAsyncDisposable
{
    private readonly HttpClient? _http;
    private string? _model;
    private ChatOptions? _promptOptions;

    private AgentHost(CliSettings settings, AllosStore store, Router router, HttpClient? http)
    {
        Settings = settings;
        Store = store;
        Router = router;
        _http = http;
        Sessions = new SessionManager(store.Sessions, store.Telemetry) { RecordModelCalls = false };
        Tools = ToolRegistry.CreateWithBuiltIns(settings.Sandbox);
        Mcp = new McpServers(settings.McpServers) { Root = settings.Workspace };
        Agents = LoadAgents(settings, Tools);
        Autonomy = settings.Autonomy;
        McpSampling.Configure(Mcp, router, Model);
    }

    /// <summary>The name of the agent a run has without <c>--agent</c>.</summary>
    public const string DefaultAgentName = "allos";

    public CliSettings Settings { get; }

    public AllosStore Store { get; }

    public Router Router { get; }

    public SessionManager Sessions { get; }

    public ToolRegistry Tools { get; }

    /// <summary>Gets the MCP servers; those the agents' tools name are started by <see cref="OpenAsync"/>, and closed with the host.</summary>
    public McpServers Mcp { get; }

    /// <summary>Gets the agents of the run: the one named by <c>--agent</c> (with its team) or the default agent.</summary>
    public IReadOnlyList<AgentDefinition> Agents { get; }

    public string EntryAgent => Settings.Agent ?? Agents[0].Name;

    /// <summary>Gets the model of the entry agent (the one chosen with <see cref="UseModel"/>, else its own, else the run's).</summary>
    public string Model => _model ?? Agents.First(agent => agent.Name == EntryAgent).Model ?? Settings.Model;

    /// <summary>Gets or sets the autonomy of the runners created from now on (chat's <c>/autonomy</c> changes it).</summary>
    public AutonomyLevel Autonomy { get; set; }

    /// <summary>
    /// Switches the runners created from now on to <paramref name="model"/> (chat's <c>/model</c>): the entry agent and the
    /// agents that had the run's model; agents of a team with a model of their own keep it.
    /// </summary>
    /// <exception cref="ConfigurationException">The Router cannot serve the model (unknown provider, missing key); nothing changes.</exception>
    public void UseModel(string model)
    {
        model = model.Trim();
        _ = Router.For(model);
        string previous = Model;
        foreach (AgentDefinition agent in Agents)
        {
            if (agent.Name == EntryAgent || agent.Model is null || agent.Model == previous || agent.Model == Settings.Model)
            {
                agent.Model = model;
            }
        }

        _model = model;
        Mcp.Sampling?.Model = model;
    }

    /// <summary>
    /// Gives the runners created from now on the options of a prompt (<c>run --prompt</c>): the entry agent takes its
    /// temperature and output limit, and every request the rest of what its front matter sets, with its name and version.
    /// </summary>
    public void UsePromptOptions(ChatOptions options)
    {
        AgentDefinition entry = Agents.First(agent => agent.Name == EntryAgent);
        entry.Temperature = options.Temperature ?? entry.Temperature;
        entry.MaxOutputTokens = options.MaxOutputTokens ?? entry.MaxOutputTokens;
        _promptOptions = options;
    }

    public static async Task<AgentHost> OpenAsync(CliSettings settings, TextWriter? requestLog, CancellationToken cancellationToken)
    {
        RouterOptions options = settings.RouterOptions();
        HttpClient? http = requestLog is null ? null : new HttpClient(new RequestLogHandler(new Output.LogLineWriter(requestLog))) { Timeout = Timeout.InfiniteTimeSpan };
        options.HttpClient = http;

        // Waiting out a rate limit (or an overloaded provider) takes seconds: say so, once per retry, on standard error.
        if (!settings.Quiet)
        {
            options.OnRetry = Output.RetryNotice.Create(Console.Error);
        }
        AllosStore store = await AllosStore.OpenAsync(settings.Store, cancellationToken).ConfigureAwait(false);
        options.Telemetry = store.Telemetry;
        try
        {
            var router = new Router(options);
            var host = new AgentHost(settings, store, router, http);
            try
            {
                await host.AddMcpToolsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await host.Mcp.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            // Fail now, with the variable to set, rather than after the user typed a task (or the session was created). The
            // Router makes a model's client on its first call, so a plain model's is made here once; a group's deployments may
            // fall back to one another, so a missing key there is left to the call.
            _ = router.For(host.Model);
            if (!options.Groups.Any(group => string.Equals(group.Alias, host.Model, StringComparison.OrdinalIgnoreCase)))
            {
                using IChatClient probe = options.Providers.Create(host.Model, new ChatClientOptions { HttpClient = http });
            }
            return host;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            http?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates the runner for one session: model calls are tagged with the session id and go through the Router, each
    /// model's behind a context window (the factory's default policy) sized for its alias.
    /// </summary>
    public AgentRunner CreateRunner(string sessionId, ApprovalHandler? approvals)
    {
        ChatOptions? prompt = _promptOptions;
        Mcp.Sampling?.ChatClient = new SessionChatClient(Router, sessionId);
        var factory = new AgentRunnerFactory(
            model => prompt is null ? new SessionChatClient(Router.For(model), sessionId) : new PromptOptionsChatClient(new SessionChatClient(Router.For(model), sessionId), prompt),
            Tools);
        return factory.Create(Agents, EntryAgent, options =>
        {
            options.DefaultModel = _model ?? Settings.Model;
            options.Workspace = new Workspace(Settings.Workspace);
            options.Autonomy = Autonomy;
            options.ApprovalHandler = approvals;
            options.Streaming = Settings.Streaming;
            options.Memory = new MemoryRecall(Store.Sessions);
        });
    }

    /// <summary>
    /// Gives the agents the tools a paused run started with (<see cref="RunState.AgentTools"/>; <c>--tools</c> given now
    /// still wins for the entry agent) and starts the MCP servers among them, so a resume in a new process needs no flags.
    /// </summary>
    /// <exception cref="McpServerException">A server the run used cannot be started.</exception>
    /// <exception cref="ConfigurationException">A server the run used is no longer configured, or no longer offers a tool.</exception>
    public async Task RestoreToolsAsync(RunState state, CancellationToken cancellationToken)
    {
        foreach (AgentDefinition agent in Agents)
        {
            if (state.AgentTools.TryGetValue(agent.Name, out IReadOnlyList<string>? tools) && !(Settings.ToolsFromFlag && agent.Name == EntryAgent))
            {
                agent.Tools.Clear();
                foreach (string tool in tools)
                {
                    agent.Tools.Add(tool);
                }
            }
        }

        // Servers already started for the run's own tools answer from their cache; the registry replaces what it has.
        await AddMcpToolsAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await Mcp.DisposeAsync().ConfigureAwait(false);
        Router.Dispose();
        await Store.Telemetry.FlushAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
        _http?.Dispose();
    }

    /// <summary>
    /// Starts the MCP servers the run's tools name (and only those: a run without MCP tools starts none) and registers
    /// their tools; then checks every agent's MCP names, which could not be checked before the servers answered.
    /// </summary>
    private async Task AddMcpToolsAsync(CancellationToken cancellationToken)
    {
        string[] names = [.. Settings.Tools.Concat(Agents.SelectMany(agent => agent.Tools)).Where(McpServers.IsToolName)];
        if (names.Length == 0)
        {
            return;
        }

        foreach (string warning in await Mcp.AddToolsAsync(Tools, names, cancellationToken).ConfigureAwait(false))
        {
            if (!Settings.Quiet)
            {
                Console.Error.WriteLine($"warning: {warning}");
            }
        }

        CheckTools(Agents, Tools, Settings.AgentsFile ?? "the run's --tools", withMcp: true);
    }

    private static List<AgentDefinition> LoadAgents(CliSettings settings, ToolRegistry tools)
    {
        if (settings.Agent is string name)
        {
            string file = settings.AgentsFile
                ?? throw new ConfigurationException($"--agent {name} needs an agents.yaml: put one in the current folder or name it with 'agents:' in allos.yaml.");
            AgentTeam team = LoadTeam(file, settings);
            AgentDefinition agent = team.Agents.FirstOrDefault(candidate => string.Equals(candidate.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new ConfigurationException($"There is no agent '{name}' in {file}. Agents there: {string.Join(", ", team.Agents.Select(a => a.Name))}.");
            foreach (AgentDefinition member in team.Agents)
            {
                Apply(member, settings, isEntry: member == agent);
            }

            CheckTools(team.Agents, tools, file);

            return [agent, .. team.Agents.Where(member => member != agent)];
        }

        var standard = new AgentDefinition
        {
            Name = DefaultAgentName,
            Instructions = settings.System ?? DefaultInstructions(settings.Workspace),
            Model = settings.Model,
        };
        foreach (string tool in settings.Tools)
        {
            standard.Tools.Add(tool);
        }

        Apply(standard, settings, isEntry: true);
        return [standard];
    }

    /// <summary>
    /// Loads agents.yaml with the project's prompts (./prompts, the user's, allos.yaml's prompts:), read only when an
    /// agent has prompt:, so a broken prompt file does not stop teams that use none.
    /// </summary>
    internal static AgentTeam LoadTeam(string file, CliSettings settings) =>
        AgentTeam.LoadFile(file, () => PromptLibrary.ForProject(
            Directory.GetCurrentDirectory(), [.. settings.ProjectConfig?.PromptFolders ?? [], .. settings.UserConfig?.PromptFolders ?? []]));

    /// <summary>
    /// A team written for a program (its own C# tools, as examples/CustomerService) cannot run here: say which agent, tool
    /// and file, rather than the runner's "unknown tool", before anything is paid for.
    /// </summary>
    private static void CheckTools(IEnumerable<AgentDefinition> team, ToolRegistry tools, string file, bool withMcp = false)
    {
        foreach (AgentDefinition member in team)
        {
            // MCP names are checked once their servers have listed their tools (AddMcpToolsAsync).
            foreach (string tool in member.Tools.Where(tool => withMcp || !McpServers.IsToolName(tool)))
            {
                try
                {
                    _ = tools.Resolve([tool]);
                }
                catch (ConfigurationException)
                {
                    string near = KeySuggestion.Nearest(tool, [.. tools.Names, .. tools.GroupNames]) is { } suggestion ? $" (did you mean '{suggestion}'?)" : "";
                    if (McpServers.IsToolName(tool))
                    {
                        throw new ConfigurationException($"Agent '{member.Name}' ({file}) uses the MCP tool '{tool}'{near}, which its server does not offer: `allos mcp tools` lists them.");
                    }

                    throw new ConfigurationException(
                        $"Agent '{member.Name}' in {file} uses the tool '{tool}'{near}, which the allos command does not have (`allos tools` lists " +
                        $"its tools). Remove it from that agent's tools, or run the team from a program that registers it, as examples/CustomerService/Program.cs does.");
                }
            }
        }
    }

    private static void Apply(AgentDefinition agent, CliSettings settings, bool isEntry)
    {
        if (settings.MaxIterations is int max)
        {
            agent.MaxIterations = max;
        }

        if (isEntry && settings.Memory is { } memory)
        {
            agent.Memory = memory;
        }

        // Flags win over the chosen agent's own settings; the other agents of its team keep theirs.
        if (isEntry && settings.Agent is not null)
        {
            if (settings.System is string system)
            {
                // --system replaces a prompt's instructions too; the model and sampling it gave stay.
                agent.Instructions = system;
                agent.Prompt = null;
            }

            if (settings.ModelFromFlag)
            {
                agent.Model = settings.Model;
            }

            if (settings.ToolsFromFlag)
            {
                agent.Tools.Clear();
                foreach (string tool in settings.Tools)
                {
                    agent.Tools.Add(tool);
                }
            }
        }

        agent.Model ??= settings.Model;
    }

    private static string DefaultInstructions(string workspace) => $"""
        You are Allos, a careful assistant working in the user's terminal. The workspace root is {workspace}; tool paths
        are relative to it. Read before you change anything, keep changes small, and say briefly what you did.
        """;
}
