using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Allos.Tools.BuiltIn;

/// <summary><c>write_file(path, content)</c>: creates or overwrites a text file, creating its folders.</summary>
internal static class WriteFileTool
{
    internal static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "description": "The file to write, relative to the workspace root (or absolute inside it). Missing folders are created." },
            "content": { "type": "string", "description": "The complete new content of the file." }
          },
          "required": ["path", "content"],
          "additionalProperties": false
        }
        """;

    public static Tool Create() => Tool.Create(
        "write_file",
        "Writes a text file of the workspace (UTF-8), replacing it if it exists and creating missing folders. "
        + "To change part of an existing file, prefer edit_file.",
        Schema,
        WriteAsync,
        ToolRisk.Writes,
        ToolPermission.Ask);

    private static async ValueTask<object?> WriteAsync(JsonElement arguments, ToolContext context, CancellationToken cancellationToken)
    {
        string path = ToolArguments.GetRequiredString(arguments, "path");
        string content = ToolArguments.GetRequiredString(arguments, "content");
        string full = context.Workspace.Resolve(path);
        string relative = context.Workspace.ToRelative(full);
        if (Directory.Exists(full))
        {
            throw new ToolException($"'{relative}' is a directory; give a file path.");
        }

        ReadFileTool.EnsureNotSpecial(full, relative, "write_file");

        if (Path.GetDirectoryName(full) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        byte[] bytes = Utf8NoBom.GetBytes(content);
        await File.WriteAllBytesAsync(full, bytes, cancellationToken).ConfigureAwait(false);
        return string.Create(CultureInfo.InvariantCulture, $"Wrote {bytes.Length} bytes to {relative}");
    }
}
