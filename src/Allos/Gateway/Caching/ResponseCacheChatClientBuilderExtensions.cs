using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.Gateway.Caching;

/// <summary>Adds the response-cache layer to a <see cref="ChatClientBuilder"/>.</summary>
public static class ResponseCacheChatClientBuilderExtensions
{
    /// <summary>Answers repeated requests from <paramref name="cache"/> (by default the <see cref="IResponseCache"/> registered in the services), at cost 0.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="cache">The cache, for example a <see cref="MemoryResponseCache"/>, a <see cref="SqliteResponseCache"/> or a <see cref="PostgresResponseCache"/>.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    /// <exception cref="InvalidOperationException">No cache was given and none is registered.</exception>
    public static ChatClientBuilder UseResponseCache(this ChatClientBuilder builder, IResponseCache? cache = null, Action<ResponseCachingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            IResponseCache resolved = cache ?? services.GetService<IResponseCache>()
                ?? throw new InvalidOperationException("UseResponseCache needs a cache: pass one (new MemoryResponseCache()) or register an IResponseCache in the services.");
            var options = new ResponseCachingOptions();
            configure?.Invoke(options);
            return new ResponseCacheChatClient(inner, resolved, options);
        });
    }
}
