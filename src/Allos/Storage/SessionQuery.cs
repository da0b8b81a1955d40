namespace Allos.Storage;

/// <summary>Which sessions <see cref="ISessionStore.ListAsync"/> returns: most recently updated first.</summary>
public sealed record SessionQuery
{
    /// <summary>Gets the maximum number of sessions. Default 50.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>Gets how many sessions to skip. Default 0.</summary>
    public int Offset { get; init; }

    /// <summary>Gets the agent to filter on; <see langword="null"/> (default) lists every agent's sessions.</summary>
    public string? Agent { get; init; }

    /// <summary>
    /// Gets the start of the ids to list (the session whose id is exactly this is listed too); <see langword="null"/>
    /// (default) lists every id. Matched case-insensitively, as people type ids.
    /// </summary>
    public string? IdPrefix { get; init; }

    /// <summary>Gets a time to list only sessions last updated before; <see langword="null"/> (default) for any time.</summary>
    public DateTimeOffset? UpdatedBefore { get; init; }
}
