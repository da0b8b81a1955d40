namespace Allos.Models;

/// <summary>What a model costs, in US dollars per million tokens.</summary>
/// <remarks>
/// Prices are those of the provider's standard tier for prompts of ordinary length: long-context surcharges (Gemini
/// 2.5 Pro above 200k tokens, for example), batch discounts and regional uplifts are not modeled.
/// </remarks>
public sealed record ModelPricing
{
    /// <summary>Initializes a new price list.</summary>
    /// <param name="input">The price of a million input tokens that were neither read from nor written to a cache.</param>
    /// <param name="output">The price of a million output tokens, reasoning tokens included.</param>
    /// <param name="cachedInput">The price of a million input tokens read from the provider's cache, or <see langword="null"/> when the provider has no discount for them.</param>
    /// <param name="cacheWrite">The price of a million input tokens written to the cache, or <see langword="null"/> when writing costs the same as <paramref name="input"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A price is negative.</exception>
    public ModelPricing(decimal input, decimal output, decimal? cachedInput = null, decimal? cacheWrite = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(input);
        ArgumentOutOfRangeException.ThrowIfNegative(output);
        if (cachedInput < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cachedInput), cachedInput, "A price cannot be negative.");
        }

        if (cacheWrite < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cacheWrite), cacheWrite, "A price cannot be negative.");
        }

        Input = input;
        Output = output;
        CachedInput = cachedInput;
        CacheWrite = cacheWrite;
    }

    /// <summary>Gets the price list of a model that costs nothing to call (a model running locally).</summary>
    public static ModelPricing Free { get; } = new(0m, 0m);

    /// <summary>Gets the price of a million uncached input tokens.</summary>
    public decimal Input { get; }

    /// <summary>Gets the price of a million output tokens, reasoning tokens included.</summary>
    public decimal Output { get; }

    /// <summary>Gets the price of a million input tokens read from the cache, or <see langword="null"/> when they cost <see cref="Input"/>.</summary>
    public decimal? CachedInput { get; }

    /// <summary>Gets the price of a million input tokens written to the cache, or <see langword="null"/> when they cost <see cref="Input"/>.</summary>
    public decimal? CacheWrite { get; }

    /// <summary>
    /// Gets the price of a thousand searches the provider runs itself (Anthropic's web search tool), billed on top of
    /// tokens; <see langword="null"/> when the model has none or its price is not listed.
    /// </summary>
    public decimal? WebSearches
    {
        get;
        init => field = value < 0 ? throw new ArgumentOutOfRangeException(nameof(WebSearches), value, "A price cannot be negative.") : value;
    }
}
