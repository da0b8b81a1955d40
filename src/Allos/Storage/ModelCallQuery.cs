namespace Allos.Storage;

/// <summary>Which model calls <see cref="ITelemetryStore.GetModelCallsAsync"/> returns: those matching every filter set, newest first.</summary>
/// <remarks>A filter left <see langword="null"/> matches every call; a filter set matches only calls recorded with exactly that value.</remarks>
public sealed record ModelCallQuery
{
    /// <summary>Gets the earliest start time returned (inclusive). Default <see langword="null"/> (no lower bound).</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Gets the start time calls must start before (exclusive). Default <see langword="null"/> (no upper bound).</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Gets the gateway key's hash (<see cref="ModelCallRecord.KeyHash"/>) to match. Default <see langword="null"/>.</summary>
    public string? KeyHash { get; init; }

    /// <summary>Gets the user key to match. Default <see langword="null"/>.</summary>
    public string? UserKey { get; init; }

    /// <summary>Gets the team to match. Default <see langword="null"/>.</summary>
    public string? TeamId { get; init; }

    /// <summary>Gets the model to match: the alias asked for, or the model id that served the call. Default <see langword="null"/>.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the most calls returned. Default 100.</summary>
    public int Limit { get; init; } = 100;
}
