using System.Globalization;
using System.Text.Json;

namespace Allos.Cli.Output;

/// <summary>
/// A unified diff (three lines of context, <c>@@ -a,b +c,d @@</c> hunks) of what <c>write_file</c> or <c>edit_file</c>
/// would change, for the approval prompt; coloured when the prompt's output is a terminal and <c>NO_COLOR</c> is unset.
/// </summary>
internal static class DiffPreview
{
    private const int MaxLines = 40;
    private const int Context = 3;

    /// <summary>Beyond this many cells the changed region is shown as removed then added, not aligned line by line.</summary>
    private const long MaxAlignment = 4_000_000;

    public static IEnumerable<string> For(string tool, string workspace, string path, JsonElement arguments, bool colors = false)
    {
        string? current = Read(workspace, path);
        string? proposed = tool == "write_file"
            ? Text(arguments, "content")
            : Edit(current, Text(arguments, "old_text"), Text(arguments, "new_text"),
                arguments.TryGetProperty("replace_all", out JsonElement all) && all.ValueKind == JsonValueKind.True);
        if (proposed is null)
        {
            return [Text(arguments, "content") is null ? "(no preview: the edit does not match the file)" : "(no preview)"];
        }

        IReadOnlyList<string> lines = Lines(current ?? string.Empty, proposed);
        if (lines.Count > MaxLines)
        {
            lines = [.. lines.Take(MaxLines), $"… {lines.Count - MaxLines} more lines"];
        }

        if (colors)
        {
            lines = [.. lines.Select(Paint)];
        }

        return current is null ? [$"(new file, {SplitLines(proposed).Length} lines)", .. lines] : lines;
    }

    /// <summary>Returns the unified diff lines (" same", "-old", "+new") of the hunks that change; "(no change)" when none does.</summary>
    internal static IReadOnlyList<string> Lines(string before, string after)
    {
        string[] a = SplitLines(before);
        string[] b = SplitLines(after);
        List<(char Op, string Text)> script = Script(a, b);
        var lines = new List<string>();
        int i = 0;
        while (i < script.Count)
        {
            int change = script.FindIndex(i, edit => edit.Op != ' ');
            if (change < 0)
            {
                break;
            }

            // A hunk runs from 3 lines before its first change to 3 lines after its last, merging changes closer than 6.
            int from = Math.Max(i, change - Context);
            int to = change;
            while (true)
            {
                int next = script.FindIndex(to + 1, edit => edit.Op != ' ');
                if (next < 0 || next - to > 2 * Context)
                {
                    break;
                }

                to = next;
            }

            to = Math.Min(script.Count - 1, to + Context);
            int oldStart = 1 + script.Take(from).Count(edit => edit.Op != '+');
            int newStart = 1 + script.Take(from).Count(edit => edit.Op != '-');
            List<(char Op, string Text)> hunk = script.GetRange(from, to - from + 1);
            int oldCount = hunk.Count(edit => edit.Op != '+');
            int newCount = hunk.Count(edit => edit.Op != '-');
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"@@ -{(oldCount == 0 ? oldStart - 1 : oldStart)},{oldCount} +{(newCount == 0 ? newStart - 1 : newStart)},{newCount} @@"));
            lines.AddRange(hunk.Select(edit => edit.Op + edit.Text));
            i = to + 1;
        }

        if (lines.Count == 0)
        {
            lines.Add("(no change)");
        }

        return lines;
    }

    /// <summary>Red for removed lines, green for added, cyan for hunk headers (ANSI).</summary>
    internal static string Paint(string line) => line switch
    {
        ['@', '@', ..] => $"\u001b[36m{line}\u001b[0m",
        ['-', ..] => $"\u001b[31m{line}\u001b[0m",
        ['+', ..] => $"\u001b[32m{line}\u001b[0m",
        _ => line,
    };

    /// <summary>The edit script: common lines (' '), removed ('-') and added ('+'), from a longest common subsequence.</summary>
    private static List<(char Op, string Text)> Script(string[] a, string[] b)
    {
        int start = 0;
        while (start < a.Length && start < b.Length && a[start] == b[start])
        {
            start++;
        }

        int endA = a.Length;
        int endB = b.Length;
        while (endA > start && endB > start && a[endA - 1] == b[endB - 1])
        {
            endA--;
            endB--;
        }

        var script = new List<(char, string)>(a.Length + b.Length);
        script.AddRange(a[..start].Select(line => (' ', line)));
        int n = endA - start;
        int m = endB - start;
        if ((long)n * m > MaxAlignment)
        {
            script.AddRange(a[start..endA].Select(line => ('-', line)));
            script.AddRange(b[start..endB].Select(line => ('+', line)));
        }
        else
        {
            // lcs[i, j]: the longest common subsequence of a[start+i..endA] and b[start+j..endB].
            int[,] lcs = new int[n + 1, m + 1];
            for (int i = n - 1; i >= 0; i--)
            {
                for (int j = m - 1; j >= 0; j--)
                {
                    lcs[i, j] = a[start + i] == b[start + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
                }
            }

            int x = 0;
            int y = 0;
            while (x < n || y < m)
            {
                if (x < n && y < m && a[start + x] == b[start + y])
                {
                    script.Add((' ', a[start + x]));
                    x++;
                    y++;
                }
                else if (x < n && (y == m || lcs[x + 1, y] >= lcs[x, y + 1]))
                {
                    // Removals before additions, as diff prints them.
                    script.Add(('-', a[start + x]));
                    x++;
                }
                else
                {
                    script.Add(('+', b[start + y]));
                    y++;
                }
            }
        }

        script.AddRange(a[endA..].Select(line => (' ', line)));
        return script;
    }

    /// <summary>The lines of a text; a final newline ends the last line rather than starting an empty one.</summary>
    private static string[] SplitLines(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        string[] lines = text.ReplaceLineEndings("\n").Split('\n');
        return lines[^1].Length == 0 ? lines[..^1] : lines;
    }

    private static string? Edit(string? current, string? oldText, string? newText, bool replaceAll)
    {
        if (current is null || oldText is null || newText is null)
        {
            return null;
        }

        int at = current.IndexOf(oldText, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        return replaceAll ? current.Replace(oldText, newText, StringComparison.Ordinal) : string.Concat(current.AsSpan(0, at), newText, current.AsSpan(at + oldText.Length));
    }

    private static string? Read(string workspace, string path)
    {
        try
        {
            // The same confinement as the tools: a preview never reads outside the workspace.
            string full = new Allos.Tools.Workspace(workspace).Resolve(path);
            return File.Exists(full) && new FileInfo(full).Length < 1_000_000 ? File.ReadAllText(full) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or Allos.Tools.ToolException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement arguments, string name) =>
        arguments.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
