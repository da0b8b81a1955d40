namespace Allos.Storage;

/// <summary>A change another process (or this one) committed to the shared store, as its change feed reports it.</summary>
/// <param name="Kind">What changed.</param>
/// <param name="Id">The key hash, user id, team id or deployment key; empty for <see cref="StoreChangeKind.Resync"/>.</param>
/// <param name="Payload">Extra data of the kind, or <see langword="null"/>: a cooldown's end in Unix milliseconds.</param>
internal sealed record StoreChange(StoreChangeKind Kind, string Id, string? Payload = null)
{
    /// <summary>The change that tells subscribers to drop their caches.</summary>
    public static StoreChange Resync { get; } = new(StoreChangeKind.Resync, "");
}
