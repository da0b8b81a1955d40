using System.Text;
using Allos.Providers;
using Microsoft.Extensions.AI;

namespace Allos.Context;

/// <summary>
/// Writes the summary that replaces old turns. The summarizing model gets a transcript, not the messages themselves, so
/// that no provider can reject it for its shape (dangling tool calls, images, roles), and the transcript is bounded to fit
/// the summarizing model's window: newest messages first, each clipped, older ones left out once it is full.
/// </summary>
internal sealed class HistorySummarizer
{
    /// <summary>The <see cref="ChatMessage.AdditionalProperties"/> key set to <see langword="true"/> on summary messages.</summary>
    public const string SummaryMarker = "allos.context.summary";

    public const string SummaryPrefix = "Summary of the earlier conversation (older turns were compacted to save context):\n";

    // Our estimate is a heuristic; leave a quarter of the summarizer's window as margin for it.
    private const double InputSafety = 0.75;

    private readonly IChatClient _client;
    private readonly SummarizeOptions _options;
    private readonly TokenEstimator _estimator;

    public HistorySummarizer(IChatClient client, SummarizeOptions options, TokenEstimator estimator)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxSummaryTokens, nameof(options.MaxSummaryTokens));
        _client = client;
        _options = options;
        _estimator = estimator;
    }

    public int MaxSummaryTokens => _options.MaxSummaryTokens;

    /// <summary>
    /// Compacts turns [<see cref="HistoryState.SummaryCoversTurns"/>, cut) plus any previous summary into a new summary,
    /// and returns the fitted history; falls back to truncation when summarizing is impossible or fails.
    /// </summary>
    public async ValueTask<ContextFit> CompactAsync(IndexedContextPolicy.Work work, CancellationToken cancellationToken)
    {
        HistoryState state = work.State;
        HistoryIndex index = state.Index;
        ContextBudget budget = work.Budget;
        int turns = index.TurnStarts.Count;

        if (state.Summary is ChatMessage existing && state.SummaryCoversTurns < turns)
        {
            long withSummary = work.TokensKeptFrom(state.SummaryCoversTurns) + state.SummaryTokens;
            if (withSummary <= budget.TriggerTokens)
            {
                return new ContextFit(index.SystemAndTail(work.History, index.TurnStarts[state.SummaryCoversTurns], existing), true, work.Total, withSummary);
            }
        }

        int keepCut = Math.Max(0, turns - budget.KeepLastTurns);
        int cut = work.FirstFitting(keepCut, turns - 1, budget.AvailableInputTokens - MaxSummaryTokens);
        int from = state.Summary is null ? 0 : state.SummaryCoversTurns;
        if (cut <= from || turns < state.SummaryRetryAtTurns)
        {
            return TruncateFallback(work);
        }

        string text;
        try
        {
            text = await SummarizeAsync(work, from, cut, budget, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception)
        {
            // Any failure of the summarizing call (provider error, timeout, bad answer) falls back to truncation:
            // compaction never fails. Do not retry on every call while the summarizer is down.
            state.SummaryRetryAtTurns = turns + budget.KeepLastTurns;
            return TruncateFallback(work);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            state.SummaryRetryAtTurns = turns + budget.KeepLastTurns;
            return TruncateFallback(work);
        }

        var summary = new ChatMessage(ChatRole.User, SummaryPrefix + text.Trim())
        {
            AdditionalProperties = new AdditionalPropertiesDictionary { [SummaryMarker] = true },
        };
        state.Summary = summary;
        state.SummaryCoversTurns = cut;
        state.SummaryTokens = work.Estimator.Estimate(summary);
        return new ContextFit(index.SystemAndTail(work.History, index.TurnStarts[cut], summary), true, work.Total, work.TokensKeptFrom(cut) + state.SummaryTokens);
    }

    private static ContextFit TruncateFallback(IndexedContextPolicy.Work work)
    {
        // Truncation replaces any summary: the turns it covered may be gone from what is sent now.
        work.State.Summary = null;
        work.State.SummaryCoversTurns = 0;
        work.State.SummaryTokens = 0;
        return IndexedContextPolicy.Truncate(work, sliding: false);
    }

    private async Task<string> SummarizeAsync(IndexedContextPolicy.Work work, int fromTurn, int toTurn, ContextBudget budget, CancellationToken cancellationToken)
    {
        long window = _options.ContextWindow ?? budget.ContextWindow;
        long inputTokens = (long)((window - MaxSummaryTokens - _estimator.EstimateText(_options.Instructions) - 64) * InputSafety);
        if (_options.MaxInputTokens is long cap)
        {
            inputTokens = Math.Min(inputTokens, cap);
        }

        if (inputTokens < 64)
        {
            throw new InvalidOperationException("The summarizing model's window is too small for a summary.");
        }

        string transcript = Transcript(work, fromTurn, toTurn, inputTokens * 4);
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, _options.Instructions),
            new(ChatRole.User, transcript),
        };
        var options = new ChatOptions { ModelId = _options.ModelId, MaxOutputTokens = MaxSummaryTokens };
        ChatResponse response = await _client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        return response.Text;
    }

    private string Transcript(IndexedContextPolicy.Work work, int fromTurn, int toTurn, long maxChars)
    {
        HistoryIndex index = work.State.Index;
        int start = index.TurnStarts[fromTurn];
        int end = index.TurnStarts[toTurn];
        int blockLimit = (int)Math.Clamp(maxChars / 8, 500, 20_000);

        long used = 0;
        var builder = new StringBuilder();
        if (work.State.Summary is ChatMessage previous)
        {
            string previousText = Clip(previous.Text.StartsWith(SummaryPrefix, StringComparison.Ordinal) ? previous.Text[SummaryPrefix.Length..] : previous.Text, (int)Math.Min(maxChars / 4, int.MaxValue));
            builder.Append("Previous summary:\n").Append(previousText).Append("\n\n");
            used = builder.Length;
        }

        var blocks = new List<string>();
        int omitted = 0;
        for (int i = end - 1; i >= start; i--)
        {
            ChatMessage message = work.History[i];
            if (message.Role == ChatRole.System)
            {
                continue; // system messages stay in the history; no need to summarize them
            }

            string block = Render(message, blockLimit);
            if (used + block.Length > maxChars)
            {
                omitted = i - start + 1;
                break;
            }

            used += block.Length;
            blocks.Add(block);
        }

        builder.Append("Conversation to summarize:\n");
        if (omitted > 0)
        {
            builder.Append("[… ").Append(omitted).Append(" earlier messages left out …]\n");
        }

        for (int i = blocks.Count - 1; i >= 0; i--)
        {
            builder.Append(blocks[i]);
        }

        return builder.ToString();
    }

    private static string Render(ChatMessage message, int limit)
    {
        var builder = new StringBuilder();
        builder.Append('[').Append(message.Role.Value).Append("] ");
        foreach (AIContent content in message.Contents)
        {
            switch (content)
            {
                case TextContent text:
                    builder.Append(text.Text).Append('\n');
                    break;
                case FunctionCallContent call:
                    builder.Append("(called tool ").Append(call.Name).Append(' ').Append(TokenEstimator.ArgumentsText(call)).Append(")\n");
                    break;
                case FunctionResultContent result:
                    builder.Append("(tool result) ").Append(SafeResult(result)).Append('\n');
                    break;
                case DataContent data:
                    builder.Append("[attached ").Append(data.MediaType).Append("]\n");
                    break;
                case UriContent uri:
                    builder.Append("[attached ").Append(uri.MediaType).Append(' ').Append(uri.Uri).Append("]\n");
                    break;
                default:
                    break; // reasoning and metadata do not need to survive compaction
            }
        }

        return Clip(builder.ToString(), limit) + "\n";
    }

    private static string SafeResult(FunctionResultContent result)
    {
        try
        {
            return WireContent.ResultToText(result);
        }
        catch (Exception)
        {
            return result.Result?.ToString() ?? "";
        }
    }

    /// <summary>Keeps the head and the tail of <paramref name="text"/> within <paramref name="limit"/> characters.</summary>
    internal static string Clip(string text, int limit)
    {
        if (text.Length <= limit)
        {
            return text;
        }

        int omitted = text.Length - limit;
        string marker = $"\n[… {omitted} characters left out …]\n";
        int keep = Math.Max(0, limit - marker.Length);
        int head = keep * 3 / 4;
        return string.Concat(text.AsSpan(0, head), marker, text.AsSpan(text.Length - (keep - head)));
    }
}
