namespace Allos.Storage;

/// <summary>Totals for one group of model calls.</summary>
/// <param name="Key">
/// The group: <c>provider/model</c>, provider, <c>yyyy-MM-dd</c> (UTC), session id, alias, deployment, user key, prompt, key
/// (alias or hash prefix) or team; calls without one are grouped under an empty key.
/// </param>
/// <param name="Calls">The number of calls.</param>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="CachedInputTokens">Cached input tokens.</param>
/// <param name="ReasoningTokens">Reasoning tokens.</param>
/// <param name="Cost">The sum of the known costs; <see langword="null"/> when no call had a known cost.</param>
/// <param name="UnknownCostCalls">Answered calls whose cost is unknown (a model without a known price), so a partial <paramref name="Cost"/> is not mistaken for the whole; failed calls are counted in <paramref name="FailedCalls"/> instead.</param>
/// <param name="CacheHits">Calls answered from the response cache (part of <paramref name="Calls"/>; their cost is 0).</param>
/// <param name="Retries">The sum of the calls' retries.</param>
/// <param name="Fallbacks">The sum of the fallback groups the calls used.</param>
/// <param name="FailedCalls">Calls that failed or were cancelled (part of <paramref name="Calls"/>).</param>
public sealed record UsageStats(
    string Key,
    long Calls,
    long InputTokens,
    long OutputTokens,
    long CachedInputTokens,
    long ReasoningTokens,
    decimal? Cost,
    long UnknownCostCalls,
    long CacheHits = 0,
    long Retries = 0,
    long Fallbacks = 0,
    long FailedCalls = 0);
