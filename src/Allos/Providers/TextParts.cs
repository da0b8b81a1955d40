using System.Text;
using Microsoft.Extensions.AI;

namespace Allos.Providers;

/// <summary>
/// Joins the text parts of one message. A single part, the usual case, is kept as the caller's string: a long history
/// is not copied once more through a <see cref="StringBuilder"/>.
/// </summary>
internal struct TextParts
{
    private string? _first;
    private StringBuilder? _more;

    /// <summary>Gets a value indicating whether a part was appended (an empty string counts).</summary>
    public readonly bool Any => _first is not null;

    public void Append(string text)
    {
        if (_first is null)
        {
            _first = text;
        }
        else
        {
            (_more ??= new StringBuilder(_first)).Append(text);
        }
    }

    /// <summary>
    /// Joins the text parts of a user or tool message's <paramref name="contents"/>; <paramref name="onlyText"/> is false
    /// when they also hold media (an image, audio, a file), which the codec must send as typed parts. Tool calls and
    /// results, reasoning, usage and hosted-search records are neither text nor media here: the codec writes them elsewhere or not at all.
    /// </summary>
    public static TextParts Of(IList<AIContent> contents, out bool onlyText)
    {
        TextParts text = default;
        onlyText = true;
        for (int i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case TextContent t:
                    text.Append(t.Text);
                    break;
                case FunctionResultContent or FunctionCallContent or TextReasoningContent or UsageContent
                    or WebSearchToolCallContent or WebSearchToolResultContent:
                    break;
                default:
                    onlyText = false;
                    break;
            }
        }

        return text;
    }

    /// <summary>Returns the joined text, or <see langword="null"/> when nothing was appended.</summary>
    public override readonly string? ToString() => _more?.ToString() ?? _first;
}
