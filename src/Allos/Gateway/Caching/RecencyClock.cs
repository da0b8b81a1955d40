namespace Allos.Gateway.Caching;

/// <summary>
/// The recency stamps the persistent response caches order evictions by: the clock in milliseconds, made strictly
/// increasing so uses within one millisecond keep their order. Thread-safe.
/// </summary>
internal sealed class RecencyClock
{
    private long _last;

    /// <summary>Returns a stamp after every one returned before, and no earlier than <paramref name="nowMs"/>.</summary>
    public long Next(long nowMs)
    {
        long last = Volatile.Read(ref _last);
        while (true)
        {
            long next = Math.Max(nowMs, last + 1);
            long seen = Interlocked.CompareExchange(ref _last, next, last);
            if (seen == last)
            {
                return next;
            }

            last = seen;
        }
    }
}
