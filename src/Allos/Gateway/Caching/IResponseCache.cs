using Microsoft.Extensions.AI;

namespace Allos.Gateway.Caching;

/// <summary>Stores whole responses under a key computed from the normalized request (a hash of its Microsoft.Extensions.AI JSON form).</summary>
/// <remarks>Implementations must be thread-safe. A failing cache must not fail the request: the Router treats errors as misses.</remarks>
public interface IResponseCache
{
    /// <summary>Returns the response stored under <paramref name="key"/>, or <see langword="null"/> when there is none or it has expired.</summary>
    ValueTask<ChatResponse?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="response"/> under <paramref name="key"/> for <paramref name="timeToLive"/>, replacing any earlier entry.</summary>
    /// <remarks>Only successful responses are stored: the Router never caches errors, so implementations need not check.</remarks>
    ValueTask SetAsync(string key, ChatResponse response, TimeSpan timeToLive, CancellationToken cancellationToken = default);
}
