namespace Allos.Storage.Limits;

/// <summary>One account a request counts against: a key (by hash), a user or a team (by id).</summary>
internal readonly record struct LimitAccount(LimitAccountKind Kind, string Id)
{
    /// <summary>Gets the kind as the database spells it: <c>key</c>, <c>user</c> or <c>team</c>.</summary>
    public string KindName => Kind switch
    {
        LimitAccountKind.Key => "key",
        LimitAccountKind.User => "user",
        _ => "team",
    };

    /// <summary>Reads a kind as <see cref="KindName"/> spells it.</summary>
    public static LimitAccountKind KindOf(string name) => name switch
    {
        "key" => LimitAccountKind.Key,
        "user" => LimitAccountKind.User,
        _ => LimitAccountKind.Team,
    };

    /// <summary>The accounts as two parallel arrays of kinds and ids, as the database functions take them.</summary>
    public static (string[] Kinds, string[] Ids) Columns(IReadOnlyList<LimitAccount> accounts)
    {
        var kinds = new string[accounts.Count];
        var ids = new string[accounts.Count];
        for (int i = 0; i < accounts.Count; i++)
        {
            kinds[i] = accounts[i].KindName;
            ids[i] = accounts[i].Id;
        }

        return (kinds, ids);
    }
}
