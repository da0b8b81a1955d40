using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;

namespace Allos.Mcp;

/// <summary>An MCP prompt's messages as chat messages: what every provider can be sent, in the roles the server gave.</summary>
internal static class McpPromptMessages
{
    public static IReadOnlyList<ChatMessage> ToChatMessages(IEnumerable<PromptMessage> messages)
    {
        var result = new List<ChatMessage>();
        foreach (PromptMessage message in messages)
        {
            ChatRole role = message.Role == Role.Assistant ? ChatRole.Assistant : ChatRole.User;
            AIContent content = ToContent(message.Content);

            // Servers often split one turn (a question, then the resource it is about) into messages of one role; joined,
            // the turn reads as one and the last user turn is the whole question.
            if (result.Count > 0 && result[^1].Role == role)
            {
                IList<AIContent> contents = result[^1].Contents;
                if (contents[^1] is TextContent previous && content is TextContent next)
                {
                    contents[^1] = new TextContent($"{previous.Text}\n\n{next.Text}");
                }
                else
                {
                    contents.Add(content);
                }

                continue;
            }

            result.Add(new ChatMessage(role, [content]));
        }

        return result;
    }

    private static AIContent ToContent(ContentBlock block) => block switch
    {
        TextContentBlock text => new TextContent(text.Text),
        ImageContentBlock image => new DataContent(image.DecodedData, image.MimeType),
        EmbeddedResourceBlock { Resource: TextResourceContents resource } => new TextContent(resource.Text),
        EmbeddedResourceBlock { Resource: BlobResourceContents blob } when blob.MimeType?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true =>
            new DataContent(blob.DecodedData, blob.MimeType),

        // What providers cannot be sent is described, so the message still says it was there.
        EmbeddedResourceBlock { Resource: BlobResourceContents blob } => new TextContent($"[binary resource {blob.Uri}: {blob.MimeType ?? "unknown type"}, {blob.DecodedData.Length} bytes]"),
        AudioContentBlock audio => new TextContent($"[audio: {audio.MimeType}, {audio.DecodedData.Length} bytes]"),
        ResourceLinkBlock link => new TextContent($"[resource: {link.Uri}{(link.Name is { Length: > 0 } name ? $" ({name})" : "")}]"),
        _ => new TextContent($"[{block.Type} content]"),
    };
}
