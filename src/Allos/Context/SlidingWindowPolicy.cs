namespace Allos.Context;

/// <summary>Above the trigger, keeps the system messages and the last N turns.</summary>
internal sealed class SlidingWindowPolicy(TokenEstimator? estimator) : IndexedContextPolicy(estimator)
{
    protected override ValueTask<ContextFit> CompactAsync(Work work, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Truncate(work, sliding: true));
}
