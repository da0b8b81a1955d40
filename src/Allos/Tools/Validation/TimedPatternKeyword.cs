using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;
using Json.Schema.Keywords;

namespace Allos.Tools.Validation;

/// <summary>
/// <c>pattern</c> with a match timeout: the library's own handler has none, and the pattern comes from a tool author while
/// the string comes from a model, so a careless pattern on a long value must not hang the run.
/// </summary>
internal sealed class TimedPatternKeyword : PatternKeyword
{
    /// <summary>Long enough for any sane pattern; a catastrophic one fails this call instead of the whole run.</summary>
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    /// <summary>The one instance the dialects share; it holds no state.</summary>
    public static new TimedPatternKeyword Instance { get; } = new();

    public override object? ValidateKeywordValue(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new JsonSchemaException($"'pattern' must be a string, found {value.ValueKind}.");
        }

        // Not RegexOptions.Compiled, as the library does: compiling every tool's patterns at start-up costs more than
        // interpreting the few short strings a tool call holds. Not ECMAScript either: it refuses \p{..} and lookbehinds,
        // which tool authors write, and the rest reads the same in both.
        try
        {
            return new Regex(value.GetString()!, RegexOptions.None, Timeout);
        }
        catch (ArgumentException e)
        {
            throw new JsonSchemaException($"'pattern' {ReadableKeyword.Compact(value)} is not a valid regular expression: {e.Message}", e);
        }
    }

    public override KeywordEvaluation Evaluate(KeywordData keyword, EvaluationContext context)
    {
        if (context.Instance.ValueKind != JsonValueKind.String)
        {
            return KeywordEvaluation.Ignore;
        }

        string pattern = ReadableKeyword.Compact(keyword.RawValue);
        try
        {
            return ((Regex)keyword.Value!).IsMatch(context.Instance.GetString()!)
                ? new KeywordEvaluation { Keyword = Name, IsValid = true }
                : new KeywordEvaluation { Keyword = Name, IsValid = false, Error = "must match the pattern " + pattern };
        }
        catch (RegexMatchTimeoutException)
        {
            return new KeywordEvaluation { Keyword = Name, IsValid = false, Error = $"could not be checked against the pattern {pattern} in time; send a shorter or simpler value" };
        }
    }
}
