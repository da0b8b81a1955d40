namespace Allos.Storage;

/// <summary>
/// What a turn appended with <see cref="ISessionStore.AppendMessagesAsync"/> spent: added to the session's totals in the
/// same transaction as the messages.
/// </summary>
public sealed record TurnMetadata
{
    /// <summary>Gets the run the turn belongs to, if any.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the model that answered; when set, it becomes the session's model.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the input tokens of the turn.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens of the turn.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the cached input tokens of the turn.</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Gets the reasoning tokens of the turn.</summary>
    public long ReasoningTokens { get; init; }

    /// <summary>Gets the cost of the turn; <see langword="null"/> when unknown (the session total is left unchanged).</summary>
    public decimal? Cost { get; init; }
}
