using System.Runtime.ExceptionServices;

namespace Allos.Gateway;

/// <summary>
/// Where one request's attempts stand: the group being tried, which of its deployments were tried or ruled out, the
/// group's retry count, and the failure to report when nothing is left. <see cref="RouteAttempts"/> drives it; this
/// type holds the rules of the walk (selection, retry, fallback) and does no I/O.
/// </summary>
/// <remarks>Not thread-safe: one per request.</remarks>
internal sealed class RouteCursor(RouteRequest request, RouterOptions options, Func<string, RouteGroup> groups)
{
    private readonly RouteRequest _request = request;
    private readonly RouterOptions _options = options;
    private readonly Func<string, RouteGroup> _groups = groups;

    /// <summary>Deployments of <see cref="Group"/> already tried: a retry prefers the others.</summary>
    private ulong _tried;

    /// <summary>Deployments of <see cref="Group"/> ruled out for this request (failed for good, or at their rate limit).</summary>
    private ulong _excluded;

    private int _retries;
    private bool _retrying;
    private long _retryAt;
    private HashSet<string>? _visited;
    private bool _attempted;
    private DeploymentState? _coolestPrimary;
    private DeploymentState? _limited;

    /// <summary>Gets the group being tried: the request's, then its fallbacks.</summary>
    public RouteGroup Group { get; private set; } = request.Group;

    /// <summary>Gets the kind of the last failure, which decides the fallback list.</summary>
    public FailureKind LastKind { get; private set; } = FailureKind.Transient;

    private ExceptionDispatchInfo? Last { get; set; }

    /// <summary>
    /// Picks the next deployment of <see cref="Group"/> (<see cref="DeploymentSelector"/>), or <see langword="null"/> when
    /// none is usable now; then <paramref name="soonest"/> is the one that frees up first, and when.
    /// </summary>
    public DeploymentState? Select(long now, out DeploymentState? soonest, out long soonestUntil, out bool soonestIsRetryAfter)
    {
        DeploymentState? deployment = DeploymentSelector.Select(Group, _request, _excluded, _tried, now, out soonest, out soonestUntil, out soonestIsRetryAfter);
        if (ReferenceEquals(Group, _request.Group) && soonest is not null && !soonestIsRetryAfter)
        {
            _coolestPrimary ??= soonest;
        }

        return deployment;
    }

    /// <summary>Rules out a deployment that is at its RPM/TPM limit, remembering the first one to wait in line for.</summary>
    public void SkipLimited(DeploymentState deployment)
    {
        _limited ??= deployment;
        _excluded |= Bit(deployment);
    }

    /// <summary>Returns (once) the first deployment skipped for its rate limit, to queue for when no other is free.</summary>
    public DeploymentState? TakeLimited()
    {
        DeploymentState? limited = _limited;
        _limited = null;
        return limited;
    }

    /// <summary>Records that waiting in line for a rate-limited deployment timed out.</summary>
    public void QueueTimedOut(Exception error)
    {
        Last = ExceptionDispatchInfo.Capture(error);
        LastKind = FailureKind.Transient;
    }

    /// <summary>Whether a provider's retry-after of <paramref name="ticks"/> is short enough to wait for, retries allowing.</summary>
    public bool CanWait(long ticks) => ticks <= _options.MaxRetryAfter.Ticks && _retries <= _options.MaxRetries;

    /// <summary>Moves to the next fallback group the last failure allows (each group once); <see langword="false"/> when there is none.</summary>
    public bool TryFallBack(out RouteGroup from)
    {
        from = Group;
        string[] candidates = LastKind switch
        {
            FailureKind.ContextWindow => _request.Group.ContextWindowFallbacks,
            FailureKind.ContentPolicy => _request.Group.ContentPolicyFallbacks,
            FailureKind.Fatal => [],
            _ => _request.Group.Fallbacks,
        };
        foreach (string alias in candidates)
        {
            _visited ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase) { _request.Alias };
            if (_visited.Add(alias))
            {
                Group = _groups(alias);
                _tried = _excluded = 0;
                _retries = 0;
                _retrying = false;
                _retryAt = 0;
                _request.Fallbacks++;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// When nothing is left: the request's own deployment that cools down first, if no attempt was made at all (cooldowns
    /// protect a failing deployment from load, but never fail a request that was not even tried); else throws the last
    /// failure.
    /// </summary>
    public DeploymentState LastResort()
    {
        if (!_attempted && _coolestPrimary is not null)
        {
            Group = _request.Group;
            return _coolestPrimary;
        }

        Last?.Throw();
        throw new AllosException($"No deployment of '{_request.Alias}' can take the request now.");
    }

    /// <summary>How long to wait before retrying <paramref name="deployment"/> (0 unless it is the one just tried and its back-off is not over).</summary>
    public long RetryWait(DeploymentState deployment, long now) => (_tried & Bit(deployment)) != 0 && _retryAt > now ? _retryAt - now : 0;

    /// <summary>Records that an attempt is starting (and, if it follows a retryable failure, counts the retry).</summary>
    public void Started()
    {
        _attempted = true;
        if (_retrying)
        {
            _request.Retries++;
            _retrying = false;
        }
    }

    /// <summary>
    /// Records a failed attempt and decides what follows, by its kind: a fatal failure is thrown; a deployment failure
    /// rules the deployment out; a transient one is retried (here, elsewhere in the group, after the provider's
    /// retry-after or a back-off) until the retries are used up; anything else ends the group.
    /// </summary>
    /// <returns>The wait before the retry when the failure is retried in this group; otherwise <see langword="null"/>.</returns>
    public TimeSpan? Failed(DeploymentState deployment, Exception error, FailureKind kind, TimeSpan? retryAfter, bool honoured, long now)
    {
        Last = ExceptionDispatchInfo.Capture(error);
        LastKind = kind;
        ulong bit = Bit(deployment);
        switch (kind)
        {
            case FailureKind.Fatal:
                Last.Throw();
                return null;
            case FailureKind.Deployment:
                _excluded |= bit;
                return null;
            case FailureKind.Transient when ++_retries <= _options.MaxRetries:
                _tried |= bit;
                _retrying = true;
                if (retryAfter is not null && !honoured)
                {
                    _excluded |= bit; // it asked for longer than we wait: another deployment, or another group
                }

                TimeSpan delay = honoured ? retryAfter!.Value : RetryBackoff.Delay(_retries, _options.RetryDelay, _options.MaxRetryDelay, _options.Randomizer());
                _retryAt = now + delay.Ticks;
                return delay;
            default:
                // Retries used up, or a failure only another group can answer: this group is done.
                _excluded = ulong.MaxValue;
                return null;
        }
    }

    /// <summary>Gets the number of retries made in the current group.</summary>
    public int GroupRetries => _retries;

    private static ulong Bit(DeploymentState deployment) => 1UL << deployment.Index;
}
