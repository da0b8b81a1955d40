namespace Allos.Storage;

/// <summary>
/// A gateway's virtual key as stored: its SHA-256 hash (never the key itself), who it belongs to, and its limits and spend.
/// </summary>
/// <remarks>The field names follow LiteLLM's key records, so its users recognize them.</remarks>
public sealed record VirtualKey
{
    /// <summary>Gets the lower-case hex SHA-256 of the key: its identity in the store (LiteLLM's <c>token</c>).</summary>
    public required string Hash { get; init; }

    /// <summary>Gets a name shown in place of the key: its prefix and last characters (<c>sk-...wxyz</c>). Default: <see langword="null"/>.</summary>
    public string? KeyName { get; init; }

    /// <summary>Gets the key's alias (unique among keys). Default: <see langword="null"/>.</summary>
    public string? Alias { get; init; }

    /// <summary>Gets the aliases and model ids the key may call. Default: empty, which allows every model the gateway serves.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>Gets the most the key may spend (per <see cref="BudgetDuration"/> when set), in US dollars. Default: <see langword="null"/> (no budget).</summary>
    public decimal? MaxBudget { get; init; }

    /// <summary>Gets how often <see cref="Spend"/> starts again from zero, as LiteLLM writes it (<c>30d</c>, <c>1h</c>). Default: <see langword="null"/> (never).</summary>
    public string? BudgetDuration { get; init; }

    /// <summary>Gets when <see cref="Spend"/> next starts again from zero. Default: <see langword="null"/> (never).</summary>
    public DateTimeOffset? BudgetResetAt { get; init; }

    /// <summary>Gets what the key has spent in the current budget period, in US dollars. Default: 0.</summary>
    public decimal Spend { get; init; }

    /// <summary>Gets the most requests per minute. Default: <see langword="null"/> (no limit).</summary>
    public int? RpmLimit { get; init; }

    /// <summary>Gets the most tokens (input and output) per minute. Default: <see langword="null"/> (no limit).</summary>
    public int? TpmLimit { get; init; }

    /// <summary>Gets the most requests in flight at once. Default: <see langword="null"/> (no limit).</summary>
    public int? MaxParallelRequests { get; init; }

    /// <summary>Gets when the key stops working. Default: <see langword="null"/> (never).</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>Gets the user the key belongs to. Default: <see langword="null"/>.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets the team the key belongs to. Default: <see langword="null"/>.</summary>
    public string? TeamId { get; init; }

    /// <summary>Gets the caller's metadata, a JSON object's text, kept as given. Default: <see langword="null"/>.</summary>
    public string? Metadata { get; init; }

    /// <summary>Gets when the key was created.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>Gets a value indicating whether the key is blocked: refused at its next request, but kept with its spend. Default: <see langword="false"/>.</summary>
    public bool Blocked { get; init; }
}
