namespace Allos.Agents;

/// <summary>Asks the user about a tool call (the CLI prompts); return the decision for <see cref="ApprovalRequest.ApprovalId"/>.</summary>
public delegate ValueTask<ApprovalDecision> ApprovalHandler(ApprovalRequest request, CancellationToken cancellationToken);
