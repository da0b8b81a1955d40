using System.Text.Json;
using Allos.Storage;
using Allos.Tools;

namespace Allos.Agents;

/// <summary>The JSON shape of a <see cref="RunState"/>; messages and usage are kept as JSON written by Microsoft.Extensions.AI's serializer.</summary>
internal sealed class RunStateDocument
{
    public int Version { get; set; } = 1;

    public required string RunId { get; set; }

    public required string EntryAgent { get; set; }

    public required string CurrentAgent { get; set; }

    public JsonElement History { get; set; }

    public JsonElement Added { get; set; }

    public List<string> HandoffPath { get; set; } = [];

    public List<ApprovalRequest> Pending { get; set; } = [];

    public List<RunStep> Steps { get; set; } = [];

    public JsonElement Usage { get; set; }

    public int Iterations { get; set; }

    public decimal CostKnownAmount { get; set; }

    public int CostCalls { get; set; }

    public int CostUnknownCalls { get; set; }

    public string LastText { get; set; } = "";

    public AutonomyLevel? Autonomy { get; set; }

    public Dictionary<string, ToolPermission> PermissionOverrides { get; set; } = [];

    public Dictionary<string, bool> StandingDecisions { get; set; } = [];

    public List<ApprovalDecision> Decisions { get; set; } = [];

    public JsonElement? Variables { get; set; }

    public Dictionary<string, string>? Instructions { get; set; }

    /// <summary>The agents' tool names and groups; absent in documents written before they were kept.</summary>
    public Dictionary<string, List<string>>? Tools { get; set; }

    public string? SessionId { get; set; }

    public string? User { get; set; }
}
