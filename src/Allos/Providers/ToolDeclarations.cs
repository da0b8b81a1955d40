using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Allos.Providers;

/// <summary>The function tools of a request, shared by every codec.</summary>
internal static class ToolDeclarations
{
    /// <summary>The function declarations in <see cref="ChatOptions.Tools"/>; any other kind of tool is refused, never dropped.</summary>
    public static List<AIFunctionDeclaration>? Functions(ChatOptions? options, string provider)
    {
        if (options?.Tools is not { Count: > 0 } tools)
        {
            return null;
        }

        var functions = new List<AIFunctionDeclaration>(tools.Count);
        foreach (AITool tool in tools)
        {
            functions.Add(tool as AIFunctionDeclaration
                ?? throw new FeatureNotSupportedException(provider, $"the hosted tool '{tool.Name}' ({tool.GetType().Name})",
                    "Only function tools (AIFunction or AIFunctionDeclaration) can be sent to it."));
        }

        return functions;
    }

    /// <summary>The parameters schema, guaranteed to be an object schema (providers reject anything else at the root).</summary>
    public static JsonElement ObjectSchema(AIFunctionDeclaration function)
    {
        JsonElement schema = function.JsonSchema;
        if (schema.ValueKind == JsonValueKind.Object
            && schema.TryGetProperty("type", out JsonElement type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("object")
            && schema.TryGetProperty("properties", out _))
        {
            return schema;
        }

        JsonObject node = schema.ValueKind == JsonValueKind.Object ? (JsonObject)JsonNode.Parse(schema.GetRawText())! : [];
        node["type"] = "object";
        node["properties"] ??= new JsonObject();
        return JsonSerializer.SerializeToElement(node, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonObject)));
    }
}
