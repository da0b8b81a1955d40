using System.Text.Json;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Agents;

/// <summary>A tool call waiting for the user's yes or no.</summary>
/// <remarks>
/// Microsoft.Extensions.AI's <see cref="ToolApprovalRequestContent"/> carries only the call; this also says which agent
/// asks, why, at what risk, and whether the tool's own check escalated it, and its arguments have known secrets
/// redacted. <see cref="ToContent"/> converts it for a front end built on the MEAI type.
/// </remarks>
/// <param name="ApprovalId">An id that holds for the whole run, across handoffs and process restarts.</param>
/// <param name="Agent">The agent that made the call.</param>
/// <param name="CallId">The model's call id.</param>
/// <param name="ToolName">The tool.</param>
/// <param name="ArgumentsJson">The arguments, as JSON, with known secrets redacted.</param>
/// <param name="Risk">The tool's risk.</param>
/// <param name="Reason">Why approval is needed (the autonomy level or the tool's permission).</param>
public sealed record ApprovalRequest(string ApprovalId, string Agent, string CallId, string ToolName, string ArgumentsJson, ToolRisk Risk, string Reason)
{
    /// <summary>
    /// Gets a value indicating whether the tool's own check asked about this call (<see cref="Tool.ApprovalCheck"/>, such
    /// as <c>read_file</c> on a <c>.env</c>): an "always allow" answer for the tool does not cover it, so ask each time.
    /// </summary>
    public bool Escalated { get; init; }

    /// <summary>
    /// Returns this request as Microsoft.Extensions.AI content: its <see cref="InputRequestContent.RequestId"/> is
    /// <see cref="ApprovalId"/>, its call has the redacted arguments, and the agent, reason and risk ride in
    /// <see cref="AIContent.AdditionalProperties"/> (<c>agent</c>, <c>reason</c>, <c>risk</c>, <c>escalated</c>).
    /// Answer it with <see cref="ToolApprovalRequestContent.CreateResponse"/> and <see cref="ApprovalDecision.From"/>.
    /// </summary>
    public ToolApprovalRequestContent ToContent()
    {
        IDictionary<string, object?>? arguments;
        try
        {
            arguments = JsonSerializer.Deserialize(ArgumentsJson, AllosJson.TypeInfo<IDictionary<string, object?>>());
        }
        catch (JsonException)
        {
            arguments = null;
        }

        return new ToolApprovalRequestContent(ApprovalId, new FunctionCallContent(CallId, ToolName, arguments))
        {
            AdditionalProperties = new AdditionalPropertiesDictionary
            {
                ["agent"] = Agent,
                ["reason"] = Reason,
                ["risk"] = Risk.ToString(),
                ["escalated"] = Escalated,
            },
        };
    }
}
