using Allos.Storage;

namespace Allos.Gateway.Server.Keys;

/// <summary>
/// One user's or team's live state in this process, shared by all its keys: its record, what it spent and holds in
/// reserve, its requests in flight, its rate limiter, and the spend not yet written to the store.
/// </summary>
/// <remarks>
/// Every field is read and changed under <see cref="SpendAccount.Gate"/>. The gate takes a team's lock, then a user's, then a key's,
/// never the other way round, so admitting a request on all three cannot deadlock.
/// </remarks>
internal sealed class OwnerAccount(KeyOwner record) : SpendAccount(record.Spend, record.BudgetResetAt)
{
    public KeyOwner Record { get; private set; } = record;

    /// <summary>Gets "team" or "user", as errors name the account.</summary>
    public string Noun => Record.Kind == KeyOwnerKind.Team ? "team" : "user";

    /// <summary>Gets the name errors use: the alias, else the id.</summary>
    public override string DisplayName => Record.Alias ?? Record.Id;

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
            SetLimits(changed.RpmLimit, changed.TpmLimit, time);
        }
    }

    /// <summary>Creates the rate limiter of the record's limits, if it has any.</summary>
    public OwnerAccount Start(TimeProvider time)
    {
        SetLimits(Record.RpmLimit, Record.TpmLimit, time);
        return this;
    }

    protected override Task ResetSpendAsync(IKeyStore store, DateTimeOffset? nextReset) => store.ResetOwnerSpendAsync(Record.Kind, Record.Id, nextReset, CancellationToken.None);

    protected override Task AddSpendAsync(IKeyStore store, decimal amount) => store.AddOwnerSpendAsync(Record.Kind, Record.Id, amount, CancellationToken.None);
}
