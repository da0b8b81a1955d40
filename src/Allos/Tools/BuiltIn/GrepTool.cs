using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Allos.Security;

namespace Allos.Tools.BuiltIn;

/// <summary><c>grep(pattern, path?, include?)</c>: the lines of the workspace's text files that match a .NET regular expression.</summary>
internal static class GrepTool
{
    /// <summary>The most matching lines one call returns.</summary>
    internal const int MaxMatches = 200;

    /// <summary>The longest line shown; longer ones (minified files) are cut.</summary>
    internal const int MaxLineCharacters = 500;

    /// <summary>Files larger than this are skipped (logs, dumps) to keep one call quick.</summary>
    internal const long MaxFileBytes = 10 * 1024 * 1024;

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(2);

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "pattern": { "type": "string", "description": "A .NET regular expression matched against each line, case-sensitive (start it with (?i) to ignore case)." },
            "path": { "type": "string", "description": "The file or folder to search, relative to the workspace root (or absolute inside it). Default: the root." },
            "include": { "type": "string", "description": "Only search files matching this glob, e.g. '*.cs' (matched against file names) or 'src/**/*.ts' (matched against paths relative to path)." }
          },
          "required": ["pattern"],
          "additionalProperties": false
        }
        """;

    public static Tool Create() => Tool.Create(
        "grep",
        "Searches the contents of text files with a .NET regular expression and returns matching lines as 'path:line: text' (paths relative to the workspace root). "
        + "Binary files, files that usually hold secrets (.env, private keys), named pipes, devices, sockets and the folders .git, bin, obj and node_modules are skipped; at most 200 matches are returned.",
        Schema,
        SearchAsync,
        ToolRisk.ReadOnly,
        permission: null);

    private static async ValueTask<object?> SearchAsync(JsonElement arguments, ToolContext context, CancellationToken cancellationToken)
    {
        string patternText = ToolArguments.GetRequiredString(arguments, "pattern");
        string? includeText = ToolArguments.GetString(arguments, "include");
        Regex regex;
        try
        {
            regex = new Regex(patternText, RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (ArgumentException exception)
        {
            throw new ToolException($"The pattern is not a valid .NET regular expression: {exception.Message}", exception);
        }

        GlobPattern? include = string.IsNullOrWhiteSpace(includeText) ? null : GlobPattern.Parse(includeText);
        Workspace workspace = context.Workspace;
        string full = workspace.Resolve(ToolArguments.GetString(arguments, "path"));
        string relative = workspace.ToRelative(full);

        IEnumerable<FileInfo> files;
        string searchRoot;
        if (File.Exists(full))
        {
            ReadFileTool.EnsureNotSpecial(full, relative, "grep");
            files = [new FileInfo(full)];
            searchRoot = Path.GetDirectoryName(full)!;
        }
        else if (Directory.Exists(full))
        {
            files = FileTree.Files(new DirectoryInfo(full), cancellationToken);
            searchRoot = full;
        }
        else
        {
            throw new ToolException($"Not found: '{relative}' does not exist in the workspace.");
        }

        var output = new StringBuilder();
        var skippedSecrets = new List<string>();
        int matches = 0;
        bool capped = false;
        foreach (FileInfo file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string fromRoot = Path.GetRelativePath(searchRoot, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if ((include is not null && !include.IsMatchFileOrPath(fromRoot))
                || !FileTree.IsReadable(workspace, file) || file.Length > MaxFileBytes)
            {
                continue;
            }

            // Checked before the content: a search must not dump keys that read_file would ask about first.
            if (SensitiveFiles.IsSensitive(file.FullName, workspace))
            {
                skippedSecrets.Add(workspace.ToRelative(file.FullName));
                continue;
            }

            if (FileTree.IsBinary(file.FullName))
            {
                continue;
            }

            string shownPath = workspace.ToRelative(file.FullName);
            using var reader = new StreamReader(file.FullName, Encoding.UTF8, detectEncodingFromByteOrderMarks: true,
                new FileStreamOptions { Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete, Options = FileOptions.SequentialScan });
            int lineNumber = 0;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                lineNumber++;
                if (!IsMatch(regex, line, shownPath, lineNumber))
                {
                    continue;
                }

                if (matches == MaxMatches)
                {
                    capped = true;
                    break;
                }

                matches++;
                string shown = line.Length > MaxLineCharacters ? string.Concat(line.AsSpan(0, MaxLineCharacters), " [... line cut ...]") : line;
                output.Append(shownPath).Append(':').Append(lineNumber.ToString(CultureInfo.InvariantCulture)).Append(": ").Append(shown).Append('\n');
            }

            if (capped)
            {
                break;
            }
        }

        string skipped = skippedSecrets.Count == 0 ? "" : SkippedNote(skippedSecrets);
        if (matches == 0)
        {
            return $"No matches for /{patternText}/ in {relative}{(include is null ? "" : $" (files matching '{includeText}')")}.{(skipped.Length > 0 ? "\n" + skipped : "")}";
        }

        if (capped)
        {
            output.Append(CultureInfo.InvariantCulture,
                $"[... more matches not shown: results are capped at {MaxMatches} matches. Narrow the pattern, the path or include ...]\n");
        }

        return output.Append(skipped).ToString();
    }

    private static string SkippedNote(List<string> files)
    {
        string shown = string.Join(", ", files.Take(10)) + (files.Count > 10 ? $" and {files.Count - 10} more" : "");
        return $"[skipped {files.Count} file(s) that usually hold secrets, without searching them: {shown}. Use read_file on one to read it; that asks the user first.]\n";
    }

    private static bool IsMatch(Regex regex, string line, string path, int lineNumber)
    {
        try
        {
            return regex.IsMatch(line);
        }
        catch (RegexMatchTimeoutException exception)
        {
            throw new ToolException(string.Create(CultureInfo.InvariantCulture,
                $"The regular expression took longer than {RegexTimeout.TotalSeconds:0} s on {path}:{lineNumber}; simplify it (avoid nested quantifiers)."), exception);
        }
    }
}
