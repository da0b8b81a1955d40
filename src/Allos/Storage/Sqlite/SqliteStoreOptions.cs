namespace Allos.Storage.Sqlite;

/// <summary>Options of <see cref="SqliteStore"/>.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The default file name, used when <see cref="Path"/> names a folder.</summary>
    public const string DefaultFileName = "allos.db";

    /// <summary>
    /// Gets or sets the database file, or an existing folder to hold <see cref="DefaultFileName"/>. Required; the caller
    /// chooses it (the CLI passes the user's Allos data folder). The folder is created if missing.
    /// </summary>
    public string Path { get; set; } = "";

    /// <summary>
    /// Gets or sets how long a writer waits for another connection or process holding the write lock before failing
    /// with "database is locked". Default 5 seconds.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets a value indicating whether session writes also survive power loss and OS crashes
    /// (<c>synchronous=FULL</c>: an fsync per committed turn). Default <see langword="false"/>: <c>synchronous=NORMAL</c>
    /// in WAL mode, where a committed turn survives the process being killed, and power loss can lose the last turns
    /// but never corrupts the file.
    /// </summary>
    public bool DurableAgainstPowerLoss { get; set; }

    /// <summary>Gets or sets the largest number of telemetry rows written in one transaction. Default 256.</summary>
    public int TelemetryBatchSize { get; set; } = 256;

    /// <summary>
    /// Gets or sets how long the telemetry writer waits to gather a fuller batch after writing one that was not full.
    /// Default 200 ms. <see cref="ITelemetryStore.FlushAsync"/> and disposal do not wait for it.
    /// </summary>
    public TimeSpan TelemetryFlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Gets or sets a value indicating whether opening the store marks runs left running by dead processes as incomplete
    /// (see <see cref="ISessionStore.RecoverAsync"/>). Default <see langword="true"/>.
    /// </summary>
    public bool RecoverOnOpen { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether the store only reads: the file is opened read-only, nothing is migrated
    /// or recovered, and every write fails. For reading a database on a read-only disk or folder, or one the process may
    /// not write. Default <see langword="false"/>.
    /// </summary>
    /// <remarks>
    /// Opening fails with <see cref="StoreUnavailableException"/> when the file does not exist or its schema is older
    /// than this version's (upgrading it needs to write). Queued telemetry is never written: do not record into a
    /// read-only store.
    /// </remarks>
    public bool ReadOnly { get; set; }

    /// <summary>Gets or sets the clock. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal string ResolveFilePath()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            throw new ArgumentException($"Set {nameof(SqliteStoreOptions)}.{nameof(Path)} to the database file (or the folder to hold {DefaultFileName}).", nameof(Path));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(TelemetryBatchSize, 1, nameof(TelemetryBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(BusyTimeout, TimeSpan.Zero, nameof(BusyTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(TelemetryFlushInterval, TimeSpan.Zero, nameof(TelemetryFlushInterval));
        return Directory.Exists(Path) ? System.IO.Path.Combine(Path, DefaultFileName) : System.IO.Path.GetFullPath(Path);
    }
}
