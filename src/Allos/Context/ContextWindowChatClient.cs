using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

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
/// </remarks>
public sealed class ContextWindowChatClient : DelegatingChatClient
{
    private volatile AnchorRecord? _anchor;

    /// <summary>Initializes a new instance of the <see cref="ContextWindowChatClient"/> class.</summary>
    /// <param name="innerClient">The client that calls the model.</param>
    /// <param name="policy">How to fit the history.</param>
    /// <param name="budget">The model's window and output reserve (from the model catalog), trigger and turns to keep.</param>
    public ContextWindowChatClient(IChatClient innerClient, ContextPolicy policy, ContextBudget budget)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(budget);
        Policy = policy;
        Budget = budget.Estimator is null ? budget with { Estimator = EstimatorOf(innerClient) } : budget;
    }

    /// <summary>Gets the policy applied before each call.</summary>
    public ContextPolicy Policy { get; }

    /// <summary>Gets the budget requests are fitted in (before anchoring and the per-call output reserve), with its <see cref="ContextBudget.Estimator"/> filled in.</summary>
    public ContextBudget Budget { get; }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyList<ChatMessage> history = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        ContextBudget budget = BudgetFor(history, options);
        ContextFit fit = await Policy.FitAsync(history, budget, cancellationToken).ConfigureAwait(false);
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
        ContextBudget budget = BudgetFor(history, options);
        ContextFit fit = await Policy.FitAsync(history, budget, cancellationToken).ConfigureAwait(false);
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

    private ContextBudget BudgetFor(IReadOnlyList<ChatMessage> history, ChatOptions? options)
    {
        UsageAnchor? anchor = _anchor is AnchorRecord record
            && record.Anchor.MessageCount <= history.Count
            && ReferenceEquals(history[record.Anchor.MessageCount - 1], record.LastMessage)
            ? record.Anchor
            : null;

        long reserve = Math.Max(Budget.ReservedOutputTokens, options?.MaxOutputTokens ?? 0);
        if (anchor is null)
        {
            // The provider's report covers instructions and tools; without one, estimate them.
            reserve += OptionsTokens(options);
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

    private static TokenEstimator EstimatorOf(IChatClient client)
    {
        ChatClientMetadata? metadata = client.GetService<ChatClientMetadata>();
        string? model = metadata?.DefaultModelId;
        if (string.IsNullOrWhiteSpace(model))
        {
            return TokenEstimator.ForProvider(metadata?.ProviderName);
        }

        return TokenEstimator.ForModel(metadata?.ProviderName is { Length: > 0 } provider && !model.Contains('/', StringComparison.Ordinal) ? $"{provider}/{model}" : model);
    }

    // Only until the provider's first report anchors the budget, so the cheap estimate is enough here.
    private static long OptionsTokens(ChatOptions? options)
    {
        if (options is null)
        {
            return 0;
        }

        TokenEstimator estimator = TokenEstimator.Default;
        long total = estimator.EstimateText(options.Instructions);
        foreach (AITool tool in options.Tools ?? [])
        {
            total += estimator.EstimateText(tool.Name) + estimator.EstimateText(tool.Description)
                + (tool is AIFunctionDeclaration function ? estimator.EstimateText(function.JsonSchema.GetRawText()) : 0);
        }

        return total;
    }

    private sealed record AnchorRecord(UsageAnchor Anchor, ChatMessage LastMessage);
}
