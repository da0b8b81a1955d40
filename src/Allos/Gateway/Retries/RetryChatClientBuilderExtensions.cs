using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.Gateway;

/// <summary>Adds the retry layer to a <see cref="ChatClientBuilder"/>.</summary>
public static class RetryChatClientBuilderExtensions
{
    /// <summary>Retries transient failures with exponential backoff and jitter, honouring a provider's <c>retry-after</c>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options; the clock defaults to the <see cref="TimeProvider"/> registered in the services.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    /// <remarks>
    /// Layers added after this one (inside it) run once per attempt: a timeout there bounds each attempt, a rate limit or
    /// cooldown there sees each attempt. The <see cref="Router"/> retries on its own, across deployments; use this layer over
    /// a single client.
    /// </remarks>
    public static ChatClientBuilder UseRetries(this ChatClientBuilder builder, Action<RetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = new RetryOptions { TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System };
            configure?.Invoke(options);
            return new RetryChatClient(inner, options);
        });
    }
}
