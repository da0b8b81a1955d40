using Microsoft.Extensions.AI;

namespace Allos;

/// <summary>Per-call settings for Allos's provider clients, carried in <see cref="ChatOptions.AdditionalProperties"/>.</summary>
/// <remarks>Keys starting with <c>allos.</c> are Allos's own: provider clients never send them to a provider.</remarks>
public static class ProviderChatOptions
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key holding a <see cref="TimeSpan"/> that overrides <see cref="ChatClientOptions.StreamIdleTimeout"/> for one call.</summary>
    public const string StreamIdleTimeoutKey = "allos.stream_idle_timeout";

    /// <summary>Sets how long this call's stream may go without sending anything, once it has started, before it fails as a <see cref="ProviderTimeoutException"/>.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="timeout">A positive duration, or <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <returns>The same <paramref name="options"/>, for chaining.</returns>
    public static ChatOptions WithStreamIdleTimeout(this ChatOptions options, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The stream idle timeout must be positive, or Timeout.InfiniteTimeSpan for no limit.");
        }

        (options.AdditionalProperties ??= [])[StreamIdleTimeoutKey] = timeout;
        return options;
    }
}
