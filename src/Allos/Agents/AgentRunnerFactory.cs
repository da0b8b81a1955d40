using Allos.Configuration;
using Allos.Gateway;
using Allos.Tools;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Allos.Agents;

/// <summary>
/// Creates <see cref="AgentRunner"/>s that share one <see cref="Router"/>, one <see cref="ToolRegistry"/> and the defaults of
/// an <see cref="AllosOptions"/>: what <c>services.AddAllos(...)</c> registers, since each runner takes its own agents.
/// </summary>
/// <remarks>Thread-safe; creating a runner is cheap (no client is created before its first model call).</remarks>
/// <example>
/// <code>
/// AgentRunner runner = factory.Create(new AgentDefinition("helper") { Tools = { "files" } });
/// RunResult result = await runner.RunAsync("Summarize README.md");
/// </code>
/// </example>
public sealed class AgentRunnerFactory
{
    private readonly Router _router;
    private readonly ToolRegistry _tools;
    private readonly AllosOptions _options;
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>Initializes a factory over <paramref name="router"/> and <paramref name="tools"/>.</summary>
    /// <param name="router">Serves every model call of the runners (aliases, retries, fallbacks, budgets).</param>
    /// <param name="tools">The tools agents can name.</param>
    /// <param name="options">Gives the default model and autonomy. Default: none (agents name their model).</param>
    /// <param name="loggerFactory">Where tool calls are logged. Default: <see cref="NullLoggerFactory.Instance"/>.</param>
    public AgentRunnerFactory(Router router, ToolRegistry tools, AllosOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(tools);
        _router = router;
        _tools = tools;
        _options = options ?? new AllosOptions();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>Creates a runner for one agent.</summary>
    /// <param name="agent">The agent.</param>
    /// <param name="configure">Changes the runner's options (approval handler, workspace, streaming) before it is created.</param>
    /// <exception cref="ConfigurationException">The agent names a tool that is not registered.</exception>
    public AgentRunner Create(AgentDefinition agent, Action<AgentRunnerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return new AgentRunner(agent, Options(configure));
    }

    /// <summary>Creates a runner for a team whose conversations start with <paramref name="entryAgent"/>.</summary>
    /// <param name="team">The agents.</param>
    /// <param name="entryAgent">The name of the agent that answers first.</param>
    /// <param name="configure">Changes the runner's options before it is created.</param>
    /// <exception cref="ConfigurationException">An agent names a tool or handoff target that does not exist.</exception>
    public AgentRunner Create(IEnumerable<AgentDefinition> team, string entryAgent, Action<AgentRunnerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(team);
        return new AgentRunner(team, entryAgent, Options(configure));
    }

    private AgentRunnerOptions Options(Action<AgentRunnerOptions>? configure)
    {
        var options = new AgentRunnerOptions
        {
            ChatClientFactory = _router.For,
            DefaultModel = _options.DefaultModel,
            Tools = _tools,
            Autonomy = _options.Autonomy ?? AutonomyLevel.Supervised,
            ToolExecution = new ToolExecutionOptions { LoggerFactory = _loggerFactory },
        };
        configure?.Invoke(options);
        return options;
    }
}
