using Allos.Agents.Guardrails;
using Allos.Storage;
using Microsoft.Extensions.AI;

namespace Allos.Agents;

/// <summary>What a run produced.</summary>
public sealed class RunResult
{
    /// <summary>Gets how the run ended.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>Gets the final answer (on <see cref="RunStatus.MaxIterations"/>, the last text the model wrote).</summary>
    public required string Text { get; init; }

    /// <summary>Gets the messages this run added to the conversation (a recall message if any, the input, the assistant turns, the tool results).</summary>
    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>Gets the trace.</summary>
    public required IReadOnlyList<RunStep> Steps { get; init; }

    /// <summary>Gets the token totals of every model call in the run.</summary>
    public required UsageDetails Usage { get; init; }

    /// <summary>
    /// Gets the cost of the run's model calls in US dollars, priced by the runner's model catalog; <see langword="null"/>
    /// when any call's price is unknown (never a misleading 0).
    /// </summary>
    public decimal? Cost { get; init; }

    /// <summary>Gets the agent that acted last.</summary>
    public required string Agent { get; init; }

    /// <summary>Gets the agents the conversation passed through, in order, starting with the entry agent.</summary>
    public required IReadOnlyList<string> HandoffPath { get; init; }

    /// <summary>Gets the calls waiting for approval (when <see cref="Status"/> is <see cref="RunStatus.AwaitingApproval"/>).</summary>
    public IReadOnlyList<ApprovalRequest> PendingApprovals { get; init; } = [];

    /// <summary>Gets the state to resume from (when <see cref="Status"/> is <see cref="RunStatus.AwaitingApproval"/>); serialize it with <see cref="RunState.ToJson"/>.</summary>
    public RunState? State { get; init; }

    /// <summary>Gets the failure (when <see cref="Status"/> is <see cref="RunStatus.Failed"/>).</summary>
    public Exception? Error { get; init; }

    /// <summary>
    /// Gets the guardrail that stopped the run (when <see cref="Status"/> is <see cref="RunStatus.GuardrailTripped"/>): its
    /// name, stage and reason, never the offending text.
    /// </summary>
    public GuardrailTrip? Guardrail { get; init; }

    /// <summary>The trace as JSON (an array of steps with snake_case fields), ready to be stored.</summary>
    public string TraceToJson() =>
        System.Text.Json.JsonSerializer.Serialize([.. Steps], AgentsJsonContext.Default.ListRunStep);
}
