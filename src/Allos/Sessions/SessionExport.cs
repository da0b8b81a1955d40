using System.Globalization;
using System.Text;
using System.Text.Json;
using Allos.Security;
using Allos.Storage;
using Microsoft.Extensions.AI;

namespace Allos.Sessions;

/// <summary>Writes sessions out as JSON (for programs) and Markdown (for people).</summary>
internal static class SessionExport
{
    public static string ToJson(SessionRecord record, IReadOnlyList<ChatMessage> messages)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("id", record.Id);
            writer.WriteString("title", record.Title);
            writer.WriteString("agent", record.Agent);
            writer.WriteString("model", record.Model);
            writer.WriteString("created", record.Created);
            writer.WriteString("updated", record.Updated);
            writer.WriteStartObject("usage");
            writer.WriteNumber("input_tokens", record.InputTokens);
            writer.WriteNumber("output_tokens", record.OutputTokens);
            writer.WriteNumber("cached_input_tokens", record.CachedInputTokens);
            writer.WriteNumber("reasoning_tokens", record.ReasoningTokens);
            writer.WriteEndObject();
            if (record.Cost is decimal cost)
            {
                writer.WriteNumber("cost_usd", cost);
            }
            else
            {
                writer.WriteNull("cost_usd");
            }

            writer.WritePropertyName("messages");
            JsonSerializer.Serialize<IList<ChatMessage>>(writer, [.. messages], AllosJson.TypeInfo<IList<ChatMessage>>());
            writer.WriteEndObject();
        }

        // Sessions stored before a secret was known (or by an older version) must not carry it out either.
        return SecretRedactor.Redact(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    public static string ToMarkdown(SessionRecord record, IReadOnlyList<ChatMessage> messages)
    {
        var md = new StringBuilder();
        md.Append("# ").AppendLine(string.IsNullOrWhiteSpace(record.Title) ? $"Session {record.Id}" : record.Title);
        md.AppendLine();
        md.Append(CultureInfo.InvariantCulture, $"- id: `{record.Id}`").AppendLine();
        if (record.Agent is { } agent)
        {
            md.Append(CultureInfo.InvariantCulture, $"- agent: {agent}").AppendLine();
        }

        if (record.Model is { } model)
        {
            md.Append(CultureInfo.InvariantCulture, $"- model: {model}").AppendLine();
        }

        md.Append(CultureInfo.InvariantCulture, $"- created: {record.Created:u}, updated: {record.Updated:u}").AppendLine();
        md.Append(CultureInfo.InvariantCulture, $"- tokens: {record.InputTokens} in, {record.OutputTokens} out; cost: {(record.Cost is decimal c ? c.ToString("0.######", CultureInfo.InvariantCulture) + " USD" : "unknown")}").AppendLine();
        foreach (ChatMessage message in messages)
        {
            md.AppendLine();
            md.Append("## ").Append(Heading(message)).AppendLine();
            md.AppendLine();
            foreach (AIContent content in message.Contents)
            {
                switch (content)
                {
                    case TextContent { Text.Length: > 0 } text:
                        md.AppendLine(text.Text);
                        break;
                    case TextReasoningContent { Text.Length: > 0 } reasoning:
                        md.Append("> *reasoning:* ").AppendLine(reasoning.Text.ReplaceLineEndings("\n> "));
                        break;
                    case FunctionCallContent call:
                        md.Append(CultureInfo.InvariantCulture, $"Tool call `{call.Name}` (`{call.CallId}`):").AppendLine();
                        md.AppendLine("```json").AppendLine(JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AllosJson.TypeInfo<IDictionary<string, object?>>())).AppendLine("```");
                        break;
                    case FunctionResultContent result:
                        md.Append(CultureInfo.InvariantCulture, $"Result of `{result.CallId}`:").AppendLine();
                        md.AppendLine("```").AppendLine(Providers.WireContent.ResultToText(result)).AppendLine("```");
                        break;
                    case DataContent data:
                        md.Append(CultureInfo.InvariantCulture, $"*[{data.MediaType}, {data.Data.Length} bytes]*").AppendLine();
                        break;
                    case UriContent uri:
                        md.Append(CultureInfo.InvariantCulture, $"*[{uri.MediaType}: <{uri.Uri}>]*").AppendLine();
                        break;
                }
            }
        }

        return SecretRedactor.Redact(md.ToString());
    }

    private static string Heading(ChatMessage message) =>
        message.Role == ChatRole.Assistant && message.AuthorName is { Length: > 0 } name ? $"assistant ({name})"
        : message.Role == ChatRole.Tool ? "tool results"
        : message.Role.Value;
}
