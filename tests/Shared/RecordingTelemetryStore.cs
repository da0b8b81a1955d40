using Allos.Agents;
using Allos.Storage;

namespace Allos.Tests.Shared;

/// <summary>An in-memory telemetry store that keeps the model calls recorded, for layers' tests; spending starts at zero.</summary>
internal sealed class RecordingTelemetryStore : ITelemetryStore
{
    private readonly Lock _lock = new();
    private readonly List<ModelCallRecord> _calls = [];

    public IReadOnlyList<ModelCallRecord> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    public void RecordModelCall(ModelCallRecord call)
    {
        lock (_lock)
        {
            _calls.Add(call);
        }
    }

    public void RecordToolExecution(ToolExecutionRecord execution)
    {
    }

    public void RecordRunSteps(string? sessionId, string runId, IEnumerable<RunStep> steps)
    {
    }

    public Task FlushAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<UsageStats>> StatsAsync(StatsGrouping by, DateTimeOffset? since = null, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<UsageStats>>([]);

    public Task<decimal> SpentAsync(SpendQuery query, CancellationToken cancellationToken = default) => Task.FromResult(0m);

    public Task<IReadOnlyList<ModelCallRecord>> GetModelCallsAsync(ModelCallQuery query, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ModelCallRecord>>([.. Calls.Reverse().Take(query.Limit)]);

    public Task<IReadOnlyList<StoredRunStep>> GetRunStepsAsync(string sessionId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<StoredRunStep>>([]);

    public Task<CleanupResult> CleanupAsync(DateTimeOffset olderThan, bool keepPinned = true, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The recording store keeps everything.");
}
