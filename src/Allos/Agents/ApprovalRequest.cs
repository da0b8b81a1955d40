using Allos.Tools;

namespace Allos.Agents;

/// <summary>A tool call waiting for the user's yes or no.</summary>
/// <param name="ApprovalId">An id that holds for the whole run, across handoffs and process restarts.</param>
/// <param name="Agent">The agent that made the call.</param>
/// <param name="CallId">The model's call id.</param>
/// <param name="ToolName">The tool.</param>
/// <param name="ArgumentsJson">The arguments, as JSON.</param>
/// <param name="Risk">The tool's risk.</param>
/// <param name="Reason">Why approval is needed (the autonomy level or the tool's permission).</param>
public sealed record ApprovalRequest(string ApprovalId, string Agent, string CallId, string ToolName, string ArgumentsJson, ToolRisk Risk, string Reason)
{
    /// <summary>
    /// Gets a value indicating whether the tool's own check asked about this call (<see cref="Tool.ApprovalCheck"/>, such
    /// as <c>read_file</c> on a <c>.env</c>): an "always allow" answer for the tool does not cover it, so ask each time.
    /// </summary>
    public bool Escalated { get; init; }
}
