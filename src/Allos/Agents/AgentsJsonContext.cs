using System.Text.Json.Serialization;
using Allos.Storage;

namespace Allos.Agents;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(RunStateDocument))]
[JsonSerializable(typeof(List<RunStep>))]
internal sealed partial class AgentsJsonContext : JsonSerializerContext;
