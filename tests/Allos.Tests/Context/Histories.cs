using Microsoft.Extensions.AI;

namespace Allos.Tests.Context;

/// <summary>Builds conversations with tool calls, and checks the invariants every policy must keep.</summary>
internal static class Histories
{
    /// <summary>A system message, then <paramref name="turns"/> turns of: user, assistant tool call, tool result, assistant text.</summary>
    public static List<ChatMessage> WithToolTurns(int turns, int resultChars = 400, int textChars = 200)
    {
        List<ChatMessage> history = [new(ChatRole.System, "You are a helpful assistant.")];
        for (int t = 0; t < turns; t++)
        {
            AddTurn(history, t, resultChars, textChars);
        }

        return history;
    }

    public static void AddTurn(List<ChatMessage> history, int t, int resultChars = 400, int textChars = 200)
    {
        history.Add(new ChatMessage(ChatRole.User, $"question {t} " + new string('q', textChars)));
        history.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call_{t}", "read_file", new Dictionary<string, object?> { ["path"] = $"file{t}.txt" })]));
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent($"call_{t}", $"contents {t} " + new string('r', resultChars))]));
        history.Add(new ChatMessage(ChatRole.Assistant, $"answer {t} " + new string('a', textChars)));
    }

    /// <summary>Every tool call in <paramref name="messages"/> has its result there, and every result its call.</summary>
    public static void ShouldHaveIntactToolPairs(this IReadOnlyList<ChatMessage> messages)
    {
        var calls = messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId).ToHashSet();
        var results = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToHashSet();
        calls.SetEquals(results).ShouldBeTrue($"calls [{string.Join(",", calls)}] vs results [{string.Join(",", results)}]");
        for (int i = 0; i < messages.Count; i++)
        {
            foreach (FunctionResultContent result in messages[i].Contents.OfType<FunctionResultContent>())
            {
                messages.Take(i).SelectMany(m => m.Contents).OfType<FunctionCallContent>().Any(c => c.CallId == result.CallId)
                    .ShouldBeTrue($"result {result.CallId} comes after its call");
            }
        }
    }

    /// <summary>The last <paramref name="turns"/> turns of <paramref name="history"/> end <paramref name="sent"/>, unchanged.</summary>
    public static void ShouldEndWithLastTurns(this IReadOnlyList<ChatMessage> sent, IReadOnlyList<ChatMessage> history, int turns)
    {
        int start = history.Count - (turns * 4);
        List<ChatMessage> tail = [.. history.Skip(start)];
        sent.Skip(sent.Count - tail.Count).ShouldBe(tail);
    }
}
