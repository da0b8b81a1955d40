namespace Allos.Context;

/// <summary>Above the trigger, compacts old turns into one summary message (truncating if that fails).</summary>
internal sealed class SummarizePolicy(TokenEstimator? estimator, HistorySummarizer summarizer) : IndexedContextPolicy(estimator)
{
    protected override ValueTask<ContextFit> CompactAsync(Work work, CancellationToken cancellationToken) =>
        summarizer.CompactAsync(work, cancellationToken);
}
