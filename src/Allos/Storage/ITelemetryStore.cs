namespace Allos.Storage;

/// <summary>
/// Records what happened (model calls, tool executions, run steps) off the request path, and answers usage questions.
/// </summary>
/// <remarks>
/// The <c>Record</c> methods only enqueue: they never wait for storage, and rows are written in batches in the
/// background. Call <see cref="FlushAsync"/> to wait until everything recorded so far is written. Safe to use from
/// several threads.
/// </remarks>
public interface ITelemetryStore
{
    /// <summary>Enqueues a model call.</summary>
    void RecordModelCall(ModelCallRecord call);

    /// <summary>Enqueues a tool execution.</summary>
    void RecordToolExecution(ToolExecutionRecord execution);

    /// <summary>Enqueues a run's steps (its trace).</summary>
    void RecordRunSteps(string? sessionId, string runId, IEnumerable<RunStep> steps);

    /// <summary>Waits until everything enqueued before the call is written.</summary>
    /// <exception cref="Exception">The background writer failed to write a batch; the error is the writer's.</exception>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Totals calls, tokens, cost, cache hits, retries and fallbacks of model calls, grouped, optionally since a time;
    /// largest cost first. Reads only what is written: call <see cref="FlushAsync"/> first to include queued calls.
    /// </summary>
    Task<IReadOnlyList<UsageStats>> StatsAsync(StatsGrouping by, DateTimeOffset? since = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sums the cost of the model calls that started at or after <see cref="SpendQuery.Since"/> and match every filter of
    /// <paramref name="query"/>, including calls recorded but not yet written: it flushes first, like <see cref="FlushAsync"/>.
    /// </summary>
    /// <remarks>
    /// Calls of unknown cost and cache hits add nothing. Meant for seeding budget counters (on start, or the first time a
    /// key is seen), not for every request: the flush waits for the background writer.
    /// </remarks>
    /// <returns>The sum in US dollars, exact; 0 when no call matches.</returns>
    /// <exception cref="Exception">The background writer failed to write a batch; the error is the writer's.</exception>
    Task<decimal> SpentAsync(SpendQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets the model calls matching <paramref name="query"/>, newest first, at most <see cref="ModelCallQuery.Limit"/>: the
    /// spend log the gateway's <c>/spend/logs</c> reports. Includes calls recorded but not yet written: it flushes first.
    /// </summary>
    /// <remarks>Meant for reports, not for every request: the flush waits for the background writer.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="ModelCallQuery.Limit"/> is below 1.</exception>
    /// <exception cref="Exception">The background writer failed to write a batch; the error is the writer's.</exception>
    Task<IReadOnlyList<ModelCallRecord>> GetModelCallsAsync(ModelCallQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets a session's recorded run steps (its reasoning trace), oldest first. Reads only what is written: call
    /// <see cref="FlushAsync"/> first to include queued steps.
    /// </summary>
    /// <returns>The steps; empty when the session has none or does not exist.</returns>
    Task<IReadOnlyList<StoredRunStep>> GetRunStepsAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes sessions not updated since <paramref name="olderThan"/> and telemetry rows older than it; pinned sessions
    /// and their rows are kept when <paramref name="keepPinned"/> is <see langword="true"/>.
    /// </summary>
    Task<CleanupResult> CleanupAsync(DateTimeOffset olderThan, bool keepPinned = true, CancellationToken cancellationToken = default);
}
