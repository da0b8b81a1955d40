namespace Allos.Storage;

/// <summary>Metadata changes for <see cref="ISessionStore.UpdateAsync"/>; a <see langword="null"/> property is left unchanged.</summary>
public sealed record SessionUpdate
{
    /// <summary>Gets the new title.</summary>
    public string? Title { get; init; }

    /// <summary>Gets the new model id.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the new agent.</summary>
    public string? Agent { get; init; }

    /// <summary>Gets the new pinned flag. Changing only this leaves the session's <see cref="SessionRecord.Updated"/> time as it was.</summary>
    public bool? Pinned { get; init; }

    /// <summary>Gets the new input-token total.</summary>
    public long? InputTokens { get; init; }

    /// <summary>Gets the new output-token total.</summary>
    public long? OutputTokens { get; init; }

    /// <summary>Gets the new cost total.</summary>
    public decimal? Cost { get; init; }
}
