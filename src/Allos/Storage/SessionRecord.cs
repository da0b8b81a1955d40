namespace Allos.Storage;

/// <summary>A stored session's metadata (its messages are read with <see cref="ISessionStore.GetMessagesAsync"/>).</summary>
public sealed record SessionRecord
{
    /// <summary>Gets the session id. Left empty, <see cref="ISessionStore.CreateAsync"/> assigns a new one.</summary>
    public string Id { get; init; } = "";

    /// <summary>Gets the title, if any.</summary>
    public string? Title { get; init; }

    /// <summary>Gets the agent the session runs, if any.</summary>
    public string? Agent { get; init; }

    /// <summary>Gets the model id (<c>provider/model</c>), if any.</summary>
    public string? Model { get; init; }

    /// <summary>Gets when the session was created. Left default, the store uses the current time.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>Gets when the session last changed. Left default, the store uses the current time.</summary>
    public DateTimeOffset Updated { get; init; }

    /// <summary>Gets the input tokens spent in this session.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens spent in this session.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the cached input tokens (part of <see cref="InputTokens"/>).</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Gets the reasoning tokens (part of <see cref="OutputTokens"/>).</summary>
    public long ReasoningTokens { get; init; }

    /// <summary>Gets the cost spent in this session; <see langword="null"/> when no turn had a known cost (unknown, not 0).</summary>
    public decimal? Cost { get; init; }

    /// <summary>Gets a value indicating whether the session is pinned (kept by retention cleanup).</summary>
    public bool Pinned { get; init; }

    /// <summary>Gets the session this one was forked from, if any.</summary>
    public string? ParentId { get; init; }
}
