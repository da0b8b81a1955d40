namespace Allos.Context;

/// <summary>Sends the history as it is (still measuring it, so <see cref="ContextFit.TokensBefore"/> is known).</summary>
internal sealed class NoContextPolicy(TokenEstimator estimator) : IndexedContextPolicy(estimator)
{
    protected override ValueTask<ContextFit> CompactAsync(Work work, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ContextFit.Unchanged(work.History, work.Total));
}
