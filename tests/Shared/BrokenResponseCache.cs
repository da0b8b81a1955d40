using Allos.Gateway.Caching;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Shared;

/// <summary>A response cache whose every read and write fails, as a full disk or a lost connection would; counts the attempts.</summary>
public sealed class BrokenResponseCache : IResponseCache
{
    public int Reads { get; private set; }

    public int Writes { get; private set; }

    public ValueTask<ChatResponse?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        Reads++;
        throw new IOException("the cache's disk is gone");
    }

    public ValueTask SetAsync(string key, ChatResponse response, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        Writes++;
        throw new IOException("the cache's disk is gone");
    }
}
