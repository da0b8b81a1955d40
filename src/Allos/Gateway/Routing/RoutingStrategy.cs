namespace Allos.Gateway;

/// <summary>How a <see cref="Router"/> picks among the healthy deployments of a model group.</summary>
public enum RoutingStrategy
{
    /// <summary>Lowest <see cref="Deployment.Priority"/> first, the next one when it fails or is unavailable.</summary>
    Priority,

    /// <summary>Random, in proportion to <see cref="Deployment.Weight"/>.</summary>
    WeightedShuffle,

    /// <summary>The deployment with the fewest requests in flight (ties broken at random).</summary>
    LeastBusy,

    /// <summary>The deployment with the lowest moving-average latency; deployments without measurements are tried first.</summary>
    LowestLatency,

    /// <summary>The deployment whose catalog prices make this request cheapest; unknown prices go last.</summary>
    LowestCost,
}
