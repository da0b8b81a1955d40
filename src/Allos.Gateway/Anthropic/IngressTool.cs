using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Gateway.Server.Anthropic;

/// <summary>A tool the caller declared (name, description, input schema): the gateway only forwards it, never invokes it.</summary>
internal sealed class IngressTool(string name, string? description, JsonElement schema, IReadOnlyDictionary<string, object?>? properties) : AIFunctionDeclaration
{
    private static readonly IReadOnlyDictionary<string, object?> None = new Dictionary<string, object?>();

    public override string Name => name;

    public override string Description => description ?? "";

    public override JsonElement JsonSchema => schema;

    public override IReadOnlyDictionary<string, object?> AdditionalProperties => properties ?? None;
}
