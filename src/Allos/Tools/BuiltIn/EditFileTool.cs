using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Allos.Tools.BuiltIn;

/// <summary><c>edit_file(path, old_text, new_text, replace_all?)</c>: replaces an exact, unique piece of a text file.</summary>
internal static class EditFileTool
{
    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "description": "The file to edit, relative to the workspace root (or absolute inside it)." },
            "old_text": { "type": "string", "description": "The exact text to replace, including whitespace and indentation (without read_file's line-number prefixes). It must occur exactly once unless replace_all is true; include surrounding lines to make it unique." },
            "new_text": { "type": "string", "description": "The text to put in its place." },
            "replace_all": { "type": "boolean", "description": "Replace every occurrence of old_text instead of requiring exactly one. Default: false." }
          },
          "required": ["path", "old_text", "new_text"],
          "additionalProperties": false
        }
        """;

    public static Tool Create() => Tool.Create(
        "edit_file",
        "Edits a text file of the workspace by replacing old_text with new_text. old_text must match the file exactly (whitespace included) "
        + "and occur once, unless replace_all is true. The file's line endings and encoding are kept. Read the file first.",
        Schema,
        EditAsync,
        ToolRisk.Writes,
        ToolPermission.Ask);

    private static async ValueTask<object?> EditAsync(JsonElement arguments, ToolContext context, CancellationToken cancellationToken)
    {
        string path = ToolArguments.GetRequiredString(arguments, "path");
        string oldText = ToolArguments.GetRequiredString(arguments, "old_text");
        string newText = ToolArguments.GetRequiredString(arguments, "new_text");
        bool replaceAll = ToolArguments.GetBoolean(arguments, "replace_all") ?? false;
        if (oldText.Length == 0)
        {
            throw new ToolException("old_text must not be empty; to create or overwrite a file use write_file.");
        }

        if (oldText == newText)
        {
            throw new ToolException("old_text and new_text are the same; there is nothing to change.");
        }

        string full = context.Workspace.Resolve(path);
        string relative = context.Workspace.ToRelative(full);
        if (!File.Exists(full) && !Directory.Exists(full))
        {
            throw new ToolException($"File not found: '{relative}' does not exist in the workspace (use write_file to create it).");
        }

        ReadFileTool.EnsureReadableTextFile(full, relative, "edit_file");

        string content;
        Encoding encoding;
        using (var reader = new StreamReader(full, WriteFileTool.Utf8NoBom, detectEncodingFromByteOrderMarks: true))
        {
            content = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            encoding = reader.CurrentEncoding;
        }

        int count = Count(content, oldText);
        if (count == 0 && content.Contains("\r\n", StringComparison.Ordinal) && oldText.Contains('\n', StringComparison.Ordinal))
        {
            // Models write "\n"; keep a CRLF file CRLF by matching and replacing in its own line endings.
            string crlfOld = ToCrlf(oldText);
            count = Count(content, crlfOld);
            if (count > 0)
            {
                oldText = crlfOld;
                newText = ToCrlf(newText);
            }
        }

        if (count == 0)
        {
            throw new ToolException(
                $"old_text was not found in {relative}. It must match the file exactly, including whitespace, indentation and line breaks; "
                + "read the file again and copy the text without the line-number prefixes.");
        }

        if (count > 1 && !replaceAll)
        {
            throw new ToolException(string.Create(CultureInfo.InvariantCulture,
                $"old_text matches {count} places in {relative}; add surrounding lines to make it unique, or set replace_all to true to replace every occurrence."));
        }

        string updated = replaceAll ? content.Replace(oldText, newText, StringComparison.Ordinal) : ReplaceFirst(content, oldText, newText);
        await File.WriteAllTextAsync(full, updated, encoding, cancellationToken).ConfigureAwait(false);
        return string.Create(CultureInfo.InvariantCulture, $"Replaced {count} occurrence{(count == 1 ? "" : "s")} in {relative}");
    }

    private static int Count(string content, string value)
    {
        int count = 0;
        for (int index = content.IndexOf(value, StringComparison.Ordinal); index >= 0; index = content.IndexOf(value, index + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string ReplaceFirst(string content, string oldText, string newText)
    {
        int index = content.IndexOf(oldText, StringComparison.Ordinal);
        return string.Concat(content.AsSpan(0, index), newText, content.AsSpan(index + oldText.Length));
    }

    private static string ToCrlf(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
}
