using System.Text.Json.Serialization;

namespace Allos.Providers.Cohere;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CohereRequest))]
[JsonSerializable(typeof(CohereToolCall))]
[JsonSerializable(typeof(CohereContentPart))]
[JsonSerializable(typeof(CohereResponse))]
[JsonSerializable(typeof(CohereStreamEvent))]
[JsonSerializable(typeof(CohereCitation))]
internal sealed partial class CohereJsonContext : JsonSerializerContext;
