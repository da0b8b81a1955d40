using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace Allos.Storage.Sqlite;

/// <summary>
/// Stores a message as the JSON Microsoft.Extensions.AI writes for it (the same form as run states), so every content
/// kind keeps its fields: tool calls with arguments, results, reasoning with its protected data, images.
/// </summary>
/// <remarks>
/// Images and other <see cref="DataContent"/> stay inline (a base64 data URI in the row): one file holds everything and
/// a session exports as is. <see cref="UriContent"/> is already a reference. Moving large blobs to a content-addressed
/// table is possible later without changing callers.
/// </remarks>
internal static class MessageJson
{
    private static readonly JsonTypeInfo<ChatMessage> MessageType =
        AllosJson.TypeInfo<ChatMessage>();

    public static string Serialize(ChatMessage message) => JsonSerializer.Serialize(message, MessageType);

    public static ChatMessage Deserialize(string json) =>
        JsonSerializer.Deserialize(json, MessageType) ?? throw new JsonException("A stored message is empty.");

    /// <summary>The text indexed for search: the message's text parts (not tool arguments, results or reasoning).</summary>
    public static string SearchText(ChatMessage message)
    {
        StringBuilder? builder = null;
        string? single = null;
        foreach (AIContent content in message.Contents)
        {
            if (content is TextContent { Text: { Length: > 0 } text })
            {
                if (single is null)
                {
                    single = text;
                }
                else
                {
                    builder ??= new StringBuilder(single);
                    builder.Append('\n').Append(text);
                }
            }
        }

        return builder?.ToString() ?? single ?? "";
    }
}
