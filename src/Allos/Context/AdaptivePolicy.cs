using Allos.Providers;
using Microsoft.Extensions.AI;

namespace Allos.Context;

/// <summary>Above the trigger: shortens old tool results; if that is not enough, summarizes; truncates as the last resort.</summary>
internal sealed class AdaptivePolicy : IndexedContextPolicy
{
    private readonly HistorySummarizer? _summarizer;
    private readonly int _toolResultTokenLimit;

    public AdaptivePolicy(TokenEstimator? estimator, HistorySummarizer? summarizer, int toolResultTokenLimit)
        : base(estimator)
    {
        _summarizer = summarizer;
        _toolResultTokenLimit = toolResultTokenLimit;
    }

    protected override ValueTask<ContextFit> CompactAsync(Work work, CancellationToken cancellationToken)
    {
        HistoryState state = work.State;
        if (!state.Escalated)
        {
            ShortenOldToolResults(work);
            long after = work.Total - state.ShortenedSavings;
            if (state.Shortened.Count > 0 && after <= work.Budget.TriggerTokens)
            {
                var messages = new List<ChatMessage>(work.History.Count);
                for (int i = 0; i < work.History.Count; i++)
                {
                    messages.Add(state.Shortened.TryGetValue(i, out ChatMessage? shortened) ? shortened : work.History[i]);
                }

                return ValueTask.FromResult(new ContextFit(messages, true, work.Total, after));
            }

            // From here on this history is summarized or truncated; going back to shortening later would reshuffle it.
            state.Escalated = true;
        }

        return _summarizer is null
            ? ValueTask.FromResult(Truncate(work, sliding: false))
            : _summarizer.CompactAsync(work, cancellationToken);
    }

    /// <summary>Shortens the tool results of turns that left the kept window since the last call.</summary>
    private void ShortenOldToolResults(Work work)
    {
        HistoryState state = work.State;
        HistoryIndex index = state.Index;
        int keepCut = Math.Max(0, index.TurnStarts.Count - work.Budget.KeepLastTurns);
        int oldEnd = keepCut == 0 ? 0 : index.TurnStarts[keepCut];
        int limitChars = _toolResultTokenLimit * 4;
        for (int i = state.ShortenedUpTo; i < oldEnd; i++)
        {
            ChatMessage message = work.History[i];
            if (index.TokensOf(i) <= _toolResultTokenLimit || !message.Contents.Any(c => c is FunctionResultContent))
            {
                continue;
            }

            bool changed = false;
            var contents = new List<AIContent>(message.Contents.Count);
            foreach (AIContent content in message.Contents)
            {
                if (content is FunctionResultContent result && work.Estimator.Estimate(result) > _toolResultTokenLimit)
                {
                    string text = HistorySummarizer.Clip(ResultText(result), limitChars);
                    contents.Add(new FunctionResultContent(result.CallId, text) { AdditionalProperties = result.AdditionalProperties });
                    changed = true;
                }
                else
                {
                    contents.Add(content);
                }
            }

            if (changed)
            {
                var shortened = new ChatMessage(message.Role, contents)
                {
                    AuthorName = message.AuthorName,
                    MessageId = message.MessageId,
                    AdditionalProperties = message.AdditionalProperties,
                };
                state.Shortened[i] = shortened;
                state.ShortenedSavings += Math.Max(0, index.TokensOf(i) - work.Estimator.Estimate(shortened));
            }
        }

        state.ShortenedUpTo = Math.Max(state.ShortenedUpTo, oldEnd);
    }

    private static string ResultText(FunctionResultContent result)
    {
        try
        {
            return WireContent.ResultToText(result);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or System.Text.Json.JsonException)
        {
            return result.Result?.ToString() ?? "";
        }
    }
}
