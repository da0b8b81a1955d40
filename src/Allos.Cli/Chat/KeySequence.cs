namespace Allos.Cli.Chat;

/// <summary>
/// Puts back together the escape sequences that <see cref="Console.ReadKey(bool)"/> hands over one key at a time: the
/// bracketed-paste marks <c>ESC[200~</c> and <c>ESC[201~</c>, and Alt+Enter when it comes as ESC, then Enter.
/// </summary>
/// <remarks>
/// .NET's Unix console maps the sequences it knows (arrows, Home, Delete) to keys and delivers any other one as an
/// Escape key followed by its characters, so the marks of a paste are seen here, not swallowed.
/// </remarks>
internal sealed class KeySequence
{
    private const string PasteStart = "\u001b[200~";
    private const string PasteEnd = "\u001b[201~";
    private const int MaxLength = 16;
    private string? _pending;

    /// <summary>What a key meant once the sequence it belongs to is known.</summary>
    public enum Meaning
    {
        /// <summary>An ordinary key: edit with it.</summary>
        Key,

        /// <summary>Part of a sequence not finished yet, or one the editor ignores.</summary>
        Consumed,

        /// <summary>A paste begins: what follows, newlines included, is text.</summary>
        PasteStarted,

        /// <summary>The paste ended.</summary>
        PasteEnded,

        /// <summary>Alt+Enter (ESC, then Enter): a newline in the message.</summary>
        Newline,
    }

    public Meaning Read(ConsoleKeyInfo key)
    {
        char c = key.KeyChar;
        if (_pending is null)
        {
            if (c == '\u001b')
            {
                _pending = "\u001b";
                return Meaning.Consumed;
            }

            return key.Key == ConsoleKey.Enter && (key.Modifiers & ConsoleModifiers.Alt) != 0 ? Meaning.Newline : Meaning.Key;
        }

        if (_pending.Length == 1)
        {
            if (key.Key == ConsoleKey.Enter || c is '\r' or '\n')
            {
                _pending = null;
                return Meaning.Newline;
            }

            if (c == '[')
            {
                _pending += c;
                return Meaning.Consumed;
            }

            // Alt with another key, or Escape pressed alone: the key counts as itself.
            _pending = null;
            return Read(key);
        }

        if ((char.IsAsciiDigit(c) || c == ';') && _pending.Length < MaxLength)
        {
            _pending += c;
            return Meaning.Consumed;
        }

        string sequence = _pending + c;
        _pending = null;
        return sequence switch
        {
            PasteStart => Meaning.PasteStarted,
            PasteEnd => Meaning.PasteEnded,
            _ => Meaning.Consumed,
        };
    }
}
