using System.Text;
using Allos.Cli.Hosting;
using Allos.Context;
using Allos.Models;
using Allos.Storage;
using Microsoft.Extensions.AI;

namespace Allos.Cli.Chat;

/// <summary>
/// <c>/compact</c>: the model summarizes the older turns, and the history becomes that summary plus the last
/// <see cref="KeepTurns"/> turns. The summarizing call goes through the Router, tagged with the session.
/// </summary>
/// <remarks>
/// The model gets a transcript, not the messages themselves, so no provider rejects it for its shape (tool calls without
/// results, images); the transcript keeps the newest messages when it has to be cut.
/// </remarks>
internal sealed class HistoryCompactor(AgentHost host)
{
    public const int KeepTurns = 2;

    public const string SummaryPrefix = "Summary of the earlier conversation (compacted with /compact):\n";

    private const int MaxTranscriptChars = 60_000;
    private const int MaxMessageChars = 4_000;
    private const int MaxSummaryTokens = 1_024;

    /// <summary>Returns the new history, or <see langword="null"/> when there are no more than <see cref="KeepTurns"/> turns.</summary>
    public async Task<Result?> CompactAsync(string sessionId, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        int[] turnStarts = [.. messages.Select((message, index) => (message, index)).Where(m => m.message.Role == ChatRole.User).Select(m => m.index)];
        if (turnStarts.Length <= KeepTurns)
        {
            return null;
        }

        int cut = turnStarts[^KeepTurns];
        string model = host.Model;
        IChatClient client = new SessionChatClient(host.Router.For(model), sessionId);
        ChatMessage[] request =
        [
            new(ChatRole.System, SummarizeOptions.DefaultInstructions),
            new(ChatRole.User, Transcript(messages.Take(cut).ToList())),
        ];
        ChatResponse response = await client.GetResponseAsync(request, new ChatOptions { MaxOutputTokens = MaxSummaryTokens }, cancellationToken);
        string summary = response.Text.Trim();
        if (summary.Length == 0)
        {
            throw new InvalidOperationException("The model returned an empty summary; the history was left as it was.");
        }

        UsageDetails usage = response.Usage ?? new UsageDetails();
        decimal? cost = CostCalculator.Cost(model, usage);
        List<ChatMessage> history = [new ChatMessage(ChatRole.User, SummaryPrefix + summary), .. messages.Skip(cut)];
        var turn = new TurnMetadata
        {
            Model = model,
            InputTokens = usage.InputTokenCount ?? 0,
            OutputTokens = usage.OutputTokenCount ?? 0,
            CachedInputTokens = usage.CachedInputTokenCount ?? 0,
            ReasoningTokens = usage.ReasoningTokenCount ?? 0,
            Cost = cost,
        };
        return new Result(history, turnStarts.Length - KeepTurns, cut, usage, cost, turn) { Summary = SummaryPrefix + summary, Kept = messages.Count - cut };
    }

    internal static string Transcript(IReadOnlyList<ChatMessage> messages)
    {
        var lines = new List<string>();
        int length = 0;
        for (int i = messages.Count - 1; i >= 0 && length < MaxTranscriptChars; i--)
        {
            string line = Describe(messages[i]);
            if (line.Length == 0)
            {
                continue;
            }

            lines.Add(line);
            length += line.Length;
        }

        if (length >= MaxTranscriptChars)
        {
            lines.Add("(earlier messages left out)");
        }

        lines.Reverse();
        return "Conversation to summarize:\n\n" + string.Join("\n\n", lines);
    }

    private static string Describe(ChatMessage message)
    {
        var text = new StringBuilder();
        string role = message.Role.Value;
        foreach (AIContent content in message.Contents)
        {
            string? part = content switch
            {
                TextContent { Text.Length: > 0 } t => $"{role}: {t.Text}",
                FunctionCallContent call => $"{role} called {call.Name}({string.Join(", ", (call.Arguments ?? new Dictionary<string, object?>()).Select(a => $"{a.Key}={a.Value}"))})",
                FunctionResultContent result => $"tool result: {result.Result}",
                DataContent data => $"{role}: [{data.MediaType} attachment]",
                _ => null,
            };
            if (part is not null)
            {
                text.Append(text.Length > 0 ? "\n" : "").Append(Clip(part));
            }
        }

        return text.ToString();
    }

    private static string Clip(string text) => text.Length <= MaxMessageChars ? text : text[..MaxMessageChars] + $"… (+{text.Length - MaxMessageChars} chars)";

    /// <summary>The compacted history, how many turns the summary replaced, and what the summarizing call spent.</summary>
    internal sealed record Result(IReadOnlyList<ChatMessage> History, int SummarizedTurns, int SummarizedMessages, UsageDetails Usage, decimal? Cost, TurnMetadata Turn)
    {
        /// <summary>Gets the summary message's text (the first message of <see cref="History"/>).</summary>
        public required string Summary { get; init; }

        /// <summary>Gets how many of the last messages the history keeps after the summary.</summary>
        public required int Kept { get; init; }
    }
}
