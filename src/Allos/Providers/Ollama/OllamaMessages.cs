using System.Text.Json;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Ollama;

/// <summary>
/// The <c>messages</c> array of an <c>/api/chat</c> request, written straight from the caller's messages when the body
/// is serialized: a long history costs no object per message. Tool calls still go through their DTO.
/// </summary>
internal sealed class OllamaMessages(IEnumerable<ChatMessage> messages, string? system, string provider) : JsonWritable
{
    public override void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartArray();
        if (system is not null)
        {
            WriteMessage(json, "system"u8, system);
        }

        // Ollama's tool messages name the tool (tool_name); the result content only knows the call id.
        Dictionary<string, string>? toolNames = null;
        foreach (ChatMessage message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                continue; // already in the leading system message
            }

            if (message.Role == ChatRole.Assistant)
            {
                WriteAssistant(json, message, ref toolNames);
            }
            else
            {
                WriteUserOrTool(json, message, toolNames);
            }
        }

        json.WriteEndArray();
    }

    private static void WriteMessage(Utf8JsonWriter json, ReadOnlySpan<byte> role, string content)
    {
        json.WriteStartObject();
        json.WriteString("role"u8, role);
        json.WriteString("content"u8, content);
        json.WriteEndObject();
    }

    private void WriteAssistant(Utf8JsonWriter json, ChatMessage message, ref Dictionary<string, string>? toolNames)
    {
        TextParts text = default, thinking = default;
        bool hasCalls = false;
        IList<AIContent> contents = message.Contents;
        for (int i = 0; i < contents.Count; i++) // indexed: foreach over IList<T> boxes an enumerator per message
        {
            switch (contents[i])
            {
                case TextContent t:
                    text.Append(t.Text);
                    break;
                case TextReasoningContent r when !string.IsNullOrEmpty(r.Text):
                    thinking.Append(r.Text);
                    break;
                case TextReasoningContent or UsageContent or FunctionResultContent or WebSearchToolCallContent or WebSearchToolResultContent:
                    break; // empty reasoning or a hosted search's record carry nothing Ollama reads; results are sent as tool messages below
                case FunctionCallContent call:
                    (toolNames ??= new(StringComparer.Ordinal))[call.CallId] = call.Name;
                    hasCalls = true;
                    break;
                case AIContent other:
                    throw new FeatureNotSupportedException(provider, $"{WireContent.Describe(other)} in an assistant message");
            }
        }

        if (text.Any || thinking.Any || hasCalls)
        {
            json.WriteStartObject();
            json.WriteString("role"u8, "assistant"u8);
            json.WriteString("content"u8, text.ToString() ?? "");
            if (thinking.ToString() is { } thought)
            {
                json.WriteString("thinking"u8, thought);
            }

            if (hasCalls)
            {
                json.WriteStartArray("tool_calls"u8);
                for (int i = 0; i < contents.Count; i++)
                {
                    if (contents[i] is FunctionCallContent call)
                    {
                        JsonSerializer.Serialize(json, new OllamaToolCall
                        {
                            Id = string.IsNullOrEmpty(call.CallId) ? null : call.CallId,
                            Function = new OllamaFunctionCall { Name = call.Name, Arguments = WireContent.ArgumentsToElement(call.Arguments) },
                        }, OllamaJsonContext.Default.OllamaToolCall);
                    }
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        WriteToolResults(json, contents, toolNames);
    }

    private void WriteUserOrTool(Utf8JsonWriter json, ChatMessage message, Dictionary<string, string>? toolNames)
    {
        IList<AIContent> contents = message.Contents;
        if (contents is [TextContent only])
        {
            WriteMessage(json, "user"u8, only.Text);
            return;
        }

        WriteToolResults(json, contents, toolNames);

        TextParts text = default;
        bool hasImages = false;
        for (int i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case TextContent t:
                    text.Append(t.Text);
                    break;
                case DataContent d when d.HasTopLevelMediaType("image"):
                    hasImages = true;
                    break;
                case UriContent:
                    throw new FeatureNotSupportedException(provider, "image URLs", "Download the image and pass it as DataContent.");
                case FunctionResultContent or FunctionCallContent or TextReasoningContent or UsageContent:
                    break;
                case AIContent other:
                    throw new FeatureNotSupportedException(provider, WireContent.Describe(other), "Ollama accepts text and images (DataContent with an image/* media type).");
            }
        }

        if (!text.Any && !hasImages)
        {
            return;
        }

        json.WriteStartObject();
        json.WriteString("role"u8, "user"u8);
        json.WriteString("content"u8, text.ToString() ?? "");
        if (hasImages)
        {
            // Base64 without a data: prefix.
            json.WriteStartArray("images"u8);
            for (int i = 0; i < contents.Count; i++)
            {
                if (contents[i] is DataContent d && d.HasTopLevelMediaType("image"))
                {
                    json.WriteStringValue(d.Base64Data.Span);
                }
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private static void WriteToolResults(Utf8JsonWriter json, IList<AIContent> contents, Dictionary<string, string>? toolNames)
    {
        for (int i = 0; i < contents.Count; i++)
        {
            if (contents[i] is FunctionResultContent r)
            {
                json.WriteStartObject();
                json.WriteString("role"u8, "tool"u8);
                json.WriteString("content"u8, WireContent.ResultToText(r));

                // api.Message takes images on every role, the tool's too: base64 without a data: prefix.
                bool images = false;
                foreach (DataContent image in ToolResultMedia.Images(r))
                {
                    if (!images)
                    {
                        json.WriteStartArray("images"u8);
                        images = true;
                    }

                    json.WriteStringValue(image.Base64Data.Span);
                }

                if (images)
                {
                    json.WriteEndArray();
                }

                if (toolNames?.GetValueOrDefault(r.CallId) is { } name)
                {
                    json.WriteString("tool_name"u8, name);
                }

                if (!string.IsNullOrEmpty(r.CallId))
                {
                    json.WriteString("tool_call_id"u8, r.CallId);
                }

                json.WriteEndObject();
            }
        }
    }
}
