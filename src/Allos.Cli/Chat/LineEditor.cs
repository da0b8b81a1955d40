using System.Globalization;
using System.Text;

namespace Allos.Cli.Chat;

/// <summary>
/// Reads one line from the terminal key by key: a prompt, editing (arrows, Home/End, Backspace/Delete, Ctrl+A/E/U/K/W),
/// the chat's earlier lines (Up/Down), Tab to complete a slash command, Ctrl+D on an empty line to end, and Ctrl+C to
/// clear the line (on an empty line: a hint, and a second Ctrl+C ends the chat).
/// </summary>
/// <remarks>
/// Control+C is read as a key only while the prompt is up (<see cref="Console.TreatControlCAsInput"/>); during a turn it
/// is the usual signal, which cancels the turn. Lines longer than the terminal wrap: the editor keeps track of the row
/// the cursor is on so it can redraw from the prompt.
/// </remarks>
internal sealed class LineEditor(TextWriter output, IReadOnlyList<string> completions)
{
    private readonly List<string> _history = [];
    private readonly StringBuilder _buffer = new();
    private string _prompt = "";
    private int _promptWidth;
    private int _cursor;
    private int _row;

    public InputLine ReadLine(string prompt, int promptWidth)
    {
        _prompt = prompt;
        _promptWidth = promptWidth;
        bool treatControlC = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        try
        {
            return Edit();
        }
        finally
        {
            Console.TreatControlCAsInput = treatControlC;
        }
    }

    private InputLine Edit()
    {
        _buffer.Clear();
        _cursor = 0;
        _row = 0;
        int historyIndex = _history.Count;
        string draft = "";
        bool armed = false;
        output.Write(_prompt);
        output.Flush();

        while (true)
        {
            ConsoleKeyInfo key = Console.ReadKey(intercept: true);
            bool control = (key.Modifiers & ConsoleModifiers.Control) != 0;
            char c = key.KeyChar;

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
                _row = 0;
                historyIndex = _history.Count;
                output.Write(_prompt);
                output.Flush();
                continue;
            }

            armed = false;
            if (key.Key == ConsoleKey.Enter || c is '\r' or '\n')
            {
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
                    _row = 0;
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

    private static int Width()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (Exception ex) when (ex is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return 80;
        }
    }

    private void Insert(char c)
    {
        _buffer.Insert(_cursor, c);
        _cursor++;
        int total = _promptWidth + _buffer.Length;
        int width = Width();
        if (_cursor == _buffer.Length && total % width != 0)
        {
            // Typing at the end of the line, away from the right edge: no need to redraw.
            output.Write(c);
            output.Flush();
            _row = total / width;
            return;
        }

        Render();
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
            _row = 0;
            Render();
        }
    }

    /// <summary>Redraws the prompt and the line from the prompt's row, then puts the cursor back where it belongs.</summary>
    private void Render()
    {
        int width = Width();
        var frame = new StringBuilder();
        if (_row > 0)
        {
            frame.Append(CultureInfo.InvariantCulture, $"\u001b[{_row}A");
        }

        frame.Append('\r').Append("\u001b[J").Append(_prompt).Append(_buffer);
        int total = _promptWidth + _buffer.Length;
        if (total > 0 && total % width == 0)
        {
            // The terminal holds the cursor on the last column until the next character: move it to the next row now.
            frame.Append("\r\n");
        }

        int endRow = total / width;
        int target = _promptWidth + _cursor;
        int targetRow = target / width;
        int targetColumn = target % width;
        if (endRow > targetRow)
        {
            frame.Append(CultureInfo.InvariantCulture, $"\u001b[{endRow - targetRow}A");
        }

        frame.Append('\r');
        if (targetColumn > 0)
        {
            frame.Append(CultureInfo.InvariantCulture, $"\u001b[{targetColumn}C");
        }

        _row = targetRow;
        output.Write(frame.ToString());
        output.Flush();
    }
}
