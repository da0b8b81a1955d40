using Allos.Storage.Postgres;
using Allos.Storage.Sqlite;

namespace Allos.Storage;

/// <summary>
/// An open store of either kind: the embedded SQLite file (the default) or a shared PostgreSQL database, chosen by the
/// <c>store:</c> setting of <c>allos.yaml</c> or the <see cref="DatabaseUrlVariable"/> environment variable.
/// </summary>
/// <remarks>Thread-safe. Dispose to write the queued telemetry and release the file or the connection pool.</remarks>
public sealed class AllosStore : IAsyncDisposable
{
    /// <summary>The environment variable that chooses the store; it overrides <c>store:</c> in <c>allos.yaml</c>.</summary>
    public const string DatabaseUrlVariable = "ALLOS_DATABASE_URL";

    private readonly IAsyncDisposable _store;

    /// <summary>Wraps an open SQLite store.</summary>
    public AllosStore(SqliteStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        Sessions = store.Sessions;
        Telemetry = store.Telemetry;
        Keys = store.Keys;
        Location = store.FilePath;
    }

    /// <summary>Wraps an open PostgreSQL store.</summary>
    public AllosStore(PostgresStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        Sessions = store.Sessions;
        Telemetry = store.Telemetry;
        Keys = store.Keys;
        Location = "PostgreSQL " + store.Server;
        IsPostgres = true;
        Changes = store.Changes;
        SharedCooldowns = store.Cooldowns;
    }

    /// <summary>Gets the session store.</summary>
    public ISessionStore Sessions { get; }

    /// <summary>Gets the telemetry store.</summary>
    public ITelemetryStore Telemetry { get; }

    /// <summary>Gets the gateway's virtual key store.</summary>
    public IKeyStore Keys { get; }

    /// <summary>Gets where the data is, for messages: the SQLite file's path, or "PostgreSQL host:port/database" (never a password).</summary>
    public string Location { get; }

    /// <summary>
    /// Gets the limits several gateway instances share (PostgreSQL only; <see langword="null"/> for SQLite, whose one
    /// process counts in memory). Created on first use.
    /// </summary>
    internal Limits.ISharedLimits? Limits => _store is PostgresStore postgres ? postgres.Limits : null;

    /// <summary>Gets a value indicating whether this is the PostgreSQL store.</summary>
    public bool IsPostgres { get; }

    /// <summary>
    /// Gets the changes other instances sharing the database commit (keys, users, teams, cooldowns), or
    /// <see langword="null"/> for SQLite, whose one process sees its own changes.
    /// </summary>
    internal PostgresChangeFeed? Changes { get; }

    /// <summary>Gets the cooldowns the Routers of every instance on the database share, or <see langword="null"/> for SQLite.</summary>
    internal Gateway.ISharedCooldowns? SharedCooldowns { get; }

    /// <summary>
    /// Returns the store setting in effect: <see cref="DatabaseUrlVariable"/> when set, else <paramref name="configured"/>
    /// (<c>store:</c> of <c>allos.yaml</c>), else <see langword="null"/> (the default SQLite file).
    /// </summary>
    public static string? ResolveSetting(string? configured) => ResolveSetting(configured, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="ResolveSetting(string?)"/>, with the environment the configuration was read with.</summary>
    internal static string? ResolveSetting(string? configured, Func<string, string?> environment) =>
        environment(DatabaseUrlVariable) is { Length: > 0 } url ? url
        : string.IsNullOrWhiteSpace(configured) ? null : configured;

    /// <summary>Whether a store setting names PostgreSQL (a <c>postgres://</c> URL or a <c>Host=…</c> connection string).</summary>
    public static bool IsPostgresSetting(string? setting) => PostgresConnectionString.IsPostgres(setting);

    /// <summary>
    /// Opens the store the setting names (see <see cref="ResolveSetting(string?)"/>): PostgreSQL for a <c>postgres://</c> URL or
    /// connection string, a SQLite file for a path, the user's default SQLite file (<see cref="AllosPaths.DatabasePath"/>)
    /// when nothing is set.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The store cannot be opened, or the PostgreSQL setting is malformed; the message names the file or server, never a password.</exception>
    public static Task<AllosStore> OpenAsync(string? configured, CancellationToken cancellationToken = default) =>
        OpenAsync(configured, null, cancellationToken);

    /// <summary>
    /// As <see cref="OpenAsync(string?, CancellationToken)"/>, letting <paramref name="configure"/> set the PostgreSQL store's
    /// options (heartbeat, timeouts, …) before it opens; the connection string is already set. Not called for SQLite.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The store cannot be opened, or the PostgreSQL setting or options are invalid; the message names the file or server, never a password.</exception>
    public static async Task<AllosStore> OpenAsync(string? configured, Action<PostgresStoreOptions>? configure, CancellationToken cancellationToken = default)
    {
        string? setting = ResolveSetting(configured);
        if (IsPostgresSetting(setting))
        {
            PostgresStore store;
            try
            {
                var options = new PostgresStoreOptions { ConnectionString = setting! };
                configure?.Invoke(options);
                store = await PostgresStore.OpenAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                // Malformed: the message says how to write it and never repeats the setting (it may hold the password).
                throw new StoreUnavailableException("PostgreSQL", ex.Message, ex);
            }

            return new AllosStore(store);
        }

        return new AllosStore(setting is null
            ? await SqliteStore.OpenDefaultAsync(cancellationToken).ConfigureAwait(false)
            : await SqliteStore.OpenAsync(setting, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Writes the queued telemetry, then releases the file or the pool.</summary>
    public ValueTask DisposeAsync() => _store.DisposeAsync();
}
