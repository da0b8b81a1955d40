using Allos.Storage;

namespace Allos.Gateway;

/// <summary>The spending counter of one budget for one key in its current period.</summary>
/// <remarks><see cref="Spent"/> and <see cref="Reserved"/> are changed only under the ledger's lock.</remarks>
internal sealed class BudgetAccount(Budget budget, string key)
{
    private Task? _seeding;
    private DateTimeOffset _period = DateTimeOffset.MinValue;

    public Budget Budget { get; } = budget;

    public string Key { get; } = key;

    public decimal Spent { get; set; }

    public decimal Reserved { get; set; }

    /// <summary>Starts a new period when the clock has passed into one, and loads what the store already recorded for it.</summary>
    public Task EnsureCurrentAsync(DateTimeOffset now, ITelemetryStore? store, Lock gate, CancellationToken cancellationToken)
    {
        DateTimeOffset period = PeriodStart(Budget.Period, now);
        Task? seeding;
        lock (gate)
        {
            if (period != _period || _seeding is null || _seeding.IsFaulted || _seeding.IsCanceled)
            {
                if (period != _period)
                {
                    Spent = 0;
                    _period = period;
                }

                _seeding = store is null ? Task.CompletedTask : SeedAsync(store, period, gate);
            }

            seeding = _seeding;
        }

        return seeding.IsCompleted ? seeding : seeding.WaitAsync(cancellationToken);
    }

    private async Task SeedAsync(ITelemetryStore store, DateTimeOffset period, Lock gate)
    {
        var query = new SpendQuery
        {
            Since = period,
            Alias = Budget.Scope == BudgetScope.Alias ? Key : null,
            UserKey = Budget.Scope == BudgetScope.User ? Key : null,
            SessionId = Budget.Scope == BudgetScope.Session ? Key : null,
        };

        // Not the caller's token: the seed is shared by every caller of this account.
        decimal recorded = await store.SpentAsync(query, CancellationToken.None).ConfigureAwait(false);
        lock (gate)
        {
            if (_period == period)
            {
                Spent += recorded;
            }
        }
    }

    private static DateTimeOffset PeriodStart(BudgetPeriod period, DateTimeOffset now) => period switch
    {
        BudgetPeriod.Day => new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero),
        BudgetPeriod.Month => new DateTimeOffset(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero),
        _ => DateTimeOffset.UnixEpoch,
    };
}
