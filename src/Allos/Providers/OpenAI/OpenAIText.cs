using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Allos.Providers.OpenAI;

/// <summary>
/// A message's <c>content</c>: usually a string, but Mistral's reasoning models send an array of
/// <c>{"type":"text"}</c> and <c>{"type":"thinking"}</c> parts. Read without building a JSON document per chunk.
/// </summary>
[JsonConverter(typeof(OpenAITextConverter))]
internal readonly record struct OpenAIText(string? Text, string? Thinking);

internal sealed class OpenAITextConverter : JsonConverter<OpenAIText>
{
    public override OpenAIText Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return default;
            case JsonTokenType.String:
                return new OpenAIText(reader.GetString(), null);
            case JsonTokenType.StartArray:
                using (JsonDocument document = JsonDocument.ParseValue(ref reader))
                {
                    StringBuilder? text = null, thinking = null;
                    foreach (JsonElement part in document.RootElement.EnumerateArray())
                    {
                        Collect(part, ref text, ref thinking, inThinking: false);
                    }

                    return new OpenAIText(text?.ToString(), thinking?.ToString());
                }

            default:
                reader.Skip();
                return default;
        }
    }

    public override void Write(Utf8JsonWriter writer, OpenAIText value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Text);

    private static void Collect(JsonElement part, ref StringBuilder? text, ref StringBuilder? thinking, bool inThinking)
    {
        if (part.ValueKind == JsonValueKind.String)
        {
            Append(ref (inThinking ? ref thinking : ref text), part.GetString());
            return;
        }

        if (part.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        string? type = part.TryGetProperty("type", out JsonElement t) ? t.GetString() : null;
        if (type == "thinking" && part.TryGetProperty("thinking", out JsonElement nested))
        {
            if (nested.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement inner in nested.EnumerateArray())
                {
                    Collect(inner, ref text, ref thinking, inThinking: true);
                }
            }
            else
            {
                Collect(nested, ref text, ref thinking, inThinking: true);
            }
        }
        else if (part.TryGetProperty("text", out JsonElement value) && value.ValueKind == JsonValueKind.String)
        {
            Append(ref (inThinking ? ref thinking : ref text), value.GetString());
        }
    }

    private static void Append(ref StringBuilder? builder, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            (builder ??= new StringBuilder()).Append(value);
        }
    }
}
