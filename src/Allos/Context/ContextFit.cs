using Microsoft.Extensions.AI;

namespace Allos.Context;

/// <summary>What a <see cref="ContextPolicy"/> decided to send.</summary>
public sealed class ContextFit
{
    /// <summary>Initializes a new instance of the <see cref="ContextFit"/> class.</summary>
    public ContextFit(IReadOnlyList<ChatMessage> messages, bool changed, long tokensBefore, long tokensAfter)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Messages = messages;
        Changed = changed;
        TokensBefore = tokensBefore;
        TokensAfter = tokensAfter;
    }

    /// <summary>Gets the messages to send. When <see cref="Changed"/> is <see langword="false"/> this is the history itself, not a copy.</summary>
    /// <remarks>Do not mutate it: a policy may hand the same list back for the next call when nothing changed.</remarks>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Gets a value indicating whether the policy dropped, shortened or summarized anything.</summary>
    public bool Changed { get; }

    /// <summary>Gets the estimated input tokens of the whole history (anchored on the provider's last report when there was one).</summary>
    public long TokensBefore { get; }

    /// <summary>Gets the estimated input tokens of <see cref="Messages"/>.</summary>
    public long TokensAfter { get; }

    internal static ContextFit Unchanged(IReadOnlyList<ChatMessage> history, long tokens) => new(history, false, tokens, tokens);
}
