using System.Text.RegularExpressions;

namespace Allos.Cli.Output;

/// <summary>Light Markdown for a terminal, one finished line at a time: headings, bold, inline code, bullets and code fences.</summary>
internal sealed partial class MarkdownLine
{
    private const string Reset = "\u001b[0m";
    private bool _inFence;

    public string Render(string line)
    {
        if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
        {
            _inFence = !_inFence;
            return $"\u001b[2m{line}{Reset}";
        }

        if (_inFence)
        {
            return $"\u001b[36m{line}{Reset}";
        }

        Match heading = Heading().Match(line);
        if (heading.Success)
        {
            return $"\u001b[1m{heading.Groups[2].Value}{Reset}";
        }

        string text = Bullet().Replace(line, "$1• ");
        text = Bold().Replace(text, $"\u001b[1m$1{Reset}");
        return Code().Replace(text, $"\u001b[36m$1{Reset}");
    }

    [GeneratedRegex("^(#{1,6})\\s+(.*)$")]
    private static partial Regex Heading();

    [GeneratedRegex("^(\\s*)[-*]\\s+")]
    private static partial Regex Bullet();

    [GeneratedRegex("\\*\\*(.+?)\\*\\*")]
    private static partial Regex Bold();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Code();
}
