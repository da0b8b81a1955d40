using System.Text.Json;
using Allos.Providers.Anthropic;
using Allos.Providers.Gemini;
using Allos.Providers.Http;

namespace Allos.Providers.Vertex;

/// <summary>
/// Vertex AI's error bodies: Google's <c>{"error":{"code","message","status","details"}}</c> for both publishers, and for
/// Claude also Anthropic's own <c>{"type":"error","error":{"type","message"}}</c>, which Vertex passes through from the model.
/// </summary>
internal static class VertexErrorParser
{
    public static ProviderError Parse(int status, string body)
    {
        using (JsonDocument document = JsonDocument.Parse(body))
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out JsonElement error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("type", out JsonElement type) && type.ValueKind == JsonValueKind.String
                && !error.TryGetProperty("status", out _))
            {
                return AnthropicErrorParser.Parse(status, body);
            }
        }

        return GeminiErrorParser.Parse(status, body);
    }
}
