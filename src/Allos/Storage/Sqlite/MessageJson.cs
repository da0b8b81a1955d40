using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Allos.Tools;
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

    /// <summary>Reads a stored message; a tool result with images comes back as its list of contents (see <see cref="ToolResultMedia"/>).</summary>
    public static ChatMessage Deserialize(string json) =>
        ToolResultMedia.Restore(JsonSerializer.Deserialize(json, MessageType) ?? throw new JsonException("A stored message is empty."));

    /// <summary>
    /// The text indexed for search: the message's text parts, and its tool calls (name and argument values) and tool
    /// results (images as a line naming them, never their bytes); not reasoning, whose text is the model's private working.
    /// </summary>
    public static string SearchText(ChatMessage message)
    {
        var builder = new StringBuilder();
        foreach (AIContent content in message.Contents)
        {
            switch (content)
            {
                case TextContent { Text: { Length: > 0 } text }:
                    Append(builder, text);
                    break;
                case FunctionCallContent call:
                    Append(builder, call.Name);
                    foreach (object? value in call.Arguments?.Values ?? [])
                    {
                        Append(builder, ValueText(value));
                    }

                    break;
                case FunctionResultContent result:
                    Append(builder, ToolResultMedia.Parts(result.Result) is { } parts ? ToolResultMedia.Text(parts) : ValueText(result.Result));
                    break;
            }
        }

        return builder.ToString();
    }

    private static void Append(StringBuilder builder, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        if (builder.Length > 0)
        {
            builder.Append('\n');
        }

        builder.Append(text);
    }

    /// <summary>A value as a person would search for it: a string without its quotes, anything else as its JSON.</summary>
    private static string? ValueText(object? value) => value switch
    {
        null => null,
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
        JsonElement element => element.GetRawText(),
        TextContent text => text.Text,
        _ => Serialized(value),
    };

    private static string? Serialized(object value)
    {
        try
        {
            return JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()));
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException)
        {
            // A type without JSON metadata is still searchable by what it says of itself.
            return value.ToString();
        }
    }
}
