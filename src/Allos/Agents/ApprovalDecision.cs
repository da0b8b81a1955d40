using Microsoft.Extensions.AI;

namespace Allos.Agents;

/// <summary>The user's answer to an <see cref="ApprovalRequest"/>.</summary>
/// <param name="ApprovalId">The request's id.</param>
/// <param name="Approved">Whether the call may run.</param>
/// <param name="AlwaysForTool">Apply the same answer to every later call of this tool in the run, without asking.</param>
/// <param name="Reason">Why it was denied; the model reads it.</param>
public sealed record ApprovalDecision(string ApprovalId, bool Approved, bool AlwaysForTool = false, string? Reason = null)
{
    /// <summary>Approves one call (or, with <paramref name="always"/>, this tool for the rest of the run).</summary>
    public static ApprovalDecision Approve(string approvalId, bool always = false) => new(approvalId, true, always);

    /// <summary>Denies one call (or, with <paramref name="always"/>, this tool for the rest of the run).</summary>
    public static ApprovalDecision Deny(string approvalId, bool always = false, string? reason = null) => new(approvalId, false, always, reason);

    /// <summary>
    /// Reads Microsoft.Extensions.AI's answer to a request made with <see cref="ApprovalRequest.ToContent"/>: the same id,
    /// approval and reason; MEAI has no "always", so it applies to this call only.
    /// </summary>
    public static ApprovalDecision From(ToolApprovalResponseContent response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new(response.RequestId, response.Approved, AlwaysForTool: false, response.Reason);
    }
}
