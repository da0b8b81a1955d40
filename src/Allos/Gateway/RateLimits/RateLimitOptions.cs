using Allos.Models;

namespace Allos.Gateway;

/// <summary>Configures the rate-limit layer (<see cref="RateLimitChatClientBuilderExtensions.UseRateLimits"/>): a deployment's requests and tokens per minute.</summary>
/// <remarks>
/// A call reserves its estimated input tokens plus its output limit (<see cref="Microsoft.Extensions.AI.ChatOptions.MaxOutputTokens"/>,
/// else the model's) over a sliding minute, and gives back what the provider's reported usage says it did not use.
/// </remarks>
public sealed class RateLimitOptions
{
    /// <summary>Gets or sets the most calls per minute.</summary>
    /// <value>The default value is <see langword="null"/> (no limit).</value>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Gets or sets the most tokens (input and output) per minute.</summary>
    /// <value>The default value is <see langword="null"/> (no limit).</value>
    public int? TokensPerMinute { get; set; }

    /// <summary>
    /// Gets or sets how long a call waits in line when the limit is reached. <see cref="TimeSpan.Zero"/> fails fast with a
    /// <see cref="RateLimitException"/>, as does a wait that runs out.
    /// </summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the catalog that gives a model's output limit when a request sets none.</summary>
    /// <value>The default value is <see cref="ModelCatalog.Default"/>.</value>
    public ModelCatalog Models { get; set; } = ModelCatalog.Default;

    /// <summary>Gets or sets the clock.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the window of the limits; shortened by tests only.</summary>
    internal TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
