using System.Text.Json;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Anthropic;

/// <summary>
/// The <c>messages</c> array of a Messages API request, written straight from the caller's messages when the body is
/// serialized: a long history costs no object per message, and blocks other than text still go through
/// <see cref="AnthropicContentBlock"/>. The API wants user and assistant turns to alternate, so consecutive messages of
/// one role share a turn, and within a user turn the <c>tool_result</c> blocks come first.
/// </summary>
/// <remarks>
/// Each message is two segments: its assistant blocks (assistant messages only), then its user blocks (tool results
/// misplaced in an assistant message still reach the model, in the user turn that follows). A turn is a run of
/// non-empty segments of one role.
/// </remarks>
internal sealed class AnthropicMessages(IReadOnlyList<ChatMessage> history, string provider) : JsonWritable
{
    private enum BlockKind
    {
        None,
        Text,
        Result,
        Other,

        /// <summary>A server tool's block kept as it came (<see cref="HostedSearch.RawBlockKey"/>), written back unchanged.</summary>
        Raw,
    }

    private enum Pass
    {
        All,
        Results,
        Others,
    }

    public override void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartArray();
        int segments = history.Count * 2;
        for (int start = 0; start < segments;)
        {
            if (!HasBlocks(start))
            {
                start++;
                continue;
            }

            bool user = IsUser(start);
            int end = start + 1;
            while (end < segments && (!HasBlocks(end) || IsUser(end) == user))
            {
                end++;
            }

            json.WriteStartObject();
            json.WriteString("role"u8, user ? "user"u8 : "assistant"u8);
            json.WriteStartArray("content"u8);
            if (user)
            {
                WriteBlocks(json, start, end, Pass.Results);
                WriteBlocks(json, start, end, Pass.Others);
            }
            else
            {
                WriteBlocks(json, start, end, Pass.All);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            start = end;
        }

        json.WriteEndArray();
    }

    private static bool IsUser(int segment) => segment % 2 == 1;

    private bool HasBlocks(int segment)
    {
        ChatMessage message = history[segment / 2];
        if (message.Role == ChatRole.System)
        {
            return false; // carried by the top-level "system" field
        }

        IList<AIContent> contents = message.Contents;
        for (int i = 0; i < contents.Count; i++) // indexed: foreach over IList<T> boxes an enumerator per message
        {
            if (Kind(message, contents[i], segment) != BlockKind.None)
            {
                return true;
            }
        }

        return false;
    }

    private void WriteBlocks(Utf8JsonWriter json, int start, int end, Pass pass)
    {
        for (int segment = start; segment < end; segment++)
        {
            ChatMessage message = history[segment / 2];
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            IList<AIContent> contents = message.Contents;
            for (int i = 0; i < contents.Count; i++)
            {
                AIContent content = contents[i];
                BlockKind kind = Kind(message, content, segment);
                if (kind == BlockKind.None || (pass == Pass.Results && kind != BlockKind.Result) || (pass == Pass.Others && kind == BlockKind.Result))
                {
                    continue;
                }

                if (kind == BlockKind.Text)
                {
                    json.WriteStartObject();
                    json.WriteString("type"u8, "text"u8);
                    json.WriteString("text"u8, ((TextContent)content).Text);
                    if (AnthropicRequestBuilder.CacheControl(content.AdditionalProperties) is { } cache)
                    {
                        json.WritePropertyName("cache_control"u8);
                        cache.WriteTo(json);
                    }

                    json.WriteEndObject();
                }
                else if (kind == BlockKind.Raw)
                {
                    HostedSearch.RawBlock(content)!.Value.WriteTo(json);
                }
                else if (kind == BlockKind.Result && ToolResultMedia.Parts(((FunctionResultContent)content).Result) is { } parts)
                {
                    WriteToolResult(json, (FunctionResultContent)content, parts);
                }
                else
                {
                    AnthropicContentBlock block = kind == BlockKind.Result ? ToolResult((FunctionResultContent)content)
                        : message.Role == ChatRole.Assistant ? AssistantBlock(content) : UserBlock(content);
                    block.CacheControl = AnthropicRequestBuilder.CacheControl(content.AdditionalProperties);
                    JsonSerializer.Serialize(json, block, AnthropicJsonContext.Default.AnthropicContentBlock);
                }
            }
        }
    }

    /// <summary>What <paramref name="content"/> contributes to <paramref name="segment"/>; throws for content the API cannot carry.</summary>
    private BlockKind Kind(ChatMessage message, AIContent content, int segment)
    {
        bool assistant = message.Role == ChatRole.Assistant;
        if (!assistant && !IsUser(segment))
        {
            return BlockKind.None; // a user message has no assistant segment
        }

        if (content is FunctionResultContent)
        {
            return IsUser(segment) ? BlockKind.Result : BlockKind.None;
        }

        if (assistant && IsUser(segment))
        {
            return BlockKind.None; // an assistant message's user segment holds only its misplaced results
        }

        return content switch
        {
            TextContent { Text.Length: > 0 } => BlockKind.Text,
            TextContent => BlockKind.None, // the API rejects empty text blocks
            UsageContent => BlockKind.None,
            TextReasoningContent r when assistant => string.IsNullOrEmpty(r.ProtectedData) ? BlockKind.None : BlockKind.Other,
            FunctionCallContent when assistant => BlockKind.Other,

            // A search the server ran goes back as it came; one from another provider is left out (its answer holds what it found).
            _ when HostedSearch.IsRecord(content) => assistant && HostedSearch.RawBlock(content) is not null ? BlockKind.Raw : BlockKind.None,

            // Reasoning and usage describe an earlier answer, not something the user says.
            TextReasoningContent when !assistant => BlockKind.None,
            DataContent d when !assistant && (d.HasTopLevelMediaType("image") || d.MediaType == "application/pdf") => BlockKind.Other,
            UriContent u when !assistant && (u.HasTopLevelMediaType("image") || u.MediaType == "application/pdf") => BlockKind.Other,
            _ => throw new FeatureNotSupportedException(provider, $"{WireContent.Describe(content)} in {(assistant ? "an assistant" : "a user")} message"),
        };
    }

    /// <summary>A tool call, or thinking as it came (text and signature unchanged, or a redacted block's data).</summary>
    private static AnthropicContentBlock AssistantBlock(AIContent content) => content switch
    {
        FunctionCallContent call => new AnthropicContentBlock
        {
            Type = "tool_use",
            Id = call.CallId,
            Name = call.Name,
            Input = WireContent.ArgumentsToElement(call.Arguments),
        },

        // Reasoning without ProtectedData (from another provider, or summarised by the caller) never gets here (see Kind):
        // Anthropic rejects thinking blocks without a valid signature, and the next turn does not need the scratchpad.
        TextReasoningContent r when IsRedacted(r) => new AnthropicContentBlock { Type = "redacted_thinking", Data = r.ProtectedData },
        TextReasoningContent r => new AnthropicContentBlock { Type = "thinking", Thinking = r.Text ?? "", Signature = r.ProtectedData },
        _ => throw new InvalidOperationException($"{content.GetType().Name} is not an assistant block."),
    };

    private static bool IsRedacted(TextReasoningContent reasoning) =>
        reasoning.AdditionalProperties?.TryGetValue(AnthropicRequestBuilder.RedactedThinkingKey, out object? value) == true
        && value switch
        {
            bool flag => flag,
            JsonElement { ValueKind: JsonValueKind.True } => true,
            string text => bool.TryParse(text, out bool parsed) && parsed,
            _ => false,
        };

    private AnthropicContentBlock UserBlock(AIContent content) => content switch
    {
        DataContent d when d.HasTopLevelMediaType("image") => new AnthropicContentBlock
        {
            Type = "image",
            Source = new AnthropicSource { Type = "base64", MediaType = ImageMediaType(d.MediaType, provider), Data = d.Base64Data.ToString() },
        },
        UriContent u when u.HasTopLevelMediaType("image") => new AnthropicContentBlock
        {
            Type = "image",
            Source = new AnthropicSource { Type = "url", Url = u.Uri.AbsoluteUri },
        },
        DataContent d => new AnthropicContentBlock
        {
            Type = "document",
            Source = new AnthropicSource { Type = "base64", MediaType = d.MediaType, Data = d.Base64Data.ToString() },
        },
        UriContent u => new AnthropicContentBlock
        {
            Type = "document",
            Source = new AnthropicSource { Type = "url", Url = u.Uri.AbsoluteUri },
        },
        _ => throw new InvalidOperationException($"{content.GetType().Name} is not a user block."),
    };

    private static AnthropicContentBlock ToolResult(FunctionResultContent result) => new()
    {
        Type = "tool_result",
        ToolUseId = result.CallId,
        Content = WireContent.ResultToText(result),
        IsError = result.Exception is not null ? true : null,
    };

    /// <summary>A result with images: <c>content</c> is an array of <c>text</c> and <c>image</c> blocks, in the tool's order.</summary>
    private void WriteToolResult(Utf8JsonWriter json, FunctionResultContent result, IReadOnlyList<AIContent> parts)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "tool_result"u8);
        json.WriteString("tool_use_id"u8, result.CallId);
        json.WriteStartArray("content"u8);
        foreach (AIContent part in parts)
        {
            if (part is TextContent { Text.Length: > 0 } text)
            {
                json.WriteStartObject();
                json.WriteString("type"u8, "text"u8);
                json.WriteString("text"u8, text.Text);
                json.WriteEndObject();
            }
            else if (part is DataContent data && data.MediaType is "image/jpeg" or "image/png" or "image/gif" or "image/webp" or "image/jpg")
            {
                JsonSerializer.Serialize(json, UserBlock(data), AnthropicJsonContext.Default.AnthropicContentBlock);
            }
            else if (part is DataContent other)
            {
                // A tool's picture the API cannot take should not fail the whole request: the model reads what it was.
                json.WriteStartObject();
                json.WriteString("type"u8, "text"u8);
                json.WriteString("text"u8, ToolResultMedia.Describe(other, "not shown: Anthropic takes JPEG, PNG, GIF or WebP"));
                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
        if (result.Exception is not null)
        {
            json.WriteBoolean("is_error"u8, true);
        }

        json.WriteEndObject();
    }

    private static string ImageMediaType(string mediaType, string provider) => mediaType switch
    {
        "image/jpeg" or "image/png" or "image/gif" or "image/webp" => mediaType,
        "image/jpg" => "image/jpeg",
        _ => throw new FeatureNotSupportedException(provider, $"images of type {mediaType}", "Send JPEG, PNG, GIF or WebP."),
    };
}
