using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Allos.Providers;

/// <summary>The function tools of a request, shared by every codec.</summary>
internal static class ToolDeclarations
{
    /// <summary>
    /// The function declarations in <see cref="ChatOptions.Tools"/>; any other kind of tool is refused, never dropped, except a
    /// <see cref="HostedWebSearchTool"/> when <paramref name="hostedWebSearch"/> says the codec sends it itself.
    /// </summary>
    public static List<AIFunctionDeclaration>? Functions(ChatOptions? options, string provider, bool hostedWebSearch = false)
    {
        if (options?.Tools is not { Count: > 0 } tools)
        {
            return null;
        }

        var functions = new List<AIFunctionDeclaration>(tools.Count);
        foreach (AITool tool in tools)
        {
            if (tool is HostedWebSearchTool)
            {
                if (hostedWebSearch)
                {
                    continue;
                }

                throw new FeatureNotSupportedException(provider, "the provider's own web search (HostedWebSearchTool)",
                    "Use the built-in web_search tool (Brave, Tavily or SearXNG) with this provider, or a model that searches itself.");
            }

            functions.Add(tool as AIFunctionDeclaration
                ?? throw new FeatureNotSupportedException(provider, $"the hosted tool '{tool.Name}' ({tool.GetType().Name})",
                    "Only function tools (AIFunction or AIFunctionDeclaration) can be sent to it."));
        }

        return functions.Count > 0 ? functions : null;
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
