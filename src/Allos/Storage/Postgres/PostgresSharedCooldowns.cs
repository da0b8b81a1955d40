using Allos.Gateway;
using Npgsql;

namespace Allos.Storage.Postgres;

/// <summary>
/// Deployment cooldowns shared through the database: one row per deployment in <c>deployment_cooldowns</c> (its latest
/// cooldown end, Unix milliseconds), upserted with a <c>cooldown:&lt;until&gt;:&lt;deployment&gt;</c> notification in the
/// same statement; the rows still running are read again whenever the change feed (re)connects.
/// </summary>
/// <remarks>
/// Best-effort by design: a write that fails (the server is down) is dropped, and the process that cooled the deployment
/// down still skips it; the others learn from their own failures, as without sharing. The table holds one row per
/// deployment ever cooled down, so it stays as small as the configuration. Thread-safe.
/// </remarks>
internal sealed class PostgresSharedCooldowns(PostgresDatabase database, PostgresChangeFeed feed) : ISharedCooldowns, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _running = [];
    private Action<SharedCooldown>[] _handlers = [];
    private IDisposable? _feed;
    private bool _disposed;

    /// <inheritdoc />
    public void Publish(string deployment, DateTimeOffset until)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        Run(stop => PublishAsync(deployment, until, stop));
    }

    /// <summary>Upserts the cooldown (never shortening one already stored) and notifies every instance, in one statement.</summary>
    /// <exception cref="NpgsqlException">The server failed or cannot be reached.</exception>
    public async Task PublishAsync(string deployment, DateTimeOffset until, CancellationToken cancellationToken)
    {
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand upsert = PostgresDatabase.Command(connection, null, $"""
            WITH stored AS (
                INSERT INTO deployment_cooldowns (deployment, until) VALUES (@deployment, @until)
                ON CONFLICT (deployment) DO UPDATE SET until = GREATEST(deployment_cooldowns.until, EXCLUDED.until)
                RETURNING deployment, until)
            SELECT {PostgresChangeFeed.Notify("'cooldown:' || until || ':' || deployment")} FROM stored;
            """);
        upsert.Parameters.Text("deployment", deployment).Long("until", until.ToUnixTimeMilliseconds());
        await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public IDisposable Subscribe(Action<SharedCooldown> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _handlers = [.. _handlers, handler];
            _feed ??= feed.Subscribe(OnChange);
        }

        // The running cooldowns, now: the feed may have been listening for others already, with no resync to come.
        Run(LoadAsync);
        return new Subscription(this, handler);
    }

    /// <summary>Waits for the writes and reads in flight, then stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _handlers = [];
            _feed?.Dispose();
            running = [.. _running];
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(running).ConfigureAwait(false);
        _stop.Dispose();
    }

    private void OnChange(StoreChange change)
    {
        if (change.Kind == StoreChangeKind.Cooldown && long.TryParse(change.Payload, out long until))
        {
            Dispatch(new SharedCooldown(change.Id, DateTimeOffset.FromUnixTimeMilliseconds(until)));
        }
        else if (change.Kind == StoreChangeKind.Resync)
        {
            // Off the feed's loop: a handler of the feed must not wait on the database.
            Run(LoadAsync);
        }
    }

    /// <summary>Delivers the cooldowns still running, as the store's clock tells.</summary>
    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var found = new List<SharedCooldown>();
        using (NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        using (NpgsqlCommand select = PostgresDatabase.Command(connection, null, "SELECT deployment, until FROM deployment_cooldowns WHERE until > @now;"))
        {
            select.Parameters.Long("now", database.NowMs);
            using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                found.Add(new SharedCooldown(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1))));
            }
        }

        foreach (SharedCooldown cooldown in found)
        {
            Dispatch(cooldown);
        }
    }

    private void Dispatch(SharedCooldown cooldown)
    {
        foreach (Action<SharedCooldown> handler in Volatile.Read(ref _handlers))
        {
            try
            {
                handler(cooldown);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One Router's failure must not keep the cooldown from the others.
            }
        }
    }

    /// <summary>
    /// Runs a write or read off the caller's thread (the request path, the feed's loop), kept until it ends so disposal
    /// can wait for it; its failure is dropped (best-effort). Nothing starts once disposal has begun.
    /// </summary>
    private void Run(Func<CancellationToken, Task> work)
    {
        Task task;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            CancellationToken stop = _stop.Token;
            task = Task.Run(async () =>
            {
                try
                {
                    await work(stop).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Server down, store disposed or cancelled: this process's own cooldown stands, the others learn by failing.
                }
            }, CancellationToken.None);
            _running.Add(task);
        }

        _ = task.ContinueWith(
            static (done, state) =>
            {
                var self = (PostgresSharedCooldowns)state!;
                lock (self._gate)
                {
                    self._running.Remove(done);
                }
            },
            this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Unsubscribe(Action<SharedCooldown> handler)
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

    private sealed class Subscription(PostgresSharedCooldowns owner, Action<SharedCooldown> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(handler);
            }
        }
    }
}
