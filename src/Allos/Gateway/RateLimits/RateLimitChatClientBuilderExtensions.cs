using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.Gateway;

/// <summary>Adds the rate-limit layer to a <see cref="ChatClientBuilder"/>.</summary>
public static class RateLimitChatClientBuilderExtensions
{
    /// <summary>Keeps calls within a deployment's requests and tokens per minute, queueing them for a while when it is full.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the limits; the clock defaults to the <see cref="TimeProvider"/> registered in the services.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    /// <remarks>One layer counts for one deployment: build one per client. The <see cref="Router"/> applies <see cref="Deployment.RequestsPerMinute"/> and <see cref="Deployment.TokensPerMinute"/> itself.</remarks>
    public static ChatClientBuilder UseRateLimits(this ChatClientBuilder builder, Action<RateLimitOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.Use((inner, services) =>
        {
            var options = new RateLimitOptions { TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System };
            configure(options);
            return new RateLimitChatClient(inner, options);
        });
    }
}
