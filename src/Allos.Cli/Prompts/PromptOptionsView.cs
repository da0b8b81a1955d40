using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Cli.Prompts;

/// <summary>The options a prompt's front matter sets, under the names the front matter uses (<c>max_tokens</c>, not <c>MaxOutputTokens</c>).</summary>
internal static class PromptOptionsView
{
    /// <summary>Writes the options that are set as one JSON object: <c>{"temperature":0.2,"max_tokens":800}</c>.</summary>
    public static void Write(Utf8JsonWriter json, ChatOptions options)
    {
        json.WriteStartObject();
        foreach ((string name, object value) in Set(options))
        {
            json.WritePropertyName(name);
            switch (value)
            {
                case float number:
                    // Through decimal, so 0.2f is written 0.2 and not 0.20000000298023224.
                    json.WriteNumberValue(decimal.Parse(number.ToString(CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture));
                    break;
                case int whole:
                    json.WriteNumberValue(whole);
                    break;
                case long whole:
                    json.WriteNumberValue(whole);
                    break;
                case IEnumerable<string> texts:
                    json.WriteStartArray();
                    foreach (string text in texts)
                    {
                        json.WriteStringValue(text);
                    }

                    json.WriteEndArray();
                    break;
                case ChatResponseFormatJson { Schema: { } schema }:
                    json.WriteStartObject();
                    json.WritePropertyName("json_schema");
                    schema.WriteTo(json);
                    json.WriteEndObject();
                    break;
                default:
                    json.WriteStringValue(Text(value));
                    break;
            }
        }

        json.WriteEndObject();
    }

    /// <summary>The options on one line, <c>temperature=0.2, max_tokens=800</c>, or <see langword="null"/> when none is set.</summary>
    public static string? Describe(ChatOptions options)
    {
        string[] parts = [.. Set(options).Select(pair => $"{pair.Name}={Text(pair.Value)}")];
        return parts.Length == 0 ? null : string.Join(", ", parts);
    }

    private static IEnumerable<(string Name, object Value)> Set(ChatOptions options)
    {
        (string, object?)[] all =
        [
            ("temperature", options.Temperature),
            ("top_p", options.TopP),
            ("top_k", options.TopK),
            ("max_tokens", options.MaxOutputTokens),
            ("seed", options.Seed),
            ("frequency_penalty", options.FrequencyPenalty),
            ("presence_penalty", options.PresencePenalty),
            ("stop", options.StopSequences),
            ("response_format", options.ResponseFormat),
        ];
        return all.Where(pair => pair.Item2 is not null).Select(pair => (pair.Item1, pair.Item2!));
    }

    private static string Text(object value) => value switch
    {
        float number => number.ToString(CultureInfo.InvariantCulture),
        IEnumerable<string> texts => "[" + string.Join(", ", texts) + "]",
        ChatResponseFormatText => "text",
        ChatResponseFormatJson { Schema: null } => "json",
        ChatResponseFormatJson => "json_schema",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
