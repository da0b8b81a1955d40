namespace Allos.Gateway;

/// <summary>An alias (<c>fast</c>, <c>complex</c>, anything) that maps to deployments, with its strategy, fallbacks and cache setting.</summary>
public sealed class ModelGroup
{
    /// <summary>Initializes a group named <paramref name="alias"/> over <paramref name="deployments"/>.</summary>
    public ModelGroup(string alias, params IEnumerable<Deployment> deployments)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(alias);
        ArgumentNullException.ThrowIfNull(deployments);
        Alias = alias.Trim();
        Deployments = [.. deployments];
    }

    /// <summary>Gets the alias callers put in <c>ChatOptions.ModelId</c> (or pass to <see cref="Router.For"/>).</summary>
    public string Alias { get; }

    /// <summary>Gets the deployments. At least one is required.</summary>
    public IList<Deployment> Deployments { get; }

    /// <summary>Gets or sets the routing strategy. Default: <see langword="null"/> (<see cref="RouterOptions.Strategy"/>).</summary>
    public RoutingStrategy? Strategy { get; set; }

    /// <summary>Gets the groups tried in order when every deployment of this one has failed (after retries) or is unavailable.</summary>
    public IList<string> Fallbacks { get; } = [];

    /// <summary>Gets the groups tried in order when a deployment reports that the request exceeds its context window. List larger-context groups here.</summary>
    public IList<string> ContextWindowFallbacks { get; } = [];

    /// <summary>Gets the groups tried in order when a provider refuses the request or response on content-policy grounds.</summary>
    public IList<string> ContentPolicyFallbacks { get; } = [];

    /// <summary>Gets or sets whether responses of this group are cached (a request can still opt in or out). Default: <see langword="false"/>.</summary>
    public bool Cache { get; set; }

    /// <summary>Gets or sets how long cached responses of this group live. Default: <see langword="null"/> (<see cref="RouterOptions.CacheTtl"/>).</summary>
    public TimeSpan? CacheTtl { get; set; }
}
