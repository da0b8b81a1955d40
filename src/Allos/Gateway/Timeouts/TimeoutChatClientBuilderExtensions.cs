using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.Gateway;

/// <summary>Adds the timeout layer to a <see cref="ChatClientBuilder"/>.</summary>
public static class TimeoutChatClientBuilderExtensions
{
    /// <summary>Fails calls that take longer than <paramref name="timeout"/> with a transient <see cref="ProviderTimeoutException"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="timeout">The time a call may take.</param>
    /// <param name="timeProvider">The clock; by default the <see cref="TimeProvider"/> registered in the services, else <see cref="TimeProvider.System"/>.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    /// <remarks>Outside <see cref="RetryChatClientBuilderExtensions.UseRetries"/> it bounds the whole request; inside, each attempt.</remarks>
    public static ChatClientBuilder UseTimeout(this ChatClientBuilder builder, TimeSpan timeout, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return builder.UseTimeout(options =>
        {
            options.Timeout = timeout;
            if (timeProvider is not null)
            {
                options.TimeProvider = timeProvider;
            }
        });
    }

    /// <summary>Fails calls that take longer than the configured timeout with a transient <see cref="ProviderTimeoutException"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options; the clock defaults to the <see cref="TimeProvider"/> registered in the services.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseTimeout(this ChatClientBuilder builder, Action<TimeoutOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.Use((inner, services) =>
        {
            var options = new TimeoutOptions { TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System };
            configure(options);
            return new TimeoutChatClient(inner, options);
        });
    }
}
