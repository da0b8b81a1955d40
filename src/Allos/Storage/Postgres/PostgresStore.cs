using System.Net.Sockets;
using Allos.Storage.Limits;
using Allos.Storage.Redis;
using Allos.Storage.Sqlite;
using Npgsql;

namespace Allos.Storage.Postgres;

/// <summary>
/// The shared store: sessions, telemetry and virtual keys in a PostgreSQL database, for several processes or gateway
/// instances at once. Behaves as <see cref="SqliteStore"/> does; every store contract test runs against both.
/// </summary>
/// <remarks>
/// <para>
/// Open with <see cref="OpenAsync(PostgresStoreOptions, CancellationToken)"/>; dispose to write the telemetry still
/// queued and close the pool. Thread-safe. One <see cref="NpgsqlDataSource"/> (connection pool) per store; size it with
/// the connection string's pool settings.
/// </para>
/// <para>
/// Opening applies missing migrations under an advisory lock, so instances starting together migrate once. Telemetry
/// is written in batches off the request path; the spend log is partitioned by month and rolled up per day.
/// </para>
/// </remarks>
public sealed class PostgresStore : IAsyncDisposable
{
    private readonly PostgresDatabase _database;
    private readonly TelemetryWriter _writer;
    private readonly PostgresStoreOptions _options;
    private ISharedLimits? _limits;
    private LimitBlocks? _blocks;

    private PostgresStore(PostgresDatabase database, PostgresPartitions partitions, PostgresStoreOptions options, string connectionString)
    {
        _database = database;
        _options = options;
        Changes = new PostgresChangeFeed(connectionString);
        Cooldowns = new PostgresSharedCooldowns(database, Changes);
        var batch = new PostgresTelemetryBatch(database, partitions);
        _writer = new TelemetryWriter(options.TelemetryBatchSize, options.TelemetryFlushInterval, batch.WriteAsync, IsTransient);
        Sessions = new PostgresSessionStore(database);
        Telemetry = new PostgresTelemetryStore(database, _writer);
        Keys = new PostgresKeyStore(database)
        {
            SharedLimits = () => Blocks,
            Changes = Changes,
            Changed = account => Volatile.Read(ref _limits) is RedisSharedLimits redis ? redis.ForgetAsync(account) : Task.CompletedTask,
        };
    }

    /// <summary>Gets the session store.</summary>
    public ISessionStore Sessions { get; }

    /// <summary>Gets the telemetry store.</summary>
    public ITelemetryStore Telemetry { get; }

    /// <summary>Gets the gateway's virtual key store.</summary>
    public IKeyStore Keys { get; }

    /// <summary>
    /// Gets the budgets and rate limits every gateway instance on this database shares (created, and its heartbeat started,
    /// on first use): counted in the database, or in Redis in front of it when <see cref="PostgresStoreOptions.Redis"/> is set.
    /// </summary>
    internal ISharedLimits Limits
    {
        get
        {
            lock (_database)
            {
                return _limits ??= _options.Redis is { } redis
                    ? new RedisSharedLimits(_database, new PostgresSharedLimits(_database, _options), redis, _options)
                    : new PostgresSharedLimits(_database, _options);
            }
        }
    }

    /// <summary>Gets <see cref="Limits"/> with reservation blocks in front, as the gateway reserves (created on first use).</summary>
    internal LimitBlocks Blocks
    {
        get
        {
            ISharedLimits limits = Limits;
            lock (_database)
            {
                return _blocks ??= new LimitBlocks(limits);
            }
        }
    }

    /// <summary>
    /// Gets the changes any instance commits to keys, users, teams and cooldowns; it connects on the first subscription
    /// and stops when the store is disposed.
    /// </summary>
    internal PostgresChangeFeed Changes { get; }

    /// <summary>Gets the deployment cooldowns shared by every Router whose store is this database.</summary>
    internal PostgresSharedCooldowns Cooldowns { get; }

    /// <summary>Gets the server as host:port/database (never the password).</summary>
    public string Server => _database.Server;

    /// <summary>Opens the store at <paramref name="connectionString"/> (a <c>postgres://</c> URL or connection string) with default options.</summary>
    public static Task<PostgresStore> OpenAsync(string connectionString, CancellationToken cancellationToken = default) =>
        OpenAsync(new PostgresStoreOptions { ConnectionString = connectionString }, cancellationToken);

    /// <summary>
    /// Connects, applies missing migrations, creates the spend log's partitions for this month and the next and, unless
    /// turned off, marks runs left running by dead processes of this host as incomplete.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string or URL is missing or malformed.</exception>
    /// <exception cref="StoreUnavailableException">The server cannot be reached or refuses the connection; the message names the server, never the password.</exception>
    public static async Task<PostgresStore> OpenAsync(PostgresStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        NpgsqlConnectionStringBuilder builder = PostgresConnectionString.Parse(options.ConnectionString);
        string server = PostgresConnectionString.Describe(builder);
        var database = new PostgresDatabase(new NpgsqlDataSourceBuilder(builder.ConnectionString).Build(), server, options.TimeProvider);
        try
        {
            var partitions = new PostgresPartitions();
            using (NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
            {
                await PostgresMigrations.ApplyAsync(connection, PostgresMigrations.All, database.NowMs, cancellationToken).ConfigureAwait(false);
                long now = database.NowMs;
                await partitions.EnsureAsync(connection, null, [now, DateTimeOffset.FromUnixTimeMilliseconds(PostgresPartitions.MonthOf(now)).AddMonths(1).ToUnixTimeMilliseconds()], cancellationToken).ConfigureAwait(false);
            }

            var store = new PostgresStore(database, partitions, options, builder.ConnectionString);
            if (options.RecoverOnOpen)
            {
                await store.Sessions.RecoverAsync(cancellationToken).ConfigureAwait(false);
            }

            return store;
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw Unavailable(server, ex);
        }
    }

    /// <summary>Says what is wrong in terms a user can act on, naming the server but never the password.</summary>
    internal static StoreUnavailableException Unavailable(string server, Exception ex)
    {
        string reason = ex switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } =>
                "refused the user name or password",
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } => "has no such database; create it first",
            PostgresException postgres => $"failed (PostgreSQL error {postgres.SqlState})",
            _ => "cannot be reached (is it running, and are the host and port right?)",
        };
        return new StoreUnavailableException(server, $"The PostgreSQL server {server} {reason}.", ex);
    }

    private static bool IsTransient(Exception ex) => ex is NpgsqlException { IsTransient: true };

    /// <summary>Stops the change feed, writes the queued telemetry, then closes the pool.</summary>
    public async ValueTask DisposeAsync()
    {
        ISharedLimits? limits;
        LimitBlocks? blocks;
        lock (_database)
        {
            limits = _limits;
            blocks = _blocks;
        }

        if (blocks is not null)
        {
            // First: blocks no call is using are settled into the limits, which then write what is queued.
            await blocks.DisposeAsync().ConfigureAwait(false);
        }

        if (limits is not null)
        {
            await limits.DisposeAsync().ConfigureAwait(false);
        }

        await Cooldowns.DisposeAsync().ConfigureAwait(false);
        await Changes.DisposeAsync().ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        await _database.DisposeAsync().ConfigureAwait(false);
    }
}
