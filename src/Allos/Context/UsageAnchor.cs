namespace Allos.Context;

/// <summary>
/// What the provider reported for the last call: its input tokens and how many messages of the history it covered.
/// <see cref="TokenEstimator.EstimateRequest"/> trusts that figure and estimates only the messages added since.
/// </summary>
/// <param name="InputTokens">The input tokens the provider reported (cached ones included), which also cover instructions and tool declarations.</param>
/// <param name="MessageCount">How many messages, from the start of the history, that call sent.</param>
public sealed record UsageAnchor(long InputTokens, int MessageCount)
{
    /// <summary>Gets the input tokens the provider reported.</summary>
    public long InputTokens { get; init; } = InputTokens >= 0 ? InputTokens : throw new ArgumentOutOfRangeException(nameof(InputTokens), InputTokens, "Input tokens cannot be negative.");

    /// <summary>Gets how many messages, from the start of the history, the reported call covered.</summary>
    public int MessageCount { get; init; } = MessageCount >= 0 ? MessageCount : throw new ArgumentOutOfRangeException(nameof(MessageCount), MessageCount, "The message count cannot be negative.");
}
