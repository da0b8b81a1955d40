using System.Text.Json;
using System.Text.Json.Nodes;

namespace Allos.Providers.Anthropic;

/// <summary>
/// Rewrites a JSON Schema into the subset Anthropic's structured outputs (<c>output_config.format</c>) accept, the way the
/// official SDKs' <c>transform_schema</c> / <c>transformJSONSchema</c> do.
/// </summary>
/// <remarks>
/// The API rejects a schema with a keyword its grammar compiler does not support, and requires
/// <c>additionalProperties: false</c> on every object. So:
/// <list type="bullet">
/// <item>every object gets <c>additionalProperties: false</c>;</item>
/// <item><c>oneOf</c> becomes <c>anyOf</c>; <c>anyOf</c>, <c>allOf</c>, <c>items</c>, <c>properties</c> and
/// <c>$defs</c>/<c>definitions</c> are rewritten recursively; a local <c>$ref</c> is kept;</item>
/// <item><c>format</c> survives only for the string formats Anthropic lists, <c>minItems</c> only as 0 or 1;</item>
/// <item>any other constraint (<c>minimum</c>, <c>maxLength</c>, <c>pattern</c>, <c>default</c>…) is moved into the
/// <c>description</c>, so the model still reads it; <c>$schema</c>, <c>$id</c> and <c>$comment</c> are dropped.</item>
/// </list>
/// The input is never modified.
/// </remarks>
internal static class AnthropicSchema
{
    private static readonly HashSet<string> StringFormats =
        ["date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"];

    // Metadata with no meaning to the model; the SDKs would copy it into the description.
    private static readonly HashSet<string> Dropped = ["$schema", "$id", "$comment"];

    /// <summary>Returns the rewritten copy of <paramref name="schema"/>, with <paramref name="description"/> as the root description when it has none.</summary>
    public static JsonElement Strict(JsonElement schema, string? description = null)
    {
        JsonNode result = Transform(schema);
        if (!string.IsNullOrEmpty(description) && result is JsonObject root && root["description"] is null)
        {
            root["description"] = description;
        }

        using JsonDocument document = JsonDocument.Parse(result.ToJsonString());
        return document.RootElement.Clone();
    }

    private static JsonNode Transform(JsonElement schema)
    {
        // Boolean schemas and junk pass through: the API is the judge of what it cannot compile.
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return JsonNode.Parse(schema.GetRawText())!;
        }

        var strict = new JsonObject();
        var leftover = new JsonObject();
        bool isObject = HasType(schema, "object") || (!schema.TryGetProperty("type", out _) && schema.TryGetProperty("properties", out _));
        foreach (JsonProperty property in schema.EnumerateObject())
        {
            JsonElement value = property.Value;
            switch (property.Name)
            {
                case "type" or "description" or "title" or "enum" or "const" or "required" or "$ref":
                    strict[property.Name] = Copy(value);
                    break;
                case "$defs" or "definitions" when value.ValueKind == JsonValueKind.Object:
                    strict[property.Name] = Map(value);
                    break;
                case "properties" when value.ValueKind == JsonValueKind.Object:
                    strict["properties"] = Map(value);
                    break;
                case "additionalProperties":
                    break; // replaced below: only false is accepted
                case "items" when value.ValueKind == JsonValueKind.Object:
                    strict["items"] = Transform(value);
                    break;
                case "anyOf" or "oneOf" or "allOf" when value.ValueKind == JsonValueKind.Array:
                    strict[property.Name == "allOf" ? "allOf" : "anyOf"] = new JsonArray([.. value.EnumerateArray().Select(Transform)]);
                    break;
                case "format" when value.ValueKind == JsonValueKind.String && StringFormats.Contains(value.GetString()!):
                    strict["format"] = value.GetString();
                    break;
                case "minItems" when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int min) && min is 0 or 1:
                    strict["minItems"] = min;
                    break;
                case var name when Dropped.Contains(name):
                    break;
                default:
                    leftover[property.Name] = Copy(value);
                    break;
            }
        }

        if (isObject)
        {
            strict["properties"] ??= new JsonObject();
            strict["additionalProperties"] = false;
        }

        if (leftover.Count > 0)
        {
            // Unsupported constraints become prose the model can still follow, as the SDKs do.
            string constraints = "{" + string.Join(", ", leftover.Select(p => $"{p.Key}: {p.Value?.ToJsonString() ?? "null"}")) + "}";
            strict["description"] = strict["description"] is JsonValue value && value.TryGetValue(out string? text) && text.Length > 0
                ? text + "\n\n" + constraints
                : constraints;
        }

        return strict;
    }

    private static JsonObject Map(JsonElement schemas)
    {
        var result = new JsonObject();
        foreach (JsonProperty child in schemas.EnumerateObject())
        {
            result[child.Name] = Transform(child.Value);
        }

        return result;
    }

    private static bool HasType(JsonElement schema, string type) =>
        schema.TryGetProperty("type", out JsonElement value)
        && (value.ValueKind == JsonValueKind.String ? value.ValueEquals(type)
            : value.ValueKind == JsonValueKind.Array && value.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.ValueEquals(type)));

    private static JsonNode? Copy(JsonElement value) => JsonNode.Parse(value.GetRawText());
}
