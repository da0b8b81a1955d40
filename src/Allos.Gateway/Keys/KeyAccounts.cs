using System.Collections.Concurrent;
using Allos.Storage;

namespace Allos.Gateway.Server.Keys;

/// <summary>
/// The keys this process has served, as <see cref="OwnerAccounts"/> holds users and teams: loaded at a key's first
/// request, refreshed or dropped by the admin API, their spend written to the store off the request path.
/// </summary>
internal sealed class KeyAccounts(IKeyStore store, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, KeyAccount> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<KeyAccount, byte> _saving = new();
    private readonly Lock _lock = new();
    private int _generation;

    /// <summary>Gets the live account of the key whose hash is <paramref name="hash"/>, or <see langword="null"/> when the store has no such key.</summary>
    public async ValueTask<KeyAccount?> GetAsync(string hash, CancellationToken cancellationToken)
    {
        if (_accounts.TryGetValue(hash, out KeyAccount? cached))
        {
            return cached;
        }

        while (true)
        {
            int generation = Volatile.Read(ref _generation);
            VirtualKey? record = await store.GetAsync(hash, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                return null;
            }

            lock (_lock)
            {
                // An update or delete ran while the record was read: read it again rather than cache the old one.
                if (generation == _generation)
                {
                    return _accounts.GetOrAdd(hash, static (_, state) => new KeyAccount(state.record).Start(state.time), (record, time));
                }
            }
        }
    }

    /// <summary>Returns the live spend of a key this process has served (newer than the store's until written), or <see langword="null"/>.</summary>
    public decimal? LiveSpend(string hash)
    {
        if (!_accounts.TryGetValue(hash, out KeyAccount? account))
        {
            return null;
        }

        lock (account.Gate)
        {
            return account.Spent;
        }
    }

    /// <summary>Reads a changed key's record again, so its next request sees the change.</summary>
    public async Task RefreshAsync(string hash, CancellationToken cancellationToken)
    {
        VirtualKey? record = await store.GetAsync(hash, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            Forget([hash]);
            return;
        }

        lock (_lock)
        {
            _generation++;
            if (_accounts.TryGetValue(hash, out KeyAccount? account))
            {
                lock (account.Gate)
                {
                    account.Apply(record, time);
                }
            }
        }
    }

    /// <summary>Drops deleted keys: their next request is refused; calls in flight finish and settle.</summary>
    public void Forget(IEnumerable<string> hashes)
    {
        lock (_lock)
        {
            _generation++;
            foreach (string hash in hashes)
            {
                if (_accounts.TryRemove(hash, out KeyAccount? account))
                {
                    lock (account.Gate)
                    {
                        account.Deleted = true;
                        account.Limiter?.Dispose();
                    }
                }
            }
        }
    }

    /// <summary>
    /// Drops every cached key (the store's change feed may have missed changes): each is read again at its next request.
    /// Unlike <see cref="Forget"/>, nothing is marked deleted: a request admitting a dropped account right now goes on.
    /// </summary>
    public void ForgetAll()
    {
        lock (_lock)
        {
            _generation++;
            _accounts.Clear();
        }
    }

    /// <summary>Ends a lease on the key: gives back its place and reservation, counts its cost, corrects its tokens.</summary>
    public void Settle(KeyAccount account, decimal reserved, decimal actual, RateLimitTicket ticket, long tokens)
    {
        DeploymentRateLimiter? limiter;
        lock (account.Gate)
        {
            account.InFlight--;
            account.Reserved -= reserved;
            account.Spent += actual;
            limiter = account.Limiter;
            if (actual != 0)
            {
                account.Unsaved += actual;
                StartSavingLocked(account);
            }
        }

        limiter?.Reconcile(ticket, tokens);
    }

    /// <summary>Waits until the spend settled so far is written to the store.</summary>
    public async Task FlushAsync()
    {
        // Deleted keys' accounts are no longer in _accounts but may still be writing their last spend.
        foreach (KeyAccount account in _accounts.Values.Concat(_saving.Keys).Distinct())
        {
            Task saving;
            lock (account.Gate)
            {
                saving = account.SaveTask;
            }

            await saving.ConfigureAwait(false);
        }
    }

    /// <summary>Starts writing the account's unsaved spend unless a write is already running; call under the account's lock.</summary>
    public void StartSavingLocked(KeyAccount account)
    {
        if (!account.Saving)
        {
            account.Saving = true;
            _saving[account] = 0;
            account.SaveTask = account.SaveAsync(store, () => _saving.TryRemove(account, out _));
        }
    }
}
