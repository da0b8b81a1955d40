namespace Allos.Gateway;

/// <summary>Configures the timeout layer (<see cref="TimeoutChatClientBuilderExtensions.UseTimeout(Microsoft.Extensions.AI.ChatClientBuilder, TimeSpan, TimeProvider?)"/>).</summary>
/// <remarks>
/// As in Polly, where the layer sits decides what it limits: outside the retry layer it bounds the whole request, retries
/// included (the Router's <see cref="RouterOptions.RequestTimeout"/>); inside it, each attempt (a
/// <see cref="Deployment.Timeout"/>).
/// </remarks>
public sealed class TimeoutOptions
{
    /// <summary>Gets or sets the time a call may take; a stream is bounded as a whole. Must be positive.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the clock the timeout runs on.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
