using System.Text;

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

    /// <summary>Returns the joined text, or <see langword="null"/> when nothing was appended.</summary>
    public override readonly string? ToString() => _more?.ToString() ?? _first;
}
