using Microsoft.Extensions.AI;

namespace Allos.Models;

/// <summary>Computes what a call cost, in US dollars, from the usage its provider reported.</summary>
/// <remarks>
/// <para>
/// Usage follows the convention every Allos codec keeps: <see cref="UsageDetails.InputTokenCount"/> includes cached
/// input and cache writes; <see cref="UsageDetails.CachedInputTokenCount"/> is the part read from the cache; cache
/// writes are in <see cref="UsageDetails.AdditionalCounts"/> under <see cref="CacheWriteInputTokenCountKey"/>; and
/// <see cref="UsageDetails.OutputTokenCount"/> includes reasoning tokens. So each token is priced exactly once:
/// uncached input at <see cref="ModelPricing.Input"/>, cache reads at <see cref="ModelPricing.CachedInput"/>, cache
/// writes at <see cref="ModelPricing.CacheWrite"/> (each falling back to the input price when the model has none),
/// and output, reasoning included, at <see cref="ModelPricing.Output"/>.
/// </para>
/// <para>
/// Anthropic's cache writes are priced at the 5-minute rate; writes to the 1-hour cache cost more than this reports.
/// </para>
/// </remarks>
public static class CostCalculator
{
    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> key under which codecs report input tokens written to the cache.</summary>
    public const string CacheWriteInputTokenCountKey = "CacheWriteInputTokenCount";

    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> key under which codecs report the web searches the provider ran (priced at <see cref="ModelPricing.WebSearches"/>).</summary>
    public const string WebSearchRequestsKey = "WebSearchRequests";

    private const decimal TokensPerPrice = 1_000_000m;

    /// <summary>Returns the cost of one call of <paramref name="model"/>, or <see langword="null"/> when it is unknown.</summary>
    /// <returns>
    /// The cost in US dollars; <see langword="null"/> when the model's price is unknown or the usage reports neither
    /// input nor output tokens. An unknown cost is never reported as 0.
    /// </returns>
    public static decimal? Cost(ModelInfo model, UsageDetails usage)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(usage);
        if (model.Pricing is not ModelPricing price)
        {
            return null;
        }

        long? reportedInput = usage.InputTokenCount
            ?? (usage.TotalTokenCount is long total && usage.OutputTokenCount is long outputOnly ? total - outputOnly : null);
        if (reportedInput is null && usage.OutputTokenCount is null)
        {
            return null;
        }

        // Clamped so a provider's inconsistent counts can never price a token twice or below zero.
        long input = Math.Max(0, reportedInput ?? 0);
        long cached = Math.Clamp(usage.CachedInputTokenCount ?? 0, 0, input);
        long written = Math.Clamp(CacheWriteTokens(usage), 0, input - cached);
        long uncached = input - cached - written;
        long output = Math.Max(0, usage.OutputTokenCount ?? 0);

        decimal cost = (uncached * price.Input)
            + (cached * (price.CachedInput ?? price.Input))
            + (written * (price.CacheWrite ?? price.Input))
            + (output * price.Output);
        long searches = usage.AdditionalCounts?.TryGetValue(WebSearchRequestsKey, out long count) == true ? Math.Max(0, count) : 0;
        return (cost / TokensPerPrice) + (searches * (price.WebSearches ?? 0m) / 1000m);
    }

    /// <summary>Returns the cost of one call of <paramref name="modelId"/>, looked up in <see cref="ModelCatalog.Default"/>, or <see langword="null"/> when it is unknown.</summary>
    public static decimal? Cost(string modelId, UsageDetails usage) => Cost(ModelCatalog.Default.Get(modelId), usage);

    private static long CacheWriteTokens(UsageDetails usage) =>
        usage.AdditionalCounts?.TryGetValue(CacheWriteInputTokenCountKey, out long written) == true ? written : 0;
}
