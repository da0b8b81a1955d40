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
}
