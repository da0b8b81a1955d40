using System.Text.Json;
using System.Text.Json.Serialization;

namespace Allos.Providers.Gemini;

/// <summary>
/// A <c>countTokens</c> body: <c>{"generateContentRequest": {"model": "models/…", …}}</c>, the whole
/// <c>generateContent</c> request, so the system instruction and tool declarations are counted with the contents.
/// </summary>
[JsonConverter(typeof(GeminiCountTokensRequestConverter))]
internal sealed class GeminiCountTokensRequest(JsonElement request, string model, bool vertex = false)
{
    // Vertex AI's countTokens takes the request's fields at the top level, and only these of them.
    private static readonly string[] VertexFields = ["contents", "systemInstruction", "tools", "generationConfig"];

    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        if (vertex)
        {
            foreach (JsonProperty property in request.EnumerateObject())
            {
                if (Array.IndexOf(VertexFields, property.Name) >= 0)
                {
                    property.WriteTo(json);
                }
            }

            json.WriteEndObject();
            return;
        }

        json.WritePropertyName("generateContentRequest"u8);
        json.WriteStartObject();

        // Inside generateContentRequest the model is required, as a resource name.
        json.WriteString("model"u8, model.StartsWith("models/", StringComparison.Ordinal) ? model : "models/" + model);
        foreach (JsonProperty property in request.EnumerateObject())
        {
            if (!property.NameEquals("model"u8))
            {
                property.WriteTo(json);
            }
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}

/// <summary>Writes a <see cref="GeminiCountTokensRequest"/>; request bodies are never read back.</summary>
internal sealed class GeminiCountTokensRequestConverter : JsonConverter<GeminiCountTokensRequest>
{
    public override GeminiCountTokensRequest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Request bodies are written, never read.");

    public override void Write(Utf8JsonWriter writer, GeminiCountTokensRequest value, JsonSerializerOptions options) => value.WriteTo(writer);
}

/// <summary>The answer of <c>countTokens</c>: <c>{"totalTokens": N, …}</c>.</summary>
internal sealed class GeminiCountTokensResponse
{
    public long? TotalTokens { get; set; }
}
