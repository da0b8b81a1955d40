using Allos.Context;
using Allos.Models;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Agents;

/// <summary>What an <see cref="AgentRunner"/> runs agents with.</summary>
public sealed class AgentRunnerOptions
{
    /// <summary>Gets or sets how a model id becomes a client. Default: <see cref="ChatClients.Create"/> (one client per model id, reused).</summary>
    /// <remarks>Pass the Router here to give agents retries, fallbacks and budgets.</remarks>
    public Func<string, IChatClient>? ChatClientFactory { get; set; }

    /// <summary>Gets or sets the model of agents that name none.</summary>
    public string? DefaultModel { get; set; }

    /// <summary>Gets or sets the tools agents can name. Default: an empty registry.</summary>
    public ToolRegistry Tools { get; set; } = new();

    /// <summary>Gets or sets the folder tools are confined to. Default: the current directory.</summary>
    public Workspace? Workspace { get; set; }

    /// <summary>
    /// Gets or sets who answers approval requests. Default: nobody, so a call that needs approval pauses the run with
    /// <see cref="RunStatus.AwaitingApproval"/>, to be resumed with <see cref="AgentRunner.ResumeAsync"/>.
    /// </summary>
    public ApprovalHandler? ApprovalHandler { get; set; }

    /// <summary>Gets or sets the autonomy of agents and runs that set none. Default: <see cref="AutonomyLevel.Supervised"/>.</summary>
    public AutonomyLevel Autonomy { get; set; } = AutonomyLevel.Supervised;

    /// <summary>Gets or sets the risk from which tools without an explicit permission ask in supervised mode. Default: <see cref="ToolRisk.Network"/> (network, writes, executes).</summary>
    public ToolRisk ApprovalThreshold { get; set; } = ToolRisk.Network;

    /// <summary>Gets or sets how tool calls run (parallelism, timeout, output cap).</summary>
    public ToolExecutionOptions ToolExecution { get; set; } = new();

    /// <summary>Gets or sets how many handoffs one run may make. Default: 5.</summary>
    public int MaxHandoffs { get; set; } = 5;

    /// <summary>
    /// Gets or sets what the receiving agent sees of the conversation at a handoff. Default: everything except reasoning
    /// signatures, which are bound to the provider that made them.
    /// </summary>
    public Func<IReadOnlyList<ChatMessage>, IList<ChatMessage>>? HandoffHistoryFilter { get; set; }

    /// <summary>
    /// Gets or sets how a conversation is kept inside each agent's context window (budget from <see cref="Models"/>).
    /// Default: <see cref="ContextPolicy.TruncateOldest"/>, which never fails; <see langword="null"/> sends the whole
    /// history as it is. Either way a "context window exceeded" answer is compacted and retried once.
    /// </summary>
    public ContextPolicy? ContextPolicy { get; set; } = ContextPolicy.TruncateOldest();

    /// <summary>Gets or sets the catalog that gives each model's context window and output limit. Default: <see cref="ModelCatalog.Default"/>.</summary>
    public ModelCatalog Models { get; set; } = ModelCatalog.Default;

    /// <summary>Gets or sets a value indicating whether model calls stream (text arrives as it is written). Default: true.</summary>
    public bool Streaming { get; set; } = true;

    /// <summary>Gets or sets the clock for the trace. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
