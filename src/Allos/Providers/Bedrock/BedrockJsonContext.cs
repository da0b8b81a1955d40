using System.Text.Json.Serialization;

namespace Allos.Providers.Bedrock;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(BedrockRequest))]
[JsonSerializable(typeof(BedrockResponse))]
[JsonSerializable(typeof(BedrockStreamEvent))]
internal sealed partial class BedrockJsonContext : JsonSerializerContext;
