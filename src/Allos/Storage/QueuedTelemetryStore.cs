namespace Allos.Storage;

/// <summary>
/// The recording half of a telemetry store, the same for SQLite and PostgreSQL: every record goes to the store's
/// <see cref="TelemetryWriter"/> and never waits; the queries are the store's own.
/// </summary>
internal abstract class QueuedTelemetryStore(TelemetryWriter writer) : ITelemetryStore
{
    public void RecordModelCall(ModelCallRecord call)
    {
        ArgumentNullException.ThrowIfNull(call);
        writer.Enqueue(call);
    }

    public void RecordToolExecution(ToolExecutionRecord execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        writer.Enqueue(execution);
    }

    public void RecordRunSteps(string? sessionId, string runId, IEnumerable<RunStep> steps)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(steps);
        foreach (RunStep step in steps)
        {
            writer.Enqueue(new TelemetryWriter.StepRow(sessionId, runId, step));
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken = default) => writer.FlushAsync(cancellationToken);

    public abstract Task<IReadOnlyList<UsageStats>> StatsAsync(StatsGrouping by, DateTimeOffset? since = null, CancellationToken cancellationToken = default);

    public abstract Task<decimal> SpentAsync(SpendQuery query, CancellationToken cancellationToken = default);

    public abstract Task<IReadOnlyList<ModelCallRecord>> GetModelCallsAsync(ModelCallQuery query, CancellationToken cancellationToken = default);

    public abstract Task<IReadOnlyList<StoredRunStep>> GetRunStepsAsync(string sessionId, CancellationToken cancellationToken = default);

    public abstract Task<CleanupResult> CleanupAsync(DateTimeOffset olderThan, bool keepPinned = true, CancellationToken cancellationToken = default);
}
