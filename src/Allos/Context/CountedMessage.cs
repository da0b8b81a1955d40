using Microsoft.Extensions.AI;

namespace Allos.Context;

/// <summary>
/// A message's remembered token count, with what it was counted from: the content list, its length and its last part.
/// Those catch what happens to messages in practice (parts appended while a reply is assembled, the list replaced);
/// a part edited in place is not noticed.
/// </summary>
internal sealed class CountedMessage(long tokens, IList<AIContent> contents, int length, AIContent? last)
{
    public long Tokens { get; } = tokens;

    public bool Matches(IList<AIContent> contents1, int length1, AIContent? last1) =>
        ReferenceEquals(contents, contents1) && length == length1 && ReferenceEquals(last, last1);
}
