using System.Text.Json;
using Json.Schema;

namespace Allos.Tools.Validation;

/// <summary>
/// A tool's parameters schema, built once with JsonSchema.Net, that checks a call's arguments and says, in words a model
/// can act on, what is wrong (<c>$.path is required</c>, <c>$.limit must be an integer</c>, <c>$.mode must be one of "a", "b"</c>).
/// </summary>
/// <remarks>
/// Every keyword of drafts 6 to 2020-12 is checked by the library, after <see cref="ToolSchemaNormalizer"/> has rewritten
/// the non-standard forms tools use. <c>format</c> is an annotation, as 2020-12 says, so an unusual format never blocks a
/// call. A <c>$ref</c> to another document is never fetched: it accepts anything, and the handler still has to cope with
/// its input. Immutable and thread-safe.
/// </remarks>
internal sealed class ToolArgumentSchema
{
    /// <summary>Valid calls are the common case: the flag format answers them without building the error tree.</summary>
    private static readonly EvaluationOptions Check = new() { OutputFormat = OutputFormat.Flag };

    private static readonly EvaluationOptions Explain = new() { OutputFormat = OutputFormat.Hierarchical };

    private readonly JsonSchema _schema;

    private ToolArgumentSchema(JsonSchema schema) => _schema = schema;

    /// <summary>Builds the schema of the tool named <paramref name="toolName"/>.</summary>
    /// <exception cref="ArgumentException">JsonSchema.Net cannot build the schema; the message names the tool and the problem.</exception>
    public static ToolArgumentSchema Build(string toolName, JsonElement schema, string paramName)
    {
        try
        {
            (JsonElement normalized, Dialect dialect) = ToolSchemaNormalizer.Normalize(schema);

            // A registry per tool: two tools may use the same $id, and nothing should pile up in the global one.
            var registry = new SchemaRegistry { Fetch = static (_, _) => JsonSchema.True };
            return new ToolArgumentSchema(JsonSchema.Build(normalized, new BuildOptions { SchemaRegistry = registry, Dialect = dialect }));
        }
        catch (Exception e) when (e is JsonSchemaException or RefResolutionException or JsonException or ArgumentException)
        {
            throw new ArgumentException(
                $"The parameters schema of tool '{toolName}' cannot be used to check its calls: {e.Message.TrimEnd('.')}. Fix the schema; the JSON Schema drafts 4, 6, 7, 2019-09 and 2020-12 are supported.",
                paramName, e);
        }
    }

    /// <summary>Validates a call's <paramref name="arguments"/>.</summary>
    /// <returns>The errors, each starting with the JSON path of the offending value; empty when the arguments are valid.</returns>
    public IReadOnlyList<string> Validate(JsonElement arguments) =>
        _schema.Evaluate(arguments, Check).IsValid ? [] : ToolArgumentErrors.Describe(_schema.Evaluate(arguments, Explain), arguments);
}
