using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Gemini;

/// <summary>
/// Rewrites a JSON Schema into the OpenAPI subset Gemini accepts for function parameters and response schemas.
/// </summary>
/// <remarks>
/// Gemini rejects a request whose schema uses a keyword it does not know (<c>additionalProperties</c>, <c>$schema</c>,
/// <c>$ref</c>…), so schemas from <c>AIFunctionFactory</c> and MCP servers must be cleaned:
/// <list type="bullet">
/// <item>only whitelisted keywords are kept;</item>
/// <item><c>$ref</c> is inlined from <c>$defs</c>/<c>definitions</c> (any local JSON pointer); a reference already being
/// expanded (a recursive type) or a schema nested too deep becomes <c>{"type":"object"}</c>;</item>
/// <item><c>type: [T, "null"]</c> and <c>anyOf: [X, {"type":"null"}]</c> become <c>T</c>/<c>X</c> with <c>nullable: true</c>;</item>
/// <item><c>oneOf</c> becomes <c>anyOf</c>; <c>allOf</c> is merged into its parent; <c>const</c> becomes a one-value <c>enum</c>;</item>
/// <item><c>enum</c> survives only when every value is a string; <c>format</c> only where Gemini accepts it.</item>
/// </list>
/// The input is never modified.
/// </remarks>
internal static class GeminiSchema
{
    // Nesting levels of schemas kept; each costs up to two JSON levels, and serializers stop at 64.
    private const int MaxDepth = 20;

    private static readonly HashSet<string> CopiedNumbers =
        ["minItems", "maxItems", "minimum", "maximum", "minLength", "maxLength", "minProperties", "maxProperties"];

    /// <summary>Returns the cleaned copy of <paramref name="schema"/>.</summary>
    public static JsonElement Clean(JsonElement schema)
    {
        JsonObject cleaned = new Cleaner(schema).Clean(schema, depth: 0);
        return JsonSerializer.SerializeToElement(cleaned, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonObject)));
    }

    /// <summary>Whether a cleaned root schema declares no parameter at all (Gemini rejects an object with empty properties).</summary>
    public static bool HasNoProperties(JsonElement cleaned) =>
        cleaned.ValueKind != JsonValueKind.Object
        || !cleaned.TryGetProperty("properties", out JsonElement properties)
        || properties.ValueKind != JsonValueKind.Object
        || !properties.EnumerateObject().Any();

    private sealed class Cleaner(JsonElement root)
    {
        // References being expanded on the current path: meeting one again means the type is recursive.
        private readonly HashSet<string> _expanding = new(StringComparer.Ordinal);

        public JsonObject Clean(JsonElement schema, int depth)
        {
            // Boolean schemas (true/false) and junk have no Gemini equivalent beyond "anything".
            if (schema.ValueKind != JsonValueKind.Object)
            {
                return [];
            }

            if (depth > MaxDepth)
            {
                return ObjectFallback();
            }

            var result = new JsonObject();
            if (schema.TryGetProperty("$ref", out JsonElement reference) && reference.ValueKind == JsonValueKind.String)
            {
                Merge(result, Resolve(reference.GetString()!, depth));
            }

            if (schema.TryGetProperty("allOf", out JsonElement allOf) && allOf.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement part in allOf.EnumerateArray())
                {
                    Merge(result, Clean(part, depth + 1));
                }
            }

            // The node's own keywords win over what a $ref or allOf brought (a sibling "description" is the common case).
            Merge(result, Own(schema, depth));
            return Normalize(result);
        }

        private JsonObject Resolve(string reference, int depth)
        {
            if (!_expanding.Add(reference))
            {
                return ObjectFallback();
            }

            try
            {
                return TryPointer(reference, out JsonElement target) ? Clean(target, depth + 1) : ObjectFallback();
            }
            finally
            {
                _expanding.Remove(reference);
            }
        }

        private bool TryPointer(string reference, out JsonElement target)
        {
            target = root;
            if (!reference.StartsWith('#'))
            {
                return false; // remote references cannot be fetched
            }

            foreach (string raw in reference[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                string token = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                if (target.ValueKind == JsonValueKind.Object && target.TryGetProperty(token, out JsonElement next))
                {
                    target = next;
                }
                else if (target.ValueKind == JsonValueKind.Array && int.TryParse(token, out int index) && index >= 0 && index < target.GetArrayLength())
                {
                    target = target[index];
                }
                else
                {
                    return false;
                }
            }

            return true;
        }

        private JsonObject Own(JsonElement schema, int depth)
        {
            var own = new JsonObject();
            foreach (JsonProperty property in schema.EnumerateObject())
            {
                JsonElement value = property.Value;
                switch (property.Name)
                {
                    case "type":
                        AddType(own, value);
                        break;
                    case "format" or "title" or "description" or "pattern" when value.ValueKind == JsonValueKind.String:
                        own[property.Name] = value.GetString();
                        break;
                    case "nullable" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                        own["nullable"] = value.GetBoolean();
                        break;
                    case "enum" or "required" or "propertyOrdering" when value.ValueKind == JsonValueKind.Array:
                        own[property.Name] = Copy(value);
                        break;
                    case "const":
                        own["enum"] = new JsonArray(Copy(value));
                        break;
                    case "default":
                        own["default"] = Copy(value);
                        break;
                    case var name when CopiedNumbers.Contains(name) && value.ValueKind == JsonValueKind.Number:
                        own[name] = Copy(value);
                        break;
                    case "items" when value.ValueKind == JsonValueKind.Object:
                        own["items"] = Clean(value, depth + 1);
                        break;
                    case "items" when value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0:
                        // Tuple form (draft 4-7): Gemini has one item schema, so any of the positions' schemas is allowed.
                        own["items"] = value.GetArrayLength() == 1 ? Clean(value[0], depth + 1) : AnyOf(value, depth);
                        break;
                    case "properties" when value.ValueKind == JsonValueKind.Object:
                        var properties = new JsonObject();
                        foreach (JsonProperty child in value.EnumerateObject())
                        {
                            properties[child.Name] = Clean(child.Value, depth + 1);
                        }

                        own["properties"] = properties;
                        break;
                    case "anyOf" or "oneOf" when value.ValueKind == JsonValueKind.Array:
                        AddBranches(own, value, depth);
                        break;
                    default:
                        break; // $schema, $id, $comment, $defs, additionalProperties, examples, …: unknown to Gemini
                }
            }

            return own;
        }

        private static void AddType(JsonObject own, JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                if (value.ValueEquals("null"))
                {
                    own["nullable"] = true;
                }
                else
                {
                    own["type"] = value.GetString();
                }

                return;
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                return;
            }

            var types = new List<string>();
            foreach (JsonElement item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    continue;
                }

                if (item.ValueEquals("null"))
                {
                    own["nullable"] = true;
                }
                else
                {
                    types.Add(item.GetString()!);
                }
            }

            if (types.Count == 1)
            {
                own["type"] = types[0];
            }
            else if (types.Count > 1)
            {
                own["anyOf"] = new JsonArray([.. types.Select(t => (JsonNode)new JsonObject { ["type"] = t })]);
            }
        }

        private void AddBranches(JsonObject own, JsonElement branches, int depth)
        {
            JsonArray anyOf = own["anyOf"] as JsonArray ?? [];
            foreach (JsonElement branch in branches.EnumerateArray())
            {
                if (IsNullSchema(branch))
                {
                    own["nullable"] = true;
                }
                else
                {
                    anyOf.Add(Clean(branch, depth + 1));
                }
            }

            if (anyOf.Count > 0)
            {
                own["anyOf"] = anyOf;
            }
        }

        private JsonObject AnyOf(JsonElement schemas, int depth) =>
            new() { ["anyOf"] = new JsonArray([.. schemas.EnumerateArray().Select(s => (JsonNode)Clean(s, depth + 1))]) };

        private static bool IsNullSchema(JsonElement schema) =>
            schema.ValueKind == JsonValueKind.Object
            && schema.TryGetProperty("type", out JsonElement type)
            && type.ValueKind == JsonValueKind.String && type.ValueEquals("null");
    }

    private static JsonObject ObjectFallback() => new() { ["type"] = "object" };

    /// <summary>Copies <paramref name="source"/> into <paramref name="target"/>: properties are merged, required lists joined, the rest replaced.</summary>
    private static void Merge(JsonObject target, JsonObject source)
    {
        foreach ((string key, JsonNode? value) in source.ToList())
        {
            if (key == "properties" && target[key] is JsonObject existing && value is JsonObject added)
            {
                foreach ((string name, JsonNode? schema) in added.ToList())
                {
                    existing[name] = schema?.DeepClone();
                }
            }
            else if (key == "required" && target[key] is JsonArray required && value is JsonArray more)
            {
                foreach (JsonNode? name in more)
                {
                    if (!required.Any(r => JsonNode.DeepEquals(r, name)))
                    {
                        required.Add(name?.DeepClone());
                    }
                }
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    /// <summary>The checks that need the whole node: a lone anyOf branch, enum values, format, required names.</summary>
    private static JsonObject Normalize(JsonObject schema)
    {
        if (schema["anyOf"] is JsonArray { Count: 1 } single && schema["type"] is null)
        {
            // anyOf [X, null] was the nullable-X idiom: X itself, keeping this node's description and nullability.
            schema.Remove("anyOf");
            JsonObject collapsed = single[0] is JsonObject branch ? (JsonObject)branch.DeepClone() : [];
            Merge(collapsed, schema);
            schema = collapsed;
        }

        if (schema["enum"] is JsonArray values)
        {
            var kept = new JsonArray();
            bool allStrings = true;
            foreach (JsonNode? value in values)
            {
                if (value is null || value.GetValueKind() == JsonValueKind.Null)
                {
                    schema["nullable"] = true;
                }
                else if (value.GetValueKind() == JsonValueKind.String)
                {
                    kept.Add(value.DeepClone());
                }
                else
                {
                    allStrings = false;
                }
            }

            if (allStrings && kept.Count > 0)
            {
                schema["enum"] = kept;
                schema["type"] ??= "string";
            }
            else
            {
                schema.Remove("enum");
            }
        }

        if (schema["format"] is JsonNode format && !FormatAllowed(schema["type"]?.GetValue<string>(), format.GetValue<string>()))
        {
            schema.Remove("format");
        }

        if (schema["properties"] is JsonObject { Count: 0 })
        {
            schema.Remove("properties");
        }

        if (schema["required"] is JsonArray required)
        {
            JsonObject? properties = schema["properties"] as JsonObject;
            JsonNode?[] known = [.. required.Where(r => r?.GetValueKind() == JsonValueKind.String && properties?.ContainsKey(r.GetValue<string>()) == true).Select(r => r!.DeepClone())];
            if (known.Length == 0)
            {
                schema.Remove("required");
            }
            else
            {
                schema["required"] = new JsonArray(known);
            }
        }

        return schema;
    }

    private static bool FormatAllowed(string? type, string format) => type?.ToLowerInvariant() switch
    {
        "string" => format is "enum" or "date-time",
        "number" => format is "float" or "double",
        "integer" => format is "int32" or "int64",
        _ => false,
    };

    private static JsonNode? Copy(JsonElement value) => JsonNode.Parse(value.GetRawText());
}
