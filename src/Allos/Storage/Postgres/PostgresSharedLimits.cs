using System.Net.Sockets;
using System.Threading.Channels;
using Allos.Storage.Limits;
using Npgsql;
using NpgsqlTypes;

namespace Allos.Storage.Postgres;

/// <summary>
/// The shared limits on PostgreSQL alone: each reservation is one call of <c>allos_reserve</c>, which locks the accounts'
/// rows (team, user, key), checks them all and reserves on all in one transaction; each settle one call of
/// <c>allos_settle</c>, written off the request path.
/// </summary>
/// <remarks>
/// <para>
/// Budgets cannot be overspent by concurrency, across any number of instances: a call is admitted only while spend plus
/// every reservation plus its own estimated maximum stays within the budget. What can overspend is a call that costs more
/// than its estimate (its input was underestimated), by that difference.
/// </para>
/// <para>
/// Each instance beats every <see cref="PostgresStoreOptions.InstanceHeartbeat"/>. Leases of an instance silent for
/// <see cref="PostgresStoreOptions.InstanceTimeout"/> (it crashed, or lost the database that long) are reclaimed by the
/// others: charged at their full estimate, so a crash never lets a budget overspend (it may overcharge by the estimate's
/// margin), and their requests in flight come back. A settle that arrives after its lease was reclaimed changes nothing.
/// </para>
/// </remarks>
internal sealed class PostgresSharedLimits : ISharedLimits
{
    private const string ReserveSql = "SELECT refused, reason, in_flight, spent, reserved, reset_at, retry_ms FROM allos_reserve(@lease, @instance, @now, @amount, @tokens, @kinds, @ids, @requests);";

    /// <summary>The most settles written in one call: one round trip, one transaction.</summary>
    private const int SettleBatch = 256;

    private readonly PostgresDatabase _database;
    private readonly string _instance;
    private readonly TimeSpan _heartbeat;
    private readonly TimeSpan _timeout;
    private readonly Channel<Settlement> _settles = Channel.CreateUnbounded<Settlement>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writer;
    private readonly Task _beating;
    private readonly SettleProgress _progress = new();

    public PostgresSharedLimits(PostgresDatabase database, PostgresStoreOptions options)
    {
        _database = database;
        _heartbeat = options.InstanceHeartbeat;
        _timeout = options.InstanceTimeout;
        _instance = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
        _writer = Task.Run(WriteSettlesAsync);
        _beating = Task.Run(BeatAsync);
    }

    /// <summary>Gets this instance's name in <c>limit_instances</c> and its leases.</summary>
    public string Instance => _instance;

    public ValueTask<LimitOutcome> ReserveAsync(IReadOnlyList<LimitAccount> accounts, decimal amount, long tokens, CancellationToken cancellationToken) =>
        ReserveAsync(accounts, amount, tokens, 1, cancellationToken);

    public async ValueTask<LimitOutcome> ReserveAsync(IReadOnlyList<LimitAccount> accounts, decimal amount, long tokens, int requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentOutOfRangeException.ThrowIfLessThan(requests, 1);
        (string[] kinds, string[] ids) = LimitAccount.Columns(accounts);
        Guid lease = Guid.CreateVersion7();
        try
        {
            using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            using NpgsqlCommand command = PostgresDatabase.Command(connection, null, ReserveSql);
            command.Parameters.Add(new NpgsqlParameter("lease", NpgsqlDbType.Uuid) { Value = lease });
            command.Parameters.Text("instance", _instance).Long("now", _database.NowMs).Long("amount", PostgresDatabase.ToNanos(amount)).Long("tokens", tokens)
                .TextArray("kinds", kinds).TextArray("ids", ids).Int("requests", requests);
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            int refused = reader.GetInt32(0);
            if (refused == 0)
            {
                return LimitOutcome.Admitted(lease);
            }

            return new LimitOutcome
            {
                Account = refused - 1,
                Refusal = reader.GetString(1) switch
                {
                    "parallel" => LimitRefusal.Parallel,
                    "budget" => LimitRefusal.Budget,
                    "rate" => LimitRefusal.Rate,
                    _ => LimitRefusal.Gone,
                },
                InFlight = reader.GetInt32(2),
                Spent = reader.GetInt64(3) / 1_000_000_000m,
                Reserved = reader.GetInt64(4) / 1_000_000_000m,
                ResetAt = reader.LongOrNull(5) is { } reset ? PostgresDatabase.FromMs(reset) : null,
                RetryAfter = reader.LongOrNull(6) is { } retry ? TimeSpan.FromMilliseconds(Math.Max(0, retry)) : null,
            };
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            throw PostgresStore.Unavailable(_database.Server, ex);
        }
    }

    public void Settle(Guid lease, decimal actual, long tokens) => Settle(lease, actual, tokens, 1);

    public void Settle(Guid lease, decimal actual, long tokens, int calls)
    {
        _progress.Queued();
        if (!_settles.Writer.TryWrite(new Settlement(lease, PostgresDatabase.ToNanos(actual) ?? 0, tokens, calls)))
        {
            _progress.Written(1); // Disposed: the lease is reclaimed at its estimate once this instance's heartbeat stops.
        }
    }

    /// <summary>Gets a value indicating whether settles are queued and not yet written.</summary>
    public bool SettlesPending => _progress.Pending;

    public Task FlushAsync() => _progress.FlushAsync();

    /// <summary>Reclaims the leases of instances silent for longer than the timeout, and forgets windows over two minutes old.</summary>
    /// <returns>How many leases were reclaimed.</returns>
    internal async Task<int> ReclaimAsync(CancellationToken cancellationToken)
    {
        long now = _database.NowMs;
        long stale = now - (long)_timeout.TotalMilliseconds;
        using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var leases = new List<(Guid Id, long Amount, long Tokens, int Requests)>();
        using (NpgsqlCommand find = PostgresDatabase.Command(connection, null, """
            SELECT l.id, l.amount_nanos, l.tokens, l.requests FROM limit_leases l
            WHERE l.created < @stale AND NOT EXISTS (SELECT 1 FROM limit_instances i WHERE i.id = l.instance AND i.seen >= @stale)
            LIMIT 1000;
            """))
        {
            find.Parameters.Long("stale", stale);
            using NpgsqlDataReader reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                leases.Add((reader.GetGuid(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt32(3)));
            }
        }

        int reclaimed = 0;
        foreach ((Guid id, long amount, long tokens, int requests) in leases)
        {
            // One transaction per lease, as settles run: locking several leases' accounts at once could deadlock with a
            // reservation. A block's requests all stay counted: how many it admitted died with its instance.
            reclaimed += await SettleNowAsync(connection, [id], [amount], [tokens], [requests], cancellationToken).ConfigureAwait(false);
        }

        using (NpgsqlCommand prune = PostgresDatabase.Command(connection, null, """
            DELETE FROM limit_windows WHERE second < @second;
            DELETE FROM limit_instances WHERE seen < @forgotten;
            """))
        {
            prune.Parameters.Long("second", (now / 1000) - 120).Long("forgotten", now - (long)TimeSpan.FromDays(1).TotalMilliseconds);
            await prune.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return reclaimed;
    }

    /// <summary>Records that this instance is alive.</summary>
    internal async Task BeatOnceAsync(CancellationToken cancellationToken)
    {
        using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand beat = PostgresDatabase.Command(connection, null,
            "INSERT INTO limit_instances (id, seen) VALUES (@id, @now) ON CONFLICT (id) DO UPDATE SET seen = excluded.seen;");
        beat.Parameters.Text("id", _instance).Long("now", _database.NowMs);
        await beat.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the heartbeat and writes the settles still queued (for a few seconds at most, if the database is away).</summary>
    public async ValueTask DisposeAsync()
    {
        await LimitWorkers.StopAsync(_settles.Writer, _writer, _beating, _stopping).ConfigureAwait(false);
        try
        {
            // Gone on purpose: leases still held (settles the database did not take) need not wait for the heartbeat to
            // run out; they are reclaimed once older than the timeout.
            using NpgsqlConnection connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            using NpgsqlCommand leave = PostgresDatabase.Command(connection, null, "DELETE FROM limit_instances WHERE id = @id;");
            leave.Parameters.Text("id", _instance);
            await leave.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
        }

        _stopping.Dispose();
    }

    private static async Task<int> SettleNowAsync(NpgsqlConnection connection, Guid[] leases, long[] actual, long[] tokens, int[] calls, CancellationToken cancellationToken)
    {
        using NpgsqlCommand settle = PostgresDatabase.Command(connection, null, "SELECT allos_settle(@leases, @actual, @tokens, @calls);");
        settle.Parameters.UuidArray("leases", leases).LongArray("actual", actual).LongArray("tokens", tokens).IntArray("calls", calls);
        return (int)(await settle.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The one writer: takes what is queued (up to a batch) and writes it in one call, retrying while the database is away.</summary>
    private async Task WriteSettlesAsync()
    {
        ChannelReader<Settlement> reader = _settles.Reader;
        var batch = new List<Settlement>(SettleBatch);
        TimeSpan backoff = TimeSpan.FromMilliseconds(100);
        while (batch.Count > 0 || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < SettleBatch && reader.TryRead(out Settlement settlement))
            {
                batch.Add(settlement);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                using NpgsqlConnection connection = await _database.OpenAsync(_stopping.Token).ConfigureAwait(false);
                await SettleNowAsync(connection, [.. batch.Select(b => b.Lease)], [.. batch.Select(b => b.ActualNanos)], [.. batch.Select(b => b.Tokens)], [.. batch.Select(b => b.Calls)], _stopping.Token).ConfigureAwait(false);
                _progress.Written(batch.Count);
                batch.Clear();
                backoff = TimeSpan.FromMilliseconds(100);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (IsAway(ex))
            {
                // The database is away: keep the batch and try again; the reservations hold meanwhile.
                if (!await PauseAsync(backoff).ConfigureAwait(false))
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }

        // Stopped with settles unwritten: their leases are reclaimed at their estimates once the heartbeat is missed.
        // Flushes waiting on them are released rather than left hanging.
        while (reader.TryRead(out _))
        {
            batch.Add(default);
        }

        _progress.Written(batch.Count, abandoned: true);
    }

    private async Task BeatAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await BeatOnceAsync(_stopping.Token).ConfigureAwait(false);
                await ReclaimAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (IsAway(ex))
            {
                // The database is away: beat again at the next interval.
            }

            if (!await PauseAsync(_heartbeat).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>What the background loops retry on: the database unreachable, or the pool out of connections.</summary>
    internal static bool IsAway(Exception ex) => ex is NpgsqlException or SocketException or TimeoutException or InvalidOperationException;

    /// <summary>Waits <paramref name="wait"/> on the store's clock; <see langword="false"/> when the instance is stopping.</summary>
    private Task<bool> PauseAsync(TimeSpan wait) => LimitWorkers.PauseAsync(_database.TimeProvider, wait, _stopping.Token);

    private readonly record struct Settlement(Guid Lease, long ActualNanos, long Tokens, int Calls);
}
