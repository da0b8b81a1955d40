using System.Runtime.CompilerServices;
using Allos.Context;
using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>
/// The estimated input tokens of a request, what budgets and TPM limits reserve before a call, remembered per history list
/// so that each layer of a request, and each later request over the same growing list, estimates only what is new.
/// </summary>
/// <remarks>
/// <para>
/// An agent's history grows by appending to one list (MEAI's <c>FunctionInvokingChatClient</c> does the same). So the
/// estimate of a list is kept beside it (weakly: it dies with the list) with its count and last message; a later call with
/// the same list, at least as long and with the same message at that position, estimates only the messages after it.
/// Two layers of one request (budgets, then rate limits) thus pay for one estimate, and a turn of an agent for its new
/// messages only. A message edited in place is not re-estimated; the figure is an estimate that the provider's reported
/// usage corrects when a call settles.
/// </para>
/// <para>Tools are estimated once per tool object (their schema text does not change). Thread-safe.</para>
/// </remarks>
internal static class InputTokenEstimate
{
    private static readonly ConditionalWeakTable<object, Mark> Histories = new();
    private static readonly ConditionalWeakTable<AITool, StrongBox<long>> Tools = new();

    /// <summary>Returns the estimated input tokens of <paramref name="messages"/> with <paramref name="options"/>'s instructions and tools.</summary>
    public static long Of(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        long tokens = OfMessages(messages);
        if (options?.Instructions is string instructions)
        {
            tokens += TokenEstimator.Default.EstimateText(instructions);
        }

        if (options?.Tools is { Count: > 0 } tools)
        {
            for (int i = 0; i < tools.Count; i++)
            {
                tokens += Tools.GetValue(tools[i], static tool => new StrongBox<long>(OfTool(tool))).Value;
            }
        }

        return tokens;
    }

    private static long OfMessages(IEnumerable<ChatMessage> messages)
    {
        if (messages is not IList<ChatMessage> list)
        {
            return TokenEstimator.Default.Estimate(messages);
        }

        int count = list.Count;
        if (count == 0)
        {
            return 0;
        }

        int start = 0;
        long tokens = 0;
        if (Histories.TryGetValue(list, out Mark? mark) && mark.Count <= count && ReferenceEquals(list[mark.Count - 1], mark.Last))
        {
            if (mark.Count == count)
            {
                return mark.Tokens;
            }

            start = mark.Count;
            tokens = mark.Tokens;
        }

        for (int i = start; i < count; i++)
        {
            tokens += TokenEstimator.Default.Estimate(list[i]);
        }

        Histories.AddOrUpdate(list, new Mark(count, list[count - 1], tokens));
        return tokens;
    }

    private static long OfTool(AITool tool) =>
        TokenEstimator.Default.EstimateText(tool.Name) + TokenEstimator.Default.EstimateText(tool.Description)
        + (tool is AIFunctionDeclaration function ? TokenEstimator.Default.EstimateText(function.JsonSchema.GetRawText()) : 0);

    /// <summary>What was estimated of a list: its first <see cref="Count"/> messages, ending with <see cref="Last"/>, cost <see cref="Tokens"/>.</summary>
    private sealed record Mark(int Count, ChatMessage Last, long Tokens);
}
