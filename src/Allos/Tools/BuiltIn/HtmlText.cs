using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Allos.Tools.BuiltIn;

/// <summary>Turns HTML into readable plain text: scripts, styles and tags removed, block elements on their own lines, entities decoded, whitespace collapsed.</summary>
/// <remarks>A readable approximation for a model, not a parser: good enough for documentation pages and articles.</remarks>
internal static partial class HtmlText
{
    public static string ToText(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        string title = Title().Match(html) is { Success: true } match ? Collapse(WebUtility.HtmlDecode(StripTags(match.Groups[1].Value))).Trim() : "";
        string text = Comments().Replace(html, " ");
        text = Invisible().Replace(text, " ");
        text = ListItem().Replace(text, "\n- ");
        text = BlockBoundary().Replace(text, "\n");
        text = CellEnd().Replace(text, " ");
        text = StripTags(text);
        text = WebUtility.HtmlDecode(text);
        text = Collapse(text).Trim();
        return title.Length == 0 || text.StartsWith(title, StringComparison.Ordinal) ? text : $"{title}\n\n{text}";
    }

    private static string StripTags(string html) => Tag().Replace(html, "");

    private static string Collapse(string text)
    {
        var result = new StringBuilder(text.Length);
        int blankLines = 0;
        foreach (string rawLine in text.Split('\n'))
        {
            string line = Spaces().Replace(rawLine, " ").Trim();
            if (line.Length == 0)
            {
                blankLines++;
                continue;
            }

            if (result.Length > 0)
            {
                result.Append(blankLines > 0 ? "\n\n" : "\n");
            }

            result.Append(line);
            blankLines = 0;
        }

        return result.ToString();
    }

    [GeneratedRegex(@"<title[^>]*>(.*?)</title\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, 2000)]
    private static partial Regex Title();

    [GeneratedRegex(@"<!--.*?-->", RegexOptions.Singleline | RegexOptions.CultureInvariant, 2000)]
    private static partial Regex Comments();

    // Elements whose content is never text for a reader; <head> goes too (its title is taken first).
    [GeneratedRegex(@"<(script|style|noscript|template|svg|head|iframe|object|canvas)\b[^>]*>.*?</\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, 2000)]
    private static partial Regex Invisible();

    [GeneratedRegex(@"<li\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 2000)]
    private static partial Regex ListItem();

    [GeneratedRegex(@"</?(p|div|br|hr|h[1-6]|ul|ol|dl|dt|dd|tr|table|thead|tbody|section|article|header|footer|nav|aside|main|pre|blockquote|figure|figcaption|form|li|title|body|html)\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 2000)]
    private static partial Regex BlockBoundary();

    [GeneratedRegex(@"</t[dh]\s*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 2000)]
    private static partial Regex CellEnd();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.CultureInvariant, 2000)]
    private static partial Regex Tag();

    [GeneratedRegex(@"[ \t\r\f\v\u00A0]+", RegexOptions.CultureInvariant, 2000)]
    private static partial Regex Spaces();
}
