using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Context;

/// <summary>
/// Counts an OpenAI Chat Completions request with the model's tokenizer and OpenAI's published rule of thumb (the
/// cookbook's "How to count tokens with tiktoken"): 3 tokens per message plus its role, 1 more for a name, 3 to prime the
/// reply; per tool 7, its <c>name:description</c>, 3 for its properties, per property 3 plus <c>name:type:description</c>
/// (an enum: −3, then 3 plus the value per value), and 12 after the tools.
/// </summary>
/// <remarks>The rule is OpenAI's approximation of its hidden framing, so the count is close, not exact. Thread-safe.</remarks>
internal static class OpenAIRequestTokens
{
    private const int PerMessage = 3;
    private const int PerName = 1;
    private const int ReplyPriming = 3;
    private const int PerFunction = 7;
    private const int PropertiesStart = 3;
    private const int PerProperty = 3;
    private const int EnumStart = -3;
    private const int PerEnumValue = 3;
    private const int FunctionsEnd = 12;

    /// <summary>The request's input tokens, or <see langword="null"/> when the tokenizer could not be loaded.</summary>
    public static long? Count(TokenEstimator estimator, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        if (estimator.TokenizerEncoding is not { Tokenizer: not null } encoding)
        {
            return null;
        }

        long total = ReplyPriming;
        if (!string.IsNullOrEmpty(options?.Instructions))
        {
            total += PerMessage + Text(encoding, "system") + Text(encoding, options.Instructions);
        }

        foreach (ChatMessage message in messages)
        {
            // The estimator's count is its content plus its own flat overhead, replaced here by OpenAI's.
            total += estimator.Estimate(message) - TokenEstimator.MessageOverheadTokens + PerMessage + Text(encoding, message.Role.Value);
            if (!string.IsNullOrEmpty(message.AuthorName))
            {
                total += PerName + Text(encoding, message.AuthorName);
            }
        }

        return total + Tools(encoding, options?.Tools);
    }

    private static long Tools(TiktokenEncoding encoding, IList<AITool>? tools)
    {
        if (tools is not { Count: > 0 })
        {
            return 0;
        }

        long total = FunctionsEnd;
        foreach (AITool tool in tools)
        {
            total += PerFunction + Text(encoding, $"{tool.Name}:{TrimPeriod(tool.Description)}");
            if (tool is not AIFunctionDeclaration function
                || function.JsonSchema.ValueKind != JsonValueKind.Object
                || !function.JsonSchema.TryGetProperty("properties", out JsonElement properties)
                || properties.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            bool any = false;
            foreach (JsonProperty property in properties.EnumerateObject())
            {
                any = true;
                total += PerProperty + Property(encoding, property);
            }

            total += any ? PropertiesStart : 0;
        }

        return total;
    }

    private static long Property(TiktokenEncoding encoding, JsonProperty property)
    {
        JsonElement schema = property.Value;
        string type = "";
        string description = "";
        long total = 0;
        if (schema.ValueKind == JsonValueKind.Object)
        {
            type = schema.TryGetProperty("type", out JsonElement t) ? (t.ValueKind == JsonValueKind.String ? t.GetString()! : t.GetRawText()) : "";
            description = schema.TryGetProperty("description", out JsonElement d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "";
            if (schema.TryGetProperty("enum", out JsonElement values) && values.ValueKind == JsonValueKind.Array)
            {
                total += EnumStart;
                foreach (JsonElement value in values.EnumerateArray())
                {
                    total += PerEnumValue + Text(encoding, value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText());
                }
            }
        }

        return total + Text(encoding, $"{property.Name}:{type}:{TrimPeriod(description)}");
    }

    private static long Text(TiktokenEncoding encoding, string? text) => string.IsNullOrEmpty(text) ? 0 : encoding.Count(text) ?? 0;

    private static string TrimPeriod(string? text) => text is null ? "" : text.EndsWith('.') ? text[..^1] : text;
}
