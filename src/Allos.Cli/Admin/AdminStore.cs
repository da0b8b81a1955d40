using Allos.Sessions;
using Allos.Storage;
using Allos.Storage.Sqlite;

namespace Allos.Cli.Admin;

/// <summary>The user's store opened for the admin commands (sessions, stats): no model, no Router, no settings needed.</summary>
internal sealed class AdminStore : IAsyncDisposable
{
    private AdminStore(AllosStore store)
    {
        Store = store;
        Sessions = new SessionManager(store.Sessions, store.Telemetry);
    }

    public AllosStore Store { get; }

    public SessionManager Sessions { get; }

    /// <summary>Opens the store to change it (delete, pin, prune): creating and upgrading it as needed.</summary>
    public static async Task<AdminStore> OpenAsync(CancellationToken cancellationToken) =>
        new(await AllosStore.OpenAsync(Settings.CliSettings.StoreSetting(), cancellationToken));

    /// <summary>
    /// Opens the store for the commands that only read (list, show, search, stats): read-only when the file is there with
    /// the current schema, so they work on a read-only data folder; otherwise as <see cref="OpenAsync"/>, which creates or
    /// upgrades it.
    /// </summary>
    public static async Task<AdminStore> OpenForReadingAsync(CancellationToken cancellationToken)
    {
        string? setting = AllosStore.ResolveSetting(Settings.CliSettings.StoreSetting());
        if (setting is not null)
        {
            // PostgreSQL (or a file named in allos.yaml) is opened as any command opens it.
            return await OpenAsync(cancellationToken);
        }

        string file = AllosPaths.DatabasePath;
        if (!File.Exists(file))
        {
            return await OpenAsync(cancellationToken);
        }

        StoreUnavailableException readOnlyError;
        try
        {
            return new(new AllosStore(await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = file, ReadOnly = true }, cancellationToken)));
        }
        catch (StoreUnavailableException ex)
        {
            readOnlyError = ex;
        }

        try
        {
            // An older schema (or a file read-only opening cannot read): opened to write, it is upgraded as any command would.
            return await OpenAsync(cancellationToken);
        }
        catch (StoreUnavailableException ex) when (readOnlyError.InnerException is null && ex.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 8 })
        {
            // Readable but older, and not writable: the upgrade is what cannot be done, so say that rather than "read-only".
            throw new StoreUnavailableException(file,
                $"The session database {file} is from an older Allos and must be upgraded once, which needs write access to it and its folder; here it is read-only.",
                readOnlyError);
        }
    }

    /// <summary>
    /// Gets the session named by a whole id or a unique prefix; otherwise writes the one-line error and returns the exit
    /// code (1 for no such session, 2 for an ambiguous prefix).
    /// </summary>
    public async Task<(SessionRecord? Session, int ExitCode)> FindAsync(CliConsole console, string id, CancellationToken cancellationToken)
    {
        SessionMatch match = await SessionLookup.FindAsync(Store.Sessions, id, cancellationToken);
        if (match.Session is { } session)
        {
            return (session, ExitCodes.Success);
        }

        console.Error.WriteLine($"error: {SessionLookup.NotFound(match, id.Trim())}");
        return (null, match.IsAmbiguous ? ExitCodes.Usage : ExitCodes.Failed);
    }

    public ValueTask DisposeAsync() => Store.DisposeAsync();
}
