using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Allos.Storage;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Agents;

/// <summary>
/// Everything needed to continue a run: the conversation, the agent acting, the calls waiting for approval, the trace
/// so far. Serializable (<see cref="ToJson"/>, <see cref="FromJson"/>) so a paused run can resume in another process.
/// </summary>
public sealed class RunState
{
    private static readonly JsonTypeInfo<IList<ChatMessage>> MessagesType =
        AllosJson.TypeInfo<IList<ChatMessage>>();

    private static readonly JsonTypeInfo<UsageDetails> UsageType =
        AllosJson.TypeInfo<UsageDetails>();

    private static readonly JsonTypeInfo<IDictionary<string, object?>> VariablesType =
        AllosJson.TypeInfo<IDictionary<string, object?>>();

    internal RunState(string runId, string entryAgent)
    {
        RunId = runId;
        EntryAgent = entryAgent;
        CurrentAgent = entryAgent;
        HandoffPath.Add(entryAgent);
    }

    /// <summary>Gets the run's id; approval ids start with it.</summary>
    public string RunId { get; }

    /// <summary>Gets the agent the run started with.</summary>
    public string EntryAgent { get; }

    /// <summary>Gets the agent acting now.</summary>
    public string CurrentAgent { get; internal set; }

    /// <summary>Gets the calls waiting for approval.</summary>
    public IReadOnlyList<ApprovalRequest> PendingApprovals => Pending;

    /// <summary>
    /// Gets the tool names and groups each agent had when the run started, by agent name, so a process that resumes the run
    /// can offer the same tools (start the same MCP servers) before it builds its runner. Empty in a state written by a
    /// version that did not keep them.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> AgentTools => Tools;

    internal Dictionary<string, IReadOnlyList<string>> Tools { get; } = new(StringComparer.Ordinal);

    internal List<ChatMessage> History { get; } = [];

    internal List<ChatMessage> Added { get; } = [];

    internal List<string> HandoffPath { get; } = [];

    internal List<ApprovalRequest> Pending { get; } = [];

    internal List<RunStep> Steps { get; } = [];

    internal UsageDetails Usage { get; set; } = new();

    internal Models.CostTotal Cost { get; set; }

    internal int Iterations { get; set; }

    internal string LastText { get; set; } = "";

    internal AutonomyLevel? Autonomy { get; set; }

    internal Dictionary<string, ToolPermission> PermissionOverrides { get; } = new(StringComparer.Ordinal);

    /// <summary>The run variables (<see cref="RunOptions.Variables"/>), for templated instructions and tools.</summary>
    internal Dictionary<string, object?> Variables { get; } = new(StringComparer.Ordinal);

    /// <summary>The templated instructions as rendered when the run started, by agent; a resume sends the same text.</summary>
    internal Dictionary<string, string> Instructions { get; } = new(StringComparer.Ordinal);

    internal string? SessionId { get; set; }

    internal string? User { get; set; }

    /// <summary>Decisions received for the turn waiting for approval, by approval id.</summary>
    internal Dictionary<string, ApprovalDecision> Decisions { get; } = new(StringComparer.Ordinal);

    /// <summary>"Always" answers given during the run, by tool name: true allows, false denies.</summary>
    internal Dictionary<string, bool> StandingDecisions { get; } = new(StringComparer.Ordinal);

    /// <summary>Serializes the state to JSON (messages at full fidelity: tool calls, results, reasoning).</summary>
    public string ToJson()
    {
        var document = new RunStateDocument
        {
            RunId = RunId,
            EntryAgent = EntryAgent,
            CurrentAgent = CurrentAgent,
            History = JsonSerializer.SerializeToElement<IList<ChatMessage>>(History, MessagesType),
            Added = JsonSerializer.SerializeToElement<IList<ChatMessage>>(Added, MessagesType),
            HandoffPath = HandoffPath,
            Pending = Pending,
            Steps = Steps,
            Usage = JsonSerializer.SerializeToElement(Usage, UsageType),
            Iterations = Iterations,
            CostKnownAmount = Cost.KnownAmount,
            CostCalls = Cost.Calls,
            CostUnknownCalls = Cost.UnknownCalls,
            LastText = LastText,
            Autonomy = Autonomy,
            PermissionOverrides = PermissionOverrides,
            StandingDecisions = StandingDecisions,
            Decisions = [.. Decisions.Values],
            Variables = Variables.Count == 0 ? null : JsonSerializer.SerializeToElement<IDictionary<string, object?>>(Variables, VariablesType),
            Instructions = Instructions.Count == 0 ? null : Instructions,
            Tools = Tools.Count == 0 ? null : Tools.ToDictionary(entry => entry.Key, entry => entry.Value.ToList(), StringComparer.Ordinal),
            SessionId = SessionId,
            User = User,
        };
        return JsonSerializer.Serialize(document, AgentsJsonContext.Default.RunStateDocument);
    }

    /// <summary>Reads a state written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not a run state.</exception>
    public static RunState FromJson(string json)
    {
        RunStateDocument document = JsonSerializer.Deserialize(json, AgentsJsonContext.Default.RunStateDocument)
            ?? throw new JsonException("The run state is empty.");
        var state = new RunState(document.RunId, document.EntryAgent) { CurrentAgent = document.CurrentAgent };
        state.HandoffPath.Clear();
        state.HandoffPath.AddRange(document.HandoffPath);
        state.History.AddRange(JsonSerializer.Deserialize(document.History, MessagesType) ?? []);
        state.Added.AddRange(JsonSerializer.Deserialize(document.Added, MessagesType) ?? []);
        ToolResultMedia.Restore(state.History);
        ToolResultMedia.Restore(state.Added);
        state.Pending.AddRange(document.Pending);
        state.Steps.AddRange(document.Steps);
        state.Usage = JsonSerializer.Deserialize(document.Usage, UsageType) ?? new UsageDetails();
        state.Iterations = document.Iterations;
        state.Cost = new Models.CostTotal(document.CostKnownAmount, document.CostCalls, document.CostUnknownCalls);
        state.LastText = document.LastText;
        state.Autonomy = document.Autonomy;
        state.SessionId = document.SessionId;
        state.User = document.User;
        if (document.Variables is JsonElement variables)
        {
            foreach (KeyValuePair<string, object?> entry in JsonSerializer.Deserialize(variables, VariablesType) ?? new Dictionary<string, object?>())
            {
                state.Variables[entry.Key] = Plain(entry.Value);
            }
        }

        foreach (KeyValuePair<string, string> entry in document.Instructions ?? [])
        {
            state.Instructions[entry.Key] = entry.Value;
        }

        foreach (KeyValuePair<string, List<string>> entry in document.Tools ?? [])
        {
            state.Tools[entry.Key] = entry.Value;
        }

        foreach (KeyValuePair<string, ToolPermission> entry in document.PermissionOverrides)
        {
            state.PermissionOverrides[entry.Key] = entry.Value;
        }

        foreach (ApprovalDecision decision in document.Decisions)
        {
            state.Decisions[decision.ApprovalId] = decision;
        }

        foreach (KeyValuePair<string, bool> entry in document.StandingDecisions)
        {
            state.StandingDecisions[entry.Key] = entry.Value;
        }

        return state;
    }

    /// <summary>A variable read back from JSON as the value it was given as, where JSON can say (text, flags, numbers).</summary>
    private static object? Plain(object? value) => value is not JsonElement element ? value : element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.Number => element.TryGetInt64(out long whole) ? whole : element.GetDouble(),
        _ => element.Clone(),
    };
}
