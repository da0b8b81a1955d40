namespace Allos.Context;

/// <summary>How an <see cref="InputTokenCount"/> was obtained, from the most to the least accurate.</summary>
public enum TokenCountMethod
{
    /// <summary>Characters / 4 and the provider's image rule, anchored on the provider's last reported usage when there was one.</summary>
    Estimate,

    /// <summary>The model's own tokenizer (OpenAI's <c>o200k_base</c> or <c>cl100k_base</c>) with OpenAI's documented per-message and per-tool overhead.</summary>
    Tokenizer,

    /// <summary>The provider's own count (<see cref="IInputTokenCounter"/>).</summary>
    Exact,
}
