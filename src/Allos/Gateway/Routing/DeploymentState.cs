using Allos.Models;
using Allos.Providers;
using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>A deployment as the Router sees it: its client, its health (failures, cooldown, retry-after), load and latency.</summary>
/// <remarks>Thread-safe: every field is read and written with interlocked or volatile operations, or under <see cref="_gate"/>; health under its own lock.</remarks>
internal sealed class DeploymentState : IDisposable
{
    private const double LatencyWeight = 0.3;

    private readonly RouterOptions _options;
    private readonly Lock _gate = new();
    private readonly DeploymentHealth _health;
    private IChatClient? _client;
    private IEmbeddingGenerator<string, Embedding<float>>? _embeddings;
    private int _inFlight;
    private double _latencyMs = double.NaN;
    private double _firstTokenMs = double.NaN;
    private ServerTags? _server;

    public DeploymentState(Deployment deployment, string group, string name, int index, RouterOptions options)
    {
        Deployment = deployment;
        Name = name;
        SharedKey = $"{group}/{name}";
        Index = index;
        _options = options;
        _health = new DeploymentHealth(options.CooldownFailures, options.CooldownWindow, options.CooldownDuration);
        (Provider, ModelName) = ResolveModel(deployment, options.Providers);
        ModelId = $"{Provider}/{ModelName}";
        Info = options.Models.Get(ModelId);
        if (deployment.RequestsPerMinute is not null || deployment.TokensPerMinute is not null)
        {
            Limiter = new DeploymentRateLimiter(deployment.RequestsPerMinute, deployment.TokensPerMinute, options.RateLimitWindow, options.TimeProvider);
        }
    }

    public Deployment Deployment { get; }

    public string Name { get; }

    /// <summary>
    /// Gets the name other processes know this deployment by in <see cref="RouterOptions.SharedCooldowns"/>:
    /// <c>&lt;group alias&gt;/&lt;name&gt;</c>, the name being <see cref="Deployment.Name"/> or the model id, with
    /// <c>#2</c>, <c>#3</c>… for repeats within the group. It depends on the configuration alone (not on the order groups
    /// are built in or on the process), so every instance serving the same configuration agrees on it; a plain model id
    /// is its own group alias. Compare it ignoring case, as aliases and names are.
    /// </summary>
    public string SharedKey { get; }

    /// <summary>Gets the position in the group, the bit used in a request's tried and excluded masks.</summary>
    public int Index { get; }

    public string Provider { get; }

    public string ModelName { get; }

    /// <summary>Gets <c>provider/model</c>.</summary>
    public string ModelId { get; }

    public ModelInfo Info { get; }

    public DeploymentRateLimiter? Limiter { get; }

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Gets the moving average of whole-call latency in milliseconds, NaN before the first success.</summary>
    public double LatencyMs => Volatile.Read(ref _latencyMs);

    /// <summary>Gets the moving average of time to first chunk of streamed calls in milliseconds, NaN before the first.</summary>
    public double FirstTokenMs => Volatile.Read(ref _firstTokenMs);

    /// <summary>Gets the endpoint the client reports (<see cref="ChatClientMetadata.ProviderUri"/>), or <see langword="null"/> before the client exists.</summary>
    /// <remarks>Never creates the client: a deployment whose key is missing is still described in telemetry.</remarks>
    public Uri? Endpoint => Volatile.Read(ref _client)?.GetService<ChatClientMetadata>()?.ProviderUri;

    /// <summary>
    /// Gets <see cref="Endpoint"/> as telemetry tag values, worked out once (every call's span and metrics carry them):
    /// the host without an IPv6 address's brackets, and the port, boxed once (<see langword="null"/> for a scheme without one).
    /// </summary>
    public ServerTags? Server
    {
        get
        {
            if (Volatile.Read(ref _server) is { } server)
            {
                return server;
            }

            if (Endpoint is not { IsAbsoluteUri: true } endpoint)
            {
                return null;
            }

            // Uri.Port is the scheme's default (443, 80) when the URL names none, and -1 for a scheme without one.
            server = new ServerTags(endpoint.DnsSafeHost, endpoint.Port >= 0 ? endpoint.Port : null);
            Volatile.Write(ref _server, server);
            return server;
        }
    }

    /// <summary>Gets the client, creating it on first use (so a deployment never used never needs its key).</summary>
    /// <exception cref="ConfigurationException">The provider is unknown or its key is missing.</exception>
    public IChatClient Client
    {
        get
        {
            IChatClient? client = Volatile.Read(ref _client);
            if (client is not null)
            {
                return client;
            }

            lock (_gate)
            {
                return _client ??= CreateClient();
            }
        }
    }

    /// <summary>Gets the embedding generator, creating it on first use.</summary>
    /// <exception cref="ConfigurationException">The provider is unknown, has no embeddings API, or its key is missing.</exception>
    public IEmbeddingGenerator<string, Embedding<float>> Embeddings
    {
        get
        {
            IEmbeddingGenerator<string, Embedding<float>>? embeddings = Volatile.Read(ref _embeddings);
            if (embeddings is not null)
            {
                return embeddings;
            }

            lock (_gate)
            {
                return _embeddings ??= Deployment.EmbeddingGenerator ?? _options.Providers.CreateEmbeddingGenerator(ModelId, ClientOptions());
            }
        }
    }

    /// <summary>Returns when this deployment can take a request again (0 when it can now), and whether the wait comes from a provider's retry-after.</summary>
    public long UnavailableUntil(long now, out bool retryAfter) => _health.UnavailableUntil(now, out retryAfter);

    /// <summary>Marks the start of an attempt. Returns whether it is the probe after a cooldown.</summary>
    public bool Begin(long now)
    {
        Interlocked.Increment(ref _inFlight);
        return _health.Begin(now);
    }

    /// <summary>Records a successful attempt: updates latency, and a successful probe ends the cooldown.</summary>
    public void Succeeded(bool probe, double latencyMs, double? firstTokenMs)
    {
        Interlocked.Decrement(ref _inFlight);
        if (firstTokenMs is double first)
        {
            Volatile.Write(ref _firstTokenMs, Average(FirstTokenMs, first));
        }
        else
        {
            Volatile.Write(ref _latencyMs, Average(LatencyMs, latencyMs));
        }

        _health.Succeeded(probe);
    }

    /// <summary>Records a failed attempt. Counts it toward a cooldown when <paramref name="countsAgainst"/> (the deployment, not the request, is at fault).</summary>
    /// <returns>Whether this failure started a cooldown.</returns>
    public bool Failed(bool probe, long now, bool countsAgainst, TimeSpan? retryAfter)
    {
        Interlocked.Decrement(ref _inFlight);
        if (!_health.Failed(probe, now, countsAgainst, retryAfter))
        {
            return false;
        }

        _options.SharedCooldowns?.Publish(SharedKey, new DateTimeOffset(_health.CooldownUntil, TimeSpan.Zero));
        return true;
    }

    /// <summary>Applies a cooldown another process started (see <see cref="DeploymentHealth.CoolDownUntil"/>).</summary>
    public bool CoolDownUntil(long until) => _health.CoolDownUntil(until);

    /// <summary>Ends an attempt that neither succeeded nor failed (cancelled by the caller).</summary>
    public void Abandoned(bool probe)
    {
        Interlocked.Decrement(ref _inFlight);
        _health.Abandoned(probe);
    }

    public void Dispose()
    {
        Limiter?.Dispose();
        if (Deployment.Client is null)
        {
            _client?.Dispose();
        }

        if (Deployment.EmbeddingGenerator is null)
        {
            _embeddings?.Dispose();
        }
    }

    private static (string Provider, string Model) ResolveModel(Deployment deployment, ProviderRegistry providers)
    {
        if (deployment.Client is null && deployment.EmbeddingGenerator is null)
        {
            ModelReference reference = providers.Resolve(deployment.Model);
            return (reference.Provider, reference.Model);
        }

        // A ready-made client may serve a model no registered provider knows.
        int slash = deployment.Model.IndexOf('/', StringComparison.Ordinal);
        string provider = deployment.Client?.GetService<ChatClientMetadata>()?.ProviderName
            ?? deployment.EmbeddingGenerator?.GetService<EmbeddingGeneratorMetadata>()?.ProviderName
            ?? (slash > 0 ? deployment.Model[..slash] : "custom");
        return (provider, slash > 0 ? deployment.Model[(slash + 1)..] : deployment.Model);
    }

    private static double Average(double current, double sample) =>
        double.IsNaN(current) ? sample : current + (LatencyWeight * (sample - current));

    private IChatClient CreateClient()
    {
        return Deployment.Client ?? _options.Providers.Create(ModelId, ClientOptions());
    }

    private ChatClientOptions ClientOptions()
    {
        var options = new ChatClientOptions
        {
            ApiKey = Deployment.ApiKey,
            Endpoint = Deployment.Endpoint,
            ApiVersion = Deployment.ApiVersion,
            Project = Deployment.Project,
            Location = Deployment.Location,
            TokenEndpoint = Deployment.TokenEndpoint,
            HttpClient = _options.HttpClient,
            TimeProvider = _options.TimeProvider,
            LoggerFactory = _options.LoggerFactory,
        };
        if ((Deployment.StreamIdleTimeout ?? _options.StreamIdleTimeout) is TimeSpan idle)
        {
            options.StreamIdleTimeout = idle;
        }

        if (Deployment.Headers is not null)
        {
            foreach (KeyValuePair<string, string> header in Deployment.Headers)
            {
                options.Headers[header.Key] = header.Value;
            }
        }

        return options;
    }

    /// <summary>A deployment's <c>server.address</c> and <c>server.port</c>.</summary>
    internal sealed record ServerTags(string Address, object? Port);
}
