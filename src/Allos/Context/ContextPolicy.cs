using Microsoft.Extensions.AI;

namespace Allos.Context;

/// <summary>
/// Decides what of a conversation to send so that it fits the model's window. Every built-in policy keeps the system
/// messages and the last <see cref="ContextBudget.KeepLastTurns"/> turns, never separates an assistant's tool calls from
/// their results (it drops or summarizes whole turns: a user message and everything up to the next one), leaves room for
/// the answer, and changes nothing until the history passes <see cref="ContextBudget.TriggerTokens"/>.
/// </summary>
/// <remarks>
/// Built-in policies never mutate the history they are given. They keep a little state per history list (keyed on the
/// list instance, held weakly) so that a call on a history that only grew costs what was added: pass the same list,
/// appended to, on every call, and a new list after editing or removing messages. They are thread-safe.
/// </remarks>
/// <example>
/// <code>
/// ContextPolicy policy = ContextPolicy.TruncateOldest();
/// ContextFit fit = await policy.FitAsync(history, new ContextBudget(128_000, reservedOutputTokens: 4_096));
/// ChatResponse reply = await chat.GetResponseAsync(fit.Messages);
/// </code>
/// </example>
public abstract class ContextPolicy
{
    /// <summary>Gets a policy that sends the history as it is (its token figures are the character estimate, whatever the budget's estimator: it never needs exact ones).</summary>
    public static ContextPolicy None { get; } = new NoContextPolicy(TokenEstimator.Default);

    /// <summary>
    /// Fits <paramref name="history"/> in <paramref name="budget"/>.
    /// </summary>
    /// <param name="history">The whole conversation, oldest first. Not modified.</param>
    /// <param name="budget">The window, the output reserve, the trigger and the turns to keep.</param>
    /// <param name="cancellationToken">Cancels the work (a summarizing call, for instance).</param>
    /// <returns>The messages to send, whether anything changed, and the estimated tokens before and after.</returns>
    public abstract ValueTask<ContextFit> FitAsync(IReadOnlyList<ChatMessage> history, ContextBudget budget, CancellationToken cancellationToken = default);

    /// <summary>A policy that, above the trigger, keeps only the system messages and the last <see cref="ContextBudget.KeepLastTurns"/> turns (fewer if even those do not fit).</summary>
    /// <param name="estimator">Counts tokens; default: the budget's <see cref="ContextBudget.Estimator"/>, else <see cref="TokenEstimator.Default"/>.</param>
    public static ContextPolicy SlidingWindow(TokenEstimator? estimator = null) => new SlidingWindowPolicy(estimator);

    /// <summary>A policy that, above the trigger, drops the oldest turns until the history is back under it (never the last <see cref="ContextBudget.KeepLastTurns"/> turns while they fit).</summary>
    /// <param name="estimator">Counts tokens; default: the budget's <see cref="ContextBudget.Estimator"/>, else <see cref="TokenEstimator.Default"/>.</param>
    public static ContextPolicy TruncateOldest(TokenEstimator? estimator = null) => new TruncateOldestPolicy(estimator);

    /// <summary>
    /// A policy that, above the trigger, has <paramref name="summarizer"/> compact every turn but the last
    /// <see cref="ContextBudget.KeepLastTurns"/> into one summary message, and reuses that summary (extending it when the
    /// history grows past the trigger again). The summarizing call gets a bounded slice of the history that fits its own
    /// window; if it fails for any reason, the policy truncates instead, so compaction itself never fails.
    /// </summary>
    /// <param name="summarizer">The client that writes summaries (a small, cheap model is usually enough).</param>
    /// <param name="options">The summarizing model, its window and the summary's size; default: <see cref="SummarizeOptions"/> defaults.</param>
    /// <param name="estimator">Counts tokens; default: the budget's <see cref="ContextBudget.Estimator"/>, else <see cref="TokenEstimator.Default"/>.</param>
    public static ContextPolicy Summarize(IChatClient summarizer, SummarizeOptions? options = null, TokenEstimator? estimator = null)
    {
        ArgumentNullException.ThrowIfNull(summarizer);
        return new SummarizePolicy(estimator, new HistorySummarizer(summarizer, options ?? new SummarizeOptions(), estimator ?? TokenEstimator.Default));
    }

    /// <summary>
    /// A policy that, above the trigger, first shortens long tool results outside the last
    /// <see cref="ContextBudget.KeepLastTurns"/> turns; if that is not enough, summarizes (when <paramref name="summarizer"/>
    /// is given) as <see cref="Summarize"/> does; and truncates as the last resort. Once it has had to summarize or truncate
    /// on a history, it keeps doing so for that history rather than switching back.
    /// </summary>
    /// <param name="summarizer">The client that writes summaries, or <see langword="null"/> to go straight from shortening to truncation.</param>
    /// <param name="options">Summarizing options; default: <see cref="SummarizeOptions"/> defaults.</param>
    /// <param name="toolResultTokenLimit">The size, in estimated tokens, above which an old tool result is shortened. Default: 500.</param>
    /// <param name="estimator">Counts tokens; default: the budget's <see cref="ContextBudget.Estimator"/>, else <see cref="TokenEstimator.Default"/>.</param>
    public static ContextPolicy Adaptive(IChatClient? summarizer = null, SummarizeOptions? options = null, int toolResultTokenLimit = 500, TokenEstimator? estimator = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(toolResultTokenLimit);
        HistorySummarizer? summarizing = summarizer is null ? null : new HistorySummarizer(summarizer, options ?? new SummarizeOptions(), estimator ?? TokenEstimator.Default);
        return new AdaptivePolicy(estimator, summarizing, toolResultTokenLimit);
    }
}
