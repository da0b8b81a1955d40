namespace Allos.IntegrationTests.Storage.Contract;

/// <summary>The options every store has, set by contract tests whichever store is under test.</summary>
public sealed class StoreSettings
{
    public TimeSpan? TelemetryFlushInterval { get; set; }

    public int? TelemetryBatchSize { get; set; }

    public TimeProvider? TimeProvider { get; set; }
}
