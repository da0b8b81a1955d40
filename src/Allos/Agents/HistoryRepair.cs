using Microsoft.Extensions.AI;

namespace Allos.Agents;

/// <summary>
/// Makes a conversation valid for every provider before a model call: each tool call is followed by its result
/// (a missing one, say after a crash or a cancelled tool, gets an error result) and a result without its call is dropped.
/// So a broken history can never brick a session.
/// </summary>
internal static class HistoryRepair
{
    public const string MissingResultText = "Error: this tool call did not complete (the run was interrupted). Call it again if it is still needed.";

    /// <summary>Repairs <paramref name="history"/> in place; returns how many messages it changed.</summary>
    public static int Repair(List<ChatMessage> history)
    {
        int changes = 0;
        var pending = new List<FunctionCallContent>();
        var result = new List<ChatMessage>(history.Count);
        foreach (ChatMessage message in history)
        {
            bool isResults = message.Contents.Count > 0 && message.Contents.All(c => c is FunctionResultContent);
            if (isResults)
            {
                var kept = message.Contents.Where(c => c is FunctionResultContent r && pending.Exists(p => p.CallId == r.CallId)).ToList();
                foreach (FunctionResultContent r in kept.Cast<FunctionResultContent>())
                {
                    pending.RemoveAll(p => p.CallId == r.CallId);
                }

                if (kept.Count != message.Contents.Count)
                {
                    changes++;
                }

                if (kept.Count > 0)
                {
                    result.Add(kept.Count == message.Contents.Count ? message : new ChatMessage(message.Role, kept) { MessageId = message.MessageId });
                }

                continue;
            }

            if (pending.Count > 0)
            {
                result.Add(MissingResults(pending));
                pending.Clear();
                changes++;
            }

            // Results mixed into other messages are dropped when their call is unknown.
            if (message.Contents.Any(c => c is FunctionResultContent))
            {
                message.Contents = [.. message.Contents.Where(c => c is not FunctionResultContent)];
                changes++;
                if (message.Contents.Count == 0)
                {
                    continue;
                }
            }

            result.Add(message);
            if (message.Role == ChatRole.Assistant)
            {
                pending.AddRange(message.Contents.OfType<FunctionCallContent>());
            }
        }

        if (pending.Count > 0)
        {
            result.Add(MissingResults(pending));
            changes++;
        }

        if (changes > 0)
        {
            history.Clear();
            history.AddRange(result);
        }

        return changes;
    }

    private static ChatMessage MissingResults(List<FunctionCallContent> calls) =>
        new(ChatRole.Tool, [.. calls.Select(c => (AIContent)new FunctionResultContent(c.CallId, MissingResultText))]);
}
