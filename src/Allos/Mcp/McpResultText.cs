using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Allos.Mcp;

/// <summary>
/// What the model reads for an MCP tool result. Text blocks are kept as they are, structured content is added as JSON
/// when no text block already carries it, and audio and resources are described by a line (type, size, address) rather
/// than dropped. Images are pictures for the model: <see cref="Contents"/> keeps each one as a <see cref="DataContent"/>
/// between the text parts (the codecs send it as their provider's image block); <see cref="Of"/>, the text alone (for
/// errors), describes them by a line.
/// </summary>
internal static class McpResultText
{
    /// <summary>The result as one text; images are described by a line.</summary>
    public static string Of(CallToolResult result) => string.Join("\n", Parts(result).Select(part => part as string ?? Describe((ImageContentBlock)part)));

    /// <summary>
    /// The result as the model should see it: the text of <see cref="Of"/> when it has no image, else a list of
    /// <see cref="TextContent"/> (consecutive lines joined as <see cref="Of"/> joins them) and one <see cref="DataContent"/> per image.
    /// </summary>
    public static object Contents(CallToolResult result)
    {
        List<object> parts = Parts(result);
        if (!parts.Any(part => part is ImageContentBlock))
        {
            return string.Join("\n", parts);
        }

        var contents = new List<AIContent>();
        var lines = new List<string>();
        foreach (object part in parts)
        {
            if (part is string line)
            {
                lines.Add(line);
                continue;
            }

            var image = (ImageContentBlock)part;
            ReadOnlyMemory<byte> bytes;
            try
            {
                bytes = image.DecodedData;
            }
            catch (FormatException)
            {
                lines.Add($"[image: {image.MimeType}; the server sent data that is not valid base64]");
                continue;
            }

            Flush();
            contents.Add(new DataContent(bytes, image.MimeType));
        }

        Flush();
        return contents;

        void Flush()
        {
            if (lines.Count > 0)
            {
                contents.Add(new TextContent(string.Join("\n", lines)));
                lines.Clear();
            }
        }
    }

    /// <summary>Each block as its text, except images, which stay blocks.</summary>
    private static List<object> Parts(CallToolResult result)
    {
        var parts = new List<object>();
        foreach (ContentBlock block in result.Content)
        {
            parts.Add(block switch
            {
                TextContentBlock text => text.Text,
                ImageContentBlock image => image,
                AudioContentBlock audio => $"[audio: {audio.MimeType}, {Size(audio.Data)}]",
                ResourceLinkBlock link => $"[resource: {link.Uri}{(link.Name is { Length: > 0 } name ? $" ({name})" : "")}{(link.Description is { Length: > 0 } d ? $": {d}" : "")}]",
                EmbeddedResourceBlock { Resource: TextResourceContents resource } => resource.Text,
                EmbeddedResourceBlock { Resource: BlobResourceContents blob } => $"[resource: {blob.Uri}, {blob.MimeType}]",
                _ => JsonSerializer.Serialize(block, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ContentBlock))),
            });
        }

        if (result.StructuredContent is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } structured)
        {
            string json = structured.GetRawText();
            if (!parts.Any(part => part is string text && SameJson(text, structured)))
            {
                parts.Add(json);
            }
        }

        return parts;
    }

    private static string Describe(ImageContentBlock image) => $"[image: {image.MimeType}, {Size(image.Data)}]";

    private static string Size(ReadOnlyMemory<byte> base64)
    {
        ReadOnlySpan<byte> text = base64.Span.TrimEnd("\r\n"u8);
        long bytes = (text.Length * 3L / 4) - (text.EndsWith("=="u8) ? 2 : text.EndsWith("="u8) ? 1 : 0);
        return bytes >= 1024 ? $"{(bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture)} KB" : $"{bytes.ToString(CultureInfo.InvariantCulture)} bytes";
    }

    /// <summary>Servers usually repeat structured content in a text block (for older clients): then it is not sent twice.</summary>
    private static bool SameJson(string text, JsonElement structured)
    {
        try
        {
            using JsonDocument parsed = JsonDocument.Parse(Encoding.UTF8.GetBytes(text));
            return JsonElement.DeepEquals(parsed.RootElement, structured);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
