using System.Text.Json;
using Allos.Tools.Validation;

namespace Allos.Agents.Guardrails;

/// <summary>Stops a run whose final answer is not JSON valid against a schema.</summary>
/// <remarks>Errors name the JSON path and the rule broken (from the schema), never the answer's values.</remarks>
internal sealed class JsonSchemaGuardrail : Guardrail
{
    private readonly ToolArgumentSchema _schema;

    public JsonSchemaGuardrail(string name, string schema)
        : base(name, GuardrailStage.Output)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        JsonElement element;
        try
        {
            using JsonDocument document = JsonDocument.Parse(schema);
            element = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The schema of guardrail '{name}' is not valid JSON: {ex.Message}", nameof(schema), ex);
        }

        _schema = ToolArgumentSchema.Build(name, element, nameof(schema));
    }

    public override ValueTask<GuardrailResult> CheckAsync(GuardrailContext context, CancellationToken cancellationToken = default)
    {
        JsonElement answer;
        try
        {
            using JsonDocument document = JsonDocument.Parse(Unfenced(context.Text));
            answer = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return ValueTask.FromResult(GuardrailResult.Trip("the answer is not valid JSON"));
        }

        IReadOnlyList<string> errors = _schema.Validate(answer);
        return ValueTask.FromResult(errors.Count == 0
            ? GuardrailResult.Pass
            : GuardrailResult.Trip("the answer does not match the schema: " + string.Join("; ", errors.Take(3))));
    }

    /// <summary>The text inside a Markdown code fence, which models put around JSON even when asked not to.</summary>
    internal static string Unfenced(string text)
    {
        string trimmed = text.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal) || !trimmed.EndsWith("```", StringComparison.Ordinal) || trimmed.Length < 6)
        {
            return trimmed;
        }

        int firstLine = trimmed.IndexOf('\n', StringComparison.Ordinal);
        return firstLine < 0 ? trimmed : trimmed[(firstLine + 1)..^3].Trim();
    }
}
