using Microsoft.Extensions.AI;

namespace Allos.Storage;

/// <summary>A message found by <see cref="ISessionStore.SearchAsync"/>.</summary>
/// <param name="SessionId">The session holding the message.</param>
/// <param name="Sequence">The message's position in the session.</param>
/// <param name="Message">The message.</param>
/// <param name="Snippet">A short extract around the match; matched terms are wrapped in <c>[</c> and <c>]</c>.</param>
public sealed record SearchHit(string SessionId, long Sequence, ChatMessage Message, string Snippet)
{
    /// <summary>Gets when the message was stored.</summary>
    public DateTimeOffset Time { get; init; }
}
