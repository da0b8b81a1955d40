namespace Allos.Gateway;

/// <summary>Configures the cooldown layer (<see cref="CooldownChatClientBuilderExtensions.UseCooldown"/>), a circuit breaker for one deployment.</summary>
/// <remarks>
/// Failures that are the deployment's fault (transient ones, and bad keys, missing models, no credit) count; the caller's
/// (an invalid request, a context-window overflow) do not. A provider's <c>retry-after</c> also pauses the deployment.
/// </remarks>
public sealed class CooldownOptions
{
    /// <summary>Gets or sets how many failures within <see cref="Window"/> start a cooldown. Zero counts none (only retry-after pauses).</summary>
    /// <value>The default value is 3.</value>
    public int Failures { get; set; } = 3;

    /// <summary>Gets or sets the window in which failures are counted.</summary>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how long calls are refused once cooled down; after it one call at a time probes the deployment until one succeeds.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the clock.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
