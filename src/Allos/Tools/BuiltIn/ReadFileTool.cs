using System.Globalization;
using System.Text;
using System.Text.Json;
using Allos.Security;

namespace Allos.Tools.BuiltIn;

/// <summary><c>read_file(path, start_line?, end_line?)</c>: a text file's lines, numbered so the model can cite them.</summary>
internal static class ReadFileTool
{
    /// <summary>The most text one call returns (characters, about 256 KB); the rest is named in a marker.</summary>
    internal const int MaxOutputCharacters = 256 * 1024;

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "description": "The file to read, relative to the workspace root (or absolute inside it)." },
            "start_line": { "type": "integer", "minimum": 1, "description": "The first line to return, 1-based. Default: 1." },
            "end_line": { "type": "integer", "minimum": 1, "description": "The last line to return, 1-based and inclusive. Default: the end of the file." }
          },
          "required": ["path"],
          "additionalProperties": false
        }
        """;

    public static Tool Create() => Tool.Create(
        "read_file",
        "Reads a text file of the workspace. Each line is prefixed with its 1-based number and a tab (as cat -n does); the numbers are not part of the file. "
        + "Use start_line and end_line to read part of a large file. Binary files are refused; very long output is cut with a note saying how to read on.",
        Schema,
        ReadAsync,
        ToolRisk.ReadOnly,
        permission: null).WithApprovalCheck(SecretFileCheck);

    /// <summary>
    /// A read-only tool runs without asking, but a file that conventionally holds secrets (<c>.env</c>, private keys,
    /// credential files) would put them in the conversation: such a read asks first.
    /// </summary>
    internal static string? SecretFileCheck(ToolApprovalContext context)
    {
        if (context.Arguments.ValueKind != JsonValueKind.Object
            || !context.Arguments.TryGetProperty("path", out JsonElement path) || path.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        string requested = path.GetString()!;
        return SensitiveFiles.IsSensitive(requested, context.Workspace)
            ? $"'{context.ToolName}' reads {requested}, a file that usually holds secrets (keys, passwords, tokens)"
            : null;
    }

    private static async ValueTask<object?> ReadAsync(JsonElement arguments, ToolContext context, CancellationToken cancellationToken)
    {
        string path = ToolArguments.GetRequiredString(arguments, "path");
        int start = ToolArguments.GetInt32(arguments, "start_line") ?? 1;
        int? end = ToolArguments.GetInt32(arguments, "end_line");
        if (start < 1)
        {
            throw new ToolException($"start_line must be 1 or more (got {start}).");
        }

        if (end < start)
        {
            throw new ToolException($"end_line ({end}) must not be less than start_line ({start}).");
        }

        string full = context.Workspace.Resolve(path);
        string relative = context.Workspace.ToRelative(full);
        EnsureReadableTextFile(full, relative, "read_file");

        var output = new StringBuilder();
        int lineNumber = 0;
        int lastShown = 0;
        bool capped = false;
        using var reader = new StreamReader(full, Encoding.UTF8, detectEncodingFromByteOrderMarks: true,
            new FileStreamOptions { Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete, Options = FileOptions.SequentialScan });
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (capped || lineNumber < start)
            {
                continue;
            }

            if (lineNumber > end)
            {
                break;
            }

            string numbered = lineNumber.ToString(CultureInfo.InvariantCulture).PadLeft(6) + "\t" + line + "\n";
            if (output.Length + numbered.Length > MaxOutputCharacters)
            {
                if (lastShown == 0)
                {
                    // One line longer than the whole cap: show its start rather than nothing.
                    output.Append(numbered.AsSpan(0, MaxOutputCharacters)).Append('\n');
                    lastShown = lineNumber;
                }

                capped = true;
                continue;
            }

            output.Append(numbered);
            lastShown = lineNumber;
        }

        if (lineNumber == 0)
        {
            return $"({relative} is empty)";
        }

        if (start > lineNumber)
        {
            throw new ToolException($"start_line {start} is past the end of {relative}, which has {lineNumber} lines.");
        }

        if (capped)
        {
            int lastWanted = end is { } e ? Math.Min(e, lineNumber) : lineNumber;
            int omitted = lastWanted - lastShown;
            output.Append(CultureInfo.InvariantCulture,
                $"[... {omitted:N0} more lines omitted: output is capped at {MaxOutputCharacters / 1024} KB. Call read_file with start_line={lastShown + 1} to read on ...]\n");
        }

        return output.ToString();
    }

    /// <summary>Throws the error a model can act on when <paramref name="full"/> is not a readable text file.</summary>
    internal static void EnsureReadableTextFile(string full, string relative, string toolName)
    {
        if (Directory.Exists(full))
        {
            throw new ToolException($"'{relative}' is a directory, not a file; use list_directory to see what it holds.");
        }

        if (!File.Exists(full))
        {
            throw new ToolException($"File not found: '{relative}' does not exist in the workspace.");
        }

        EnsureNotSpecial(full, relative, toolName);
        if (FileTree.IsBinary(full))
        {
            throw new ToolException($"'{relative}' is a binary file (it contains NUL bytes); {toolName} only works on text files.");
        }
    }

    /// <summary>Refuses a named pipe, device or socket before anything opens it (opening a pipe blocks until a writer appears).</summary>
    internal static void EnsureNotSpecial(string full, string relative, string toolName)
    {
        if (SpecialFile.KindOf(full) is { } kind)
        {
            throw new ToolException($"'{relative}' is not a regular file (it is a {kind}); {toolName} only works on regular files.");
        }
    }
}
