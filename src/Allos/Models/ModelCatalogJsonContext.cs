using System.Text.Json;
using System.Text.Json.Serialization;

namespace Allos.Models;

// Unknown members are refused so a misspelled field in a user's catalog ("context_windw") fails instead of being ignored.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CatalogFile))]
internal sealed partial class ModelCatalogJsonContext : JsonSerializerContext;
