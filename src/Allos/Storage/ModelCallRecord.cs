namespace Allos.Storage;

/// <summary>One call to a model, for usage and cost accounting.</summary>
public sealed record ModelCallRecord
{
    /// <summary>Gets when the call started.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets the session the call was made for, if any.</summary>
    public string? SessionId { get; init; }

    /// <summary>Gets the run the call was made for, if any.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the provider name (<c>openai</c>, <c>anthropic</c>, ...).</summary>
    public required string Provider { get; init; }

    /// <summary>Gets the model name.</summary>
    public required string Model { get; init; }

    /// <summary>Gets how long the call took, in milliseconds.</summary>
    public double LatencyMs { get; init; }

    /// <summary>Gets the input tokens reported.</summary>
    public long? InputTokens { get; init; }

    /// <summary>Gets the output tokens reported.</summary>
    public long? OutputTokens { get; init; }

    /// <summary>Gets the cached input tokens reported (part of <see cref="InputTokens"/>).</summary>
    public long? CachedInputTokens { get; init; }

    /// <summary>Gets the reasoning tokens reported (part of <see cref="OutputTokens"/>).</summary>
    public long? ReasoningTokens { get; init; }

    /// <summary>Gets the call's cost; <see langword="null"/> when unknown (an unknown model), never 0 for unknown.</summary>
    public decimal? Cost { get; init; }

    /// <summary>Gets the outcome: <c>ok</c>, or an error kind.</summary>
    public string Status { get; init; } = "ok";

    /// <summary>Gets the error message of a failed call.</summary>
    public string? Error { get; init; }
}
