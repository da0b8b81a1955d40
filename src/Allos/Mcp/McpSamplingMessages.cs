using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;

// Sampling is deprecated from protocol 2026-07-28, but servers on earlier versions still ask for it.
#pragma warning disable MCP9005

namespace Allos.Mcp;

/// <summary>
/// A <c>sampling/createMessage</c> request as chat messages and options, and the model's answer as its result. Text and
/// images are sent as they are; what providers cannot be sent (audio, tool blocks) is described in a line.
/// </summary>
internal static class McpSamplingMessages
{
    public static IReadOnlyList<ChatMessage> ToChatMessages(CreateMessageRequestParams request)
    {
        var result = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(request.SystemPrompt))
        {
            result.Add(new ChatMessage(ChatRole.System, request.SystemPrompt));
        }

        foreach (SamplingMessage message in request.Messages)
        {
            ChatRole role = message.Role == Role.Assistant ? ChatRole.Assistant : ChatRole.User;
            result.Add(new ChatMessage(role, [.. message.Content.Select(ToContent)]));
        }

        return result;
    }

    /// <summary>The request's limits. Only <c>includeContext: none</c> is honoured, so the request's messages are all the model sees.</summary>
    public static ChatOptions ToOptions(CreateMessageRequestParams request, string? model) => new()
    {
        ModelId = model,
        MaxOutputTokens = request.MaxTokens,
        Temperature = request.Temperature,
        StopSequences = request.StopSequences is { Count: > 0 } stops ? [.. stops] : null,
    };

    public static CreateMessageResult ToResult(ChatResponse response, string? requestedModel)
    {
        List<ContentBlock> content = [];
        foreach (AIContent part in response.Messages.Where(message => message.Role == ChatRole.Assistant).SelectMany(message => message.Contents))
        {
            switch (part)
            {
                case TextContent { Text.Length: > 0 } text:
                    content.Add(new TextContentBlock { Text = text.Text });
                    break;
                case DataContent data when data.HasTopLevelMediaType("image"):
                    content.Add(ImageContentBlock.FromBytes(data.Data, data.MediaType));
                    break;
            }
        }

        if (content.Count == 0)
        {
            content.Add(new TextContentBlock { Text = "" });
        }

        return new CreateMessageResult
        {
            Role = Role.Assistant,
            Content = content,
            Model = response.ModelId ?? requestedModel ?? "unknown",
            StopReason = StopReason(response.FinishReason),
        };
    }

    /// <summary>
    /// Providers report a stop sequence as an ordinary stop (OpenAI always, Allos's Anthropic codec too), so it is
    /// <c>endTurn</c> unless a client passed the reason through as it came.
    /// </summary>
    internal static string? StopReason(ChatFinishReason? reason) =>
        reason is not { } known ? null
        : known == ChatFinishReason.Stop ? "endTurn"
        : known == ChatFinishReason.Length ? "maxTokens"
        : known.Value is "stop_sequence" or "stopSequence" ? "stopSequence"
        : known == ChatFinishReason.ToolCalls ? "endTurn"
        : known.Value;

    private static AIContent ToContent(ContentBlock block) => block switch
    {
        TextContentBlock text => new TextContent(text.Text),
        ImageContentBlock image => new DataContent(image.DecodedData, image.MimeType),
        AudioContentBlock audio => new TextContent($"[audio: {audio.MimeType}, {audio.DecodedData.Length} bytes; not sent to the model]"),
        _ => new TextContent($"[{block.Type} content; not sent to the model]"),
    };
}
