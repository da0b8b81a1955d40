using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Bedrock;

/// <summary>
/// The <c>messages</c> array of a Converse request, written straight from the caller's messages when the body is
/// serialized. System messages go to <c>system</c> (see <see cref="BedrockRequestBuilder"/>); tool results are
/// <c>toolResult</c> blocks of a user message; consecutive messages of one role are merged, since Converse wants the roles
/// to alternate. Reasoning goes back only with its signature (Claude checks it), as the Anthropic API wants too.
/// </summary>
internal sealed class BedrockMessages(IEnumerable<ChatMessage> messages, string provider) : JsonWritable
{
    /// <summary>Marks a <see cref="TextReasoningContent"/> whose <see cref="TextReasoningContent.ProtectedData"/> is a <c>redactedContent</c> block's bytes (base64).</summary>
    public const string RedactedReasoningKey = "bedrock.redacted_content";

    public override void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartArray();
        ChatRole? open = null;
        foreach (ChatMessage message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            ChatRole role = message.Role == ChatRole.Assistant ? ChatRole.Assistant : ChatRole.User;
            if (!HasBlocks(message, role))
            {
                continue;
            }

            if (open != role)
            {
                if (open is not null)
                {
                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteStartObject();
                json.WriteString("role"u8, role == ChatRole.Assistant ? "assistant"u8 : "user"u8);
                json.WriteStartArray("content"u8);
                open = role;
            }

            foreach (AIContent content in message.Contents)
            {
                WriteBlock(json, content, role);
            }
        }

        if (open is not null)
        {
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static bool HasBlocks(ChatMessage message, ChatRole role)
    {
        foreach (AIContent content in message.Contents)
        {
            if (content is not UsageContent && !HostedSearch.IsRecord(content) && !(content is TextContent { Text.Length: 0 }) && !(content is TextReasoningContent r && (role != ChatRole.Assistant || string.IsNullOrEmpty(r.ProtectedData))))
            {
                return true;
            }
        }

        return false;
    }

    private void WriteBlock(Utf8JsonWriter json, AIContent content, ChatRole role)
    {
        switch (content)
        {
            case TextContent { Text.Length: > 0 } text:
                json.WriteStartObject();
                json.WriteString("text"u8, text.Text);
                json.WriteEndObject();
                break;
            case TextContent or UsageContent:
                break; // Converse rejects blank text blocks
            case AIContent record when HostedSearch.IsRecord(record):
                break; // another provider's own web search; the answer's text holds what it found
            case TextReasoningContent reasoning:
                // Reasoning without its signature (from another provider, or summarised) cannot be verified: it is not sent.
                if (role == ChatRole.Assistant && !string.IsNullOrEmpty(reasoning.ProtectedData))
                {
                    WriteReasoning(json, reasoning);
                }

                break;
            case DataContent data when role == ChatRole.User && ImageFormat(data.MediaType) is { } format:
                json.WriteStartObject();
                json.WriteStartObject("image"u8);
                json.WriteString("format"u8, format);
                json.WriteStartObject("source"u8);
                json.WriteBase64String("bytes"u8, data.Data.Span);
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case DataContent data when role == ChatRole.User && DocumentFormat(data.MediaType) is { } format:
                json.WriteStartObject();
                json.WriteStartObject("document"u8);
                json.WriteString("format"u8, format);
                json.WriteString("name"u8, DocumentName(data.Name));
                json.WriteStartObject("source"u8);
                json.WriteBase64String("bytes"u8, data.Data.Span);
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case FunctionCallContent call when role == ChatRole.Assistant:
                json.WriteStartObject();
                json.WriteStartObject("toolUse"u8);
                json.WriteString("toolUseId"u8, call.CallId);
                json.WriteString("name"u8, call.Name);
                json.WritePropertyName("input"u8);
                WireContent.ArgumentsToElement(call.Arguments).WriteTo(json);
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case FunctionResultContent result:
                WriteResult(json, result);
                break;
            default:
                throw new FeatureNotSupportedException(provider, $"{WireContent.Describe(content)} in {(role == ChatRole.Assistant ? "an assistant" : "a user")} message",
                    "Bedrock's Converse takes text, PNG/JPEG/GIF/WebP images and PDF, CSV, HTML, TXT or Markdown documents as bytes.");
        }
    }

    private static void WriteReasoning(Utf8JsonWriter json, TextReasoningContent reasoning)
    {
        json.WriteStartObject();
        json.WriteStartObject("reasoningContent"u8);
        if (reasoning.AdditionalProperties?.ContainsKey(RedactedReasoningKey) == true)
        {
            json.WriteString("redactedContent"u8, reasoning.ProtectedData);
        }
        else
        {
            json.WriteStartObject("reasoningText"u8);
            json.WriteString("text"u8, reasoning.Text ?? "");
            json.WriteString("signature"u8, reasoning.ProtectedData);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter json, FunctionResultContent result)
    {
        json.WriteStartObject();
        json.WriteStartObject("toolResult"u8);
        json.WriteString("toolUseId"u8, result.CallId);
        json.WriteStartArray("content"u8);
        json.WriteStartObject();
        if (result.Result is JsonElement { ValueKind: JsonValueKind.Object } element)
        {
            // A JSON object goes as JSON, so the model reads structure rather than an escaped string.
            json.WritePropertyName("json"u8);
            element.WriteTo(json);
        }
        else
        {
            json.WriteString("text"u8, WireContent.ResultToText(result) is { Length: > 0 } text ? text : "(no output)");
        }

        json.WriteEndObject();
        json.WriteEndArray();
        if (result.Exception is not null)
        {
            json.WriteString("status"u8, "error"u8);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string? ImageFormat(string mediaType) => mediaType.ToLowerInvariant() switch
    {
        "image/png" => "png",
        "image/jpeg" or "image/jpg" => "jpeg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => null,
    };

    private static string? DocumentFormat(string mediaType) => mediaType.ToLowerInvariant() switch
    {
        "application/pdf" => "pdf",
        "text/csv" => "csv",
        "text/html" => "html",
        "text/plain" => "txt",
        "text/markdown" => "md",
        _ => null,
    };

    /// <summary>Converse allows letters, digits, single spaces, hyphens, parentheses and brackets in a document's name.</summary>
    private static string DocumentName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "document";
        }

        var builder = new System.Text.StringBuilder(name.Length);
        foreach (char c in Path.GetFileNameWithoutExtension(name))
        {
            bool allowed = char.IsAsciiLetterOrDigit(c) || c is '-' or '(' or ')' or '[' or ']';
            char next = allowed ? c : ' ';
            if (next != ' ' || (builder.Length > 0 && builder[^1] != ' '))
            {
                builder.Append(next);
            }
        }

        string cleaned = builder.ToString().Trim();
        return cleaned.Length == 0 ? "document" : cleaned;
    }
}
