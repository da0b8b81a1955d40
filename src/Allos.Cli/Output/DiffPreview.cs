using System.Text.Json;

namespace Allos.Cli.Output;

/// <summary>A short line diff of what <c>write_file</c> or <c>edit_file</c> would change, for the approval prompt.</summary>
internal static class DiffPreview
{
    private const int MaxLines = 40;

    public static IEnumerable<string> For(string tool, string workspace, string path, JsonElement arguments)
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
        if (current is null)
        {
            lines = [$"(new file, {proposed.Split('\n').Length} lines)", .. lines];
        }

        return lines.Count <= MaxLines ? lines : [.. lines.Take(MaxLines), $"… {lines.Count - MaxLines} more lines"];
    }

    /// <summary>Returns "- old" / "+ new" lines for the changed region: common leading and trailing lines are left out.</summary>
    internal static IReadOnlyList<string> Lines(string before, string after)
    {
        string[] a = before.Length == 0 ? [] : before.ReplaceLineEndings("\n").Split('\n');
        string[] b = after.Length == 0 ? [] : after.ReplaceLineEndings("\n").Split('\n');
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

        var lines = new List<string>();
        if (start > 0 || endA < a.Length)
        {
            lines.Add($"@@ line {start + 1} @@");
        }

        lines.AddRange(a[start..endA].Select(line => "- " + line));
        lines.AddRange(b[start..endB].Select(line => "+ " + line));
        if (lines.Count == 0 || (lines.Count == 1 && lines[0].StartsWith("@@", StringComparison.Ordinal)))
        {
            lines.Add("(no change)");
        }

        return lines;
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
