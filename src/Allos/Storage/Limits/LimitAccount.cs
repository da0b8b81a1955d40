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
}
