using System.Text.Json;
using System.Text.RegularExpressions;
using Allos.Tools.Validation;

namespace Allos.Prompts;

/// <summary>
/// A test a prompt file carries (<c>tests:</c>): input values, and what the model's answer to the rendered prompt must
/// (or must not) contain. <c>allos prompts test</c> runs them.
/// </summary>
public sealed class PromptTest
{
    internal PromptTest(int index, int line, IReadOnlyDictionary<string, object?> variables)
    {
        Index = index;
        Line = line;
        Variables = variables;
    }

    /// <summary>Gets the test's 1-based position in the file.</summary>
    public int Index { get; }

    /// <summary>Gets the line of the prompt file where the test starts.</summary>
    public int Line { get; }

    /// <summary>Gets the test's name (<c>name:</c>), when it has one.</summary>
    public string? Name { get; internal init; }

    /// <summary>Gets the input values (<c>vars:</c>).</summary>
    public IReadOnlyDictionary<string, object?> Variables { get; }

    /// <summary>Gets texts the answer must contain (<c>contains:</c>).</summary>
    public IReadOnlyList<string> Contains { get; internal init; } = [];

    /// <summary>Gets texts the answer must not contain (<c>not_contains:</c>).</summary>
    public IReadOnlyList<string> NotContains { get; internal init; } = [];

    /// <summary>Gets the whole answer expected, ignoring surrounding white space (<c>equals:</c>).</summary>
    public string? EqualTo { get; internal init; }

    /// <summary>Gets a regular expression the answer must match (<c>matches:</c>).</summary>
    public string? Matches { get; internal init; }

    /// <summary>Gets a JSON schema the answer, read as JSON, must satisfy (<c>json_schema:</c>).</summary>
    public JsonElement? JsonSchema { get; internal init; }

    internal ToolArgumentSchema? CompiledSchema { get; init; }

    internal Regex? CompiledPattern { get; init; }

    /// <summary>Checks <paramref name="answer"/> against every expectation.</summary>
    /// <returns>One line per failed expectation; empty when the answer passes.</returns>
    public IReadOnlyList<string> Check(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var failures = new List<string>();
        foreach (string text in Contains)
        {
            if (!answer.Contains(text, StringComparison.Ordinal))
            {
                failures.Add($"expected the answer to contain \"{text}\"");
            }
        }

        foreach (string text in NotContains)
        {
            if (answer.Contains(text, StringComparison.Ordinal))
            {
                failures.Add($"expected the answer not to contain \"{text}\"");
            }
        }

        if (EqualTo is { } expected && !string.Equals(answer.Trim(), expected.Trim(), StringComparison.Ordinal))
        {
            failures.Add($"expected the answer to equal \"{expected.Trim()}\"");
        }

        if (CompiledPattern is { } pattern && !pattern.IsMatch(answer))
        {
            failures.Add($"expected the answer to match /{Matches}/");
        }

        if (CompiledSchema is { } schema)
        {
            CheckSchema(schema, answer, failures);
        }

        return failures;
    }

    private static void CheckSchema(ToolArgumentSchema schema, string answer, List<string> failures)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(StripFence(answer));
        }
        catch (JsonException ex)
        {
            failures.Add($"expected a JSON answer for json_schema, but it is not JSON ({ex.Message})");
            return;
        }

        using (document)
        {
            IReadOnlyList<string> errors = schema.Validate(document.RootElement);
            if (errors.Count > 0)
            {
                failures.Add($"the answer does not match json_schema: {string.Join("; ", errors)}");
            }
        }
    }

    /// <summary>Models often wrap JSON in a Markdown fence; the schema applies to what is inside.</summary>
    private static string StripFence(string answer)
    {
        string trimmed = answer.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            return trimmed;
        }

        int firstLine = trimmed.IndexOf('\n');
        int close = trimmed.LastIndexOf("```", StringComparison.Ordinal);
        return firstLine > 0 && close > firstLine ? trimmed[(firstLine + 1)..close].Trim() : trimmed;
    }
}
