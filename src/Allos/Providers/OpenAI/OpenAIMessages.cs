using System.Text.Json;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Providers.OpenAI;

/// <summary>
/// The <c>messages</c> array of a Chat Completions request, written straight from the caller's messages when the body
/// is serialized: a 200-message history costs no object per message. Rare parts (tool calls, images) still go through
/// their DTOs.
/// </summary>
/// <remarks>
/// A <c>tool</c> message's content can only be text, so the images of tool results go in one <c>user</c> message after the
/// tool messages of their turn (written when the next other message starts, or at the end), with a text part naming
/// the calls they came from.
/// </remarks>
internal sealed class OpenAIMessages(IEnumerable<ChatMessage> messages, string? instructions, OpenAIDialect dialect) : JsonWritable
{
    /// <summary>Images of tool results written as tool messages, waiting for the user message after them.</summary>
    private List<(string CallId, DataContent Image)>? _images;

    public override void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartArray();
        if (!string.IsNullOrEmpty(instructions))
        {
            WriteMessage(json, "system"u8, instructions, name: null);
        }

        foreach (ChatMessage message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                // OpenAI accepts system messages anywhere, so they stay where the caller put them.
                WriteImages(json);
                WriteMessage(json, "system"u8, message.Text, message.AuthorName);
            }
            else if (message.Role == ChatRole.Assistant)
            {
                WriteAssistant(json, message);
            }
            else
            {
                WriteUserOrTool(json, message);
            }
        }

        WriteImages(json);
        json.WriteEndArray();
    }

    private static void WriteMessage(Utf8JsonWriter json, ReadOnlySpan<byte> role, string? content, string? name)
    {
        json.WriteStartObject();
        json.WriteString("role"u8, role);
        json.WriteString("content"u8, content);
        if (name is not null)
        {
            json.WriteString("name"u8, name);
        }

        json.WriteEndObject();
    }

    private void WriteAssistant(Utf8JsonWriter json, ChatMessage message)
    {
        WriteImages(json);
        TextParts text = default, reasoning = default;
        bool hasCalls = false;
        IList<AIContent> contents = message.Contents;
        for (int i = 0; i < contents.Count; i++) // indexed: foreach over IList<T> boxes an enumerator per message
        {
            switch (contents[i])
            {
                case TextContent t:
                    text.Append(t.Text);
                    break;
                case TextReasoningContent r when dialect.EchoReasoning:
                    reasoning.Append(r.Text);
                    break;
                case TextReasoningContent:
                    break; // api.openai.com keeps reasoning server-side; Chat Completions has no field to send it back in.
                case FunctionCallContent:
                    hasCalls = true;
                    break;
                case FunctionResultContent:
                    break; // results belong to tool messages; written below
                case AIContent record when HostedSearch.IsRecord(record):
                    break; // a search the provider ran; the answer's text holds what it found
                case AIContent other:
                    throw new FeatureNotSupportedException(dialect.Provider, $"{other.GetType().Name} in an assistant message");
            }
        }

        if (text.Any || hasCalls || reasoning.Any)
        {
            json.WriteStartObject();
            json.WriteString("role"u8, "assistant"u8);
            json.WriteString("content"u8, text.ToString());
            if (message.AuthorName is { } name)
            {
                json.WriteString("name"u8, name);
            }

            if (hasCalls)
            {
                json.WriteStartArray("tool_calls"u8);
                for (int i = 0; i < contents.Count; i++)
                {
                    if (contents[i] is FunctionCallContent call)
                    {
                        JsonSerializer.Serialize(json, new OpenAIToolCall
                        {
                            Id = call.CallId,
                            Type = "function",
                            Function = new OpenAIFunctionCall { Name = call.Name, Arguments = WireContent.ArgumentsToJson(call.Arguments) },
                        }, OpenAIJsonContext.Default.OpenAIToolCall);
                    }
                }

                json.WriteEndArray();
            }

            if (reasoning.ToString() is { } thinking)
            {
                json.WriteString("reasoning_content"u8, thinking);
            }

            json.WriteEndObject();
        }

        WriteToolResults(json, contents);
    }

    private void WriteUserOrTool(Utf8JsonWriter json, ChatMessage message)
    {
        IList<AIContent> contents = message.Contents;

        // The common case, a message of one text, is the caller's string as it is: no parts to join.
        if (contents is [TextContent only])
        {
            WriteImages(json);
            WriteMessage(json, "user"u8, only.Text, message.AuthorName);
            return;
        }

        WriteToolResults(json, contents);

        // Text alone is sent as one string; with an image, audio or file, every part goes as a typed part.
        TextParts text = TextParts.Of(contents, out bool onlyText); // what Chat Completions cannot carry throws below

        if (onlyText && !text.Any)
        {
            return;
        }

        WriteImages(json);
        json.WriteStartObject();
        json.WriteString("role"u8, "user"u8);
        if (onlyText)
        {
            json.WriteString("content"u8, text.ToString());
        }
        else
        {
            json.WriteStartArray("content"u8);
            for (int i = 0; i < contents.Count; i++)
            {
                if (contents[i] is TextContent t)
                {
                    json.WriteStartObject();
                    json.WriteString("type"u8, "text"u8);
                    json.WriteString("text"u8, t.Text);
                    json.WriteEndObject();
                }
                else if (contents[i] is not (FunctionResultContent or FunctionCallContent or TextReasoningContent or UsageContent))
                {
                    JsonSerializer.Serialize(json, Part(contents[i], dialect.Provider), OpenAIJsonContext.Default.OpenAIContentPart);
                }
            }

            json.WriteEndArray();
        }

        if (message.AuthorName is { } name)
        {
            json.WriteString("name"u8, name);
        }

        json.WriteEndObject();
    }

    private void WriteToolResults(Utf8JsonWriter json, IList<AIContent> contents)
    {
        for (int i = 0; i < contents.Count; i++)
        {
            if (contents[i] is FunctionResultContent r)
            {
                json.WriteStartObject();
                json.WriteString("role"u8, "tool"u8);
                json.WriteString("content"u8, WireContent.ResultToText(r));
                json.WriteString("tool_call_id"u8, r.CallId);
                json.WriteEndObject();
                foreach (DataContent image in ToolResultMedia.Images(r))
                {
                    (_images ??= []).Add((r.CallId, image));
                }
            }
        }
    }

    /// <summary>The waiting tool-result images, as one user message: a text part naming the calls, then the images.</summary>
    private void WriteImages(Utf8JsonWriter json)
    {
        if (_images is not { Count: > 0 } images)
        {
            return;
        }

        json.WriteStartObject();
        json.WriteString("role"u8, "user"u8);
        json.WriteStartArray("content"u8);
        json.WriteStartObject();
        json.WriteString("type"u8, "text"u8);
        string calls = string.Join(", ", images.Select(i => i.CallId).Distinct(StringComparer.Ordinal));
        json.WriteString("text"u8, $"Images from the result of tool call {calls}:");
        json.WriteEndObject();
        foreach ((_, DataContent image) in images)
        {
            JsonSerializer.Serialize(json, Part(image, dialect.Provider), OpenAIJsonContext.Default.OpenAIContentPart);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        images.Clear();
    }

    private static OpenAIContentPart Part(AIContent content, string provider) => content switch
    {
        DataContent d when d.HasTopLevelMediaType("image") => new OpenAIContentPart { Type = "image_url", ImageUrl = new OpenAIImageUrl(d.Uri, Detail(d)) },
        UriContent u when u.HasTopLevelMediaType("image") => new OpenAIContentPart { Type = "image_url", ImageUrl = new OpenAIImageUrl(u.Uri.AbsoluteUri, Detail(u)) },
        DataContent d when d.HasTopLevelMediaType("audio") => new OpenAIContentPart { Type = "input_audio", InputAudio = new OpenAIInputAudio(d.Base64Data.ToString(), AudioFormat(d, provider)) },
        DataContent d when d.MediaType == "application/pdf" => new OpenAIContentPart { Type = "file", File = new OpenAIFile(d.Name ?? "document.pdf", d.Uri) },
        _ => throw new FeatureNotSupportedException(provider, WireContent.Describe(content)),
    };

    private static string? Detail(AIContent content) =>
        content.AdditionalProperties?.TryGetValue("detail", out object? detail) == true ? detail?.ToString() : null;

    private static string AudioFormat(DataContent data, string provider) => data.MediaType switch
    {
        "audio/wav" or "audio/x-wav" or "audio/wave" => "wav",
        "audio/mpeg" or "audio/mp3" => "mp3",
        _ => throw new FeatureNotSupportedException(provider, $"audio of type {data.MediaType}", "Send WAV or MP3."),
    };
}
