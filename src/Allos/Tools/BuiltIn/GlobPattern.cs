using System.Text;
using System.Text.RegularExpressions;

namespace Allos.Tools.BuiltIn;

/// <summary>
/// A file glob matched against <c>/</c>-separated relative paths: <c>*</c> (within one folder), <c>**</c> (any number
/// of folders), <c>?</c>, <c>[abc]</c>, <c>[!abc]</c> and <c>{a,b}</c>. Case-insensitive where the usual file system is.
/// </summary>
internal sealed class GlobPattern
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private readonly Regex _regex;

    private GlobPattern(string pattern, Regex regex)
    {
        Pattern = pattern;
        _regex = regex;
    }

    /// <summary>Gets the pattern as given.</summary>
    public string Pattern { get; }

    /// <summary>Gets a value indicating whether the pattern names folders (has a <c>/</c>); one without is matched against file names only by <see cref="IsMatchFileOrPath"/>.</summary>
    public bool HasSeparator { get; private init; }

    /// <summary>Parses a glob relative to a folder.</summary>
    /// <exception cref="ArgumentException">The pattern is empty, absolute, or climbs out with <c>..</c>.</exception>
    public static GlobPattern Parse(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        string normalized = pattern.Trim().Replace('\\', '/');
        while (normalized.StartsWith("./", StringComparison.Ordinal))
        {
            normalized = normalized[2..];
        }

        if (normalized.StartsWith('/') || Path.IsPathRooted(normalized))
        {
            throw new ToolException($"The glob '{pattern}' must be relative (like '**/*.cs'); use the path argument to choose the folder.");
        }

        if (normalized.Split('/').Contains(".."))
        {
            throw new ToolException($"The glob '{pattern}' must not contain '..'; use the path argument to choose the folder.");
        }

        RegexOptions options = RegexOptions.CultureInvariant;
        if (OperatingSystem.IsWindows() || OperatingSystem.IsMacOS())
        {
            options |= RegexOptions.IgnoreCase;
        }

        var regex = new Regex("^" + Translate(normalized) + "$", options, MatchTimeout);
        return new GlobPattern(pattern, regex) { HasSeparator = normalized.Contains('/') };
    }

    /// <summary>Whether a relative path (with <c>/</c> separators) matches.</summary>
    public bool IsMatch(string relativePath) => _regex.IsMatch(relativePath);

    /// <summary>Whether a file matches as <c>grep --include</c> does: a pattern without <c>/</c> against the file name, else against the relative path.</summary>
    public bool IsMatchFileOrPath(string relativePath) =>
        IsMatch(HasSeparator ? relativePath : relativePath[(relativePath.LastIndexOf('/') + 1)..]);

    private static string Translate(string glob)
    {
        var regex = new StringBuilder();
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            switch (c)
            {
                case '*':
                    int stars = 1;
                    while (i + 1 < glob.Length && glob[i + 1] == '*')
                    {
                        stars++;
                        i++;
                    }

                    bool segmentStart = i - stars < 0 || glob[i - stars] == '/';
                    if (stars >= 2 && segmentStart && i + 1 < glob.Length && glob[i + 1] == '/')
                    {
                        regex.Append("(?:.*/)?"); // "**/" : zero or more folders
                        i++;
                    }
                    else if (stars >= 2 && segmentStart && i + 1 == glob.Length)
                    {
                        regex.Append(".*"); // trailing "**": everything below
                    }
                    else
                    {
                        regex.Append("[^/]*");
                    }

                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '[':
                    int close = glob.IndexOf(']', i + 2);
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }

                    string set = glob[(i + 1)..close];
                    bool negate = set[0] is '!' or '^';
                    if (negate)
                    {
                        set = set[1..];
                    }

                    regex.Append(negate ? "[^/" : "[").Append(set.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("[", @"\[", StringComparison.Ordinal)).Append(']');
                    i = close;
                    break;
                case '{':
                    int end = glob.IndexOf('}', i + 1);
                    if (end < 0)
                    {
                        regex.Append(@"\{");
                        break;
                    }

                    IEnumerable<string> alternatives = glob[(i + 1)..end].Split(',').Select(Translate);
                    regex.Append("(?:").AppendJoin('|', alternatives).Append(')');
                    i = end;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return regex.ToString();
    }
}
