using Allos.Providers;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Agents.Turns;

/// <summary>
/// Decides, call by call, whether a tool runs, is denied, or asks the user first: from the run's, the agent's and the
/// tool's permissions, the autonomy level, the tool's own per-call check and the "always" answers given so far.
/// </summary>
internal sealed class ApprovalPolicy(AgentRunnerOptions options, Lazy<Workspace> workspace)
{
    /// <summary>
    /// Judges one call of a known tool: <see langword="null"/> for both when it may run; a denial result; or the approval
    /// request to ask.
    /// </summary>
    public (ToolCallResult? Denied, ApprovalRequest? Ask) Judge(RunState state, AgentDefinition agent, AutonomyLevel autonomy, Tool tool, FunctionCallContent call)
    {
        ToolPermission permission = EffectivePermission(state, agent, tool);
        if (permission == ToolPermission.Deny)
        {
            return (ToolExecutor.Denied(call, "policy (the tool's permission is deny)"), null);
        }

        // A tool's own check may escalate one call (read_file on a .env); only an explicit allow lets it through.
        string? escalation = ExplicitPermission(state, agent, tool) == ToolPermission.Allow ? null : Escalation(tool, call);
        bool asks = autonomy switch
        {
            AutonomyLevel.Manual => true,
            AutonomyLevel.Autonomous => escalation is not null,
            _ => permission == ToolPermission.Ask || escalation is not null,
        };

        if (asks && state.StandingDecisions.TryGetValue(tool.Name, out bool standing))
        {
            if (!standing)
            {
                return (ToolExecutor.Denied(call, "the user (always deny for this tool)"), null);
            }

            // "Always allow" was given for the tool's ordinary calls; an escalated one is asked about on its own.
            asks = escalation is not null;
        }

        if (!asks)
        {
            return (null, null);
        }

        string reason = escalation ?? (autonomy == AutonomyLevel.Manual ? "manual autonomy: every call is approved" : $"'{tool.Name}' {RiskText(tool.Risk)}");

        // An MCP tool's Allos name may be sanitized or shortened, and its risk is only what the server claims: the user is
        // told which server and tool really run instead.
        if (Mcp.McpToolFunction.Origin(tool) is { } origin)
        {
            reason = escalation is null && autonomy != AutonomyLevel.Manual ? $"'{tool.Name}' asks first: {origin}" : $"{reason}; {origin}";
        }

        var request = new ApprovalRequest($"{state.RunId}/{call.CallId}", agent.Name, call.CallId, tool.Name, RunTrace.ArgumentsJson(call), tool.Risk, reason)
        {
            Escalated = escalation is not null,
        };
        return (null, request);
    }

    /// <summary>Records an "always" answer, so later calls of the tool in this run are not asked about.</summary>
    public static void Remember(RunState state, ApprovalRequest request, ApprovalDecision decision)
    {
        if (decision.AlwaysForTool)
        {
            state.StandingDecisions[request.ToolName] = decision.Approved;
        }
    }

    private ToolPermission EffectivePermission(RunState state, AgentDefinition agent, Tool tool) =>
        ExplicitPermission(state, agent, tool)
        ?? tool.Permission
        ?? (tool.Risk >= options.ApprovalThreshold ? ToolPermission.Ask : ToolPermission.Allow);

    private static ToolPermission? ExplicitPermission(RunState state, AgentDefinition agent, Tool tool) =>
        state.PermissionOverrides.TryGetValue(tool.Name, out ToolPermission run) ? run
        : agent.ToolPermissions.TryGetValue(tool.Name, out ToolPermission own) ? own
        : null;

    /// <summary>Why the tool's own check wants this call approved, or <see langword="null"/>; a check that fails asks, to be safe.</summary>
    private string? Escalation(Tool tool, FunctionCallContent call)
    {
        if (tool.ApprovalCheck is not { } check || call.Exception is not null)
        {
            return null;
        }

        try
        {
            return check(new ToolApprovalContext { ToolName = tool.Name, Arguments = WireContent.ArgumentsToElement(call.Arguments), Workspace = workspace.Value });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"'{tool.Name}' could not tell whether this call is safe to run without asking";
        }
    }

    private static string RiskText(ToolRisk risk) => risk switch
    {
        ToolRisk.Writes => "writes files",
        ToolRisk.Executes => "runs commands",
        ToolRisk.Network => "reaches the network",
        _ => "needs approval",
    };
}
