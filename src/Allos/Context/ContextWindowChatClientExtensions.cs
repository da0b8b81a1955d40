using Microsoft.Extensions.AI;

namespace Allos.Context;

/// <summary>Extensions that put a <see cref="ContextWindowChatClient"/> in front of a chat client.</summary>
public static class ContextWindowChatClientExtensions
{
    /// <summary>Wraps <paramref name="client"/> so every request is fitted in <paramref name="budget"/> by <paramref name="policy"/>, with one compact-and-retry when the provider reports a context overflow.</summary>
    /// <example>
    /// <code>
    /// IChatClient chat = ChatClients.Create("openai/gpt-4o-mini")
    ///     .UseContextWindow(ContextPolicy.TruncateOldest(), new ContextBudget(128_000, reservedOutputTokens: 16_384));
    /// </code>
    /// </example>
    public static ContextWindowChatClient UseContextWindow(this IChatClient client, ContextPolicy policy, ContextBudget budget)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ContextWindowChatClient(client, policy, budget);
    }
}
