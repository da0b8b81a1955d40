using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Cohere;

/// <summary>
/// The <c>messages</c> array of a v2 Chat request, written straight from the caller's messages when the body is
/// serialized. System messages stay where the caller put them; tool results become <c>tool</c> messages; an assistant's
/// reasoning next to its tool calls goes back as the <c>tool_plan</c> the model wrote.
/// </summary>
internal sealed class CohereMessages(IEnumerable<ChatMessage> messages, string? instructions, string provider) : JsonWritable
{
    public override void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartArray();
        if (!string.IsNullOrEmpty(instructions))
        {
            WriteText(json, "system"u8, instructions);
        }

        foreach (ChatMessage message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                WriteText(json, "system"u8, message.Text);
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

        json.WriteEndArray();
    }

    private static void WriteText(Utf8JsonWriter json, ReadOnlySpan<byte> role, string content)
    {
        json.WriteStartObject();
        json.WriteString("role"u8, role);
        json.WriteString("content"u8, content);
        json.WriteEndObject();
    }

    private void WriteAssistant(Utf8JsonWriter json, ChatMessage message)
    {
        TextParts text = default, plan = default;
        bool hasCalls = false;
        IList<AIContent> contents = message.Contents;
        for (int i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case TextContent t:
                    text.Append(t.Text);
                    break;
                case TextReasoningContent r:
                    plan.Append(r.Text ?? "");
                    break;
                case FunctionCallContent:
                    hasCalls = true;
                    break;
                case FunctionResultContent or UsageContent or WebSearchToolCallContent or WebSearchToolResultContent:
                    break; // results are written as tool messages below; a hosted search's record has no Cohere form
                case AIContent other:
                    throw new FeatureNotSupportedException(provider, $"{WireContent.Describe(other)} in an assistant message");
            }
        }

        if (text.ToString() is { Length: > 0 } || hasCalls)
        {
            json.WriteStartObject();
            json.WriteString("role"u8, "assistant"u8);
            if (text.ToString() is { Length: > 0 } answer)
            {
                json.WriteString("content"u8, answer);
            }

            if (hasCalls)
            {
                // Cohere's own tool loop sends the plan back with the calls it led to; reasoning without calls is not sent.
                if (plan.ToString() is { Length: > 0 } toolPlan)
                {
                    json.WriteString("tool_plan"u8, toolPlan);
                }

                json.WriteStartArray("tool_calls"u8);
                for (int i = 0; i < contents.Count; i++)
                {
                    if (contents[i] is FunctionCallContent call)
                    {
                        JsonSerializer.Serialize(json, new CohereToolCall
                        {
                            Id = call.CallId,
                            Type = "function",
                            Function = new CohereFunctionCall { Name = call.Name, Arguments = WireContent.ArgumentsToJson(call.Arguments) },
                        }, CohereJsonContext.Default.CohereToolCall);
                    }
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        WriteToolResults(json, contents);
    }

    private void WriteUserOrTool(Utf8JsonWriter json, ChatMessage message)
    {
        IList<AIContent> contents = message.Contents;
        if (contents is [TextContent only])
        {
            WriteText(json, "user"u8, only.Text);
            return;
        }

        WriteToolResults(json, contents);

        TextParts text = TextParts.Of(contents, out bool onlyText);

        if (onlyText)
        {
            if (text.ToString() is { } joined)
            {
                WriteText(json, "user"u8, joined);
            }

            return;
        }

        json.WriteStartObject();
        json.WriteString("role"u8, "user"u8);
        json.WriteStartArray("content"u8);
        for (int i = 0; i < contents.Count; i++)
        {
            AIContent content = contents[i];
            CohereContentPart? part = content switch
            {
                TextContent t => new CohereContentPart { Type = "text", Text = t.Text },
                DataContent d when d.HasTopLevelMediaType("image") => new CohereContentPart { Type = "image_url", ImageUrl = new CohereImageUrl(d.Uri) },
                UriContent u when u.HasTopLevelMediaType("image") => new CohereContentPart { Type = "image_url", ImageUrl = new CohereImageUrl(u.Uri.AbsoluteUri) },
                FunctionResultContent or FunctionCallContent or TextReasoningContent or UsageContent => null,
                _ => throw new FeatureNotSupportedException(provider, $"{WireContent.Describe(content)} in a user message", "Cohere's chat takes text and images."),
            };
            if (part is not null)
            {
                JsonSerializer.Serialize(json, part, CohereJsonContext.Default.CohereContentPart);
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteToolResults(Utf8JsonWriter json, IList<AIContent> contents)
    {
        for (int i = 0; i < contents.Count; i++)
        {
            if (contents[i] is FunctionResultContent result)
            {
                json.WriteStartObject();
                json.WriteString("role"u8, "tool"u8);
                json.WriteString("tool_call_id"u8, result.CallId);

                // Images of a result are described in its text: a tool message carries text and documents only.
                json.WriteString("content"u8, WireContent.ResultToText(result));
                json.WriteEndObject();
            }
        }
    }
}
