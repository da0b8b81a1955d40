using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace Allos;

/// <summary>
/// Microsoft.Extensions.AI's serializer options without indentation: <see cref="AIJsonUtilities.DefaultOptions"/> writes
/// indented JSON, which would send tool arguments and results to providers (and into stores) with wasted whitespace.
/// </summary>
internal static class AllosJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    public static JsonTypeInfo TypeInfo(Type type) => Options.GetTypeInfo(type);

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

        // Tool results of text and images (see Tools.ToolResultMedia), so stores and run states can write them.
        options.TypeInfoResolverChain.Add(Tools.ToolResultJsonContext.Default);
        options.MakeReadOnly();
        return options;
    }
}
