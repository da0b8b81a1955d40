using Allos.Models;
using Microsoft.Extensions.AI;

namespace Allos.Providers;

/// <summary>
/// Usage from a provider whose input count leaves out the cache's reads and writes (Anthropic, and Bedrock after it): the
/// input Allos reports is the sum of the three, reads are the cached part and writes go in
/// <see cref="UsageDetails.AdditionalCounts"/>, so each token is priced once (see <see cref="CostCalculator"/>).
/// </summary>
internal static class CacheUsage
{
    public static UsageDetails Details(long? uncachedInput, long? cacheWrite, long? cacheRead, long? output, long? total = null)
    {
        long? input = uncachedInput is null && cacheWrite is null && cacheRead is null
            ? null
            : (uncachedInput ?? 0) + (cacheWrite ?? 0) + (cacheRead ?? 0);
        var details = new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            TotalTokenCount = total ?? (input is null && output is null ? null : (input ?? 0) + (output ?? 0)),
            CachedInputTokenCount = cacheRead,
        };

        if (cacheWrite > 0)
        {
            details.AdditionalCounts = new() { [CostCalculator.CacheWriteInputTokenCountKey] = cacheWrite.Value };
        }

        return details;
    }
}
