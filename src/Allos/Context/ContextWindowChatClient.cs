using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Allos.Context;

/// <summary>
/// Fits every request in the model's window with a <see cref="ContextPolicy"/> before passing it on, and when the
/// provider still answers "context window exceeded", compacts harder and retries once.
/// </summary>
/// <remarks>
/// <para>
/// The budget is anchored on what the provider reported: after a call that sent the history unchanged, its input tokens
/// become the <see cref="ContextBudget.Anchor"/> of the next call on the same history, so only the messages added since
/// are estimated. The call's <see cref="ChatOptions.MaxOutputTokens"/>, when larger than
/// <see cref="ContextBudget.ReservedOutputTokens"/>, is reserved instead; without an anchor the instructions and tool
/// declarations are estimated and reserved too.
/// </para>
/// <para>
/// The retry compacts to half of what was sent, and happens only if that sends less; a stream is retried only when the
/// error came before its first update. The caller's message list is never modified. Thread-safe.
/// </para>
/// <para>
/// Unless the budget names an <see cref="ContextBudget.Estimator"/>, tokens are counted with
/// <see cref="TokenEstimator.ForModel"/> of the model the inner client reports (its <see cref="ChatClientMetadata"/>):
/// exactly for OpenAI's models, estimated for the others.
/// </para>
/// <para>
/// Near the policy's decision point (the history's estimate within <see cref="ExactCountBand"/> of
/// <see cref="ContextBudget.TriggerTokens"/>, either side), when the inner client offers an <see cref="IInputTokenCounter"/>
/// (Anthropic, Gemini), the request is counted exactly once and the policy decides by that count; the count also anchors
/// later calls on the same history, so a retry of the same request is not counted again. A failed count is logged and
/// the estimate decides. Far from the trigger no count is made.
/// </para>
/// </remarks>
public sealed class ContextWindowChatClient : DelegatingChatClient
{
    private readonly IInputTokenCounter? _counter;
    private readonly ILogger _logger;
    private volatile AnchorRecord? _anchor;
    private volatile AnchorRecord? _counted;

    /// <summary>Initializes a new instance of the <see cref="ContextWindowChatClient"/> class.</summary>
    /// <param name="innerClient">The client that calls the model.</param>
    /// <param name="policy">How to fit the history.</param>
    /// <param name="budget">The model's window and output reserve (from the model catalog), trigger and turns to keep.</param>
    /// <param name="logger">Logs failed exact counts; default: none.</param>
    public ContextWindowChatClient(IChatClient innerClient, ContextPolicy policy, ContextBudget budget, ILogger? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(budget);
        Policy = policy;
        Budget = budget.Estimator is null ? budget with { Estimator = ChatClientTokenCountExtensions.EstimatorFor(innerClient) } : budget;
        _counter = innerClient.GetService<IInputTokenCounter>();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the policy applied before each call.</summary>
    public ContextPolicy Policy { get; }

    /// <summary>Gets the budget requests are fitted in (before anchoring and the per-call output reserve), with its <see cref="ContextBudget.Estimator"/> filled in.</summary>
    public ContextBudget Budget { get; }

    /// <summary>
    /// Gets how close to <see cref="ContextBudget.TriggerTokens"/>, as a fraction of it and either side, the estimate must
    /// be for the request to be counted exactly (when the inner client can). Default: 0.1; 0 never counts.
    /// </summary>
    public double ExactCountBand
    {
        get;
        init
        {
            if (!(value is >= 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(ExactCountBand), value, "The exact count band must be in [0, 1].");
            }

            field = value;
        }
    } = 0.1;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyList<ChatMessage> history = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        (ContextBudget budget, ContextFit fit) = await FitAsync(history, options, cancellationToken).ConfigureAwait(false);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(fit.Messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (ContextWindowExceededException) when (!cancellationToken.IsCancellationRequested)
        {
            ContextFit? harder = await CompactHarderAsync(history, budget, fit, cancellationToken).ConfigureAwait(false);
            if (harder is null)
            {
                throw;
            }

            fit = harder;
            response = await base.GetResponseAsync(fit.Messages, options, cancellationToken).ConfigureAwait(false);
        }

        Remember(history, fit, response.Usage?.InputTokenCount);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyList<ChatMessage> history = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        (ContextBudget budget, ContextFit fit) = await FitAsync(history, options, cancellationToken).ConfigureAwait(false);
        IAsyncEnumerator<ChatResponseUpdate> stream = base.GetStreamingResponseAsync(fit.Messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            bool more;
            try
            {
                more = await stream.MoveNextAsync().ConfigureAwait(false);
            }
            catch (ContextWindowExceededException) when (!cancellationToken.IsCancellationRequested)
            {
                // Nothing was yielded yet, so the caller cannot tell the retried stream from the first one.
                ContextFit? harder = await CompactHarderAsync(history, budget, fit, cancellationToken).ConfigureAwait(false);
                if (harder is null)
                {
                    throw;
                }

                await stream.DisposeAsync().ConfigureAwait(false);
                fit = harder;
                stream = base.GetStreamingResponseAsync(fit.Messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
                more = await stream.MoveNextAsync().ConfigureAwait(false);
            }

            long? inputTokens = null;
            while (more)
            {
                ChatResponseUpdate update = stream.Current;
                foreach (AIContent content in update.Contents)
                {
                    if (content is UsageContent usage && usage.Details.InputTokenCount is long input)
                    {
                        inputTokens = input;
                    }
                }

                yield return update;
                more = await stream.MoveNextAsync().ConfigureAwait(false);
            }

            Remember(history, fit, inputTokens);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask<(ContextBudget Budget, ContextFit Fit)> FitAsync(IReadOnlyList<ChatMessage> history, ChatOptions? options, CancellationToken cancellationToken)
    {
        UsageAnchor? anchor = AnchorFor(history);
        ContextBudget budget = BudgetFor(options, anchor);

        // Whether to count is decided on the estimate before the policy runs: fitting first and again after the count
        // would run a summarizing policy's model call on a decision the count may overturn. An anchor covering the whole
        // history is already the provider's figure: nothing to count.
        if (_counter is not null && history.Count > 0 && anchor?.MessageCount != history.Count)
        {
            long estimate = Budget.Estimator!.EstimateRequest(history, budget.Anchor);
            if (NearTrigger(estimate, budget) && await CountAsync(history, options, estimate, cancellationToken).ConfigureAwait(false) is { } counted)
            {
                budget = BudgetFor(options, counted);
            }
        }

        return (budget, await Policy.FitAsync(history, budget, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Counts the request exactly and keeps the count as an anchor; null (logged) when the count failed.</summary>
    private async ValueTask<UsageAnchor?> CountAsync(IReadOnlyList<ChatMessage> history, ChatOptions? options, long estimate, CancellationToken cancellationToken)
    {
        long exact;
        try
        {
            exact = await _counter!.CountInputTokensAsync(history, options, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (AllosException ex)
        {
            _logger.ExactCountFailed(estimate, ex.Message);
            return null;
        }

        _logger.ExactCountUsed(estimate, exact);
        var counted = new UsageAnchor(exact, history.Count);
        _counted = new AnchorRecord(counted, history[^1]);
        return counted;
    }

    private bool NearTrigger(long estimate, ContextBudget budget)
    {
        long band = (long)(budget.TriggerTokens * ExactCountBand);
        return band > 0 && Math.Abs(estimate - budget.TriggerTokens) <= band;
    }

    /// <summary>The latest of the provider's report and the exact count that still describes the start of <paramref name="history"/>.</summary>
    private UsageAnchor? AnchorFor(IReadOnlyList<ChatMessage> history)
    {
        UsageAnchor? reported = Matching(_anchor, history);
        UsageAnchor? counted = Matching(_counted, history);
        return counted is null ? reported
            : reported is null ? counted
            : counted.MessageCount > reported.MessageCount ? counted : reported;

        static UsageAnchor? Matching(AnchorRecord? record, IReadOnlyList<ChatMessage> history) =>
            record is not null
            && record.Anchor.MessageCount <= history.Count
            && ReferenceEquals(history[record.Anchor.MessageCount - 1], record.LastMessage)
                ? record.Anchor
                : null;
    }

    private ContextBudget BudgetFor(ChatOptions? options, UsageAnchor? anchor)
    {
        long reserve = Math.Max(Budget.ReservedOutputTokens, options?.MaxOutputTokens ?? 0);
        if (anchor is null)
        {
            // The provider's report covers instructions and tools; without one, estimate them.
            reserve += ChatClientTokenCountExtensions.OptionsTokens(options);
        }

        reserve = Math.Min(reserve, Budget.ContextWindow - 1);
        return reserve == Budget.ReservedOutputTokens && anchor is null
            ? Budget
            : Budget with { ReservedOutputTokens = reserve, Anchor = anchor };
    }

    private async ValueTask<ContextFit?> CompactHarderAsync(IReadOnlyList<ChatMessage> history, ContextBudget budget, ContextFit sent, CancellationToken cancellationToken)
    {
        // The estimate was wrong (or the window is smaller than configured): aim at half of what was sent.
        long target = Math.Max(1, sent.TokensAfter / 2);
        long window = budget.ReservedOutputTokens + (long)Math.Ceiling(target / budget.TriggerFraction) + 1;
        ContextBudget forced = budget with { ContextWindow = Math.Min(window, budget.ContextWindow) };
        ContextFit harder = await Policy.FitAsync(history, forced, cancellationToken).ConfigureAwait(false);
        bool smaller = harder.TokensAfter < sent.TokensAfter || harder.Messages.Count < sent.Messages.Count;
        return smaller ? harder : null;
    }

    private void Remember(IReadOnlyList<ChatMessage> history, ContextFit fit, long? inputTokens)
    {
        // The report describes what was sent; it anchors the history only when that was the history itself.
        _anchor = !fit.Changed && inputTokens is long input && history.Count > 0
            ? new AnchorRecord(new UsageAnchor(input, history.Count), history[^1])
            : null;
    }

    private sealed record AnchorRecord(UsageAnchor Anchor, ChatMessage LastMessage);
}
