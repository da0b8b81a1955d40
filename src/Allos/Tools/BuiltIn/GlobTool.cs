using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Allos.Tools.BuiltIn;

/// <summary><c>glob(pattern, path?)</c>: the files whose path (relative to the folder) matches a glob.</summary>
internal static class GlobTool
{
    /// <summary>The most paths one call returns.</summary>
    internal const int MaxResults = 1_000;

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "pattern": { "type": "string", "description": "The glob, relative to path: '*' matches within a folder, '**' any number of folders, '?' one character, '{a,b}' either. Examples: '**/*.cs', 'src/*.json', '**/{README,CHANGELOG}.md'." },
            "path": { "type": "string", "description": "The folder to search from, relative to the workspace root (or absolute inside it). Default: the root." }
          },
          "required": ["pattern"],
          "additionalProperties": false
        }
        """;

    public static Tool Create() => Tool.Create(
        "glob",
        "Finds files by name pattern. Returns matching file paths relative to the workspace root, sorted. "
        + "The pattern is matched against each file's path relative to the search folder, so '*.cs' finds only the folder's own files and '**/*.cs' finds them at any depth. "
        + "The folders .git, bin, obj and node_modules are skipped, and so are named pipes, devices and sockets.",
        Schema,
        Find,
        ToolRisk.ReadOnly,
        permission: null);

    private static ValueTask<object?> Find(JsonElement arguments, ToolContext context, CancellationToken cancellationToken)
    {
        GlobPattern pattern = GlobPattern.Parse(ToolArguments.GetRequiredString(arguments, "pattern"));
        string full = context.Workspace.Resolve(ToolArguments.GetString(arguments, "path"));
        string relative = context.Workspace.ToRelative(full);
        if (!Directory.Exists(full))
        {
            throw new ToolException(File.Exists(full)
                ? $"'{relative}' is a file; path must be a directory."
                : $"Directory not found: '{relative}' does not exist in the workspace.");
        }

        var matches = new List<string>();
        foreach (FileInfo file in FileTree.Files(new DirectoryInfo(full), cancellationToken))
        {
            string fromBase = Path.GetRelativePath(full, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (pattern.IsMatch(fromBase))
            {
                matches.Add(context.Workspace.ToRelative(file.FullName));
            }
        }

        if (matches.Count == 0)
        {
            return ValueTask.FromResult<object?>($"No files match '{pattern.Pattern}' in {relative}.");
        }

        matches.Sort(StringComparer.Ordinal);
        var output = new StringBuilder();
        foreach (string match in matches.Take(MaxResults))
        {
            output.Append(match).Append('\n');
        }

        if (matches.Count > MaxResults)
        {
            output.Append(CultureInfo.InvariantCulture,
                $"[... {matches.Count - MaxResults:N0} more files not shown ({matches.Count:N0} matched; the first {MaxResults:N0} are listed). Narrow the pattern or the path ...]\n");
        }

        return ValueTask.FromResult<object?>(output.ToString());
    }
}
