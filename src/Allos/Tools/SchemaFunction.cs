using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Tools;

/// <summary>The function behind a schema-first <see cref="Tool"/>: hands the arguments, as one JSON object, to a <see cref="ToolHandler"/>.</summary>
internal sealed class SchemaFunction(string name, string description, JsonElement schema, ToolHandler handler) : AIFunction
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public override string Name => name;

    public override string Description => description;

    public override JsonElement JsonSchema => schema;

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        ToolContext context = arguments.Context?.TryGetValue(typeof(ToolContext), out object? value) == true && value is ToolContext c
            ? c
            : new ToolContext { CallId = "", ToolName = name, Workspace = Workspace.Current };
        JsonElement json = arguments.Count == 0 ? EmptyObject : ToElement(arguments);
        return await handler(json, context, cancellationToken).ConfigureAwait(false);
    }

    private static JsonElement ToElement(AIFunctionArguments arguments)
    {
        var copy = new Dictionary<string, object?>(arguments.Count);
        foreach (KeyValuePair<string, object?> argument in arguments)
        {
            copy[argument.Key] = argument.Value;
        }

        return JsonSerializer.SerializeToElement(copy, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Dictionary<string, object?>)));
    }
}
