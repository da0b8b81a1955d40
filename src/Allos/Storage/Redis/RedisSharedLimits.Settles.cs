using System.Threading.Channels;
using Allos.Storage.Limits;
using Allos.Storage.Postgres;
using Npgsql;
using StackExchange.Redis;

namespace Allos.Storage.Redis;

/// <summary>The settles of <see cref="RedisSharedLimits"/>: queued by the request path, charged and given back by one writer.</summary>
internal sealed partial class RedisSharedLimits
{
    private void Enqueue(Settlement settlement)
    {
        if (settlement.Counted)
        {
            _progress.Queued();
        }

        if (!_settles.Writer.TryWrite(settlement) && settlement.Counted)
        {
            _progress.Written(1); // Disposed: the reservation is taken over by another instance at its estimate.
        }
    }

    /// <summary>
    /// The one writer: charges a batch's costs to the database in one call, then gives the reservations back in Redis. A
    /// batch the database has taken is never charged again; its Redis half is retried until Redis answers.
    /// </summary>
    private async Task WriteSettlesAsync()
    {
        ChannelReader<Settlement> reader = _settles.Reader;
        var batch = new List<Settlement>(SettleBatch);
        var charged = new List<Settlement>();
        TimeSpan backoff = TimeSpan.FromMilliseconds(100);
        while (batch.Count > 0 || charged.Count > 0 || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < SettleBatch && reader.TryRead(out Settlement settlement))
            {
                batch.Add(settlement);
            }

            try
            {
                if (batch.Count > 0)
                {
                    await ChargeAsync(batch, _stopping.Token).ConfigureAwait(false);
                    charged.AddRange(batch);
                    batch.Clear();
                }

                await GiveBackAsync(charged).ConfigureAwait(false);
                _progress.Written(charged.Count(s => s.Counted));
                charged.Clear();
                backoff = TimeSpan.FromMilliseconds(100);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (PostgresSharedLimits.IsAway(ex) || IsRedisAway(ex))
            {
                // The database or Redis is away: keep what is left and try again; the reservations hold meanwhile.
                if (!await PauseAsync(backoff).ConfigureAwait(false))
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }

        while (reader.TryRead(out Settlement left))
        {
            batch.Add(left);
        }

        _progress.Written(batch.Count(s => s.Counted) + charged.Count(s => s.Counted), abandoned: true);
    }

    private async Task ChargeAsync(List<Settlement> batch, CancellationToken cancellationToken)
    {
        var kinds = new List<string>();
        var ids = new List<string>();
        var amounts = new List<long>();
        foreach (Settlement settlement in batch)
        {
            if (settlement.ActualNanos == 0)
            {
                continue;
            }

            foreach (LimitAccount account in settlement.Accounts)
            {
                kinds.Add(account.KindName);
                ids.Add(account.Id);
                amounts.Add(settlement.ActualNanos);
            }
        }

        if (kinds.Count == 0)
        {
            return;
        }

        using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand charge = PostgresDatabase.Command(connection, null, "SELECT allos_charge(@kinds, @ids, @amounts);");
        charge.Parameters.TextArray("kinds", [.. kinds]).TextArray("ids", [.. ids]).LongArray("amounts", [.. amounts]);
        await charge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Settles the reservations in Redis, all in one script call; on success <paramref name="charged"/> is emptied by the caller.</summary>
    private async Task GiveBackAsync(List<Settlement> charged)
    {
        if (charged.Count == 0)
        {
            return;
        }

        var keys = new List<RedisKey>(charged.Count * 3);
        var args = new List<RedisValue>(1 + (charged.Count * 5)) { _prefix };
        foreach (Settlement s in charged)
        {
            keys.Add(LeaseKey(s.Lease));
            foreach (LimitAccount account in s.Accounts)
            {
                keys.Add(AccountKey(account));
                keys.Add(WindowKey(account));
            }

            args.Add(s.Lease.ToString("N"));
            args.Add(s.ActualNanos);
            args.Add(s.Tokens);
            args.Add(s.Calls);
            args.Add(s.Accounts.Length);
        }

        await _redis.GetDatabase().ScriptEvaluateAsync(RedisLimitScripts.Settle, [.. keys], [.. args]).ConfigureAwait(false);
    }

    /// <summary>
    /// One reservation to settle. <c>Counted</c> is false for giving back a reservation whose answer was lost: no caller
    /// waits on it (a flush would otherwise wait out every Redis outage).
    /// </summary>
    private readonly record struct Settlement(Guid Lease, LimitAccount[] Accounts, long ActualNanos, long Tokens, int Calls, bool Counted = true);
}
