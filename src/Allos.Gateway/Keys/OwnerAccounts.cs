using System.Collections.Concurrent;
using Allos.Storage;

namespace Allos.Gateway.Server.Keys;

/// <summary>
/// The users and teams this process has seen, cached like keys: loaded at the first request of one of their keys, refreshed
/// by the admin API, their spend written to the store off the request path.
/// </summary>
/// <remarks>
/// An id no account has (a key's <c>user_id</c> set without <c>/user/new</c>) is cached as absent too, so such keys cost
/// no store read per request; <see cref="RefreshAsync"/> (called by <c>/user/new</c> and <c>/team/new</c>) drops that.
/// </remarks>
internal sealed class OwnerAccounts(IKeyStore store, TimeProvider time)
{
    private readonly ConcurrentDictionary<(KeyOwnerKind Kind, string Id), OwnerAccount?> _accounts = new();
    private readonly ConcurrentDictionary<OwnerAccount, byte> _saving = new();
    private readonly Lock _lock = new();
    private int _generation;

    /// <summary>Gets the live account of <paramref name="id"/>, or <see langword="null"/> when there is none (or no id).</summary>
    public async ValueTask<OwnerAccount?> GetAsync(KeyOwnerKind kind, string? id, CancellationToken cancellationToken)
    {
        if (id is null)
        {
            return null;
        }

        if (_accounts.TryGetValue((kind, id), out OwnerAccount? cached))
        {
            return cached;
        }

        while (true)
        {
            int generation = Volatile.Read(ref _generation);
            KeyOwner? record = await store.GetOwnerAsync(kind, id, cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                // A change ran while the record was read: read it again rather than cache the old one.
                if (generation == _generation)
                {
                    return _accounts.GetOrAdd((kind, id), static (_, state) => state.record is null ? null : new OwnerAccount(state.record).Start(state.time), (record, time));
                }
            }
        }
    }

    /// <summary>Returns the live spend of an account this process has served, or <see langword="null"/>.</summary>
    public decimal? LiveSpend(KeyOwnerKind kind, string id)
    {
        if (!_accounts.TryGetValue((kind, id), out OwnerAccount? account) || account is null)
        {
            return null;
        }

        lock (account.Gate)
        {
            return account.Spent;
        }
    }

    /// <summary>Reads a created or changed account again, so its keys' next request sees it.</summary>
    public async Task RefreshAsync(KeyOwnerKind kind, string id, CancellationToken cancellationToken)
    {
        KeyOwner? record = await store.GetOwnerAsync(kind, id, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _generation++;
            if (record is not null && _accounts.TryGetValue((kind, id), out OwnerAccount? account) && account is not null)
            {
                lock (account.Gate)
                {
                    account.Apply(record, time);
                }
            }
            else
            {
                Drop(kind, id);
            }
        }
    }

    /// <summary>Drops deleted accounts: their keys' next request no longer counts against them.</summary>
    public void Forget(KeyOwnerKind kind, IEnumerable<string> ids)
    {
        lock (_lock)
        {
            _generation++;
            foreach (string id in ids)
            {
                Drop(kind, id);
            }
        }
    }

    /// <summary>Drops every cached user and team (the store's change feed may have missed changes); nothing is marked deleted.</summary>
    public void ForgetAll()
    {
        lock (_lock)
        {
            _generation++;
            _accounts.Clear();
        }
    }

    /// <summary>Ends a lease on the account: gives back its place and reservation, counts its cost, corrects its tokens.</summary>
    public void Settle(OwnerAccount account, decimal reserved, decimal actual, RateLimitTicket ticket, long tokens)
    {
        DeploymentRateLimiter? limiter;
        lock (account.Gate)
        {
            account.InFlight--;
            account.Reserved -= reserved;
            account.Spent += actual;
            account.Unsaved += actual;
            limiter = account.Limiter;
            if (actual != 0)
            {
                StartSavingLocked(account);
            }
        }

        limiter?.Reconcile(ticket, tokens);
    }

    /// <summary>Starts a new budget period when the old one ended; call under the account's lock.</summary>
    public void ResetIfDueLocked(OwnerAccount account, DateTimeOffset now)
    {
        if (account.ResetAt is not { } resetAt || now < resetAt)
        {
            return;
        }

        account.Spent = 0;
        account.Unsaved = 0;
        account.ResetAt = KeyDuration.TryParse(account.Record.BudgetDuration, out KeyDuration? duration) ? KeyGate.NextReset(resetAt, duration.Value, now) : null;
        account.UnsavedReset = (account.ResetAt, true);
        StartSavingLocked(account);
    }

    /// <summary>Waits until the spend settled so far is written to the store.</summary>
    public async Task FlushAsync()
    {
        foreach (OwnerAccount account in _accounts.Values.OfType<OwnerAccount>().Concat(_saving.Keys).Distinct())
        {
            Task saving;
            lock (account.Gate)
            {
                saving = account.SaveTask;
            }

            await saving.ConfigureAwait(false);
        }
    }

    private void Drop(KeyOwnerKind kind, string id)
    {
        if (_accounts.TryRemove((kind, id), out OwnerAccount? account) && account is not null)
        {
            lock (account.Gate)
            {
                account.Deleted = true;
                account.Limiter?.Dispose();
            }
        }
    }

    private void StartSavingLocked(OwnerAccount account)
    {
        if (!account.Saving)
        {
            account.Saving = true;
            _saving[account] = 0;
            account.SaveTask = account.SaveAsync(store, () => _saving.TryRemove(account, out _));
        }
    }
}
