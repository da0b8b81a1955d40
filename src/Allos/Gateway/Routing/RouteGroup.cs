namespace Allos.Gateway;

/// <summary>A model group ready to route: its deployments' states (in priority order) and its resolved settings.</summary>
internal sealed class RouteGroup : IDisposable
{
    /// <summary>The most deployments a group may have: a request tracks the ones it tried in a 64-bit mask.</summary>
    public const int MaxDeployments = 64;

    public RouteGroup(string alias, DeploymentState[] deployments, RoutingStrategy strategy, ModelGroup? definition)
    {
        Alias = alias;
        Deployments = deployments;
        Strategy = strategy;
        Fallbacks = definition is null ? [] : [.. definition.Fallbacks];
        ContextWindowFallbacks = definition is null ? [] : [.. definition.ContextWindowFallbacks];
        ContentPolicyFallbacks = definition is null ? [] : [.. definition.ContentPolicyFallbacks];
        Cache = definition?.Cache ?? false;
        CacheTtl = definition?.CacheTtl;
    }

    public string Alias { get; }

    /// <summary>Gets the deployments, sorted by priority (stable); each one's <see cref="DeploymentState.Index"/> is its position here.</summary>
    public DeploymentState[] Deployments { get; }

    public RoutingStrategy Strategy { get; }

    public string[] Fallbacks { get; }

    public string[] ContextWindowFallbacks { get; }

    public string[] ContentPolicyFallbacks { get; }

    public bool Cache { get; }

    public TimeSpan? CacheTtl { get; }

    public void Dispose()
    {
        foreach (DeploymentState deployment in Deployments)
        {
            deployment.Dispose();
        }
    }
}
