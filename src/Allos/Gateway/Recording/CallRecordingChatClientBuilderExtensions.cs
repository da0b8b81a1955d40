using Allos.Storage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.Gateway;

/// <summary>Adds the call-recording layer to a <see cref="ChatClientBuilder"/>.</summary>
public static class CallRecordingChatClientBuilderExtensions
{
    /// <summary>Reports each call's cost on its response (<see cref="Models.ResponseCost"/>) and records the call in a telemetry store.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options; the store and clock default to the <see cref="ITelemetryStore"/> and <see cref="TimeProvider"/> registered in the services.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    /// <remarks>Put it outside the response cache to record hits too (at cost 0, as the cache reports them).</remarks>
    public static ChatClientBuilder UseCallRecording(this ChatClientBuilder builder, Action<CallRecordingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = new CallRecordingOptions
            {
                Store = services.GetService<ITelemetryStore>(),
                TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System,
            };
            configure?.Invoke(options);
            return new CallRecordingChatClient(inner, options);
        });
    }
}
