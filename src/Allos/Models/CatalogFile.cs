using System.Text.Json.Serialization;

namespace Allos.Models;

/// <summary>The JSON shape of a model catalog: the embedded <c>Models/catalog.json</c> and the files users load.</summary>
internal sealed class CatalogFile
{
    public string? PricesAsOf { get; set; }

    public string? Currency { get; set; }

    public List<string>? Notes { get; set; }

    [JsonRequired]
    public List<CatalogEntry> Models { get; set; } = [];
}

internal sealed class CatalogEntry
{
    [JsonRequired]
    public string Id { get; set; } = "";

    [JsonRequired]
    public int ContextWindow { get; set; }

    [JsonRequired]
    public int MaxOutputTokens { get; set; }

    public CatalogPricing? Pricing { get; set; }

    public CatalogCapabilities? Capabilities { get; set; }

    public List<string>? Aliases { get; set; }

    public string? Note { get; set; }
}

internal sealed class CatalogPricing
{
    [JsonRequired]
    public decimal Input { get; set; }

    [JsonRequired]
    public decimal Output { get; set; }

    public decimal? CachedInput { get; set; }

    public decimal? CacheWrite { get; set; }

    public decimal? WebSearches { get; set; }
}

internal sealed class CatalogCapabilities
{
    public bool Tools { get; set; }

    public bool Vision { get; set; }

    public bool Reasoning { get; set; }

    public bool JsonSchema { get; set; }

    public bool Embeddings { get; set; }

    /// <summary>Absent means the same as <see cref="JsonSchema"/>: only older Anthropic models say <see langword="false"/>.</summary>
    public bool? NativeJsonSchema { get; set; }
}
