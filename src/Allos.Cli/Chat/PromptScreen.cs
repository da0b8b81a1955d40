using System.Globalization;
using System.Text;

namespace Allos.Cli.Chat;

/// <summary>
/// Draws the <see cref="LineEditor"/>'s prompt and message: lines after a newline start under the text (indented as wide
/// as the prompt), long lines wrap at the terminal's width, and the row the cursor is on is kept so the next frame is
/// drawn from the prompt's row.
/// </summary>
internal sealed class PromptScreen(TextWriter output)
{
    private string _prompt = "";
    private int _promptWidth;

    /// <summary>Gets or sets the cursor's row, counted from the prompt's (0 once a fresh prompt is written).</summary>
    public int Row { get; set; }

    public void Prompt(string prompt, int promptWidth)
    {
        _prompt = prompt;
        _promptWidth = promptWidth;
    }

    /// <summary>Writes <paramref name="text"/>, just appended to <paramref name="buffer"/>, without a redraw when it stays off the right edge.</summary>
    public bool TryAppend(StringBuilder buffer, string text)
    {
        int width = Width();
        (int row, int column) = Locate(buffer, buffer.Length, width);
        if (column >= width)
        {
            return false;
        }

        output.Write(text);
        output.Flush();
        Row = row;
        return true;
    }

    /// <summary>
    /// Where the cursor stands before the character at <paramref name="index"/>, in rows from the prompt's row: lines after
    /// a newline start under the text (indented as wide as the prompt), and a column equal to <paramref name="width"/>
    /// means the row is full and the terminal holds the cursor on its last column until the next character.
    /// </summary>
    private (int Row, int Column) Locate(StringBuilder buffer, int index, int width)
    {
        int row = 0;
        int column = _promptWidth;
        for (int i = 0; i < index; i++)
        {
            if (buffer[i] == '\n')
            {
                row++;
                column = _promptWidth;
                continue;
            }

            if (column >= width)
            {
                row++;
                column = 0;
            }

            column++;
        }

        return (row, column);
    }

    /// <summary>Redraws the prompt and the message from the prompt's row, then puts the cursor back where it belongs.</summary>
    public void Render(StringBuilder buffer, int cursor)
    {
        int width = Width();
        var frame = new StringBuilder();
        if (Row > 0)
        {
            frame.Append(CultureInfo.InvariantCulture, $"\u001b[{Row}A");
        }

        frame.Append('\r').Append("\u001b[J").Append(_prompt);
        string indent = new(' ', _promptWidth);
        foreach (ReadOnlyMemory<char> chunk in buffer.GetChunks())
        {
            foreach (char c in chunk.Span)
            {
                if (c == '\n')
                {
                    frame.Append("\r\n").Append(indent);
                }
                else
                {
                    frame.Append(c);
                }
            }
        }

        (int endRow, int endColumn) = Locate(buffer, buffer.Length, width);
        if (endColumn >= width)
        {
            // The terminal holds the cursor on the last column until the next character: move it to the next row now.
            frame.Append("\r\n");
            endRow++;
        }

        (int targetRow, int targetColumn) = Locate(buffer, cursor, width);
        if (targetColumn >= width)
        {
            targetRow++;
            targetColumn = 0;
        }

        if (endRow > targetRow)
        {
            frame.Append(CultureInfo.InvariantCulture, $"\u001b[{endRow - targetRow}A");
        }

        frame.Append('\r');
        if (targetColumn > 0)
        {
            frame.Append(CultureInfo.InvariantCulture, $"\u001b[{targetColumn}C");
        }

        Row = targetRow;
        output.Write(frame.ToString());
        output.Flush();
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
}
