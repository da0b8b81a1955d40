namespace Allos.Storage.Postgres;

/// <summary>Options of <see cref="PostgresStore"/>.</summary>
public sealed class PostgresStoreOptions
{
    /// <summary>
    /// Gets or sets the server to use: a <c>postgres://user:password@host:port/database</c> URL or an Npgsql connection
    /// string (<c>Host=…;Database=…</c>). Required. Pool settings (<c>Maximum Pool Size</c>, <c>Minimum Pool Size</c>,
    /// <c>Connection Idle Lifetime</c>, …) are taken from it, or from the URL's query (<c>?maximum_pool_size=50</c>).
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Gets or sets the largest number of telemetry rows written in one transaction. Default 256.</summary>
    public int TelemetryBatchSize { get; set; } = 256;

    /// <summary>
    /// Gets or sets how long the telemetry writer waits to gather a fuller batch after writing one that was not full.
    /// Default 200 ms. <see cref="ITelemetryStore.FlushAsync"/> and disposal do not wait for it.
    /// </summary>
    public TimeSpan TelemetryFlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Gets or sets a value indicating whether opening the store marks runs left running by dead processes of this host
    /// as incomplete (see <see cref="ISessionStore.RecoverAsync"/>). Default <see langword="true"/>.
    /// </summary>
    public bool RecoverOnOpen { get; set; } = true;

    /// <summary>Gets or sets the clock. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException(
                $"Set {nameof(PostgresStoreOptions)}.{nameof(ConnectionString)} to a postgres://user:password@host:port/database URL or a Host=…;Database=… connection string.",
                nameof(ConnectionString));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(TelemetryBatchSize, 1, nameof(TelemetryBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(TelemetryFlushInterval, TimeSpan.Zero, nameof(TelemetryFlushInterval));
    }
}
