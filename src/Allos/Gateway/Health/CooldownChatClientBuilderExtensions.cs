using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.Gateway;

/// <summary>Adds the cooldown layer to a <see cref="ChatClientBuilder"/>.</summary>
public static class CooldownChatClientBuilderExtensions
{
    /// <summary>
    /// Stops sending calls to a deployment that keeps failing, for <see cref="CooldownOptions.Duration"/>, and while a
    /// provider's <c>retry-after</c> lasts; refused calls fail with a transient <see cref="RateLimitException"/> whose
    /// <see cref="RateLimitException.RetryAfter"/> says how long is left.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options; the clock defaults to the <see cref="TimeProvider"/> registered in the services.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    /// <remarks>One layer holds one deployment's health: build one per client. The <see cref="Router"/> keeps its deployments' health itself.</remarks>
    public static ChatClientBuilder UseCooldown(this ChatClientBuilder builder, Action<CooldownOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = new CooldownOptions { TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System };
            configure?.Invoke(options);
            return new CooldownChatClient(inner, options);
        });
    }
}
