using System.Collections.Concurrent;
using Allos.Storage;

namespace Allos.Gateway;

/// <summary>Counts spending per budget and key, and reserves each call's maximum cost before it is sent.</summary>
/// <remarks>
/// A call reserves its estimated maximum cost on every budget that applies, all or nothing, under one lock, and settles
/// with the actual cost when it ends. So concurrent calls can never together spend more than a budget, unless a call's
/// actual cost exceeds its estimate (the estimate uses the request's output limit and an input-token estimate).
/// Counters start from the spending recorded in the telemetry store for the current period, so limits survive restarts.
/// </remarks>
internal sealed class BudgetLedger
{
    private readonly Budget[] _budgets;
    private readonly ConcurrentDictionary<(int Budget, string Key), BudgetAccount> _accounts = new();
    private readonly ITelemetryStore? _store;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    public BudgetLedger(IEnumerable<Budget> budgets, ITelemetryStore? store, TimeProvider time)
    {
        _budgets = [.. budgets];
        _store = store;
        _time = time;
    }

    public bool IsEmpty => _budgets.Length == 0;

    /// <summary>Reserves <paramref name="estimate"/> on every budget that applies to a request for <paramref name="alias"/> by <paramref name="user"/> in <paramref name="session"/>.</summary>
    /// <exception cref="BudgetExceededException">A budget has less left than the estimate, or nothing left.</exception>
    public async ValueTask<BudgetHold> ReserveAsync(string alias, string? user, string? session, decimal? estimate, CancellationToken cancellationToken)
    {
        if (_budgets.Length == 0)
        {
            return default;
        }

        DateTimeOffset now = _time.GetUtcNow();
        var accounts = new List<BudgetAccount>(_budgets.Length);
        for (int i = 0; i < _budgets.Length; i++)
        {
            Budget budget = _budgets[i];
            string? key = KeyFor(budget, alias, user, session);
            if (key is null)
            {
                continue;
            }

            BudgetAccount account = _accounts.GetOrAdd((i, key), static (id, state) => new BudgetAccount(state[id.Budget], id.Key), _budgets);
            await account.EnsureCurrentAsync(now, _store, _gate, cancellationToken).ConfigureAwait(false);
            accounts.Add(account);
        }

        if (accounts.Count == 0)
        {
            return default;
        }

        decimal amount = estimate ?? 0;
        lock (_gate)
        {
            foreach (BudgetAccount account in accounts)
            {
                decimal committed = account.Spent + account.Reserved;
                bool exhausted = committed >= account.Budget.Limit && (estimate is null || estimate > 0);
                if (exhausted || committed + amount > account.Budget.Limit)
                {
                    throw new BudgetExceededException(account.Budget, account.Budget.Scope == BudgetScope.Global ? null : account.Key, committed, estimate);
                }
            }

            foreach (BudgetAccount account in accounts)
            {
                account.Reserved += amount;
            }
        }

        return new BudgetHold([.. accounts], amount);
    }

    /// <summary>Replaces the reservation with what the call actually cost (0 when unknown or when it failed).</summary>
    public void Settle(BudgetHold hold, decimal? actual)
    {
        if (hold.Accounts is null)
        {
            return;
        }

        lock (_gate)
        {
            foreach (BudgetAccount account in hold.Accounts)
            {
                account.Reserved -= hold.Amount;
                account.Spent += actual ?? 0;
            }
        }
    }

    private static string? KeyFor(Budget budget, string alias, string? user, string? session)
    {
        string? key = budget.Scope switch
        {
            BudgetScope.Global => string.Empty,
            BudgetScope.Alias => alias,
            BudgetScope.User => user,
            _ => session,
        };
        if (key is null || budget.Key is null || budget.Scope == BudgetScope.Global)
        {
            return key;
        }

        return string.Equals(budget.Key, key, StringComparison.OrdinalIgnoreCase) ? key : null;
    }
}
