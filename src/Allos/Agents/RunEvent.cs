using Allos.Storage;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Agents;

/// <summary>Something that happened during a run, streamed as it happens by <see cref="AgentRunner.RunStreamingAsync"/>.</summary>
/// <param name="Agent">The agent acting.</param>
public abstract record RunEvent(string Agent);

/// <summary>A piece of answer text.</summary>
public sealed record TextDeltaEvent(string Agent, string Text) : RunEvent(Agent);

/// <summary>A piece of reasoning text.</summary>
public sealed record ReasoningDeltaEvent(string Agent, string Text) : RunEvent(Agent);

/// <summary>A tool call is about to run (after validation and approval).</summary>
public sealed record ToolCallStartedEvent(string Agent, string CallId, string ToolName, string ArgumentsJson) : RunEvent(Agent);

/// <summary>A running tool call reported how far it has got (an MCP server's progress notification).</summary>
public sealed record ToolCallProgressEvent(string Agent, string CallId, string ToolName, ToolProgress Progress) : RunEvent(Agent);

/// <summary>A tool call ended (or was denied, or failed).</summary>
public sealed record ToolCallCompletedEvent(string Agent, string CallId, string ToolName, string ArgumentsJson, ToolCallOutcome Outcome, string Output, TimeSpan Duration) : RunEvent(Agent);

/// <summary>A tool call needs approval.</summary>
public sealed record ApprovalRequestedEvent(string Agent, ApprovalRequest Request) : RunEvent(Agent);

/// <summary>The conversation passed to another agent.</summary>
public sealed record HandoffEvent(string Agent, string To, string? Reason) : RunEvent(Agent);

/// <summary>A model call reported usage; <paramref name="Total"/> is the run's running total.</summary>
public sealed record UsageEvent(string Agent, UsageDetails Usage, UsageDetails Total) : RunEvent(Agent)
{
    /// <summary>Gets what the call cost in US dollars, or <see langword="null"/> when its price is unknown.</summary>
    public decimal? Cost { get; init; }
}

/// <summary>A message was added to the conversation (the input, an assistant turn, tool results): store it now to keep every completed turn.</summary>
public sealed record MessageAddedEvent(string Agent, ChatMessage Message) : RunEvent(Agent);

/// <summary>A step was recorded in the trace.</summary>
public sealed record StepCompletedEvent(string Agent, RunStep Step) : RunEvent(Agent);

/// <summary>The run ended; the last event of every run.</summary>
public sealed record RunCompletedEvent(string Agent, RunResult Result) : RunEvent(Agent);
