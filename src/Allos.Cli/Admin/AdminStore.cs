using Allos.Sessions;
using Allos.Storage;
using Allos.Storage.Sqlite;

namespace Allos.Cli.Admin;

/// <summary>The user's store opened for the admin commands (sessions, stats): no model, no Router, no settings needed.</summary>
internal sealed class AdminStore : IAsyncDisposable
{
    private AdminStore(SqliteStore store)
    {
        Store = store;
        Sessions = new SessionManager(store.Sessions, store.Telemetry);
    }

    public SqliteStore Store { get; }

    public SessionManager Sessions { get; }

    public static async Task<AdminStore> OpenAsync(CancellationToken cancellationToken) =>
        new(await SqliteStore.OpenDefaultAsync(cancellationToken));

    /// <summary>Gets a session, or writes the one-line "no session" error and returns <see langword="null"/>.</summary>
    public async Task<SessionRecord?> FindAsync(CliConsole console, string id, CancellationToken cancellationToken)
    {
        SessionRecord? record = string.IsNullOrWhiteSpace(id) ? null : await Store.Sessions.GetAsync(id.Trim(), cancellationToken);
        if (record is null)
        {
            console.Error.WriteLine($"error: no session {id}; `allos sessions list` shows them.");
        }

        return record;
    }

    public ValueTask DisposeAsync() => Store.DisposeAsync();
}
