using Microsoft.Data.Sqlite;

namespace Allos.Storage.Sqlite;

/// <summary>
/// The embedded store: sessions and telemetry in one SQLite file, in WAL mode, with versioned migrations.
/// </summary>
/// <remarks>
/// <para>
/// Open with <see cref="OpenAsync(SqliteStoreOptions, CancellationToken)"/>; dispose to write the telemetry still queued. Thread-safe; several processes may
/// share the file (each write is a short transaction, and a writer waits up to <see cref="SqliteStoreOptions.BusyTimeout"/>
/// for the lock).
/// </para>
/// <para>
/// Durability: a turn appended with <see cref="ISessionStore.AppendMessagesAsync"/> is committed before the call returns.
/// In WAL mode with <c>synchronous=NORMAL</c> (the default) the commit is in the WAL file and survives the process being
/// killed; only an OS crash or power loss can lose the last commits (never corrupting the file). Set
/// <see cref="SqliteStoreOptions.DurableAgainstPowerLoss"/> for <c>synchronous=FULL</c> on session writes.
/// </para>
/// </remarks>
public sealed class SqliteStore : IAsyncDisposable
{
    private readonly SqliteDatabase _database;
    private readonly TelemetryWriter _writer;

    private SqliteStore(SqliteDatabase database, SqliteStoreOptions options)
    {
        _database = database;
        _writer = new TelemetryWriter(options.TelemetryBatchSize, options.TelemetryFlushInterval, new SqliteTelemetryBatch(database).WriteAsync, static e => e is SqliteException);
        Sessions = new SqliteSessionStore(database);
        Telemetry = new SqliteTelemetryStore(database, _writer);
        Keys = new SqliteKeyStore(database);
    }

    /// <summary>Gets the session store.</summary>
    public ISessionStore Sessions { get; }

    /// <summary>Gets the telemetry store.</summary>
    public ITelemetryStore Telemetry { get; }

    /// <summary>Gets the gateway's virtual key store.</summary>
    public IKeyStore Keys { get; }

    /// <summary>Gets the database file's full path.</summary>
    public string FilePath => _database.FilePath;

    /// <summary>
    /// Opens (or creates) the database: applies missing migrations and, unless turned off, marks runs left running by
    /// dead processes as incomplete. Opening an up-to-date file again changes nothing.
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="SqliteStoreOptions.Path"/> is not set.</exception>
    public static Task<SqliteStore> OpenAsync(SqliteStoreOptions options, CancellationToken cancellationToken = default) =>
        OpenAsync(options, SqliteMigrations.All, cancellationToken);

    /// <summary>Opens a store at <paramref name="path"/> with default options.</summary>
    public static Task<SqliteStore> OpenAsync(string path, CancellationToken cancellationToken = default) =>
        OpenAsync(new SqliteStoreOptions { Path = path }, cancellationToken);

    /// <summary>Opens (creating if needed) the user's default store, <see cref="AllosPaths.DatabasePath"/>.</summary>
    public static Task<SqliteStore> OpenDefaultAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(AllosPaths.DataDirectory);
        return OpenAsync(AllosPaths.DatabasePath, cancellationToken);
    }

    internal static async Task<SqliteStore> OpenAsync(SqliteStoreOptions options, IReadOnlyList<SqliteMigration> migrations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        string file = options.ResolveFilePath();
        if (options.ReadOnly)
        {
            return await OpenReadOnlyAsync(options, file, migrations.Max(m => m.Version), cancellationToken).ConfigureAwait(false);
        }

        SqliteDatabase? database = null;
        try
        {
            if (System.IO.Path.GetDirectoryName(file) is { Length: > 0 } folder)
            {
                Directory.CreateDirectory(folder);
            }

            database = new SqliteDatabase(file, options);
            using (SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false))
            {
                await SqliteMigrations.ApplyAsync(connection, migrations, database.NowMs, cancellationToken).ConfigureAwait(false);
            }

            var store = new SqliteStore(database, options);
            if (options.RecoverOnOpen)
            {
                await store.Sessions.RecoverAsync(cancellationToken).ConfigureAwait(false);
            }

            return store;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            database?.ClearPool();
            throw Unavailable(file, ex);
        }
    }

    private static async Task<SqliteStore> OpenReadOnlyAsync(SqliteStoreOptions options, string file, int latest, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            throw new StoreUnavailableException(file, $"The session database {file} does not exist, and the store was opened read-only.");
        }

        // A WAL file is read through its -shm index, which a read-only folder cannot hold; without a -wal file beside it
        // (the last writer closed cleanly) the main file is complete and may be read as immutable instead.
        bool immutable = false;
        while (true)
        {
            var database = new SqliteDatabase(file, options, immutable);
            long version;
            try
            {
                using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
                version = await SqliteMigrations.VersionAsync(connection, cancellationToken).ConfigureAwait(false);
            }
            catch (SqliteException ex) when (!immutable && ex.SqliteErrorCode is 14 or 8 && !File.Exists(file + "-wal"))
            {
                database.ClearPool();
                immutable = true;
                continue;
            }
            catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
            {
                database.ClearPool();
                throw Unavailable(file, ex);
            }

            if (version < latest)
            {
                database.ClearPool();
                throw new StoreUnavailableException(file,
                    $"The session database {file} was written by an older Allos (schema {version}, this one needs {latest}); upgrading it needs to write, and it was opened read-only.");
            }

            return new SqliteStore(database, options);
        }
    }

    /// <summary>Says what is wrong with the file in terms a user can act on; nothing is changed or deleted.</summary>
    internal static StoreUnavailableException Unavailable(string file, Exception ex)
    {
        string reason = ex is SqliteException sqlite
            ? sqlite.SqliteErrorCode switch
            {
                11 or 26 => "is not a readable Allos database (it is corrupt, or another program's file); it was left as it is. Move it away to start a new one",
                8 => "is read-only, and opening it needs to write (migrations, recovery)",
                5 or 6 => "is locked by another process",
                14 => "cannot be opened (its folder is missing or not writable)",
                _ => $"cannot be used (SQLite error {sqlite.SqliteErrorCode})",
            }
            : $"cannot be opened ({ex.Message})";
        return new StoreUnavailableException(file, $"The session database {file} {reason}.", ex);
    }

    /// <summary>Writes the queued telemetry, then releases the file's pooled connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);
        _database.ClearPool();
    }
}
