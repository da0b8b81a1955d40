namespace Allos.Context;

/// <summary>Above the trigger, drops the oldest turns until the rest is back under it.</summary>
internal sealed class TruncateOldestPolicy(TokenEstimator? estimator) : IndexedContextPolicy(estimator)
{
    protected override ValueTask<ContextFit> CompactAsync(Work work, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Truncate(work, sliding: false));
}
