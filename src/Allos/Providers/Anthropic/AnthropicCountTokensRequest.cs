using System.Text.Json;
using System.Text.Json.Serialization;

namespace Allos.Providers.Anthropic;

/// <summary>A <c>count_tokens</c> body: a caller's Messages request copied field by field, its <c>model</c> replaced.</summary>
[JsonConverter(typeof(AnthropicCountTokensRequestConverter))]
internal sealed class AnthropicCountTokensRequest(JsonElement request, string model)
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("model"u8, model);
        foreach (JsonProperty property in request.EnumerateObject())
        {
            // count_tokens rejects the fields that only shape the answer.
            if (property.NameEquals("model"u8) || property.NameEquals("max_tokens"u8) || property.NameEquals("stream"u8)
                || property.NameEquals("metadata"u8) || property.NameEquals("temperature"u8) || property.NameEquals("top_p"u8)
                || property.NameEquals("top_k"u8) || property.NameEquals("stop_sequences"u8))
            {
                continue;
            }

            property.WriteTo(json);
        }

        json.WriteEndObject();
    }
}

/// <summary>Writes an <see cref="AnthropicCountTokensRequest"/>; request bodies are never read back.</summary>
internal sealed class AnthropicCountTokensRequestConverter : JsonConverter<AnthropicCountTokensRequest>
{
    public override AnthropicCountTokensRequest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Request bodies are written, never read.");

    public override void Write(Utf8JsonWriter writer, AnthropicCountTokensRequest value, JsonSerializerOptions options) => value.WriteTo(writer);
}

/// <summary>The answer of <c>count_tokens</c>: <c>{"input_tokens": N}</c>.</summary>
internal sealed class AnthropicCountTokensResponse
{
    public long? InputTokens { get; set; }
}
