namespace Allos.Storage;

/// <summary>Which model calls <see cref="ITelemetryStore.SpentAsync"/> sums: those at or after <see cref="Since"/> matching every filter set.</summary>
/// <remarks>A filter left <see langword="null"/> matches every call; a filter set matches only calls recorded with exactly that value.</remarks>
public sealed record SpendQuery
{
    /// <summary>Gets the start of the period: calls that started at or after it are counted.</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>Gets the alias (model group or model id) to count; <see langword="null"/> (default) counts every alias.</summary>
    public string? Alias { get; init; }

    /// <summary>Gets the user key to count; <see langword="null"/> (default) counts every user.</summary>
    public string? UserKey { get; init; }

    /// <summary>Gets the session to count; <see langword="null"/> (default) counts every session.</summary>
    public string? SessionId { get; init; }
}
