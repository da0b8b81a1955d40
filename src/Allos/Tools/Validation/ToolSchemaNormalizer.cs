using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Allos.Tools.Validation;

/// <summary>
/// Rewrites the non-standard forms tool schemas carry in the wild into the JSON Schema JsonSchema.Net evaluates, so
/// they keep meaning what their authors meant: OpenAPI's <c>nullable</c>, draft 4's boolean <c>exclusiveMinimum</c> /
/// <c>exclusiveMaximum</c>, and tuple <c>items</c> arrays in schemas that name no draft.
/// </summary>
/// <remarks>
/// <c>oneOf</c> becomes <c>anyOf</c> on purpose: tool schemas use it to offer alternatives, and rejecting a call because
/// two branches fit would only confuse the model. Only schema positions are rewritten, never <c>enum</c>, <c>const</c>
/// or <c>default</c> values. The rewritten copy is only validated against; the model still sees the original.
/// </remarks>
internal static class ToolSchemaNormalizer
{
    private static readonly string[] SchemaKeywords =
        ["additionalProperties", "additionalItems", "items", "contains", "not", "if", "then", "else", "propertyNames",
         "unevaluatedItems", "unevaluatedProperties", "contentSchema"];

    private static readonly string[] SchemaArrayKeywords = ["allOf", "anyOf", "oneOf", "prefixItems", "items"];

    private static readonly string[] SchemaMapKeywords = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"];

    /// <summary>Returns the schema to build and the dialect to build it under.</summary>
    /// <exception cref="JsonSchemaException"><c>$schema</c> names a draft JsonSchema.Net does not implement.</exception>
    public static (JsonElement Schema, Dialect Dialect) Normalize(JsonElement schema)
    {
        // An AIFunction without a schema declares nothing to check.
        JsonNode root = schema.ValueKind == JsonValueKind.Undefined ? JsonValue.Create(true) : JsonNode.Parse(schema.GetRawText())!;
        Dialect dialect = ToolSchemaDialects.Draft202012;
        if (root is JsonObject obj && obj.TryGetPropertyValue("$schema", out JsonNode? id))
        {
            string name = id is JsonValue value && value.TryGetValue(out string? text) ? text : id?.ToJsonString() ?? "null";
            dialect = ToolSchemaDialects.Find(name)
                ?? throw new JsonSchemaException($"its \"$schema\" is \"{name}\", a JSON Schema version Allos cannot check arguments against; "
                    + "remove \"$schema\" (2020-12 is assumed) or name draft-04, draft-06, draft-07, 2019-09 or 2020-12");

            // The dialect is passed in directly: the library would look the official one up by this id.
            obj.Remove("$schema");
        }

        Rewrite(root, tupleItems: dialect == ToolSchemaDialects.Draft202012);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            root.WriteTo(writer);
        }

        using JsonDocument document = JsonDocument.Parse(stream.ToArray());
        return (document.RootElement.Clone(), dialect);
    }

    private static void Rewrite(JsonNode? node, bool tupleItems)
    {
        if (node is not JsonObject schema)
        {
            return; // true, false, or not a schema at all.
        }

        RewriteNullable(schema);
        RewriteBooleanBound(schema, "exclusiveMinimum", "minimum");
        RewriteBooleanBound(schema, "exclusiveMaximum", "maximum");
        if (schema["oneOf"] is JsonArray && !schema.ContainsKey("anyOf"))
        {
            Rename(schema, "oneOf", "anyOf");
        }

        if (tupleItems && schema["items"] is JsonArray && !schema.ContainsKey("prefixItems"))
        {
            // 2020-12 spells the old tuple form prefixItems + items.
            Rename(schema, "items", "prefixItems");
            if (schema.ContainsKey("additionalItems"))
            {
                Rename(schema, "additionalItems", "items");
            }
        }

        foreach (string keyword in SchemaKeywords)
        {
            Rewrite(schema[keyword], tupleItems);
        }

        foreach (string keyword in SchemaArrayKeywords)
        {
            if (schema[keyword] is JsonArray branches)
            {
                foreach (JsonNode? branch in branches)
                {
                    Rewrite(branch, tupleItems);
                }
            }
        }

        foreach (string keyword in SchemaMapKeywords)
        {
            if (schema[keyword] is JsonObject map)
            {
                foreach (KeyValuePair<string, JsonNode?> entry in map)
                {
                    Rewrite(entry.Value, tupleItems);
                }
            }
        }
    }

    /// <summary>OpenAPI's <c>"nullable": true</c> adds null to the allowed types and values.</summary>
    private static void RewriteNullable(JsonObject schema)
    {
        if (!schema.TryGetPropertyValue("nullable", out JsonNode? nullable) || nullable?.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            return;
        }

        schema.Remove("nullable");
        if (nullable.GetValueKind() == JsonValueKind.False)
        {
            return;
        }

        switch (schema["type"])
        {
            case JsonValue type when type.GetValueKind() == JsonValueKind.String && type.GetValue<string>() != "null":
                schema["type"] = new JsonArray(type.GetValue<string>(), "null");
                break;
            case JsonArray types when !types.Any(t => t?.GetValueKind() == JsonValueKind.String && t.GetValue<string>() == "null"):
                types.Add("null");
                break;
        }

        if (schema["enum"] is JsonArray values && !values.Any(v => v is null))
        {
            values.Add(null);
        }
    }

    /// <summary>Draft 4's <c>"exclusiveMinimum": true</c> beside <c>minimum</c> is draft 6's <c>"exclusiveMinimum": n</c>.</summary>
    private static void RewriteBooleanBound(JsonObject schema, string exclusive, string inclusive)
    {
        if (schema[exclusive]?.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False) || schema[exclusive] is not { } flag)
        {
            return;
        }

        schema.Remove(exclusive);
        if (flag.GetValueKind() == JsonValueKind.True && schema[inclusive] is { } bound)
        {
            schema.Remove(inclusive);
            schema[exclusive] = bound;
        }
    }

    private static void Rename(JsonObject schema, string from, string to)
    {
        JsonNode? value = schema[from];
        schema.Remove(from);
        schema[to] = value;
    }
}
