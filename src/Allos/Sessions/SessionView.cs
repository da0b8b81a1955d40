using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Sessions;

/// <summary>
/// The part of a session's transcript that the next run continues from. Clearing and compacting never delete: they
/// append a marker message (<see cref="SessionManager.ClearContextAsync"/>, <see cref="SessionManager.CompactContextAsync"/>),
/// and the view starts at the last marker: nothing before a clear marker; for a compaction marker, the marker itself (the
/// summary) and the messages it kept.
/// </summary>
/// <remarks>
/// A compaction marker names the first message it kept by its position in the transcript, which stays true because
/// messages are only ever appended (a fork copies the transcript from its start).
/// </remarks>
internal static class SessionView
{
    public const string MarkerProperty = "allos.context";
    public const string KeepFromProperty = "allos.context.keep_from";
    public const string Cleared = "cleared";
    public const string Compacted = "compacted";

    public static List<ChatMessage> Of(IReadOnlyList<ChatMessage> transcript) => [.. Positions(transcript).Select(position => transcript[position])];

    /// <summary>Returns the positions in <paramref name="transcript"/> of the view's messages, in order.</summary>
    public static List<int> Positions(IReadOnlyList<ChatMessage> transcript)
    {
        int marker = transcript.Count - 1;
        while (marker >= 0 && Kind(transcript[marker]) is null)
        {
            marker--;
        }

        var positions = new List<int>(transcript.Count);
        if (marker >= 0 && Kind(transcript[marker]) == Compacted)
        {
            positions.Add(marker);
            int keepFrom = KeepFrom(transcript[marker]);
            positions.AddRange(Positions([.. transcript.Take(marker)]).Where(position => position >= keepFrom));
        }

        for (int i = marker + 1; i < transcript.Count; i++)
        {
            positions.Add(i);
        }

        return positions;
    }

    public static ChatMessage ClearMarker() => new(ChatRole.System, "(The conversation was cleared here: the turns after this start afresh.)")
    {
        AdditionalProperties = new AdditionalPropertiesDictionary { [MarkerProperty] = Cleared },
    };

    public static ChatMessage CompactionMarker(string summary, int keepFrom) => new(ChatRole.User, summary)
    {
        AdditionalProperties = new AdditionalPropertiesDictionary { [MarkerProperty] = Compacted, [KeepFromProperty] = keepFrom },
    };

    /// <summary>Returns the kind of marker a message is, or <see langword="null"/> for an ordinary message.</summary>
    /// <remarks>A stored message comes back with its properties as <see cref="JsonElement"/>s.</remarks>
    public static string? Kind(ChatMessage message) =>
        message.AdditionalProperties?.TryGetValue(MarkerProperty, out object? value) != true ? null
        : value switch
        {
            string text => text,
            JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
            _ => null,
        };

    private static int KeepFrom(ChatMessage marker) =>
        marker.AdditionalProperties!.TryGetValue(KeepFromProperty, out object? value) ? value switch
        {
            int position => position,
            long position => (int)position,
            JsonElement { ValueKind: JsonValueKind.Number } element when element.TryGetInt32(out int position) => position,
            _ => int.MaxValue,
        }
        : int.MaxValue;
}
