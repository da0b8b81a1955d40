using System.Text;

namespace Allos.Cli.Chat;

/// <summary>
/// Reads one message from the terminal key by key: a prompt, editing (arrows, Home/End, Backspace/Delete, Ctrl+A/E/U/K/W),
/// the chat's earlier messages (Up/Down), Tab to complete a slash command, Ctrl+D on an empty line to end, and Ctrl+C to
/// clear the line (on an empty line: a hint, and a second Ctrl+C ends the chat). A message may have several lines: a
/// paste keeps its newlines, and a trailing <c>\</c> before Enter or Alt+Enter starts a new line.
/// </summary>
/// <remarks>
/// Control+C is read as a key only while the prompt is up (<see cref="Console.TreatControlCAsInput"/>); during a turn it
/// is the usual signal, which cancels the turn. Bracketed paste is on only while the prompt is up too, so a paste into an
/// approval question or into the shell after the chat is plain keys again. Lines longer than the terminal wrap and a
/// message may hold newlines: the editor keeps track of the row the cursor is on so it can redraw from the prompt.
/// </remarks>
internal sealed class LineEditor(TextWriter output, IReadOnlyList<string> completions, bool bracketedPaste)
{
    private const string PasteOn = "\u001b[?2004h";
    private const string PasteOff = "\u001b[?2004l";

    // Set while the terminal has bracketed paste on, so an exit from elsewhere (SIGTERM) still turns it off.
    private static TextWriter? s_pasteOnAt;

    private readonly List<string> _history = [];
    private readonly StringBuilder _buffer = new();
    private readonly KeySequence _sequence = new();
    private readonly PromptScreen _screen = new(output);
    private string _prompt = "";
    private int _cursor;
    private bool _pasting;

    static LineEditor() => AppDomain.CurrentDomain.ProcessExit += (_, _) => PasteMode(null);

    public InputLine ReadLine(string prompt, int promptWidth)
    {
        _prompt = prompt;
        _screen.Prompt(prompt, promptWidth);
        bool treatControlC = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        if (bracketedPaste)
        {
            PasteMode(output);
        }

        try
        {
            return Edit();
        }
        finally
        {
            PasteMode(null);
            Console.TreatControlCAsInput = treatControlC;
        }
    }

    /// <summary>Turns bracketed paste on at <paramref name="terminal"/>, or off wherever it is on.</summary>
    private static void PasteMode(TextWriter? terminal)
    {
        TextWriter? previous = Interlocked.Exchange(ref s_pasteOnAt, terminal);
        if (terminal is not null && previous is null)
        {
            terminal.Write(PasteOn);
            terminal.Flush();
        }
        else if (terminal is null && previous is not null)
        {
            previous.Write(PasteOff);
            previous.Flush();
        }
    }

    private InputLine Edit()
    {
        _buffer.Clear();
        _cursor = 0;
        _screen.Row = 0;
        int historyIndex = _history.Count;
        string draft = "";
        bool armed = false;
        _pasting = false;
        output.Write(_prompt);
        output.Flush();

        while (true)
        {
            ConsoleKeyInfo key = Console.ReadKey(intercept: true);
            bool control = (key.Modifiers & ConsoleModifiers.Control) != 0;
            char c = key.KeyChar;
            switch (_sequence.Read(key))
            {
                case KeySequence.Meaning.Consumed:
                    continue;
                case KeySequence.Meaning.PasteStarted:
                    _pasting = true;
                    continue;
                case KeySequence.Meaning.PasteEnded:
                    // Drawn once at the end: a long paste would otherwise redraw the whole message for every character.
                    _pasting = false;
                    Render();
                    continue;
                case KeySequence.Meaning.Newline:
                    armed = false;
                    Insert('\n');
                    continue;
            }

            if (_pasting && c == '\u0003')
            {
                // A paste whose end mark never came must not hold the prompt: Ctrl+C works as ever.
                _pasting = false;
            }

            if (_pasting)
            {
                // Pasted text is text: its newlines stay in the message and nothing in it is a command.
                if (key.Key == ConsoleKey.Enter || c is '\r' or '\n')
                {
                    Insert('\n');
                }
                else if (key.Key == ConsoleKey.Tab || c == '\t')
                {
                    Insert("    ");
                }
                else if (!char.IsControl(c))
                {
                    Insert(c);
                }

                continue;
            }

            if (c == '\u0003' || (control && key.Key == ConsoleKey.C))
            {
                if (_buffer.Length == 0 && armed)
                {
                    output.Write("^C\r\n");
                    return InputLine.Interrupted;
                }

                MoveToEnd();
                output.Write("^C\r\n");
                armed = _buffer.Length == 0;
                if (armed)
                {
                    output.Write("(Ctrl+C again to quit; Ctrl+D or /exit to leave)\r\n");
                }

                _buffer.Clear();
                _cursor = 0;
                _screen.Row = 0;
                historyIndex = _history.Count;
                output.Write(_prompt);
                output.Flush();
                continue;
            }

            armed = false;
            if (key.Key == ConsoleKey.Enter || c is '\r' or '\n')
            {
                if (_cursor == _buffer.Length && _buffer.Length > 0 && _buffer[^1] == '\\')
                {
                    // A trailing backslash continues the message on a new line, as in a shell.
                    _buffer.Length--;
                    _cursor--;
                    Insert('\n');
                    continue;
                }

                MoveToEnd();
                output.Write("\r\n");
                output.Flush();
                string line = _buffer.ToString();
                if (line.Trim().Length > 0 && (_history.Count == 0 || _history[^1] != line))
                {
                    _history.Add(line);
                }

                return InputLine.Of(line);
            }

            if (c == '\u0004' || (control && key.Key == ConsoleKey.D))
            {
                if (_buffer.Length == 0)
                {
                    output.Write("\r\n");
                    output.Flush();
                    return InputLine.EndOfInput;
                }

                Delete(_cursor, 1);
                continue;
            }

            switch (key.Key)
            {
                case ConsoleKey.Backspace:
                    DeleteBack();
                    continue;
                case ConsoleKey.Delete:
                    Delete(_cursor, 1);
                    continue;
                case ConsoleKey.LeftArrow:
                    MoveTo(_cursor - 1);
                    continue;
                case ConsoleKey.RightArrow:
                    MoveTo(_cursor + 1);
                    continue;
                case ConsoleKey.Home:
                    MoveTo(0);
                    continue;
                case ConsoleKey.End:
                    MoveTo(_buffer.Length);
                    continue;
                case ConsoleKey.UpArrow or ConsoleKey.DownArrow:
                    int next = Math.Clamp(historyIndex + (key.Key == ConsoleKey.UpArrow ? -1 : 1), 0, _history.Count);
                    if (next != historyIndex)
                    {
                        if (historyIndex == _history.Count)
                        {
                            draft = _buffer.ToString();
                        }

                        historyIndex = next;
                        Replace(historyIndex == _history.Count ? draft : _history[historyIndex]);
                    }

                    continue;
                case ConsoleKey.Tab:
                    Complete();
                    continue;
            }

            switch (c)
            {
                case '\b' or '\u007f':
                    DeleteBack();
                    break;
                case '\u0001':
                    MoveTo(0);
                    break;
                case '\u0005':
                    MoveTo(_buffer.Length);
                    break;
                case '\u0002':
                    MoveTo(_cursor - 1);
                    break;
                case '\u0006':
                    MoveTo(_cursor + 1);
                    break;
                case '\u0015':
                    Delete(0, _cursor);
                    break;
                case '\u000b':
                    Delete(_cursor, _buffer.Length - _cursor);
                    break;
                case '\u0017':
                    int start = _cursor;
                    while (start > 0 && _buffer[start - 1] == ' ')
                    {
                        start--;
                    }

                    while (start > 0 && _buffer[start - 1] != ' ')
                    {
                        start--;
                    }

                    Delete(start, _cursor - start);
                    break;
                case '\u000c':
                    output.Write("\u001b[H\u001b[2J");
                    _screen.Row = 0;
                    Render();
                    break;
                default:
                    if (!char.IsControl(c))
                    {
                        Insert(c);
                    }

                    break;
            }
        }
    }

    private void Insert(char c) => Insert(c.ToString());

    private void Insert(string text)
    {
        _buffer.Insert(_cursor, text);
        _cursor += text.Length;
        if (_pasting)
        {
            return;
        }

        if (_cursor != _buffer.Length || text.Contains('\n', StringComparison.Ordinal) || !_screen.TryAppend(_buffer, text))
        {
            Render();
        }
    }

    private void DeleteBack()
    {
        if (_cursor > 0)
        {
            Delete(_cursor - 1, 1);
        }
    }

    private void Delete(int start, int count)
    {
        count = Math.Min(count, _buffer.Length - start);
        if (start < 0 || count <= 0)
        {
            return;
        }

        _buffer.Remove(start, count);
        _cursor = start;
        Render();
    }

    private void MoveTo(int position)
    {
        position = Math.Clamp(position, 0, _buffer.Length);
        if (position != _cursor)
        {
            _cursor = position;
            Render();
        }
    }

    private void MoveToEnd()
    {
        if (_cursor != _buffer.Length)
        {
            _cursor = _buffer.Length;
            Render();
        }
    }

    private void Replace(string text)
    {
        _buffer.Clear().Append(text);
        _cursor = text.Length;
        Render();
    }

    private void Complete()
    {
        string text = _buffer.ToString();
        if (!text.StartsWith('/') || text.Contains(' ', StringComparison.Ordinal))
        {
            return;
        }

        string[] matches = [.. completions.Where(name => name.StartsWith(text, StringComparison.OrdinalIgnoreCase))];
        if (matches.Length == 1)
        {
            Replace(matches[0] + " ");
        }
        else if (matches.Length > 1)
        {
            MoveToEnd();
            output.Write("\r\n" + string.Join("  ", matches) + "\r\n");
            _screen.Row = 0;
            Render();
        }
    }

    private void Render() => _screen.Render(_buffer, _cursor);
}
