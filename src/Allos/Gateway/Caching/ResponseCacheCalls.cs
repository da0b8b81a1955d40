using Microsoft.Extensions.AI;

namespace Allos.Gateway.Caching;

/// <summary>
/// Reading and writing an <see cref="IResponseCache"/> for a request in flight, where a broken cache is a miss, never a
/// failed call: the Router and <see cref="ResponseCacheChatClient"/> both go through here.
/// </summary>
internal static class ResponseCacheCalls
{
    /// <summary>Returns the cached answer, or <see langword="null"/> on a miss or when the cache fails (then <paramref name="failed"/> hears of it).</summary>
    public static async ValueTask<ChatResponse?> TryGetAsync<TState>(
        this IResponseCache cache, string key, Action<TState, Exception>? failed, TState state, CancellationToken cancellationToken)
    {
        try
        {
            return await cache.GetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failed?.Invoke(state, ex);
            return null;
        }
    }

    /// <summary>Stores the answer; a cache that cannot store is a cache that misses (<paramref name="failed"/> hears of it), and the caller has its answer.</summary>
    public static async ValueTask TrySetAsync<TState>(
        this IResponseCache cache, string key, ChatResponse response, TimeSpan timeToLive, Action<TState, Exception>? failed, TState state, CancellationToken cancellationToken)
    {
        try
        {
            await cache.SetAsync(key, response, timeToLive, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failed?.Invoke(state, ex);
        }
    }
}
