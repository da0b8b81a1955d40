namespace Allos.Gateway;

/// <summary>Picks the deployment for the next attempt of a request according to its group's <see cref="RoutingStrategy"/>.</summary>
internal static class DeploymentSelector
{
    /// <summary>
    /// Returns the best usable deployment not in <paramref name="excluded"/>, preferring ones not in <paramref name="tried"/>;
    /// <see langword="null"/> when none is usable now. Then <paramref name="soonest"/> is the deployment that frees up first
    /// (or <see langword="null"/>) and <paramref name="soonestUntil"/> when.
    /// </summary>
    public static DeploymentState? Select(
        RouteGroup group, RouteRequest request, ulong excluded, ulong tried, long now,
        out DeploymentState? soonest, out long soonestUntil, out bool soonestIsRetryAfter)
    {
        soonest = null;
        soonestUntil = long.MaxValue;
        soonestIsRetryAfter = false;
        ulong usable = 0;
        DeploymentState[] deployments = group.Deployments;
        for (int i = 0; i < deployments.Length; i++)
        {
            ulong bit = 1UL << i;
            if ((excluded & bit) != 0)
            {
                continue;
            }

            long until = deployments[i].UnavailableUntil(now, out bool retryAfter);
            if (until == 0)
            {
                usable |= bit;
            }
            else if (until < soonestUntil)
            {
                soonest = deployments[i];
                soonestUntil = until;
                soonestIsRetryAfter = retryAfter;
            }
        }

        if (usable == 0)
        {
            return null;
        }

        ulong fresh = usable & ~tried;
        return Pick(group, request, fresh != 0 ? fresh : usable);
    }

    private static DeploymentState Pick(RouteGroup group, RouteRequest request, ulong candidates)
    {
        DeploymentState[] deployments = group.Deployments;
        switch (group.Strategy)
        {
            case RoutingStrategy.WeightedShuffle:
            {
                double total = 0;
                for (int i = 0; i < deployments.Length; i++)
                {
                    total += (candidates & (1UL << i)) != 0 ? deployments[i].Deployment.Weight : 0;
                }

                double point = Random.Shared.NextDouble() * total;
                DeploymentState? last = null;
                for (int i = 0; i < deployments.Length; i++)
                {
                    if ((candidates & (1UL << i)) == 0)
                    {
                        continue;
                    }

                    last = deployments[i];
                    point -= last.Deployment.Weight;
                    if (point < 0)
                    {
                        return last;
                    }
                }

                return last!;
            }

            case RoutingStrategy.LeastBusy:
            {
                // Ties broken at random (reservoir sampling), so idle deployments share the load.
                DeploymentState? best = null;
                int ties = 0;
                for (int i = 0; i < deployments.Length; i++)
                {
                    if ((candidates & (1UL << i)) == 0)
                    {
                        continue;
                    }

                    int load = deployments[i].InFlight;
                    if (best is null || load < best.InFlight)
                    {
                        best = deployments[i];
                        ties = 1;
                    }
                    else if (load == best.InFlight && Random.Shared.Next(++ties) == 0)
                    {
                        best = deployments[i];
                    }
                }

                return best!;
            }

            case RoutingStrategy.LowestLatency:
            {
                DeploymentState? best = null;
                double bestLatency = double.MaxValue;
                for (int i = 0; i < deployments.Length; i++)
                {
                    if ((candidates & (1UL << i)) == 0)
                    {
                        continue;
                    }

                    DeploymentState deployment = deployments[i];
                    double latency = request.Streaming && !double.IsNaN(deployment.FirstTokenMs) ? deployment.FirstTokenMs : deployment.LatencyMs;

                    // Unmeasured deployments go first: without a sample the strategy could never learn about them.
                    if (double.IsNaN(latency))
                    {
                        return deployment;
                    }

                    if (latency < bestLatency)
                    {
                        best = deployment;
                        bestLatency = latency;
                    }
                }

                return best!;
            }

            case RoutingStrategy.LowestCost:
            {
                DeploymentState? best = null;
                decimal bestCost = decimal.MaxValue;
                for (int i = 0; i < deployments.Length; i++)
                {
                    if ((candidates & (1UL << i)) == 0)
                    {
                        continue;
                    }

                    decimal cost = request.MaximumCost(deployments[i]) ?? decimal.MaxValue;
                    if (best is null || cost < bestCost)
                    {
                        best = deployments[i];
                        bestCost = cost;
                    }
                }

                return best!;
            }

            default:
                // Priority: the array is sorted by priority, so the first candidate wins.
                return deployments[System.Numerics.BitOperations.TrailingZeroCount(candidates)];
        }
    }
}
