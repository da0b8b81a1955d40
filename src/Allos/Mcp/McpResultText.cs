using System.Globalization;
using System.Text;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Allos.Mcp;

/// <summary>
/// What the model reads for an MCP tool result. Allos sends tool results as text (every provider accepts that), so text
/// blocks are kept as they are, structured content is added as JSON when no text block already carries it, and images,
/// audio and resources are described by a line (type, size, address) rather than dropped.
/// </summary>
internal static class McpResultText
{
    public static string Of(CallToolResult result)
    {
        var parts = new List<string>();
        foreach (ContentBlock block in result.Content)
        {
            parts.Add(block switch
            {
                TextContentBlock text => text.Text,
                ImageContentBlock image => $"[image: {image.MimeType}, {Size(image.Data)}; images from MCP tools are not shown to the model as pictures]",
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
            if (!parts.Any(part => SameJson(part, structured)))
            {
                parts.Add(json);
            }
        }

        return string.Join("\n", parts);
    }

    private static string Size(ReadOnlyMemory<byte> base64)
    {
        long bytes = base64.Length * 3L / 4;
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
