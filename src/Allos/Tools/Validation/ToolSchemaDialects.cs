using Json.Schema;
using Json.Schema.Keywords;

namespace Allos.Tools.Validation;

/// <summary>The JSON Schema drafts tool schemas are checked under, each with Allos's wording and the timed <c>pattern</c>.</summary>
internal static class ToolSchemaDialects
{
    public static Dialect Draft06 { get; } = Variant(Dialect.Draft06);

    public static Dialect Draft07 { get; } = Variant(Dialect.Draft07);

    public static Dialect Draft201909 { get; } = Variant(Dialect.Draft201909);

    /// <summary>Also the dialect of a schema without <c>$schema</c>, as MCP and Microsoft.Extensions.AI write them.</summary>
    public static Dialect Draft202012 { get; } = Variant(Dialect.Draft202012);

    /// <summary>Finds the dialect a <c>$schema</c> names; <see langword="null"/> for one JsonSchema.Net does not implement.</summary>
    /// <remarks>Draft 4 is read as draft 6: its one difference tools use, boolean exclusive bounds, is rewritten first.</remarks>
    public static Dialect? Find(string id)
    {
        // Tools write these with and without the trailing '#', over http and https.
        string key = id.TrimEnd('#').Replace("https://", "http://", StringComparison.OrdinalIgnoreCase).ToUpperInvariant();
        return key switch
        {
            "HTTP://JSON-SCHEMA.ORG/DRAFT-04/SCHEMA" or "HTTP://JSON-SCHEMA.ORG/DRAFT-06/SCHEMA" => Draft06,
            "HTTP://JSON-SCHEMA.ORG/DRAFT-07/SCHEMA" => Draft07,
            "HTTP://JSON-SCHEMA.ORG/DRAFT/2019-09/SCHEMA" => Draft201909,
            "HTTP://JSON-SCHEMA.ORG/DRAFT/2020-12/SCHEMA" or "HTTP://JSON-SCHEMA.ORG/SCHEMA" => Draft202012,
            _ => null,
        };
    }

    private static Dialect Variant(Dialect draft) =>
        draft.Without([.. ReadableKeyword.All.Select(k => k.Inner), PatternKeyword.Instance], draft.Id)
            .With([.. ReadableKeyword.All, TimedPatternKeyword.Instance], draft.Id);
}
