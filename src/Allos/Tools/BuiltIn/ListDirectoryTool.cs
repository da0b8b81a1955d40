using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Allos.Tools.BuiltIn;

/// <summary><c>list_directory(path?, recursive?)</c>: a folder's entries, folders suffixed with <c>/</c>.</summary>
internal static class ListDirectoryTool
{
    /// <summary>The most entries one call lists.</summary>
    internal const int MaxEntries = 1_000;

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "description": "The folder to list, relative to the workspace root (or absolute inside it). Default: the root." },
            "recursive": { "type": "boolean", "description": "List everything below the folder, not only its direct entries. Default: false." }
          },
          "additionalProperties": false
        }
        """;

    public static Tool Create() => Tool.Create(
        "list_directory",
        "Lists a folder of the workspace, sorted by name; folders end with '/', and named pipes, devices and sockets are marked like 'name [named pipe]'. Paths are relative to the workspace root. "
        + "With recursive, lists everything below it. The folders .git, bin, obj and node_modules are left out, and linked folders are not entered.",
        Schema,
        List,
        ToolRisk.ReadOnly,
        permission: null);

    private static ValueTask<object?> List(JsonElement arguments, ToolContext context, CancellationToken cancellationToken)
    {
        string? path = ToolArguments.GetString(arguments, "path");
        bool recursive = ToolArguments.GetBoolean(arguments, "recursive") ?? false;
        string full = context.Workspace.Resolve(path);
        string relative = context.Workspace.ToRelative(full);
        if (File.Exists(full))
        {
            throw new ToolException($"'{relative}' is a file, not a directory; use read_file to read it.");
        }

        if (!Directory.Exists(full))
        {
            throw new ToolException($"Directory not found: '{relative}' does not exist in the workspace.");
        }

        var output = new StringBuilder();
        int count = 0;
        bool capped = !Append(new DirectoryInfo(full), context.Workspace, recursive, output, ref count, cancellationToken);
        if (count == 0)
        {
            return ValueTask.FromResult<object?>($"({relative} is empty)");
        }

        if (capped)
        {
            output.Append(CultureInfo.InvariantCulture,
                $"[... more entries not shown: the listing is capped at {MaxEntries:N0} entries. List a subfolder, or use glob to narrow it ...]\n");
        }

        return ValueTask.FromResult<object?>(output.ToString());
    }

    /// <summary>Appends a folder's entries; false when the cap was reached with entries left over.</summary>
    private static bool Append(DirectoryInfo folder, Workspace workspace, bool recursive, StringBuilder output, ref int count, CancellationToken cancellationToken)
    {
        foreach (FileSystemInfo entry in FileTree.Children(folder))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (count == MaxEntries)
            {
                return false;
            }

            bool isDirectory = FileTree.IsDirectory(entry);
            output.Append(workspace.ToRelative(entry.FullName));
            if (isDirectory)
            {
                output.Append('/');
            }
            else if (SpecialFile.KindOf(entry.FullName) is { } kind)
            {
                // Named so the model does not try to read it; a pipe, device or socket is listed, never opened.
                output.Append(" [").Append(kind).Append(']');
            }

            output.Append('\n');
            count++;

            // Linked folders are shown but not entered: they may point out of the workspace or back up the tree.
            if (recursive && isDirectory && entry.LinkTarget is null
                && !Append((DirectoryInfo)entry, workspace, recursive, output, ref count, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }
}
