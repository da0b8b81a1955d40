using Allos.Agents;
using Allos.Agents.Turns;
using Allos.Configuration;
using Allos.Context;
using Allos.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Allos.Hosting;

/// <summary>
/// Creates <see cref="AgentRunner"/>s that share one pipeline, one <see cref="ToolRegistry"/> and the defaults of an
/// <see cref="AllosOptions"/>: what <c>services.AddAllos(...)</c> registers (over the Router), since each runner takes its
/// own agents.
/// </summary>
/// <remarks>
/// Each model's client is the caller's, behind a context window sized for that model with the runner options'
/// <see cref="AgentRunnerOptions.ContextPolicy"/> (default <see cref="ContextPolicy.TruncateOldest"/>; set it in
/// <c>configure</c>). Thread-safe; creating a runner is cheap (no client is created before its first model call).
/// </remarks>
/// <example>
/// <code>
/// AgentRunner runner = factory.Create(new AgentDefinition("helper") { Tools = { "files" } });
/// RunResult result = await runner.RunAsync("Summarize README.md");
/// </code>
/// </example>
public sealed class AgentRunnerFactory
{
    private readonly Func<string, IChatClient> _clients;
    private readonly ToolRegistry _tools;
    private readonly AllosOptions _options;
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>Initializes a factory whose runners send every model call through <paramref name="chatClient"/>.</summary>
    /// <param name="chatClient">
    /// Serves every model call of the runners: any pipeline; each request names its model in
    /// <see cref="ChatOptions.ModelId"/>. A model's context window is what <c>GetService(typeof(ModelInfo), modelId)</c>
    /// (or, failing that, <c>GetService(typeof(ModelInfo))</c>) answers, else the catalog's. For the Router, pass its
    /// <c>For</c> to the other constructor, whose alias clients know their smallest deployment's window.
    /// </param>
    /// <param name="tools">The tools agents can name.</param>
    /// <param name="options">Gives the default model and autonomy. Default: none (agents name their model).</param>
    /// <param name="loggerFactory">Where tool calls are logged. Default: <see cref="NullLoggerFactory.Instance"/>.</param>
    public AgentRunnerFactory(IChatClient chatClient, ToolRegistry tools, AllosOptions? options = null, ILoggerFactory? loggerFactory = null)
        : this(chatClient is null ? null! : model => new ModelChatClient(chatClient, model), tools, options, loggerFactory)
    {
    }

    /// <summary>Initializes a factory whose runners get each model's client from <paramref name="chatClients"/>.</summary>
    /// <param name="chatClients">
    /// Returns the client for a model id or alias, such as the Router's <c>For</c>, whose clients know their alias's
    /// context window.
    /// </param>
    /// <param name="tools">The tools agents can name.</param>
    /// <param name="options">Gives the default model and autonomy. Default: none (agents name their model).</param>
    /// <param name="loggerFactory">Where tool calls are logged. Default: <see cref="NullLoggerFactory.Instance"/>.</param>
    public AgentRunnerFactory(Func<string, IChatClient> chatClients, ToolRegistry tools, AllosOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(chatClients);
        ArgumentNullException.ThrowIfNull(tools);
        _clients = chatClients;
        _tools = tools;
        _options = options ?? new AllosOptions();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>Creates a runner for one agent.</summary>
    /// <param name="agent">The agent.</param>
    /// <param name="configure">Changes the runner's options (approval handler, workspace, streaming, context policy) before it is created.</param>
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
            DefaultModel = _options.DefaultModel,
            Tools = _tools,
            Autonomy = _options.Autonomy ?? AutonomyLevel.Supervised,
            ToolExecution = new ToolExecutionOptions { LoggerFactory = _loggerFactory },
        };

        // Read when the first call is made, so a policy or catalog set in configure applies.
        options.ChatClientFactory = model =>
            AgentClients.FitToWindow(_clients(model), model, maxOutputTokens: null, options.ContextPolicy ?? ContextPolicy.None, options.Models);
        configure?.Invoke(options);
        if (options.ChatClient is not null && options.ChatClientFactory is not null)
        {
            // A pipeline given in configure replaces the factory's clients rather than conflicting with them.
            options.ChatClientFactory = null;
        }

        return options;
    }
}
