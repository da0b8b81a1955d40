namespace Allos.Testing;

/// <summary>Token counts a scripted turn reports, mapped to each provider's own fields.</summary>
/// <param name="InputTokens">Input tokens, cached ones included.</param>
/// <param name="OutputTokens">Output tokens, reasoning included.</param>
/// <param name="CachedInputTokens">The part of the input read from the provider's cache.</param>
/// <param name="ReasoningTokens">The part of the output spent reasoning.</param>
public sealed record FakeUsage(int InputTokens, int OutputTokens, int CachedInputTokens = 0, int ReasoningTokens = 0);
