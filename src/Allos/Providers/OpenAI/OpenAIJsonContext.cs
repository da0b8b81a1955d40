using System.Text.Json.Serialization;

namespace Allos.Providers.OpenAI;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(OpenAIRequest))]
[JsonSerializable(typeof(OpenAIResponse))]
[JsonSerializable(typeof(OpenAIEmbeddingRequest))]
[JsonSerializable(typeof(OpenAIEmbeddingResponse))]
[JsonSerializable(typeof(List<OpenAIContentPart>))]
[JsonSerializable(typeof(OpenAINamedToolChoice))]
[JsonSerializable(typeof(string))]
internal sealed partial class OpenAIJsonContext : JsonSerializerContext;
