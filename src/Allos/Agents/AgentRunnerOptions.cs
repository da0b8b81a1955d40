using Allos.Context;
using Allos.Memory;
using Allos.Models;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Agents;

/// <summary>What an <see cref="AgentRunner"/> runs agents with.</summary>
public sealed class AgentRunnerOptions
{
    /// <summary>
    /// Gets or sets the pipeline every agent's model calls go through, used as given: a Router, or any
    /// <c>ChatClientBuilder</c> pipeline (with MEAI's layers, Allos's, or both). Each call names the agent's model
    /// (or <see cref="DefaultModel"/>) in <see cref="ChatOptions.ModelId"/>, as the Router expects; with neither, the
    /// pipeline's own default model answers, so over a single provider's client leave the models unset (or name that
    /// provider's own model ids). Default: <see langword="null"/> (see <see cref="ChatClientFactory"/>).
    /// </summary>
    /// <remarks>
    /// The runner adds no layer to it: put a context window (<c>UseContextWindow</c>) in the pipeline if it needs one.
    /// A <c>FunctionInvokingChatClient</c> in it never runs the agents' tools itself: they are declared to it as
    /// declarations only, so it hands the calls back to the runner's validation, permissions and approvals.
    /// Set this or <see cref="ChatClientFactory"/>, not both.
    /// </remarks>
    public IChatClient? ChatClient { get; set; }

    /// <summary>
    /// Gets or sets how a model id becomes a client, used as given (one client per model id, reused; the runner adds no
    /// layer to it). Default: <see langword="null"/>: with no <see cref="ChatClient"/> either, the runner creates the
    /// provider client with <see cref="ChatClients.Create"/> and keeps the history in its window with
    /// <see cref="ContextPolicy"/>.
    /// </summary>
    /// <remarks>Pass the Router's <c>For</c> here to give agents retries, fallbacks and budgets per alias.</remarks>
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
    /// Gets or sets how a conversation is kept inside each agent's context window (budget from <see cref="Models"/>),
    /// for the clients the runner creates itself, that is when neither <see cref="ChatClient"/> nor
    /// <see cref="ChatClientFactory"/> is set. Default: <see cref="ContextPolicy.TruncateOldest"/>, which never fails;
    /// <see langword="null"/> sends the whole history as it is. Either way a "context window exceeded" answer is
    /// compacted and retried once.
    /// </summary>
    /// <remarks>A caller's pipeline is used as given; <c>Hosting.AgentRunnerFactory</c> puts this policy in front of the clients it builds.</remarks>
    public ContextPolicy? ContextPolicy { get; set; } = ContextPolicy.TruncateOldest();

    /// <summary>Gets or sets the catalog that gives each model's context window, output limit and price (when the pipeline reports no cost). Default: <see cref="ModelCatalog.Default"/>.</summary>
    public ModelCatalog Models { get; set; } = ModelCatalog.Default;

    /// <summary>Gets or sets a value indicating whether model calls stream (text arrives as it is written). Default: true.</summary>
    public bool Streaming { get; set; } = true;

    /// <summary>Gets or sets the clock for the trace. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Gets or sets the recall that agents with <see cref="MemoryMode.Recall"/> use: it searches the earlier sessions of
    /// the store it was made with and adds what it finds before the run's input.
    /// </summary>
    public MemoryRecall? Memory { get; set; }
}
