namespace Allos.Storage;

/// <summary>
/// A gateway user or team as stored: the budget, limits and allowed models that every key of it shares, and its spend.
/// </summary>
/// <remarks>The field names follow LiteLLM's user and team records (<c>/user/new</c>, <c>/team/new</c>).</remarks>
public sealed record KeyOwner
{
    /// <summary>Gets whether this is a user or a team.</summary>
    public required KeyOwnerKind Kind { get; init; }

    /// <summary>Gets the user's or team's id (LiteLLM's <c>user_id</c> or <c>team_id</c>), unique per kind.</summary>
    public required string Id { get; init; }

    /// <summary>Gets a name shown in errors and lists (LiteLLM's <c>team_alias</c> or <c>user_alias</c>). Default: <see langword="null"/>.</summary>
    public string? Alias { get; init; }

    /// <summary>Gets the aliases and model ids the account's keys may call. Default: empty, which allows every model the gateway serves.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>Gets the most the account's keys may spend together (per <see cref="BudgetDuration"/> when set), in US dollars. Default: <see langword="null"/> (no budget).</summary>
    public decimal? MaxBudget { get; init; }

    /// <summary>Gets how often <see cref="Spend"/> starts again from zero (<c>30d</c>, <c>1h</c>). Default: <see langword="null"/> (never).</summary>
    public string? BudgetDuration { get; init; }

    /// <summary>Gets when <see cref="Spend"/> next starts again from zero. Default: <see langword="null"/> (never).</summary>
    public DateTimeOffset? BudgetResetAt { get; init; }

    /// <summary>Gets what the account's keys have spent in the current budget period, in US dollars. Default: 0.</summary>
    public decimal Spend { get; init; }

    /// <summary>Gets the most requests per minute across the account's keys. Default: <see langword="null"/> (no limit).</summary>
    public int? RpmLimit { get; init; }

    /// <summary>Gets the most tokens (input and output) per minute across the account's keys. Default: <see langword="null"/> (no limit).</summary>
    public int? TpmLimit { get; init; }

    /// <summary>Gets the most requests in flight at once across the account's keys. Default: <see langword="null"/> (no limit).</summary>
    public int? MaxParallelRequests { get; init; }

    /// <summary>Gets the caller's metadata, a JSON object's text, kept as given. Default: <see langword="null"/>.</summary>
    public string? Metadata { get; init; }

    /// <summary>Gets when the account was created.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>Gets a value indicating whether the account is blocked: every key of it is refused at its next request. Default: <see langword="false"/>.</summary>
    public bool Blocked { get; init; }
}
