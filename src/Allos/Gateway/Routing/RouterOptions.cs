using Allos.Gateway.Caching;
using Allos.Models;
using Allos.Providers;
using Allos.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Allos.Gateway;

/// <summary>Configures a <see cref="Router"/>: model groups, strategy, retries, cooldowns, rate-limit queueing, budgets, cache, timeouts and telemetry.</summary>
/// <remarks>Read once when the Router is created; later changes have no effect. Load it from <c>allos.yaml</c> with <c>Configuration.RouterConfiguration</c>.</remarks>
public sealed class RouterOptions
{
    /// <summary>Gets the model groups. A model id that names no group is served by a group of one deployment, created on first use.</summary>
    public IList<ModelGroup> Groups { get; } = [];

    /// <summary>Gets or sets the alias or model id used when a request names none. Default: <see langword="null"/> (a request must name one).</summary>
    public string? DefaultModel { get; set; }

    /// <summary>Gets or sets the strategy for groups that set none. Default: <see cref="RoutingStrategy.Priority"/>.</summary>
    public RoutingStrategy Strategy { get; set; } = RoutingStrategy.Priority;

    /// <summary>Gets or sets how many times a transient failure is retried within a group before its fallbacks are tried. Default: 2.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Gets or sets the first retry delay; each further retry doubles it, with ±25 % jitter. Default: 500 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the longest computed retry delay. Default: 10 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets a hook called before each retry within a group, as <see cref="RetryOptions.OnRetry"/> is for the retry
    /// layer: <see cref="OnRetryArguments.AttemptNumber"/> counts the group's retries from 0, and
    /// <see cref="OnRetryArguments.Delay"/> is the wait before the same deployment is tried again (another untried
    /// deployment of the group is tried at once). Default: <see langword="null"/>.
    /// </summary>
    public Func<OnRetryArguments, ValueTask>? OnRetry { get; set; }

    /// <summary>Gets or sets the source of the retry jitter, a number in [0, 1), so tests can pin it. Default: <see cref="Random.Shared"/>'s <see cref="Random.NextDouble"/>.</summary>
    public Func<double> Randomizer { get; set; } = Random.Shared.NextDouble;

    /// <summary>
    /// Gets or sets the longest provider <c>retry-after</c> the Router waits for. A longer one means that deployment is not
    /// retried for this request (other deployments and fallbacks still are). Default: 60 s.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how many failures within <see cref="CooldownWindow"/> put a deployment in cooldown. Default: 3.</summary>
    public int CooldownFailures { get; set; } = 3;

    /// <summary>Gets or sets the window in which failures are counted. Default: 60 s.</summary>
    public TimeSpan CooldownWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how long a deployment is skipped once cooled down; after it one request probes it. Default: 30 s.</summary>
    public TimeSpan CooldownDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long a request waits in line when every usable deployment is at its RPM or TPM limit.
    /// <see cref="TimeSpan.Zero"/> fails fast with a <see cref="RateLimitException"/>. Default: 30 s.
    /// </summary>
    public TimeSpan RateLimitQueueTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the spending limits checked before every call.</summary>
    public IList<Budget> Budgets { get; } = [];

    /// <summary>Gets or sets the response cache. Default: <see langword="null"/> (no caching, whatever groups or requests ask).</summary>
    public IResponseCache? Cache { get; set; }

    /// <summary>Gets or sets how long cached responses live when their group sets no TTL. Default: 1 hour.</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the time a whole request may take, retries and fallbacks included. Default: <see langword="null"/> (no limit beyond each attempt's).</summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>
    /// Gets or sets how long a deployment's stream may send nothing, once started, before the attempt fails as a
    /// transient timeout (and is retried or falls back). Default: <see langword="null"/> (each provider client's own,
    /// 5 minutes). A deployment's <see cref="Deployment.StreamIdleTimeout"/> wins; clients given as
    /// <see cref="Deployment.Client"/> keep their own.
    /// </summary>
    public TimeSpan? StreamIdleTimeout { get; set; }

    /// <summary>Gets or sets where each call is recorded (deployment, tokens, cost, latency, cache hit, retries, fallbacks). Default: <see langword="null"/>.</summary>
    public ITelemetryStore? Telemetry { get; set; }

    /// <summary>Gets or sets the catalog used for prices (cost, budgets, <see cref="RoutingStrategy.LowestCost"/>) and output limits. Default: <see cref="ModelCatalog.Default"/>.</summary>
    public ModelCatalog Models { get; set; } = ModelCatalog.Default;

    /// <summary>Gets or sets the registry that creates provider clients for deployments. Default: <see cref="ProviderRegistry.Default"/>.</summary>
    public ProviderRegistry Providers { get; set; } = ProviderRegistry.Default;

    /// <summary>Gets or sets the HTTP client given to provider clients. Default: <see langword="null"/> (the shared one).</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Gets or sets the clock for retries, cooldowns, rate limits and budget periods. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Gets or sets where the Router logs retries, fallbacks, cooldowns and budget refusals (category
    /// <c>Allos.Gateway.Router</c>); the provider clients it creates log to it too. Default: <see cref="NullLoggerFactory.Instance"/>.
    /// </summary>
    /// <remarks>Nothing is logged above <see cref="LogLevel.Trace"/> that holds a prompt, and API keys never are.</remarks>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>
    /// Gets or sets where cooldowns are shared with the other processes serving the same configuration (the gateway sets
    /// the PostgreSQL store's). Default: <see langword="null"/> (each Router keeps its cooldowns to itself).
    /// </summary>
    internal ISharedCooldowns? SharedCooldowns { get; set; }

    /// <summary>Gets or sets the window of <see cref="Deployment.RequestsPerMinute"/> and <see cref="Deployment.TokensPerMinute"/>; shortened by tests only.</summary>
    internal TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);
}
