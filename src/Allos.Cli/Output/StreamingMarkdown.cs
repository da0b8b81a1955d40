using System.Text;

namespace Allos.Cli.Output;

/// <summary>
/// Light Markdown for a terminal, rendered as the text streams in: headings and <c>**bold**</c> in bold, <c>`code`</c> and
/// fenced blocks in colour, bullets as •. Holds back only the few characters that might start a marker, so text appears
/// as it arrives; the result is the same however the text is split into chunks.
/// </summary>
internal sealed class StreamingMarkdown
{
    private const string Bold = "\u001b[1m";
    private const string Code = "\u001b[36m";
    private const string Dim = "\u001b[2m";
    private const string Reset = "\u001b[0m";
    private const int MaxIndent = 8;

    private readonly StringBuilder _head = new();
    private bool _lineStart = true;
    private bool _inFence;
    private bool _fenceLine;
    private bool _heading;
    private bool _bold;
    private bool _code;
    private bool _pendingStar;

    public string Write(string text)
    {
        var output = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            Put(c, output);
        }

        return output.ToString();
    }

    /// <summary>Returns what is held back and closes every style (the end of the answer).</summary>
    public string Flush()
    {
        var output = new StringBuilder();
        EmitHead(output);
        if (_pendingStar)
        {
            output.Append('*');
            _pendingStar = false;
        }

        if (_heading || _bold || _code || _fenceLine || _inFence)
        {
            output.Append(Reset);
        }

        _heading = _bold = _code = _fenceLine = _inFence = false;
        _lineStart = true;
        return output.ToString();
    }

    private void Put(char c, StringBuilder output)
    {
        if (c == '\n')
        {
            EmitHead(output);
            if (_pendingStar)
            {
                output.Append('*');
                _pendingStar = false;
            }

            // Inline styles end with the line; a fence goes on until its closing line.
            if (_heading || _bold || _code || _fenceLine || _inFence)
            {
                output.Append(Reset);
            }

            _heading = _bold = _code = _fenceLine = false;
            output.Append('\n');
            _lineStart = true;
            return;
        }

        if (_lineStart)
        {
            _head.Append(c);
            Decide(output);
            return;
        }

        Inline(c, output);
    }

    /// <summary>Decides what the start of a line is, once enough of it has arrived.</summary>
    private void Decide(StringBuilder output)
    {
        string head = _head.ToString();
        string trimmed = head.TrimStart();
        int indent = head.Length - trimmed.Length;
        if (trimmed.Length == 0 && indent < MaxIndent)
        {
            return;
        }

        if ("```".StartsWith(trimmed, StringComparison.Ordinal) && trimmed.Length < 3)
        {
            return;
        }

        if (trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            _inFence = !_inFence;
            _fenceLine = true;
            Take(output, Dim + head);
            return;
        }

        if (_inFence)
        {
            Take(output, Code + head);
            return;
        }

        if (trimmed.TrimStart('#').Length == 0 && trimmed.Length <= 6)
        {
            return;
        }

        int hashes = trimmed.Length - trimmed.TrimStart('#').Length;
        if (hashes is > 0 and <= 6 && trimmed[hashes] == ' ')
        {
            _heading = true;
            Take(output, Bold);
            return;
        }

        if (trimmed is "-" or "*")
        {
            return;
        }

        if (trimmed is "- " or "* ")
        {
            Take(output, head[..indent] + "• ");
            return;
        }

        _lineStart = false;
        _head.Clear();
        foreach (char c in head)
        {
            Inline(c, output);
        }
    }

    private void Take(StringBuilder output, string text)
    {
        output.Append(text);
        _head.Clear();
        _lineStart = false;
    }

    private void EmitHead(StringBuilder output)
    {
        if (_head.Length == 0)
        {
            return;
        }

        string head = _head.ToString();
        _head.Clear();
        _lineStart = false;
        output.Append(_inFence ? Code + head : head);
    }

    private void Inline(char c, StringBuilder output)
    {
        if (_inFence || _fenceLine)
        {
            output.Append(c);
            return;
        }

        if (_pendingStar)
        {
            _pendingStar = false;
            if (c == '*' && !_code)
            {
                _bold = !_bold;
                output.Append(_bold ? Bold : Reset + Restore());
                return;
            }

            output.Append('*');
        }

        if (c == '*' && !_code)
        {
            _pendingStar = true;
            return;
        }

        if (c == '`')
        {
            _code = !_code;
            output.Append(_code ? Code : Reset + Restore());
            return;
        }

        output.Append(c);
    }

    private string Restore() => (_heading || _bold ? Bold : string.Empty) + (_code ? Code : string.Empty);
}
