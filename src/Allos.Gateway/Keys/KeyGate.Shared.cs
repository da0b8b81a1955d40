using Allos.Gateway.Server.Errors;
using Allos.Models;
using Allos.Storage;
using Allos.Storage.Limits;

namespace Allos.Gateway.Server.Keys;

/// <summary>
/// The key gate's part for a store several instances share: admissions reserved in <see cref="ISharedLimits"/>, and the
/// change feed that keeps the cached records in step with the other instances.
/// </summary>
internal sealed partial class KeyGate
{
    /// <summary>The most calls one reservation block holds: one round trip to the store per this many calls, at most.</summary>
    private const int MaxBlock = 64;

    /// <summary>A block holds at most this fraction (1/n) of any limit of its accounts.</summary>
    private const int BlockShare = 1024;

    /// <summary>
    /// Follows a shared store's change feed: a key, user or team changed through any instance is read again (or dropped)
    /// at once, so revocations and new limits bind here within the feed's delay; after a reconnect, when notifications may
    /// have been missed, every cached record is dropped and read again at its next request.
    /// </summary>
    internal void Watch(Func<Action<StoreChange>, IDisposable> subscribe)
    {
        ArgumentNullException.ThrowIfNull(subscribe);
        _watching?.Dispose();
        _watching = subscribe(OnChange);
    }

    private void OnChange(StoreChange change)
    {
        // The feed's loop must not wait on the store: reads run on their own.
        switch (change.Kind)
        {
            case StoreChangeKind.Key:
                _shared?.Close(new LimitAccount(LimitAccountKind.Key, change.Id));
                _ = ReloadAsync(() => RefreshAsync(change.Id, CancellationToken.None), () => Forget([change.Id]));
                break;
            case StoreChangeKind.User or StoreChangeKind.Team:
                KeyOwnerKind kind = change.Kind == StoreChangeKind.Team ? KeyOwnerKind.Team : KeyOwnerKind.User;
                _shared?.Close(new LimitAccount(kind == KeyOwnerKind.Team ? LimitAccountKind.Team : LimitAccountKind.User, change.Id));
                _ = ReloadAsync(() => _owners?.RefreshAsync(kind, change.Id, CancellationToken.None) ?? Task.CompletedTask, () => _owners?.Forget(kind, [change.Id]));
                break;
            case StoreChangeKind.Resync:
                _keys?.ForgetAll();
                _owners?.ForgetAll();
                break;
        }
    }

    /// <summary>Reads a changed record; when the store cannot be read, drops it so its next request reads it instead.</summary>
    private static async Task ReloadAsync(Func<Task> reload, Action drop)
    {
        try
        {
            await reload().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreDown(ex))
        {
            drop();
        }
    }

    private static bool HasLimits(VirtualKey key) =>
        key.MaxBudget is not null || key.BudgetDuration is not null || key.RpmLimit is not null || key.TpmLimit is not null || key.MaxParallelRequests is not null;

    private static bool HasLimits(KeyOwner? owner) =>
        owner is not null && (owner.MaxBudget is not null || owner.BudgetDuration is not null || owner.RpmLimit is not null || owner.TpmLimit is not null || owner.MaxParallelRequests is not null);

    private async ValueTask<KeyAdmission> AdmitSharedAsync(KeyAccount account, OwnerAccount? team, OwnerAccount? user, string model, decimal? estimatedCost, long estimatedTokens, ModelInfo? info, bool stream, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        lock (account.Gate)
        {
            if ((KeyRefusals.Identify(account, model, now) ?? KeyRefusals.IdentifyOwner(team, model) ?? KeyRefusals.IdentifyOwner(user, model)) is { } refused)
            {
                return refused;
            }
        }

        if (Served(model) is { } notServed)
        {
            return KeyAdmission.Refuse(notServed);
        }

        team = team is { Deleted: false } ? team : null;
        user = user is { Deleted: false } ? user : null;
        var accounts = new List<LimitAccount>(3);
        var holders = new List<SpendAccount>(3);
        foreach (OwnerAccount? owner in (ReadOnlySpan<OwnerAccount?>)[team, user])
        {
            if (owner is not null)
            {
                accounts.Add(new LimitAccount(owner.Record.Kind == KeyOwnerKind.Team ? LimitAccountKind.Team : LimitAccountKind.User, owner.Record.Id));
                holders.Add(owner);
            }
        }

        accounts.Add(new LimitAccount(LimitAccountKind.Key, account.Record.Hash));
        holders.Add(account);
        decimal amount = estimatedCost ?? 0;
        LimitOutcome outcome;
        // Read before reserving too: a settle that lands while the reservation is checked leaves none pending after it.
        bool settling = _shared!.SettlesPending;
        try
        {
            int block = stream ? 1 : BlockSize(account.Record, team?.Record, user?.Record, amount, estimatedTokens);
            outcome = await _shared.ReserveAsync(accounts, amount, estimatedTokens, block, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            return KeyRefusals.Unavailable(ex.Message);
        }

        if (outcome.Lease is null && outcome.Refusal != LimitRefusal.Gone && (settling || _shared.SettlesPending))
        {
            // Settles are written off the request path, so a client's previous call may still hold its place: a client
            // sending one call after another must not be refused for its own last call. Let them land, and ask again once.
            try
            {
                await _shared.FlushAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                outcome = await _shared.ReserveAsync(accounts, amount, estimatedTokens, 1, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
            catch (StoreUnavailableException ex)
            {
                return KeyRefusals.Unavailable(ex.Message);
            }
        }

        // A call that ended on another instance a moment ago may still hold its place there (its settle is a round trip
        // away): a client sending one call after another through a load balancer must not be refused for it either.
        // When the refusal counts calls still held, ask again a few times over about 0.4 s (real time: other processes' writes).
        for (int wait = 25; outcome.Lease is null && wait <= 200 && HeldElsewhere(outcome); wait *= 2)
        {
            try
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                outcome = await _shared.ReserveAsync(accounts, amount, estimatedTokens, 1, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreUnavailableException ex)
            {
                return KeyRefusals.Unavailable(ex.Message);
            }
        }

        if (outcome.Lease is { } lease)
        {
            return KeyAdmission.Admit(new KeyLease(this, account, info, amount, estimatedTokens, lease));
        }

        SpendAccount holder = holders[Math.Clamp(outcome.Account, 0, holders.Count - 1)];
        switch (outcome.Refusal)
        {
            case LimitRefusal.Gone:
                Forget([account.Record.Hash]);
                return KeyRefusals.Unauthorized("Invalid API key: it was deleted. Ask the gateway's admin for a new key.");
            case LimitRefusal.Parallel:
                return holder is OwnerAccount busyOwner ? KeyRefusals.OwnerParallel(busyOwner, outcome.InFlight) : KeyRefusals.KeyParallel(account, outcome.InFlight);
            case LimitRefusal.Rate:
                return holder is OwnerAccount limitedOwner ? KeyRefusals.OwnerRate(limitedOwner, outcome.RetryAfter, estimatedTokens) : KeyRefusals.KeyRate(account, outcome.RetryAfter, estimatedTokens);
            default:
                (string noun, string update, decimal? max) = holder is OwnerAccount owner
                    ? (owner.Noun, $"/{owner.Noun}/update", owner.Record.MaxBudget)
                    : ("key", "/key/update", account.Record.MaxBudget);

                // The record may not have the budget yet (set through another instance a moment ago): the database's word stands.
                return KeyRefusals.BudgetRefusal(noun, holder.DisplayName, update, max ?? Math.Max(outcome.Spent + outcome.Reserved, 0), outcome.Spent, outcome.Reserved, amount, estimatedCost, outcome.ResetAt, now)
                    ?? KeyRefusals.Limited(GatewayErrorKind.Budget, outcome.RetryAfter, $"Budget exceeded: the {noun} '{holder.DisplayName}' cannot hold this call. Raise max_budget with {update}.");
        }
    }

    /// <summary>
    /// How many calls a reservation block for this call may hold (<see cref="LimitBlocks"/>): up to
    /// <see cref="MaxBlock"/>, and never more than 1/<see cref="BlockShare"/> of any limit the accounts set, so what blocks
    /// hold unused stays a small share of each limit. Below 2, each call is reserved on its own (every tight limit).
    /// </summary>
    internal static int BlockSize(VirtualKey key, KeyOwner? team, KeyOwner? user, decimal amount, long tokens)
    {
        decimal calls = MaxBlock;
        Limit(key.MaxBudget, key.RpmLimit, key.TpmLimit, key.MaxParallelRequests);
        Limit(team?.MaxBudget, team?.RpmLimit, team?.TpmLimit, team?.MaxParallelRequests);
        Limit(user?.MaxBudget, user?.RpmLimit, user?.TpmLimit, user?.MaxParallelRequests);
        return calls >= 2 ? (int)calls : 1;

        void Limit(decimal? budget, int? rpm, int? tpm, int? parallel)
        {
            // A call with no known price or no token estimate does not use that limit: it cannot bound the block.
            foreach (decimal? room in (ReadOnlySpan<decimal?>)[
                budget is { } b && amount > 0 ? b / amount : null,
                rpm,
                tpm is { } t && tokens > 0 ? (decimal)t / tokens : null,
                parallel])
            {
                if (room is { } r)
                {
                    calls = Math.Min(calls, Math.Floor(r / BlockShare));
                }
            }
        }
    }

    /// <summary>Whether a refusal is for calls that may be ending: requests in flight, or reservations not yet settled.</summary>
    private static bool HeldElsewhere(LimitOutcome outcome) => outcome.Refusal switch
    {
        LimitRefusal.Parallel => outcome.InFlight > 0,
        LimitRefusal.Budget => outcome.Reserved > 0,
        _ => false,
    };
}
