using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace Allos.Tools;

/// <summary>
/// Tool results that carry pictures: a <see cref="FunctionResultContent.Result"/> that is a list of
/// <see cref="TextContent"/> and <see cref="DataContent"/> with at least one image. Every other result is text.
/// </summary>
/// <remarks>
/// Such a list is stored as Microsoft.Extensions.AI writes it (an array of <c>$type</c>-tagged contents) and reads back as
/// a <see cref="JsonElement"/>, because <see cref="FunctionResultContent.Result"/> is an <see cref="object"/>;
/// <see cref="Restore(ChatMessage)"/> turns it back into the list, so a resumed session sends the same request again.
/// </remarks>
internal static class ToolResultMedia
{
    private static readonly JsonTypeInfo<List<AIContent>> ContentsType = AllosJson.TypeInfo<List<AIContent>>();

    /// <summary>The parts of <paramref name="result"/> when it is text and images with at least one image; otherwise <see langword="null"/>.</summary>
    public static IReadOnlyList<AIContent>? Parts(object? result)
    {
        if (result is not IEnumerable<AIContent> contents || result is AIContent)
        {
            return null;
        }

        IReadOnlyList<AIContent> list = contents as IReadOnlyList<AIContent> ?? [.. contents];
        bool image = false;
        foreach (AIContent content in list)
        {
            if (content is DataContent data)
            {
                image |= data.HasTopLevelMediaType("image");
            }
            else if (content is not TextContent)
            {
                return null;
            }
        }

        return image ? list : null;
    }

    /// <summary>The images of a result, in order; empty for a text result.</summary>
    public static IEnumerable<DataContent> Images(FunctionResultContent result) =>
        Parts(result.Result)?.OfType<DataContent>().Where(d => d.HasTopLevelMediaType("image")) ?? [];

    /// <summary>The text of a result with images: its text parts, each image described by a line ("[image: image/png, 1.2 KB]").</summary>
    public static string Text(IReadOnlyList<AIContent> parts)
    {
        var builder = new StringBuilder();
        foreach (AIContent content in parts)
        {
            string text = content is DataContent data ? Describe(data) : ((TextContent)content).Text;
            if (text.Length == 0)
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            builder.Append(text);
        }

        return builder.ToString();
    }

    /// <summary>A line naming a picture or other data, without its bytes, with an optional note after its size.</summary>
    public static string Describe(DataContent data, string? note = null) =>
        $"[{TopLevel(data.MediaType)}: {data.MediaType}, {Size(data.Data.Length)}{(note is null ? "" : "; " + note)}]";

    /// <summary>A byte count as a person reads it: "512 bytes", "1.2 KB", "6.3 MB".</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1024 * 1024 => (bytes / (1024.0 * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        >= 1024 => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " bytes",
    };

    /// <summary>Turns stored results with images back into content lists (see the remarks); other results are left as they are.</summary>
    public static ChatMessage Restore(ChatMessage message)
    {
        foreach (AIContent content in message.Contents)
        {
            if (content is FunctionResultContent { Result: JsonElement { ValueKind: JsonValueKind.Array } stored } result && IsContentArray(stored))
            {
                List<AIContent>? parts = stored.Deserialize(ContentsType);
                if (Parts(parts) is not null)
                {
                    result.Result = parts;
                }
            }
        }

        return message;
    }

    /// <inheritdoc cref="Restore(ChatMessage)"/>
    public static void Restore(IEnumerable<ChatMessage> messages)
    {
        foreach (ChatMessage message in messages)
        {
            Restore(message);
        }
    }

    /// <summary>
    /// Only what this class writes: tagged text and data parts. A tool's own JSON array (results are stored as text, but a
    /// caller may build a <see cref="FunctionResultContent"/> from JSON) is left alone.
    /// </summary>
    private static bool IsContentArray(JsonElement array)
    {
        bool any = false;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("$type", out JsonElement type)
                || !(type.ValueEquals("text") || type.ValueEquals("data")))
            {
                return false;
            }

            any |= type.ValueEquals("data");
        }

        return any;
    }

    private static string TopLevel(string mediaType)
    {
        int slash = mediaType.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? mediaType[..slash] : "data";
    }
}
