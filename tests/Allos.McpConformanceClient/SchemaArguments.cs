using System.Text.Json;
using Microsoft.Extensions.AI;

/// <summary>Arguments for a conformance tool: a plain value for each required property, by its schema type.</summary>
internal static class SchemaArguments
{
    public static AIFunctionArguments For(JsonElement schema)
    {
        var arguments = new AIFunctionArguments();
        if (!schema.TryGetProperty("properties", out JsonElement properties) || properties.ValueKind != JsonValueKind.Object
            || !schema.TryGetProperty("required", out JsonElement required) || required.ValueKind != JsonValueKind.Array)
        {
            return arguments;
        }

        int next = 1;
        foreach (JsonElement name in required.EnumerateArray())
        {
            if (name.GetString() is { } key && properties.TryGetProperty(key, out JsonElement property))
            {
                arguments[key] = Value(property, next++);
            }
        }

        return arguments;
    }

    private static JsonElement Value(JsonElement property, int ordinal)
    {
        if (property.TryGetProperty("default", out JsonElement fallback))
        {
            return fallback.Clone();
        }

        if (property.TryGetProperty("enum", out JsonElement options) && options.ValueKind == JsonValueKind.Array && options.GetArrayLength() > 0)
        {
            return options[0].Clone();
        }

        string type = property.TryGetProperty("type", out JsonElement kind) && kind.ValueKind == JsonValueKind.String ? kind.GetString()! : "string";
        string json = type switch
        {
            // Distinct small numbers, so a server that adds them shows the client sent both.
            "number" or "integer" => (ordinal + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "boolean" => "true",
            "array" => "[]",
            "object" => "{}",
            _ => "\"test\"",
        };
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
