namespace Allos.Storage;

/// <summary>The <see cref="ITelemetryStore"/> of a <see cref="LazyStore"/>: the first record or query opens the store.</summary>
/// <remarks>Records never block: one that arrives while the file is opening is written once it is open.</remarks>
internal sealed class LazyTelemetryStore(LazyStore store) : ITelemetryStore
{
    public void RecordModelCall(ModelCallRecord call) => store.Post(open => open.Telemetry.RecordModelCall(call));

    public void RecordToolExecution(ToolExecutionRecord execution) => store.Post(open => open.Telemetry.RecordToolExecution(execution));

    public void RecordRunSteps(string? sessionId, string runId, IEnumerable<RunStep> steps)
    {
        // Copied now: the caller may reuse its list before the file is open.
        RunStep[] copy = [.. steps];
        store.Post(open => open.Telemetry.RecordRunSteps(sessionId, runId, copy));
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default) =>
        await (await TelemetryAsync(cancellationToken).ConfigureAwait(false)).FlushAsync(cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<UsageStats>> StatsAsync(StatsGrouping by, DateTimeOffset? since = null, CancellationToken cancellationToken = default) =>
        await (await TelemetryAsync(cancellationToken).ConfigureAwait(false)).StatsAsync(by, since, cancellationToken).ConfigureAwait(false);

    public async Task<decimal> SpentAsync(SpendQuery query, CancellationToken cancellationToken = default) =>
        await (await TelemetryAsync(cancellationToken).ConfigureAwait(false)).SpentAsync(query, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<ModelCallRecord>> GetModelCallsAsync(ModelCallQuery query, CancellationToken cancellationToken = default) =>
        await (await TelemetryAsync(cancellationToken).ConfigureAwait(false)).GetModelCallsAsync(query, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<StoredRunStep>> GetRunStepsAsync(string sessionId, CancellationToken cancellationToken = default) =>
        await (await TelemetryAsync(cancellationToken).ConfigureAwait(false)).GetRunStepsAsync(sessionId, cancellationToken).ConfigureAwait(false);

    public async Task<CleanupResult> CleanupAsync(DateTimeOffset olderThan, bool keepPinned = true, CancellationToken cancellationToken = default) =>
        await (await TelemetryAsync(cancellationToken).ConfigureAwait(false)).CleanupAsync(olderThan, keepPinned, cancellationToken).ConfigureAwait(false);

    private async Task<ITelemetryStore> TelemetryAsync(CancellationToken cancellationToken) =>
        (await store.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Telemetry;
}
