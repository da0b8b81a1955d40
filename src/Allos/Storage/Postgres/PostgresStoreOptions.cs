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

    /// <summary>
    /// Gets or sets how often a gateway instance records in the database that it is alive, while it holds shared limits.
    /// Default 5 seconds.
    /// </summary>
    public TimeSpan InstanceHeartbeat { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets how long an instance may go without a heartbeat before the others reclaim its reservations (charging
    /// each at its estimated maximum cost, and freeing its requests in flight). Default 30 seconds.
    /// </summary>
    public TimeSpan InstanceTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the Redis in front of the shared limits (<c>redis:</c> in <c>allos.yaml</c>), or <see langword="null"/>
    /// (the default) to count them in the database alone. The semantics are the same either way.
    /// </summary>
    public Redis.RedisOptions? Redis { get; set; }

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
        if (Redis is { } redis)
        {
            _ = Storage.Redis.RedisEndpoint.Parse(redis.Url, out _);
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(InstanceHeartbeat, TimeSpan.Zero, nameof(InstanceHeartbeat));
        if (InstanceTimeout <= InstanceHeartbeat)
        {
            throw new ArgumentOutOfRangeException(nameof(InstanceTimeout), InstanceTimeout,
                $"{nameof(InstanceTimeout)} must be longer than {nameof(InstanceHeartbeat)} ({InstanceHeartbeat}), or live instances would lose their reservations.");
        }
    }
}
