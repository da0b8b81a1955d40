using System.Text.Json;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Agents.Turns;

/// <summary>The <c>transfer_to_NAME</c> tools: how they are declared, recognized, limited and carried out.</summary>
internal sealed class Handoffs(AgentRunnerOptions options)
{
    public const string TransferPrefix = "transfer_to_";

    private static readonly JsonElement TransferSchema = JsonDocument.Parse(
        """{"type":"object","properties":{"reason":{"type":"string","description":"Why this agent should take over, in one sentence."}},"required":["reason"]}""").RootElement.Clone();

    public static AIFunctionDeclaration Declaration(AgentDefinition to)
    {
        string description = $"Hand the conversation to the '{to.Name}' agent" + (to.Description is { Length: > 0 } d ? $": {d}" : ".");
        return AIFunctionFactory.CreateDeclaration(TransferPrefix + to.Name, description, TransferSchema);
    }

    /// <summary>Whether <paramref name="call"/> is a handoff <paramref name="agent"/> may make (a tool of that name is not).</summary>
    public static bool IsHandoff(AgentDefinition agent, FunctionCallContent call) =>
        call.Name.StartsWith(TransferPrefix, StringComparison.Ordinal) && agent.Handoffs.Contains(call.Name[TransferPrefix.Length..]);

    /// <summary>The result the model reads for <paramref name="handoff"/>, and the agent that takes over unless the limit is reached.</summary>
    public (ToolCallResult Result, string? Target) Accept(RunState state, FunctionCallContent handoff)
    {
        string target = handoff.Name[TransferPrefix.Length..];
        return state.HandoffPath.Count - 1 >= options.MaxHandoffs
            ? (ToolTurn.Result(handoff, $"Error: the handoff limit ({options.MaxHandoffs}) is reached; answer the user yourself.", ToolCallOutcome.Error), null)
            : (ToolTurn.Result(handoff, $"Transferred to {target}.", ToolCallOutcome.Ok), target);
    }

    /// <summary>Passes the conversation to <paramref name="target"/>, showing it what the history filter lets through.</summary>
    public void Transfer(RunState state, string target)
    {
        state.CurrentAgent = target;
        state.HandoffPath.Add(target);
        IList<ChatMessage> visible = (options.HandoffHistoryFilter ?? DefaultHistoryFilter)(state.History);
        state.History.Clear();
        state.History.AddRange(visible);
    }

    public static string? Reason(FunctionCallContent handoff) =>
        handoff.Arguments?.TryGetValue("reason", out object? reason) == true ? reason?.ToString() : null;

    private static IList<ChatMessage> DefaultHistoryFilter(IReadOnlyList<ChatMessage> history)
    {
        // Signed reasoning is bound to the provider (and model) that produced it; the next agent may use another.
        var filtered = new List<ChatMessage>(history.Count);
        foreach (ChatMessage message in history)
        {
            if (!message.Contents.Any(c => c is TextReasoningContent { ProtectedData: not null }))
            {
                filtered.Add(message);
                continue;
            }

            ChatMessage copy = message.Clone();
            copy.Contents = [.. message.Contents.Where(c => c is not TextReasoningContent)];
            if (copy.Contents.Count > 0)
            {
                filtered.Add(copy);
            }
        }

        return filtered;
    }
}
