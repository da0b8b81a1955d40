namespace Allos.Context;

/// <summary>The input tokens of a request and how they were counted.</summary>
/// <param name="Tokens">The input tokens.</param>
/// <param name="Method">How they were counted.</param>
public sealed record InputTokenCount(long Tokens, TokenCountMethod Method)
{
    /// <summary>
    /// Gets why the provider's exact count was not used although the client offers one (the count call failed), or
    /// <see langword="null"/>. When set, <see cref="Tokens"/> comes from the fallback <see cref="Method"/>.
    /// </summary>
    public AllosException? ExactCountFailure { get; init; }
}
