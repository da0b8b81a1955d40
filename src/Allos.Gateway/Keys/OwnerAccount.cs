using Allos.Storage;

namespace Allos.Gateway.Server.Keys;

/// <summary>
/// One user's or team's live state in this process, shared by all its keys: its record, what it spent and holds in
/// reserve, its requests in flight, its rate limiter, and the spend not yet written to the store.
/// </summary>
/// <remarks>
/// Every field is read and changed under <see cref="Gate"/>. The gate takes a team's lock, then a user's, then a key's,
/// never the other way round, so admitting a request on all three cannot deadlock.
/// </remarks>
internal sealed class OwnerAccount(KeyOwner record)
{
    public Lock Gate { get; } = new();

    public KeyOwner Record { get; private set; } = record;

    public decimal Spent { get; set; } = record.Spend;

    public decimal Reserved { get; set; }

    public int InFlight { get; set; }

    public DateTimeOffset? ResetAt { get; set; } = record.BudgetResetAt;

    public DeploymentRateLimiter? Limiter { get; private set; }

    public bool Deleted { get; set; }

    public decimal Unsaved { get; set; }

    public (DateTimeOffset? NextReset, bool Pending) UnsavedReset { get; set; }

    public bool Saving { get; set; }

    public Task SaveTask { get; set; } = Task.CompletedTask;

    /// <summary>Gets "team" or "user", as errors name the account.</summary>
    public string Noun => Record.Kind == KeyOwnerKind.Team ? "team" : "user";

    /// <summary>Gets the name errors use: the alias, else the id.</summary>
    public string DisplayName => Record.Alias ?? Record.Id;

    /// <summary>Takes a changed record (from <c>/team/update</c> or <c>/user/update</c>): spend and reservations carry on.</summary>
    public void Apply(KeyOwner changed, TimeProvider time)
    {
        KeyOwner previous = Record;
        Record = changed;
        if (changed.BudgetResetAt != previous.BudgetResetAt)
        {
            ResetAt = changed.BudgetResetAt;
        }

        if (changed.RpmLimit != previous.RpmLimit || changed.TpmLimit != previous.TpmLimit)
        {
            Limiter?.Dispose();
            Limiter = null;
            Start(time);
        }
    }

    /// <summary>Creates the rate limiter of the record's limits, if it has any.</summary>
    public OwnerAccount Start(TimeProvider time)
    {
        if (Record.RpmLimit is not null || Record.TpmLimit is not null)
        {
            Limiter = new DeploymentRateLimiter(Record.RpmLimit, Record.TpmLimit, TimeSpan.FromMinutes(1), time);
        }

        return this;
    }
}
