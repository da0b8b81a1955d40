using Npgsql;

namespace Allos.Storage.Postgres;

/// <summary>
/// The changes every instance sharing the database commits to keys, users, teams and deployment cooldowns, as
/// <c>LISTEN allos_changes</c> receives them: one connection waits for notifications and hands each to the subscribers.
/// </summary>
/// <remarks>
/// <para>
/// Writers send <c>pg_notify('allos_changes', '&lt;kind&gt;:&lt;id&gt;')</c> in the statement that makes the change
/// (see <see cref="Notify"/>); PostgreSQL delivers a notification only when its transaction commits, so a subscriber
/// that reads the row on a notification sees the change. Only the first <c>:</c> separates the kind, so ids may hold
/// colons; a cooldown's id is <c>&lt;until ms&gt;:&lt;deployment&gt;</c>.
/// </para>
/// <para>
/// Starts on the first <see cref="Subscribe"/>, so stores that nobody watches (the CLI's) open no extra connection.
/// Each time LISTEN takes effect (the first time and after every reconnect) subscribers get one
/// <see cref="StoreChangeKind.Resync"/>: whatever was committed while nobody listened was missed, so caches must go.
/// A lost connection (server restart, network) is reopened with a doubling backoff capped at <see cref="MaxRetryDelay"/>.
/// </para>
/// <para>
/// Handlers run on the feed's loop, one notification at a time: they must return quickly and never block or wait on
/// the store (hand slow work to a task of their own). A handler that throws is skipped for that change; the others
/// still get it. Thread-safe.
/// </para>
/// </remarks>
internal sealed class PostgresChangeFeed : IAsyncDisposable
{
    /// <summary>The channel every notification of the store is sent on.</summary>
    public const string Channel = "allos_changes";

    /// <summary>The longest wait between reconnection attempts.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(200);

    // A half-open connection (a dead network, no RST) would wait forever: an idle feed pings this often to find out.
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(15);

    private readonly NpgsqlDataSource _dataSource;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Action<StoreChange>[] _handlers = [];
    private Task? _loop;
    private bool _disposed;

    /// <summary>Creates a feed on the server <paramref name="connectionString"/> names; nothing connects before the first <see cref="Subscribe"/>.</summary>
    public PostgresChangeFeed(string connectionString)
    {
        // Its own unpooled data source, not the store's pool: the connection is held for the store's lifetime, so from
        // the pool it would take one of Maximum Pool Size for good, and reconnecting after an outage would queue behind
        // requests waiting for a pooled connection. Returning it to a pool would also UNLISTEN it (DISCARD ALL).
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            Multiplexing = false,
            // The operating system notices a vanished peer too, between our pings.
            TcpKeepAlive = true,
        };
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <summary>
    /// Calls <paramref name="handler"/> with every change from now on, starting the feed if it is not running. Dispose
    /// the result to stop. The handler runs on the feed's loop: it must not block (see the remarks on the class).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public IDisposable Subscribe(Action<StoreChange> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _handlers = [.. _handlers, handler];
            _loop ??= Task.Run(() => RunAsync(_stop.Token));
        }

        return new Subscription(this, handler);
    }

    /// <summary>
    /// Returns SQL that sends <paramref name="payloadSql"/> (an SQL text expression, such as <c>'key:' || hash</c>) on
    /// <see cref="Channel"/>, for a statement that makes the change. A payload pg_notify would refuse (8000 bytes or
    /// more) is sent as <c>resync</c> instead: subscribers drop every cache rather than miss this change.
    /// </summary>
    public static string Notify(string payloadSql) =>
        $"pg_notify('{Channel}', CASE WHEN octet_length({payloadSql}) < 8000 THEN {payloadSql} ELSE 'resync' END)";

    /// <summary>Reads a notification's payload, or returns <see langword="null"/> for one this version does not know (sent by a newer one).</summary>
    public static StoreChange? Parse(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        int colon = payload.IndexOf(':', StringComparison.Ordinal);
        string kind = colon < 0 ? payload : payload[..colon];
        string id = colon < 0 ? "" : payload[(colon + 1)..];
        switch (kind)
        {
            case "key":
                return new StoreChange(StoreChangeKind.Key, id);
            case "user":
                return new StoreChange(StoreChangeKind.User, id);
            case "team":
                return new StoreChange(StoreChangeKind.Team, id);
            case "resync":
                return StoreChange.Resync;
            case "cooldown":
                // <until ms>:<deployment>: the number has no colon, the deployment may.
                int split = id.IndexOf(':', StringComparison.Ordinal);
                return split > 0 && long.TryParse(id.AsSpan(0, split), out _)
                    ? new StoreChange(StoreChangeKind.Cooldown, id[(split + 1)..], id[..split])
                    : null;
            default:
                return null;
        }
    }

    /// <summary>Stops listening and closes the connection; returns promptly even when the server is down.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _handlers = [];
            loop = _loop;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        TimeSpan delay = FirstRetryDelay;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(() => delay = FirstRetryDelay, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Server restart, network, refused connection: all end the same way, in a reconnect after the backoff.
            }

            try
            {
                // Real time, not the store's clock: a test's fake clock must not stop the feed from reconnecting.
                // Jitter keeps many instances from reconnecting to a restarted server at the same instant.
                await Task.Delay(delay * (0.75 + (Random.Shared.NextDouble() / 2)), TimeProvider.System, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    /// <summary>Connects, listens and waits for notifications until the connection fails or the feed stops.</summary>
    private async Task ListenAsync(Action connected, CancellationToken stop)
    {
        NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(stop).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            connection.Notification += OnNotification;
            using (var listen = new NpgsqlCommand($"LISTEN {Channel};", connection))
            {
                await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
            }

            connected();
            Dispatch(StoreChange.Resync);
            while (true)
            {
                if (!await connection.WaitAsync(IdleCheck, stop).ConfigureAwait(false))
                {
                    using var ping = new NpgsqlCommand("SELECT 1;", connection);
                    await ping.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                }
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel == Channel && Parse(e.Payload) is { } change)
        {
            Dispatch(change);
        }
    }

    private void Dispatch(StoreChange change)
    {
        foreach (Action<StoreChange> handler in Volatile.Read(ref _handlers))
        {
            try
            {
                handler(change);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One subscriber's bug must not cost the others their notifications, nor stop the feed.
            }
        }
    }

    private void Unsubscribe(Action<StoreChange> handler)
    {
        lock (_gate)
        {
            int index = Array.IndexOf(_handlers, handler);
            if (index >= 0)
            {
                _handlers = [.. _handlers[..index], .. _handlers[(index + 1)..]];
            }
        }
    }

    private sealed class Subscription(PostgresChangeFeed feed, Action<StoreChange> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                feed.Unsubscribe(handler);
            }
        }
    }
}
