namespace Allos.Storage;

/// <summary>Totals for one group of model calls.</summary>
/// <param name="Key">The group: <c>provider/model</c>, provider, <c>yyyy-MM-dd</c> (UTC) or session id.</param>
/// <param name="Calls">The number of calls.</param>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="CachedInputTokens">Cached input tokens.</param>
/// <param name="ReasoningTokens">Reasoning tokens.</param>
/// <param name="Cost">The sum of the known costs; <see langword="null"/> when no call had a known cost.</param>
/// <param name="UnknownCostCalls">Calls whose cost is unknown, so a partial <paramref name="Cost"/> is not mistaken for the whole.</param>
public sealed record UsageStats(
    string Key,
    long Calls,
    long InputTokens,
    long OutputTokens,
    long CachedInputTokens,
    long ReasoningTokens,
    decimal? Cost,
    long UnknownCostCalls);
