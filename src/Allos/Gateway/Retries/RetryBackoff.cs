namespace Allos.Gateway;

/// <summary>Exponential backoff with jitter, shared by the Router and the retry layer.</summary>
internal static class RetryBackoff
{
    /// <summary>
    /// Returns the delay before retry number <paramref name="retry"/> (1 for the first): <paramref name="first"/> doubled
    /// per retry, capped at <paramref name="max"/>, times a factor between 0.75 and 1.25 drawn from <paramref name="random"/>.
    /// </summary>
    /// <remarks><paramref name="random"/> is a number in [0, 1), so tests can pin the jitter.</remarks>
    public static TimeSpan Delay(int retry, TimeSpan first, TimeSpan max, double random)
    {
        double delay = first.TotalMilliseconds * Math.Pow(2, retry - 1);
        delay = Math.Min(delay, max.TotalMilliseconds);

        // ±25 % jitter keeps callers that failed together from retrying together.
        return TimeSpan.FromMilliseconds(delay * (0.75 + (Math.Clamp(random, 0, 1) * 0.5)));
    }
}
