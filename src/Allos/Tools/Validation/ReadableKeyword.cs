using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Json.Schema;

namespace Allos.Tools.Validation;

/// <summary>
/// A JsonSchema.Net keyword handler whose failures say, for a model, what the value must be (<c>must be &gt;= 1</c>)
/// instead of the library's generic wording; everything else is the library's own handler.
/// </summary>
/// <remarks>
/// The wording has to be made here, where the keyword's value is at hand: the locations JsonSchema.Net reports for an
/// error do not always point back at the keyword (under <c>items</c> they repeat a segment). Only assertion keywords are
/// wrapped; applicators that other keywords read annotations from keep their own type, which the library relies on.
/// </remarks>
internal sealed class ReadableKeyword(IKeywordHandler inner, Func<JsonElement, JsonElement, string> describe) : IKeywordHandler
{
    /// <summary>Relaxed escaping keeps the schema's values readable in the message.</summary>
    private static readonly JsonWriterOptions CompactWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Gets the library's handler this one words the failures of.</summary>
    public IKeywordHandler Inner => inner;

    public string Name => inner.Name;

    public object? ValidateKeywordValue(JsonElement value) => inner.ValidateKeywordValue(value);

    public void BuildSubschemas(KeywordData keyword, BuildContext context) => inner.BuildSubschemas(keyword, context);

    public KeywordEvaluation Evaluate(KeywordData keyword, EvaluationContext context)
    {
        KeywordEvaluation evaluation = inner.Evaluate(keyword, context);
        return evaluation.IsValid ? evaluation : evaluation with { Error = describe(keyword.RawValue, context.Instance) };
    }

    /// <summary>The assertion keywords of every supported draft, each with the words for its failure.</summary>
    public static IReadOnlyList<ReadableKeyword> All { get; } =
    [
        // The type names go to the error formatter as a list, so alternatives (anyOf) can merge them into one phrase.
        new ReadableKeyword(Json.Schema.Keywords.TypeKeyword.Instance, (value, _) => value.ValueKind == JsonValueKind.Array
            ? string.Join(TypeSeparator, value.EnumerateArray().Select(t => t.GetString()))
            : value.GetString()!),
        new ReadableKeyword(Json.Schema.Keywords.RequiredKeyword.Instance, MissingProperties),
        new ReadableKeyword(Json.Schema.Keywords.EnumKeyword.Instance, (value, _) => "must be one of " + string.Join(", ", value.EnumerateArray().Select(Compact))),
        new ReadableKeyword(Json.Schema.Keywords.ConstKeyword.Instance, (value, _) => "must be " + Compact(value)),
        new ReadableKeyword(Json.Schema.Keywords.MinimumKeyword.Instance, (value, _) => "must be >= " + value.GetRawText()),
        new ReadableKeyword(Json.Schema.Keywords.MaximumKeyword.Instance, (value, _) => "must be <= " + value.GetRawText()),
        new ReadableKeyword(Json.Schema.Keywords.ExclusiveMinimumKeyword.Instance, (value, _) => "must be > " + value.GetRawText()),
        new ReadableKeyword(Json.Schema.Keywords.ExclusiveMaximumKeyword.Instance, (value, _) => "must be < " + value.GetRawText()),
        new ReadableKeyword(Json.Schema.Keywords.MultipleOfKeyword.Instance, (value, _) => "must be a multiple of " + value.GetRawText()),
        new ReadableKeyword(Json.Schema.Keywords.MinLengthKeyword.Instance, (value, _) => $"must be at least {Count(value, "character")} long"),
        new ReadableKeyword(Json.Schema.Keywords.MaxLengthKeyword.Instance, (value, _) => $"must be at most {Count(value, "character")} long"),
        new ReadableKeyword(Json.Schema.Keywords.MinItemsKeyword.Instance, (value, _) => "must have at least " + Count(value, "item")),
        new ReadableKeyword(Json.Schema.Keywords.MaxItemsKeyword.Instance, (value, _) => "must have at most " + Count(value, "item")),
        new ReadableKeyword(Json.Schema.Keywords.MinPropertiesKeyword.Instance, (value, _) => "must have at least " + Count(value, "property")),
        new ReadableKeyword(Json.Schema.Keywords.MaxPropertiesKeyword.Instance, (value, _) => "must have at most " + Count(value, "property")),
        new ReadableKeyword(Json.Schema.Keywords.UniqueItemsKeyword.Instance, (_, _) => "must not contain the same item twice"),
        new ReadableKeyword(Json.Schema.Keywords.NotKeyword.Instance, (value, _) => "must not match " + Compact(value)),
    ];

    /// <summary>Separates the names in a <c>type</c> error; type names never contain it.</summary>
    public const char TypeSeparator = '|';

    /// <summary>The names <c>required</c> asks for and the object lacks, as a JSON array (names may hold any character).</summary>
    private static string MissingProperties(JsonElement required, JsonElement instance)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            foreach (JsonElement name in required.EnumerateArray())
            {
                if (!instance.TryGetProperty(name.GetString()!, out _))
                {
                    writer.WriteStringValue(name.GetString());
                }
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static string Count(JsonElement value, string noun)
    {
        long count = value.TryGetInt64(out long n) ? n : (long)value.GetDouble();
        string plural = count == 1 ? noun : noun == "property" ? "properties" : noun + "s";
        return string.Create(CultureInfo.InvariantCulture, $"{count} {plural}");
    }

    /// <summary>A schema value as compact JSON: the author's whitespace reads badly in a one-line message.</summary>
    internal static string Compact(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, CompactWriter))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
