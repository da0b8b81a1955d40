namespace Allos.Gateway;

/// <summary>Configures the retry layer (<see cref="RetryChatClientBuilderExtensions.UseRetries"/>).</summary>
/// <remarks>
/// A stream is retried only until its first update has reached the caller. Hooks take one arguments object, as in Polly,
/// so fields can be added later without breaking them.
/// </remarks>
public sealed class RetryOptions
{
    /// <summary>Gets or sets how many times a failed call is retried. Zero turns retries off.</summary>
    /// <value>The default value is 2.</value>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Gets or sets the first retry delay; each further retry doubles it, with ±25 % jitter.</summary>
    /// <value>The default value is 500 milliseconds.</value>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the longest computed retry delay.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets the longest provider <c>retry-after</c> (<see cref="RateLimitException.RetryAfter"/>) that is waited for
    /// instead of the computed delay; a longer one is not retried.
    /// </summary>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets which failures are retried.</summary>
    /// <value>The default value is <see langword="null"/>: transient failures (<see cref="AllosException.IsTransient"/>, and HTTP, socket and I/O errors of clients that are not Allos's).</value>
    public Func<RetryPredicateArguments, bool>? ShouldRetry { get; set; }

    /// <summary>Gets or sets a hook called before each retry's delay (to log or count retries).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<OnRetryArguments, ValueTask>? OnRetry { get; set; }

    /// <summary>Gets or sets the source of the jitter: a number in [0, 1).</summary>
    /// <value>The default value is <see cref="Random.Shared"/>'s <see cref="Random.NextDouble"/>.</value>
    public Func<double> Randomizer { get; set; } = Random.Shared.NextDouble;

    /// <summary>Gets or sets the clock the delays run on.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
